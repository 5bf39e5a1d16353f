"""Period life tables from deaths and population by age.

Formulas follow Preston, Heuveline & Guillot, *Demography: Measuring and Modeling Population
Processes* (Blackwell, 2001), chapter 3 and its Box 3.1 (the 1992 life table of Austrian
males, which ``tests/demography`` reproduces):

* death rate: ``nmx = nDx / nNx`` (deaths over mid-period population, i.e. person-years);
* probability of dying: ``nqx = n·nmx / (1 + (n − nax)·nmx)``;
* survivors: ``l0 = radix``, ``l(x+n) = lx·(1 − nqx)``; deaths ``ndx = lx·nqx``;
* person-years: ``nLx = n·l(x+n) + nax·ndx``;
* open age group ``A+``: everybody dies, so ``q = 1``, ``d = l``, and because the life table's
  rate equals the observed rate, ``L(A+) = l(A) / m(A+)`` (so ``a(A+) = 1 / m(A+)``);
* ``Tx`` is the sum of ``nLx`` from ``x`` up, and ``ex = Tx / lx``.

``nax`` (average years lived in the interval by those who die in it) defaults to half the
interval, except under age 5 where deaths are concentrated early in the first year. There
the defaults are the Coale–Demeny formulas quoted in Preston et al. Table 3.3, which depend
on sex and on the infant death rate ``1m0``:

=========  =====================  ========================  ========================
sex        when                   ``1a0``                   ``4a1``
=========  =====================  ========================  ========================
male       ``1m0 >= 0.107``       0.330                     1.352
male       ``1m0 < 0.107``        0.045 + 2.684·1m0         1.651 − 2.816·1m0
female     ``1m0 >= 0.107``       0.350                     1.361
female     ``1m0 < 0.107``        0.053 + 2.800·1m0         1.522 − 1.518·1m0
=========  =====================  ========================  ========================

For ``sex="both"`` (the default, for tables of both sexes together) danso uses the mean of
the male and female values: Preston et al. give no both-sexes row, and the mean is a simple
approximation for a population with about as many boys as girls; pass ``sex`` when the
table is for one sex. ``1a0`` is used when the table's
first group is ``[0, 1)``, ``4a1`` when its second group is ``[1, 5)``; a first group
``[0, 5)`` gets half its width like any other group, so pass ``nax`` when that matters.

An age group with no population and no deaths gets ``nmx = 0`` (nothing was observed, so
nothing is assumed); deaths with no population are an error. Small areas that have only a
few people per age group should pool areas or years before building a life table: a very
high ``nmx`` can make ``nqx`` exceed 1 (when ``nax·nmx > 1``), which is rejected.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from danso.demography._validation import (
    FloatArray,
    as_float,
    as_vector,
    freeze,
    require_non_negative,
    require_same_length,
)

Sex = Literal["male", "female", "both"]
SEXES: tuple[Sex, ...] = ("male", "female", "both")

#: Infant death rate above which Preston et al. Table 3.3 uses constant ``1a0`` and ``4a1``.
COALE_DEMENY_THRESHOLD = 0.107

# (constant above the threshold, intercept, slope on 1m0) from Preston et al. Table 3.3.
_A0 = {"male": (0.330, 0.045, 2.684), "female": (0.350, 0.053, 2.800)}
_A1 = {"male": (1.352, 1.651, -2.816), "female": (1.361, 1.522, -1.518)}


def coale_demeny_nax(m0: float, sex: Sex = "both") -> tuple[float, float]:
    """Return ``(1a0, 4a1)`` for an infant death rate ``1m0`` (Preston et al. Table 3.3).

    ``sex="both"`` averages the male and female values (see the module docstring).
    """
    rate = as_float("m0", m0)
    if rate < 0:
        raise ValueError(f"m0 must not be negative, got {m0}")
    if sex not in SEXES:
        raise ValueError(f"sex must be one of {', '.join(SEXES)}; got {sex!r}")

    def value(table: dict[str, tuple[float, float, float]], which: str) -> float:
        constant, intercept, slope = table[which]
        return constant if rate >= COALE_DEMENY_THRESHOLD else intercept + slope * rate

    if sex == "both":
        return (
            (value(_A0, "male") + value(_A0, "female")) / 2,
            (value(_A1, "male") + value(_A1, "female")) / 2,
        )
    return value(_A0, sex), value(_A1, sex)


@dataclass(frozen=True, eq=False)
class LifeTable:
    """An abridged (or complete) period life table; arrays are read-only.

    All arrays have one entry per age group. ``widths`` holds ``math.inf`` for the open age
    group. ``lx``, ``dx``, ``nLx`` and ``Tx`` are per ``radix`` births; ``ex`` is in years
    (NaN where ``lx`` is 0, i.e. nobody reaches that age).
    """

    ages: FloatArray
    widths: FloatArray
    mx: FloatArray
    qx: FloatArray
    nax: FloatArray
    lx: FloatArray
    dx: FloatArray
    nLx: FloatArray
    Tx: FloatArray
    ex: FloatArray
    radix: float

    @property
    def px(self) -> FloatArray:
        """Probability of surviving each age interval, ``1 − nqx``."""
        return 1.0 - self.qx

    @property
    def e0(self) -> float:
        """Life expectancy at birth."""
        return float(self.ex[0])

    @property
    def open_age(self) -> float:
        """Lower bound of the open age group."""
        return float(self.ages[-1])


def _check_ages(ages: FloatArray, widths: FloatArray) -> None:
    """Ages must start at 0 and be contiguous, with only the last group open."""
    if ages[0] != 0:
        raise ValueError(f"the first age group must start at age 0, got {ages[0]}")
    if not math.isinf(widths[-1]) or widths[-1] < 0:
        raise ValueError("the last age group must be open: give its width as math.inf")
    closed = widths[:-1]
    if not np.all(np.isfinite(closed)) or np.any(closed <= 0):
        raise ValueError("widths of all groups but the last must be finite and positive")
    expected_next = ages[:-1] + closed
    mismatch = np.flatnonzero(~np.isclose(ages[1:], expected_next, rtol=0, atol=1e-9))
    if mismatch.size:
        i = int(mismatch[0])
        raise ValueError(
            f"age groups must be contiguous: group {i} starts at {ages[i]} with width "
            f"{closed[i]}, but the next group starts at {ages[i + 1]}"
        )


def _as_widths(widths: npt.ArrayLike) -> FloatArray:
    """Like ``as_vector`` but allowing ``inf`` (the open group's width)."""
    array = np.array(widths, dtype=np.float64)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"widths must be a non-empty one-dimensional array, got {array.shape}")
    if np.any(np.isnan(array)):
        raise ValueError("widths must not contain NaN")
    return array


def _default_nax(ages: FloatArray, widths: FloatArray, mx: FloatArray, sex: Sex) -> FloatArray:
    nax = widths / 2
    if widths[0] == 1:
        a0, a1 = coale_demeny_nax(float(mx[0]), sex)
        nax[0] = a0
        if len(ages) > 2 and ages[1] == 1 and widths[1] == 4:
            nax[1] = a1
    return nax


def life_table_from_rates(
    ages: npt.ArrayLike,
    widths: npt.ArrayLike,
    mx: npt.ArrayLike,
    nax: npt.ArrayLike | None = None,
    radix: float = 100_000,
    *,
    sex: Sex = "both",
) -> LifeTable:
    """Build a life table from death rates ``nmx`` (see the module docstring for formulas).

    Use this when rates come from elsewhere (a model life table, an assumed future
    mortality level); ``life_table`` computes the rates from deaths and population.
    ``nax`` given for the open group is ignored: it is always ``1 / m`` there.
    """
    ages_ = as_vector("ages", ages)
    widths_ = _as_widths(widths)
    rates = as_vector("mx", mx)
    require_same_length(ages=ages_, widths=widths_, mx=rates)
    _check_ages(ages_, widths_)
    require_non_negative("mx", rates)
    if sex not in SEXES:
        raise ValueError(f"sex must be one of {', '.join(SEXES)}; got {sex!r}")
    radix_ = as_float("radix", radix)
    if radix_ <= 0:
        raise ValueError(f"radix must be positive, got {radix}")
    if rates[-1] <= 0:
        raise ValueError(
            f"the death rate of the open age group ({ages_[-1]:g}+) must be positive: "
            "with no deaths there, person-years L = l / m would be infinite"
        )

    if nax is None:
        separations = _default_nax(ages_, widths_, rates, sex)
    else:
        separations = np.array(nax, dtype=np.float64)
        if separations.ndim != 1:
            raise ValueError(f"nax must be one-dimensional, got shape {separations.shape}")
        require_same_length(ages=ages_, nax=separations)
        closed = separations[:-1]
        if not np.all(np.isfinite(closed)):
            raise ValueError("nax must be finite for all groups but the open one")
        bad = np.flatnonzero((closed < 0) | (closed > widths_[:-1]))
        if bad.size:
            i = int(bad[0])
            raise ValueError(
                f"nax must lie between 0 and the width of its group: nax[{i}] = "
                f"{closed[i]} for a group of width {widths_[i]}"
            )
    separations[-1] = 1.0 / rates[-1]

    n = widths_[:-1]
    m = rates[:-1]
    a = separations[:-1]
    qx = np.empty_like(rates)
    qx[:-1] = n * m / (1.0 + (n - a) * m)
    qx[-1] = 1.0
    too_high = np.flatnonzero(qx > 1.0)
    if too_high.size:
        i = int(too_high[0])
        raise ValueError(
            f"the death rate at age {ages_[i]:g} ({rates[i]:.4g}) is too high for "
            f"nax = {separations[i]:.4g}: q would exceed 1; pool more data or give nax"
        )

    lx = np.empty_like(rates)
    lx[0] = radix_
    lx[1:] = radix_ * np.cumprod(1.0 - qx[:-1])
    dx = lx * qx
    person_years = np.empty_like(rates)
    person_years[:-1] = n * lx[1:] + a * dx[:-1]
    person_years[-1] = lx[-1] / rates[-1]
    tx = np.cumsum(person_years[::-1])[::-1].copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ex = np.where(lx > 0, tx / np.where(lx > 0, lx, 1.0), np.nan)

    return LifeTable(
        ages=freeze(ages_),
        widths=freeze(widths_),
        mx=freeze(rates),
        qx=freeze(qx),
        nax=freeze(separations),
        lx=freeze(lx),
        dx=freeze(dx),
        nLx=freeze(person_years),
        Tx=freeze(tx),
        ex=freeze(ex.astype(np.float64)),
        radix=radix_,
    )


def life_table(
    ages: npt.ArrayLike,
    widths: npt.ArrayLike,
    population: npt.ArrayLike,
    deaths: npt.ArrayLike,
    nax: npt.ArrayLike | None = None,
    radix: float = 100_000,
    *,
    sex: Sex = "both",
) -> LifeTable:
    """Build a period life table from deaths and mid-period population by age.

    ``ages`` are the lower bounds of the age groups (starting at 0), ``widths`` their widths
    with ``math.inf`` for the last, open group. ``population`` is the mid-period population
    (person-years of exposure) and ``deaths`` the deaths in the same groups and period.
    ``nax`` defaults as described in the module docstring (Coale–Demeny under age 5,
    depending on ``sex``; half the interval elsewhere).
    """
    ages_ = as_vector("ages", ages)
    population_ = as_vector("population", population)
    deaths_ = as_vector("deaths", deaths)
    require_same_length(ages=ages_, population=population_, deaths=deaths_)
    require_non_negative("population", population_)
    require_non_negative("deaths", deaths_)
    orphan = np.flatnonzero((population_ == 0) & (deaths_ > 0))
    if orphan.size:
        i = int(orphan[0])
        raise ValueError(
            f"age group starting at {ages_[i]:g} has {deaths_[i]:g} deaths but no population"
        )
    if population_[-1] == 0:
        raise ValueError(
            f"the open age group ({ages_[-1]:g}+) has no population, so its death rate "
            "is undefined; lower the open age or pool more data"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = np.where(population_ > 0, deaths_ / np.where(population_ > 0, population_, 1), 0)
    return life_table_from_rates(ages_, widths, rates, nax, radix, sex=sex)
