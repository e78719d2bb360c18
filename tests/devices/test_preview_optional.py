"""Printing works without the optional zplkit extra; only previews say they are unavailable."""

from __future__ import annotations

import sys

import pytest

from wms.devices.fakes import FakeSpoolPrinter
from wms.devices.preview import PreviewUnavailable, render_png

LABEL = b"^XA^FXJOB:abc^FS^FO10,10^A0N,30,30^FDx^FS^PQ1,0,1,Y^XZ"


@pytest.fixture
def without_zplkit(monkeypatch):
    monkeypatch.setitem(sys.modules, "zplkit", None)


def test_preview_without_zplkit_explains_how_to_get_it(without_zplkit):
    with pytest.raises(PreviewUnavailable, match="preview"):
        render_png(LABEL)


def test_the_fake_printer_still_spools_the_job_without_zplkit(without_zplkit, tmp_path):
    FakeSpoolPrinter("DEMO", tmp_path).send(LABEL)

    assert [p.suffix for p in sorted(tmp_path.iterdir())] == [".txt", ".zpl"]


def test_preview_drops_the_quantity_command_zplkit_refuses():
    assert render_png(LABEL).startswith(b"\x89PNG")
