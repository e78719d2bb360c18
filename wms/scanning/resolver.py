"""The scan resolver: what any scan is, decided on the server.

``resolve(session, raw, warehouse_id=...)`` returns one tagged, frozen
result; it never raises for unknown input. Flows match on the type::

    match resolve(session, raw, warehouse_id=wh):
        case LocationScan(location_id=loc_id): ...
        case ItemScan(item_id=item_id, uom=uom): ...
        case Gs1Scan(item_id=item_id, gs1=data): ...   # data.lot, data.expiry ...
        case InvalidScan(code=code, message=msg): ...  # bad check digit, merged GS1
        case UnrecognisedScan(message=msg): ...

The order of lookups, first match wins:

1. a command card (``CMD:SHORT``);
2. GS1 data (GS1 symbology, a separator, or ``(01)…`` typed by hand):
   with a GTIN → ``gs1``; with only an SSCC → ``container``;
3. exact codes: location (in this warehouse, never virtual), container,
   item barcode, SKU, then a user's badge (by hash);
4. bare numbers: a GTIN-8/12/13/14 matched in any stored length (or, failing
   that, a numeric location code with its check digits), an 18-digit SSCC,
   or bare GS1 data typed by a wedge without AIM ids; a wrong check digit is
   an ``InvalidScan``, not "unknown";
5. a location code followed by its two check digits (``A-03-12-247``,
   ``A-03-12-2 47``); wrong digits are an ``InvalidScan``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms.errors import InvalidCheckDigit, WmsError
from wms.model import Container, Item, ItemBarcode, Location, Lot, Serial, User
from wms.scanning.badges import badge_digest
from wms.scanning.checkdigits import gs1_check_digit, gtin14, is_gtin, is_sscc
from wms.scanning.commands import is_command, parse_command
from wms.scanning.gs1 import (
    DEFAULT_GS_SUBSTITUTE,
    Gs1Data,
    Gs1Error,
    Gs1FieldsMerged,
    NormalisedScan,
    looks_like_gs1,
    normalise,
    parse_gs1,
)
from wms.scanning.results import (
    BADGE_REDACTED,
    BadgeScan,
    CommandScan,
    ContainerScan,
    Gs1Scan,
    InvalidScan,
    ItemScan,
    LocationScan,
    ScanKind,
    ScanResult,
    UnrecognisedScan,
)

_CHECK_DIGIT_SEPARATORS = " -/."
#: GS1 data typed without any hint is only taken when it starts like a label does.
_BARE_GS1_STARTS = ("00", "01", "02")


def resolve(
    session: Session,
    raw: str,
    *,
    warehouse_id: int,
    gs_substitute: str | None = DEFAULT_GS_SUBSTITUTE,
    gs1_separators_reliable: bool = False,
) -> ScanResult:
    """Say what ``raw`` is; unknown input is ``UnrecognisedScan``, never an exception.

    ``gs1_separators_reliable`` tells the GS1 parser that this site's scanners
    are known to send GS (or its substitute), see ``wms.scanning.gs1``.
    """
    scan = normalise(raw)
    ctx = _Ctx(session, scan, warehouse_id, gs_substitute, gs1_separators_reliable)
    if not scan.text:
        return ctx.unrecognised("empty scan")
    if is_command(scan.text):
        return _command(ctx)
    if looks_like_gs1(scan, gs_substitute):
        return _gs1(ctx, strict=True)
    for step in (_exact, _numeric, _location_with_check_digits):
        result = step(ctx)
        if result is not None:
            return result
    return ctx.unrecognised(f"{scan.text} is not a location, item, container or command")


class _Base(TypedDict):
    raw: str
    text: str
    symbology: str | None


@dataclass(frozen=True)
class _Ctx:
    session: Session
    scan: NormalisedScan
    warehouse_id: int
    gs_substitute: str | None
    separators_reliable: bool

    @property
    def base(self) -> _Base:
        return {"raw": self.scan.raw, "text": self.scan.text, "symbology": self.scan.symbology}

    def unrecognised(self, message: str) -> UnrecognisedScan:
        return UnrecognisedScan(message=message, **self.base)

    def invalid(self, exc: WmsError) -> InvalidScan:
        params = dict(exc.params)
        return InvalidScan(code=exc.code, message=exc.detail, params=params, **self.base)


def _command(ctx: _Ctx) -> ScanResult:
    command = parse_command(ctx.scan.text)
    if command is None:
        return ctx.unrecognised(f"{ctx.scan.text} is not a known command")
    return CommandScan(command=command, **ctx.base)


def _gs1(ctx: _Ctx, *, strict: bool) -> ScanResult | None:
    """GS1 data; when not ``strict`` (no hint it is GS1) unreadable data is not ours."""
    try:
        data = parse_gs1(
            ctx.scan, gs_substitute=ctx.gs_substitute, separators_reliable=ctx.separators_reliable
        )
    except (Gs1FieldsMerged, InvalidCheckDigit) as exc:
        return ctx.invalid(exc)
    except Gs1Error as exc:
        return ctx.invalid(exc) if strict else None
    if not strict and not (data.gtin or data.sscc):
        return None
    if data.gtin:
        return _gs1_item(ctx, data)
    if data.sscc:
        return _sscc(ctx, data.sscc, data)
    return ctx.unrecognised(f"GS1 scan {ctx.scan.text} carries no GTIN or SSCC")


def _gs1_item(ctx: _Ctx, data: Gs1Data) -> ScanResult:
    assert data.gtin is not None
    found = _barcode_by_gtin(ctx.session, data.gtin)
    if found is None:
        return ctx.unrecognised(f"GTIN {data.gtin} is not a known item")
    barcode, item = found
    s = ctx.session
    lot_id = serial_id = container_id = None
    if data.lot:
        lot_id = s.scalar(select(Lot.id).where(Lot.item_id == item.id, Lot.lot_no == data.lot))
    if data.serial:
        serial_id = s.scalar(
            select(Serial.id).where(Serial.item_id == item.id, Serial.serial_no == data.serial)
        )
    if data.sscc:
        container_id = s.scalar(select(Container.id).where(Container.code == data.sscc))
    return Gs1Scan(
        item_id=item.id,
        sku=item.sku,
        uom=barcode.uom,
        gs1=data,
        lot_id=lot_id,
        serial_id=serial_id,
        container_id=container_id,
        **ctx.base,
    )


def _sscc(ctx: _Ctx, sscc: str, data: Gs1Data | None = None) -> ContainerScan:
    container = ctx.session.scalar(select(Container).where(Container.code == sscc))
    return ContainerScan(
        container_id=container.id if container else None,
        code=sscc,
        sscc=sscc,
        location_id=container.location_id if container else None,
        gs1=data,
        **ctx.base,
    )


def _exact(ctx: _Ctx) -> ScanResult | None:
    """Codes exactly as printed: location, container, item barcode, SKU, badge."""
    s, text = ctx.session, ctx.scan.text
    location = _location(ctx, [text])
    if location is not None:
        return _location_scan(ctx, location, verified=False)
    container = s.scalar(select(Container).where(Container.code == text))
    if container is not None:
        return ContainerScan(
            container_id=container.id,
            code=container.code,
            sscc=container.code if container.is_sscc else None,
            location_id=container.location_id,
            **ctx.base,
        )
    barcode = s.scalar(select(ItemBarcode).where(ItemBarcode.barcode == text))
    if barcode is not None:
        return _item_scan(ctx, barcode.item, barcode.uom, barcode.barcode)
    item = s.scalar(select(Item).where(Item.sku == text))
    if item is not None:
        return _item_scan(ctx, item, item.base_uom, None)
    return _badge(ctx)


def _badge(ctx: _Ctx) -> BadgeScan | None:
    user_id = ctx.session.scalar(
        select(User.id).where(User.badge_hash == badge_digest(ctx.scan.text), User.active.is_(True))
    )
    if user_id is None:
        return None
    return BadgeScan(
        user_id=user_id, raw=BADGE_REDACTED, text=BADGE_REDACTED, symbology=ctx.scan.symbology
    )


def _numeric(ctx: _Ctx) -> ScanResult | None:
    """GTINs in any stored length, bare SSCCs, bare GS1 data; bad check digits explained."""
    text = ctx.scan.text
    bare_gs1 = text[:2] in _BARE_GS1_STARTS and not ctx.scan.is_plain
    if not text.isdigit():
        return _gs1(ctx, strict=False) if bare_gs1 else None
    if len(text) in (8, 12, 13, 14):
        return _gtin(ctx)
    if len(text) == 18:
        return _sscc(ctx, text) if is_sscc(text) else ctx.invalid(_bad_check_digit("SSCC", text))
    return _gs1(ctx, strict=False) if bare_gs1 else None


def _gtin(ctx: _Ctx) -> ScanResult:
    """A GTIN-length number: an item, else a numeric location code with its check digits."""
    text = ctx.scan.text
    found = _barcode_by_gtin(ctx.session, text) if is_gtin(text) else None
    if found is not None:
        return _item_scan(ctx, found[1], found[0].uom, found[0].barcode)
    at_location = _location_with_check_digits(ctx)
    if isinstance(at_location, LocationScan):
        return at_location
    if not is_gtin(text):
        return ctx.invalid(_bad_check_digit("GTIN", text))
    return ctx.unrecognised(f"barcode {text} is not a known item")


def _bad_check_digit(what: str, code: str) -> InvalidCheckDigit:
    expected = gs1_check_digit(code[:-1])
    return InvalidCheckDigit(
        f"{what} {code} has check digit {code[-1]}, expected {expected}: scan again",
        barcode=code,
        expected=expected,
    )


def _gtin_forms(gtin: str) -> list[str]:
    """The stored forms one GTIN may have: 8, 12, 13 or 14 digits, zero-padded to 14."""
    padded = gtin14(gtin)
    return [padded[-n:] for n in (14, 13, 12, 8) if set(padded[:-n]) <= {"0"}]


def _barcode_by_gtin(session: Session, gtin: str) -> tuple[ItemBarcode, Item] | None:
    forms = _gtin_forms(gtin)
    barcodes = session.scalars(select(ItemBarcode).where(ItemBarcode.barcode.in_(forms))).all()
    if not barcodes:
        return None
    best = min(barcodes, key=lambda b: (b.barcode != gtin, forms.index(b.barcode), b.id))
    return best, best.item


def _location_with_check_digits(ctx: _Ctx) -> ScanResult | None:
    text = ctx.scan.text
    digits, base = text[-2:], text[:-2]
    if len(text) < 3 or not digits.isdigit():
        return None
    location = _location(ctx, list({base, base.rstrip(_CHECK_DIGIT_SEPARATORS)}))
    if location is None:
        return None
    if digits != location.check_digits:
        return ctx.invalid(
            InvalidCheckDigit(
                f"check digits {digits} do not belong to location {location.code}: scan again",
                location=location.code,
                scanned=digits,
            )
        )
    return _location_scan(ctx, location, verified=True)


def _location(ctx: _Ctx, codes: list[str]) -> Location | None:
    return ctx.session.scalars(
        select(Location)
        .where(
            Location.warehouse_id == ctx.warehouse_id,
            Location.code.in_(codes),
            Location.virtual_kind.is_(None),
        )
        .order_by(Location.id)
    ).first()


def _location_scan(ctx: _Ctx, location: Location, *, verified: bool) -> LocationScan:
    return LocationScan(
        location_id=location.id,
        code=location.code,
        zone_id=location.zone_id,
        check_digits_verified=verified,
        **ctx.base,
    )


def _item_scan(ctx: _Ctx, item: Item, uom: str, barcode: str | None) -> ItemScan:
    return ItemScan(item_id=item.id, sku=item.sku, uom=uom, barcode=barcode, **ctx.base)


__all__ = [
    "BADGE_REDACTED",
    "BadgeScan",
    "CommandScan",
    "ContainerScan",
    "Gs1Scan",
    "InvalidScan",
    "ItemScan",
    "LocationScan",
    "ScanKind",
    "ScanResult",
    "UnrecognisedScan",
    "resolve",
]
