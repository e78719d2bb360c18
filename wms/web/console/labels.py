"""Words for stored values (roles, skills, kinds, scopes) in the reader's language."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

LABELS: dict[str, dict[str, Any]] = {
    "role": {"operator": _l("operator"), "supervisor": _l("supervisor"), "admin": _l("admin")},
    "skill": {
        "receiving": _l("receiving"), "qc": _l("QC inspection"), "putaway": _l("putaway"),
        "picking": _l("picking"), "packing": _l("packing"), "counting": _l("counting"),
        "forklift": _l("forklift"), "shipping": _l("shipping"),
    },
    "zone_kind": {
        "receiving": _l("receiving"), "qc": _l("QC inspection"), "storage": _l("storage"),
        "pick_face": _l("pick face"), "packing": _l("packing"), "shipping": _l("shipping"),
        "quarantine": _l("quarantine"), "production": _l("production"), "returns": _l("returns"),
    },
    "location_type": {
        "shelf": _l("shelf"), "pallet_rack": _l("pallet rack"), "floor": _l("floor"),
        "dock": _l("dock"), "staging": _l("staging"), "station": _l("station"),
        "virtual": _l("virtual"),
    },
    "tracking": {"none": _l("no tracking"), "lot": _l("by lot"), "serial": _l("by serial")},
    "scope": {
        "master:read": _l("read master data"), "master:write": _l("write master data"),
        "orders:read": _l("read orders"), "orders:write": _l("send orders"),
        "stock:read": _l("read stock"), "stock:write": _l("change stock"),
        "events:manage": _l("manage webhooks"),
    },
    "actor": {"user": _l("user"), "api_client": _l("API client"), "system": _l("system")},
    "locale": {"zh_CN": "中文", "en": "English"},
    "printer_driver": {
        "tcp": _l("network (TCP 9100)"), "serial": _l("serial"), "fake": _l("demo (spool folder)"),
    },
    "scale_driver": {
        "mtsics": _l("MT-SICS"), "toledo": _l("continuous (Toledo)"), "fake": _l("demo scale"),
    },
    "label_kind": {
        "shipping": _l("shipping"), "container": _l("container"), "location": _l("location"),
        "item": _l("item"), "workstation": _l("workstation"), "test": _l("test"),
    },
    "source": {"devices.toml": _l("devices.toml"), "console": _l("console")},
    "device_state": {
        "ready": _l("ready"), "paper_out": _l("paper out"), "ribbon_out": _l("ribbon out"),
        "head_open": _l("head open"), "paused": _l("paused"), "buffer_full": _l("buffer full"),
        "error": _l("error"), "offline": _l("offline"), "unknown": _l("unknown"),
        "disabled": _l("disabled"), "stable": _l("stable"), "unstable": _l("unstable"),
        "reachable": _l("answers, no weight"), "overload": _l("overloaded"),
        "underload": _l("below zero"),
    },
}


def label(kind: str, value: Any) -> Any:
    """The word for ``value``; the value itself if it has none."""
    key = getattr(value, "value", value)
    return LABELS.get(kind, {}).get(key, key)


def options(kind: str, values: Any) -> list[tuple[str, Any]]:
    return [(getattr(v, "value", v), label(kind, v)) for v in values]


def words(kind: str) -> dict[str, str]:
    """Every word of ``kind`` as plain strings (for a page's script)."""
    return {key: str(text) for key, text in LABELS.get(kind, {}).items()}
