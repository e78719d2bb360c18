"""GS1 element strings from raw scanner input: normalise, split safely, validate.

Pure functions, no database. A keyboard-wedge scanner types what it reads:
an optional AIM symbology identifier (``]C1`` GS1-128, ``]d2`` GS1
DataMatrix, ``]Q3`` GS1 QR, ``]e0`` GS1 DataBar, ``]E0`` EAN-13 ...), then
the data, where the FNC1 that ends a variable-length field arrives as ASCII
29 (GS), as a visible substitute the scanner was set up to send (``|`` by
default; GS1's character set 82 has no ``|``), or is silently dropped.

A dropped separator makes a parser merge fields (``10LOT-42`` + ``21SN1``
reads as lot ``LOT-4221SN1``), so this module refuses a scan whose fields
cannot be split safely instead of guessing:

* a variable-length field followed by more data without a separator
  (biip stops at the field's maximum length and reads on) is refused;
* a message with no separator at all whose last field is variable-length
  is refused when that field's value contains something that reads as a
  further element string (an AI not already in the message followed by a
  valid value), unless the caller says the scanners are known to transmit
  separators (``separators_reliable=True``). A label that needs no FNC1 at
  all, e.g. ``(01)…(17)…(10)ABC``, is accepted either way.

So labels we print end with a fixed-length AI (``(01)…(10)LOT|(17)…``):
the separator after the lot is then always in the message, which proves
the scanner transmits separators and leaves nothing to guess.

Human-readable entry typed by hand, ``(01)09501101530003(10)LOT42``, is
accepted too. Check digits of GTINs (AI 01/02) and SSCCs (AI 00) are
verified; dates with day ``00`` mean the last day of the month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from biip import ParseConfig, ParseError
from biip.gs1_element_strings import GS1ElementString
from biip.gs1_messages import GS1Message
from biip.symbology import GS1Symbology, SymbologyIdentifier

from wms.errors import InvalidCheckDigit, WmsError
from wms.scanning.checkdigits import gs1_check_digit, has_valid_gs1_check_digit

GS = "\x1d"
DEFAULT_GS_SUBSTITUTE = "|"
_CONFIG = ParseConfig(separator_chars=(GS,))
#: Grams per unit for the weight AIs: 310n/330n in kg, 320n/340n in lb.
_NET_WEIGHT = {"310": Decimal(1000), "320": Decimal("453.59237")}
_GROSS_WEIGHT = {"330": Decimal(1000), "340": Decimal("453.59237")}


class Gs1Error(WmsError):
    """The scan looks like GS1 data but cannot be read."""

    code = "invalid_gs1"
    http_status = 422
    title = "GS1 barcode cannot be read"


class Gs1FieldsMerged(Gs1Error):
    """A variable-length field may have swallowed the next field (GS dropped)."""

    code = "gs1_fields_merged"
    title = "GS1 barcode fields cannot be split safely"


@dataclass(frozen=True)
class NormalisedScan:
    """Scanner input without surrounding whitespace and symbology identifier."""

    raw: str
    text: str
    #: The AIM identifier as sent, e.g. ``]C1``; ``None`` when the scanner sent none.
    symbology: str | None = None
    gs1_symbology: GS1Symbology | None = None

    @property
    def is_gs1(self) -> bool:
        """The symbology says the data is a GS1 element string (GS1-128, DataMatrix...)."""
        return self.gs1_symbology in GS1Symbology.with_gs1_messages()

    @property
    def is_plain(self) -> bool:
        """The symbology says the data is *not* GS1 (plain Code 128, QR, EAN...)."""
        return self.symbology is not None and not self.is_gs1


@dataclass(frozen=True)
class Gs1Data:
    """What one GS1 scan carries. Weights are whole grams, dates are dates."""

    raw: str
    symbology: str | None
    #: GTIN-14 from AI 01 (the trade item) or AI 02 (items inside a logistic unit).
    gtin: str | None = None
    #: True when ``gtin`` came from AI 02: the scan labels a unit *containing* it.
    gtin_is_content: bool = False
    sscc: str | None = None
    lot: str | None = None
    serial: str | None = None
    expiry: date | None = None
    best_before: date | None = None
    production_date: date | None = None
    #: AI 37 (count of trade items in a logistic unit) or AI 30 (variable count).
    count: int | None = None
    net_weight_g: int | None = None
    gross_weight_g: int | None = None
    #: Every (AI, value) pair in scan order, for AIs without a field here (400, 91...).
    elements: tuple[tuple[str, str], ...] = ()


def normalise(raw: str) -> NormalisedScan:
    """Strip whitespace and the AIM symbology identifier, remembering which it was.

    Python counts GS as whitespace, so a leading GS (FNC1 in first position
    sent as GS by some scanners) and a trailing one disappear here too.
    """
    text = raw.strip()
    if not text.startswith("]") or len(text) < 3:
        return NormalisedScan(raw=raw, text=text)
    try:
        ident = SymbologyIdentifier.extract(text)
    except (ParseError, ValueError, IndexError):
        return NormalisedScan(raw=raw, text=text)
    return NormalisedScan(
        raw=raw,
        text=text[len(ident.value) :].strip(),
        symbology=ident.value,
        gs1_symbology=ident.gs1_symbology,
    )


def with_separators(text: str, gs_substitute: str | None = DEFAULT_GS_SUBSTITUTE) -> str:
    """Map the scanner's visible GS substitute back to GS (ASCII 29)."""
    return text.replace(gs_substitute, GS) if gs_substitute else text


def looks_like_gs1(scan: NormalisedScan, gs_substitute: str | None = DEFAULT_GS_SUBSTITUTE) -> bool:
    """Worth parsing as GS1: a GS1 symbology, a separator, or ``(AI)`` entry."""
    if scan.is_gs1:
        return True
    if scan.is_plain:
        return False
    text = with_separators(scan.text, gs_substitute)
    return GS in text or (text.startswith("(") and text[1:3].isdigit())


def parse_gs1(
    scan: NormalisedScan | str,
    *,
    gs_substitute: str | None = DEFAULT_GS_SUBSTITUTE,
    separators_reliable: bool = False,
) -> Gs1Data:
    """Read a GS1 element string; raise ``Gs1Error`` / ``InvalidCheckDigit`` if unsafe."""
    if isinstance(scan, str):
        scan = normalise(scan)
    text = with_separators(scan.text, gs_substitute).strip()
    if not text:
        raise Gs1Error("empty GS1 scan")
    if text.startswith("("):
        elements = _parse_hri(text)
    else:
        elements = _split(text)
        if GS not in text and not separators_reliable:
            _refuse_possible_merge(elements)
    _refuse_duplicates(elements)
    return _to_data(scan, elements)


def _parse_hri(text: str) -> list[GS1ElementString]:
    try:
        return list(GS1Message.parse_hri(text, config=_CONFIG).element_strings)
    except ParseError as exc:
        raise Gs1Error(f"cannot read GS1 text {text!r}: {exc}") from None


def _split(text: str) -> list[GS1ElementString]:
    """Element strings in order; a variable field must end at a GS or the end."""
    elements: list[GS1ElementString] = []
    rest = text
    while rest:
        try:
            element = GS1ElementString.extract(rest, config=_CONFIG)
        except ParseError as exc:
            raise Gs1Error(f"cannot read GS1 data at {rest!r}: {exc}", data=rest) from None
        elements.append(element)
        rest = rest[len(element) :]
        if element.ai.separator_required and rest and not rest.startswith(GS):
            raise Gs1FieldsMerged(
                f"({element.ai.ai}) {element.value} runs into {rest!r} without a separator",
                ai=element.ai.ai,
                value=element.value,
            )
        rest = rest.lstrip(GS)
    return elements


def _refuse_possible_merge(elements: list[GS1ElementString]) -> None:
    """No separator anywhere: the last variable field may hide a dropped GS."""
    last = elements[-1]
    if not last.ai.separator_required:
        return
    present = {e.ai.ai for e in elements}
    for start in range(1, len(last.value)):
        tail = last.value[start:]
        try:
            hidden = GS1ElementString.extract(tail, config=_CONFIG)
        except ParseError:
            continue
        if hidden.ai.ai not in present:
            raise Gs1FieldsMerged(
                f"({last.ai.ai}) {last.value} may hide ({hidden.ai.ai}) {hidden.value}:"
                " the scanner sent no separator",
                ai=last.ai.ai,
                value=last.value,
                hidden_ai=hidden.ai.ai,
            )


def _refuse_duplicates(elements: list[GS1ElementString]) -> None:
    seen: set[str] = set()
    for element in elements:
        if element.ai.ai in seen:
            raise Gs1Error(f"({element.ai.ai}) appears twice", ai=element.ai.ai)
        seen.add(element.ai.ai)


def _checked(ai: str, value: str, what: str) -> str:
    if not has_valid_gs1_check_digit(value):
        expected = gs1_check_digit(value[:-1]) if value[:-1].isdigit() else "?"
        raise InvalidCheckDigit(
            f"{what} {value} in ({ai}) has check digit {value[-1:]}, expected {expected}",
            barcode=value,
            expected=expected,
        )
    return value


def _grams(element: GS1ElementString, per_unit: Decimal) -> int:
    assert element.decimal is not None
    return int((element.decimal * per_unit).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _to_data(scan: NormalisedScan, elements: list[GS1ElementString]) -> Gs1Data:
    fields: dict[str, object] = {}
    for element in elements:
        ai, value = element.ai.ai, element.value
        if ai in ("01", "02"):
            fields["gtin"] = _checked(ai, value, "GTIN")
            fields["gtin_is_content"] = ai == "02"
        elif ai == "00":
            fields["sscc"] = _checked(ai, value, "SSCC")
        elif ai in _SIMPLE:
            fields[_SIMPLE[ai]] = element.date if element.date is not None else value
        elif ai == "37":
            fields["count"] = int(value)
        elif ai == "30":
            fields.setdefault("count", int(value))
        elif ai[:3] in _NET_WEIGHT:
            fields["net_weight_g"] = _grams(element, _NET_WEIGHT[ai[:3]])
        elif ai[:3] in _GROSS_WEIGHT:
            fields["gross_weight_g"] = _grams(element, _GROSS_WEIGHT[ai[:3]])
    return Gs1Data(
        raw=scan.raw,
        symbology=scan.symbology,
        elements=tuple((e.ai.ai, e.value) for e in elements),
        **fields,  # type: ignore[arg-type]
    )


_SIMPLE = {
    "10": "lot",
    "21": "serial",
    "11": "production_date",
    "15": "best_before",
    "17": "expiry",
}
