import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from danso.vietnamese import (
    EN,
    VI,
    AmbiguousNumber,
    MixedConventions,
    block_convention,
    fold,
    format_number,
    parse_decimal,
    parse_integer,
    parse_number,
    readings,
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Quận Long Biên", "quan long bien"),
        ("Ứng Hòa", "ung hoa"),
        ("Ứng Hoà", "ung hoa"),  # the tone mark on the other vowel
        ("ĐẮK LẮK", "dak lak"),
        ("  Phường   Điện  Biên ", "phuong dien bien"),
        (unicodedata.normalize("NFD", "Ứng Hòa"), "ung hoa"),  # decomposed input
    ],
)
def test_fold_ignores_case_diacritics_and_tone_position(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (416950, 0, "416.950"),
        (380350, 0, "380.350"),
        (0.15, 2, "0,15"),
        (6.56, 2, "6,56"),
        (-1234567.891, 1, "-1.234.567,9"),
        (2.125, 2, "2,13"),
        (999, 0, "999"),
        (Decimal("1000"), 0, "1.000"),
        (None, 0, ""),
    ],
)
def test_format_number_vietnamese_style(value: object, decimals: int, text: str) -> None:
    assert format_number(value, decimals) == text  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("416.950", 416950),
        ("42,000", 42000),
        ("416 950", 416950),
        ("7", 7),
        (7.0, 7),
        (12, 12),
        ("1.234.567", 1234567),
    ],
)
def test_parse_integer_reads_both_styles(raw: object, value: int) -> None:
    assert parse_integer(raw) == value


@pytest.mark.parametrize("raw", ["0,15", "1.5", "abc", "", 2.5, True, "12.34"])
def test_parse_integer_refuses_what_is_not_a_whole_number(raw: object) -> None:
    with pytest.raises(ValueError, match="number"):
        parse_integer(raw)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_formatted_integers_parse_back(value: int) -> None:
    assert parse_integer(format_number(value)) == value


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("416.950", Decimal("416950")),
        ("416950", Decimal("416950")),
        ("0,15", Decimal("0.15")),
        ("−0,15", Decimal("-0.15")),
        ("-0,15", Decimal("-0.15")),
        ("1.234.567,89", Decimal("1234567.89")),
        ("0.15", Decimal("0.15")),  # a decimal point: it cannot be Vietnamese grouping
        ("1,234.5", Decimal("1234.5")),
        ("2,1", Decimal("2.1")),
        ("416 950", Decimal("416950")),
    ],
)
def test_numbers_typed_the_vietnamese_way(text: str, number: Decimal) -> None:
    assert parse_decimal(text) == number


@pytest.mark.parametrize("text", ["1,234", "416,950", "-1,500"])
def test_a_number_that_reads_two_ways_is_refused(text: str) -> None:
    with pytest.raises(AmbiguousNumber):
        parse_decimal(text)


@pytest.mark.parametrize("text", ["", "abc", "1.2.3", "1,2,3", "12.34.5", "--1"])
def test_what_is_not_a_number_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a number"):
        parse_decimal(text)


# ----------------------------------------------------------------------------- one rule
# (issue 14, point 8: the module's rule, for whole numbers and decimals alike)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("416.950", 416950),
        ("416,950", 416950),  # a count has no decimals: only the English reading is one
        ("416 950", 416950),
        ("1.234.567", 1234567),
        ("1,234,567", 1234567),
        ("−1.500", -1500),
    ],
)
def test_a_whole_number_field_reads_a_three_digit_group_as_thousands(
    text: str, number: int
) -> None:
    assert parse_integer(text) == number
    assert parse_number(text, whole=True) == number


@pytest.mark.parametrize("text", ["0,15", "1.5", "7.0", "416,9"])
def test_a_whole_number_field_refuses_a_fraction(text: str) -> None:
    with pytest.raises(ValueError, match="not a whole number"):
        parse_integer(text)


@pytest.mark.parametrize(
    ("text", "number"),
    [("0,150", Decimal("0.15")), ("0.150", Decimal("0.15")), ("1 234,5", Decimal("1234.5"))],
)
def test_a_leading_zero_is_never_a_thousands_group(text: str, number: Decimal) -> None:
    assert parse_decimal(text) == number


def test_a_decimal_field_reads_416_950_with_a_dot_as_thousands_and_refuses_the_comma() -> None:
    assert readings("416.950") == {VI: Decimal("416950"), EN: Decimal("416.950")}
    assert parse_decimal("416.950") == 416950
    with pytest.raises(AmbiguousNumber):
        parse_decimal("416,950")


@pytest.mark.parametrize(
    ("cells", "convention"),
    [
        ([("416.950", False), ("0,15", False)], VI),
        ([("416,950", False), ("0.15", False)], EN),
        ([("416,950", True), ("21,029", True)], EN),  # counts: only English reads them
        ([("416.950", True)], VI),
        ([("416.950", False), ("12", False)], None),  # nothing tells
        ([("", False), ("abc", False)], None),
    ],
)
def test_a_block_tells_its_convention(cells: list[tuple[str, bool]], convention: str) -> None:
    assert block_convention(cells) == convention


def test_a_block_of_both_conventions_is_refused() -> None:
    with pytest.raises(MixedConventions):
        block_convention([("0,15", False), ("0.15", False)])


def test_a_block_convention_reads_every_cell_that_way() -> None:
    # English Excel: 416,950 persons and 0.15 points; "1.500" is then one and a half
    assert parse_number("416,950", convention=EN) == 416950
    assert parse_number("1.500", convention=EN) == Decimal("1.5")
    assert parse_number("1,500", convention=VI) == Decimal("1.5")
    with pytest.raises(ValueError, match="not a number"):
        parse_number("1.234,5", convention=EN)
