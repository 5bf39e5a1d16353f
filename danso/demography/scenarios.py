"""Assumption paths for projection scenarios: TFR and sex ratio at birth over time.

A scenario is usually stated as "TFR goes from 1.91 in 2024 to 2.1 in 2030, then stays
there". ``linear_path`` turns that into values for any years:

* ``year <= start_year``: ``start_value``;
* ``start_year < year < target_year``: linear interpolation,
  ``start + (target − start) · (year − start_year) / (target_year − start_year)``;
* ``year >= target_year``: ``target_value`` (constant afterwards).

Years may be fractional: a projection step from ``t`` to ``t + 5`` should use the value at
the middle of the step, ``t + 2.5``, which for a linear path equals the mean over the step.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from danso.demography._validation import FloatArray, as_float, as_vector
from danso.demography.fertility import check_srb


def linear_path(
    start_value: float,
    target_value: float,
    start_year: float,
    target_year: float,
    years: npt.ArrayLike,
) -> FloatArray:
    """Values of a linear path from ``start_value`` to ``target_value``, then constant."""
    start = as_float("start_value", start_value)
    target = as_float("target_value", target_value)
    first = as_float("start_year", start_year)
    last = as_float("target_year", target_year)
    if last < first:
        raise ValueError(f"target_year ({target_year}) must not be before start_year")
    when = as_vector("years", years)
    if last == first:
        return np.where(when >= last, target, start)
    progress = np.clip((when - first) / (last - first), 0.0, 1.0)
    return start + (target - start) * progress


def tfr_path(
    start_tfr: float,
    target_tfr: float,
    start_year: float,
    target_year: float,
    years: npt.ArrayLike,
) -> FloatArray:
    """TFR for each of ``years``: linear from ``start_tfr`` to ``target_tfr``, then constant."""
    if start_tfr < 0 or target_tfr < 0:
        raise ValueError("a TFR must not be negative")
    return linear_path(start_tfr, target_tfr, start_year, target_year, years)


def srb_path(
    start_srb: float,
    target_srb: float,
    start_year: float,
    target_year: float,
    years: npt.ArrayLike,
) -> FloatArray:
    """Sex ratio at birth (boys per 100 girls) for each of ``years``, like ``tfr_path``."""
    check_srb("start_srb", start_srb)
    check_srb("target_srb", target_srb)
    return linear_path(start_srb, target_srb, start_year, target_year, years)
