"""A stored projection of a unit: its inputs, its scenarios, its results."""

from __future__ import annotations

import numpy as np
import pytest

from danso.demography import project_cohort_component, survival_from_life_table
from danso.projections import modeltables
from danso.projections.method import BUILTIN_SCENARIOS, Inputs, ProjectionResult, ScenarioSpec
from danso.projections.services import ProjectionError, projection_create, scenario_add
from tests.projections.conftest import BASE, Register, ngoc_thuy, version_of

pytestmark = pytest.mark.django_db

BOTH = [BUILTIN_SCENARIOS["zero-migration"], BUILTIN_SCENARIOS["tfr-2.1-2030"]]


def test_a_projection_of_a_unit_is_danso_demography_s_projection(register: Register) -> None:
    # given the commune's inputs (model mortality: too few deaths in the register)
    # when it is projected to 2035 without migration
    projection = projection_create(
        version=version_of(ngoc_thuy()), base_date=BASE, to_year=2035, scenarios=BOTH[:1]
    )
    # then the stored survival ratios are the model table's, and the 5-year points are
    # project_cohort_component of the stored inputs
    inputs = Inputs.from_dict(projection.inputs)
    model = survival_from_life_table(modeltables.vietnam_like("female"), 85)
    assert inputs.survival_female == pytest.approx(model)
    cohort = project_cohort_component(
        inputs.female,
        inputs.male,
        inputs.survival_female,
        inputs.survival_male,
        inputs.asfr,
        inputs.srb,
        steps=3,
    )
    result = ProjectionResult.from_dict(projection.scenarios.get().results)
    for step, year in enumerate((2025, 2030, 2035)):
        assert result.year(year).female == pytest.approx(cohort.female[step], abs=0.01)
        assert result.year(year).male == pytest.approx(cohort.male[step], abs=0.01)
    assert [y.year for y in result.years] == list(range(2025, 2036))


def test_scenarios_of_a_projection_differ_as_their_assumptions_say(register: Register) -> None:
    # given a projection under no migration and under "TFR 2.1 in 2030" (the measured TFR
    # is the national assumption, 1.91, with too few births in the register)
    projection = projection_create(
        version=version_of(ngoc_thuy()), base_date=BASE, to_year=2035, scenarios=BOTH
    )
    results = {s.name: ProjectionResult.from_dict(s.results) for s in projection.scenarios.all()}
    constant, rising = results["zero-migration"], results["tfr-2.1-2030"]
    # then the TFR path reaches 2.1 in 2030 and more children are born from the start
    assert rising.year(2030).tfr == pytest.approx(2.1)
    assert constant.year(2030).tfr == pytest.approx(1.91)
    assert rising.year(2026).births > constant.year(2026).births
    assert rising.year(2035).female[0] > constant.year(2035).female[0]


def test_a_scenario_of_one_s_own_is_added_to_a_stored_projection(register: Register) -> None:
    projection = projection_create(
        version=version_of(ngoc_thuy()), base_date=BASE, to_year=2030, scenarios=BOTH[:1]
    )
    scenario = scenario_add(
        projection=projection,
        spec=ScenarioSpec("tfr-1.5-2028", tfr_target=1.5, tfr_year=2028),
    )
    result = ProjectionResult.from_dict(scenario.results)
    assert result.year(2028).tfr == pytest.approx(1.5)
    assert projection.scenarios.count() == 2
    with pytest.raises(ProjectionError, match="đã có kịch bản tên"):
        scenario_add(projection=projection, spec=ScenarioSpec("tfr-1.5-2028"))


def test_migration_that_would_empty_an_age_group_is_scaled_down(register: Register) -> None:
    # given T2's register: one man of 35–39 moved out in two years, and none is left there
    # when T2 is projected with the register's migration
    projection = projection_create(
        version=version_of(register["T2"]),
        base_date=BASE,
        to_year=2030,
        scenarios=[BUILTIN_SCENARIOS["constant"]],
    )
    # then only the share that fits was applied, and the result says so
    result = ProjectionResult.from_dict(projection.scenarios.get().results)
    assert result.migration_scale < 1
    assert all(v >= 0 for y in result.years for v in y.male)


def test_the_sources_name_the_unit_and_the_pooled_years(register: Register) -> None:
    projection = projection_create(
        version=version_of(ngoc_thuy()), base_date=BASE, to_year=2030, scenarios=BOTH[:1]
    )
    assert projection.sources["unit"]["code"] == "00118"
    assert projection.sources["pool_years"] == [2020, 2021, 2022, 2023, 2024]
    assert projection.sources["age_groups"][-1] == "85+"
    assert projection.path == version_of(ngoc_thuy()).path
    assert np.isclose(sum(Inputs.from_dict(projection.inputs).female), 8)
