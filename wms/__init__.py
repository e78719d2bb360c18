"""A scanner-first warehouse execution system."""

__version__ = "0.1.0"
