"""Text the printer has no font for, rendered on the server as a ``^GFA`` graphic.

The fallback for Chinese text on printers without a CJK TrueType font, and
what makes previews of such labels exact. The font is a CJK OpenType/TrueType
file: configured explicitly, or found once through fontconfig (``fc-match``).
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from wms.labels.zpl import LabelDataError

_FC_QUERY = "Noto Sans CJK SC:lang=zh-cn"


@lru_cache(maxsize=4)
def find_cjk_font(configured: str | None = None) -> str:
    """Path of a font with Chinese glyphs; raises LabelDataError if there is none."""
    if configured:
        if not Path(configured).is_file():
            raise LabelDataError(f"CJK font file not found: {configured}")
        return configured
    fc_match = shutil.which("fc-match")
    if fc_match:
        try:
            found = subprocess.run(
                [fc_match, "-f", "%{file}", _FC_QUERY],
                capture_output=True, text=True, timeout=5, check=False,
            ).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            found = ""
        if found and Path(found).is_file() and _has_cjk(found):
            return found
    raise LabelDataError(
        "no CJK font for bitmap text: install fonts-noto-cjk or set devices.cjk_font_file"
    )


def _has_cjk(path: str) -> bool:
    try:
        font = ImageFont.truetype(path, 16)
    except OSError:
        return False
    return font.getbbox("中")[2] > 0


def text_image(text: str, *, height: int, max_width: int, font_file: str) -> Image.Image:
    """One line of text, black on white, shrunk until it fits ``max_width`` dots."""
    size = max(8, int(height * 0.9))  # leave room for descenders inside the line
    font = ImageFont.truetype(font_file, size)
    while size > 8 and font.getlength(text) > max_width:
        size -= 2
        font = ImageFont.truetype(font_file, size)
    width = max(8, min(max_width, int(font.getlength(text)) + 2))
    image = Image.new("1", (width, height), 1)
    ImageDraw.Draw(image).text((0, height // 2), text, font=font, fill=0, anchor="lm")
    return image


def gfa(image: Image.Image) -> str:
    """``^GFA`` for a 1-bit image: ASCII hex, one bit per dot, 1 = black.

    Pillow packs mode "1" rows to whole bytes with 1 = white, so inverting
    the packed bytes gives exactly the printer's layout (padding bits stay 0).
    """
    mono = image.convert("1")
    width, height = mono.size
    row_bytes = (width + 7) // 8
    packed = bytearray(b ^ 0xFF for b in mono.tobytes())
    pad = row_bytes * 8 - width
    if pad:
        mask = (0xFF << pad) & 0xFF
        for end in range(row_bytes - 1, len(packed), row_bytes):
            packed[end] &= mask
    total = row_bytes * height
    return f"^GFA,{total},{total},{row_bytes},{packed.hex().upper()}^FS"
