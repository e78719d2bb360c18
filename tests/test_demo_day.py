"""The live demo day: `wms demo`, a real server in threading mode, then `wms demo-day --pace 0`.

Everything the day does goes over HTTP; afterwards the database itself is
asked whether the purchase order was received and put away, the orders
shipped, the count approved, the webhooks delivered and the ledger true.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.request
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner
from sqlalchemy import Engine, select

from tests.terminal.conftest import LiveServer
from wms import cli
from wms.app import create_app
from wms.db import make_engine, make_session_factory
from wms.demo_day.receiver import WebhookReceiver
from wms.model import (
    DeliveryState,
    PurchaseOrder,
    PurchaseOrderStatus,
    SalesOrder,
    Task,
    TaskStatus,
    TaskType,
    Variance,
    VarianceStatus,
    WebhookDelivery,
)
from wms.queries.ledger_check import ledger_discrepancies
from wms.services import access
from wms.settings import ApiSettings, DeviceSettings, Settings


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Argon2's production cost makes each demo user take a second on a shared CPU."""
    monkeypatch.setattr(
        access, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


def wms(url: str, *args: str):
    result = CliRunner().invoke(cli.main, ["--database-url", url, *args])
    assert "Traceback" not in result.output, result.output
    return result


def play_the_day(url: str, engine: Engine, tmp_path: Path, caplog) -> str:
    built = wms(url, "demo", "--locations", "400", "--items", "60")
    assert built.exit_code == 0, built.output
    assert "held for review" in built.output

    settings = Settings(
        database_url=url,
        secret_key="test-secret",
        testing=True,
        log_level="INFO",
        devices=DeviceSettings(spool_dir=str(tmp_path / "spool"), start_workers=True),
        api=ApiSettings(start_webhook_worker=True),
    )
    app = create_app(settings, engine=engine)
    caplog.set_level(logging.INFO, logger="wms.access")
    server = LiveServer(app)
    try:
        day = wms(url, "demo-day", "--url", server.url, "--pace", "0")
    finally:
        server.stop()
        for worker in app.extensions["wms"].workers:
            getattr(worker, "stop", lambda: None)()
    assert day.exit_code == 0, day.output
    served = [r for r in caplog.records if r.name == "wms.access"]
    assert len(served) > 100  # the day really went through this server
    assert [r.__dict__.get("path") for r in served if r.__dict__.get("status", 0) >= 500] == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    return day.output


def the_books_close(engine: Engine, output: str) -> None:
    assert "The day is complete and the books balance." in output
    assert " 0 with a bad signature" in output
    with make_session_factory(engine)() as s:
        po = s.scalars(select(PurchaseOrder).where(PurchaseOrder.external_id.like("PO-DAY-%")))
        assert [p.status for p in po] == [PurchaseOrderStatus.received]
        putaways = s.scalars(select(Task).where(Task.type == TaskType.putaway)).all()
        assert len(putaways) == 2 and {t.status for t in putaways} == {TaskStatus.done}
        orders = s.scalars(select(SalesOrder).where(SalesOrder.external_id.like("SO-DAY-%")))
        assert [o.status.value for o in orders] == ["shipped", "shipped"]
        decided = s.scalars(
            select(Variance.status).where(Variance.status.not_in([VarianceStatus.superseded]))
        ).all()
        assert decided == [VarianceStatus.approved]
        replenished = s.scalars(
            select(Task.status).where(Task.type == TaskType.replenish, Task.done_qty > 0)
        ).all()
        assert replenished == [TaskStatus.done]
        busy = s.scalars(
            select(Task.id).where(Task.status.in_([TaskStatus.in_progress, TaskStatus.assigned]))
        ).all()
        assert busy == []
        deliveries = s.scalars(select(WebhookDelivery)).all()
        assert DeliveryState.failed not in {d.state for d in deliveries}
        delivered = [d for d in deliveries if d.state is DeliveryState.delivered]
        assert {d.last_status for d in delivered} == {204}
        assert {d.event.type for d in delivered} >= {
            "purchase_order.received",
            "sales_order.shipped",
            "count.approved",
            "stock.below_safety",
        }
        assert ledger_discrepancies(s) == []


def test_a_whole_day_on_sqlite(tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    engine = make_engine(url)
    try:
        output = play_the_day(url, engine, tmp_path, caplog)
        the_books_close(engine, output)
    finally:
        engine.dispose()


def test_a_whole_day_on_postgresql(pg, tmp_path, caplog):
    url = pg.url.render_as_string(hide_password=False)
    output = play_the_day(url, pg, tmp_path, caplog)
    the_books_close(pg, output)


def test_a_server_that_is_not_there_is_a_clear_message_not_a_traceback(tmp_path):
    result = wms(
        f"sqlite:///{tmp_path / 'none.sqlite3'}",
        "demo-day",
        "--url",
        "http://127.0.0.1:9",
        "--api-key",
        "wms_x",
        "--pace",
        "0",
    )

    assert result.exit_code == 1
    assert "cannot reach the server at http://127.0.0.1:9" in result.output


def test_without_a_demo_there_is_no_key_to_issue(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert wms(url, "db", "upgrade").exit_code == 0

    result = wms(url, "demo-day", "--pace", "0")

    assert result.exit_code == 1
    assert "no demo warehouse here: run `wms demo` first" in result.output


def test_the_erp_receiver_counts_a_forged_delivery_as_a_bad_signature():
    receiver = WebhookReceiver(secret="s3cret-for-the-demo-day").start()
    try:
        body = json.dumps({"id": "e1", "type": "count.approved", "data": {}}).encode()
        good = "sha256=" + hmac.new(receiver.secret.encode(), body, hashlib.sha256).hexdigest()
        forged = body.replace(b"e1", b"e2")
        for raw in (body, forged, body):  # the third is a repeated delivery of the first
            request = urllib.request.Request(
                receiver.url, data=raw, headers={"X-WMS-Signature": good}, method="POST"
            )
            with urllib.request.urlopen(request, timeout=5) as answer:
                assert answer.status == 204
    finally:
        receiver.stop()

    assert [(d.event_id, d.signature_ok) for d in receiver.deliveries] == [
        ("e1", True),
        ("e2", False),
    ]
