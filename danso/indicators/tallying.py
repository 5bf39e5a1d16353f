"""The register's counts per leaf unit: the additive *tallies* of the indicator engine.

``tallies_of`` counts, for a period, each leaf's tally in a few grouped queries over the
register: the stock on the reference date (``_stock``), births and screenings
(``_births``), deaths, divorces, moves and new acceptors (``_deaths_and_contraception``),
marriages and premarital checks (``_marriages``) and contraceptive prevalence on the
period's last day (``_contraceptive_prevalence``).  ``registered_on`` is the one definition
of *registered in a unit on a day* (``engine`` states the definitions).  Reads the
register only.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, When
from django.db.models import Value as SqlValue

from danso.indicators import tallies as keys
from danso.indicators.catalogue import ASFR_GROUPS
from danso.indicators.periods import Period
from danso.register.models import Event, Membership, Person
from danso.register.rules import completed_years
from danso.register.vocabulary import MODERN_METHODS, PLAN_METHOD, EventType, MaritalStatus

#: A leaf's additive counts by tally key (``births``, ``W.25-29``, ``cpr.users`` …).
Tally = Counter[str]

PRENATAL_WINDOW = timedelta(days=280)
NEWBORN_WINDOW = timedelta(days=30)
PREMARITAL_WINDOW = timedelta(days=365)
#: The legal age of marriage (Law on Marriage and Family 2014, art. 8): 20 for a man,
#: 18 for a woman; a person married younger counts in ``married.child`` (tảo hôn).
MARRIAGE_AGE = {"M": 20, "F": 18}
#: Events counted as they are, by the tally key they go to.
_EVENT_COUNTS: dict[str, str] = {
    EventType.DEATH: keys.DEATHS,
    EventType.DIVORCE: keys.DIVORCED,
    EventType.PREGNANCY: keys.PREGNANCIES,
    EventType.MOVE_IN: keys.MOVED_IN,
    EventType.MOVE_OUT: keys.MOVED_OUT,
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
        tallies[row["household__placements__unit_id"]][keys.ELDERLY_CHECKED] += row["n"]


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
    counted: dict[int, Tally] = defaultdict(Counter)
    households = (
        registered_on(day, leaves)
        .values("household__placements__unit_id")
        .annotate(n=Count("household_id", distinct=True))
        .order_by()
    )
    for row in households:
        counted[row["household__placements__unit_id"]][keys.HOUSEHOLDS] = row["n"]
    for row in rows:
        add_persons(
            counted[row["household__placements__unit_id"]],
            row["person__sex"],
            row["age_group"],
            row["n"],
        )
    return counted


_WOMEN = dict(enumerate(ASFR_GROUPS))
_FIRST_ASFR = PYRAMID_GROUPS.index(ASFR_GROUPS[0])
_ELDERLY = PYRAMID_GROUPS.index("60-64")


def persons_keys(sex: str, index: int) -> tuple[str, ...]:
    """The keys a person of ``sex`` in the pyramid group ``index`` (−1: not born yet on
    the day) counts in: ``P``, the pyramid, ``E60``, ``W`` and its five-year groups."""
    found = [keys.POPULATION]
    if index < 0:
        return tuple(found)
    if sex in ("M", "F"):
        found.append(keys.pyramid(sex, PYRAMID_GROUPS[index]))
    if index >= _ELDERLY:
        found.append(keys.ELDERLY)
    asfr = _WOMEN.get(index - _FIRST_ASFR)
    if sex == "F" and asfr is not None:
        found += [keys.WOMEN_15_49, keys.women_aged(asfr)]
    return tuple(found)


#: ``persons_keys`` of every sex and group, worked out once (the batch adds a million
#: grouped rows of a year at one tenth of Hà Nội).
_PERSONS_KEYS = {
    (sex, index): persons_keys(sex, index)
    for sex in ("M", "F", "")
    for index in range(-1, len(PYRAMID_GROUPS))
}


def add_persons(tally: Tally, sex: str, index: int, n: int) -> None:
    """Add to ``tally`` ``n`` persons of ``sex`` in the pyramid group ``index``
    (``persons_keys``)."""
    for key in _PERSONS_KEYS.get((sex, index)) or persons_keys(sex, index):
        tally[key] += n


def _births(period: Period, leaves: list[int], tallies: dict[int, Tally]) -> None:
    births_from(period, birth_rows(period.start, period.end, leaves), tallies)


@dataclass
class BirthRows:
    """The births recorded in some leaves between two days, in date order, with the
    mothers' prenatal screenings and the children's newborn screenings that can count
    for them: read once for a batch of periods, each period taking its own days."""

    births: list[tuple[Any, ...]]
    screened_mothers: dict[int, list[date]]
    screened_children: dict[int, list[date]]


def birth_rows(start: date, end: date, leaves: list[int]) -> BirthRows:
    births = list(
        Event.objects.filter(
            event_type=EventType.BIRTH,
            event_date__gte=start,
            event_date__lte=end,
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
    return BirthRows(
        births,
        _dates_of(EventType.PRENATAL_SCREENING, mothers, end),
        _dates_of(EventType.NEWBORN_SCREENING, children, end + NEWBORN_WINDOW),
    )


def births_from(period: Period, rows: BirthRows, tallies: dict[int, Tally]) -> None:
    """Add to ``tallies`` the period's births among ``rows``: births by sex, order and
    mother's age, newborns screened, and the mothers (each once, where her first birth
    of the period counts) with those of them screened before."""
    screened_mothers, screened_children = rows.screened_mothers, rows.screened_children
    first_birth: dict[int, tuple[int, bool]] = {}  # mother → (unit, screened)
    for unit, day, mother, mother_born, child, sex, order in rows.births:
        if not period.start <= day <= period.end:
            continue
        tally = tallies[unit]
        tally[keys.BIRTHS] += 1
        if sex in ("M", "F"):
            tally[keys.births_of_sex(sex)] += 1
        if order is not None:
            tally[keys.BIRTHS_ORDER_KNOWN] += 1
            if order >= 3:
                tally[keys.BIRTHS_ORDER3P] += 1
            elif order == 2:
                tally[keys.BIRTHS_ORDER2] += 1
        age = completed_years(mother_born, day)
        if age < 20:
            tally[keys.BIRTHS_MOTHER_UNDER20] += 1
        for (low, high), group in zip(_GROUP_BOUNDS, ASFR_GROUPS, strict=True):
            if low <= age <= high:
                tally[keys.births_to_mothers_aged(group)] += 1
                tally[keys.BIRTHS_MOTHERS_15_49] += 1
        screened = any(
            day - PRENATAL_WINDOW <= when <= day for when in screened_mothers.get(mother, ())
        )
        seen = first_birth.get(mother)
        first_birth[mother] = (seen[0] if seen else unit, (seen[1] if seen else False) or screened)
        if child and any(
            day <= when <= day + NEWBORN_WINDOW for when in screened_children.get(child, ())
        ):
            tally[keys.NEWBORN_SCREENED] += 1
    for unit, screened in first_birth.values():
        tallies[unit][keys.PRENATAL_MOTHERS] += 1
        if screened:
            tallies[unit][keys.PRENATAL_SCREENED] += 1


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
        tally[keys.NEW_ACCEPTORS] += 1
        plan_method = PLAN_METHOD.get(method)  # type: ignore[call-overload]
        if plan_method:
            tally[keys.new_acceptors_by(plan_method)] += 1
        if supply:
            tally[keys.new_acceptors_by(supply)] += 1


def _marriages(period: Period, leaves: list[int], tallies: dict[int, Tally]) -> None:
    marriages_from(period, marriage_rows(period.start, period.end, leaves), leaves, tallies)


@dataclass
class MarriageRows:
    """The marriages recorded in some leaves between two days (``inside``), every
    marriage event of their partners in those days wherever recorded (``everywhere``: a
    partner's event may sit in another commune and sort first) and the partners'
    premarital checks: read once for a batch of periods, each taking its own days."""

    inside: list[tuple[Any, ...]]
    everywhere: list[tuple[Any, ...]]
    checks: dict[int, list[date]]


def marriage_rows(start: date, end: date, leaves: list[int]) -> MarriageRows:
    married = Event.objects.filter(
        event_type=EventType.MARRIAGE, event_date__gte=start, event_date__lte=end
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
    partners = sorted({p for row in inside for p in (row[3], row[4]) if p})
    everywhere = _in_chunks(
        lambda chunk: married.filter(person_id__in=chunk).values_list(
            "source_id", "unit_id", "event_date", "person_id", "spouse_id"
        ),
        partners,
    )
    return MarriageRows(
        inside, everywhere, _dates_of(EventType.PREMARITAL_CHECK, set(partners), end)
    )


def marriages_from(
    period: Period, rows: MarriageRows, leaves: list[int], tallies: dict[int, Tally]
) -> None:
    """Persons married in the period (``married``; ``married.child`` those under the
    legal age, ``MARRIAGE_AGE``), couples married in the period, each counted once (at
    the unit of the couple's event whose id sorts first), and those with a premarital
    check of either partner in the 365 days up to the marriage: among ``rows``, those of
    the period.  A recount of one village reads its own marriages, not the province's."""
    couples: dict[frozenset[int], tuple[str, int, date]] = {}
    wanted = set(leaves)
    for source_id, unit, day, person, spouse, sex, born in rows.inside:
        if not period.start <= day <= period.end:
            continue
        tallies[unit][keys.MARRIED] += 1
        if completed_years(born, day) < MARRIAGE_AGE.get(sex, 18):
            tallies[unit][keys.MARRIED_CHILD] += 1
        couples.setdefault(
            frozenset((person, spouse) if spouse else (person,)), (source_id, unit, day)
        )
    for source_id, unit, day, person, spouse in rows.everywhere:
        if not period.start <= day <= period.end:
            continue
        couple = frozenset((person, spouse) if spouse else (person,))
        if couple in couples and source_id < couples[couple][0]:
            couples[couple] = (source_id, unit, day)
    counted = {c: v for c, v in couples.items() if v[1] in wanted}
    for couple, (_source, unit, day) in counted.items():
        tallies[unit][keys.PREMARITAL_COUPLES] += 1
        if any(
            day - PREMARITAL_WINDOW <= when <= day
            for partner in couple
            for when in rows.checks.get(partner, ())
        ):
            tallies[unit][keys.PREMARITAL_CHECKED] += 1


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
    # a woman registered in two leaves that day (two overlapping stays) counts in each,
    # as she does in the stock
    women = set(
        registered_on(day, leaves)
        .filter(born_aged(day, 15, 49), person__sex="F")
        .values_list("person_id", "household__placements__unit_id")
    )
    histories = memo.histories if memo is not None else {}
    _read_histories(sorted({person for person, _ in women} - set(histories)), histories)
    for person, unit in women:
        history = histories[person]
        if not _married_on(day, history.unions, history.status):
            continue
        tallies[unit][keys.CPR_WOMEN] += 1
        if _using_modern_method(day, history.methods):
            tallies[unit][keys.CPR_USERS] += 1
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
