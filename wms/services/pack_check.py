"""Pack check (复核): scan what was picked into packages, weigh each, print its label.

Every scanned unit is compared with what was picked and ordered; a unit not
on the order or beyond what was picked is refused. A package closes only
when the scale's stable weight is within tolerance of the expected weight
(items + packaging, warehouse ``settings["packing"]``: ``packaging_g``,
``tolerance_g``); then its shipping label is queued on the station's
printer. The order closes only when nothing ordered is missing.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wms.errors import Conflict, NotFound, WmsError
from wms.model import (
    Container,
    ContainerKind,
    Item,
    OrderStatus,
    Package,
    Partner,
    Quant,
    SalesOrder,
    SalesOrderLine,
    TripTote,
    Warehouse,
    Wave,
    qty_str,
)
from wms.services import ledger, outbound_events, printing
from wms.services.shipping import carrier_adapter


class ItemNotInOrder(WmsError):
    code = "item_not_in_order"
    http_status = 422


class MoreThanPicked(WmsError):
    code = "more_than_picked"
    http_status = 422


class PackIncomplete(Conflict):
    code = "pack_incomplete"


class WeightOutOfTolerance(WmsError):
    code = "weight_out_of_tolerance"
    http_status = 422


class EmptyPackage(WmsError):
    code = "empty_package"
    http_status = 422


class NothingToPack(NotFound):
    code = "nothing_to_pack"


def order_for_scan(session: Session, raw: str) -> SalesOrder:
    """The picked order behind a tote code or an order number."""
    order = session.scalar(
        select(SalesOrder)
        .join(TripTote, TripTote.order_id == SalesOrder.id)
        .join(Container, Container.id == TripTote.container_id)
        .where(Container.code == raw, SalesOrder.status == OrderStatus.picked)
    )
    order = order or session.scalar(
        select(SalesOrder).where(
            SalesOrder.external_id == raw, SalesOrder.status == OrderStatus.picked
        )
    )
    if order is None:
        raise NothingToPack(scanned=raw)
    return order


def open_package(
    session: Session, order: SalesOrder, *, station: str | None, user_id: int | None
) -> Package:
    n = (
        session.scalar(
            select(func.count()).select_from(Package).where(Package.order_id == order.id)
        )
        or 0
    )
    code = f"{order.external_id}-P{n + 1}"
    box = Container(
        code=code,
        kind=ContainerKind.carton,
        warehouse_id=order.warehouse_id,
        location_id=_staging_id(session, order),
    )
    session.add(box)
    session.flush()
    package = Package(
        code=code,
        order_id=order.id,
        container_id=box.id,
        station=station,
        packed_by=user_id,
        carrier=order.carrier,
        contents={},
    )
    session.add(package)
    session.flush()
    return package


def _staging_id(session: Session, order: SalesOrder) -> int:
    wave = session.get(Wave, order.wave_id) if order.wave_id else None
    assert wave is not None, "a picked order came through a wave"
    return wave.staging_location_id


def add_item(
    session: Session,
    package: Package,
    *,
    item_id: int,
    qty: Decimal,
    user_id: int | None,
    request_id: str | None = None,
) -> SalesOrderLine:
    """Move ``qty`` of the item from the order's tote into the package, if it was picked."""
    order = session.get(SalesOrder, package.order_id)
    assert order is not None
    line = next(
        (ln for ln in order.lines if ln.item_id == item_id and ln.packed_qty < ln.picked_qty), None
    )
    item = session.get(Item, item_id)
    sku = item.sku if item else str(item_id)
    if line is None:
        if any(ln.item_id == item_id for ln in order.lines):
            picked = sum((ln.picked_qty for ln in order.lines if ln.item_id == item_id), Decimal(0))
            raise MoreThanPicked(sku=sku, picked=qty_str(picked))
        raise ItemNotInOrder(sku=sku)
    if line.packed_qty + qty > line.picked_qty:
        raise MoreThanPicked(sku=sku, picked=qty_str(line.picked_qty))
    ledger.post_moves(
        session,
        _from_totes(session, order, package, item_id, qty),
        operator_id=user_id,
        request_id=request_id,
    )
    line.packed_qty = line.packed_qty + qty
    key = str(line.id)
    package.contents = {
        **package.contents,
        key: qty_str(Decimal(package.contents.get(key, "0")) + qty),
    }
    return line


def _from_totes(
    session: Session, order: SalesOrder, package: Package, item_id: int, qty: Decimal
) -> list[ledger.MoveRequest]:
    totes = select(TripTote.container_id).where(TripTote.order_id == order.id)
    moves, left = [], qty
    for quant in session.scalars(
        select(Quant)
        .where(Quant.container_id.in_(totes), Quant.item_id == item_id, Quant.on_hand > 0)
        .order_by(Quant.id)
    ):
        take = min(left, quant.on_hand)
        moves.append(
            ledger.MoveRequest(
                item_id=item_id,
                qty=take,
                from_location_id=quant.location_id,
                to_location_id=quant.location_id,
                reason="pack",
                lot_id=quant.lot_id,
                serial_id=quant.serial_id,
                from_container_id=quant.container_id,
                to_container_id=package.container_id,
                document_type="sales_order",
                document_ref=order.external_id,
            )
        )
        left -= take
        if left == 0:
            break
    if left > 0:
        raise MoreThanPicked(sku=str(item_id), picked=qty_str(qty - left))
    return moves


def expected_weight_g(session: Session, package: Package) -> int:
    order = session.get(SalesOrder, package.order_id)
    assert order is not None
    settings = _packing(session, order)
    grams = Decimal(settings.get("packaging_g", 200))
    lines = {str(ln.id): ln for ln in order.lines}
    for line_id, qty in package.contents.items():
        item = session.get(Item, lines[line_id].item_id)
        grams += (item.weight_kg or Decimal(0)) * 1000 * Decimal(qty) if item else 0
    return int(grams)


def _packing(session: Session, order: SalesOrder) -> dict:
    warehouse = session.get(Warehouse, order.warehouse_id)
    return dict((warehouse.settings or {}).get("packing", {})) if warehouse else {}


def close_package(
    session: Session,
    package: Package,
    *,
    weight_g: int,
    user_id: int | None,
    workstation: str | None = None,
) -> Package:
    """Check the weight, book the carrier, queue the label; the package is closed."""
    if not package.contents:
        raise EmptyPackage(package=package.code)
    order = session.get(SalesOrder, package.order_id)
    assert order is not None
    expected = expected_weight_g(session, package)
    tolerance = int(_packing(session, order).get("tolerance_g", 50))
    if abs(weight_g - expected) > tolerance:
        raise WeightOutOfTolerance(weight=weight_g, expected=expected, tolerance=tolerance)
    package.weight_g, package.expected_weight_g = weight_g, expected
    package.carrier = package.carrier or order.carrier or "FAKE"
    package.tracking_no = carrier_adapter(package.carrier).book(order, package)
    job = printing.queue_print_job(
        session,
        kind="shipping",
        data=label_data(session, order, package),
        workstation_code=workstation or package.station,
        warehouse_id=order.warehouse_id,
        business_key=f"package:{package.code}",
        requested_by_id=user_id,
    )
    package.label_job_id, package.status = job.id, "closed"
    session.flush()
    return package


def label_data(session: Session, order: SalesOrder, package: Package) -> dict:
    warehouse = session.get(Warehouse, order.warehouse_id)
    customer = session.get(Partner, order.customer_id)
    ship_to = {"name": customer.name if customer else "", **(order.ship_to or {})}
    return {
        "ship_from": {"name": warehouse.name if warehouse else ""},
        "ship_to": ship_to,
        "carrier": package.carrier,
        "order_ref": order.external_id,
        "tracking_no": package.tracking_no,
        "weight": f"{package.weight_g} g",
    }


def finish_order(session: Session, order: SalesOrder) -> SalesOrder:
    """Close the pack check: refused while anything ordered is missing or a package is open."""
    missing = [
        f"{ln.line_no}: {qty_str(ln.qty - ln.dropped_qty - ln.packed_qty)}"
        for ln in order.lines
        if ln.packed_qty < ln.qty - ln.dropped_qty
    ]
    open_packages = session.scalars(
        select(Package.code).where(Package.order_id == order.id, Package.status == "open")
    ).all()
    if missing or open_packages:
        raise PackIncomplete(missing=", ".join(missing + list(open_packages)))
    outbound_events.set_status(session, order, OrderStatus.packed)
    return order
