"""Posting stock moves: the one place quantities change.

``post_moves`` applies a set of moves atomically: it locks every quant it
touches in a stable order (by id, ``FOR UPDATE`` on PostgreSQL; SQLite runs
each transaction as ``BEGIN IMMEDIATE``), applies every delta through the
entity guards, collects every shortage and raises once, then appends the
ledger lines. Virtual locations (supplier, customer, production,
inventory_loss, in_transit) hold no quants: they are the outside world.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached, object_session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from wms.errors import (
    AlreadyReversed,
    FieldError,
    InsufficientStock,
    InvalidQuantity,
    LocationBlocked,
    NegativeStockNotAllowed,
    NotFound,
    ReservationExceeded,
    ValidationFailed,
)
from wms.model import (
    Item,
    Location,
    Quant,
    Reservation,
    StockMove,
    StockStatus,
    Warehouse,
    exact,
    qty_str,
    quant_key,
    utcnow,
)
from wms.services import pgraw

#: Reasons that may take stock out of a blocked location (corrections).
_BLOCKED_EXIT_REASONS = {"count_adjust", "adjustment", "reversal", "status_change"}


@dataclass(frozen=True)
class MoveRequest:
    """One line to post. ``qty`` is in the item's base unit."""

    item_id: int
    qty: Decimal
    from_location_id: int
    to_location_id: int
    reason: str
    lot_id: int | None = None
    serial_id: int | None = None
    from_container_id: int | None = None
    #: ``None`` keeps the stock in the same container it came from.
    to_container_id: int | None = None
    keep_container: bool = True
    from_status: StockStatus = StockStatus.available
    to_status: StockStatus | None = None
    #: Consume this reservation (on the source quant) by the moved quantity.
    reservation_id: int | None = None
    note: str | None = None
    document_type: str | None = None
    document_ref: str | None = None
    task_id: int | None = None
    unit_cost: Decimal | None = None
    entered_qty: Decimal | None = None
    entered_uom: str | None = None
    reverses_move_id: int | None = None

    @property
    def target_container_id(self) -> int | None:
        if self.to_container_id is not None or not self.keep_container:
            return self.to_container_id
        return self.from_container_id

    @property
    def target_status(self) -> StockStatus:
        return self.to_status or self.from_status


@dataclass(frozen=True)
class Line:
    """A ledger line as written: the columns of ``StockMove``, without an entity."""

    id: int
    txid: int | None
    created_at: datetime
    warehouse_id: int
    item_id: int
    qty: Decimal
    entered_qty: Decimal | None
    entered_uom: str | None
    from_location_id: int
    to_location_id: int
    lot_id: int | None
    serial_id: int | None
    from_container_id: int | None
    to_container_id: int | None
    from_status: StockStatus
    to_status: StockStatus
    reason: str
    note: str | None
    document_type: str | None
    document_ref: str | None
    task_id: int | None
    unit_cost: Decimal | None
    reverses_move_id: int | None
    operator_id: int | None
    api_client_id: int | None
    device_id: str | None
    request_id: str | None


@dataclass(frozen=True)
class Place:
    """What posting needs of a location: read as plain columns, not as a full entity.

    A caller that has read these already in the same transaction passes them to
    ``post_moves`` (``places``), which then does not read them again.
    """

    id: int
    warehouse_id: int
    code: str
    virtual_kind: str | None
    blocked: bool
    allow_negative_stock: bool

    @property
    def is_virtual(self) -> bool:
        return self.virtual_kind is not None


@dataclass
class _Context:
    locations: dict[int, Place]
    #: Item ids known to exist, or None when some may not (then asked per id).
    known_items: set[int] | None = None
    quants: dict[str, Quant] = field(default_factory=dict)
    #: The locked quants the session already held (refreshed); the others are transient.
    attached: list[Quant] = field(default_factory=list)

    def allows_negative(self, warehouse_id: int) -> bool:
        return any(
            p.allow_negative_stock
            for p in self.locations.values()
            if p.warehouse_id == warehouse_id
        )


def post_moves(
    session: Session,
    moves: Sequence[MoveRequest],
    *,
    operator_id: int | None = None,
    api_client_id: int | None = None,
    device_id: str | None = None,
    request_id: str | None = None,
    places: Mapping[int, Place] | None = None,
) -> list[StockMove]:
    """Apply ``moves`` all or nothing and return the ledger lines written.

    ``places``: every location of ``moves`` by id, as read in this transaction by a
    caller that has also read every item of ``moves`` (so they exist).
    """
    lines = post_lines(
        session,
        moves,
        operator_id=operator_id,
        api_client_id=api_client_id,
        device_id=device_id,
        request_id=request_id,
        places=places,
    )
    entities = []
    for line in lines:
        entity = StockMove(**line.__dict__)
        make_transient_to_detached(entity)  # loaded state, no pending INSERT
        session.add(entity)
        entities.append(entity)
    return entities


def post_lines(
    session: Session,
    moves: Sequence[MoveRequest],
    *,
    operator_id: int | None = None,
    api_client_id: int | None = None,
    device_id: str | None = None,
    request_id: str | None = None,
    places: Mapping[int, Place] | None = None,
) -> list[Line]:
    """``post_moves`` returning the lines as plain values instead of session entities."""
    if not moves:
        raise ValidationFailed([FieldError("moves", "at least one move is required")])
    if places is not None:
        ctx = _Context(locations=dict(places), known_items={m.item_id for m in moves})
    else:
        ctx = _load_context(session, moves)
    _check_moves(session, moves, ctx)
    _lock_quants(session, moves, ctx)
    reservations = _apply(session, moves, ctx)
    who = {
        "operator_id": operator_id,
        "api_client_id": api_client_id,
        "device_id": device_id,
        "request_id": request_id,
    }
    raw = pgraw.cursor(session)
    if raw is not None and not reservations:
        return _pg_write(session, raw, moves, ctx, who)
    _write_quants(session, ctx)
    if reservations:
        session.flush()  # consumed reservations: same point of failure as before
    return _append_lines(session, moves, ctx, who)


#: Fixed-shape writes as Core statements: a unit-of-work flush of two quants and one
#: line cost several times the database's own work on the hot path. Bind types come
#: from the columns, so SQLite still stores quantities as scaled integers.
_QUANT_TABLE = Quant.__table__
_QUANT_UPDATE = (
    update(_QUANT_TABLE)
    .where(_QUANT_TABLE.c.id == bindparam("q_id", type_=_QUANT_TABLE.c.id.type))
    .values(
        on_hand=bindparam("q_on_hand", type_=_QUANT_TABLE.c.on_hand.type),
        reserved=bindparam("q_reserved", type_=_QUANT_TABLE.c.reserved.type),
        in_date=bindparam("q_in_date", type_=_QUANT_TABLE.c.in_date.type),
        updated_at=bindparam("q_updated_at", type_=_QUANT_TABLE.c.updated_at.type),
    )
)
_MOVE_TABLE = StockMove.__table__
_MOVE_INSERT = insert(_MOVE_TABLE).returning(
    _MOVE_TABLE.c.id, _MOVE_TABLE.c.txid, sort_by_parameter_order=True
)
_QUANT_COLUMNS = tuple(attr.key for attr in Quant.__mapper__.column_attrs)


def _write_quants(session: Session, ctx: _Context) -> None:
    """Write the guarded quantities in one statement and mark the entities clean."""
    if not ctx.quants:
        return
    now = utcnow()
    params = [
        {
            "q_id": q.id,
            "q_on_hand": q.on_hand,
            "q_reserved": q.reserved,
            "q_in_date": q.in_date,
            "q_updated_at": now,
        }
        for q in ctx.quants.values()
    ]
    for q in ctx.attached:
        _mark_loaded(session, q, updated_at=now)
    # After the entities are clean, so autoflush has nothing to write through the
    # unit of work. A failed UPDATE rolls the whole session back anyway.
    session.connection().execute(_QUANT_UPDATE, params)


#: PostgreSQL's hot path (see ``wms.services.pgraw``): the quant UPDATE (one row per quant,
#: from arrays) and the lines' INSERT as one data-modifying statement, one round trip.
_PG_QUANT_UPDATE = (
    "UPDATE quant SET on_hand = v.on_hand, reserved = v.reserved, in_date = v.in_date,"
    " updated_at = %(q_updated_at)s"
    " FROM unnest(%(q_ids)s::integer[], %(q_on_hand)s::numeric[], %(q_reserved)s::numeric[],"
    " %(q_in_date)s::timestamptz[]) AS v(id, on_hand, reserved, in_date)"
    " WHERE quant.id = v.id"
)
_LINE_COLUMNS = (
    "created_at",
    "warehouse_id",
    "item_id",
    "qty",
    "entered_qty",
    "entered_uom",
    "from_location_id",
    "to_location_id",
    "lot_id",
    "serial_id",
    "from_container_id",
    "to_container_id",
    "from_status",
    "to_status",
    "reason",
    "note",
    "document_type",
    "document_ref",
    "task_id",
    "unit_cost",
    "reverses_move_id",
    "operator_id",
    "api_client_id",
    "device_id",
    "request_id",
)
_PG_LINE_INSERT = "INSERT INTO stock_move ({}) VALUES {} RETURNING id, txid"
_pg_line_sql: dict[tuple[bool, int], str] = {}


def _pg_write_sql(with_quants: bool, lines: int) -> str:
    """The statement for ``lines`` lines, with or without the quant UPDATE; built once each."""
    sql = _pg_line_sql.get((with_quants, lines))
    if sql is None:
        row = "({})".format(", ".join(f"%({{i}}_{c})s" for c in _LINE_COLUMNS))
        values = ", ".join(row.format(i=i) for i in range(lines))
        sql = _PG_LINE_INSERT.format(", ".join(_LINE_COLUMNS), values)
        if with_quants:
            sql = f"WITH q AS ({_PG_QUANT_UPDATE}) {sql}"
        _pg_line_sql[(with_quants, lines)] = sql
    return sql


def _pg_write(
    session: Session, raw: Any, moves: Sequence[MoveRequest], ctx: _Context, who: dict
) -> list[Line]:
    """``_write_quants`` and ``_append_lines`` in one statement on PostgreSQL.

    The quants are locked already, so writing them in the same statement as the
    lines changes no lock order; the statement fails or succeeds as a whole.
    """
    now = utcnow()
    params: dict[str, Any] = {}
    quants = list(ctx.quants.values())
    if quants:
        params["q_ids"] = [q.id for q in quants]
        params["q_on_hand"] = [q.on_hand for q in quants]
        params["q_reserved"] = [q.reserved for q in quants]
        params["q_in_date"] = [q.in_date for q in quants]
        params["q_updated_at"] = now
        for q in ctx.attached:
            _mark_loaded(session, q, updated_at=now)
    rows = [_line_row(m, ctx, now, who) for m in moves]
    for i, row in enumerate(rows):
        for column in _LINE_COLUMNS:
            params[f"{i}_{column}"] = row[column]
        params[f"{i}_from_status"] = row["from_status"].value
        params[f"{i}_to_status"] = row["to_status"].value
    written = pgraw.execute(raw, _pg_write_sql(bool(quants), len(rows)), params).fetchall()
    # Ids come from the sequence in the order of the VALUES rows: sorted, they pair up.
    written.sort()
    return [
        Line(**values, id=line_id, txid=txid)
        for values, (line_id, txid) in zip(rows, written, strict=True)
    ]


def _mark_loaded(session: Session, quant: Quant, **changes: object) -> None:
    """Give ``quant`` its current values as loaded state, as if read back after a flush.

    Expiring clears the unit of work's "modified" mark (committing single attributes
    does not), then every column gets its value back as committed state.
    """
    values = {key: getattr(quant, key) for key in _QUANT_COLUMNS} | changes
    session.expire(quant)
    for key, value in values.items():
        set_committed_value(quant, key, value)


def _append_lines(
    session: Session, moves: Sequence[MoveRequest], ctx: _Context, who: dict
) -> list[Line]:
    """Insert the ledger lines; one statement, ids and transaction ids returned."""
    now = utcnow()
    rows = [_line_row(m, ctx, now, who) for m in moves]
    written = session.connection().execute(_MOVE_INSERT, rows).all()
    return [
        Line(**values, id=line_id, txid=txid)
        for values, (line_id, txid) in zip(rows, written, strict=True)
    ]


def _line_row(m: MoveRequest, ctx: _Context, now: datetime, who: dict) -> dict:
    return {
        "created_at": now,
        "warehouse_id": ctx.locations[m.from_location_id].warehouse_id,
        "item_id": m.item_id,
        "qty": m.qty,
        "entered_qty": m.entered_qty,
        "entered_uom": m.entered_uom,
        "from_location_id": m.from_location_id,
        "to_location_id": m.to_location_id,
        "lot_id": m.lot_id,
        "serial_id": m.serial_id,
        "from_container_id": m.from_container_id,
        "to_container_id": m.target_container_id,
        "from_status": m.from_status,
        "to_status": m.target_status,
        "reason": m.reason,
        "note": m.note,
        "document_type": m.document_type,
        "document_ref": m.document_ref,
        "task_id": m.task_id,
        "unit_cost": m.unit_cost,
        "reverses_move_id": m.reverses_move_id,
        **who,
    }


#: Built once: composing IN clauses and their cache keys on every post is measurable.
#: Counting the known items rides along with the location read: one round trip where
#: the usual case (every item exists) needs no second query.
_L, _W, _I = (Location.__table__.c, Warehouse.__table__.c, Item.__table__.c)
#: A ``Place``'s columns, in its order, from location joined to its warehouse.
PLACE_COLUMNS = (
    _L.id,
    _L.warehouse_id,
    _L.code,
    _L.virtual_kind,
    _L.blocked,
    _W.allow_negative_stock,
)
_PLACES = (
    select(
        *PLACE_COLUMNS,
        select(func.count(_I.id))
        .where(_I.id.in_(bindparam("item_ids", expanding=True)))
        .scalar_subquery(),
    )
    .join_from(Location.__table__, Warehouse.__table__, _W.id == _L.warehouse_id)
    .where(_L.id.in_(bindparam("location_ids", expanding=True)))
)
_LOCK = (
    select(_QUANT_TABLE)
    .where(_QUANT_TABLE.c.key.in_(bindparam("keys", expanding=True)))
    .order_by(_QUANT_TABLE.c.id)
    .with_for_update()
)


def _load_context(session: Session, moves: Sequence[MoveRequest]) -> _Context:
    ids = {m.from_location_id for m in moves} | {m.to_location_id for m in moves}
    item_ids = {m.item_id for m in moves}
    session.flush()  # as autoflush would: locations and items added in this session count
    rows = (
        session.connection()
        .execute(_PLACES, {"location_ids": list(ids), "item_ids": list(item_ids)})
        .all()
    )
    locations = {row[0]: Place(*row[:6]) for row in rows}
    missing = ids - locations.keys()
    if missing:
        raise NotFound(f"unknown location id(s): {sorted(missing)}")
    all_known = rows[0][6] == len(item_ids)
    return _Context(locations=locations, known_items=item_ids if all_known else None)


def _known_items(session: Session, item_ids: set[int]) -> set[int]:
    """Which items exist (only asked when the count read with the locations fell short)."""
    return set(session.scalars(select(Item.id).where(Item.id.in_(item_ids))))


def _check_moves(session: Session, moves: Sequence[MoveRequest], ctx: _Context) -> None:
    errors: list[FieldError] = []
    known_items = ctx.known_items
    if known_items is None:
        known_items = _known_items(session, {m.item_id for m in moves})
    for i, m in enumerate(moves):
        src, dst = ctx.locations[m.from_location_id], ctx.locations[m.to_location_id]
        try:
            qty = exact(m.qty)
        except InvalidQuantity as exc:
            errors.append(FieldError(f"moves[{i}].qty", exc.detail))
            continue
        if qty <= 0:
            errors.append(FieldError(f"moves[{i}].qty", "quantity must be greater than zero"))
        if m.item_id not in known_items:
            errors.append(FieldError(f"moves[{i}].item", f"unknown item id {m.item_id}"))
        if src.warehouse_id != dst.warehouse_id:
            errors.append(FieldError(f"moves[{i}]", "from and to are in different warehouses"))
        same_place = (
            src.id == dst.id
            and m.from_container_id == m.target_container_id
            and m.from_status == m.target_status
        )
        if same_place:
            errors.append(FieldError(f"moves[{i}]", "from and to are the same place"))
        if src.is_virtual and dst.is_virtual:
            errors.append(FieldError(f"moves[{i}]", "a move needs one physical location"))
    if errors:
        raise ValidationFailed(errors)
    for m in moves:
        src, dst = ctx.locations[m.from_location_id], ctx.locations[m.to_location_id]
        if dst.blocked and not dst.is_virtual:
            raise LocationBlocked(f"location {dst.code} is blocked", location=dst.code)
        if src.blocked and not src.is_virtual and m.reason not in _BLOCKED_EXIT_REASONS:
            raise LocationBlocked(f"location {src.code} is blocked", location=src.code)


def _keys(m: MoveRequest, ctx: _Context) -> list[tuple[str, int, int | None, StockStatus]]:
    """(quant key, location id, container id, status) for each physical side of a move."""
    out = []
    if not ctx.locations[m.from_location_id].is_virtual:
        out.append(
            (
                quant_key(
                    m.item_id,
                    m.from_location_id,
                    m.lot_id,
                    m.serial_id,
                    m.from_container_id,
                    m.from_status,
                ),
                m.from_location_id,
                m.from_container_id,
                m.from_status,
            )
        )
    if not ctx.locations[m.to_location_id].is_virtual:
        out.append(
            (
                quant_key(
                    m.item_id,
                    m.to_location_id,
                    m.lot_id,
                    m.serial_id,
                    m.target_container_id,
                    m.target_status,
                ),
                m.to_location_id,
                m.target_container_id,
                m.target_status,
            )
        )
    return out


def _lock_quants(session: Session, moves: Sequence[MoveRequest], ctx: _Context) -> None:
    """Make sure every touched quant exists, then lock them all ordered by id."""
    wanted: dict[str, dict] = {}
    for m in moves:
        for key, loc_id, container_id, status in _keys(m, ctx):
            wanted.setdefault(
                key,
                {
                    "key": key,
                    "warehouse_id": ctx.locations[loc_id].warehouse_id,
                    "item_id": m.item_id,
                    "location_id": loc_id,
                    "lot_id": m.lot_id,
                    "serial_id": m.serial_id,
                    "container_id": container_id,
                    "status": status,
                },
            )
    keys = sorted(wanted)
    if not keys:
        return
    # Lock what exists first (the usual case: one round trip). Only then insert the
    # missing ones, all in key order, and lock again: a transaction that holds a new,
    # uncommitted quant already holds every existing one it needs, so no cycle forms.
    rows = _lock(session, keys)
    found = {row["key"] for row in rows}
    new_rows = [_new_quant_row(wanted[k]) for k in keys if k not in found]
    if new_rows:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(
            dialect.insert(Quant).values(new_rows).on_conflict_do_nothing(index_elements=["key"])
        )
        rows = _lock(session, keys)
    ctx.quants = {row["key"]: _quant(session, row, ctx) for row in rows}


_PG_LOCK = (
    "SELECT {} FROM quant WHERE key = ANY(%(keys)s::varchar[]) ORDER BY id FOR UPDATE".format(
        ", ".join(_QUANT_TABLE.c.keys())
    )
)


def _lock(session: Session, keys: list[str]) -> list[dict[str, Any]]:
    """Lock the quants with these keys, ordered by id; each row as column values."""
    raw = pgraw.cursor(session)
    if raw is None:
        return [row._asdict() for row in session.connection().execute(_LOCK, {"keys": keys})]
    columns = _QUANT_TABLE.c.keys()
    out = []
    for row in pgraw.execute(raw, _PG_LOCK, {"keys": keys}).fetchall():
        values = dict(zip(columns, row, strict=True))
        values["status"] = StockStatus(values["status"])
        values["in_date"] = values["in_date"].astimezone(UTC)
        values["updated_at"] = values["updated_at"].astimezone(UTC)
        out.append(values)
    return out


def _quant(session: Session, values: dict[str, Any], ctx: _Context) -> Quant:
    """The locked row as a Quant: the session's own entity refreshed if it holds one
    (as ``populate_existing`` would), else a transient one that only carries the guards."""
    held = session.identity_map.get(identity_key(Quant, values["id"]))
    if held is None:
        return Quant(**values)
    session.expire(held)
    for key, value in values.items():
        set_committed_value(held, key, value)
    ctx.attached.append(held)
    return held  # type: ignore[return-value]


def _new_quant_row(values: dict) -> dict:
    now = utcnow()
    return {
        **values,
        "status": StockStatus(values["status"]).value,
        "on_hand": Decimal(0),
        "reserved": Decimal(0),
        "in_date": now,
        "updated_at": now,
    }


def _apply(session: Session, moves: Sequence[MoveRequest], ctx: _Context) -> dict[int, Reservation]:
    shortages: list[dict] = []
    reservations = _load_reservations(session, moves)
    for m in moves:
        sides = _keys(m, ctx)
        src_virtual = ctx.locations[m.from_location_id].is_virtual
        if not src_virtual:
            quant = ctx.quants[sides[0][0]]
            consumed = _consume_reservation(m, quant, reservations)
            allow = ctx.allows_negative(quant.warehouse_id)
            try:
                quant.take(m.qty, allow_negative=allow, from_reserved=consumed)
            except (NegativeStockNotAllowed, ReservationExceeded):
                shortages.append(_shortage(session, m, quant, ctx, consumed))
        if not ctx.locations[m.to_location_id].is_virtual:
            dest = ctx.quants[sides[-1][0]]
            if dest.on_hand == 0 and dest.reserved == 0:
                dest.in_date = utcnow()
            dest.add(m.qty)
    if shortages:
        raise InsufficientStock(shortages)
    for quant in ctx.quants.values():
        if quant.reserved > 0 and quant.reserved > quant.on_hand:
            raise ReservationExceeded(f"reserved {quant.reserved} exceeds on hand {quant.on_hand}")
    return reservations


def _load_reservations(session: Session, moves: Sequence[MoveRequest]) -> dict[int, Reservation]:
    ids = [m.reservation_id for m in moves if m.reservation_id is not None]
    if not ids:
        return {}
    rows = session.scalars(
        select(Reservation)
        .where(Reservation.id.in_(ids))
        .order_by(Reservation.id)
        .with_for_update()
    )
    found = {r.id: r for r in rows}
    missing = set(ids) - found.keys()
    if missing:
        raise NotFound(f"unknown reservation(s): {sorted(missing)}")
    return found


def _consume_reservation(
    m: MoveRequest, quant: Quant, reservations: dict[int, Reservation]
) -> Decimal:
    if m.reservation_id is None:
        return Decimal(0)
    res = reservations[m.reservation_id]
    if res.quant_id != quant.id:
        raise ReservationExceeded(f"reservation {res.id} is not on the source stock")
    used = min(res.qty, m.qty)
    res.qty = res.qty - used
    if res.qty == 0:
        sess = object_session(res)
        if sess is not None:
            sess.delete(res)
    return used


def _shortage(
    session: Session, m: MoveRequest, quant: Quant, ctx: _Context, consumed: Decimal
) -> dict:
    item = session.get(Item, m.item_id)
    return {
        "sku": item.sku if item else str(m.item_id),
        "location": ctx.locations[m.from_location_id].code,
        "requested": qty_str(m.qty),
        "available": qty_str(quant.on_hand - quant.reserved + consumed),
        "on_hand": qty_str(quant.on_hand),
        "reserved": qty_str(quant.reserved),
    }


def reverse_move(
    session: Session,
    move_id: int,
    *,
    operator_id: int | None = None,
    api_client_id: int | None = None,
    device_id: str | None = None,
    note: str | None = None,
) -> StockMove:
    """Undo a ledger line by posting its mirror image; a line is reversed at most once."""
    original = session.get(StockMove, move_id)
    if original is None:
        raise NotFound(f"unknown stock move {move_id}")
    if original.reason == "reversal":
        raise AlreadyReversed("a reversal cannot itself be reversed; post a new move")
    already = session.scalar(select(StockMove.id).where(StockMove.reverses_move_id == move_id))
    if already is not None:
        raise AlreadyReversed(f"move {move_id} was already reversed by move {already}")
    request = MoveRequest(
        item_id=original.item_id,
        qty=original.qty,
        from_location_id=original.to_location_id,
        to_location_id=original.from_location_id,
        lot_id=original.lot_id,
        serial_id=original.serial_id,
        from_container_id=original.to_container_id,
        to_container_id=original.from_container_id,
        keep_container=False,
        from_status=original.to_status,
        to_status=original.from_status,
        reason="reversal",
        note=note or f"reverses move {move_id}",
        document_type=original.document_type,
        document_ref=original.document_ref,
        unit_cost=original.unit_cost,
        reverses_move_id=move_id,
    )
    (line,) = post_moves(
        session,
        [request],
        operator_id=operator_id,
        api_client_id=api_client_id,
        device_id=device_id,
    )
    return line


def reserve(
    session: Session, *, quant_id: int, qty: Decimal, owner_type: str, owner_id: str
) -> Reservation:
    """Claim ``qty`` of one quant for an order line or task; never beyond on hand."""
    qty = exact(qty)
    if qty <= 0:
        raise InvalidQuantity("quantity must be greater than zero")
    quant = session.scalars(
        select(Quant)
        .where(Quant.id == quant_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if quant is None:
        raise NotFound(f"unknown stock record {quant_id}")
    quant.reserve(qty)
    res = Reservation(quant_id=quant.id, qty=qty, owner_type=owner_type, owner_id=owner_id)
    session.add(res)
    session.flush()
    return res


def release(session: Session, *, reservation_id: int, qty: Decimal | None = None) -> None:
    """Give back all or part of a reservation."""
    res = session.scalars(
        select(Reservation).where(Reservation.id == reservation_id).with_for_update()
    ).one_or_none()
    if res is None:
        raise NotFound(f"unknown reservation {reservation_id}")
    quant = session.scalars(
        select(Quant)
        .where(Quant.id == res.quant_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    give_back = res.qty if qty is None else exact(qty)
    if give_back <= 0 or give_back > res.qty:
        raise InvalidQuantity(f"can release between 0 and {res.qty}")
    quant.unreserve(give_back)
    res.qty = res.qty - give_back
    if res.qty == 0:
        session.delete(res)
    session.flush()
