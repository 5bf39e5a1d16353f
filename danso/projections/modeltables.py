"""The built-in model life table: Coale–Demeny "West", at a chosen life expectancy.

A unit whose register has too few deaths for a life table of its own (and whose parents'
registers have too few as well) is projected with a *model* life table. danso builds it
from the Coale–Demeny West family (Coale, Demeny & Vaughan, *Regional Model Life Tables
and Stable Populations*, 2nd ed., Academic Press, 1983), the family most often used when
nothing is known about a population's mortality pattern (United Nations, *Manual X*,
1983). No Django import.

**How a West table is computed.** The family is indexed by ``e10``, the life expectancy
at age 10. For the groups ``0, 1–4, 5–9, … 75–79`` the probability of dying ``nqx`` comes
from two regressions on ``e10`` published with the tables: a linear one
``q = a + b·e10`` and a log-linear one ``q = 10^(a1 + b1·e10) / 10000``. Where the linear
value is below the log-linear one, the linear value is used if the log-linear curve is
flatter there (``b / (b1·ln 10·q_log) < 1``), the log-linear value otherwise; elsewhere the
mean of the two. Above age 80 mortality follows a Gompertz curve from the hazard at 77.5
(``m77 = 5d75 / 5L75``) to a hazard at 105 of ``0.613 + 1.75·5q75`` (females) or
``0.551 + 1.75·5q75`` (males): ``κ = ln(m105 / m77) / 27.5``, ``m80 = m77·e^(2.5κ)``,
``l(80 + t) = l80·exp(−(m80/κ)(e^(κt) − 1))``, integrated by the trapezoidal rule in steps
of 0.2 years up to age 121. ``1a0`` and ``4a1`` follow the published formulas on ``1q0``;
``5a5 = 2.25``, ``5ax = 2.6`` from 10 to 74 and ``2.5`` at 75–79.

The coefficients and the extension are those of the R package *demogR* (J. H. Jones,
``cdmltw``, with the corrections of J. Oeppen, 2018, to the male hazard at 105 and to
``1a0``/``4a1``). The tests check that the female table of each level ``k`` of the
published set has ``e0 = 17.5 + 2.5·k`` (level 1: 20 years … level 25: 80 years).

**danso's default.** ``vietnam_like(sex)`` is the West table whose ``e0`` is
``DEFAULT_E0`` (71 years for males, 76 for females): round values close to the national
estimates of the General Statistics Office (life expectancy at birth about 73–74 years
for both sexes in 2022–2024, women about five years above men). It is an *assumption*
about the level and a borrowed *pattern*: it is not Vietnam's life table, and a unit with
a register of its own, or a table entered by its officers, should use that instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np

from danso.demography import LifeTable, life_table_from_rates

Sex = Literal["male", "female"]

#: Life expectancy at birth of the built-in default table, in years.
DEFAULT_E0: dict[Sex, float] = {"male": 71.0, "female": 76.0}


@dataclass(frozen=True)
class _WestCoefficients:
    linear_a: tuple[float, ...]
    linear_b: tuple[float, ...]
    log_a: tuple[float, ...]
    log_b: tuple[float, ...]
    hazard_105: float  # intercept of the hazard at age 105 (+ 1.75 · 5q75)
    a0: tuple[float, float, float]  # 1a0 = c0 + c1·1q0 when 1q0 < 0.1, else c2
    a1: tuple[float, float, float]  # 4a1 likewise
    e10_range: tuple[float, float]  # e10 of levels 1 and 25


# fmt: off
_WEST: dict[Sex, _WestCoefficients] = {
    "female": _WestCoefficients(
        linear_a=(
            0.53774, 0.39368, 0.10927, 0.08548, 0.10979, 0.1358, 0.15134, 0.17032, 0.18464,
            0.1939, 0.20138, 0.2535, 0.31002, 0.43445, 0.53481, 0.69394, 0.84589,
        ),
        linear_b=(
            -0.008044, -0.006162, -0.001686, -0.00132, -0.001672, -0.002051, -0.002276,
            -0.002556, -0.002745, -0.002828, -0.002831, -0.003487, -0.004118, -0.005646,
            -0.00646, -0.007713, -0.008239,
        ),
        log_a=(
            5.8992, 7.4576, 6.2018, 5.9627, 5.9335, 5.9271, 5.8145, 5.6578, 5.3632, 4.96,
            4.5275, 4.4244, 4.3131, 4.3439, 4.2229, 4.1838, 4.1294,
        ),
        log_b=(
            -0.05406, -0.08834, -0.0741, -0.07181, -0.06812, -0.06577, -0.06262, -0.05875,
            -0.05232, -0.0438, -0.03436, -0.03004, -0.02554, -0.02295, -0.01773, -0.01376,
            -0.00978,
        ),
        hazard_105=0.613,
        a0=(0.050, 3.00, 0.35),
        a1=(1.524, -1.627, 1.361),
        e10_range=(21.40549, 78.62273),
    ),
    "male": _WestCoefficients(
        linear_a=(
            0.63726, 0.40548, 0.10393, 0.07435, 0.09880, 0.14009, 0.15785, 0.18260, 0.21175,
            0.25049, 0.27894, 0.33729, 0.38425, 0.48968, 0.59565, 0.73085, 0.98976,
        ),
        linear_b=(
            -0.009958, -0.006653, -0.001662, -0.001183, -0.001539, -0.002183, -0.002479,
            -0.002875, -0.003312, -0.003864, -0.004158, -0.004856, -0.005190, -0.006300,
            -0.007101, -0.007911, -0.008695,
        ),
        log_a=(
            5.8061, 7.1062, 5.4472, 5.0654, 4.8700, 5.0677, 5.2660, 5.3438, 5.2792, 5.0415,
            4.6666, 4.4506, 4.2202, 4.1851, 4.1249, 4.1051, 4.1133,
        ),
        log_b=(
            -0.05338, -0.08559, -0.06295, -0.05817, -0.05070, -0.05156, -0.05471, -0.05511,
            -0.05229, -0.04573, -0.03637, -0.02961, -0.02256, -0.01891, -0.01491, -0.01161,
            -0.00895,
        ),
        hazard_105=0.551,
        a0=(0.0425, 2.875, 0.33),
        a1=(1.653, -3.013, 1.352),
        e10_range=(21.86761, 74.08120),
    ),
}
# fmt: on

#: e10 of the 25 published levels (demogR, Oeppen's optimisation), for the tests.
# fmt: off
WEST_LEVELS_E10: dict[Sex, tuple[float, ...]] = {
    "female": (
        21.40549, 25.32904, 28.86351, 32.07396, 35.01032, 37.71173, 40.20992, 42.53003,
        44.69388, 46.71830, 48.61905, 50.40814, 52.08187, 53.35198, 54.56192, 55.83317,
        57.16274, 58.54485, 59.97243, 61.43625, 62.99381, 65.49800, 68.71056, 72.92253,
        78.62273,
    ),
    "male": (
        21.86761, 25.44740, 28.67272, 31.60223, 34.28159, 36.74631, 39.02583, 41.14277,
        43.11689, 44.96458, 46.69839, 48.33115, 49.85796, 51.01729, 52.12115, 53.28135,
        54.49441, 55.75599, 57.05851, 58.39447, 59.81638, 62.10227, 65.03413, 68.87841,
        74.08120,
    ),
}
# fmt: on

_STEP = 0.2  # years, for integrating the Gompertz curve above 80
_TOP = 41.0  # integrate up to age 80 + 41 = 121


def _young_qx(e10: float, c: _WestCoefficients) -> np.ndarray:
    """``nqx`` of the groups 0, 1–4, 5–9, …, 75–79 from the two regressions on e10."""
    linear = np.array(c.linear_a) + np.array(c.linear_b) * e10
    logged = 1e-4 * 10 ** (np.array(c.log_a) + np.array(c.log_b) * e10)
    slope = (np.array(c.linear_b) / np.array(c.log_b)) / math.log(10) / logged
    mixed = (linear + logged) / 2
    below = linear <= logged
    return np.where(below & (slope < 1), linear, np.where(below, logged, mixed))


def _trapezoid(values: np.ndarray) -> float:
    return float((values.sum() - (values[0] + values[-1]) / 2) * _STEP)


def west_life_table(e10: float, sex: Sex, open_age: int = 85) -> LifeTable:
    """The West model life table of ``sex`` indexed by ``e10`` (radix 1), in groups
    ``0, 1–4, 5–9, …`` up to ``open_age`` (80 or 85) and over."""
    if open_age not in (80, 85):
        raise ValueError(f"the West tables are built here up to 80+ or 85+, not {open_age}+")
    c = _WEST[sex]
    low, high = c.e10_range
    if not low - 1e-9 <= e10 <= high + 1e-9:
        raise ValueError(f"e10 = {e10:g} is outside the West levels ({low:g}–{high:g})")
    q = _young_qx(e10, c)
    survivors = np.concatenate([[1.0], np.cumprod(1 - q)])  # l0, l1, l5, …, l80
    l75, q75, l80 = survivors[16], q[16], survivors[17]
    m77 = l75 * q75 / (5 * l75 * (1 - q75) + 2.5 * l75 * q75)
    kappa = math.log((c.hazard_105 + 1.75 * q75) / m77) / 27.5
    m80 = m77 * math.exp(2.5 * kappa)
    t = np.arange(0.0, _TOP + _STEP / 2, _STEP)
    old = l80 * np.exp(-(m80 / kappa) * (np.exp(kappa * t) - 1))

    q0 = float(q[0])
    a0 = c.a0[0] + c.a0[1] * q0 if q0 < 0.1 else c.a0[2]
    a1 = c.a1[0] + c.a1[1] * q0 if q0 < 0.1 else c.a1[2]
    nax = [a0, a1, 2.25, *[2.6] * 13, 2.5]
    widths = [1.0, 4.0, *[5.0] * 15]
    deaths = survivors[:17] * q
    person_years = list(np.array(widths) * (survivors[:17] - deaths) + np.array(nax) * deaths)
    deaths_list = list(deaths)
    if open_age == 85:
        five = round(5 / _STEP)
        l85 = float(old[five])
        person_years += [_trapezoid(old[: five + 1]), _trapezoid(old[five:])]
        deaths_list += [float(l80) - l85, l85]
        nax.append((person_years[-2] - 5 * l85) / deaths_list[-2])
        widths.append(5.0)
    else:
        person_years.append(_trapezoid(old))
        deaths_list.append(float(l80))
    ages = [0, 1, *range(5, open_age + 1, 5)]
    rates = np.array(deaths_list) / np.array(person_years)
    # life_table_from_rates recomputes q = n·m / (1 + (n − a)·m) = d / l exactly.
    return life_table_from_rates(
        ages, [*widths, math.inf], rates, [*nax, math.nan], radix=1.0, sex=sex
    )


@lru_cache(maxsize=16)
def west_at_e0(e0: float, sex: Sex, open_age: int = 85) -> LifeTable:
    """The West table of ``sex`` whose life expectancy at birth is ``e0`` (to 0.001 year),
    found by bisection on e10 (e0 increases with e10)."""
    low, high = _WEST[sex].e10_range
    lowest, highest = (west_life_table(x, sex, open_age).e0 for x in (low, high))
    if not lowest <= e0 <= highest:
        raise ValueError(f"e0 = {e0:g} is outside the West tables ({lowest:.1f}–{highest:.1f})")
    for _ in range(60):
        middle = (low + high) / 2
        if west_life_table(middle, sex, open_age).e0 < e0:
            low = middle
        else:
            high = middle
    return west_life_table((low + high) / 2, sex, open_age)


def vietnam_like(sex: Sex, open_age: int = 85) -> LifeTable:
    """danso's default model table (module docstring): West at ``DEFAULT_E0[sex]``."""
    return west_at_e0(DEFAULT_E0[sex], sex, open_age)
