"""Label previews: ZPL rendered to PNG offline with zplkit, an optional extra.

zplkit is licensed OSL-3.0, so it is the optional ``preview`` extra; without
it everything prints and only previews are unavailable, with a message that
says so. zplkit renders what a Zebra would, but it refuses commands that do
not draw (``^PQ``) and printer-resident TrueType fonts; those are handled
here or reported as PreviewUnavailable.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from wms.errors import DeviceError

_NON_DRAWING = (b"^PQ",)


class PreviewUnavailable(DeviceError):
    code = "preview_unavailable"
    http_status = 503
    title = "Label preview is not available"


def _zplkit() -> ModuleType:
    try:
        return importlib.import_module("zplkit")
    except ImportError:
        raise PreviewUnavailable(
            "Label previews need the optional 'preview' extra (zplkit, OSL-3.0): "
            "pip install 'wms[preview]'. Printing works without it."
        ) from None


def preview_available() -> bool:
    try:
        _zplkit()
    except PreviewUnavailable:
        return False
    return True


def drawable(zplkit: ModuleType, data: bytes) -> bytes:
    """The format without the commands zplkit refuses but that draw nothing."""
    elements = zplkit.parse.parse(data).elements
    return b"".join(bytes(e) for e in elements if not bytes(e).startswith(_NON_DRAWING))


def render_png(data: bytes | str, *, dpi: int = 203) -> bytes:
    """PNG of the first label in ``data``; PreviewUnavailable if it cannot be drawn."""
    zplkit = _zplkit()
    importlib.import_module("zplkit.parse")
    raw = data.encode() if isinstance(data, str) else data
    try:
        options = zplkit.Options(profile="specification", dpi=dpi)
        document = zplkit.render(drawable(zplkit, raw), options)
        if not document.labels:
            raise PreviewUnavailable("The job holds no label format to preview")
        return document.labels[0].png()
    except ValueError as exc:  # zplkit's Parse/Render/OutputError are ValueErrors
        raise PreviewUnavailable(f"This label cannot be previewed: {exc}") from None
