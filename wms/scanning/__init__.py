"""What a scan means: check digits, GS1 element strings and the scan resolver."""
