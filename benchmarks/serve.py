"""The app as benchmarks serve it: gunicorn -k gevent -w 1 'benchmarks.serve:make()'.

Settings come from WMS_* variables. Adds two routes for benchmarks only:
``GET /bench/select1`` (the bare baseline: one pooled connection,
``SELECT 1``) and ``POST /bench/push/<user_id>`` (one transaction storing a
push stamped with the time just before commit; emitted after commit) and
``GET /bench/sleep`` (a 2-second query, to see that it stalls nobody else).
"""

from __future__ import annotations

import time

from flask import Flask, jsonify
from sqlalchemy import text

from wms.app import create_app
from wms.db import reader
from wms.services import pushes
from wms.serving import settle_heap
from wms.web.context import transaction, wms


def make() -> Flask:
    app = create_app()

    # As the app reads (wms.db.reader): no BEGIN, and no ROLLBACK at the end, which would
    # make psycopg forget the statements it prepared on that pooled connection.
    reads = reader(wms(app).engine)

    def select1():  # type: ignore[no-untyped-def]
        with reads.connect() as conn:
            return jsonify({"one": conn.scalar(text("select 1"))})

    def push(user_id: int):  # type: ignore[no-untyped-def]
        with transaction() as s:
            stored = pushes.push(s, user_id=user_id, name="bench.pushed",
                                 data={"sent_at": time.time()})
            seq = stored.seq
        return jsonify({"seq": seq})

    def sleep():  # type: ignore[no-untyped-def]
        with wms(app).engine.connect() as conn:
            conn.execute(text("select pg_sleep(2)"))
        return jsonify({"slept": 2})

    app.add_url_rule("/bench/select1", "bench_select1", select1)
    app.add_url_rule("/bench/sleep", "bench_sleep", sleep)
    app.add_url_rule("/bench/push/<int:user_id>", "bench_push", push, methods=["POST"])
    settle_heap()  # as wms.wsgi does for production
    return app
