"""Transfers by scan: a whole container (LPN) moved, and warehouse to warehouse via in-transit."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.factories import Floor
from tests.flowterm import Terminal
from tests.inventory.helpers import ledger_ok
from tests.taskfloor import person
from wms.model import (
    Container,
    TransferDiscrepancy,
    TransferOrder,
    TransferStatus,
    VirtualKind,
)
from wms.services import ledger, transfers


def receive_into(floor, container_id, sku, qty):
    """Receive onto a pallet (the factory's container lookup would nest a write on SQLite)."""
    supplier, loc = floor.virtual(VirtualKind.supplier), floor.location("R-01-01-1")
    item_id = floor.item(sku).id
    with floor.factory() as s, s.begin():
        ledger.post_moves(s, [ledger.MoveRequest(
            item_id=item_id, qty=Decimal(qty), from_location_id=supplier.id,
            to_location_id=loc.id, to_container_id=container_id, reason="receipt")])


def test_a_container_moves_whole_by_scanning_its_lpn(floor):
    floor.item("SKU-1", name="Widget")
    floor.item("SKU-2", name="Gadget")
    box = floor.container("LPN-0001", "R-01-01-1")
    receive_into(floor, box.id, "SKU-1", 24)
    receive_into(floor, box.id, "SKU-2", 6)
    floor.location("R-02-01-1")
    pda = Terminal(floor, person(floor, "ann"))
    pda.start("move")

    pda.scan("R-01-01-1", "LPN-0001")
    done = pda.scan("R-02-01-1")

    assert done["message"]["text"] == "Moved container LPN-0001 to R-02-01-1"
    assert floor.on_hand("SKU-1", "R-02-01-1") == Decimal(24)
    assert floor.on_hand("SKU-2", "R-02-01-1") == Decimal(6)
    assert floor.on_hand("SKU-1", "R-01-01-1") == Decimal(0)
    there = floor.location("R-02-01-1").id
    with floor.factory() as s:
        box = s.scalars(select(Container).where(Container.code == "LPN-0001")).one()
        assert box.location_id == there
    assert ledger_ok(floor)


@pytest.fixture
def two_sites(floor):
    """WH1 ships 10 Widgets from A-01-01-1 to WH2, which receives into B-01-01-1."""
    floor.item("SKU-1", name="Widget", barcodes=[("6901234567892", "each")])
    floor.stock("SKU-1", "A-01-01-1", 30)
    other = Floor(floor.factory, "WH2")
    other.location("B-01-01-1")
    lines = [transfers.LineSpec(floor.item("SKU-1").id, Decimal(10))]
    with floor.factory() as s, s.begin():
        transfers.create(s, external_id="TO-1", from_warehouse_id=floor.warehouse_id,
                         to_warehouse_id=other.warehouse_id, lines=lines)
    return floor, other


def order(floor):
    with floor.factory() as s:
        found = s.scalars(select(TransferOrder)).one()
        _ = list(found.lines)
        return found


def ship_ten(sender, user):
    pda = Terminal(sender, user)
    pda.start("transfer")
    pda.scan("TO-1", "A-01-01-1", "6901234567892")
    booked = pda.scan("10")
    return pda, booked, pda.press("dispatch")


def test_shipping_puts_stock_in_transit_and_receiving_books_it(two_sites):
    sender, receiver = two_sites
    ann = person(sender, "ann")

    _, booked, dispatched = ship_ten(sender, ann)
    in_transit = order(sender)
    pda = Terminal(receiver, ann, device_id="PDA-2")
    pda.start("transfer")
    pda.scan("TO-1", "6901234567892", "10", "B-01-01-1")
    closed = pda.press("close")

    assert booked["message"]["text"] == "10 SKU-1 booked at A-01-01-1"
    assert dispatched["message"]["text"] == "TO-1 is in transit"
    assert (in_transit.status, in_transit.lines[0].in_transit) == (TransferStatus.in_transit,
                                                                   Decimal(10))
    assert closed["message"]["text"] == "TO-1 received in full"
    assert sender.on_hand("SKU-1", "A-01-01-1") == Decimal(20)
    assert receiver.on_hand("SKU-1", "B-01-01-1") == Decimal(10)
    assert order(sender).status is TransferStatus.received
    assert ledger_ok(sender)


def test_receiving_less_than_shipped_is_recorded_as_a_discrepancy(two_sites):
    sender, receiver = two_sites
    ann = person(sender, "ann")
    ship_ten(sender, ann)
    pda = Terminal(receiver, ann, device_id="PDA-2")
    pda.start("transfer")

    pda.scan("TO-1", "6901234567892", "8", "B-01-01-1")
    closed = pda.press("close")

    assert closed["message"] == {"code": "transfer_discrepancy", "level": "warning",
                                 "text": "TO-1 received with 1 discrepancy line(s)"}
    found = order(sender)
    assert found.status is TransferStatus.discrepancy
    assert found.lines[0].in_transit == Decimal(2)
    with sender.factory() as s:
        (gap,) = s.scalars(select(TransferDiscrepancy)).all()
        assert (gap.shipped_qty, gap.received_qty, gap.diff_qty, gap.status) == (
            Decimal(10), Decimal(8), Decimal(-2), "open")
    assert receiver.on_hand("SKU-1", "B-01-01-1") == Decimal(8)
    assert ledger_ok(sender)


def test_shipping_more_than_ordered_is_refused_and_nothing_moves(two_sites):
    sender, _ = two_sites
    pda = Terminal(sender, person(sender, "ann"))
    pda.start("transfer")
    pda.scan("TO-1", "A-01-01-1", "6901234567892")

    refused = pda.scan("11")

    assert refused["state"] == "scan_quantity"
    assert refused["message"]["code"] == "over_shipment"
    assert sender.on_hand("SKU-1", "A-01-01-1") == Decimal(30)


def test_the_receiving_warehouse_cannot_ship_and_an_open_order_cannot_be_received(two_sites):
    sender, receiver = two_sites
    pda = Terminal(receiver, person(sender, "ann"))
    pda.start("transfer")

    refused = pda.scan("TO-1")

    assert refused["message"]["code"] == "transfer_not_ready"
