"""Our own static files at /static/: console, terminal and vendored assets, never a CDN.

Layout under ``wms/web/static/``: ``console/`` (console CSS and JS),
``terminal/`` (PDA pages) and ``vendor/`` (third-party files we ship).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, send_from_directory

STATIC_DIR = Path(__file__).resolve().parent / "static"
#: Browsers revalidate after this many seconds (ETag), so a deploy shows up quickly.
MAX_AGE = 300


def _static(filename: str) -> Response:
    # send_from_directory refuses paths that leave STATIC_DIR.
    return send_from_directory(STATIC_DIR, filename, max_age=MAX_AGE)


def init_app(app: Flask) -> None:
    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=_static)
