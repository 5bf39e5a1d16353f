"""Life tables: Preston et al. (2001) Box 3.1, Coale–Demeny nax (Table 3.3), validation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from danso.demography import coale_demeny_nax, life_table, life_table_from_rates

# Preston, Heuveline & Guillot (2001), Box 3.1, p. 49: Austria, males, 1992 (data from
# United Nations 1994): population, deaths, the nax the book uses (Coale–Demeny under 5,
# values from Keyfitz & Flieger 1971 above, 1/m for 85+) and the published lx and e0 = 72.89.
# The numbers were checked against two public reproductions of the box: G. Rodríguez's
# Princeton course page (grodri/grodri.github.io, demography/periodlt.html, which prints the
# same N, D, nax, the same lx and e0 = 72.889) and the lx column of the R package pash
# (jschoeley/pash, R/example_data.R, ``prestons_lx``, source "Preston … 2001 … p. 51").
AUSTRIA_AGES = [0, 1, *range(5, 90, 5)]
AUSTRIA_WIDTHS = [1, 4, *([5] * 16), math.inf]
AUSTRIA_POPULATION = [
    47925, 189127, 234793, 238790, 254996, 326831, 355086, 324222, 269963, 261971,
    238011, 261612, 181385, 187962, 153832, 105169, 73694, 57512, 32248,
]  # fmt: skip
AUSTRIA_DEATHS = [
    419, 70, 36, 46, 249, 420, 403, 441, 508, 769,
    1154, 1866, 2043, 3496, 4366, 4337, 5279, 6460, 6146,
]  # fmt: skip
AUSTRIA_NAX = [
    0.068, 1.626, 2.5, 3.143, 2.724, 2.520, 2.481, 2.601, 2.701, 2.663,
    2.698, 2.676, 2.645, 2.624, 2.619, 2.593, 2.518, 2.423, 5.247,
]  # fmt: skip
AUSTRIA_LX = [
    100000, 99133, 98986, 98910, 98815, 98334, 97704, 97151, 96492, 95588,
    94195, 91937, 88711, 83845, 76377, 66225, 53803, 37441, 21134,
]  # fmt: skip


def test_box_3_1_austrian_males_1992() -> None:
    table = life_table(
        AUSTRIA_AGES, AUSTRIA_WIDTHS, AUSTRIA_POPULATION, AUSTRIA_DEATHS, AUSTRIA_NAX
    )
    # Every lx matches the book's integer exactly; no entry needs a tolerance.
    assert [round(v) for v in table.lx] == AUSTRIA_LX
    assert round(table.e0, 2) == 72.89
    # Open group 85+: q = 1, everybody dies, L = l / m, a = 1 / m (the book's 5.247).
    assert table.qx[-1] == 1.0
    assert table.dx[-1] == table.lx[-1]
    assert table.nLx[-1] == pytest.approx(table.lx[-1] / table.mx[-1], rel=1e-15)
    assert round(table.nax[-1], 3) == 5.247
    assert round(table.ex[-1], 3) == 5.247  # e(85) = 1 / m(85+)
    # Identities of the table.
    np.testing.assert_allclose(table.Tx[0], table.nLx.sum(), rtol=1e-14)
    np.testing.assert_allclose(table.dx.sum(), table.radix, rtol=1e-14)
    np.testing.assert_allclose(table.px, 1 - table.qx)


def test_box_3_1_default_nax_under_five_are_the_published_coale_demeny_values() -> None:
    """The book's 1a0 = 0.068 and 4a1 = 1.626 are Table 3.3's male formulas at 1m0."""
    table = life_table(AUSTRIA_AGES, AUSTRIA_WIDTHS, AUSTRIA_POPULATION, AUSTRIA_DEATHS, sex="male")
    assert round(table.nax[0], 3) == 0.068
    assert round(table.nax[1], 3) == 1.626
    assert table.nax[2] == 2.5  # half the interval elsewhere
    assert table.open_age == 85


@pytest.mark.parametrize(
    ("m0", "sex", "expected"),
    [
        # Preston et al. Table 3.3: below 1m0 = 0.107 linear in 1m0, above it constant.
        (0.05, "male", (0.045 + 2.684 * 0.05, 1.651 - 2.816 * 0.05)),
        (0.05, "female", (0.053 + 2.800 * 0.05, 1.522 - 1.518 * 0.05)),
        (0.2, "male", (0.330, 1.352)),
        (0.2, "female", (0.350, 1.361)),
        (0.107, "male", (0.330, 1.352)),
        (0.107, "female", (0.350, 1.361)),
        (0.2, "both", ((0.330 + 0.350) / 2, (1.352 + 1.361) / 2)),
        (0.0, "both", ((0.045 + 0.053) / 2, (1.651 + 1.522) / 2)),
    ],
)
def test_coale_demeny_nax(m0: float, sex: str, expected: tuple[float, float]) -> None:
    assert coale_demeny_nax(m0, sex) == pytest.approx(expected, rel=1e-15)  # type: ignore[arg-type]


def test_coale_demeny_rounded_examples() -> None:
    assert coale_demeny_nax(0.05, "male") == pytest.approx((0.1792, 1.5102))
    assert coale_demeny_nax(0.05, "female") == pytest.approx((0.193, 1.4461))


def test_coale_demeny_default_is_the_average_of_both_sexes() -> None:
    male = coale_demeny_nax(0.03, "male")
    female = coale_demeny_nax(0.03, "female")
    both = coale_demeny_nax(0.03)
    assert both == pytest.approx(((male[0] + female[0]) / 2, (male[1] + female[1]) / 2))


def test_coale_demeny_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="m0 must not be negative"):
        coale_demeny_nax(-0.1)
    with pytest.raises(ValueError, match="sex must be one of"):
        coale_demeny_nax(0.1, "men")  # type: ignore[arg-type]


def test_first_group_of_five_years_gets_half_its_width() -> None:
    table = life_table_from_rates([0, 5, 10], [5, 5, math.inf], [0.01, 0.001, 0.1])
    assert table.nax[0] == 2.5
    assert table.nax[1] == 2.5


def test_complete_table_uses_1a0_but_not_4a1() -> None:
    table = life_table_from_rates([0, 1, 2], [1, 1, math.inf], [0.02, 0.001, 0.2], sex="female")
    assert table.nax[0] == pytest.approx(0.053 + 2.8 * 0.02)
    assert table.nax[1] == 0.5


def test_hand_computed_small_table() -> None:
    # m = 0.1 on [0, 10) with a = 5: q = 10·0.1 / (1 + 5·0.1) = 2/3; l10 = 1/3 of radix.
    table = life_table_from_rates([0, 10], [10, math.inf], [0.1, 0.5], [5, 0], radix=1)
    np.testing.assert_allclose(table.qx, [2 / 3, 1])
    np.testing.assert_allclose(table.lx, [1, 1 / 3])
    np.testing.assert_allclose(table.dx, [2 / 3, 1 / 3])
    # L0 = 10·l10 + 5·d0 = 10/3 + 10/3; open: L = l / m = (1/3) / 0.5.
    np.testing.assert_allclose(table.nLx, [20 / 3, 2 / 3])
    np.testing.assert_allclose(table.ex, [22 / 3, 2])


def test_zero_population_and_zero_deaths_is_a_zero_rate() -> None:
    table = life_table([0, 5, 10], [5, 5, math.inf], [100, 0, 50], [1, 0, 5])
    assert table.mx[1] == 0
    assert table.qx[1] == 0


def test_results_are_read_only() -> None:
    table = life_table(AUSTRIA_AGES, AUSTRIA_WIDTHS, AUSTRIA_POPULATION, AUSTRIA_DEATHS)
    with pytest.raises(ValueError, match="read-only"):
        table.lx[0] = 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (([0, 5], [5, math.inf], [10, 10, 10], [1, 1, 1]), "same number of age groups"),
        (([0, 5], [5, math.inf], [10, -1], [1, 1]), "population must not be negative"),
        (([0, 5], [5, math.inf], [10, 10], [-1, 1]), "deaths must not be negative"),
        (([0, 5, 10], [5, 5, math.inf], [10, 0, 5], [1, 2, 1]), "2 deaths but no population"),
        (([0, 5], [5, math.inf], [10, 0], [1, 0]), "open age group .* no population"),
        (([0, 5], [5, math.inf], [10, 10], [1, 0]), "must be positive"),
        (([1, 5], [4, math.inf], [10, 10], [1, 1]), "must start at age 0"),
        (([0, 5], [5, 5], [10, 10], [1, 1]), "last age group must be open"),
        (([0, 6], [5, math.inf], [10, 10], [1, 1]), "contiguous"),
        (([0, 5, 10], [5, math.inf, math.inf], [1, 1, 1], [0, 0, 1]), "finite and positive"),
        (([[0, 5]], [5, math.inf], [10, 10], [1, 1]), "one-dimensional"),
        (([0, 5], [5, math.inf], [10, float("nan")], [1, 1]), "finite"),
        (([0, 5], [5, math.inf], [10, 10], [9, 1]), "q would exceed 1"),
    ],
)
def test_validation(arguments: tuple[object, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        life_table(*arguments)  # type: ignore[arg-type]


def test_nax_validation() -> None:
    with pytest.raises(ValueError, match="between 0 and the width"):
        life_table([0, 5], [5, math.inf], [10, 10], [1, 1], nax=[6, 0])
    with pytest.raises(ValueError, match="same number of age groups"):
        life_table([0, 5], [5, math.inf], [10, 10], [1, 1], nax=[2.5])
    with pytest.raises(ValueError, match="sex must be one of"):
        life_table([0, 5], [5, math.inf], [10, 10], [1, 1], sex="x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="radix must be positive"):
        life_table([0, 5], [5, math.inf], [10, 10], [1, 1], radix=0)


def test_given_open_group_nax_is_replaced_by_one_over_m() -> None:
    table = life_table([0, 5], [5, math.inf], [10, 10], [1, 2], nax=[2.5, float("nan")])
    assert table.nax[-1] == pytest.approx(5.0)
