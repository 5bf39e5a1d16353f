"""Age-structure indicators and single-year results from 5-year projections."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from danso.demography import (
    aged_60_plus,
    dependency_ratios,
    interpolate_populations,
    population_in_ages,
    project_cohort_component,
    single_year_projection,
    split_interval_totals,
    women_15_49,
)

AGES = list(range(0, 85, 5))  # 0-4 … 75-79, 80+
FEMALE = np.arange(1.0, 18.0) * 10  # 10, 20, …, 170
MALE = np.full(17, 100.0)


def test_population_in_ages() -> None:
    assert float(women_15_49(FEMALE, AGES)) == sum(range(40, 110, 10))
    assert float(aged_60_plus(FEMALE + MALE, AGES)) == (130 + 140 + 150 + 160 + 170) + 500
    assert float(population_in_ages(FEMALE, AGES, 0, 5)) == 10
    both_dates = np.vstack([FEMALE, 2 * FEMALE])
    np.testing.assert_allclose(women_15_49(both_dates, AGES), [490, 980])


def test_population_in_ages_needs_group_boundaries() -> None:
    with pytest.raises(ValueError, match="upper = 52 is not a boundary"):
        population_in_ages(FEMALE, AGES, 15, 52)
    with pytest.raises(ValueError, match="17 age groups on its last axis"):
        women_15_49(FEMALE[:5], AGES)
    with pytest.raises(ValueError, match="must be above lower"):
        population_in_ages(FEMALE, AGES, 15, 15)


def test_dependency_ratios() -> None:
    ratios = dependency_ratios(FEMALE, MALE, AGES)
    young = 10 + 20 + 30 + 300
    working = sum(range(40, 140, 10)) + 1000  # 15-64
    old = 140 + 150 + 160 + 170 + 400  # 65+
    working_60 = sum(range(40, 130, 10)) + 900  # 15-59
    old_60 = old + 130 + 100
    assert float(ratios.young) == pytest.approx(100 * young / working)
    assert float(ratios.old) == pytest.approx(100 * old / working)
    assert float(ratios.total) == pytest.approx(100 * (young + old) / working)
    assert float(ratios.young_60) == pytest.approx(100 * young / working_60)
    assert float(ratios.old_60) == pytest.approx(100 * old_60 / working_60)
    assert float(ratios.total_60) == pytest.approx(100 * (young + old_60) / working_60)


def test_dependency_ratio_without_working_age_population_is_nan() -> None:
    only_children = np.zeros(17)
    only_children[0] = 5
    assert math.isnan(float(dependency_ratios(only_children, np.zeros(17), AGES).total))


def test_interpolation_reproduces_the_five_year_points() -> None:
    points = np.array([[100.0, 50, 0, 7], [120, 40, 10, 0], [150, 45, 20, 0]])
    yearly = interpolate_populations(points)
    assert yearly.shape == (11, 4)
    np.testing.assert_array_equal(yearly[::5], points)


def test_interpolation_is_geometric_per_group() -> None:
    yearly = interpolate_populations([[100.0, 50.0], [200.0, 40.0]])
    np.testing.assert_allclose(yearly[:, 0], 100 * 2 ** (np.arange(6) / 5))
    np.testing.assert_allclose(yearly[:, 1], 50 * 0.8 ** (np.arange(6) / 5))
    # Constant growth rate: equal year-on-year ratios.
    np.testing.assert_allclose(yearly[1:, 0] / yearly[:-1, 0], 2 ** (1 / 5))


def test_interpolation_is_linear_when_a_group_is_zero() -> None:
    yearly = interpolate_populations([[0.0], [10.0]])
    np.testing.assert_allclose(yearly[:, 0], [0, 2, 4, 6, 8, 10])
    assert interpolate_populations([[5.0]]).shape == (1, 1)
    with pytest.raises(ValueError, match="must not be negative"):
        interpolate_populations([[-1.0], [1.0]])
    with pytest.raises(ValueError, match="whole number of years"):
        interpolate_populations([[1.0], [1.0]], interval=2.5)  # type: ignore[arg-type]


def test_split_interval_totals_follows_the_growth_path() -> None:
    yearly = split_interval_totals([500.0, 600], [1000, 1000, 1100])
    np.testing.assert_allclose(yearly[:5], 100)  # no growth: equal shares
    growth = 1.1 ** (1 / 5)
    weights = growth ** np.arange(5)
    np.testing.assert_allclose(yearly[5:], 600 * weights / weights.sum())
    np.testing.assert_allclose(yearly.reshape(2, 5).sum(axis=1), [500, 600])
    with pytest.raises(ValueError, match=r"totals must have shape \(steps,\)"):
        split_interval_totals([1.0, 2], [1.0, 2])


def test_single_year_projection() -> None:
    projection = project_cohort_component(
        [100.0, 90, 80],
        [105.0, 88, 70],
        [0.98, 0.99, 0.6],
        [0.97, 0.98, 0.5],
        [0, 0.08, 0],
        111,
        migration_female=[2, -3, 1],
        steps=2,
    )
    yearly = single_year_projection(projection, 2024)
    np.testing.assert_array_equal(yearly.years, np.arange(2024, 2035))
    np.testing.assert_array_equal(yearly.flow_years, np.arange(2024, 2034))
    np.testing.assert_array_equal(yearly.female[::5], projection.female)
    np.testing.assert_array_equal(yearly.male[::5], projection.male)
    np.testing.assert_allclose(yearly.total[::5], projection.total)
    for flow in ("births", "births_female", "births_male", "deaths"):
        np.testing.assert_allclose(
            getattr(yearly, flow).reshape(2, 5).sum(axis=1), getattr(projection, flow)
        )
    np.testing.assert_allclose(yearly.births, yearly.births_female + yearly.births_male)
    with pytest.raises(ValueError, match="read-only"):
        yearly.years[0] = 1


def test_import_without_django() -> None:
    """``danso.demography`` imports with no Django settings and without importing Django."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    root = Path(__file__).resolve().parents[2]
    code = (
        "import sys; import danso.demography as d; "
        "assert d.life_table and d.project_cohort_component; "
        "loaded = [m for m in sys.modules if m == 'django' or m.startswith('django.')]; "
        "assert not loaded, loaded; print('ok')"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "ok"
