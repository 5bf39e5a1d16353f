"""Fertility measures and the sex ratio at birth.

Definitions follow Preston, Heuveline & Guillot, *Demography* (2001), chapter 5 (fertility
and reproduction: age-specific rates, TFR, GRR, NRR); the sex ratio at birth interval is a
binomial interval on the share of boys.

* ``asfr = births / women`` in each age group, per woman per year (women counted at
  mid-period, i.e. person-years);
* ``TFR = width · Σ asfr`` (``width`` = width of the age groups, 5 for ``15–19 … 45–49``);
* ``GFR = births / women 15–49``, per 1,000 women by default, as Vietnamese statistics
  report it;
* ``GRR = TFR · share of girls``; ``NRR = Σ asfr · share of girls · nLx / l0`` where ``nLx``
  are female life-table person-years in the same age groups (the width is inside ``nLx``);
* share of girls among births ``= 100 / (100 + SRB)``.

**SRB convention.** Everywhere in ``danso.demography`` the sex ratio at birth is *boys per
100 girls* (e.g. 111.0, the unit of Vietnamese reports). Values outside ``[50, 200]`` are
rejected as assumptions, which catches a ratio per one girl (1.11) passed by mistake;
``srb_interval`` reports observed ratios, which can be anything from 0 to infinity.

**SRB interval.** With ``m`` boys and ``f`` girls the share of boys ``p = m / (m + f)`` is a
binomial proportion. The interval is computed for ``p`` and mapped to the ratio with the
increasing function ``p ↦ 100·p / (1 − p)``, so its coverage carries over:

* Wilson score interval (Wilson 1927): with ``n = m + f``, ``z`` the standard normal
  quantile for the level, ``(p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n)``;
* exact Clopper–Pearson interval (1934): ``low = Beta⁻¹(α/2; m, f + 1)`` (0 when
  ``m = 0``), ``high = Beta⁻¹(1 − α/2; m + 1, f)`` (1 when ``f = 0``).

No births at all (``m = f = 0``) leave the ratio undefined: all three values are NaN. All
boys give an infinite ratio and upper bound; all girls a ratio and lower bound of 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

import numpy as np
import numpy.typing as npt

from danso.demography._validation import (
    FloatArray,
    as_float,
    as_vector,
    require_non_negative,
    require_same_length,
)

#: Range accepted for an assumed sex ratio at birth (boys per 100 girls).
SRB_MIN = 50.0
SRB_MAX = 200.0


def check_srb(name: str, srb: npt.ArrayLike) -> FloatArray:
    """Validate sex ratios at birth given as boys per 100 girls; return them as floats."""
    values = np.array(srb, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} must be finite")
    if np.any((values < SRB_MIN) | (values > SRB_MAX)):
        bad = values[(values < SRB_MIN) | (values > SRB_MAX)].reshape(-1)[0]
        hint = " (did you give boys per one girl? use per 100, e.g. 111.0)" if bad < 10 else ""
        raise ValueError(
            f"{name} is boys per 100 girls and must lie between {SRB_MIN:g} and "
            f"{SRB_MAX:g}; got {bad:g}{hint}"
        )
    return values


def female_birth_share(srb: float) -> float:
    """Share of girls among births for ``srb`` boys per 100 girls: ``100 / (100 + srb)``."""
    return 100.0 / (100.0 + float(check_srb("srb", srb)))


def asfr(births: npt.ArrayLike, women: npt.ArrayLike) -> FloatArray:
    """Age-specific fertility rates: births per woman per year in each age group.

    A group with no women and no births gets rate 0; births with no women is an error.
    """
    births_ = as_vector("births", births)
    women_ = as_vector("women", women)
    require_same_length(births=births_, women=women_)
    require_non_negative("births", births_)
    require_non_negative("women", women_)
    orphan = np.flatnonzero((women_ == 0) & (births_ > 0))
    if orphan.size:
        raise ValueError(f"age group {int(orphan[0])} has births but no women")
    safe = np.where(women_ > 0, women_, 1.0)
    return np.where(women_ > 0, births_ / safe, 0.0)


def tfr(asfr: npt.ArrayLike, width: float = 5) -> float:
    """Total fertility rate, ``width · Σ asfr`` (children per woman)."""
    rates = as_vector("asfr", asfr)
    require_non_negative("asfr", rates)
    return as_float("width", width) * float(rates.sum())


def gfr(births: float, women_15_49: float, per: float = 1000) -> float:
    """General fertility rate: births per ``per`` (default 1,000) women aged 15–49."""
    births_ = as_float("births", births)
    women = as_float("women_15_49", women_15_49)
    if births_ < 0 or women < 0:
        raise ValueError("births and women_15_49 must not be negative")
    if women == 0:
        if births_ > 0:
            raise ValueError("births with no women aged 15-49")
        return 0.0
    return per * births_ / women


def grr(asfr: npt.ArrayLike, srb: float, width: float = 5) -> float:
    """Gross reproduction rate: daughters per woman, ``TFR · 100 / (100 + srb)``."""
    return tfr(asfr, width) * female_birth_share(srb)


def nrr(
    asfr: npt.ArrayLike,
    srb: float,
    nLx_female: npt.ArrayLike,
    radix: float = 100_000,
    width: float = 5,
) -> float:
    """Net reproduction rate: ``Σ asfr · share of girls · nLx / radix``.

    ``nLx_female`` are female life-table person-years in the same age groups as ``asfr``
    (e.g. ``five_year_nLx(table)``); ``width`` is only used to check that the person-years
    are not larger than a group of that width allows.
    """
    rates = as_vector("asfr", asfr)
    years = as_vector("nLx_female", nLx_female)
    require_same_length(asfr=rates, nLx_female=years)
    require_non_negative("asfr", rates)
    require_non_negative("nLx_female", years)
    radix_ = as_float("radix", radix)
    if radix_ <= 0:
        raise ValueError("radix must be positive")
    closed = years[:-1] if len(years) > 1 else years
    if np.any(closed > as_float("width", width) * radix_ * (1 + 1e-9)):
        raise ValueError(
            "nLx_female exceeds width × radix: are the person-years in groups of this width?"
        )
    return female_birth_share(srb) * float(np.sum(rates * years)) / radix_


@dataclass(frozen=True)
class SrbInterval:
    """A sex ratio at birth (boys per 100 girls) with its confidence interval.

    Iterating gives ``ratio, low, high``, so ``ratio, low, high = srb_interval(m, f)``
    works.
    """

    ratio: float
    low: float
    high: float
    level: float
    method: str

    def __iter__(self) -> Iterator[float]:
        return iter((self.ratio, self.low, self.high))


def _ratio(share_of_boys: float) -> float:
    if share_of_boys >= 1.0:
        return math.inf
    return 100.0 * share_of_boys / (1.0 - share_of_boys)


def srb_interval(
    males: float,
    females: float,
    level: float = 0.95,
    method: Literal["wilson", "exact"] = "wilson",
) -> SrbInterval:
    """Sex ratio at birth and its confidence interval (see the module docstring)."""
    boys = as_float("males", males)
    girls = as_float("females", females)
    if boys < 0 or girls < 0:
        raise ValueError("males and females must not be negative")
    confidence = as_float("level", level)
    if not 0 < confidence < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    if method not in ("wilson", "exact"):
        raise ValueError(f"method must be 'wilson' or 'exact', got {method!r}")
    total = boys + girls
    if total == 0:
        return SrbInterval(math.nan, math.nan, math.nan, confidence, method)
    share = boys / total
    alpha = 1.0 - confidence
    if method == "wilson":
        z = NormalDist().inv_cdf(1.0 - alpha / 2)
        denominator = 1.0 + z * z / total
        centre = (share + z * z / (2 * total)) / denominator
        half = z / denominator * math.sqrt(share * (1 - share) / total + z * z / (4 * total**2))
        low, high = max(0.0, centre - half), min(1.0, centre + half)
    else:
        from scipy.stats import beta

        low = float(beta.ppf(alpha / 2, boys, girls + 1)) if boys > 0 else 0.0
        high = float(beta.ppf(1 - alpha / 2, boys + 1, girls)) if girls > 0 else 1.0
    if boys == 0:
        low = 0.0
    if girls == 0:
        high = 1.0
    return SrbInterval(_ratio(share), _ratio(low), _ratio(high), confidence, method)


def scale_asfr_to_tfr(
    asfr: npt.ArrayLike, target_tfr: npt.ArrayLike, width: float = 5
) -> FloatArray:
    """Scale an ASFR schedule so that its TFR equals ``target_tfr``, keeping its shape.

    ``target_tfr`` is a number (result: one schedule, shape ``(groups,)``) or a sequence of
    TFRs, one per projection step (result: shape ``(steps, groups)``, ready for
    ``project_cohort_component``).
    """
    schedule = as_vector("asfr", asfr)
    require_non_negative("asfr", schedule)
    current = tfr(schedule, width)
    if current <= 0:
        raise ValueError("the ASFR schedule has TFR 0 and cannot be scaled")
    targets = np.array(target_tfr, dtype=np.float64)
    if targets.ndim > 1:
        raise ValueError(f"target_tfr must be a number or a 1-D sequence, got {targets.shape}")
    if not np.all(np.isfinite(targets)) or np.any(targets < 0):
        raise ValueError("target_tfr must be finite and not negative")
    if targets.ndim == 0:
        return schedule * (float(targets) / current)
    return np.outer(targets / current, schedule)
