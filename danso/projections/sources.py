"""Where a projection's inputs are read: the register, population figures, parent units.

*Registered in U on D* has the indicator engine's meaning (``danso.indicators.engine``):
a stay in a household on D, the household placed on D in a commune or village under U in
the tree of the **base date** (``leaves_under``). The same leaves are used for every
pooled year, so that a rate's births and women come from the same places; a unit created
at the base date therefore has no history of its own and borrows from its parent.
Events count where they were recorded (``Event.unit``: for a birth, the mother's unit).

Reads only; nothing is written here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q

from danso.indicators.engine import born_aged, leaves_under, registered_on
from danso.population.models import PopulationFigure
from danso.projections.rates import (
    REGISTER_STARTS,
    PoolCounts,
    fertile_group,
    register_group,
)
from danso.register.models import Event
from danso.register.rules import completed_years
from danso.register.vocabulary import EventType
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on

#: How many full calendar years before the base date are pooled for rates.
POOL_YEARS = 5
_SEXES = ("F", "M")


def pool_years(base_date: date) -> list[int]:
    """The full calendar years before the base date whose events are pooled."""
    return list(range(base_date.year - POOL_YEARS, base_date.year))


def _group_bounds() -> list[tuple[int, int | None]]:
    ends: list[int | None] = [s - 1 for s in REGISTER_STARTS[1:]]
    return list(zip(REGISTER_STARTS, [*ends, None], strict=True))


def counts_on(day: date, leaves: list[int]) -> tuple[list[int], list[int]]:
    """Persons registered on ``day`` in ``leaves`` by register age group: (female, male)."""
    if not leaves:
        zero = [0] * len(REGISTER_STARTS)
        return zero, list(zero)
    aggregates: dict[str, Any] = {}
    for sex in _SEXES:
        for index, (low, high) in enumerate(_group_bounds()):
            aggregates[f"{sex}{index}"] = Count(
                "person_id", filter=Q(person__sex=sex) & born_aged(day, low, high), distinct=True
            )
    row = registered_on(day, leaves).aggregate(**aggregates)
    female = [int(row[f"F{i}"] or 0) for i in range(len(REGISTER_STARTS))]
    male = [int(row[f"M{i}"] or 0) for i in range(len(REGISTER_STARTS))]
    return female, male


def pool_counts(base_date: date, leaves: list[int]) -> PoolCounts:
    """Exposure, births, deaths and moves in ``leaves`` over the pooled years that the
    register covers (a year counts when someone is registered there on 1 July)."""
    counts = PoolCounts()
    for year in pool_years(base_date):
        female, male = counts_on(date(year, 7, 1), leaves)
        if not sum(female) + sum(male):
            continue
        counts.years.append(year)
        counts.exposure_female = [
            a + b for a, b in zip(counts.exposure_female, female, strict=True)
        ]
        counts.exposure_male = [a + b for a, b in zip(counts.exposure_male, male, strict=True)]
    if not counts.years:
        return counts
    events = Event.objects.filter(
        unit_id__in=leaves,
        event_date__year__in=counts.years,
        event_type__in=[EventType.BIRTH, EventType.DEATH, EventType.MOVE_IN, EventType.MOVE_OUT],
    ).values_list("event_type", "event_date", "person__birth_date", "person__sex", "child_sex")
    for kind, day, born, sex, child_sex in events.iterator(chunk_size=5000):
        age = completed_years(born, day)
        if kind == EventType.BIRTH:
            counts.births_by_age[fertile_group(age)] += 1
            counts.boys += child_sex == "M"
            counts.girls += child_sex == "F"
            continue
        woman = sex == "F"
        target = {
            EventType.DEATH: counts.deaths_female if woman else counts.deaths_male,
            EventType.MOVE_IN: counts.moves_in_female if woman else counts.moves_in_male,
            EventType.MOVE_OUT: counts.moves_out_female if woman else counts.moves_out_male,
        }[EventType(kind)]
        target[register_group(max(age, 0))] += 1
    return counts


def parent_on(version: UnitVersion, day: date) -> UnitVersion | None:
    """The unit above ``version`` on ``day``, or None above a province (the walk up for
    borrowed rates stops at the province: a national pool would be too far away)."""
    if version.parent_id is None or version.unit.level == Level.PROVINCE:
        return None
    return (
        UnitVersion.objects.filter(valid_on(day), unit_id=version.parent_id)
        .select_related("unit")
        .first()
    )


def latest_figure(unit_id: int, base_date: date) -> PopulationFigure | None:
    """The population figure with age groups nearest before the base date (its year at
    most the base date's), else the earliest one after."""
    figures = PopulationFigure.objects.filter(
        unit_id=unit_id, male_by_age__isnull=False, female_by_age__isnull=False
    )
    return (
        figures.filter(year__lte=base_date.year).order_by("-year").first()
        or figures.order_by("year").first()
    )


class RegisterReader:
    """Reads the register for projections at one base date, remembering what it read:
    the child units of one parent all borrow the parent's rates, which are read once."""

    def __init__(self, base_date: date) -> None:
        self.base_date = base_date
        self._leaves: dict[int, list[int]] = {}
        self._pools: dict[int, PoolCounts] = {}

    def leaves(self, version: UnitVersion) -> list[int]:
        if version.unit_id not in self._leaves:
            self._leaves[version.unit_id] = sorted(leaves_under(version, self.base_date))
        return self._leaves[version.unit_id]

    def population(self, version: UnitVersion) -> tuple[list[int], list[int]]:
        """Persons registered on the base date, by register age group: (female, male)."""
        return counts_on(self.base_date, self.leaves(version))

    def pool(self, version: UnitVersion) -> PoolCounts:
        if version.unit_id not in self._pools:
            self._pools[version.unit_id] = pool_counts(self.base_date, self.leaves(version))
        return self._pools[version.unit_id]
