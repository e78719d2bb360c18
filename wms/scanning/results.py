"""What a scan turned out to be: one frozen dataclass per kind, told apart by ``kind``."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from wms.scanning.commands import Command
from wms.scanning.gs1 import Gs1Data

#: Shown instead of a badge's value: a badge is a credential, never echoed or logged.
BADGE_REDACTED = "[badge]"


class ScanKind(enum.StrEnum):
    location = "location"
    item = "item"
    gs1 = "gs1"
    container = "container"
    badge = "badge"
    command = "command"
    error = "error"
    not_recognised = "not_recognised"


@dataclass(frozen=True, kw_only=True)
class _Scan:
    #: As the scanner sent it (a badge is redacted).
    raw: str
    #: Without whitespace and symbology identifier.
    text: str
    symbology: str | None = None


@dataclass(frozen=True, kw_only=True)
class LocationScan(_Scan):
    kind: ScanKind = field(default=ScanKind.location, init=False)
    location_id: int
    code: str
    zone_id: int | None
    #: The label's two check digits were scanned along with the code.
    check_digits_verified: bool = False


@dataclass(frozen=True, kw_only=True)
class ItemScan(_Scan):
    kind: ScanKind = field(default=ScanKind.item, init=False)
    item_id: int
    sku: str
    #: The unit the barcode stands for (each, inner, case...); the base unit for a SKU.
    uom: str
    #: The stored barcode that matched; ``None`` when the SKU was typed.
    barcode: str | None = None


@dataclass(frozen=True, kw_only=True)
class Gs1Scan(_Scan):
    """An item from AI 01/02 with whatever else the label carries (``gs1``)."""

    kind: ScanKind = field(default=ScanKind.gs1, init=False)
    item_id: int
    sku: str
    uom: str
    gs1: Gs1Data
    #: The lot / serial / container if already known; a new one is ``None``.
    lot_id: int | None = None
    serial_id: int | None = None
    container_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class ContainerScan(_Scan):
    """A container by code or SSCC; ``container_id`` is ``None`` for a new, valid SSCC."""

    kind: ScanKind = field(default=ScanKind.container, init=False)
    container_id: int | None
    code: str
    sscc: str | None = None
    location_id: int | None = None
    gs1: Gs1Data | None = None

    @property
    def known(self) -> bool:
        return self.container_id is not None


@dataclass(frozen=True, kw_only=True)
class BadgeScan(_Scan):
    kind: ScanKind = field(default=ScanKind.badge, init=False)
    user_id: int


@dataclass(frozen=True, kw_only=True)
class CommandScan(_Scan):
    kind: ScanKind = field(default=ScanKind.command, init=False)
    command: Command


@dataclass(frozen=True, kw_only=True)
class InvalidScan(_Scan):
    """Looks like something we know but is wrong: the operator must rescan."""

    kind: ScanKind = field(default=ScanKind.error, init=False)
    #: A stable error code (``invalid_check_digit``, ``gs1_fields_merged``, ``invalid_gs1``).
    code: str
    message: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class UnrecognisedScan(_Scan):
    kind: ScanKind = field(default=ScanKind.not_recognised, init=False)
    code: str = "not_recognised"
    message: str


ScanResult = (
    LocationScan
    | ItemScan
    | Gs1Scan
    | ContainerScan
    | BadgeScan
    | CommandScan
    | InvalidScan
    | UnrecognisedScan
)
