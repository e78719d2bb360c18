"""Device configuration: what ``config/devices.toml`` (or the console) says exists.

Plain dataclasses, no drivers: services store them as rows, the registry
builds drivers from them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class PrinterConfig:
    code: str
    name: str = ""
    driver: str = "fake"            # tcp | serial | fake
    address: str = ""               # host (tcp) or pyserial URL / device path (serial)
    port: int = 9100
    baudrate: int = 9600
    dpi: int = 203
    label_kinds: tuple[str, ...] = ()
    cjk_mode: str = "bitmap"        # bitmap | font
    printer_font: str = "E:ANMDS.TTF"
    status_query: bool = True
    workstation: str | None = None  # print these kinds for this workstation
    default: bool = False           # the warehouse's printer for these kinds
    enabled: bool = True


@dataclass(frozen=True)
class ScaleConfig:
    code: str
    name: str = ""
    driver: str = "fake"            # mtsics | toledo | fake
    url: str = ""
    baudrate: int = 9600
    framing: str = "8N1"
    workstation: str | None = None
    window: int = 3
    tolerance_g: int = 0
    deadline_ms: int = 5000
    enabled: bool = True


@dataclass(frozen=True)
class WorkstationConfig:
    code: str
    name: str = ""


@dataclass(frozen=True)
class DevicesConfig:
    printers: tuple[PrinterConfig, ...] = ()
    scales: tuple[ScaleConfig, ...] = ()
    workstations: tuple[WorkstationConfig, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)


def _build(cls: type, raw: dict[str, Any]) -> Any:
    known = {f.name for f in fields(cls)}
    unknown = set(raw) - known
    if unknown:
        raise ValueError(f"{cls.__name__}: unknown keys {', '.join(sorted(unknown))}")
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}
    return cls(**values)


def parse_devices(raw: dict[str, Any]) -> DevicesConfig:
    return DevicesConfig(
        printers=tuple(_build(PrinterConfig, p) for p in raw.get("printers", [])),
        scales=tuple(_build(ScaleConfig, s) for s in raw.get("scales", [])),
        workstations=tuple(_build(WorkstationConfig, w) for w in raw.get("workstations", [])),
        options=dict(raw.get("options", {})),
    )


def load_devices(path: str | Path) -> DevicesConfig:
    """Read a devices TOML file; a missing file means no devices."""
    file = Path(path)
    if not file.exists():
        return DevicesConfig()
    with file.open("rb") as fh:
        return parse_devices(tomllib.load(fh))
