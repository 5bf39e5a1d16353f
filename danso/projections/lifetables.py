"""Life tables entered by people, turned into ``danso.demography.LifeTable`` (no Django).

Entered tables are on the abridged groups ``0, 1–4, 5–9, …, A+`` (``A`` from 80 to 100),
one value per group and sex, in one of two kinds:

* ``mx``: death rates per person-year; the table is ``life_table_from_rates`` with its
  default ``nax`` (Coale–Demeny under 5, half the interval elsewhere);
* ``nqx``: probabilities of dying, as most published tables give them, with the **life
  expectancy at age A** in the last group (``q`` is 1 there, so it says nothing). The
  survivors are ``l(x+n) = lx·(1 − nqx)``; person-years ``nLx = n·l(x+n) + nax·ndx`` with
  the same default ``nax`` (``1a0`` from ``1m0``, found by a few fixed-point steps since
  ``1m0`` itself depends on ``1a0``); ``L(A+) = lA·eA``. The rates ``m = d / L`` then
  rebuild the same table through ``life_table_from_rates``.
"""

from __future__ import annotations

import math
import re
from itertools import pairwise

import numpy as np

from danso.demography import LifeTable, coale_demeny_nax, life_table_from_rates
from danso.demography.lifetable import Sex

ALLOWED_OPEN_AGES = (80, 85, 90, 95, 100)


def abridged_starts(open_age: int) -> list[int]:
    """``[0, 1, 5, 10, …, open_age]``."""
    if open_age not in ALLOWED_OPEN_AGES:
        raise ValueError(f"the last age group of a life table starts at one of {ALLOWED_OPEN_AGES}")
    return [0, 1, *range(5, open_age + 1, 5)]


def abridged_labels(open_age: int) -> list[str]:
    """``["0", "1-4", "5-9", …, "85+"]``."""
    starts = abridged_starts(open_age)
    return [
        "0",
        *(f"{a}-{b - 1}" for a, b in pairwise(starts[1:])),
        f"{open_age}+",
    ]


def parse_values(text: str) -> list[float]:
    """Numbers separated by spaces, new lines or semicolons; a comma between digits is a
    decimal comma (``0,0123``) as in Vietnamese documents."""
    numbers = []
    for token in re.split(r"[\s;]+", text.strip()):
        if not token:
            continue
        try:
            numbers.append(float(token.replace(",", ".")))
        except ValueError as error:
            raise ValueError(f"{token!r} is not a number") from error
    return numbers


def entered_table(kind: str, values: list[float], open_age: int, sex: Sex) -> LifeTable:
    """The life table of one sex from entered values (module docstring).

    Raises ``ValueError`` naming the problem: wrong number of values, a probability
    outside [0, 1), a negative rate, a non-positive life expectancy or open-group rate.
    """
    starts = abridged_starts(open_age)
    if len(values) != len(starts):
        raise ValueError(
            f"{len(starts)} values are needed (groups 0, 1–4, …, {open_age}+), not {len(values)}"
        )
    widths = [*np.diff(starts).tolist(), math.inf]
    array = np.array(values, dtype=np.float64)
    if kind == "mx":
        if np.any(array < 0):
            raise ValueError("death rates must not be negative")
        return life_table_from_rates(starts, widths, array, sex=sex)
    if kind != "nqx":
        raise ValueError(f"unknown kind of values {kind!r}")
    q = array[:-1]
    expectancy = float(array[-1])
    if np.any((q < 0) | (q >= 1)):
        raise ValueError("probabilities of dying lie between 0 and 1 (the last group holds e(x))")
    if expectancy <= 0:
        raise ValueError(
            "the last value is the life expectancy at the open age and must be positive"
        )
    survivors = np.concatenate([[1.0], np.cumprod(1 - q)])
    deaths = survivors[:-1] * q
    n = np.array(widths[:-1])
    nax = n / 2
    a0, a1 = coale_demeny_nax(0.0, sex)
    for _ in range(20):  # 1a0 depends on 1m0, which depends on 1a0: a fixed point
        nax[0], nax[1] = a0, a1
        person_years = n * survivors[1:] + nax * deaths
        a0, a1 = coale_demeny_nax(float(deaths[0] / person_years[0]), sex)
    nax[0], nax[1] = a0, a1
    person_years = n * survivors[1:] + nax * deaths
    last = survivors[-1] * expectancy
    rates = np.concatenate([deaths / person_years, [survivors[-1] / last]])
    return life_table_from_rates(starts, widths, rates, [*nax, math.nan], sex=sex)
