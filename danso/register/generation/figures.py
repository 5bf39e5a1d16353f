"""The figures of the generated year as the simulation counts them (the tables give the
same; the summary prints them): population, households, births, deaths, the sex ratio
at birth, the total fertility rate, contraceptive prevalence and new users.  Pure: no
Django.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from danso.register.generation.records import BookEvent, BookPerson
from danso.register.vocabulary import EventType, Sex


@dataclass
class Figures:
    """What the simulation itself counts for the generated year (the tables give the
    same; the summary prints them)."""

    population_mid: int = 0
    households_mid: int = 0
    aged_60_mid: int = 0
    women_15_49_mid: Counter[int] = field(default_factory=Counter)  # by 5-year group
    births: int = 0
    boys: int = 0
    third_plus: int = 0
    births_by_age: Counter[int] = field(default_factory=Counter)
    deaths: int = 0
    married_women_end: int = 0
    users_end: int = 0
    new_users: Counter[str] = field(default_factory=Counter)

    def add(self, other: Figures) -> None:
        for name in (f.name for f in fields(self)):
            mine = getattr(self, name)
            if isinstance(mine, Counter):
                mine.update(getattr(other, name))
            else:
                setattr(self, name, mine + getattr(other, name))

    def as_dict(self) -> dict[str, Any]:
        girls = self.births - self.boys
        tfr = 5 * sum(
            self.births_by_age[group] / women
            for group, women in self.women_15_49_mid.items()
            if women
        )
        return {
            "population_mid_year": self.population_mid,
            "households_mid_year": self.households_mid,
            "mean_household_size": _ratio(self.population_mid, self.households_mid, 2),
            "aged_60_plus_pct": _ratio(100 * self.aged_60_mid, self.population_mid, 2),
            "births": self.births,
            "cbr_permille": _ratio(1000 * self.births, self.population_mid, 2),
            "tfr": round(tfr, 2),
            "srb": _ratio(100 * self.boys, girls, 1),
            "third_plus_pct": _ratio(100 * self.third_plus, self.births, 2),
            "deaths": self.deaths,
            "cdr_permille": _ratio(1000 * self.deaths, self.population_mid, 2),
            "cpr_pct": _ratio(100 * self.users_end, self.married_women_end, 1),
            "new_contraceptive_users": {str(m): n for m, n in sorted(self.new_users.items())},
        }


def _ratio(numerator: float, denominator: float, digits: int) -> float | None:
    return round(numerator / denominator, digits) if denominator else None


_METHOD_EVENTS = (EventType.CONTRACEPTION_START, EventType.CONTRACEPTION_STOP)


def year_figures(year: int, persons: Sequence[BookPerson], events: Sequence[BookEvent]) -> Figures:
    """What the book of ``persons`` and ``events`` gives for ``year``, the book's last:
    the population and households on 1 July, the year's births and deaths, and the
    married women 15–49 and those using a method on 31 December."""
    first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
    mid = date(year, 7, 1).toordinal()
    figures = Figures()
    households: set[int] = set()
    for person in persons:
        stay = person.stay_on(mid)
        if stay is None:
            continue
        figures.population_mid += 1
        households.add(stay.household)
        age = person.age(mid)
        figures.aged_60_mid += age >= 60
        if person.sex == Sex.FEMALE and 15 <= age < 50:
            figures.women_15_49_mid[int(age) // 5 * 5] += 1
    figures.households_mid = len(households)
    for event in events:
        if not first <= event.day <= last:
            continue
        if event.kind is EventType.BIRTH:
            assert event.child is not None
            assert event.birth_order is not None
            figures.births += 1
            figures.boys += persons[event.child].sex == Sex.MALE
            figures.third_plus += event.birth_order >= 3
            age = int(persons[event.person].age(event.day))
            figures.births_by_age[age // 5 * 5] += 1
        elif event.kind is EventType.DEATH:
            figures.deaths += 1
        elif event.kind is EventType.CONTRACEPTION_START and not (event.extra or {}).get(
            "in_use_at_opening"
        ):
            figures.new_users[event.method] += 1
    in_use: dict[int, str] = {}
    for event in sorted(
        (e for e in events if e.kind in _METHOD_EVENTS and e.day <= last),
        key=lambda e: (e.day, e.kind is EventType.CONTRACEPTION_START),
    ):
        if event.kind is EventType.CONTRACEPTION_START:
            in_use[event.person] = event.method
        else:
            in_use.pop(event.person, None)
    for index, person in enumerate(persons):
        if (
            person.sex == Sex.FEMALE
            and person.present_on(last)
            and person.married_on(last)
            and 15 <= person.age(last) < 50
        ):
            figures.married_women_end += 1
            figures.users_end += index in in_use
    return figures
