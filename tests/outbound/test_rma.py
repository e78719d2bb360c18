"""Customer returns by scan: order, item, quantity, disposition, location; ledger and webhook."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import select, update

from tests.flowterm import BACK, CONFIRM, Terminal
from tests.flowterm import screen as move_screen
from tests.outbound.shop import ledger_ok
from tests.outbound.test_ship_flow import _packed
from wms.model import (
    Location,
    OutboxEvent,
    Quant,
    ReturnLine,
    StockMove,
    StockStatus,
    VirtualKind,
    WebhookSubscription,
)

FINISH = ("finish_return", "Finish return", "F5")


def screen(state, prompt, **kw):
    return {**move_screen(state, prompt, title="Customer return", **kw), "flow": "rma"}


def _returning(floor) -> Terminal:
    """SO-1 (2 × SKU-1) shipped; RET-01 is the returns bench; the ERP listens for returns."""
    shipper = _packed(floor)
    shipper.scan("DOCK-1")
    shipper.scan("SO-1-P1")
    shipper.press("ship")
    floor.location("RET-01", zone="PK", pickable=False)
    with floor.factory() as s, s.begin():
        s.execute(update(WebhookSubscription).values(events=["sales_order.returned"]))
    term = Terminal(floor, shipper.user, device_id="PDA-3")
    term.start("rma")
    return term


def _stock(floor, code: str) -> list[tuple[Decimal, StockStatus]]:
    with floor.factory() as s:
        return [(q.on_hand, q.status) for q in s.scalars(
            select(Quant).join(Location, Location.id == Quant.location_id)
            .where(Location.code == code, Quant.on_hand != 0))]


def test_every_screen_of_a_restocked_return(floor):
    term = _returning(floor)
    fs = term.fs
    assert term.last == screen("scan_order", "Scan or key the order number of the return",
                               seq=1, fs=fs, expect="container")
    head = [("Order", "SO-1"), ("Return", "RMA-SO-1-1")]
    assert term.scan("SO-1") == screen("scan_item", "Scan a returned item of SO-1", seq=2, fs=fs,
                                       expect="item", fields=head, actions=[FINISH])
    line = [*head, ("Item", "SKU-1"), ("Quantity", "1/2")]
    assert term.scan("SKU-1") == screen(
        "scan_quantity", "SKU-1: 1 of up to 2: scan each, or key the quantity", seq=3, fs=fs,
        expect="quantity", fields=line, actions=[BACK, CONFIRM])
    assert term.press("confirm") == screen(
        "disposition", "1 SKU-1: 1 restock, 2 quarantine, 3 scrap", seq=4, fs=fs,
        expect="reason", fields=line, actions=[BACK])
    assert term.scan("1") == screen(
        "scan_location", "Put 1 SKU-1 away and scan the location", seq=5, fs=fs,
        expect="location", fields=[*line, ("Disposition", "Restock")], actions=[BACK])
    assert term.scan("A-01-05") == screen(
        "scan_item", "Scan a returned item of SO-1", seq=6, fs=fs, expect="item", fields=head,
        actions=[FINISH], message=("rma.received", "success", "Received 1 SKU-1 at A-01-05"))
    assert term.press("finish_return") == screen(
        "done", "Return RMA-SO-1-1 received: 1 lines", seq=7, fs=fs, fields=head, done=True)

    assert _stock(floor, "A-01-05") == [(Decimal(4), StockStatus.available)]
    with floor.factory() as s:
        bodies = [json.loads(b) for b in s.scalars(select(OutboxEvent.body))]
    (body,) = [b for b in bodies if b["type"] == "sales_order.returned"]
    assert body["data"] == {"external_id": "SO-1", "rma_no": "RMA-SO-1-1",
                            "lines": [{"line_no": 1, "qty": "1", "disposition": "restock"}]}
    assert ledger_ok(floor) == []


def test_quarantine_and_scrap_and_never_more_than_shipped(floor):
    term = _returning(floor)
    term.scan("SO-1", "SKU-1", "1", "2", "RET-01")
    assert _stock(floor, "RET-01") == [(Decimal(1), StockStatus.quarantine)]
    term.scan("SKU-1")
    assert term.last["fields"][3] == {"label": "Quantity", "value": "1/1"}
    assert term.scan("SKU-1")["message"]["text"] == "At most 1 SKU-1 can come back"
    term.scan("1", "3", "RET-01")
    assert _stock(floor, "RET-01") == [(Decimal(1), StockStatus.quarantine)]
    with floor.factory() as s:
        loss = s.scalars(select(Location.id).where(
            Location.virtual_kind == VirtualKind.inventory_loss)).one()
        scrapped = s.scalars(select(StockMove.qty).where(StockMove.to_location_id == loss,
                                                         StockMove.reason == "scrap")).all()
        assert scrapped == [Decimal(1)]
        assert [r.disposition.value for r in s.scalars(select(ReturnLine))] == [
            "quarantine", "scrap"]
    refused = term.scan("SKU-1")
    assert refused["message"]["text"] == "At most 0 SKU-1 can come back"
    assert term.press("finish_return")["state"] == "done"
    assert ledger_ok(floor) == []


def test_refusals_change_nothing(floor):
    term = _returning(floor)
    floor.item("SKU-9")
    assert term.scan("SO-404")["message"]["text"] == (
        "Order SO-404 has not shipped: nothing can come back")
    term.scan("SO-1")
    assert term.press("finish_return")["message"]["text"] == "Receive at least one item first"
    assert term.scan("SKU-9")["message"]["text"] == "SKU-9 did not ship on SO-1"
    assert term.scan("DOCK-1")["message"]["text"] == "Scan an item of the order, not DOCK-1"
    term.scan("SKU-1")
    assert term.scan("3")["message"]["text"] == "At most 2 SKU-1 can come back"
    term.scan("2")
    assert term.scan("7")["message"]["text"] == (
        "Key 1 restock, 2 quarantine or 3 scrap, not 7")
    term.scan("1")
    assert term.scan("SKU-1")["message"]["code"] == "expected_location"
    assert term.press("back")["state"] == "disposition"
    assert term.last["fields"][-1] == {"label": "Quantity", "value": "2/2"}
    with floor.factory() as s:
        assert s.scalars(select(ReturnLine)).all() == []
    assert ledger_ok(floor) == []
