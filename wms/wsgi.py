"""The production server entry (gunicorn -k gevent wms.wsgi:app).

The one module allowed to do work at import: it patches the standard library
for gevent before anything imports psycopg, checks that the patch took, and
builds the app with Socket.IO in gevent mode.
"""

import gc

from wms.serving import check_gevent_ready, patch_for_gevent

patch_for_gevent()
check_gevent_ready()

from wms.app import create_app  # noqa: E402
from wms.settings import load_settings  # noqa: E402

_settings = load_settings()
app = create_app(_settings.with_overrides(socketio={"async_mode": "gevent"}))

# Everything built so far lives as long as the process: move it out of the
# collector's sight, so a full collection under load walks only the objects
# made since (tens of ms less on the slowest requests).
gc.collect()
gc.freeze()
