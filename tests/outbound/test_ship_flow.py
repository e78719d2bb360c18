"""The ship flow on the scanner: dock, packages, confirm; every screen whole and every refusal."""

from __future__ import annotations

import json

from sqlalchemy import select

from tests.flowterm import BACK, Terminal
from tests.flowterm import screen as move_screen
from tests.outbound.shop import fetch, ledger_ok
from tests.outbound.test_pack_check_flow import _term as _pack_term
from wms.model import LocationType, OrderStatus, OutboxEvent, Quant, Shipment

SHIP = ("ship", "Ship", "F5")


def screen(state, prompt, **kw):
    return {**move_screen(state, prompt, title="Ship", **kw), "flow": "ship"}


def _packed(floor) -> Terminal:
    """SO-1 packed into one closed package SO-1-P1 at PACK-1; DOCK-1 is a dock door."""
    packer = _pack_term(floor)
    packer.scan("TOTE-1", "SKU-1", "SKU-1", "1100")
    assert packer.last["state"] == "done"
    floor.location("DOCK-1", zone="PK", type=LocationType.dock, pickable=False)
    term = Terminal(floor, packer.user, device_id="PDA-2")
    term.start("ship")
    return term


def test_dock_then_package_then_ship(floor):
    term = _packed(floor)
    assert term.last == screen("scan_dock", "Scan the dock door", seq=1, fs=term.fs,
                               expect="location")
    dock = floor.location("DOCK-1")
    shown = term.scan("DOCK-1" + dock.check_digits)
    assert shown == screen("scan_package", "Scan packages to load (0 loaded)", seq=2,
                           fs=term.fs, expect="container",
                           fields=[("Dock", "DOCK-1"), ("Loaded", "0")], actions=[BACK, SHIP])
    shown = term.scan("SO-1-P1")
    fields = [("Dock", "DOCK-1"), ("Loaded", "1"), ("Package", "SO-1-P1"), ("Order", "SO-1")]
    assert shown == screen("scan_package", "Scan packages to load (1 loaded)", seq=3,
                           fs=term.fs, expect="container", fields=fields, actions=[BACK, SHIP])
    assert fetch(floor, "SO-1").status is OrderStatus.packed  # nothing moves before confirm

    done = term.press("ship")
    assert done == screen("done", "1 packages shipped from DOCK-1", seq=4, fs=term.fs,
                          fields=fields, done=True,
                          message=("ship.shipped", "success", "1 packages shipped"))
    assert fetch(floor, "SO-1").status is OrderStatus.shipped
    with floor.factory() as s:
        assert s.scalars(select(Shipment.dock_location_id)).one() == dock.id
        assert json.loads(s.scalars(select(OutboxEvent.body)).one())["type"] == (
            "sales_order.shipped")
        assert s.scalar(select(Quant.on_hand).where(Quant.container_id.is_not(None))) == 0
    assert ledger_ok(floor) == []


def test_refusals_change_nothing(floor):
    term = _packed(floor)
    not_dock = term.scan("PACK-01")
    assert (not_dock["state"], not_dock["message"]["text"]) == (
        "scan_dock", "Scan a dock door, not PACK-01")
    term.scan("DOCK-1")
    assert term.press("ship")["message"]["text"] == "Scan at least one package first"
    assert term.scan("BOX-9")["message"]["text"] == "Unknown package BOX-9"
    term.scan("SO-1-P1")
    again = term.scan("SO-1-P1")
    assert (again["seq"], again["message"]["text"]) == (3, "Package SO-1-P1 is already loaded")
    back = term.press("back")
    assert back["state"] == "scan_dock"
    term.scan("DOCK-1")
    assert term.last["fields"] == [{"label": "Dock", "value": "DOCK-1"},
                                   {"label": "Loaded", "value": "0"}]
    assert fetch(floor, "SO-1").status is OrderStatus.packed
    assert ledger_ok(floor) == []


def test_a_package_of_an_order_not_yet_packed_is_refused(floor):
    packer = _pack_term(floor)
    packer.scan("TOTE-1", "SKU-1")
    packer.press("close")
    packer.scan("600")  # SO-1-P1 closed, the order still has a unit to pack
    floor.location("DOCK-1", zone="PK", type=LocationType.dock, pickable=False)
    term = Terminal(floor, packer.user, device_id="PDA-2")
    term.start("ship")
    term.scan("DOCK-1")
    refused = term.scan("SO-1-P1")
    assert refused["message"]["text"] == "Package SO-1-P1 is closed"
