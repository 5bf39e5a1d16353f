"""The projection of measured inputs under a scenario (pure: no database).

The inputs are Preston et al.'s Sweden 1993 (Box 6.1/6.2, see tests/demography), used
for both sexes, so that the 5-year points can be checked against the published numbers.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from danso.demography import project_cohort_component, survival_ratios
from danso.projections.method import (
    BUILTIN_SCENARIOS,
    Inputs,
    Migration,
    ProjectionResult,
    ScenarioSpec,
    project,
    steps_for,
)
from tests.demography.test_projection import (
    BOX_6_2_FEMALE_1998,
    SWEDEN_ASFR,
    SWEDEN_FEMALE_1993,
    SWEDEN_MIGRANTS,
    SWEDEN_NLX,
    SWEDEN_SRB,
)

BASE = date(1993, 1, 1)


def sweden() -> Inputs:
    survival = tuple(survival_ratios(SWEDEN_NLX).tolist())
    migrants = tuple((SWEDEN_MIGRANTS / 5).tolist())  # the box's 5-year count, per year
    return Inputs(
        open_age=85,
        female=tuple(SWEDEN_FEMALE_1993.tolist()),
        male=tuple(SWEDEN_FEMALE_1993.tolist()),
        asfr=tuple(SWEDEN_ASFR.tolist()),
        srb=SWEDEN_SRB,
        survival_female=survival,
        survival_male=survival,
        migration_female=migrants,
        migration_male=migrants,
    )


def test_constant_rates_reproduce_box_6_2_at_the_five_year_point() -> None:
    # given Sweden 1993 with its migrants
    # when projected to 1998 under constant rates
    result = project(sweden(), BUILTIN_SCENARIOS["constant"], BASE, 1998)
    # then 1998 is the published Box 6.2 population, to its rounding
    assert [y.year for y in result.years] == list(range(1993, 1999))
    assert np.round(result.year(1998).female) == pytest.approx(BOX_6_2_FEMALE_1998, abs=1)


def test_every_year_comes_from_danso_demography() -> None:
    # given the inputs and the cohort-component projection of danso.demography
    inputs = sweden()
    cohort = project_cohort_component(
        inputs.female,
        inputs.male,
        inputs.survival_female,
        inputs.survival_male,
        inputs.asfr,
        inputs.srb,
        np.array(inputs.migration_female) * 5,
        np.array(inputs.migration_male) * 5,
        steps=steps_for(BASE, 2005),
    )
    # when the unit is projected to 2005
    result = project(inputs, BUILTIN_SCENARIOS["constant"], BASE, 2005)
    # then the 5-year points are its rows, births of a step add up over its years, and
    # women 15–49 and people 60+ are sums of the groups
    for step, year in enumerate((1993, 1998, 2003)):
        assert result.year(year).female == pytest.approx(cohort.female[step], abs=0.01)
        assert result.year(year).male == pytest.approx(cohort.male[step], abs=0.01)
    births = sum(result.year(y).births for y in range(1993, 1998))
    assert births == pytest.approx(cohort.births[0], abs=0.1)
    assert result.year(1998).women_15_49 == pytest.approx(sum(cohort.female[1][3:10]), abs=0.1)
    both = cohort.female[1] + cohort.male[1]
    assert result.year(1998).aged_60_plus == pytest.approx(sum(both[12:]), abs=0.1)


def test_a_tfr_path_reaches_its_target_and_then_stays() -> None:
    # given a population whose TFR is 1.67 (Sweden's 1993 ASFR is TFR 2.09; scaled down)
    inputs = replace(sweden(), asfr=tuple((SWEDEN_ASFR * 0.8).tolist()))
    base = date(2025, 1, 1)
    # when projected under constant rates and under "TFR 2.1 in 2030"
    constant = project(inputs, BUILTIN_SCENARIOS["constant"], base, 2035)
    rising = project(inputs, BUILTIN_SCENARIOS["tfr-2.1-2030"], base, 2035)
    # then the assumed TFR goes from the measured one to 2.1 in 2030 and stays there
    assert constant.year(2030).tfr == pytest.approx(inputs.tfr, abs=1e-4)
    assert rising.year(2025).tfr == pytest.approx(inputs.tfr + (2.1 - inputs.tfr) * 0.1, abs=1e-3)
    assert rising.year(2030).tfr == pytest.approx(2.1)
    assert rising.year(2035).tfr == pytest.approx(2.1)
    # and the births of 2030–2034 are those of a TFR of 2.1 with the same age pattern
    ratio = rising.year(2031).births / constant.year(2031).births
    assert ratio > 2.1 / inputs.tfr * 0.97
    assert all(rising.year(y).births > constant.year(y).births for y in range(2025, 2036))
    assert rising.year(2025).total == constant.year(2025).total


def test_an_srb_path_changes_the_sex_of_births_only() -> None:
    inputs = replace(sweden(), srb=112.0)
    base = date(2025, 1, 1)
    constant = project(inputs, BUILTIN_SCENARIOS["constant"], base, 2035)
    lower = project(inputs, BUILTIN_SCENARIOS["srb-109-2030"], base, 2035)
    assert lower.year(2030).srb == pytest.approx(109.0)
    assert constant.year(2030).srb == pytest.approx(112.0)
    assert lower.year(2035).female[0] > constant.year(2035).female[0]
    assert lower.year(2035).male[0] < constant.year(2035).male[0]
    assert lower.year(2030).births == pytest.approx(constant.year(2030).births, rel=1e-3)


def test_migration_assumptions() -> None:
    inputs = sweden()
    base = date(2025, 1, 1)
    register = project(inputs, BUILTIN_SCENARIOS["constant"], base, 2030)
    none = project(inputs, BUILTIN_SCENARIOS["zero-migration"], base, 2030)
    half = project(
        inputs, ScenarioSpec("half", migration=Migration.SCALED, migration_factor=0.5), base, 2030
    )
    entered = project(
        inputs,
        ScenarioSpec(
            "entered",
            migration=Migration.ENTERED,
            migration_female=(0.0,) * 18,
            migration_male=(0.0,) * 18,
        ),
        base,
        2030,
    )
    # immigration adds people; half of it about half as many; entered zeros are "none"
    gain = register.year(2030).total - none.year(2030).total
    assert gain > 0
    assert half.year(2030).total - none.year(2030).total == pytest.approx(gain / 2, rel=0.02)
    assert entered.year(2030).female == none.year(2030).female


def test_a_result_survives_its_json_round_trip() -> None:
    result = project(sweden(), BUILTIN_SCENARIOS["tfr-2.1-2030"], date(2025, 1, 1), 2031)
    again = ProjectionResult.from_dict(result.as_dict())
    assert again == result
    assert Inputs.from_dict(sweden().as_dict()) == sweden()


@pytest.mark.parametrize(
    ("to_year", "message"), [(2025, "after the base year"), (2200, "at most 60 years")]
)
def test_a_horizon_out_of_reach_is_refused(to_year: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        project(sweden(), BUILTIN_SCENARIOS["constant"], date(2025, 1, 1), to_year)


def test_measured_emigration_larger_than_a_group_is_scaled_down_and_said() -> None:
    # given a measured net emigration of 50,000 men a year from every group
    inputs = replace(sweden(), migration_male=(-5e4,) * 18)
    # when projected with it
    result = project(inputs, BUILTIN_SCENARIOS["constant"], date(2025, 1, 1), 2035)
    # then only the share of it that leaves no group below zero is applied, and said
    assert 0 < result.migration_scale < 1
    assert min(min(y.male) for y in result.years) >= 0
    fitted = ScenarioSpec(
        "fitted", migration=Migration.SCALED, migration_factor=result.migration_scale
    )
    again = project(inputs, fitted, date(2025, 1, 1), 2035)
    assert again.migration_scale == 1.0
    assert again.year(2035).male == pytest.approx(result.year(2035).male)


def test_entered_emigration_larger_than_a_group_is_refused_with_its_reason() -> None:
    entered = ScenarioSpec(
        "entered",
        migration=Migration.ENTERED,
        migration_female=(0.0,) * 18,
        migration_male=(-1e6,) * 18,
    )
    with pytest.raises(ValueError, match="emigration"):
        project(sweden(), entered, date(2025, 1, 1), 2030)
