"""Survival ratios and the regrouping of life tables for projection."""

from __future__ import annotations

import math

import numpy as np
import pytest

from danso.demography import (
    collapse_open_group,
    five_year_nLx,
    group_nLx,
    life_table,
    life_table_from_rates,
    survival_from_life_table,
    survival_ratios,
)
from tests.demography.test_lifetable import (
    AUSTRIA_AGES,
    AUSTRIA_DEATHS,
    AUSTRIA_NAX,
    AUSTRIA_POPULATION,
    AUSTRIA_WIDTHS,
)


def test_survival_ratios_by_hand() -> None:
    # radix 1000, 5-year groups 0-4, 5-9, 10+ with 5L0 = 4800, 5L5 = 4700, T10 = 30000.
    ratios = survival_ratios([4800, 4700, 30000], radix=1000, interval=5)
    assert ratios.shape == (3,)
    np.testing.assert_allclose(ratios, [4800 / 5000, 4700 / 4800, 30000 / 34700])


def test_survival_ratios_with_single_year_groups() -> None:
    ratios = survival_ratios([0.99, 0.985, 0.98, 40], radix=1, interval=1)
    np.testing.assert_allclose(ratios, [0.99, 0.985 / 0.99, 0.98 / 0.985, 40 / 40.98])


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (([5000],), "at least two age groups"),
        (([5000, 0, 100],), "positive in every age group"),
        (([[5000, 4000]],), "one-dimensional"),
        (([5000, 4000], 0), "radix and interval must be positive"),
    ],
)
def test_survival_ratios_validation(arguments: tuple[object, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        survival_ratios(*arguments)  # type: ignore[arg-type]


def test_five_year_nLx_adds_1L0_and_4L1() -> None:
    table = life_table(
        AUSTRIA_AGES, AUSTRIA_WIDTHS, AUSTRIA_POPULATION, AUSTRIA_DEATHS, AUSTRIA_NAX
    )
    grouped = five_year_nLx(table)
    assert grouped.shape == (18,)
    assert grouped[0] == pytest.approx(table.nLx[0] + table.nLx[1], rel=1e-15)
    np.testing.assert_array_equal(grouped[1:], table.nLx[2:])
    assert grouped.sum() == pytest.approx(table.Tx[0], rel=1e-14)
    # Box 3.1 prints 1L0 = 99,192 and 4L1 = 396,183 (G. Rodríguez's reproduction).
    assert round(table.nLx[0]) == 99192
    assert round(table.nLx[1]) == 396183

    survival = survival_from_life_table(table)
    assert survival[0] == pytest.approx(grouped[0] / 500_000)
    assert survival[-1] == pytest.approx(grouped[-1] / (grouped[-2] + grouped[-1]))


def test_lower_open_age_folds_the_table_into_T() -> None:
    table = life_table(
        AUSTRIA_AGES, AUSTRIA_WIDTHS, AUSTRIA_POPULATION, AUSTRIA_DEATHS, AUSTRIA_NAX
    )
    grouped = five_year_nLx(table, open_age=80)
    assert grouped.shape == (17,)
    assert grouped[-1] == pytest.approx(table.Tx[-2], rel=1e-15)  # T80 = 5L80 + L85+
    survival = survival_from_life_table(table, open_age=80)
    assert survival.shape == (17,)
    assert survival[-1] == pytest.approx(table.Tx[-2] / (table.nLx[-3] + table.Tx[-2]))


def test_higher_open_age_than_the_table_is_refused() -> None:
    table = life_table(
        AUSTRIA_AGES, AUSTRIA_WIDTHS, AUSTRIA_POPULATION, AUSTRIA_DEATHS, AUSTRIA_NAX
    )
    with pytest.raises(ValueError, match="above the life table's"):
        five_year_nLx(table, open_age=90)


def test_open_age_must_be_a_multiple_of_the_width() -> None:
    table = life_table_from_rates([0, 1, 5, 10], [1, 4, 5, math.inf], [0.01, 0.001, 0.001, 0.1])
    with pytest.raises(ValueError, match="multiple of width"):
        group_nLx(table, 5, open_age=7)


def test_groups_that_straddle_a_boundary_are_refused() -> None:
    table = life_table_from_rates([0, 3, 10], [3, 7, math.inf], [0.01, 0.001, 0.1])
    with pytest.raises(ValueError, match="no age group starting at 5"):
        five_year_nLx(table)


def test_complete_table_is_grouped_into_five_year_groups() -> None:
    ages = np.arange(0, 11)
    widths = [1.0] * 10 + [math.inf]
    rates = np.linspace(0.001, 0.01, 11)
    table = life_table_from_rates(ages, widths, rates, sex="female")
    grouped = five_year_nLx(table)
    np.testing.assert_allclose(
        grouped, [table.nLx[:5].sum(), table.nLx[5:10].sum(), table.nLx[10]], rtol=1e-15
    )


def test_collapse_open_group() -> None:
    ages = [0, 5, 10, 15]
    np.testing.assert_array_equal(collapse_open_group([1, 2, 3, 4], ages, 10), [1, 2, 7])
    np.testing.assert_array_equal(
        collapse_open_group([[1, 2, 3, 4], [5, 6, 7, 8]], ages, 5), [[1, 9], [5, 21]]
    )
    with pytest.raises(ValueError, match="must be the start of one of the age groups"):
        collapse_open_group([1, 2, 3, 4], ages, 12)
    with pytest.raises(ValueError, match="same number of age groups"):
        collapse_open_group([1, 2, 3], ages, 5)
