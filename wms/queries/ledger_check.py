"""Proof that the quants are the ledger: Σ moves = on hand, reserved within bounds."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from wms.model import Location, Quant, Reservation, StockMove, Warehouse, qty_str, quant_key


@dataclass(frozen=True)
class Discrepancy:
    quant_key: str
    problem: str
    expected: str
    actual: str

    def __str__(self) -> str:
        return f"{self.quant_key}: {self.problem} (expected {self.expected}, found {self.actual})"


def ledger_discrepancies(session: Session) -> list[Discrepancy]:
    """Every way the stock tables disagree with the ledger or the invariants."""
    net = _ledger_net(session)
    problems: list[Discrepancy] = []
    reserved = dict(
        session.execute(
            select(Reservation.quant_id, func.sum(Reservation.qty)).group_by(Reservation.quant_id)
        ).all()
    )
    negative_ok = dict(session.execute(select(Warehouse.id, Warehouse.allow_negative_stock)).all())
    seen: set[str] = set()
    for q in session.scalars(select(Quant).order_by(Quant.id)):
        seen.add(q.key)
        expected = net.get(q.key, Decimal(0))
        if q.on_hand != expected:
            problems.append(
                Discrepancy(
                    q.key, "on hand differs from the ledger", qty_str(expected), qty_str(q.on_hand)
                )
            )
        if q.reserved > 0 and q.reserved > q.on_hand:
            problems.append(
                Discrepancy(
                    q.key,
                    "reserved exceeds on hand",
                    f"<= {qty_str(q.on_hand)}",
                    qty_str(q.reserved),
                )
            )
        if q.on_hand < 0 and not negative_ok.get(q.warehouse_id, False):
            problems.append(Discrepancy(q.key, "negative stock", ">= 0", qty_str(q.on_hand)))
        booked = reserved.get(q.id) or Decimal(0)
        if q.reserved != booked:
            problems.append(
                Discrepancy(
                    q.key,
                    "reserved differs from reservations",
                    qty_str(booked),
                    qty_str(q.reserved),
                )
            )
    for key, value in net.items():
        if key not in seen and value != 0:
            problems.append(Discrepancy(key, "ledger has stock but no quant", qty_str(value), "0"))
    return problems


def _side_totals(side: str) -> Select:
    """Σ qty per physical quant key on one side ("to" or "from") of every move."""
    place = aliased(Location)
    location = getattr(StockMove, f"{side}_location_id")
    key = (
        StockMove.item_id,
        location,
        StockMove.lot_id,
        StockMove.serial_id,
        getattr(StockMove, f"{side}_container_id"),
        getattr(StockMove, f"{side}_status"),
    )
    return (
        select(*key, func.sum(StockMove.qty))
        .join(place, place.id == location)
        .where(place.virtual_kind.is_(None))
        .group_by(*key)
    )


def _ledger_net(session: Session) -> dict[str, Decimal]:
    net: dict[str, Decimal] = defaultdict(Decimal)
    incoming, outgoing = _side_totals("to"), _side_totals("from")
    for sign, stmt in ((1, incoming), (-1, outgoing)):
        for item, loc, lot, serial, cont, status, total in session.execute(stmt):
            net[quant_key(item, loc, lot, serial, cont, status)] += sign * total
    return dict(net)
