"""Numbers in either style: what separates thousands depends on what is counted."""

from __future__ import annotations

from decimal import Decimal

import pytest

from danso.plans.reading.numbers import parse_count, parse_rate, parse_value


@pytest.mark.parametrize(
    ("written", "count"),
    [
        ("416.950", 416950),
        ("42,000", 42000),
        ("416950", 416950),
        (" 1 050 ", 1050),
        (7.0, 7),
        (12, 12),
    ],
)
def test_counts_in_either_style(written: str | float, count: int) -> None:
    assert parse_count(written) == count


@pytest.mark.parametrize("written", ["1.05", "0,15", "", "một", 2.5])
def test_what_is_not_a_count(written: str | float) -> None:
    with pytest.raises(ValueError, match=r"not a whole number|not a number"):
        parse_count(written)


@pytest.mark.parametrize(
    ("written", "rate"),
    [
        ("0,15", Decimal("0.15")),
        ("0.10", Decimal("0.10")),
        ("-7.5", Decimal("-7.5")),
        ("−7,5", Decimal("-7.5")),
        ("85%", Decimal("85")),
        ("70,0", Decimal("70.0")),
        ("1.234,5", Decimal("1234.5")),
        ("1,234.5", Decimal("1234.5")),
        ("1.234.567", Decimal("1234567")),
        (0.45, Decimal("0.45")),
        (89, Decimal("89")),
    ],
)
def test_rates_take_a_lone_separator_as_the_decimal_point(
    written: str | float, rate: Decimal
) -> None:
    assert parse_rate(written) == rate


def test_a_rate_that_is_not_a_number() -> None:
    with pytest.raises(ValueError, match="not a number"):
        parse_rate("không quá")


def test_the_same_text_reads_by_what_it_counts() -> None:
    assert parse_value("416.950", is_count=True) == Decimal(416950)
    assert parse_value("416.950", is_count=False) == Decimal("416.950")
