"""Labels: ZPL escaping, GS1 barcodes and Jinja templates; pure, no device I/O."""
