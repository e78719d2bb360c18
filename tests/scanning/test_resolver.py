"""The resolver says what any scan is, on SQLite and PostgreSQL alike."""

from datetime import date

import pytest

from wms.model import Container, Role, Tracking
from wms.scanning.checkdigits import gs1_check_digit, location_check_digits
from wms.scanning.commands import Command
from wms.scanning.resolver import (
    BADGE_REDACTED,
    BadgeScan,
    CommandScan,
    ContainerScan,
    Gs1Scan,
    InvalidScan,
    ItemScan,
    LocationScan,
    ScanKind,
    UnrecognisedScan,
    resolve,
)
from wms.services import access

EAN13 = "4006381333931"
CASE_GTIN = "14006381333938"
EAN8 = "96385074"
UPC_A = "036000291452"
SSCC = "009501101530000014"
GTIN_WITH_LOT = "09501101530003"


@pytest.fixture
def shop(floor):
    """A warehouse with a few locations, items, a container and a badge."""
    floor.location("A-03-12-2")
    floor.location("B-01-01-1")
    floor.item("TEA", units={"case": 12}, barcodes=[(EAN13, "each"), (CASE_GTIN, "case")])
    floor.item("PEN", barcodes=[(EAN8, "each"), ("INT-PEN-7", "each")])
    floor.item("CAN", barcodes=[(UPC_A, "each")])
    floor.item("MILK", barcodes=[(GTIN_WITH_LOT[1:], "each")], tracking=Tracking.lot)
    floor.lot("MILK", "L42", date(2025, 12, 31))
    floor.container("PAL-0001", "B-01-01-1")
    floor.container(SSCC, "B-01-01-1")
    with floor.factory() as s, s.begin():
        s.get(Container, floor.container(SSCC).id).is_sscc = True
        user = access.create_user(s, username="operator1", role=Role.operator, badge="BADGE-77")
        access.create_user(s, username="gone", badge="BADGE-00").active = False
        floor.operator_id = user.id
    return floor


def scan(floor, raw, **kw):
    with floor.factory() as s:
        return resolve(s, raw, warehouse_id=floor.warehouse_id, **kw)


# -- locations -------------------------------------------------------------


def test_location_by_its_code(shop):
    result = scan(shop, "A-03-12-2")

    assert isinstance(result, LocationScan)
    assert result.kind is ScanKind.location
    assert result.code == "A-03-12-2"
    assert not result.check_digits_verified


@pytest.mark.parametrize("fmt", ["{code}{cd}", "{code} {cd}", "{code}-{cd}", "]C0{code}{cd}\r\n"])
def test_location_with_its_check_digits_is_verified(shop, fmt):
    cd = location_check_digits("A-03-12-2")

    result = scan(shop, fmt.format(code="A-03-12-2", cd=cd))

    assert isinstance(result, LocationScan)
    assert result.check_digits_verified
    assert result.location_id == shop.location("A-03-12-2").id


def test_wrong_check_digits_are_an_error_that_names_the_location(shop):
    wrong = f"{(int(location_check_digits('A-03-12-2')) + 1) % 100:02d}"

    result = scan(shop, f"A-03-12-2 {wrong}")

    assert isinstance(result, InvalidScan)
    assert result.code == "invalid_check_digit"
    assert "A-03-12-2" in result.message
    assert result.params["scanned"] == wrong


def test_numeric_location_code_with_check_digits_is_not_taken_for_a_gtin(shop):
    shop.location("120304", zone="N")

    result = scan(shop, "120304" + location_check_digits("120304"))

    assert isinstance(result, LocationScan) and result.check_digits_verified


def test_virtual_locations_cannot_be_scanned(shop):
    assert isinstance(scan(shop, "SUPPLIER"), UnrecognisedScan)


def test_a_location_of_another_warehouse_is_not_recognised(shop):
    with shop.factory() as s:
        result = resolve(s, "A-03-12-2", warehouse_id=shop.warehouse_id + 999)

    assert isinstance(result, UnrecognisedScan)


# -- items -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "sku", "uom"),
    [
        (EAN13, "TEA", "each"),
        ("]E0" + EAN13, "TEA", "each"),
        ("0" + EAN13, "TEA", "each"),  # the same GTIN as 14 digits (ITF-14)
        (CASE_GTIN, "TEA", "case"),
        (EAN8, "PEN", "each"),
        ("]E4" + EAN8, "PEN", "each"),
        ("0" + UPC_A, "CAN", "each"),  # UPC-A read as EAN-13
        ("INT-PEN-7", "PEN", "each"),
        ("PEN", "PEN", "each"),
    ],
)
def test_item_barcodes_in_every_length_internal_codes_and_skus(shop, raw, sku, uom):
    result = scan(shop, raw)

    assert isinstance(result, ItemScan)
    assert (result.sku, result.uom) == (sku, uom)
    assert result.item_id == shop.item(sku).id


def test_gtin_with_a_wrong_check_digit_is_an_error_with_the_expected_digit(shop):
    bad = EAN13[:-1] + str((int(EAN13[-1]) + 1) % 10)

    result = scan(shop, bad)

    assert isinstance(result, InvalidScan)
    assert result.code == "invalid_check_digit"
    assert result.params["expected"] == EAN13[-1]


def test_valid_but_unknown_gtin_is_not_recognised(shop):
    body = "590123412345"
    result = scan(shop, body + gs1_check_digit(body))

    assert isinstance(result, UnrecognisedScan)
    assert "not a known item" in result.message


# -- GS1 -------------------------------------------------------------------


def test_gs1_label_gives_item_lot_expiry_and_quantity(shop):
    result = scan(shop, f"]C101{GTIN_WITH_LOT}1725123130120|10L42")

    assert isinstance(result, Gs1Scan)
    assert result.kind is ScanKind.gs1
    assert result.sku == "MILK"
    assert result.lot_id == shop.lot("MILK", "L42").id
    assert (result.gs1.lot, result.gs1.expiry, result.gs1.count) == ("L42", date(2025, 12, 31), 120)


def test_gs1_label_with_a_new_lot_has_no_lot_id_yet(shop):
    result = scan(shop, f"]d201{GTIN_WITH_LOT}10NEW-1")

    assert isinstance(result, Gs1Scan)
    assert result.lot_id is None and result.gs1.lot == "NEW-1"


def test_gs1_typed_by_a_wedge_without_aim_ids_is_still_read(shop):
    result = scan(shop, f"01{GTIN_WITH_LOT}1725123110L42")

    assert isinstance(result, Gs1Scan)
    assert result.lot_id is not None


def test_gs1_with_content_gtin_uses_the_unit_of_that_barcode(shop):
    result = scan(shop, f"]C102{CASE_GTIN}375")

    assert isinstance(result, Gs1Scan)
    assert (result.sku, result.uom, result.gs1.count) == ("TEA", "case", 5)


def test_gs1_with_merged_fields_is_an_error_not_a_wrong_lot(shop):
    result = scan(shop, f"]C101{GTIN_WITH_LOT}10LOT-4221SN1")

    assert isinstance(result, InvalidScan)
    assert result.code == "gs1_fields_merged"


def test_gs1_with_a_bad_gtin_check_digit_is_an_error(shop):
    result = scan(shop, "]C10109501101530008")

    assert isinstance(result, InvalidScan) and result.code == "invalid_check_digit"


def test_gs1_of_an_unknown_item_is_not_recognised(shop):
    result = scan(shop, "]C10105901234123457")

    assert isinstance(result, UnrecognisedScan)


def test_plain_code_128_is_never_read_as_gs1(shop):
    assert isinstance(scan(shop, f"]C001{GTIN_WITH_LOT}"), UnrecognisedScan)


# -- containers ------------------------------------------------------------


def test_container_by_code(shop):
    result = scan(shop, "PAL-0001")

    assert isinstance(result, ContainerScan)
    assert result.known and result.code == "PAL-0001"
    assert result.location_id == shop.location("B-01-01-1").id


@pytest.mark.parametrize("raw", [SSCC, f"]C100{SSCC}", f"(00){SSCC}"])
def test_container_by_sscc_bare_or_in_ai_00(shop, raw):
    result = scan(shop, raw)

    assert isinstance(result, ContainerScan)
    assert result.container_id == shop.container(SSCC).id
    assert result.sscc == SSCC


def test_new_valid_sscc_is_a_container_not_yet_known(shop):
    body = "03456789000000001"
    result = scan(shop, body + gs1_check_digit(body))

    assert isinstance(result, ContainerScan)
    assert not result.known


def test_sscc_with_a_wrong_check_digit_is_an_error(shop):
    result = scan(shop, SSCC[:-1] + "5")

    assert isinstance(result, InvalidScan) and result.code == "invalid_check_digit"


# -- badges and commands ---------------------------------------------------


def test_badge_gives_the_user_and_never_echoes_the_badge(shop):
    result = scan(shop, "BADGE-77\n")

    assert isinstance(result, BadgeScan)
    assert result.user_id == shop.operator_id
    assert BADGE_REDACTED == result.raw == result.text
    assert "BADGE-77" not in repr(result)


def test_badge_of_an_inactive_user_is_not_recognised(shop):
    assert isinstance(scan(shop, "BADGE-00"), UnrecognisedScan)


@pytest.mark.parametrize(
    ("raw", "command"), [("CMD:SHORT", Command.short), ("cmd:done", Command.done)]
)
def test_command_barcodes(shop, raw, command):
    result = scan(shop, raw)

    assert isinstance(result, CommandScan)
    assert result.command is command
    assert Command.short.barcode == "CMD:SHORT"


def test_unknown_command_is_not_recognised(shop):
    result = scan(shop, "CMD:DANCE")

    assert isinstance(result, UnrecognisedScan)
    assert "command" in result.message


# -- nothing ---------------------------------------------------------------


@pytest.mark.parametrize("raw", ["", "   \r\n", "HELLO", "Z-99-99-9", "12345", "]Q1hello"])
def test_unknown_input_is_not_recognised_and_never_raises(shop, raw):
    result = scan(shop, raw)

    assert isinstance(result, UnrecognisedScan)
    assert result.kind is ScanKind.not_recognised
    assert result.message
