"""Order review and waves at the console: list with reasons, approve, hold, priority, release."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from tests.console.conftest import flash_text
from tests.outbound.shop import bin, configure, customer, fetch, order, staging
from wms.model import OrderStatus, PickTrip, Wave
from wms.services import allocation, orders


def _held(floor) -> None:
    configure(floor, review={"credit_hold": True, "address_required": True})
    customer(floor, "BAD", credit_hold=True)
    floor.item("SKU-1")
    order(floor, "SO-H", ("SKU-1", 1), cust="BAD", ship_to={})
    order(floor, "SO-OK", ("SKU-1", 1))


def test_held_orders_are_listed_with_their_reasons(supervisor, floor):
    _held(floor)
    zh = supervisor.page("/console/orders")
    assert "客户信用冻结" in zh and "订单审核" in zh
    html = supervisor.page("/console/orders?lang=en")
    row = html.split('id="order-SO-H"')[1].split("</tr>")[0]
    assert "Customer on credit hold, Address missing" in row and "on hold" in row
    assert 'id="order-SO-OK"' in html


def test_approve_hold_and_priority(supervisor, floor):
    _held(floor)
    held, ok = fetch(floor, "SO-H"), fetch(floor, "SO-OK")

    response = supervisor.post(f"/console/orders/{held.id}/approve?lang=en")
    assert response.status_code == 302
    assert fetch(floor, "SO-H").status is OrderStatus.reviewed
    supervisor.post(f"/console/orders/{ok.id}/hold", {"reason": "customer called"})
    assert fetch(floor, "SO-OK").hold_reasons == ["customer called"]
    assert fetch(floor, "SO-OK").status is OrderStatus.on_hold
    supervisor.post(f"/console/orders/{ok.id}/priority", {"priority": "2"})
    assert fetch(floor, "SO-OK").priority == 2

    bad = supervisor.post(f"/console/orders/{ok.id}/priority?lang=en", {"priority": "12"},
                          follow_redirects=True)
    assert "priority must be 1 to 9" in " ".join(flash_text(bad.text))
    assert fetch(floor, "SO-OK").priority == 2
    empty = supervisor.post(f"/console/orders/{ok.id}/hold?lang=en", {"reason": ""},
                            follow_redirects=True)
    assert "required" in " ".join(flash_text(empty.text))


def test_the_csrf_token_and_the_role_are_required(supervisor, desk, floor):
    _held(floor)
    held = fetch(floor, "SO-H")
    assert supervisor.post(f"/console/orders/{held.id}/approve", csrf=False).status_code == 403
    assert fetch(floor, "SO-H").status is OrderStatus.on_hold
    assert desk.get("/console/waves").status_code == 302  # to the sign-in page


def test_release_a_wave_by_carrier_and_list_its_trips(supervisor, floor):
    staging(floor)
    bin(floor, "A-01-05", 0, 5)
    floor.item("SKU-1", weight_kg=Decimal("0.5"))
    floor.stock("SKU-1", "A-01-05", 10)
    order(floor, "SO-1", ("SKU-1", 2), carrier="SF")
    order(floor, "SO-2", ("SKU-1", 1), carrier="YTO")
    with floor.factory() as s, s.begin():
        allocation.allocate_orders(s, [orders.get_order(s, e).id for e in ("SO-1", "SO-2")])

    bad = supervisor.post("/console/waves/release?lang=en", {"cutoff": "soon", "mode": "x"})
    assert bad.status_code == 422
    assert "not a date and time" in bad.text and "unknown picking mode" in bad.text

    response = supervisor.post("/console/waves/release?lang=en",
                               {"carrier": "SF", "mode": "cluster"}, follow_redirects=True)
    assert any(t.startswith("Wave ") and t.endswith(" released.")
               for t in flash_text(response.text))
    assert fetch(floor, "SO-1").status is OrderStatus.picking
    assert fetch(floor, "SO-2").status is OrderStatus.allocated
    with floor.factory() as s:
        wave = s.scalars(select(Wave)).one()
        trip = s.scalars(select(PickTrip)).one()
    assert trip.orders == ["SO-1"] and trip.lines == 1
    html = supervisor.page("/console/waves?lang=en")
    assert f'id="wave-{wave.reference}"' in html and "<td>SO-1</td>" in html

    none = supervisor.post("/console/waves/release?lang=en", {"carrier": "DHL"},
                           follow_redirects=True)
    assert "No allocated order matches: nothing was released." in flash_text(none.text)
