"""The production server entry: ``gunicorn -k gevent -w 1 'wms.wsgi:app'``.

The one module that does work at import time, because gunicorn imports it
to get ``app``. gevent must patch the standard library before anything
imports psycopg or socket users, or database waits block every greenlet;
so this patch comes first (and never run gunicorn with ``--preload``,
which would import the app before the worker patches). Socket.IO runs in
gevent mode here whatever the settings say.
"""

from gevent import monkey

monkey.patch_all()

from wms.app import create_app  # noqa: E402
from wms.settings import load_settings  # noqa: E402

settings = load_settings()
if settings.socketio.async_mode != "gevent":
    settings = settings.with_overrides(socketio={"async_mode": "gevent"})
app = create_app(settings)
