"""ZPL field escaping and GS1 data rules."""

from __future__ import annotations

import pytest

from wms.labels import zpl
from wms.labels.zpl import LabelDataError


def test_caret_tilde_and_underscore_in_data_are_hex_escaped():
    assert zpl.fh("A^B~C_D 中") == "A_5EB_7EC_5FD 中"


def test_control_characters_never_reach_the_printer():
    assert zpl.fh("a\nb\x1d") == "a_0Ab_1D"


def test_millimetres_become_dots_at_each_resolution():
    assert (zpl.dots(100, 203), zpl.dots(100, 300)) == (800, 1200)


def test_unknown_resolution_is_refused():
    with pytest.raises(LabelDataError):
        zpl.dots(10, 150)


def test_gs1_check_digit_matches_the_published_example():
    assert zpl.with_check_digit("0950110153000") == "09501101530003"


def test_sscc_is_built_with_extension_prefix_reference_and_check_digit():
    assert zpl.make_sscc(0, "0950110153", 1) == "009501101530000014"


def test_sscc_with_a_wrong_check_digit_is_refused():
    with pytest.raises(LabelDataError, match="check digit"):
        zpl.gs1_128([("00", "009501101530000015")], height=80)


def test_lot_with_parenthesis_is_refused_rather_than_misprinted():
    with pytest.raises(LabelDataError):
        zpl.gs1_hri([("01", "09501101530003"), ("10", "A(1)")])


def test_code128_refuses_the_invocation_character():
    with pytest.raises(LabelDataError):
        zpl.code128("A>5B", height=80)


def test_datamatrix_puts_fnc1_only_after_variable_fields_that_are_not_last():
    field = zpl.gs1_datamatrix(
        [("01", "09501101530003"), ("10", "LOT-42"), ("17", "251231"), ("21", "SN1")], module=4
    )
    assert "^FD_10109501101530003" in field
    assert "10LOT-42_117251231" in field
    assert field.endswith("21SN1^FS")
