"""Two receivers on one order at once never receive a line twice (PostgreSQL row locks)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy.orm import sessionmaker

from tests.factories import Floor
from tests.inbound.dock import TODAY, Dock
from wms.db import make_session_factory
from wms.services import receiving
from wms.services.inbound_rules import OverTolerance

pytestmark = pytest.mark.postgres


def test_two_receivers_on_one_line_take_no_more_than_it_allows(pg) -> None:
    factory: sessionmaker = make_session_factory(pg)
    dock = Dock(Floor(factory))
    order = dock.order("PO-1", [("SKU-A", 10)])
    receipts = [dock.start(order), dock.start(order)]
    item_id = dock.floor.item("SKU-A").id
    gate, outcomes = threading.Barrier(2), []

    def receive(receipt_id: int) -> None:
        arrival = receiving.Arrival(item_id=item_id, qty=Decimal(6), uom="each")
        gate.wait()
        try:
            with factory() as s, s.begin():
                receiving.receive(s, receipt_id=receipt_id, arrival=arrival, today=TODAY)
            outcomes.append("ok")
        except OverTolerance:
            outcomes.append("over")

    threads = [threading.Thread(target=receive, args=(r.id,)) for r in receipts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert sorted(outcomes) == ["ok", "over"]
    assert dock.received("PO-1") == {1: "6"}
    assert dock.floor.on_hand("SKU-A", "DOCK-01") == Decimal(6)
    dock.ledger_ok()
