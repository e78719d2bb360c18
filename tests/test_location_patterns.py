"""Location patterns: how "A-01..20-1..5" becomes codes and walking coordinates (no database)."""

from decimal import Decimal

import pytest

from wms.errors import ValidationFailed
from wms.services.location_patterns import (
    aisle_index,
    bay_place,
    count_pattern,
    expand_pattern,
    parse_pattern,
)


def codes(pattern: str, **kw) -> list[str]:
    return [spec.code for spec in expand_pattern(pattern, **kw)]


def test_aisle_bays_and_levels_make_one_location_each():
    made = codes("A-01..20-1..5")

    assert len(made) == 100 == count_pattern("A-01..20-1..5")
    assert made[:6] == ["A-01-1", "A-01-2", "A-01-3", "A-01-4", "A-01-5", "A-02-1"]
    assert made[-1] == "A-20-5"


def test_a_range_keeps_the_width_of_its_first_number():
    assert parse_pattern("B-08..11") == [["B"], ["08", "09", "10", "11"]]
    assert parse_pattern("B-8..11") == [["B"], ["8", "9", "10", "11"]]


def test_letter_ranges_lists_and_lower_case_are_understood():
    assert codes("a..c-1,3") == ["A-1", "A-3", "B-1", "B-3", "C-1", "C-3"]


def test_four_parts_are_aisle_bay_level_position():
    spec = next(expand_pattern("C-03-12-2"))

    assert (spec.aisle, spec.bay, spec.level, spec.position) == ("C", "03", "12", "2")
    assert spec.aisle_index == 2


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("", "write the pattern like"),
        ("A-20..01", "from low to high"),
        ("A-1-1-1-1", "at most 4 parts"),
        ("A-01..0x", "write the pattern like"),
        ("A-1,1", "appears twice"),
        ("A--1", "write the pattern like"),
        ("Z..A", "from low to high"),
    ],
)
def test_a_bad_pattern_is_refused_with_a_reason(pattern, message):
    with pytest.raises(ValidationFailed) as refused:
        count_pattern(pattern)

    assert refused.value.errors[0].field == "pattern"
    assert message in refused.value.errors[0].message


def test_a_huge_pattern_is_counted_without_being_built():
    assert count_pattern("A..Z-0001..9999-1..9") == 26 * 9999 * 9


def test_aisles_are_numbered_from_zero_whether_letters_or_digits():
    assert [aisle_index(a) for a in ("A", "B", "Z", "AA", "01", "7")] == [0, 1, 25, 26, 0, 6]
    assert next(expand_pattern("DOCK1")).aisle_index is None


def test_bays_on_one_side_follow_each_other_along_the_aisle():
    specs = list(expand_pattern("A-1..3", bay_width=Decimal("1.5")))

    assert [(s.x, s.side) for s in specs] == [
        (Decimal("0.75"), 0), (Decimal("2.25"), 0), (Decimal("3.75"), 0)
    ]


def test_odd_and_even_bays_face_each_other_across_the_aisle():
    places = [bay_place(b, bay_width=Decimal(2), sides="both") for b in ("1", "2", "3", "4")]

    assert places == [(Decimal(1), 0), (Decimal(1), 1), (Decimal(3), 0), (Decimal(3), 1)]


def test_a_bay_width_must_be_positive():
    with pytest.raises(ValidationFailed):
        list(expand_pattern("A-1..2", bay_width=Decimal(0)))
