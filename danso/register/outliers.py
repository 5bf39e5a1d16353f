"""A month's count far from the same month of earlier years: the outlier test of the
data-quality screen, as DHIS2's data-quality app does it.  Pure: no Django.

Two scores, each against the same calendar month of the earlier years the book covers
(January 2025 against the Januaries of 2021–2024):

- the **modified z-score** (the default; Iglewicz and Hoaglin, as DHIS2): ``M = 0.6745 ×
  (x − median) / MAD``, the median absolute deviation of the earlier values; the month
  is an outlier when ``|M| > 3.5``.  When the MAD is 0 (more than half the earlier
  values equal), the mean absolute deviation stands in for it (``M = (x − median) /
  (1.253314 × MeanAD)``);
- the **z-score**: ``z = (x − mean) / s`` with the sample standard deviation; an outlier
  when ``|z| > 3``.

No judgement (``score`` None, never an outlier) with fewer than ``MIN_YEARS`` earlier
years, or when the earlier values do not vary at all: a score would divide by zero.
The expected range is the set of counts the test would accept, floored at 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from statistics import mean, median, stdev


class Score(StrEnum):
    MODIFIED_Z = "modified_z"
    Z = "z"


#: The score beyond which a month is an outlier, by method (DHIS2's defaults).
THRESHOLDS = {Score.MODIFIED_Z: 3.5, Score.Z: 3.0}
#: Earlier years needed before a month is judged.
MIN_YEARS = 3
#: ``MAD / 0.6745`` estimates the standard deviation of a normal distribution.
MAD_FACTOR = 0.6745
#: ``1.253314 × MeanAD`` estimates it too, when the MAD is 0.
MEAN_AD_FACTOR = 1.253314


@dataclass(frozen=True)
class Judgement:
    """A month's count against the same month of earlier years."""

    value: int
    earlier: tuple[int, ...]
    expected: float | None  # the median (modified z) or the mean (z) of the earlier years
    low: float | None  # the range of counts accepted
    high: float | None
    score: float | None  # None: not judged
    outlier: bool

    @property
    def judged(self) -> bool:
        return self.score is not None


def judge(
    value: int,
    earlier: Sequence[int],
    *,
    score: Score = Score.MODIFIED_Z,
    threshold: float | None = None,
    min_years: int = MIN_YEARS,
) -> Judgement:
    """``value`` against the ``earlier`` values of the same month (see the module)."""
    limit = THRESHOLDS[score] if threshold is None else threshold
    values = tuple(int(v) for v in earlier)
    if len(values) < max(min_years, 2):
        return Judgement(value, values, None, None, None, None, False)
    if score is Score.MODIFIED_Z:
        centre = float(median(values))
        mad = float(median(abs(v - centre) for v in values))
        spread = mad / MAD_FACTOR
        if spread == 0:
            spread = MEAN_AD_FACTOR * float(mean(abs(v - centre) for v in values))
    else:
        centre = float(mean(values))
        spread = float(stdev(values))
    if spread == 0 or not math.isfinite(spread):
        return Judgement(value, values, centre, centre, centre, None, False)
    result = (value - centre) / spread
    return Judgement(
        value,
        values,
        centre,
        max(0.0, centre - limit * spread),
        centre + limit * spread,
        result,
        abs(result) > limit,
    )


def month_judgements(
    counts: Mapping[tuple[int, int], int],
    *,
    year: int,
    months: Iterable[int],
    since: tuple[int, int],
    score: Score = Score.MODIFIED_Z,
    threshold: float | None = None,
    min_years: int = MIN_YEARS,
) -> dict[int, Judgement]:
    """Each month of ``year`` in ``months`` judged against the same month of the earlier
    years from ``since`` (the first month the book covers, as (year, month)) on.
    ``counts`` maps (year, month) to the count; a covered month missing from it is 0."""
    found: dict[int, Judgement] = {}
    for month in months:
        earlier = [counts.get((y, month), 0) for y in range(since[0], year) if (y, month) >= since]
        found[month] = judge(
            counts.get((year, month), 0),
            earlier,
            score=score,
            threshold=threshold,
            min_years=min_years,
        )
    return found
