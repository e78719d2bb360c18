"""Scanner flows: one explicit state machine per floor job."""
