"""The built-in model table (Coale–Demeny West) and life tables entered by people."""

from __future__ import annotations

import pytest

from danso.demography import life_table_from_rates
from danso.projections.lifetables import abridged_labels, entered_table, parse_values
from danso.projections.modeltables import (
    DEFAULT_E0,
    WEST_LEVELS_E10,
    vietnam_like,
    west_life_table,
)


@pytest.mark.parametrize("level", [1, 5, 13, 21, 25])
def test_the_west_female_levels_have_their_published_life_expectancy(level: int) -> None:
    # Coale–Demeny's levels are spaced by 2.5 years of female e0: level 1 is 20, 25 is 80.
    table = west_life_table(WEST_LEVELS_E10["female"][level - 1], "female")
    assert table.e0 == pytest.approx(17.5 + 2.5 * level, abs=0.01)


def test_the_west_tables_can_stop_at_80_or_85_with_the_same_life_expectancy() -> None:
    e10 = WEST_LEVELS_E10["male"][20]
    assert west_life_table(e10, "male", 80).e0 == pytest.approx(west_life_table(e10, "male").e0)
    assert west_life_table(e10, "male").open_age == 85


def test_the_default_table_has_the_stated_life_expectancy() -> None:
    for sex in ("male", "female"):
        table = vietnam_like(sex)
        assert table.e0 == pytest.approx(DEFAULT_E0[sex], abs=0.01)
        assert table.qx[0] < 0.03  # an infant mortality of a few per cent at most


def test_an_nqx_table_with_its_life_expectancy_rebuilds_the_table_it_came_from() -> None:
    # given a table made from death rates
    source = vietnam_like("female")
    values = [*source.qx[:-1].tolist(), float(source.ex[-1])]
    # when its probabilities of dying and e85 are entered
    table = entered_table("nqx", values, 85, "female")
    # then the same table comes back (lx to rounding, e0 within a tenth of a year: the
    # entered table uses the default nax, not the West model's)
    assert table.lx / table.radix == pytest.approx(source.lx / source.radix, rel=1e-9)
    assert table.e0 == pytest.approx(source.e0, abs=0.1)


def test_an_mx_table_is_a_table_from_rates() -> None:
    rates = [0.02, 0.002, *[0.001] * 15, 0.1, 0.2]
    table = entered_table("mx", rates, 85, "male")
    expected = life_table_from_rates(
        [0, 1, *range(5, 90, 5)], [1, 4, *[5] * 16, float("inf")], rates, sex="male"
    )
    assert table.e0 == pytest.approx(expected.e0)


@pytest.mark.parametrize(
    ("kind", "values", "message"),
    [
        ("nqx", [0.1] * 5, "19 values are needed"),
        ("nqx", [1.2, *[0.1] * 17, 5.0], "between 0 and 1"),
        ("nqx", [0.1] * 18 + [0.0], "life expectancy"),
        ("mx", [-0.1, *[0.1] * 18], "negative"),
    ],
)
def test_a_wrong_table_is_refused_with_its_reason(
    kind: str, values: list[float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        entered_table(kind, values, 85, "male")


def test_values_are_read_with_a_decimal_comma_and_labels_follow_the_open_age() -> None:
    assert parse_values("0,0123 0.002\n0,5; 7") == [0.0123, 0.002, 0.5, 7.0]
    assert abridged_labels(80)[:3] == ["0", "1-4", "5-9"]
    assert abridged_labels(80)[-1] == "80+"
    with pytest.raises(ValueError, match="not a number"):
        parse_values("0,1 abc")
