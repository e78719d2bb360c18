"""Device configuration: what ``config/devices.toml`` (or the console) says exists.

Plain dataclasses, no drivers: services store them as rows, the registry
builds drivers from them.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: pyserial's URL handlers (``serial.serial_for_url``) and ours, ``fakescale://``.
SERIAL_URL_SCHEMES = ("socket", "rfc2217", "loop", "spy", "alt", "fakescale")
_NETWORK_SCHEMES = ("socket", "rfc2217")
_WINDOWS_PORT = re.compile(r"^COM[1-9][0-9]{0,2}$")


def check_serial_url(url: str) -> str | None:
    """Why ``url`` cannot name a serial line (a short English reason), or None if it can.

    Device paths start with ``/dev/`` (or are ``COMn``); URLs use a scheme
    pyserial knows, and ``socket://`` / ``rfc2217://`` need ``host:port``.
    Nothing is opened: this is a check of the text.
    """
    if not url:
        return "required"
    if any(ch.isspace() for ch in url) or len(url) > 200:
        return "not a device path (/dev/...) or a serial URL (socket://host:port)"
    if "://" not in url:
        if (url.startswith("/dev/") and len(url) > 5) or _WINDOWS_PORT.match(url):
            return None
        return "not a device path (/dev/...) or a serial URL (socket://host:port)"
    scheme = url.split("://", 1)[0].lower()
    if scheme not in SERIAL_URL_SCHEMES:
        return "unknown serial URL scheme"
    if scheme in _NETWORK_SCHEMES:
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:
            port = None
        if not parts.hostname or port is None or not 0 < port < 65536:
            return "a network serial URL needs host:port"
    return None


@dataclass(frozen=True)
class PrinterConfig:
    code: str
    name: str = ""
    driver: str = "fake"  # tcp | serial | fake
    address: str = ""  # host (tcp) or pyserial URL / device path (serial)
    port: int = 9100
    baudrate: int = 9600
    dpi: int = 203
    label_kinds: tuple[str, ...] = ()
    cjk_mode: str = "bitmap"  # bitmap | font
    printer_font: str = "E:ANMDS.TTF"
    status_query: bool = True
    workstation: str | None = None  # print these kinds for this workstation
    default: bool = False  # the warehouse's printer for these kinds
    enabled: bool = True


@dataclass(frozen=True)
class ScaleConfig:
    code: str
    name: str = ""
    driver: str = "fake"  # mtsics | toledo | fake
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
