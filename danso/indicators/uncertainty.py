"""95 % intervals of the indicators and the rule for numbers too small to judge.  Pure
Python (with SciPy's chi-square and normal quantiles).

Which interval, for which indicator (``interval_for``):

- **rates per 1,000 or per woman** (CBR, CDR, GFR, ASFR): the exact Poisson interval of
  the event count (Garwood 1936: ``χ²(α/2; 2k) / 2`` to ``χ²(1 − α/2; 2k + 2) / 2``), then
  divided by the denominator and scaled like the rate;
- **TFR**: ``5 × Σ ASFR`` with the normal approximation of its variance, each group's
  births taken as Poisson: ``Var = 25 f² Σ bₐ / Wₐ²`` (Preston et al. 2001, ch. 5), floored
  at zero;
- **shares in per cent** (BIRTH3P, PRENATAL, NEWBORN, PREMARITAL, ELDERLY, CPR): the Wilson
  score interval of the proportion;
- **SRB**: the Wilson interval of the share of boys ``p = m / (m + f)``, mapped to the ratio
  by ``100 p / (1 − p)`` (DOMAIN §4: the exact binomial interval is the alternative);
- **counts** (NEWFP): the exact Poisson interval of the count.

A value resting on fewer events than ``SMALL_NUMBERS`` gives for its kind is *too small to
judge*: shown, but greyed, and never the cause of an alert.

The quantiles are SciPy's special functions, which ``scipy.stats`` itself calls
(``chi2.ppf(q, k) = 2 · gammaincinv(k / 2, q)``, ``norm.ppf = ndtri``) without its
checking of arguments: a dashboard asks about 1,600 of them, 0.2 s through
``scipy.stats``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from scipy.special import gammaincinv, ndtri


class IntervalKind(StrEnum):
    POISSON = "poisson"
    TFR = "tfr"
    WILSON = "wilson"
    SRB = "srb"


#: The least number of events (births for SRB and TFR; the count for rates; the
#: denominator for shares) on which a value is judged.  DOMAIN §4: with 1,000 births, a
#: true SRB of 105 is seen at 110 or more one time in four.
SMALL_NUMBERS = {
    IntervalKind.POISSON: 20,
    IntervalKind.TFR: 100,
    IntervalKind.WILSON: 30,
    IntervalKind.SRB: 1000,
}

INTERVAL_METHODS = {
    IntervalKind.POISSON: "exact Poisson (Garwood)",
    IntervalKind.TFR: "normal approximation, births Poisson by age group",
    IntervalKind.WILSON: "Wilson score",
    IntervalKind.SRB: "Wilson score on the share of boys, mapped to the ratio",
}


@dataclass(frozen=True)
class Interval:
    low: float | None
    high: float | None


def _z(level: float) -> float:
    return float(ndtri(0.5 + level / 2))


def _chi2_quantile(q: float, degrees: int) -> float:
    return 2 * float(gammaincinv(degrees / 2, q))


def poisson(count: int, level: float = 0.95) -> Interval:
    """Exact interval of the mean of a Poisson count."""
    alpha = 1 - level
    low = 0.0 if count == 0 else _chi2_quantile(alpha / 2, 2 * count) / 2
    high = _chi2_quantile(1 - alpha / 2, 2 * count + 2) / 2
    return Interval(low, high)


def wilson(successes: int, trials: int, level: float = 0.95) -> Interval:
    """Wilson score interval of a proportion (None when there are no trials)."""
    if trials <= 0:
        return Interval(None, None)
    z = _z(level)
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = (z / (1 + z * z / trials)) * math.sqrt(
        p * (1 - p) / trials + z * z / (4 * trials * trials)
    )
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


def srb(boys: int, girls: int, level: float = 0.95) -> Interval:
    """The sex ratio at birth's interval: Wilson on the share of boys, mapped to a ratio
    (an upper bound of infinity when every birth may be a boy)."""
    share = wilson(boys, boys + girls, level)
    if share.low is None or share.high is None:
        return Interval(None, None)

    def ratio(p: float) -> float:
        return math.inf if p >= 1 else 100 * p / (1 - p)

    return Interval(ratio(share.low), ratio(share.high))


def tfr(births: list[int], women: list[int], factor: float, level: float = 0.95) -> Interval:
    """Interval of 5 × Σ ASFR by the normal approximation (groups without women skipped)."""
    value = 0.0
    variance = 0.0
    for b, w in zip(births, women, strict=True):
        if w > 0:
            value += 5 * factor * b / w
            variance += 25 * factor * factor * b / (w * w)
    half = _z(level) * math.sqrt(variance)
    return Interval(max(0.0, value - half), value + half)
