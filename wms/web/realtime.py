"""Placeholder edge module; filled in by its own change."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    return None
