"""The indicator engine: the figures of any unit for any period, from the register.

The engine counts *tallies* — additive counts such as births, boys, women 25–29 on the
reference date, mothers screened before birth — per **leaf unit** (the village, or the
commune for households placed directly in it), then adds the tallies of the leaves under
the unit asked for and turns the sums into indicators (``indicators_from``).  Every
indicator of DOMAIN §4.1 is a ratio of such sums, so a district's value is exact, not an
average of its communes' values.

Definitions (``docs/indicators.md`` says them for users):

- the period's reference date and annualisation: ``periods.Period``;
- *registered in U on D*: a stay in a household (``Membership``, its end inclusive) on D,
  the household placed (``HouseholdPlacement``) on D in a leaf under U;
- an event counts where it was fixed when recorded (``Event.unit``: the household's unit
  on the event's day; for a birth, the mother's);
- the tree is taken on the ``tree_date`` (default: the period's last day); leaves are the
  communes and villages valid then.

Reads the register only; no Django model of its own is written here (the cache of
computed tallies is ``cache``'s business).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, When
from django.db.models import Value as SqlValue

from danso.indicators.catalogue import ASFR_GROUPS, METHODS
from danso.indicators.entered import NEWFP_SUPPLIES
from danso.indicators.periods import Period
from danso.indicators.uncertainty import (
    INTERVAL_METHODS,
    SMALL_NUMBERS,
    Interval,
    IntervalKind,
    poisson,
    srb,
    tfr,
    wilson,
)
from danso.population.models import PopulationFigure
from danso.register.models import Event, Membership, Person
from danso.register.rules import completed_years
from danso.register.vocabulary import MODERN_METHODS, PLAN_METHOD, EventType, MaritalStatus
from danso.units.codes import Level
from danso.units.models import UnitSuccession, UnitVersion, valid_on

Tally = Counter[str]

#: Breakdown codes of NEWFP by method, in the order of the plans' tables, and by supply.
NEWFP_METHODS = METHODS
PRENATAL_WINDOW = timedelta(days=280)
NEWBORN_WINDOW = timedelta(days=30)
PREMARITAL_WINDOW = timedelta(days=365)
#: The legal age of marriage (Law on Marriage and Family 2014, art. 8): 20 for a man,
#: 18 for a woman; a person married younger counts in ``married.child`` (tảo hôn).
MARRIAGE_AGE = {"M": 20, "F": 18}
#: Events counted as they are, by the tally key they go to.
_EVENT_COUNTS: dict[str, str] = {
    EventType.DEATH: "deaths",
    EventType.DIVORCE: "divorced",
    EventType.MOVE_IN: "moved_in",
    EventType.MOVE_OUT: "moved_out",
}
_GROUP_BOUNDS = [(int(g.split("-")[0]), int(g.split("-")[1])) for g in ASFR_GROUPS]
#: The population pyramid's five-year groups, open from 85; tally keys ``PYR.M.0-4`` ….
PYRAMID_GROUPS = (*(f"{low}-{low + 4}" for low in range(0, 85, 5)), "85+")


def years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def born_aged(day: date, low: int, high: int | None = None) -> Q:
    """Persons aged ``low`` to ``high`` (completed years, inclusive) on ``day``."""
    q = Q(person__birth_date__lte=years_before(day, low))
    if high is not None:
        q &= Q(person__birth_date__gt=years_before(day, high + 1))
    return q


# ----------------------------------------------------------------------------- leaves


def leaves_under(version: UnitVersion, on: date) -> dict[int, str]:
    """The communes and villages under ``version`` (itself included) on ``on``: unit id to
    path."""
    rows = UnitVersion.objects.filter(
        valid_on(on),
        path__startswith=version.path,
        unit__level__in=[Level.COMMUNE, Level.VILLAGE],
    ).values_list("unit_id", "path")
    return dict(rows)


@dataclass(frozen=True)
class Part:
    """A leaf counted for a unit: wholly (``share`` 1) or, for a commune split by a
    reform, the share of it that went to ``path``'s commune (an estimate)."""

    unit: int
    path: str  # where it counts in the tree of the day asked
    share: float = 1.0


def predecessors_under(version: UnitVersion, on: date, period: Period) -> list[Part]:
    """The leaves that held part of the period under ``version`` but were closed by ``on``
    (communes merged or split by a reform, with their villages that did not move): each
    counted for the commune it went to, wholly, or — when only part of it went there —
    by that commune's share of the population of all its successors."""
    current = leaves_under(version, on)
    communes = dict(
        UnitVersion.objects.filter(
            valid_on(on), path__startswith=version.path, unit__level=Level.COMMUNE
        ).values_list("unit_id", "path")
    )
    # The successions during the period that lead to these communes, one query a step
    # back in time (a reform is one step; a merge followed by a reform two).
    links: dict[int, list[Link]] = defaultdict(list)
    wanted = set(communes)
    while wanted:
        rows = UnitSuccession.objects.filter(
            successor_id__in=sorted(wanted), effective__gt=period.start, effective__lte=on
        ).values_list("predecessor_id", "successor_id", "partial")
        found = [Link(*row) for row in rows]
        for link in found:
            links[link.successor].append(link)
        wanted = {link.predecessor for link in found} - set(links)
    if not links:
        return []
    shares = _population_shares(links, period)
    # Walk back from each commune of today to the units it took over during the period.
    olds: dict[tuple[int, str], float] = {}
    frontier = [(commune, path, 1.0) for commune, path in communes.items()]
    while frontier:
        successor, path, share = frontier.pop()
        for link in links.get(successor, []):
            key = (link.predecessor, path)
            if key in olds:
                continue
            part = share * (shares[link.predecessor, successor] if link.partial else 1.0)
            olds[key] = part
            frontier.append((link.predecessor, path, part))
    old_ids = {old for old, _ in olds}
    held: dict[int, set[int]] = defaultdict(set)  # old commune -> itself and its villages
    for unit, parent in UnitVersion.objects.filter(
        Q(unit_id__in=old_ids) | Q(parent_id__in=old_ids),
        Q(valid_to__isnull=True) | Q(valid_to__gte=period.start),
        valid_from__lte=min(period.end, on),
        unit__level__in=[Level.COMMUNE, Level.VILLAGE],
    ).values_list("unit_id", "parent_id"):
        held[unit if unit in old_ids else parent].add(unit)
    # a unit still standing on ``on`` counts where it stands (a village that moved)
    standing = set(
        UnitVersion.objects.filter(
            valid_on(on), unit_id__in=set().union(*held.values())
        ).values_list("unit_id", flat=True)
    )
    parts: dict[tuple[int, str], Part] = {}
    for (old, path), share in olds.items():
        for unit in sorted(held.get(old, ())):
            if unit not in current and unit not in standing and (unit, path) not in parts:
                parts[unit, path] = Part(unit, path, share)
    return list(parts.values())


@dataclass(frozen=True)
class Link:
    """A succession: ``successor`` took over ``predecessor`` (only part of it if
    ``partial``)."""

    predecessor: int
    successor: int
    partial: bool


def _population_shares(
    links: Mapping[int, list[Link]], period: Period
) -> dict[tuple[int, int], float]:
    """For each split (partial) succession, the share of the old unit's counts that went
    to the successor: its population among all the old unit's successors (the latest
    figures up to the year after the period; equal shares when a successor has none)."""
    heirs: dict[int, set[int]] = defaultdict(set)
    for group in links.values():
        for link in group:
            if link.partial:
                heirs[link.predecessor].add(link.successor)
    if not heirs:
        return {}
    # a split's other successors may lie outside the links read (another date): ask
    for old, successor in UnitSuccession.objects.filter(
        predecessor_id__in=list(heirs), partial=True
    ).values_list("predecessor_id", "successor_id"):
        heirs[old].add(successor)
    sizes: dict[int, int] = {}
    everyone = sorted(set().union(*heirs.values()))
    for unit, total in (
        PopulationFigure.objects.filter(unit_id__in=everyone, year__lte=period.year + 1)
        .order_by("unit_id", "year")
        .values_list("unit_id", "total")
    ):
        sizes[unit] = total  # the latest year wins
    shares: dict[tuple[int, int], float] = {}
    for old, successors in heirs.items():
        known = [sizes.get(unit) for unit in successors]
        whole = sum(n for n in known if n)
        for unit in successors:
            if all(known) and whole:
                shares[old, unit] = sizes[unit] / whole
            else:
                shares[old, unit] = 1 / len(successors)
    return shares


# ----------------------------------------------------------------------------- tallies


@dataclass
class Memo:
    """What one recompute of several periods over the same leaves counts only once: the
    counts that depend only on a day (the stock of a month's 15th serves the month and
    its quarter; the prevalence on a month's last day serves the month, its quarter, the
    year and the year to date), and each woman's marital status, marriages, divorces and
    method starts and stops (whole histories, read once for every day)."""

    counts: dict[tuple[str, date], dict[int, Tally]] = field(default_factory=dict)
    histories: dict[int, History] = field(default_factory=dict)


@dataclass
class History:
    status: str = ""
    unions: list[tuple[date, str]] = field(default_factory=list)
    methods: list[tuple[date, str, str, str]] = field(default_factory=list)


def _memoised(
    memo: Memo | None, key: tuple[str, date], count: Callable[[], dict[int, Tally]]
) -> dict[int, Tally]:
    if memo is None:
        return count()
    if key not in memo.counts:
        memo.counts[key] = count()
    return memo.counts[key]


def registered_on(day: date, leaves: Iterable[int]) -> QuerySet[Membership]:
    """Stays on ``day`` in households placed on ``day`` in ``leaves`` (one join each):
    the one definition of *registered in a unit on a day* (engine and projections)."""
    return Membership.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        valid_from__lte=day,
        person__merged_into__isnull=True,
    ).filter(
        Q(household__placements__valid_to__isnull=True)
        | Q(household__placements__valid_to__gte=day),
        household__placements__valid_from__lte=day,
        household__placements__unit_id__in=list(leaves),
    )


def _stock(
    period: Period, leaves: list[int], tallies: dict[int, Tally], memo: Memo | None = None
) -> None:
    """Persons, women by age group, persons by sex and five-year group (the pyramid) and
    persons 60+ on the reference date (and those of them checked up in the period)."""
    day = period.reference
    counted = _memoised(memo, ("stock", day), lambda: _stock_on(day, leaves))
    for unit, tally in counted.items():
        tallies[unit].update(tally)
    checked = Q(
        person__events__event_type=EventType.ELDERLY_CHECKUP,
        person__events__event_date__gte=period.start,
        person__events__event_date__lte=period.end,
    )
    elderly = (
        registered_on(day, leaves)
        .filter(born_aged(day, 60))
        .filter(checked)
        .values("household__placements__unit_id")
        .annotate(n=Count("person_id", distinct=True))
        .order_by()
    )
    for row in elderly:
        tallies[row["household__placements__unit_id"]]["E60.checked"] += row["n"]


def _stock_on(day: date, leaves: list[int]) -> dict[int, Tally]:
    """The persons registered in each leaf on ``day`` by sex and five-year age group, in
    one grouped pass (the group from the birth date's place among the groups' first
    days), and what the tallies make of them: ``P``, the pyramid ``PYR.<sex>.<group>``,
    women 15–49 ``W`` and by group ``W.<group>``, persons 60+ ``E60``; and the households
    with someone registered in them that day (``households``)."""
    bounds = [int(group.rstrip("+").partition("-")[0]) for group in PYRAMID_GROUPS]
    # group k: born after the day the (k+1)-th group's first age was reached; -1: not born
    whens = [When(person__birth_date__gt=day, then=SqlValue(-1))]
    whens += [
        When(person__birth_date__gt=years_before(day, low), then=SqlValue(index))
        for index, low in enumerate(bounds[1:])
    ]
    group = Case(*whens, default=SqlValue(len(bounds) - 1), output_field=IntegerField())
    rows = (
        registered_on(day, leaves)
        .annotate(age_group=group)
        .values("household__placements__unit_id", "person__sex", "age_group")
        .annotate(n=Count("person_id", distinct=True))
        .order_by()
    )
    women = dict(enumerate(ASFR_GROUPS))
    first_asfr = PYRAMID_GROUPS.index(ASFR_GROUPS[0])
    elderly = bounds.index(60)
    counted: dict[int, Tally] = defaultdict(Counter)
    households = (
        registered_on(day, leaves)
        .values("household__placements__unit_id")
        .annotate(n=Count("household_id", distinct=True))
        .order_by()
    )
    for row in households:
        counted[row["household__placements__unit_id"]]["households"] = row["n"]
    for row in rows:
        tally, n = counted[row["household__placements__unit_id"]], row["n"]
        sex, index = row["person__sex"], row["age_group"]
        tally["P"] += n
        if index < 0:
            continue
        if sex in ("M", "F"):
            tally[f"PYR.{sex}.{PYRAMID_GROUPS[index]}"] += n
        if index >= elderly:
            tally["E60"] += n
        asfr = women.get(index - first_asfr)
        if sex == "F" and asfr is not None:
            tally["W"] += n
            tally[f"W.{asfr}"] += n
    return counted


def _births(period: Period, leaves: list[int], tallies: dict[int, Tally]) -> None:
    births = list(
        Event.objects.filter(
            event_type=EventType.BIRTH,
            event_date__gte=period.start,
            event_date__lte=period.end,
            unit_id__in=leaves,
        )
        .order_by("event_date", "source_id")
        .values_list(
            "unit_id",
            "event_date",
            "person_id",
            "person__birth_date",
            "child_id",
            "child_sex",
            "birth_order",
        )
    )
    mothers = {row[2] for row in births}
    children = {row[4] for row in births if row[4]}
    screened_mothers = _dates_of(EventType.PRENATAL_SCREENING, mothers, period.end)
    screened_children = _dates_of(
        EventType.NEWBORN_SCREENING, children, period.end + NEWBORN_WINDOW
    )
    first_birth: dict[int, tuple[int, bool]] = {}  # mother → (unit, screened)
    for unit, day, mother, mother_born, child, sex, order in births:
        tally = tallies[unit]
        tally["births"] += 1
        if sex in ("M", "F"):
            tally[f"births.{sex}"] += 1
        if order is not None:
            tally["births.order_known"] += 1
            if order >= 3:
                tally["births.order3p"] += 1
            elif order == 2:
                tally["births.order2"] += 1
        age = completed_years(mother_born, day)
        if age < 20:
            tally["births.mother_under20"] += 1
        for (low, high), group in zip(_GROUP_BOUNDS, ASFR_GROUPS, strict=True):
            if low <= age <= high:
                tally[f"births.{group}"] += 1
                tally["births.15-49"] += 1
        screened = any(
            day - PRENATAL_WINDOW <= when <= day for when in screened_mothers.get(mother, ())
        )
        seen = first_birth.get(mother)
        first_birth[mother] = (seen[0] if seen else unit, (seen[1] if seen else False) or screened)
        if child and any(
            day <= when <= day + NEWBORN_WINDOW for when in screened_children.get(child, ())
        ):
            tally["newborn.screened"] += 1
    for unit, screened in first_birth.values():
        tallies[unit]["prenatal.mothers"] += 1
        if screened:
            tallies[unit]["prenatal.screened"] += 1


def _dates_of(kind: EventType, persons: set[int], until: date) -> dict[int, list[date]]:
    """The days of each person's events of ``kind`` up to ``until``."""
    found: dict[int, list[date]] = defaultdict(list)
    rows = _in_chunks(
        lambda chunk: Event.objects.filter(
            event_type=kind, person_id__in=chunk, event_date__lte=until
        ).values_list("person_id", "event_date"),
        sorted(persons),
    )
    for person, day in rows:
        found[person].append(day)
    return found


def _deaths_and_contraception(period: Period, leaves: list[int], tallies: dict[int, Tally]) -> None:
    """Deaths, divorces, moves in and out (``_EVENT_COUNTS``) and new acceptors of a
    modern method, by method and supply."""
    in_period = Q(event_date__gte=period.start, event_date__lte=period.end, unit_id__in=leaves)
    counted = (
        Event.objects.filter(in_period, event_type__in=list(_EVENT_COUNTS))
        .values("unit_id", "event_type")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in counted:
        tallies[row["unit_id"]][_EVENT_COUNTS[row["event_type"]]] += row["n"]
    starts = Event.objects.filter(in_period, event_type=EventType.CONTRACEPTION_START).values_list(
        "unit_id", "method", "supply", "extra"
    )
    for unit, method, supply, extra in starts:
        if method not in MODERN_METHODS or (extra or {}).get("in_use_at_opening"):
            continue
        tally = tallies[unit]
        tally["newfp"] += 1
        plan_method = PLAN_METHOD.get(method)  # type: ignore[call-overload]
        if plan_method:
            tally[f"newfp.{plan_method}"] += 1
        if supply:
            tally[f"newfp.{supply}"] += 1


def _marriages(period: Period, leaves: list[int], tallies: dict[int, Tally]) -> None:
    """Persons married in the period (``married``; ``married.child`` those under the
    legal age, ``MARRIAGE_AGE``), couples married in the period, each counted once (at
    the unit of the couple's event whose id sorts first), and those with a premarital
    check of either partner in the 365 days up to the marriage.

    The events recorded in ``leaves`` are read, then every event of their couples, where
    ever recorded (a partner's event may sit in another commune and sort first): a
    recount of one village reads its own marriages, not the province's."""
    married = Event.objects.filter(
        event_type=EventType.MARRIAGE,
        event_date__gte=period.start,
        event_date__lte=period.end,
    )
    inside = _in_chunks(
        lambda chunk: married.filter(unit_id__in=chunk).values_list(
            "source_id",
            "unit_id",
            "event_date",
            "person_id",
            "spouse_id",
            "person__sex",
            "person__birth_date",
        ),
        leaves,
    )
    couples: dict[frozenset[int], tuple[str, int, date]] = {}
    wanted = set(leaves)
    for source_id, unit, day, person, spouse, sex, born in inside:
        tallies[unit]["married"] += 1
        if completed_years(born, day) < MARRIAGE_AGE.get(sex, 18):
            tallies[unit]["married.child"] += 1
        couples.setdefault(
            frozenset((person, spouse) if spouse else (person,)), (source_id, unit, day)
        )
    partners = sorted({p for couple in couples for p in couple})
    everywhere = _in_chunks(
        lambda chunk: married.filter(person_id__in=chunk).values_list(
            "source_id", "unit_id", "event_date", "person_id", "spouse_id"
        ),
        partners,
    )
    for source_id, unit, day, person, spouse in everywhere:
        couple = frozenset((person, spouse) if spouse else (person,))
        if couple in couples and source_id < couples[couple][0]:
            couples[couple] = (source_id, unit, day)
    counted = {c: v for c, v in couples.items() if v[1] in wanted}
    partners_counted = {p for couple in counted for p in couple}
    checks = _dates_of(EventType.PREMARITAL_CHECK, partners_counted, period.end)
    for couple, (_source, unit, day) in counted.items():
        tallies[unit]["premarital.couples"] += 1
        if any(
            day - PREMARITAL_WINDOW <= when <= day
            for partner in couple
            for when in checks.get(partner, ())
        ):
            tallies[unit]["premarital.checked"] += 1


def _contraceptive_prevalence(
    period: Period, leaves: list[int], tallies: dict[int, Tally], memo: Memo | None = None
) -> None:
    """Married women 15–49 registered on the period's last day, and those of them whose
    latest method start on or before that day is a modern method not since stopped."""
    day = period.end
    counted = _memoised(memo, ("cpr", day), lambda: _prevalence_on(day, leaves, memo))
    for unit, tally in counted.items():
        tallies[unit].update(tally)


def _prevalence_on(day: date, leaves: list[int], memo: Memo | None) -> dict[int, Tally]:
    tallies: dict[int, Tally] = defaultdict(Counter)
    women = dict(
        registered_on(day, leaves)
        .filter(born_aged(day, 15, 49), person__sex="F")
        .values_list("person_id", "household__placements__unit_id")
    )
    histories = memo.histories if memo is not None else {}
    _read_histories([person for person in women if person not in histories], histories)
    for person, unit in women.items():
        history = histories[person]
        if not _married_on(day, history.unions, history.status):
            continue
        tallies[unit]["cpr.women"] += 1
        if _using_modern_method(day, history.methods):
            tallies[unit]["cpr.users"] += 1
    return tallies


def _read_histories(ids: list[int], histories: dict[int, History]) -> None:
    """Add to ``histories`` the marital status and every marriage, divorce and method
    start and stop of ``ids`` (a later marriage or divorce tells the status before it;
    the methods are read whole and cut at each day by ``_using_modern_method``)."""
    for person, status in _in_chunks(
        lambda chunk: Person.objects.filter(pk__in=chunk).values_list("pk", "marital_status"),
        ids,
    ):
        histories[person] = History(status)
    kinds = [
        EventType.MARRIAGE,
        EventType.DIVORCE,
        EventType.CONTRACEPTION_START,
        EventType.CONTRACEPTION_STOP,
    ]
    rows = _in_chunks(
        lambda chunk: Event.objects.filter(person_id__in=chunk, event_type__in=kinds).values_list(
            "person_id", "event_type", "event_date", "source_id", "method"
        ),
        ids,
    )
    for person, kind, when, source_id, method in rows:
        if kind in (EventType.MARRIAGE, EventType.DIVORCE):
            histories[person].unions.append((when, kind))
        else:
            histories[person].methods.append((when, source_id, kind, method))
    for person in ids:
        histories[person].unions.sort()


def _in_chunks(query: Callable[[list[int]], Iterable[Any]], ids: list[int]) -> list[Any]:
    """``query(chunk)`` run over chunks of ``ids`` (SQLite limits the parameters of a
    statement), its rows together."""
    rows: list[Any] = []
    for start in range(0, len(ids), 5000):
        rows.extend(query(ids[start : start + 5000]))
    return rows


def _married_on(day: date, unions: list[tuple[date, str]], status: str) -> bool:
    """Married on ``day``: the latest marriage or divorce on or before it decides; before
    the first of them, the opposite of the first; with none, the recorded status.
    ``unions`` are in date order."""
    if not unions:
        return status == MaritalStatus.MARRIED
    before = [kind for when, kind in unions if when <= day]
    if before:
        return before[-1] == EventType.MARRIAGE
    return unions[0][1] == EventType.DIVORCE


def _using_modern_method(day: date, events: list[tuple[date, str, str, str]]) -> bool:
    starts = sorted(
        (when, source, method)
        for when, source, kind, method in events
        if kind == EventType.CONTRACEPTION_START and when <= day
    )
    if not starts:
        return False
    when, _source, method = starts[-1]
    if method not in MODERN_METHODS:
        return False
    return not any(
        kind == EventType.CONTRACEPTION_STOP and stop_method == method and when <= stop <= day
        for stop, _s, kind, stop_method in events
    )


def tallies_of(period: Period, leaves: Iterable[int], memo: Memo | None = None) -> dict[int, Tally]:
    """The tallies of each leaf for the period (leaves with nothing are absent).  Pass
    the same ``memo`` when counting several periods over the same leaves: counts that
    depend only on a day are then made once."""
    ids = sorted(leaves)
    tallies: dict[int, Tally] = defaultdict(Counter)
    if not ids:
        return {}
    _stock(period, ids, tallies, memo)
    _births(period, ids, tallies)
    _deaths_and_contraception(period, ids, tallies)
    _marriages(period, ids, tallies)
    _contraceptive_prevalence(period, ids, tallies, memo)
    return {unit: tally for unit, tally in tallies.items() if tally}


def add_up(tallies: Iterable[Mapping[str, int]]) -> Tally:
    total: Tally = Counter()
    for tally in tallies:
        total.update(tally)
    return total


# ----------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Value:
    """One indicator's value with what it rests on."""

    indicator: str
    value: float | None
    numerator: float | None
    denominator: float | None
    interval: Interval = field(default_factory=lambda: Interval(None, None))
    interval_method: str = ""
    small_numbers: bool = False
    source: str = "register"
    estimated: bool = False  # part of it apportioned from a commune split by a reform

    def as_dict(self) -> dict[str, Any]:
        def clean(x: float | None) -> float | None:
            return None if x is None or math.isnan(x) else x

        return {
            "indicator": self.indicator,
            "value": clean(self.value),
            "numerator": self.numerator,
            "denominator": self.denominator,
            "ci_low": clean(self.interval.low),
            "ci_high": None if self.interval.high in (None, math.inf) else self.interval.high,
            "interval_method": self.interval_method,
            "source": self.source,
            "small_numbers": self.small_numbers,
            "estimated": self.estimated,
        }


def _rate(
    code: str, count: int, base: int, scale: float, kind: IntervalKind = IntervalKind.POISSON
) -> Value:
    """A rate ``count / base × scale`` (scale includes the annualisation)."""
    if base <= 0:
        return Value(code, None, count, base, small_numbers=True)
    bounds = poisson(count)
    assert bounds.low is not None
    assert bounds.high is not None
    return Value(
        code,
        count / base * scale,
        count,
        base,
        Interval(bounds.low / base * scale, bounds.high / base * scale),
        INTERVAL_METHODS[kind],
        count < SMALL_NUMBERS[kind],
    )


def _share(code: str, part: int, whole: int) -> Value:
    if whole <= 0:
        return Value(code, None, part, whole, small_numbers=True)
    bounds = wilson(part, whole)
    assert bounds.low is not None
    assert bounds.high is not None
    return Value(
        code,
        part / whole * 100,
        part,
        whole,
        Interval(bounds.low * 100, bounds.high * 100),
        INTERVAL_METHODS[IntervalKind.WILSON],
        whole < SMALL_NUMBERS[IntervalKind.WILSON],
    )


def _count(code: str, count: int) -> Value:
    bounds = poisson(count)
    return Value(
        code,
        count,
        count,
        None,
        bounds,
        INTERVAL_METHODS[IntervalKind.POISSON],
        count < SMALL_NUMBERS[IntervalKind.POISSON],
    )


def indicators_from(tally: Mapping[str, int], period: Period) -> list[Value]:
    """Every indicator the register gives, from the summed tallies of a unit."""
    t = Counter(tally)
    f = period.annualisation
    births, boys, girls = t["births"], t["births.M"], t["births.F"]
    values = [
        _rate("CBR", births, t["P"], 1000 * f),
        _rate("CDR", t["deaths"], t["P"], 1000 * f),
        _rate("GFR", births, t["W"], 1000 * f),
    ]
    asfr = [_rate(f"ASFR.{g}", t[f"births.{g}"], t[f"W.{g}"], f) for g in ASFR_GROUPS]
    groups_b = [t[f"births.{g}"] for g in ASFR_GROUPS]
    groups_w = [t[f"W.{g}"] for g in ASFR_GROUPS]
    if any(groups_w):
        total = sum(5 * v.value for v in asfr if v.value is not None)
        values.append(
            Value(
                "TFR",
                total,
                t["births.15-49"],
                t["W"],
                tfr(groups_b, groups_w, f),
                INTERVAL_METHODS[IntervalKind.TFR],
                t["births.15-49"] < SMALL_NUMBERS[IntervalKind.TFR],
            )
        )
    else:
        values.append(Value("TFR", None, t["births.15-49"], t["W"], small_numbers=True))
    values += asfr
    values.append(_share("BIRTH3P", t["births.order3p"], t["births.order_known"]))
    values.append(
        Value(
            "SRB",
            boys / girls * 100 if girls else None,
            boys,
            girls,
            srb(boys, girls),
            INTERVAL_METHODS[IntervalKind.SRB],
            boys + girls < SMALL_NUMBERS[IntervalKind.SRB],
        )
    )
    values += [
        _share("PRENATAL", t["prenatal.screened"], t["prenatal.mothers"]),
        _share("NEWBORN", t["newborn.screened"], births),
        _share("PREMARITAL", t["premarital.checked"], t["premarital.couples"]),
        _share("ELDERLY", t["E60.checked"], t["E60"]),
        _count("NEWFP", t["newfp"]),
        *(_count(f"NEWFP.{m}", t[f"newfp.{m}"]) for m in NEWFP_METHODS),
        *(_count(f"NEWFP.{s}", t[f"newfp.{s}"]) for s in NEWFP_SUPPLIES),
        _share("CPR", t["cpr.users"], t["cpr.women"]),
    ]
    source = source_of(t)
    estimated = bool(t["src.estimated"])
    if source != "register" or estimated:
        values = [replace(v, source=source, estimated=estimated) for v in values]
    return values


def source_of(tally: Mapping[str, int]) -> str:
    """Where a unit's counts came from: ``register``, ``entered`` (figures reported for
    units without a register) or ``register+entered`` (some of each)."""
    entered = tally.get("src.entered", 0)
    if not entered:
        return "register"
    return "register+entered" if tally.get("src.register", 0) else "entered"


# ----------------------------------------------------------------------------- units


@dataclass
class UnitFigures:
    version: UnitVersion
    period: Period
    tally: Tally
    values: list[Value]
    children: list[UnitFigures] = field(default_factory=list)

    def value(self, code: str) -> Value:
        return next(v for v in self.values if v.indicator == code)

    @property
    def source(self) -> str:
        return source_of(self.tally)

    @property
    def disagreements(self) -> int:
        """How many communes have both a register and entered figures that differ from
        it (the register's are used)."""
        return self.tally.get("warn.entered_differs", 0)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "unit": {
                "code": self.version.display_code,
                "name": self.version.name,
                "level": self.version.unit.level,
            },
            "period": str(self.period),
            "reference_date": self.period.reference.isoformat(),
            "source": self.source,
            "values": [v.as_dict() for v in self.values],
        }
        if self.disagreements:
            data["warnings"] = [
                f"{self.disagreements} đơn vị có số liệu nhập tay khác sổ hộ; dùng số liệu sổ hộ"
            ]
        return data


#: ``sums(period, branches)``: for each branch (a path prefix) the sum of its parts'
#: tallies, each leaf weighted by its share as ``weighed`` does (``cache.branch_sums``).
BranchSums = Callable[[Period, Mapping[str, list[Part]]], dict[str, Tally]]


def compute(
    version: UnitVersion,
    period: Period,
    *,
    tree_date: date | None = None,
    children: Iterable[UnitVersion] = (),
    tallies: Callable[[Period, Mapping[int, str]], dict[int, Tally]] = tallies_of,
    sums: BranchSums | None = None,
) -> UnitFigures:
    """The figures of ``version``'s unit for ``period`` (and of the given child units),
    under the tree of ``tree_date`` (default: the period's last day, or the unit's last
    day if it closed before: Long Biên's 2025 is counted in its tree of 30/6/2025, its
    villages carrying the whole year).  ``tallies`` counts
    the leaves: straight from the register by default, or through ``cache``.

    With ``sums`` the leaves are added up a branch (a unit just below ``version``) at a
    time by ``sums``, which may keep each branch's sum while none of its leaves changes:
    after an event in one ward, the city adds up one district's leaves, not the
    province's.  A leaf counted in two branches (a commune split by a reform) is added
    where its shares meet, as without ``sums``."""
    on = tree_date or min(period.end, version.valid_to or period.end)
    parts = [Part(unit, path) for unit, path in leaves_under(version, on).items()]
    parts += predecessors_under(version, on, period)
    children = list(children)
    if sums is not None and all(
        _branch(child.path, version.path) == child.path for child in children
    ):
        tally_of = _by_branches(version, period, parts, tallies, sums)
    else:
        tally_of = _by_leaves(period, parts, tallies)
    figures = UnitFigures(version, period, tally_of(version.path), [])
    figures.values = indicators_from(figures.tally, period)
    for child in children:
        tally = tally_of(child.path)
        figures.children.append(UnitFigures(child, period, tally, indicators_from(tally, period)))
    return figures


def weighed(parts: Iterable[Part], counted: Mapping[int, Tally]) -> Tally:
    """The sum of the parts' tallies, each leaf by its share of them; a split commune
    whose successors are all among the parts counts whole, not estimated."""
    shares: dict[int, float] = defaultdict(float)
    for part in parts:
        if part.unit in counted:
            shares[part.unit] += part.share
    return add_up(
        _shared(counted[unit], 1.0 if math.isclose(share, 1.0) else share)
        for unit, share in shares.items()
    )


def _by_leaves(
    period: Period,
    parts: list[Part],
    tallies: Callable[[Period, Mapping[int, str]], dict[int, Tally]],
) -> Callable[[str], Tally]:
    """The tally under a path prefix, from every leaf's tally."""
    counted = tallies(period, {part.unit: part.path for part in parts})
    return lambda prefix: weighed((p for p in parts if p.path.startswith(prefix)), counted)


def _branch(path: str, root: str) -> str:
    """The path of the unit just below ``root`` that ``path`` lies in (``root`` itself
    for ``root``)."""
    if len(path) <= len(root):
        return root
    return path[: path.index(".", len(root)) + 1]


def _by_branches(
    version: UnitVersion,
    period: Period,
    parts: list[Part],
    tallies: Callable[[Period, Mapping[int, str]], dict[int, Tally]],
    sums: BranchSums,
) -> Callable[[str], Tally]:
    """The tally under a path prefix (``version``'s or a branch's), from the branches'
    sums and the leaves counted in more than one branch."""
    where: dict[int, set[str]] = defaultdict(set)
    for part in parts:
        where[part.unit].add(_branch(part.path, version.path))
    spread = {unit for unit, branches in where.items() if len(branches) > 1}
    branches: dict[str, list[Part]] = defaultdict(list)
    for part in parts:
        if part.unit not in spread:
            branches[_branch(part.path, version.path)].append(part)
    summed = sums(period, branches)
    spread_parts = [part for part in parts if part.unit in spread]
    counted = tallies(period, {part.unit: part.path for part in spread_parts})

    def tally_of(prefix: str) -> Tally:
        total = add_up(tally for branch, tally in summed.items() if branch.startswith(prefix))
        total.update(
            weighed((part for part in spread_parts if part.path.startswith(prefix)), counted)
        )
        return total

    return tally_of


_MARKS = ("src.", "warn.")


def _shared(tally: Tally, share: float) -> Tally:
    """A leaf's tally, or its share of it, marked estimated, when a reform split it."""
    if share == 1.0:
        return tally
    part: Tally = Counter(
        {key: value if key.startswith(_MARKS) else value * share for key, value in tally.items()}
    )
    part["src.estimated"] = 1
    return part
