"""A routed cluster trip picked on the scanner: every state, every refusal, short and skip."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.flowterm import Terminal
from tests.outbound.shop import bin, fetch, ledger_ok, order, staging
from tests.taskfloor import LEASE, person
from wms import events
from wms.model import (
    Location,
    OrderStatus,
    PickTrip,
    Quant,
    SalesOrderLine,
    Task,
    TaskStatus,
    TaskType,
    TripTote,
)
from wms.services import allocation, claims, orders, waves


def _trip(floor, *, spare: bool = True):
    """Two orders, three lines over two aisles; released as one cluster trip, claimed by ann.

    SKU-2 is allocated at B-02-08 (1 there); ``spare`` puts 5 more at B-02-09.
    """
    staging(floor)
    bin(floor, "A-01-05", 0, 5)
    bin(floor, "B-02-08", 1, 8, zone="B")
    bin(floor, "B-02-09", 1, 9, zone="B")
    floor.item("SKU-1", barcodes=[("690000000001", "each")])
    floor.item("SKU-2", barcodes=[("690000000002", "each")])
    floor.stock("SKU-1", "A-01-05", 10)
    floor.stock("SKU-2", "B-02-08", 1)
    if spare:
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
        got = claims.claim_next(
            s,
            user=s.merge(ann),
            warehouse_id=floor.warehouse_id,
            device_id="PDA-1",
            lease_seconds=LEASE,
        )
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
        stops = [
            (t.document_ref, t.route_seq)
            for t in s.scalars(
                select(Task).where(Task.group_id == trip.group_id).order_by(Task.route_seq)
            )
        ]
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
        return list(
            s.scalars(
                select(Location.code)
                .join(Task, Task.from_location_id == Location.id)
                .where(Task.type == TaskType.pick)
                .order_by(Task.route_seq)
            )
        )


def test_wrong_location_item_and_quantity_are_refused_with_the_expected_value(floor):
    term = _trip(floor)
    while term.last["fields"][2]["value"] != "0/2":
        term.press("skip")
    here = term.last["fields"][0]["value"]

    wrong_loc = term.scan("B-02-09" + _check(floor, "B-02-09"))
    assert (wrong_loc["state"], wrong_loc["message"]["text"]) == (
        "scan_location",
        f"Scan {here}, not B-02-09" + _check(floor, "B-02-09"),
    )
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
    last = term.scan(
        next(f["value"] for f in term.last["fields"] if f["label"] == "Tote")
        if any(f["label"] == "Tote" for f in term.last["fields"])
        else "TOTE-3"
    )

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
        newest = s.scalars(
            select(Task).where(Task.type == TaskType.pick).order_by(Task.id.desc())
        ).first()
        assert newest.status is TaskStatus.in_progress or newest.status is TaskStatus.assigned
        assert newest.from_location_id != short_loc
    assert shown["progress"].endswith("/4")
    assert ledger_ok(floor) == []


def test_a_second_picker_cannot_take_the_same_trip(floor):
    _trip(floor)
    bob = person(floor, "bob")

    with floor.factory() as s, s.begin():
        got = claims.claim_next(
            s,
            user=s.merge(bob),
            warehouse_id=floor.warehouse_id,
            device_id="PDA-2",
            lease_seconds=LEASE,
        )

    assert got == []


def _to_line(term, sku: str) -> dict:
    while term.last["fields"][1]["value"] != sku:
        term.press("skip")
    return term.last


def _supervisor_hears(floor) -> list:
    """Events the console's supervisors get after each commit, in order."""
    heard: list = []
    events.install(floor.factory, [heard.extend])
    return heard


@pytest.mark.parametrize(("key", "reason"), [("1", "empty"), ("2", "damaged"), ("3", "not_found")])
def test_each_short_reason_counts_the_location_reallocates_and_tells_the_supervisor(
    floor, key, reason
):
    term = _trip(floor)
    line = _to_line(term, "SKU-2")
    assert line["fields"][0]["value"] == "B-02-08"
    heard = _supervisor_hears(floor)
    b0208, b0209 = floor.location("B-02-08").id, floor.location("B-02-09").id

    asked = term.press("short")
    assert (asked["state"], asked["prompt"], asked["expect"]) == (
        "short_reason",
        "Why short? 1 empty, 2 damaged, 3 not found",
        "reason",
    )
    shown = term.scan(key)

    assert shown["message"] == {
        "code": "pick.shorted",
        "level": "warning",
        "text": "SKU-2 at B-02-08 reported short; a count is asked",
    }
    assert shown["progress"].endswith("/4")
    with floor.factory() as s:
        shorted = s.scalars(
            select(Task).where(Task.type == TaskType.pick, Task.exception_reason.is_not(None))
        ).one()
        assert shorted.exception_reason == f"short:{reason}"
        count = s.scalars(select(Task).where(Task.type == TaskType.count)).one()
        assert (count.status, count.from_location_id, count.document_ref) == (
            TaskStatus.released,
            b0208,
            "SO-1",
        )
        assert reason in count.note
        last = s.scalars(
            select(Task).where(Task.group_id == shorted.group_id).order_by(Task.route_seq.desc())
        ).first()
        assert last.from_location_id == b0209
        assert (last.status, last.assignee_id) == (TaskStatus.assigned, term.user.id)
        reserved = dict(
            s.execute(
                select(Location.code, Quant.reserved)
                .join(Location, Location.id == Quant.location_id)
                .where(Location.code.in_(["B-02-08", "B-02-09"]))
            ).all()
        )
        assert reserved == {"B-02-08": 0, "B-02-09": 1}
    (told,) = [e for e in heard if e.name == "pick.short"]
    assert told.payload == {
        "task_id": shorted.id,
        "order": "SO-1",
        "reason": reason,
        "missing": "1",
        "reallocated": True,
    }
    assert told.rooms == (f"warehouse:{floor.warehouse_id}",)
    assert ledger_ok(floor) == []


def test_a_short_with_no_stock_elsewhere_drops_the_rest_and_says_so(floor):
    term = _trip(floor, spare=False)
    _to_line(term, "SKU-2")
    heard = _supervisor_hears(floor)

    term.press("short")
    shown = term.scan("1")

    assert shown["progress"].endswith("/3")
    (told,) = [e for e in heard if e.name == "pick.short"]
    assert (told.payload["reallocated"], told.payload["missing"]) == (False, "1")
    with floor.factory() as s:
        assert (
            s.scalar(select(func.count()).select_from(Task).where(Task.type == TaskType.count)) == 1
        )
        line = s.scalars(select(SalesOrderLine).where(SalesOrderLine.line_no == 2)).one()
        assert (line.qty, line.dropped_qty) == (1, 1)
    while not term.last["done"]:
        _pick_line(term, floor)
        tote = next((f["value"] for f in term.last["fields"] if f["label"] == "Tote"), None)
        term.scan(tote or ("TOTE-1" if not _bound(floor, "TOTE-1") else "TOTE-2"))
    assert term.last["prompt"] == "Trip picked: 3 lines"
    assert fetch(floor, "SO-1").status is OrderStatus.picked
    assert ledger_ok(floor) == []


def _bound(floor, tote: str) -> bool:
    from wms.model import Container

    with floor.factory() as s:
        return (
            s.scalar(
                select(func.count())
                .select_from(TripTote)
                .join(Container, Container.id == TripTote.container_id)
                .where(Container.code == tote)
            )
            > 0
        )


def test_skip_moves_the_line_to_the_end_of_the_trip(floor):
    term = _trip(floor)
    first = term.last
    skipped_at, skipped_sku = first["fields"][0]["value"], first["fields"][1]["value"]
    with floor.factory() as s:
        first_task = (
            s.scalars(select(Task).where(Task.type == TaskType.pick).order_by(Task.route_seq))
            .first()
            .id
        )

    shown = term.press("skip")

    assert shown["message"]["text"] == f"{skipped_sku} moved to the end of the trip"
    assert shown["state"] == "scan_location" and shown["progress"] == "1/3"
    with floor.factory() as s:
        order_now = s.scalars(
            select(Task.id).where(Task.type == TaskType.pick).order_by(Task.route_seq)
        ).all()
    assert order_now[-1] == first_task and len(order_now) == 3
    seen = []
    while not term.last["done"]:
        seen.append(term.last["fields"][0]["value"])
        _pick_line(term, floor)
        tote = next((f["value"] for f in term.last["fields"] if f["label"] == "Tote"), None)
        term.scan(tote or ("TOTE-1" if not _bound(floor, "TOTE-1") else "TOTE-2"))
    assert len(seen) == 3 and seen[-1] == skipped_at
    assert _route_codes(floor)[-1] == skipped_at
    assert ledger_ok(floor) == []
