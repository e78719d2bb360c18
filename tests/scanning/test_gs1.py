"""GS1 scans as scanners really send them: with GS, with a substitute, with AIM ids, merged."""

from datetime import date

import pytest

from wms.errors import InvalidCheckDigit
from wms.scanning.gs1 import (
    GS,
    Gs1Error,
    Gs1FieldsMerged,
    looks_like_gs1,
    normalise,
    parse_gs1,
)

GTIN = "09501101530003"
SSCC = "009501101530000014"


def test_gs1_128_with_group_separator_fills_every_field():
    data = parse_gs1(f"]C101{GTIN}172512313710{GS}10LOT-42")

    assert data.symbology == "]C1"
    assert data.gtin == GTIN
    assert data.expiry == date(2025, 12, 31)
    assert data.count == 10
    assert data.lot == "LOT-42"


def test_visible_substitute_stands_for_the_group_separator():
    data = parse_gs1(f"]d201{GTIN}10LOT-42|21SN1|3103001250")

    assert (data.lot, data.serial, data.net_weight_g) == ("LOT-42", "SN1", 1250)


def test_the_substitute_is_configurable():
    data = parse_gs1(f"01{GTIN}10LOT-42~21SN1", gs_substitute="~")

    assert (data.lot, data.serial) == ("LOT-42", "SN1")


@pytest.mark.parametrize("prefix", ["]C1", "]d2", "]Q3", "]e0", ""])
def test_symbology_identifiers_are_stripped_and_remembered(prefix):
    data = parse_gs1(f"{prefix}01{GTIN}17251231")

    assert data.gtin == GTIN
    assert data.symbology == (prefix or None)


def test_fixed_length_fields_first_need_no_separator():
    data = parse_gs1(f"01{GTIN}172512311124010110ABC")

    assert data.expiry == date(2025, 12, 31)
    assert data.production_date == date(2024, 1, 1)
    assert data.lot == "ABC"


def test_dropped_separator_between_lot_and_serial_is_refused():
    with pytest.raises(Gs1FieldsMerged) as err:
        parse_gs1(f"01{GTIN}10LOT-4221SN1")

    assert err.value.params["ai"] == "10"
    assert "LOT-4221SN1" in err.value.detail


def test_dropped_separator_after_a_full_length_lot_is_refused():
    with pytest.raises(Gs1FieldsMerged):
        parse_gs1(f"01{GTIN}10{'L' * 20}17251231")


def test_scanner_known_to_send_separators_may_end_on_an_ambiguous_lot():
    data = parse_gs1(f"]C101{GTIN}10230512", separators_reliable=True)

    assert data.lot == "230512"


def test_same_lot_is_refused_when_separators_may_have_been_dropped():
    with pytest.raises(Gs1FieldsMerged):
        parse_gs1(f"]C101{GTIN}10230512")


def test_a_separator_anywhere_proves_the_scanner_sends_them():
    data = parse_gs1(f"01{GTIN}21SN9|10230512")

    assert (data.serial, data.lot) == ("SN9", "230512")


def test_day_zero_means_the_last_day_of_the_month():
    data = parse_gs1(f"01{GTIN}1724020015251100")

    assert data.expiry == date(2024, 2, 29)
    assert data.best_before == date(2025, 11, 30)


def test_impossible_date_is_refused():
    with pytest.raises(Gs1Error):
        parse_gs1(f"01{GTIN}17251331")


def test_wrong_gtin_check_digit_is_refused_with_the_expected_digit():
    with pytest.raises(InvalidCheckDigit) as err:
        parse_gs1("0109501101530008")

    assert err.value.params["expected"] == "3"


def test_wrong_sscc_check_digit_is_refused():
    with pytest.raises(InvalidCheckDigit):
        parse_gs1("00009501101530000015")


def test_pallet_label_sscc_with_content_gtin_and_count():
    data = parse_gs1(f"00{SSCC}02{GTIN}37120|10L1|3302000550")

    assert data.sscc == SSCC
    assert data.gtin == GTIN and data.gtin_is_content
    assert data.count == 120
    assert data.gross_weight_g == 5500  # 5.50 kg


def test_variable_count_ai_30():
    assert parse_gs1(f"01{GTIN}3015").count == 15


def test_weight_in_pounds_becomes_grams():
    assert parse_gs1(f"01{GTIN}3202000100").net_weight_g == 454  # 1.00 lb = 453.59237 g


def test_net_weight_with_three_decimals_is_exact_grams():
    assert parse_gs1(f"01{GTIN}3103012345").net_weight_g == 12345


def test_hand_typed_human_readable_form():
    data = parse_gs1(f"(01){GTIN}(17)251231(10)LOT 7")

    assert (data.gtin, data.expiry, data.lot) == (GTIN, date(2025, 12, 31), "LOT7")


def test_other_ais_are_kept_in_order():
    data = parse_gs1(f"01{GTIN}400PO-1|91INT")

    assert data.elements == (("01", GTIN), ("400", "PO-1"), ("91", "INT"))


def test_repeated_ai_is_refused():
    with pytest.raises(Gs1Error):
        parse_gs1("10ABC|10DEF")


@pytest.mark.parametrize("text", ["", "]C1", "99", "0195011015300"])
def test_garbage_is_an_error_not_a_crash(text):
    with pytest.raises(Gs1Error):
        parse_gs1(text)


def test_normalise_keeps_plain_text_and_notes_non_gs1_symbology():
    plain = normalise("]C0A-03-12-2\r\n")

    assert (plain.text, plain.symbology, plain.is_plain) == ("A-03-12-2", "]C0", True)
    assert not looks_like_gs1(plain)


def test_leading_group_separator_is_dropped():
    assert parse_gs1(f"{GS}01{GTIN}").gtin == GTIN


def test_looks_like_gs1_needs_a_hint():
    assert looks_like_gs1(normalise(f"]C101{GTIN}"))
    assert looks_like_gs1(normalise(f"01{GTIN}10A|21B"))
    assert looks_like_gs1(normalise(f"(01){GTIN}"))
    assert not looks_like_gs1(normalise("A-03-12-2"))
    assert not looks_like_gs1(normalise(f"]E0{GTIN[1:]}"))
