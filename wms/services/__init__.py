"""Use cases: take a session first, flush, never commit."""
