"""Age-structure indicators: population in an age range, dependency ratios.

All functions take populations with age groups on the *last* axis, so they work on one
population (shape ``(groups,)``, result a 0-d array: use ``float(...)``) and on a whole
projection (``CohortProjection.female`` of shape ``(steps + 1, groups)``, result one value
per date). ``ages`` are the lower bounds of the groups, the last group being open.

Dependency ratios (the United Nations definitions), per 100 people of working age:

* young ``= P(0–14) / P(15–64) · 100``; old ``= P(65+) / P(15–64) · 100``;
  total ``= young + old``;
* the 60+ variant uses working ages 15–59: young ``= P(0–14) / P(15–59) · 100``,
  old ``= P(60+) / P(15–59) · 100``. Vietnam counts older persons from 60 (Luật Người
  cao tuổi 2009), so its reports often use this variant; both are returned.

A ratio whose working-age population is 0 is NaN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from danso.demography._validation import FloatArray, as_float, as_vector, freeze


def population_in_ages(
    population: npt.ArrayLike, ages: npt.ArrayLike, lower: float, upper: float = math.inf
) -> FloatArray:
    """Sum of the groups covering exactly ages ``[lower, upper)`` (age on the last axis).

    ``lower`` and ``upper`` must be group boundaries (``upper`` may be ``math.inf`` for
    "and over"): danso does not split a group it has no detail for.
    """
    values = np.array(population, dtype=np.float64)
    starts = as_vector("ages", ages)
    if values.ndim == 0 or values.shape[-1] != len(starts):
        raise ValueError(
            f"population must have {len(starts)} age groups on its last axis, got shape "
            f"{values.shape}"
        )
    if np.any(np.diff(starts) <= 0):
        raise ValueError("ages must be increasing")
    low = as_float("lower", lower)
    high = float(upper)
    if math.isnan(high) or high <= low:
        raise ValueError(f"upper ({upper}) must be above lower ({lower})")
    bounds = np.append(starts, math.inf)
    for name, bound in (("lower", low), ("upper", high)):
        if not np.any(bounds == bound):
            raise ValueError(f"{name} = {bound:g} is not a boundary of the age groups")
    inside = (starts >= low) & (bounds[1:] <= high)
    return np.asarray(values[..., inside].sum(axis=-1), dtype=np.float64)


def women_15_49(female: npt.ArrayLike, ages: npt.ArrayLike) -> FloatArray:
    """Women of reproductive age, 15–49."""
    return population_in_ages(female, ages, 15, 50)


def aged_60_plus(population: npt.ArrayLike, ages: npt.ArrayLike) -> FloatArray:
    """People aged 60 and over (pass ``female + male`` for both sexes)."""
    return population_in_ages(population, ages, 60)


@dataclass(frozen=True, eq=False)
class DependencyRatios:
    """Dependency ratios per 100 of working age (see the module docstring)."""

    young: FloatArray
    old: FloatArray
    total: FloatArray
    young_60: FloatArray
    old_60: FloatArray
    total_60: FloatArray


def _per_100(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.where(denominator > 0, 100.0 * numerator / denominator, np.nan)
    return freeze(np.asarray(result, dtype=np.float64))


def dependency_ratios(
    female: npt.ArrayLike, male: npt.ArrayLike, ages: npt.ArrayLike
) -> DependencyRatios:
    """Young, old and total dependency ratios of both sexes, in the 65+ and 60+ variants."""
    both = np.array(female, dtype=np.float64) + np.array(male, dtype=np.float64)
    young = population_in_ages(both, ages, 0, 15)
    working = population_in_ages(both, ages, 15, 65)
    old = population_in_ages(both, ages, 65)
    working_60 = population_in_ages(both, ages, 15, 60)
    old_60 = population_in_ages(both, ages, 60)
    return DependencyRatios(
        young=_per_100(young, working),
        old=_per_100(old, working),
        total=_per_100(young + old, working),
        young_60=_per_100(young, working_60),
        old_60=_per_100(old_60, working_60),
        total_60=_per_100(young + old_60, working_60),
    )
