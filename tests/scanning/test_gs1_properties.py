"""Properties: what a label encodes is what the parser reads back, or the scan is refused."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wms.scanning.checkdigits import gs1_check_digit
from wms.scanning.gs1 import GS, Gs1Data, Gs1Error, Gs1FieldsMerged, parse_gs1

#: GS1 character set 82, which variable-length fields such as lot and serial use.
CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
THIS_YEAR = date.today().year

gtins = st.text("0123456789", min_size=13, max_size=13).map(lambda b: b + gs1_check_digit(b))
cset82 = st.text(CSET82, min_size=1, max_size=20)
dates = st.dates(date(THIS_YEAR - 40, 1, 1), date(THIS_YEAR + 40, 12, 31))

# field name -> (strategy, encoder to (ai, data, variable length?))
FIELDS = {
    "lot": (cset82, lambda v: ("10", v, True)),
    "serial": (cset82, lambda v: ("21", v, True)),
    "expiry": (dates, lambda v: ("17", v.strftime("%y%m%d"), False)),
    "best_before": (dates, lambda v: ("15", v.strftime("%y%m%d"), False)),
    "production_date": (dates, lambda v: ("11", v.strftime("%y%m%d"), False)),
    "count": (st.integers(0, 99_999_999), lambda v: ("30", str(v), True)),
    "net_weight_g": (st.integers(0, 999_999), lambda v: ("3103", f"{v:06d}", False)),
}


@st.composite
def labels(draw):
    """A GS1 label: a GTIN, some other fields in any order, a separator choice."""
    names = draw(st.lists(st.sampled_from(sorted(FIELDS)), unique=True, max_size=len(FIELDS)))
    values = {name: draw(FIELDS[name][0]) for name in names}
    values["gtin"] = draw(gtins)
    order = draw(st.permutations(["gtin", *names]))
    parts = [
        ("01", values["gtin"], False) if n == "gtin" else FIELDS[n][1](values[n]) for n in order
    ]
    return values, parts


def encode(parts, separator):
    out = []
    for i, (ai, data, variable) in enumerate(parts):
        out.append(ai + data)
        if variable and i < len(parts) - 1:
            out.append(separator)
    return "".join(out)


def read_back(data: Gs1Data) -> dict:
    return {
        name: getattr(data, name) for name in ["gtin", *FIELDS] if getattr(data, name) is not None
    }


@settings(max_examples=200, deadline=None)
@given(labels(), st.sampled_from([GS, "|"]), st.sampled_from(["", "]C1", "]d2", "]Q3"]))
def test_a_label_reads_back_as_encoded_or_is_refused_as_ambiguous(label, separator, prefix):
    values, parts = label
    text = prefix + encode(parts, separator)

    try:
        data = parse_gs1(text)
    except Gs1FieldsMerged:
        # Only allowed when nothing proves the scanner sends separators.
        assert separator not in text and parts[-1][2]
        return

    assert read_back(data) == values


@settings(max_examples=200, deadline=None)
@given(labels(), st.sampled_from([GS, "|"]))
def test_a_label_from_a_scanner_known_to_send_separators_always_reads_back(label, separator):
    values, parts = label

    data = parse_gs1(encode(parts, separator), separators_reliable=True)

    assert read_back(data) == values


@settings(max_examples=200, deadline=None)
@given(labels())
def test_dropped_separators_never_give_silently_wrong_data(label):
    values, parts = label
    needs_separator = any(variable for _, _, variable in parts[:-1])

    text = encode(parts, "")

    if not needs_separator:
        try:
            assert read_back(parse_gs1(text)) == values
        except Gs1FieldsMerged:
            assert parts[-1][2], "only a variable-length last field can look merged"
        return
    with pytest.raises(Gs1Error):
        parse_gs1(text)
