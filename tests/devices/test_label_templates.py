"""Every label template: golden ZPL, and rendered + decoded barcodes equal what was meant."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from wms.labels.templates import LabelRenderer, RenderOptions
from wms.labels.zpl import LabelDataError

zplkit = pytest.importorskip("zplkit", reason="previews need the optional zplkit extra")
zxingcpp = pytest.importorskip("zxingcpp")
from PIL import Image  # noqa: E402

from wms.devices.preview import render_png  # noqa: E402

GOLDEN = Path(__file__).parent / "golden"
GS = b"\x1d"

SAMPLES = {
    "location": {"code": "A-03-12-2", "check_digits": "47", "zone_name": "存储区 A"},
    "container": {"sscc": "009501101530000014", "item_name": "螺丝 M6x20", "sku": "SKU-1",
                  "qty": "100", "uom": "each", "lot": "L42", "expiry": "2025-12-31"},
    "item": {"sku": "SKU-1", "name": "螺丝 M6", "gtin": "09501101530003", "lot": "LOT-42",
             "expiry": "251231", "serial": "SN123"},
    "shipping": {"ship_from": {"name": "WH1 上海仓", "address": "浦东新区 1 号"},
                 "ship_to": {"name": "收货部", "address": "北京市朝阳区 88 号",
                             "phone": "13800000000"},
                 "carrier": "SF", "order_ref": "SO-1001", "tracking_no": "SF1234567890",
                 "sscc": "009501101530000014", "weight": "1.25 kg"},
    "workstation": {"code": "PACK-01", "name": "Pack 01"},
    "test": {"printer": "ZD-01", "at": "2026-01-01 10:00"},
}

#: (symbology identifier, raw bytes) each label must scan as.
MEANT = {
    "location": {("]C0", b"A-03-12-2"), ("]Q1", b"A-03-12-2")},
    "container": {("]C1", b"00009501101530000014")},
    "item": {("]d2", b"01095011015300031725123110LOT-42" + GS + b"21SN123")},
    "shipping": {("]C0", b"SF1234567890"), ("]Q1", b"SF1234567890"),
                 ("]C1", b"00009501101530000014")},
    "workstation": {("]C0", b"WS:PACK-01")},
    "test": {("]C0", b"ZD-01")},
}


def scan(zpl: str, dpi: int) -> set[tuple[str, bytes]]:
    image = Image.open(io.BytesIO(render_png(zpl, dpi=dpi)))
    return {(r.symbology_identifier, bytes(r.bytes)) for r in zxingcpp.read_barcodes(image)}


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_each_label_scans_as_exactly_what_was_meant(kind, dpi):
    zpl = LabelRenderer().render(kind, SAMPLES[kind], options=RenderOptions(dpi=dpi),
                                 job_ref="golden")

    assert scan(zpl, dpi) == MEANT[kind]


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_label_zpl_matches_the_golden_file(kind, dpi):
    options = RenderOptions(dpi=dpi, cjk="font")
    zpl = LabelRenderer().render(kind, SAMPLES[kind], options=options, job_ref="golden")
    golden = GOLDEN / f"{kind}_{dpi}.zpl"

    if os.environ.get("WMS_UPDATE_GOLDEN"):
        golden.write_text(zpl, encoding="utf-8")

    assert zpl == golden.read_text(encoding="utf-8")


def test_chinese_in_printer_font_mode_uses_the_aliased_truetype_font():
    zpl = LabelRenderer().render("location", SAMPLES["location"],
                                 options=RenderOptions(cjk="font", printer_font="E:SIMSUN.TTF"))

    assert "^CW1,E:SIMSUN.TTF" in zpl
    assert "^A1N" in zpl and "^FH^FD存储区 A^FS" in zpl


def test_chinese_in_bitmap_mode_is_a_graphic_field_not_text():
    zpl = LabelRenderer().render("location", SAMPLES["location"])

    assert "^GFA," in zpl and "存储区" not in zpl


def test_every_label_starts_utf8_sized_and_traceable():
    zpl = LabelRenderer().render("item", SAMPLES["item"], job_ref="J42", copies=2)

    assert zpl.startswith("^XA^CI28^PW480^LL320^LH0,0")
    assert "^FXJOB:J42^FS" in zpl and zpl.rstrip().endswith("^PQ2,0,1,Y^XZ")


def test_field_data_cannot_inject_zpl_commands():
    zpl = LabelRenderer().render("workstation", {"code": "P1", "name": "^XZ~JA_x"})

    assert "_5EXZ_7EJA_5Fx" in zpl and zpl.count("^XZ") == 1


def test_missing_label_data_is_a_clear_error():
    data = {k: v for k, v in SAMPLES["shipping"].items() if k != "tracking_no"}

    with pytest.raises(LabelDataError, match="tracking_no"):
        LabelRenderer().render("shipping", data)


def test_a_wrong_sscc_check_digit_stops_the_label_before_it_is_printed():
    data = {**SAMPLES["container"], "sscc": "009501101530000015"}

    with pytest.raises(LabelDataError, match="check digit"):
        LabelRenderer().render("container", data)
