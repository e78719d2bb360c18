"""Label templates: Jinja + ZPL files in ``label_templates/`` rendered to printer-ready ZPL.

A template lays the label out in millimetres through a small toolkit ``z``
(``z.text``, ``z.code128``, ``z.gs1_128``, ``z.qr``, ``z.datamatrix``), so
one file serves 203 and 300 dpi, and every piece of data is escaped or
validated on its way in. Raw field data may also be written with the
``zpl`` filter (``^FH^FD{{ value|zpl }}^FS``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import jinja2

from wms.labels import bitmap, zpl

CjkMode = Literal["bitmap", "font"]


@dataclass(frozen=True)
class LabelKind:
    name: str
    width_mm: float
    height_mm: float

    @property
    def template(self) -> str:
        return f"{self.name}.zpl.j2"


INCH = 25.4
KINDS: dict[str, LabelKind] = {
    k.name: k
    for k in (
        LabelKind("shipping", 4 * INCH, 6 * INCH),
        LabelKind("container", 100, 50),
        LabelKind("location", 100, 50),
        LabelKind("item", 60, 40),
        LabelKind("workstation", 100, 50),
        LabelKind("test", 100, 50),
    )
}


@dataclass(frozen=True)
class RenderOptions:
    """How one printer wants its labels: resolution and the way Chinese is printed."""

    dpi: int = 203
    cjk: CjkMode = "bitmap"
    #: Printer-resident TrueType font used when ``cjk == "font"``.
    printer_font: str = "E:ANMDS.TTF"
    #: Server-side font for ``cjk == "bitmap"``; found with fontconfig if empty.
    font_file: str | None = None


def default_template_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "label_templates"


def carries_identity(data: Mapping[str, Any]) -> bool:
    """Labels with an SSCC or serial number must never be printed twice by accident."""
    return bool(data.get("sscc") or data.get("serial"))


class Toolkit:
    """Drawing helpers bound to one label kind and one printer's options."""

    def __init__(self, kind: LabelKind, options: RenderOptions, job_ref: str) -> None:
        self.kind = kind
        self.options = options
        self.job_ref = job_ref
        self.dpi = options.dpi
        # Whole dots, rounded down: a 4 in label is ^PW812 at 203 dpi, not 813.
        self.width = int(kind.width_mm * zpl.dots_per_mm(options.dpi))
        self.height = int(kind.height_mm * zpl.dots_per_mm(options.dpi))
        #: Narrow bar of 0.25 mm: 2 dots at 203 dpi, 3 at 300 dpi.
        self.module = max(2, zpl.dots(0.25, options.dpi))

    def d(self, mm: float) -> int:
        return zpl.dots(mm, self.dpi)

    def _fo(self, x: float, y: float) -> str:
        return f"^FO{self.d(x)},{self.d(y)}"

    def start(self) -> str:
        font = ""
        if self.options.cjk == "font":
            font = f"^CW1,{self.options.printer_font}"
        return (
            f"^XA^CI28^PW{self.width}^LL{self.height}^LH0,0{font}\n"
            f"^FXJOB:{self.job_ref}^FS"
        )

    def end(self, copies: int = 1) -> str:
        if not 1 <= int(copies) <= 999:
            raise zpl.LabelDataError(f"copies must be 1..999, got {copies}")
        return f"^PQ{int(copies)},0,1,Y^XZ"

    def text(self, x: float, y: float, value: object, size: float, width: float = 0) -> str:
        """A line of text ``size`` mm high; Chinese via printer font or bitmap."""
        value = "" if value is None else str(value)
        h = self.d(size)
        w = self.d(width) if width else self.width - self.d(x) - self.d(2)
        if zpl.is_plain_ascii(value):
            return f"{self._fo(x, y)}^A0N,{h},{h}^FB{w},1,0,L,0^FH^FD{zpl.fh(value)}^FS"
        if self.options.cjk == "font":
            return f"{self._fo(x, y)}^A1N,{h},{h}^FB{w},1,0,L,0^FH^FD{zpl.fh(value)}^FS"
        font_file = bitmap.find_cjk_font(self.options.font_file)
        image = bitmap.text_image(value, height=h, max_width=w, font_file=font_file)
        return self._fo(x, y) + bitmap.gfa(image)

    def box(self, x: float, y: float, w: float, h: float, thickness: float = 0.5) -> str:
        return f"{self._fo(x, y)}^GB{self.d(w)},{self.d(h)},{max(1, self.d(thickness))}^FS"

    def code128(self, x: float, y: float, value: str, height: float, hri: bool = True) -> str:
        field = zpl.code128(str(value), height=self.d(height), hri=hri)
        return f"{self._fo(x, y)}^BY{self.module},3,{self.d(height)}{field}"

    def gs1_128(self, x: float, y: float, elements: list[tuple[str, str]], height: float) -> str:
        field = zpl.gs1_128(elements, height=self.d(height))
        return f"{self._fo(x, y)}^BY{self.module},3,{self.d(height)}{field}"

    def qr(self, x: float, y: float, value: str, cell: float = 0.75) -> str:
        # ^BY is reset first: some firmware shifts a QR down by the ^BY bar height.
        magnification = max(1, min(10, self.d(cell)))
        field = zpl.qr(str(value), magnification=magnification)
        return f"^BY{self.module},3,10{self._fo(x, y)}{field}"

    def datamatrix(
        self, x: float, y: float, elements: list[tuple[str, str]], cell: float = 0.75
    ) -> str:
        return self._fo(x, y) + zpl.gs1_datamatrix(elements, module=max(2, self.d(cell)))


class LabelRenderer:
    """Renders a label kind with its data for one printer's options."""

    def __init__(self, template_dir: Path | None = None) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(template_dir or default_template_dir()),
            autoescape=False,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["zpl"] = zpl.fh

    def kind(self, name: str) -> LabelKind:
        try:
            return KINDS[name]
        except KeyError:
            raise zpl.LabelDataError(f"unknown label kind {name!r}", kind=name) from None

    def render(
        self,
        kind: str,
        data: Mapping[str, Any],
        *,
        options: RenderOptions | None = None,
        job_ref: str = "-",
        copies: int = 1,
    ) -> str:
        """The ZPL for one label; LabelDataError when the data cannot be printed right."""
        label_kind = self.kind(kind)
        toolkit = Toolkit(label_kind, options or RenderOptions(), job_ref)
        template = self.env.get_template(label_kind.template)
        try:
            text = template.render(z=toolkit, copies=copies, **dict(data))
        except jinja2.UndefinedError as exc:
            raise zpl.LabelDataError(f"{kind} label: {exc.message}", kind=kind) from None
        return "\n".join(line for line in text.splitlines() if line.strip()) + "\n"
