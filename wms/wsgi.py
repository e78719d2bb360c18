"""The production server entry: ``gunicorn -k gevent -w 1 wms.wsgi:app``.

The one module that does work at import time, because importing it is how
gunicorn asks for the application: settings come from config/*.toml and
WMS_* variables. gunicorn's gevent worker monkey-patches before it imports
this module, so psycopg and the webhook thread become cooperative; do not
use ``--preload``, which would import the app (and psycopg) before patching.
"""

from wms.app import create_app

app = create_app()
