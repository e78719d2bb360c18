"""Use cases. Each takes ``session`` first and keyword arguments after; flushes, never commits."""
