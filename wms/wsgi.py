"""The production server entry (gunicorn -k gevent wms.wsgi:app).

The one module allowed to do work at import: it patches the standard library
for gevent before anything imports psycopg, checks that the patch took, and
builds the app with Socket.IO in gevent mode.
"""

from wms.serving import check_gevent_ready, patch_for_gevent, settle_heap

patch_for_gevent()
check_gevent_ready()

from wms.app import create_app  # noqa: E402
from wms.settings import load_settings  # noqa: E402

_settings = load_settings()
app = create_app(_settings.with_overrides(socketio={"async_mode": "gevent"}))

settle_heap()
