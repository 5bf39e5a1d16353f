"""Results by single calendar year from a projection in 5-year steps.

A cohort-component projection in 5-year age groups gives populations only every 5 years.
For "results by year" danso interpolates between those points; the interpolated years are
an approximation (the projection itself is only defined every 5 years), and the 5-year
points are reproduced exactly.

**Populations** are interpolated *geometrically* (constant exponential growth) in each age
group and sex separately between two projected dates ``t`` and ``t + n``:

    ``P(t + k) = P(t) · (P(t + n) / P(t)) ** (k / n)``, ``k = 0 … n``

i.e. the growth rate ``r = ln(P(t + n) / P(t)) / n`` is constant within the step (the
exponential growth rate of Preston et al. 2001, chapter 1). When a group is 0 at either end the
geometric path is undefined and danso interpolates that group linearly instead. Totals are
the sums of the interpolated groups.

**Flows** (births, deaths) of a step are totals for its ``n`` years. They are divided among
the years with the same growth path as the total population (both sexes): year ``k`` of the
step (from ``t + k`` to ``t + k + 1``) gets the share

    ``w_k = g**k / Σ_{j=0}^{n-1} g**j`` with ``g = (P(t + n) / P(t)) ** (1 / n)``,

which is proportional to ``∫_k^{k+1} e^{r s} ds`` for flows that grow like the population,
and sums to exactly the step's total. With no growth each year gets ``1/n``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from danso.demography._validation import FloatArray, freeze, require_non_negative
from danso.demography.projection import CohortProjection


def _whole_interval(interval: int) -> int:
    if isinstance(interval, bool) or not isinstance(interval, int | np.integer) or interval < 1:
        raise ValueError(f"interval must be a positive whole number of years, got {interval!r}")
    return int(interval)


def interpolate_populations(populations: npt.ArrayLike, interval: int = 5) -> FloatArray:
    """Populations by single year between points ``interval`` years apart.

    ``populations`` has the dates on the first axis (shape ``(points, ...)``, e.g. the
    ``(steps + 1, groups)`` arrays of a ``CohortProjection``); the result has shape
    ``((points − 1) · interval + 1, ...)`` and row ``i · interval`` equals input row ``i``.
    """
    years = _whole_interval(interval)
    values = np.array(populations, dtype=np.float64)
    if values.ndim == 0 or values.shape[0] < 1:
        raise ValueError("populations must have at least one date on its first axis")
    if not np.all(np.isfinite(values)):
        raise ValueError("populations must contain only finite numbers")
    require_non_negative("populations", values)
    points = values.shape[0]
    result = np.empty(((points - 1) * years + 1, *values.shape[1:]))
    fraction = (np.arange(years) / years).reshape((years,) + (1,) * (values.ndim - 1))
    for i in range(points - 1):
        start, end = values[i], values[i + 1]
        positive = (start > 0) & (end > 0)
        ratio = np.where(positive, end / np.where(positive, start, 1.0), 1.0)
        geometric = start * ratio**fraction
        linear = start + (end - start) * fraction
        result[i * years : (i + 1) * years] = np.where(positive, geometric, linear)
    result[::years] = values
    return result


def split_interval_totals(
    totals: npt.ArrayLike, reference: npt.ArrayLike, interval: int = 5
) -> FloatArray:
    """Divide flows over ``interval`` years among single years (module docstring).

    ``totals`` has one value per step (shape ``(steps,)``); ``reference`` is the population
    whose growth path is followed, at the ``steps + 1`` dates. The result has
    ``steps · interval`` values, one per year, and each step's values sum to its total.
    """
    years = _whole_interval(interval)
    flows = np.array(totals, dtype=np.float64)
    path = np.array(reference, dtype=np.float64)
    if flows.ndim != 1 or path.ndim != 1 or len(path) != len(flows) + 1:
        raise ValueError(
            f"totals must have shape (steps,) and reference (steps + 1,); got {flows.shape} "
            f"and {path.shape}"
        )
    if not (np.all(np.isfinite(flows)) and np.all(np.isfinite(path))):
        raise ValueError("totals and reference must contain only finite numbers")
    require_non_negative("reference", path)
    start, end = path[:-1], path[1:]
    positive = (start > 0) & (end > 0)
    growth = np.where(positive, end / np.where(positive, start, 1.0), 1.0) ** (1.0 / years)
    weights = growth[:, None] ** np.arange(years)[None, :]
    shares = weights / weights.sum(axis=1, keepdims=True)
    return np.asarray((flows[:, None] * shares).reshape(-1), dtype=np.float64)


@dataclass(frozen=True, eq=False)
class SingleYearProjection:
    """A projection's results by calendar year; arrays are read-only.

    ``years`` are the dates of the populations ``female`` and ``male`` (shape
    ``(len(years), groups)``); ``flow_years`` are the years of the flows, ``flow_years[i]``
    covering the time from ``years[i]`` to ``years[i + 1]``.
    """

    years: npt.NDArray[np.int64]
    female: FloatArray
    male: FloatArray
    flow_years: npt.NDArray[np.int64]
    births: FloatArray
    births_female: FloatArray
    births_male: FloatArray
    deaths: FloatArray
    deaths_female: FloatArray
    deaths_male: FloatArray

    @property
    def total(self) -> FloatArray:
        """Total population (both sexes, all ages) in each of ``years``."""
        return np.asarray(self.female.sum(axis=1) + self.male.sum(axis=1), dtype=np.float64)


def single_year_projection(projection: CohortProjection, start_year: int) -> SingleYearProjection:
    """Results of ``projection`` (which starts in ``start_year``) by single calendar year."""
    if projection.interval != round(projection.interval):
        raise ValueError("only projections in whole-year steps can be split into years")
    years = round(projection.interval)
    first = int(start_year)
    reference = projection.total

    def split(values: FloatArray) -> FloatArray:
        return freeze(split_interval_totals(values, reference, years))

    dates = np.arange(first, first + projection.steps * years + 1, dtype=np.int64)
    flow_years = dates[:-1].copy()
    dates.setflags(write=False)
    flow_years.setflags(write=False)
    return SingleYearProjection(
        years=dates,
        female=freeze(interpolate_populations(projection.female, years)),
        male=freeze(interpolate_populations(projection.male, years)),
        flow_years=flow_years,
        births=split(projection.births),
        births_female=split(projection.births_female),
        births_male=split(projection.births_male),
        deaths=split(projection.deaths),
        deaths_female=split(projection.deaths_female),
        deaths_male=split(projection.deaths_male),
    )
