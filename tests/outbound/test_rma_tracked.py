"""Customer returns of lot- and serial-tracked items: only what shipped on the order comes back.

SO-1 shipped 3 × SKU-L (lot-tracked) and 2 × SKU-S (serial-tracked), picked,
packed and loaded through the services. The returns bench is RET-01.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from tests.flowterm import BACK, CONFIRM, Terminal
from tests.flowterm import screen as move_screen
from tests.outbound.shop import bin, configure, fetch, ledger_ok, order, staging
from tests.outbound.test_pack_ship import _client
from tests.taskfloor import LEASE, person
from wms.model import (
    Container,
    ContainerKind,
    Disposition,
    Item,
    Location,
    Lot,
    OrderStatus,
    OutboxEvent,
    PrinterAssignment,
    PrinterDriver,
    Quant,
    ReturnLine,
    Serial,
    StockMove,
    StockStatus,
    Task,
    Tracking,
    User,
    VirtualKind,
    WebhookSubscription,
    Workstation,
)
from wms.model import Printer as PrinterRow
from wms.services import (
    allocation,
    claims,
    ledger,
    orders,
    pack_check,
    picking,
    returns,
    shipping,
    waves,
)
from wms.services import tasks as task_service

FINISH = ("finish_return", "Finish return", "F5")


def screen(state, prompt, **kw):
    return {**move_screen(state, prompt, title="Customer return", **kw), "flow": "rma"}


def _serials(floor, sku: str, location: str, *serial_nos: str) -> None:
    """Receive one unit per serial number into ``location`` through the ledger."""
    item, loc = floor.item(sku), floor.location(location)
    supplier = floor.virtual(VirtualKind.supplier)
    with floor.factory() as s, s.begin():
        moves = []
        for serial_no in serial_nos:
            serial = Serial(item_id=item.id, serial_no=serial_no)
            s.add(serial)
            s.flush()
            moves.append(
                ledger.MoveRequest(
                    item_id=item.id,
                    qty=Decimal(1),
                    serial_id=serial.id,
                    from_location_id=supplier.id,
                    to_location_id=loc.id,
                    reason="receipt",
                )
            )
        ledger.post_moves(s, moves)


def _ship(floor) -> int:
    """SO-1 allocated (FIFO), picked into TOTE-1, packed in one package and loaded."""
    staging(floor)
    bin(floor, "A-01-05", 0, 5)
    bin(floor, "A-01-06", 0, 6)
    bin(floor, "A-01-07", 0, 7)
    bin(floor, "B-02-08", 1, 8)
    floor.item("SKU-L", tracking=Tracking.lot, weight_kg=Decimal("0.2"))
    floor.item("SKU-S", tracking=Tracking.serial, weight_kg=Decimal("1"))
    floor.stock("SKU-L", "A-01-05", 2, lot="L1")
    floor.stock("SKU-L", "A-01-06", 3, lot="L2")
    _serials(floor, "SKU-S", "B-02-08", "SN-1", "SN-2", "SN-3")
    floor.stock("SKU-L", "A-01-07", 4, lot="L3")  # in stock, never shipped on SO-1
    configure(floor, packing={"packaging_g": 100, "tolerance_g": 30})
    order(floor, "SO-1", ("SKU-L", 3), ("SKU-S", 2), carrier="SF")
    ann = person(floor, "ann")
    with floor.factory() as s, s.begin():
        s.add(Container(code="TOTE-1", kind=ContainerKind.tote, warehouse_id=floor.warehouse_id))
        s.add(
            WebhookSubscription(
                client_id=_client(s),
                url="http://erp.test/hook",
                events=["sales_order.returned"],
                secret="s" * 16,
            )
        )
        station = Workstation(code="PACK-1", name="Pack 1", warehouse_id=floor.warehouse_id)
        printer = PrinterRow(
            code="ZT-1", name="ZT-1", driver=PrinterDriver.fake, warehouse_id=floor.warehouse_id
        )
        s.add_all([station, printer])
        s.flush()
        s.add(PrinterAssignment(printer_id=printer.id, workstation_id=station.id))
        allocation.allocate_orders(s, [orders.get_order(s, "SO-1").id])
        waves.release_wave(s, warehouse_id=floor.warehouse_id)
        for claimed in claims.claim_next(
            s,
            user=s.merge(ann),
            warehouse_id=floor.warehouse_id,
            device_id="PDA-1",
            lease_seconds=LEASE,
        ):
            task = s.get(Task, claimed.id)
            task_service.start(
                s, task_id=task.id, user_id=ann.id, device_id="PDA-1", lease_seconds=LEASE
            )
            tote = picking.bind_tote(s, task, "TOTE-1")
            picking.confirm_pick(s, task=task, qty=task.qty, tote=tote, user_id=ann.id)
    with floor.factory() as s, s.begin():
        so = pack_check.order_for_scan(s, "TOTE-1")
        package = pack_check.open_package(s, so, station="PACK-1", user_id=ann.id)
        for line in so.lines:
            pack_check.add_item(s, package, item_id=line.item_id, qty=line.qty, user_id=ann.id)
        pack_check.close_package(s, package, weight_g=2700, user_id=ann.id)
        pack_check.finish_order(s, so)
        shipping.ship_package(s, package.code, dock_location_id=None, user_id=ann.id)
    assert fetch(floor, "SO-1").status is OrderStatus.shipped
    return ann.id


def _shipped_on_so1(floor) -> tuple[dict[str, Decimal], list[str]]:
    """What the ledger says left on SO-1: quantity per lot of SKU-L, serial numbers of SKU-S."""
    with floor.factory() as s:
        lots = dict(
            s.execute(
                select(Lot.lot_no, func.sum(StockMove.qty))
                .join(Lot, Lot.id == StockMove.lot_id)
                .where(StockMove.reason == "ship", StockMove.document_ref == "SO-1")
                .group_by(Lot.lot_no)
            ).all()
        )
        serials = s.scalars(
            select(Serial.serial_no)
            .join(StockMove, StockMove.serial_id == Serial.id)
            .where(StockMove.reason == "ship", StockMove.document_ref == "SO-1")
            .order_by(Serial.serial_no)
        ).all()
    return lots, list(serials)


@pytest.fixture
def returning(floor) -> Terminal:
    user_id = _ship(floor)
    floor.location("RET-01", zone="PK", pickable=False)
    with floor.factory() as s, s.begin():
        s.execute(update(WebhookSubscription).values(events=["sales_order.returned"]))
        user = s.get(User, user_id)
        s.expunge(user)
    term = Terminal(floor, user, device_id="PDA-3")
    term.start("rma")
    return term


def _quants(floor, code: str) -> list[tuple[str, str | None, str | None, Decimal, StockStatus]]:
    with floor.factory() as s:
        rows = s.execute(
            select(Item.sku, Lot.lot_no, Serial.serial_no, Quant.on_hand, Quant.status)
            .join(Item, Item.id == Quant.item_id)
            .join(Location, Location.id == Quant.location_id)
            .outerjoin(Lot, Lot.id == Quant.lot_id)
            .outerjoin(Serial, Serial.id == Quant.serial_id)
            .where(Location.code == code, Quant.on_hand != 0)
            .order_by(Quant.id)
        ).all()
        return [tuple(r) for r in rows]


def _moves(floor) -> int:
    with floor.factory() as s:
        return s.scalar(select(func.count()).select_from(StockMove))


def _serials_on_hand(floor) -> dict[str, Decimal]:
    """On hand per serial number in the warehouse: a serial is never more than one unit."""
    with floor.factory() as s:
        return dict(
            s.execute(
                select(Serial.serial_no, func.sum(Quant.on_hand))
                .join(Quant, Quant.serial_id == Serial.id)
                .join(Location, Location.id == Quant.location_id)
                .where(Location.virtual_kind.is_(None), Quant.on_hand != 0)
                .group_by(Serial.serial_no)
            ).all()
        )


def test_the_order_shipped_two_lots_and_two_serials(returning, floor):
    assert _shipped_on_so1(floor) == ({"L1": Decimal(2), "L2": Decimal(1)}, ["SN-1", "SN-2"])
    assert _serials_on_hand(floor) == {"SN-3": 1}
    assert ledger_ok(floor) == []


def test_a_lot_tracked_return_names_a_lot_that_shipped_on_the_order(returning, floor):
    term, fs = returning, returning.fs
    head = [("Order", "SO-1"), ("Return", "RMA-SO-1-1")]
    term.scan("SO-1")
    asked = term.scan("SKU-L")
    assert asked == screen(
        "scan_lot",
        "Scan or key the lot of SKU-L",
        seq=3,
        fs=fs,
        expect="lot",
        fields=[*head, ("Item", "SKU-L")],
        actions=[BACK],
    )
    moves = _moves(floor)

    for wrong in ("L3", "L9"):
        refused = term.scan(wrong)
        assert refused == {
            **asked,
            "message": {
                "code": "lot_not_shipped",
                "level": "error",
                "text": f"Lot {wrong} of SKU-L did not ship on SO-1",
            },
        }

    line = [*head, ("Item", "SKU-L"), ("Lot", "L1"), ("Quantity", "1/2")]
    assert term.scan("L1") == screen(
        "scan_quantity",
        "SKU-L: 1 of up to 2: scan each, or key the quantity",
        seq=4,
        fs=fs,
        expect="quantity",
        fields=line,
        actions=[BACK, CONFIRM],
    )
    assert term.scan("3")["message"]["text"] == "At most 2 SKU-L can come back"
    term.scan("2", "2")
    assert term.last["fields"][-1] == {"label": "Disposition", "value": "Quarantine"}
    assert _moves(floor) == moves  # nothing posted before the location
    received = term.scan("RET-01")
    assert received["message"]["text"] == "Received 2 SKU-L at RET-01"

    term.scan("SKU-L")
    used_up = term.scan("L1")
    assert (used_up["state"], used_up["message"]["text"]) == (
        "scan_lot",
        "At most 0 SKU-L L1 can come back",
    )
    assert [f["value"] for f in used_up["fields"]] == ["SO-1", "RMA-SO-1-1", "SKU-L"]
    l2 = term.scan("L2")
    assert l2["fields"][3:] == [
        {"label": "Lot", "value": "L2"},
        {"label": "Quantity", "value": "1/1"},
    ]
    term.scan("1", "1", "A-01-06")

    assert _quants(floor, "RET-01") == [("SKU-L", "L1", None, Decimal(2), StockStatus.quarantine)]
    assert _quants(floor, "A-01-06") == [("SKU-L", "L2", None, Decimal(3), StockStatus.available)]
    with floor.factory() as s:
        back = s.execute(
            select(Lot.lot_no, StockMove.qty, StockMove.to_status)
            .join(Lot, Lot.id == StockMove.lot_id)
            .where(StockMove.reason == "return")
            .order_by(StockMove.id)
        ).all()
        assert [tuple(r) for r in back] == [
            ("L1", Decimal(2), StockStatus.quarantine),
            ("L2", Decimal(1), StockStatus.available),
        ]
    assert ledger_ok(floor) == []


def test_a_serial_tracked_return_takes_only_serials_that_left_on_the_order(returning, floor):
    term, fs = returning, returning.fs
    head = [("Order", "SO-1"), ("Return", "RMA-SO-1-1")]
    term.scan("SO-1")
    asked = term.scan("SKU-S")
    assert asked == screen(
        "scan_serial",
        "SKU-S: scan each serial number (0 of up to 2), then confirm",
        seq=3,
        fs=fs,
        expect="serial",
        fields=[*head, ("Item", "SKU-S"), ("Quantity", "0/2")],
        actions=[BACK, CONFIRM],
    )
    moves = _moves(floor)
    nothing = term.press("confirm")
    assert nothing == {
        **asked,
        "message": {
            "code": "no_serial_scanned",
            "level": "error",
            "text": "Scan a serial number of SKU-S first",
        },
    }
    for wrong in ("SN-3", "SN-9"):
        assert term.scan(wrong) == {
            **asked,
            "message": {
                "code": "serial_not_shipped",
                "level": "error",
                "text": f"Serial {wrong} of SKU-S did not ship on SO-1",
            },
        }

    one = term.scan("SN-1")
    assert one == screen(
        "scan_serial",
        "SKU-S: scan each serial number (1 of up to 2), then confirm",
        seq=4,
        fs=fs,
        expect="serial",
        fields=[*head, ("Item", "SKU-S"), ("Quantity", "1/2"), ("Serials", "SN-1")],
        actions=[BACK, CONFIRM],
    )
    assert term.scan("SN-1")["message"]["text"] == "Serial SN-1 is already scanned for this line"
    assert term.press("confirm")["state"] == "disposition"
    assert term.press("back")["state"] == "scan_serial"
    term.press("confirm")
    term.scan("3")
    assert _moves(floor) == moves
    assert term.scan("RET-01")["message"]["text"] == "Received 1 SKU-S at RET-01"

    term.scan("SKU-S")
    again = term.scan("SN-1")
    assert (again["state"], again["message"]["text"]) == (
        "scan_serial",
        "Serial SN-1 of SKU-S already came back on RMA-SO-1-1",
    )
    term.scan("SN-2")
    term.press("confirm")
    term.scan("1", "B-02-08")
    assert term.press("finish_return")["state"] == "done"

    assert _serials_on_hand(floor) == {"SN-2": 1, "SN-3": 1}
    with floor.factory() as s:
        trail = s.execute(
            select(Serial.serial_no, StockMove.reason, StockMove.to_status)
            .join(Serial, Serial.id == StockMove.serial_id)
            .where(StockMove.document_ref == "RMA-SO-1-1")
            .order_by(StockMove.id)
        ).all()
        assert [tuple(r) for r in trail] == [
            ("SN-1", "return", StockStatus.damaged),
            ("SN-1", "scrap", StockStatus.damaged),
            ("SN-2", "return", StockStatus.available),
        ]
        assert [(r.serials, r.disposition) for r in s.scalars(select(ReturnLine))] == [
            (["SN-1"], Disposition.scrap),
            (["SN-2"], Disposition.restock),
        ]
    assert ledger_ok(floor) == []


def test_the_webhook_tells_the_erp_which_lots_and_serials_came_back(returning, floor):
    term = returning
    term.scan("SO-1", "SKU-L", "L2", "1", "2", "RET-01")
    term.scan("SKU-S", "SN-2")
    term.press("confirm")
    term.scan("1", "B-02-08", "SKU-L", "L1")
    term.press("confirm")
    term.scan("1", "A-01-05")
    term.press("finish_return")

    with floor.factory() as s:
        bodies = [json.loads(b) for b in s.scalars(select(OutboxEvent.body))]
    (body,) = [b for b in bodies if b["type"] == "sales_order.returned"]
    assert body["data"] == {
        "external_id": "SO-1",
        "rma_no": "RMA-SO-1-1",
        "lines": [
            {"line_no": 1, "qty": "1", "disposition": "quarantine", "lot": "L2"},
            {"line_no": 2, "qty": "1", "disposition": "restock", "serials": ["SN-2"]},
            {"line_no": 1, "qty": "1", "disposition": "restock", "lot": "L1"},
        ],
    }
    assert ledger_ok(floor) == []


def test_the_service_refuses_a_tracked_line_without_its_lot_or_serials(returning, floor):
    moves = _moves(floor)
    ret = floor.location("RET-01").id
    lot_item, serial_item = floor.item("SKU-L").id, floor.item("SKU-S").id
    with floor.factory() as s, s.begin():
        rma = returns.open_return(s, "SO-1", warehouse_id=floor.warehouse_id)
        refusals = [
            (returns.ReturnLotRequired, dict(item_id=lot_item, qty=Decimal(1))),
            (returns.ReturnExceedsShipped, dict(item_id=lot_item, qty=Decimal(2), lot_no="L2")),
            (
                returns.ReturnSerialsRequired,
                dict(item_id=serial_item, qty=Decimal(2), serials=["SN-1"]),
            ),
            (
                returns.SerialScannedTwice,
                dict(item_id=serial_item, qty=Decimal(2), serials=["SN-1", "SN-1"]),
            ),
            (returns.SerialNotShipped, dict(item_id=serial_item, qty=Decimal(1), serials=["SN-3"])),
        ]
        for error, kw in refusals:
            with pytest.raises(error):
                returns.receive_line(
                    s, rma, disposition=Disposition.restock, location_id=ret, user_id=None, **kw
                )
    assert _moves(floor) == moves
    with floor.factory() as s:
        assert s.scalars(select(ReturnLine)).all() == []
    assert ledger_ok(floor) == []
