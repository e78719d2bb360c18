"""A routed cluster trip picked on the scanner: every state, every refusal, short and skip."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from tests.flowterm import Terminal
from tests.outbound.shop import bin, fetch, ledger_ok, order, staging
from tests.taskfloor import LEASE, person
from wms.model import OrderStatus, PickTrip, Quant, Task, TaskStatus, TaskType, TripTote
from wms.services import allocation, claims, orders, waves


def _trip(floor):
    """Two orders, three lines over two aisles; released as one cluster trip, claimed by ann."""
    staging(floor)
    bin(floor, "A-01-05", 0, 5)
    bin(floor, "B-02-08", 1, 8, zone="B")
    bin(floor, "B-02-09", 1, 9, zone="B")
    floor.item("SKU-1", barcodes=[("690000000001", "each")])
    floor.item("SKU-2", barcodes=[("690000000002", "each")])
    floor.stock("SKU-1", "A-01-05", 10)
    floor.stock("SKU-2", "B-02-08", 1)
    floor.stock("SKU-2", "B-02-09", 5)
    order(floor, "SO-1", ("SKU-1", 2), ("SKU-2", 1))
    order(floor, "SO-2", ("SKU-1", 1))
    with floor.factory() as s, s.begin():
        ids = [orders.get_order(s, e).id for e in ("SO-1", "SO-2")]
        allocation.allocate_orders(s, ids)
        wave = waves.release_wave(s, warehouse_id=floor.warehouse_id)
        assert wave is not None
    for n in range(1, 4):
        tote(floor, f"TOTE-{n}")
    ann = person(floor, "ann")
    with floor.factory() as s, s.begin():
        got = claims.claim_next(s, user=s.merge(ann), warehouse_id=floor.warehouse_id,
                                device_id="PDA-1", lease_seconds=LEASE)
        lead = got[0].id
    term = Terminal(floor, ann)
    term.start("pick", task_id=lead)
    return term


def tote(floor, code: str) -> None:
    from wms.model import Container, ContainerKind

    with floor.factory() as s, s.begin():
        s.add(Container(code=code, kind=ContainerKind.tote, warehouse_id=floor.warehouse_id))


def _check(floor, code: str) -> str:
    return floor.location(code).check_digits


def test_the_trip_is_routed_and_starts_at_the_first_stop(floor):
    term = _trip(floor)

    with floor.factory() as s:
        trip = s.scalars(select(PickTrip)).one()
        stops = [(t.document_ref, t.route_seq) for t in s.scalars(
            select(Task).where(Task.group_id == trip.group_id).order_by(Task.route_seq))]
    assert trip.orders == ["SO-1", "SO-2"] and trip.lines == 3
    assert [ref for ref, _ in stops].count("SO-1") == 2
    screen = term.last
    assert screen["state"] == "scan_location" and screen["progress"] == "1/3"
    first_stop = screen["fields"][0]["value"]
    assert screen["prompt"] == f"Go to {first_stop} and scan it"
    # Both orders take SKU-1 at A-01-05: the route visits it once, back to back.
    codes = _route_codes(floor)
    assert sorted(codes) == ["A-01-05", "A-01-05", "B-02-08"]
    assert codes[1] == "A-01-05"
    assert [a["action"] for a in screen["actions"]] == ["short", "skip"]
    assert fetch(floor, "SO-1").status is OrderStatus.picking


def _route_codes(floor) -> list[str]:
    from wms.model import Location

    with floor.factory() as s:
        return list(s.scalars(select(Location.code).join(Task, Task.from_location_id == Location.id)
                              .where(Task.type == TaskType.pick).order_by(Task.route_seq)))


def test_wrong_location_item_and_quantity_are_refused_with_the_expected_value(floor):
    term = _trip(floor)
    while term.last["fields"][2]["value"] != "0/2":
        term.press("skip")
    here = term.last["fields"][0]["value"]

    wrong_loc = term.scan("B-02-09" + _check(floor, "B-02-09"))
    assert (wrong_loc["state"], wrong_loc["message"]["text"]) == (
        "scan_location", f"Scan {here}, not B-02-09" + _check(floor, "B-02-09"))
    term.scan(_check(floor, here))
    wrong_item = term.scan("690000000002")
    assert wrong_item["message"]["text"] == "Scan SKU-1, not SKU-2"
    assert wrong_item["state"] == "scan_item"
    term.scan("690000000001")
    too_many = term.scan("9")
    assert too_many["message"]["text"] == "Take at most 2, not 9"
    assert too_many["state"] == "scan_quantity"
    not_tote = term.scan("690000000001", "A-01-05")
    assert not_tote["state"] == "scan_tote"
    assert not_tote["message"]["code"] == "expected_tote"
    assert ledger_ok(floor) == []


def _pick_line(term, floor):
    """Scan whatever the screen asks for the current line (qty by scans)."""
    d = term.last
    loc = d["fields"][0]["value"]
    term.scan(loc + _check(floor, loc))
    sku = d["fields"][1]["value"]
    qty = Decimal(d["fields"][2]["value"].split("/")[1])
    barcode = {"SKU-1": "690000000001", "SKU-2": "690000000002"}[sku]
    for _ in range(int(qty)):
        term.scan(barcode)
    return term.last


def test_cluster_trip_never_mixes_orders_in_a_tote(floor):
    term = _trip(floor)

    shown = _pick_line(term, floor)
    assert shown["state"] == "scan_tote" and shown["prompt"].startswith("Scan an empty tote")
    order_of_first = next(f["value"] for f in shown["fields"] if f["label"] == "Order")
    term.scan("TOTE-1")
    second = _pick_line(term, floor)
    other = next(f["value"] for f in second["fields"] if f["label"] == "Order")
    if other != order_of_first:
        refused = term.scan("TOTE-1")
        assert refused["message"]["code"] == "tote_has_other_order"
        term.scan("TOTE-2")
    else:
        wrong = term.scan("TOTE-2")
        assert wrong["message"]["text"] == "This order is in tote TOTE-1, not TOTE-2"
        term.scan("TOTE-1")
    _pick_line(term, floor)
    last = term.scan(next(f["value"] for f in term.last["fields"] if f["label"] == "Tote")
                     if any(f["label"] == "Tote" for f in term.last["fields"]) else "TOTE-3")

    assert last["state"] == "done" and last["prompt"] == "Trip picked: 3 lines"
    assert fetch(floor, "SO-1").status is OrderStatus.picked
    assert fetch(floor, "SO-2").status is OrderStatus.picked
    with floor.factory() as s:
        totes = {(t.order_id, t.container_id) for t in s.scalars(select(TripTote))}
        assert len({c for _, c in totes}) == len(totes) == 2
        assert s.scalar(select(Quant.reserved).where(Quant.item_id == 1)) == 0
    assert ledger_ok(floor) == []


def test_short_pick_counts_the_location_and_reallocates_at_the_end(floor):
    term = _trip(floor)
    while term.last["fields"][1]["value"] != "SKU-2":
        term.press("skip")
    loc = term.last["fields"][0]["value"]

    term.press("short")
    shown = term.scan("1")

    assert shown["message"]["code"] == "pick.shorted"
    short_loc = floor.location(loc).id
    with floor.factory() as s:
        count = s.scalars(select(Task).where(Task.type == TaskType.count)).one()
        assert count.from_location_id == short_loc
        assert count.status is TaskStatus.released
        newest = s.scalars(select(Task).where(Task.type == TaskType.pick)
                           .order_by(Task.id.desc())).first()
        assert newest.status is TaskStatus.in_progress or newest.status is TaskStatus.assigned
        assert newest.from_location_id != short_loc
    assert shown["progress"].endswith("/4")
    assert ledger_ok(floor) == []


def test_a_second_picker_cannot_take_the_same_trip(floor):
    _trip(floor)
    bob = person(floor, "bob")

    with floor.factory() as s, s.begin():
        got = claims.claim_next(s, user=s.merge(bob), warehouse_id=floor.warehouse_id,
                                device_id="PDA-2", lease_seconds=LEASE)

    assert got == []
