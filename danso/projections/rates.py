"""From counts read in the register to the rates a projection needs (no Django).

``danso.projections.sources`` reads the register into ``PoolCounts``: persons registered
on 1 July of each of the pooled years (person-years of exposure, the mid-year convention
of DOMAIN §4.1), births by age of the mother, deaths and moves by age and sex. This module
turns them into the inputs of ``danso.projections.method``:

* **ASFR** (per woman per year, 5-year groups): births to mothers of a group over the
  pooled years divided by the women of that group summed over the pooled mid-years.
  Births to mothers under 15 count in 15–19 and those to mothers of 50 and over in 45–49,
  the usual convention (United Nations, *Manual X*), so that no birth is lost;
* **life table** by sex from deaths and exposure in the abridged groups ``0, 1–4, 5–9, …,
  85+`` (``danso.demography.life_table``, Coale–Demeny ``1a0``/``4a1``);
* **net migration** per year by 5-year group and sex: (moves in − moves out) over the
  pooled years divided by their number, each mover counted in the group of their age on
  the day of the move.

Ages are completed years on the day concerned. The register is read on one fixed grid,
``REGISTER_STARTS`` (0, 1, 5, 10, …, 85+), and collapsed here to the projection's grid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from danso.demography import LifeTable, life_table

#: Lower bounds of the abridged age groups the register is read in.
REGISTER_STARTS: tuple[int, ...] = (0, 1, *range(5, 90, 5))
REGISTER_OPEN_AGE = 85
#: The groups of the mother's age for births (15–19 … 45–49).
FERTILE_STARTS: tuple[int, ...] = tuple(range(15, 50, 5))


def register_group(age: int) -> int:
    """Index in ``REGISTER_STARTS`` of a person aged ``age`` (completed years)."""
    if age < 0:
        raise ValueError(f"negative age {age}")
    if age < 1:
        return 0
    if age < 5:
        return 1
    return min(age // 5 + 1, len(REGISTER_STARTS) - 1)


def fertile_group(age: int) -> int:
    """Index in ``FERTILE_STARTS`` of a mother aged ``age``; younger and older mothers go
    to the first and last group (module docstring)."""
    return min(max(age - 15, 0) // 5, len(FERTILE_STARTS) - 1)


def projection_starts(open_age: int) -> list[int]:
    """Lower bounds of the projection's 5-year groups: 0, 5, …, ``open_age``."""
    return list(range(0, open_age + 1, 5))


def to_five_year(values: list[float], open_age: int) -> list[float]:
    """Collapse counts on the register grid to 5-year groups up to ``open_age``+."""
    if len(values) != len(REGISTER_STARTS):
        raise ValueError(f"expected {len(REGISTER_STARTS)} register groups, got {len(values)}")
    if open_age > REGISTER_OPEN_AGE or open_age % 5:
        raise ValueError(f"open age {open_age} is not a 5-year age up to {REGISTER_OPEN_AGE}")
    five = [float(values[0] + values[1]), *(float(v) for v in values[2:])]
    cut = open_age // 5
    return [*five[:cut], sum(five[cut:])]


def collapse_open(values: list[float], open_age: int, new_open_age: int) -> list[float]:
    """5-year counts with open group ``open_age``+ brought down to ``new_open_age``+."""
    if new_open_age > open_age:
        raise ValueError("an open age group cannot be split")
    cut = new_open_age // 5
    return [*values[:cut], sum(values[cut:])]


@dataclass
class PoolCounts:
    """What the register says about a set of leaf units over the pooled years.

    Lists on the register grid have ``len(REGISTER_STARTS)`` entries; ``births_by_age``
    has one entry per ``FERTILE_STARTS`` group.
    """

    years: list[int] = field(default_factory=list)
    exposure_female: list[int] = field(default_factory=lambda: [0] * len(REGISTER_STARTS))
    exposure_male: list[int] = field(default_factory=lambda: [0] * len(REGISTER_STARTS))
    births_by_age: list[int] = field(default_factory=lambda: [0] * len(FERTILE_STARTS))
    boys: int = 0
    girls: int = 0
    deaths_female: list[int] = field(default_factory=lambda: [0] * len(REGISTER_STARTS))
    deaths_male: list[int] = field(default_factory=lambda: [0] * len(REGISTER_STARTS))
    moves_in_female: list[int] = field(default_factory=lambda: [0] * len(REGISTER_STARTS))
    moves_in_male: list[int] = field(default_factory=lambda: [0] * len(REGISTER_STARTS))
    moves_out_female: list[int] = field(default_factory=lambda: [0] * len(REGISTER_STARTS))
    moves_out_male: list[int] = field(default_factory=lambda: [0] * len(REGISTER_STARTS))

    @property
    def births(self) -> int:
        return sum(self.births_by_age)

    @property
    def woman_years(self) -> list[int]:
        """Women 15–19 … 45–49, summed over the pooled mid-years."""
        return [self.exposure_female[register_group(a)] for a in FERTILE_STARTS]


def asfr_from_counts(counts: PoolCounts, open_age: int) -> list[float]:
    """ASFR per woman per year on the projection grid (0 outside 15–49)."""
    rates = [0.0] * (open_age // 5 + 1)
    for index, (births, women) in enumerate(
        zip(counts.births_by_age, counts.woman_years, strict=True)
    ):
        start = FERTILE_STARTS[index]
        if births and not women:
            raise ValueError(f"births to mothers {start}–{start + 4} but no women of that age")
        rates[start // 5] = births / women if women else 0.0
    return rates


def register_life_tables(counts: PoolCounts) -> tuple[LifeTable, LifeTable]:
    """Female and male life tables from the pooled deaths and exposure (module docstring).

    Raises ``ValueError`` (from ``danso.demography``) when a table cannot be built, e.g.
    no one aged 85+ or a death rate too high for its group.
    """
    ages = list(REGISTER_STARTS)
    widths = [*np.diff(ages).tolist(), math.inf]
    female = life_table(ages, widths, counts.exposure_female, counts.deaths_female, sex="female")
    male = life_table(ages, widths, counts.exposure_male, counts.deaths_male, sex="male")
    return female, male


def annual_net_migration(counts: PoolCounts, open_age: int) -> tuple[list[float], list[float]]:
    """Net migrants per year by 5-year group, (female, male)."""
    years = len(counts.years)
    if not years:
        zero = [0.0] * (open_age // 5 + 1)
        return zero, list(zero)

    def net(moved_in: list[int], moved_out: list[int]) -> list[float]:
        per_year = [(i - o) / years for i, o in zip(moved_in, moved_out, strict=True)]
        return to_five_year(per_year, open_age)

    return (
        net(counts.moves_in_female, counts.moves_out_female),
        net(counts.moves_in_male, counts.moves_out_male),
    )


#: Fertility assumed when no register up the tree has enough births: a schedule shaped
#: like Vietnam's recent age pattern (most births at 20–34), scaled to the national TFR
#: of 2024 (1.91, DOMAIN §8). An assumption, said so wherever it is used.
ASSUMED_TFR = 1.91
ASSUMED_ASFR_SHAPE = (0.035, 0.135, 0.140, 0.090, 0.045, 0.012, 0.002)
#: Sex ratio at birth assumed in the same case: Vietnam 2024 (111.4, DOMAIN §8).
ASSUMED_SRB = 111.4


def assumed_asfr(open_age: int) -> list[float]:
    """``ASSUMED_ASFR_SHAPE`` scaled to ``ASSUMED_TFR``, on the projection grid."""
    scale = ASSUMED_TFR / (5 * sum(ASSUMED_ASFR_SHAPE))
    rates = [0.0] * (open_age // 5 + 1)
    for start, share in zip(FERTILE_STARTS, ASSUMED_ASFR_SHAPE, strict=True):
        rates[start // 5] = share * scale
    return rates
