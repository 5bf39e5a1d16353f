"""Cohort-component projection and Leslie matrix.

Published examples reproduced here (Preston, Heuveline & Guillot 2001, chapter 6):

* Box 6.1 (part 2), p. 125: projection of the female population of Sweden from 1993 to 1998
  without migration. Inputs (female population 1993, 5Lx of the female life table with l0 =
  100,000 and T85 as the last value, ASFR) are the file ``datasets/sweden93.dat`` of
  G. Rodríguez's Princeton course site (grodri/grodri.github.io); the projected 1998
  populations are printed in his computing log ``demography/project.html``
  ("Population Projections"), which says: "These results agree exactly with Box 6.1
  (part 2) in the text." He obtains them with a Leslie matrix and maternity rates
  ``f / 2.05``, i.e. 105 boys per 100 girls. The same log also projects to 2003 and gives
  the dominant eigenvalue 1.00111253 of the Leslie matrix; those are his own figures, not
  the book's, computed with the same inputs.
* Box 6.2: the same projection with net female migrants. Inputs, projected female 1998
  population and births by age of mother are from the UN Population Division's R package
  ccmppWPP (markalava/ccmppWPP, ``data-raw/sweden_1993.R``; documented in ``R/data.R`` as
  "based on the female life table and counts in Preston et. al, 2001, Ch. 6, Box 6.2"),
  whose test ``test_against_known_values.R`` ("All functions reproduce Preston et al. …
  Box 6.2") rounds its projection and compares it with these numbers, with half of the
  migrants added at the start and half at the end of the period. ccmppWPP also lists a
  "male" 1998 population, made by running the same female inputs as males; it is the
  package's construction, not the book's, and is used here only as a check of the split of
  births by sex.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from danso.demography import (
    leslie_matrix,
    project_cohort_component,
    survival_ratios,
)

# --- Sweden 1993, females (sweden93.dat; ccmppWPP data-raw/sweden_1993.R) -----------------
SWEDEN_FEMALE_1993 = np.array([
    293395, 248369, 240012, 261346, 285209, 314388, 281290, 286923, 304108,
    324946, 247613, 211351, 215140, 221764, 223506, 183654, 141990, 112424,
], dtype=float)  # fmt: skip
SWEDEN_NLX = np.array([
    497487, 497138, 496901, 496531, 495902, 495168, 494213, 492760, 490447,
    486613, 480665, 471786, 457852, 436153, 402775, 350358, 271512, 291707,
], dtype=float)  # fmt: skip
SWEDEN_ASFR = np.array(
    [0, 0, 0, 0.0120, 0.0908, 0.1499, 0.1125, 0.0441, 0.0074, 0.0003, *([0] * 8)]
)
SWEDEN_MIGRANTS = np.array([
    6840, 4150, 3365, 5270, 9240, 8230, 5470, 3155, 1770,
    1115, 1075, 845, 645, 530, 465, 300, 250, 175,
], dtype=float)  # fmt: skip
SWEDEN_SRB = 105.0  # the book's 1.05 boys per girl, in danso's boys per 100 girls

# Box 6.1 (part 2) as printed by G. Rodríguez, project.html (column p98), and his p03.
BOX_6_1_FEMALE_1998 = [
    293574, 293189, 248251, 239833, 261015, 284787, 313782, 280463, 285576,
    301731, 320974, 243039, 205109, 204944, 204793, 194419, 142324, 131768,
]  # fmt: skip
BOX_6_1_TOTAL_1998 = 4449570
RODRIGUEZ_FEMALE_2003 = [
    280121, 293368, 293049, 248066, 239529, 260629, 284238, 312859, 279147,
    283344, 298043, 315045, 235861, 195388, 189260, 178141, 150666, 141960,
]  # fmt: skip

# Box 6.2 as given by ccmppWPP data-raw/sweden_1993.R (PzF, Bx, PzM).
BOX_6_2_FEMALE_1998 = [
    302392, 298682, 252007, 244150, 268267, 293515, 320624, 284767, 288031,
    303166, 322062, 243989, 205841, 205516, 205270, 194771, 142565, 131966,
]  # fmt: skip
BOX_6_2_BIRTHS_BY_AGE = [0, 0, 0, 15244, 126688, 229354, 170057, 63203, 10971, 472, *[0] * 8]
CCMPPWPP_MALE_1998_FIRST_GROUP = 317340


def sweden_survival() -> np.ndarray:
    return survival_ratios(SWEDEN_NLX, radix=100_000)


def test_sweden_survival_ratios_follow_box_6_1() -> None:
    survival = sweden_survival()
    assert survival[0] == pytest.approx(497487 / 500000, rel=1e-15)
    assert survival[1] == pytest.approx(497138 / 497487, rel=1e-15)
    assert survival[-1] == pytest.approx(291707 / (271512 + 291707), rel=1e-15)


def test_box_6_1_sweden_closed_projection_1993_1998() -> None:
    result = project_cohort_component(
        SWEDEN_FEMALE_1993,
        SWEDEN_FEMALE_1993,
        sweden_survival(),
        sweden_survival(),
        SWEDEN_ASFR,
        SWEDEN_SRB,
    )
    assert [round(v) for v in result.female[1]] == BOX_6_1_FEMALE_1998
    assert round(result.female[1].sum()) == BOX_6_1_TOTAL_1998
    np.testing.assert_array_equal(result.female[0], SWEDEN_FEMALE_1993)


def test_box_6_1_leslie_matrix_and_ten_year_projection() -> None:
    matrix = leslie_matrix(sweden_survival(), SWEDEN_ASFR, SWEDEN_SRB)
    assert [round(v) for v in matrix @ SWEDEN_FEMALE_1993] == BOX_6_1_FEMALE_1998
    result = project_cohort_component(
        SWEDEN_FEMALE_1993,
        SWEDEN_FEMALE_1993,
        sweden_survival(),
        sweden_survival(),
        SWEDEN_ASFR,
        SWEDEN_SRB,
        steps=2,
    )
    assert [round(v) for v in result.female[2]] == RODRIGUEZ_FEMALE_2003
    dominant = max(abs(np.linalg.eigvals(matrix)))
    assert round(dominant, 8) == 1.00111253


def test_box_6_2_sweden_projection_with_migration() -> None:
    result = project_cohort_component(
        SWEDEN_FEMALE_1993,
        SWEDEN_FEMALE_1993,
        sweden_survival(),
        sweden_survival(),
        SWEDEN_ASFR,
        SWEDEN_SRB,
        migration_female=SWEDEN_MIGRANTS,
        migration_male=SWEDEN_MIGRANTS,
    )
    assert [round(v) for v in result.female[1]] == BOX_6_2_FEMALE_1998
    assert [round(v) for v in result.births_by_age[0]] == BOX_6_2_BIRTHS_BY_AGE
    assert round(result.male[1, 0]) == CCMPPWPP_MALE_1998_FIRST_GROUP
    # Same inputs for both sexes: only the first group differs, by the sex ratio at birth.
    np.testing.assert_allclose(result.male[1, 1:], result.female[1, 1:])
    assert result.births_male[0] / result.births_female[0] == pytest.approx(1.05)


def test_deaths_by_balance_equal_deaths_by_age() -> None:
    survival = sweden_survival()
    result = project_cohort_component(
        SWEDEN_FEMALE_1993,
        SWEDEN_FEMALE_1993 * 1.02,
        survival,
        survival,
        SWEDEN_ASFR,
        SWEDEN_SRB,
    )
    start = SWEDEN_FEMALE_1993
    by_age = (1 - survival[1:-1]) * start[:-2]
    open_group = (1 - survival[-1]) * (start[-2] + start[-1])
    infants = (1 - survival[0]) * result.births_female[0]
    expected = by_age.sum() + open_group + infants
    assert result.deaths_female[0] == pytest.approx(expected, rel=1e-12)
    assert result.deaths[0] == pytest.approx(
        result.deaths_female[0] + result.deaths_male[0], rel=1e-15
    )


def test_migration_half_at_start_and_half_at_end_by_hand() -> None:
    # Three groups, 5-year steps, 100 boys per 100 girls (half the births are girls).
    result = project_cohort_component(
        female=[100, 200, 300],
        male=[100, 100, 100],
        survival_female=[0.9, 0.8, 0.5],
        survival_male=[0.8, 0.5, 0.5],
        asfr=[0, 0.1, 0],
        srb=100,
        migration_female=[10, 20, -40],
    )
    # Exposed at the start: P + M/2 = [105, 210, 280].
    # Survivors: [_, 0.8·105, 0.5·(210 + 280)] = [_, 84, 245]; plus M/2: [_, 94, 225].
    # Births: 5 · 0.1 · (210 + 94) / 2 = 76, girls 38; first group 0.9·38 + 10/2 = 39.2.
    np.testing.assert_allclose(result.female[1], [39.2, 94, 225])
    np.testing.assert_allclose(result.births_by_age[0], [0, 76, 0])
    np.testing.assert_allclose(result.births, [76])
    np.testing.assert_allclose(result.births_female, [38])
    # Males: boys 38 → 0.8·38 = 30.4; 0.5·100 = 50; 0.5·(100 + 100) = 100.
    np.testing.assert_allclose(result.male[1], [30.4, 50, 100])
    # Deaths by balance: 600 − 10 + 38 − 358.2 = 269.8
    #                  = 0.2·105 + 0.5·490 + 0.1·38 (by age).
    np.testing.assert_allclose(result.deaths_female, [269.8])
    np.testing.assert_allclose(result.deaths_male, [300 + 38 - 180.4])
    np.testing.assert_allclose(result.net_migration, [-10])
    np.testing.assert_allclose(result.total, [900, 358.2 + 180.4])


def test_births_are_interval_times_asfr_times_mean_of_women_at_start_and_end() -> None:
    female = np.array([50.0, 80, 120, 90, 40])
    survival = np.array([0.95, 0.99, 0.98, 0.97, 0.6])
    rates = np.array([0, 0.02, 0.1, 0.05, 0])
    migrants = np.array([4.0, -6, 8, 2, -2])
    result = project_cohort_component(
        female, female, survival, survival, rates, 111, migrants, migrants
    )
    start = female + migrants / 2
    end = result.female[1]
    np.testing.assert_allclose(result.births_by_age[0], 5 * rates * (start + end) / 2)
    girls = result.births[0] * 100 / 211
    assert result.births_female[0] == pytest.approx(girls)
    assert end[0] == pytest.approx(0.95 * girls + 2)


def test_assumptions_may_vary_by_step() -> None:
    female = np.array([100.0, 100, 100, 100])
    male = np.array([90.0, 95, 100, 80])
    survival = np.array([[0.9, 0.95, 0.9, 0.5], [0.95, 0.97, 0.92, 0.55]])
    rates = np.array([[0, 0.1, 0.05, 0], [0, 0.05, 0.02, 0]])
    srb = np.array([112.0, 106.0])
    migrants = np.array([[1.0, 2, 3, 0], [0, -1, -2, 0]])
    both = project_cohort_component(
        female, male, survival, survival, rates, srb, migrants, migrants, steps=2
    )
    first = project_cohort_component(
        female, male, survival[0], survival[0], rates[0], srb[0], migrants[0], migrants[0]
    )
    second = project_cohort_component(
        first.female[1],
        first.male[1],
        survival[1],
        survival[1],
        rates[1],
        srb[1],
        migrants[1],
        migrants[1],
    )
    np.testing.assert_allclose(both.female[1], first.female[1])
    np.testing.assert_allclose(both.female[2], second.female[1])
    np.testing.assert_allclose(both.male[2], second.male[1])
    np.testing.assert_allclose(both.births, [first.births[0], second.births[0]])
    np.testing.assert_allclose(both.deaths, [first.deaths[0], second.deaths[0]])
    assert both.steps == 2
    assert both.female.shape == (3, 4)
    assert both.births_by_age.shape == (2, 4)


def test_results_are_read_only() -> None:
    result = project_cohort_component([1, 1], [1, 1], [1, 1], [1, 1], [0, 0], 105)
    with pytest.raises(ValueError, match="read-only"):
        result.female[0, 0] = 2


@st.composite
def leslie_inputs(
    draw: st.DrawFn,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
    groups = draw(st.integers(min_value=2, max_value=21))
    population = draw(
        hnp.arrays(
            np.float64,
            groups,
            elements=st.floats(0, 1e7, allow_nan=False, allow_subnormal=False),
        )
    )
    survival = draw(hnp.arrays(np.float64, groups, elements=st.floats(0, 1, allow_subnormal=False)))
    rates = draw(hnp.arrays(np.float64, groups, elements=st.floats(0, 0.5, allow_subnormal=False)))
    rates[0] = 0.0
    srb = draw(st.floats(50, 200))
    interval = draw(st.sampled_from([1.0, 5.0]))
    return population, survival, rates, srb, interval


@settings(max_examples=300, deadline=None)
@given(leslie_inputs())
def test_closed_projection_equals_leslie_matrix_product(
    inputs: tuple[np.ndarray, np.ndarray, np.ndarray, float, float],
) -> None:
    population, survival, rates, srb, interval = inputs
    projected = project_cohort_component(
        population, population, survival, survival, rates, srb, interval=interval
    )
    matrix = leslie_matrix(survival, rates, srb, interval=interval)
    np.testing.assert_allclose(matrix @ population, projected.female[1], rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"male": [1, 2]}, "same number of age groups"),
        ({"female": [1, -2, 3]}, "female must not be negative"),
        ({"survival_female": [1, 1]}, r"shape \(3,\) or \(1, 3\)"),
        ({"survival_male": [0.5, 1.2, 0.5]}, "between 0 and 1"),
        ({"asfr": [0.1, 0, 0]}, "0 in the first age group"),
        ({"asfr": [0, -0.1, 0]}, "asfr must not be negative"),
        ({"srb": 1.05}, "boys per one girl"),
        ({"srb": 250}, "between 50 and 200"),
        ({"srb": [105, 106]}, r"shape \(1,\)"),
        ({"migration_female": [0, -10, 0]}, "net emigration exceeds the female population"),
        ({"migration_male": [0, 0, -250]}, "net emigration exceeds the male population"),
        ({"steps": 0}, "steps must be a positive integer"),
        ({"steps": 1.5}, "steps must be a positive integer"),
        ({"interval": 0}, "interval must be positive"),
        ({"female": [1], "male": [1]}, "at least two age groups"),
    ],
)
def test_projection_validation(overrides: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {
        "female": [1, 2, 3],
        "male": [1, 2, 3],
        "survival_female": [0.9, 0.9, 0.5],
        "survival_male": [0.9, 0.9, 0.5],
        "asfr": [0, 0.1, 0],
        "srb": 105,
    }
    arguments.update(overrides)
    with pytest.raises(ValueError, match=message):
        project_cohort_component(**arguments)  # type: ignore[arg-type]


def test_second_half_of_emigrants_cannot_exceed_survivors() -> None:
    # 10 at the start, half of −18 leaves 1, survival 0.5 → 0.5, then −9 more: negative.
    with pytest.raises(ValueError, match="at the end of step 1"):
        project_cohort_component(
            [10, 10, 10], [10, 10, 10], [1, 0.5, 0.5], [1, 0.5, 0.5], [0, 0, 0], 105,
            migration_female=[0, -18, 0],
        )  # fmt: skip


def test_leslie_validation() -> None:
    with pytest.raises(ValueError, match="same number of age groups"):
        leslie_matrix([0.9, 0.9], [0, 0, 0], 105)
    with pytest.raises(ValueError, match="boys per 100 girls"):
        leslie_matrix([0.9, 0.9], [0, 0], 1.05)
    with pytest.raises(ValueError, match="0 in the first age group"):
        leslie_matrix([0.9, 0.9], [0.1, 0], 105)
    with pytest.raises(ValueError, match="at least two age groups"):
        leslie_matrix([0.9], [0], 105)


def test_leslie_structure() -> None:
    matrix = leslie_matrix([0.9, 0.8, 0.7, 0.4], [0, 0.1, 0.2, 0.05], 100, interval=5)
    np.testing.assert_allclose(np.diag(matrix, -1), [0.8, 0.7, 0.4])
    assert matrix[3, 3] == 0.4
    # First row: 0.9 · 1/2 · 5/2 · (asfr[j] + asfr[j+1]·S[j+1]); last (1 + S) · asfr.
    factor = 0.9 * 0.5 * 2.5
    expected = factor * np.array([0.1 * 0.8, 0.1 + 0.2 * 0.7, 0.2 + 0.05 * 0.4, 0.05 * 1.4])
    np.testing.assert_allclose(matrix[0], expected)
