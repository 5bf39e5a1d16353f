"""The register's counts for many periods at once, set-based: what ``tallying`` counts
period by period, for a whole batch of periods (a year's 28) in a few grouped queries.

Counting a year period by period joins the whole register once per reference day for the
stock (23 distinct days in a year), again for the households, once per period for the
persons 60+ checked up, and brings every woman 15–49 of each month's end into Python for
contraceptive prevalence.  Here each of those is one query over the batch, reading the
register's spells kept ready for counting (``spells``: each person's stays already cut to
their household's placements, with the leaf, sex and birth date; each household's
presence; each woman's married and using spells), one table instead of stays ×
placements × persons:

- **the stock** (persons by sex and five-year group, households): the leaves' stay
  spells joined to the table of the batch's reference days
  (``days``, each day with the first birth day of every age group), grouped by leaf,
  day, sex and group;
- **persons 60+ checked up**: the check-ups of the batch's span joined to the periods
  containing them and to the spells covering each period's reference day;
- **contraceptive prevalence**: each woman's *married spells* (from her marriages and
  divorces, ordered as ``tallying._married_on`` reads them) and her *modern-method
  spells* (each method start until the next start or a stop of the same method), kept
  in ``WomanSpell``, joined by range to the women 15–49 registered on each period's last
  day.

Only grouped rows (leaf × day × sex × group) travel into Python, never a row a person.
Deaths, divorces, moves and new acceptors are counted month by month (grouped queries
of ``tallying``) and added up into the longer periods; the births and the marriages of
the batch's span are read once with their screenings and premarital checks, each period
counting its own (mothers and couples once a period), as ``tallying`` counts them.

The definitions are ``tallying``'s, unchanged (``tests/indicators`` compares both with
the independent oracle and with each other).  One of them is stated here because the
period-by-period count left it implicit: a woman registered in two leaves on the same day
(two overlapping stays) counts for prevalence in each, as she does in the stock.

Where the two databases differ, ``_Dialect`` says so: SQLite keeps dates as ISO text,
PostgreSQL has a date type (``_Dialect.day``), and their planners must be told
differently how to read the women of the prevalence (``_Dialect.read_women``).  What the
spells' own statements say differently, ``spells`` says.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from django.db import connection

from danso.indicators import tallies as keys
from danso.indicators.models import WomanSpell
from danso.indicators.parallel import run_all
from danso.indicators.periods import Period
from danso.indicators.spells import marks, statement
from danso.indicators.tallying import (
    PYRAMID_GROUPS,
    Tally,
    _deaths_and_contraception,
    add_persons,
    birth_rows,
    births_from,
    marriage_rows,
    marriages_from,
    years_before,
)
from danso.register.vocabulary import EventType

#: Leaves per statement: well under SQLite's limit of bound parameters.
CHUNK = 2000
#: Leaves from which a count's parts are read side by side (``parallel``): fewer (a
#: village or two changed by an event) are read one part after another, which costs less
#: than the helpers' connections.
SHARED_FROM = 50
#: The first age of each pyramid group after the first (5, 10, … 85).
_LOWS = [int(group.rstrip("+").partition("-")[0]) for group in PYRAMID_GROUPS][1:]


@dataclass(frozen=True)
class _Dialect:
    """What the SQL must say differently on each database."""

    #: How the women of a batch are read before being placed on each day: SQLite must
    #: read them once first (``MATERIALIZED``), or its planner walks every person born in
    #: the age range once per day; PostgreSQL must read them inline (``NOT
    #: MATERIALIZED``), or it estimates the filters on a materialized table blindly (14
    #: rows for 200,000 women), joins them by nested loops and takes minutes for one day.
    read_women: str

    @classmethod
    def current(cls) -> _Dialect:
        if connection.vendor == "postgresql":
            return cls(read_women="NOT MATERIALIZED")
        return cls(read_women="MATERIALIZED")

    def day(self, value: date) -> Any:
        """A date as a bound parameter (SQLite: ISO text, as its columns keep them)."""
        return connection.ops.adapt_datefield_value(value)


def _registered(day: str) -> str:
    """The spell ``s`` covers ``day`` (a column)."""
    return "s.start <= @ AND (s.until IS NULL OR s.until >= @)".replace("@", day)


def _values(rows: Sequence[Sequence[Any]]) -> tuple[str, list[Any]]:
    """``VALUES (%s, …), …`` for ``rows``, and its parameters."""
    width = len(rows[0])
    row = "(" + ", ".join(["%s"] * width) + ")"
    return ", ".join([row] * len(rows)), [value for values in rows for value in values]


def _key(value: Any) -> str:
    """A day read back from the database as ISO text (SQLite: text, PostgreSQL: date)."""
    return str(value)[:10]


def _fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _group(born: str, day: str) -> str:
    """The pyramid group's index (−1: not yet born) of a birth day ``born`` on the day of
    the ``days`` row ``day`` (which carries each group's first birth day)."""
    whens = " ".join(f"WHEN {born} > {day}.t{low} THEN {i}" for i, low in enumerate(_LOWS))
    return f"CASE WHEN {born} > {day}.d THEN -1 {whens} ELSE {len(_LOWS)} END"


#: The marks of a day: −1 (every person registered, born or not yet: they count in the
#: population), then each pyramid group from the youngest.
_MARKS = range(-1, len(_LOWS) + 1)


def _born_by(day: date, group: int) -> date:
    """The last birth day of a person in ``group`` or an older one on ``day`` (−1: any
    birth day, counting persons registered before their birth, as the stock does)."""
    if group < 0:
        return date(9999, 12, 31)
    return day if group == 0 else years_before(day, _LOWS[group - 1])


def _stock(days: list[date], leaves: list[int], sql: _Dialect) -> dict[str, dict[int, Tally]]:
    """Each leaf's stock on each of ``days``: ``P``, the pyramid, ``W`` and its groups,
    ``E60`` and ``households`` (``tallying._stock_on``'s keys).

    Most persons are registered in their leaf the whole span of ``days`` (``whole``):
    on each day their age group follows from their birth day alone, so they are counted
    by a running count over birth days, once for the batch — each leaf and sex's persons
    in order of birth day, with a mark at each day's group boundaries (``marks``: the
    first birth day of each group on that day), the count read at each mark, and a
    group's persons the difference between two marks — not by joining each person to
    each day.  Only the others, who arrive, leave or move during the span, are counted
    day by day; the same for households (``HouseholdSpell``).  As a person's spells in a
    leaf never overlap (nor a household's), no count needs ``DISTINCT``.  One statement,
    over the spells read once (``sp``, ``hp``)."""
    table, params = _values(
        [[sql.day(d), group, sql.day(_born_by(d, group))] for d in days for group in _MARKS]
    )
    days_table, days_params = _values(
        [[sql.day(d), *(sql.day(years_before(d, low)) for low in _LOWS)] for d in days]
    )
    names = ", ".join(f"t{low}" for low in _LOWS)
    on_day = "sp.st <= d.d AND (sp.en IS NULL OR sp.en >= d.d)"
    whole = "CASE WHEN s.start <= %s AND (s.until IS NULL OR s.until >= %s) THEN 1 ELSE 0 END"
    span = "s.leaf IN {leaves} AND s.start <= %s AND (s.until IS NULL OR s.until >= %s)"
    query = statement(
        "WITH marks(d, g, t) AS (VALUES {marks}), days(d, {names}) AS (VALUES {days}), "
        # the spells of the span, and whether each covers the whole span (a person's or a
        # household's spells in a leaf never overlap: one covers them on any day)
        "sp AS (SELECT s.leaf, s.sex, s.born, s.start AS st, s.until AS en, {whole} AS whole "
        "FROM {S} s WHERE {span}), "
        "hp AS (SELECT s.leaf, s.start AS st, s.until AS en, {whole} AS whole "
        "FROM {HS} s WHERE {span}), "
        # the persons registered the whole span, then the marks of each of their leaf and
        # sex, all in order of birth day (a person born on a mark's day before the mark:
        # born on or before it), counted as they come …
        "ones AS (SELECT leaf, sex, born FROM sp WHERE whole = 1), "
        # the others, and the households not present the whole span, each day
        "part AS MATERIALIZED (SELECT * FROM sp WHERE whole = 0), "
        "hpart AS MATERIALIZED (SELECT * FROM hp WHERE whole = 0), "
        "pts AS (SELECT k.leaf, k.sex, m.t, 0 AS w, m.d, m.g FROM "
        "(SELECT DISTINCT leaf, sex FROM ones) k CROSS JOIN marks m "
        "UNION ALL SELECT leaf, sex, born, 1, NULL, NULL FROM ones), "
        "run AS (SELECT leaf, sex, d, g, w, SUM(w) OVER (PARTITION BY leaf, sex "
        "ORDER BY t, w DESC ROWS UNBOUNDED PRECEDING) AS c FROM pts), "
        # … each group the persons born by its first mark and not by the next one's
        "cum AS (SELECT leaf, sex, d, g, c - COALESCE(LEAD(c) OVER "
        "(PARTITION BY leaf, sex, d ORDER BY g), 0) AS n FROM run WHERE w = 0) "
        "SELECT 'P', leaf, d, sex, g, n FROM cum WHERE n > 0 "
        "UNION ALL SELECT 'P', sp.leaf, d.d, sp.sex, {each}, COUNT(*) FROM part sp "
        "JOIN days d ON {on_day} GROUP BY sp.leaf, d.d, sp.sex, {each} "
        "UNION ALL SELECT 'H', leaf, NULL, NULL, NULL, COUNT(*) FROM hp "
        "WHERE whole = 1 GROUP BY leaf "
        "UNION ALL SELECT 'H', sp.leaf, d.d, NULL, NULL, COUNT(*) FROM hpart sp "
        "JOIN days d ON {on_day} GROUP BY sp.leaf, d.d",
        marks=table,
        names=names,
        days=days_table,
        whole=whole,
        span=span,
        each=_group("sp.born", "d"),
        leaves=marks(leaves),
        on_day=on_day,
    )
    first, last = sql.day(days[0]), sql.day(days[-1])
    counted: dict[str, dict[int, Tally]] = {day.isoformat(): defaultdict(Counter) for day in days}
    # the tallies of each day read back (a day of None: every day), worked out once a day
    # and not once a row (a million rows at one tenth of Hà Nội)
    on: dict[Any, list[dict[int, Tally]]] = {None: list(counted.values())}
    for kind, unit, day, sex, index, n in _fetch(
        query,
        [*params, *days_params, *[first, last, *leaves, last, first] * 2],
    ):
        tallies = on.get(day)
        if tallies is None:
            tallies = on[day] = [counted[_key(day)]]
        for tally in tallies:
            if kind == "H":
                tally[unit][keys.HOUSEHOLDS] += n
            else:
                add_persons(tally[unit], sex, index, n)
    return counted


def _elderly_checked(
    periods: list[Period], leaves: list[int], sql: _Dialect
) -> dict[str, dict[int, int]]:
    """Persons 60+ registered in each leaf on each period's reference date with a
    check-up in the period."""
    table, params = _values(
        [
            [
                str(p),
                sql.day(p.start),
                sql.day(p.end),
                sql.day(p.reference),
                sql.day(years_before(p.reference, 60)),
            ]
            for p in periods
        ]
    )
    first, last = min(p.start for p in periods), max(p.end for p in periods)
    query = statement(
        "WITH per(name, s, e, r, t60) AS (VALUES {table}), "
        # the spells in the leaves of persons 60+ by the span's last reference day …
        "old AS (SELECT s.leaf, s.person, s.born, s.start, s.until FROM {S} s "
        "WHERE s.leaf IN {leaves} AND s.born <= %s "
        "AND s.start <= %s AND (s.until IS NULL OR s.until >= %s)) "
        # … each joined to the person's check-ups of the span (by the events' person
        # index: a village reads its own) and to the periods containing them
        "SELECT s.leaf, per.name, COUNT(DISTINCT s.person) FROM old s "
        "JOIN {E} e ON e.person_id = s.person AND e.event_type = %s "
        "AND e.event_date >= %s AND e.event_date <= %s "
        "JOIN per ON e.event_date >= per.s AND e.event_date <= per.e "
        "AND {registered} AND s.born <= per.t60 "
        "GROUP BY s.leaf, per.name",
        table=table,
        registered=_registered("per.r"),
        leaves=marks(leaves),
    )
    latest = max(p.reference for p in periods)
    rows = _fetch(
        query,
        [
            *params,
            *leaves,
            sql.day(years_before(latest, 60)),
            sql.day(latest),
            sql.day(min(p.reference for p in periods)),
            EventType.ELDERLY_CHECKUP.value,
            sql.day(first),
            sql.day(last),
        ],
    )
    counted: dict[str, dict[int, int]] = defaultdict(dict)
    for unit, name, n in rows:
        counted[name][unit] = n
    return counted


def _prevalence(days: list[date], leaves: list[int], sql: _Dialect) -> dict[str, dict[int, Tally]]:
    """Married women 15–49 registered in each leaf on each of ``days`` (``cpr.women``) and
    those of them using a modern method then (``cpr.users``): the women's spells on each
    day joined to their married and using spells (``spells``) by range."""
    table, params = _values(
        [[sql.day(d), sql.day(years_before(d, 15)), sql.day(years_before(d, 50))] for d in days]
    )
    query = statement(
        "WITH ends(d, t15, t50) AS (VALUES {table}), "
        # the leaves' women who are 15–49 on some of the days, read once …
        "ws AS {read_women} (SELECT s.leaf, s.person AS pid, s.born, s.start AS st, "
        "s.until AS en FROM {S} s WHERE s.leaf IN {leaves} AND s.sex = %s "
        "AND s.born <= %s AND s.born > %s "
        "AND s.start <= %s AND (s.until IS NULL OR s.until >= %s)), "
        # … then placed on each day they are registered and of age
        "women AS (SELECT DISTINCT ws.leaf, d.d, ws.pid FROM ws CROSS JOIN ends d "
        "WHERE ws.st <= d.d AND (ws.en IS NULL OR ws.en >= d.d) "
        "AND ws.born <= d.t15 AND ws.born > d.t50), "
        "wed AS (SELECT w.leaf, w.d, w.pid FROM women w JOIN {W} x ON x.person = w.pid "
        "AND x.kind = %s AND (x.start IS NULL OR x.start <= w.d) "
        "AND (x.end IS NULL OR w.d < x.end)) "
        "SELECT w.leaf, w.d, COUNT(*), COUNT(u.person) FROM wed w LEFT JOIN {W} u "
        "ON u.person = w.pid AND u.kind = %s AND u.start <= w.d "
        "AND (u.end IS NULL OR w.d < u.end) GROUP BY w.leaf, w.d",
        table=table,
        leaves=marks(leaves),
        read_women=sql.read_women,
    ).replace(".end", '."end"')
    rows = _fetch(
        query,
        [
            *params,
            *leaves,
            "F",
            sql.day(years_before(days[-1], 15)),
            sql.day(years_before(days[0], 50)),
            sql.day(days[-1]),
            sql.day(days[0]),
            WomanSpell.MARRIED,
            WomanSpell.USING,
        ],
    )
    counted: dict[str, dict[int, Tally]] = defaultdict(lambda: defaultdict(Counter))
    for unit, day, women, users in rows:
        counted[_key(day)][unit][keys.CPR_WOMEN] = women
        if users:
            counted[_key(day)][unit][keys.CPR_USERS] = users
    return counted


def _by_month(months: list[Period], leaves: list[int]) -> dict[Period, dict[int, Tally]]:
    """Deaths, divorces, moves and new acceptors of each of ``months``: they add up over
    months, so each month is read once, then summed into the quarters, the year and the
    years to date."""
    counted: dict[Period, dict[int, Tally]] = {}
    for month in months:
        counted[month] = defaultdict(Counter)
        _deaths_and_contraception(month, leaves, counted[month])
    return counted


def tallies_of_periods(
    periods: Iterable[Period], leaves: Iterable[int]
) -> dict[str, dict[int, Tally]]:
    """The tallies of each leaf for each period (by the period's text; leaves with
    nothing are absent), the same as ``tallying.tallies_of`` period by period."""
    batch = list(periods)
    ids = sorted(set(leaves))
    result: dict[str, dict[int, Tally]] = {str(period): defaultdict(Counter) for period in batch}
    if not batch or not ids:
        return {name: {} for name in result}
    sql = _Dialect.current()
    references = sorted({period.reference for period in batch})
    ends = sorted({period.end for period in batch})
    months = sorted({month for period in batch for month in period.months_in()})
    # the births and the marriages of the whole span, read once
    first, last = min(p.start for p in batch), max(p.end for p in batch)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        # independent reads, side by side on the machine's cores for a large count
        # (``parallel``), the longest first
        parts = run_all(
            [
                partial(_stock, references, chunk, sql),
                partial(_prevalence, ends, chunk, sql),
                partial(_by_month, months, chunk),
                partial(birth_rows, first, last, chunk),
                partial(marriage_rows, first, last, chunk),
                partial(_elderly_checked, batch, chunk, sql),
            ],
            share=len(chunk) >= SHARED_FROM,
        )
        stock: dict[str, dict[int, Tally]] = parts[0]
        prevalence: dict[str, dict[int, Tally]] = parts[1]
        by_month: dict[Period, dict[int, Tally]] = parts[2]
        born, married = parts[3], parts[4]
        checked: dict[str, dict[int, int]] = parts[5]
        for period in batch:
            tallies = result[str(period)]
            for unit, tally in stock.get(period.reference.isoformat(), {}).items():
                tallies[unit].update(tally)
            for unit, n in checked.get(str(period), {}).items():
                tallies[unit][keys.ELDERLY_CHECKED] += n
            for unit, tally in prevalence.get(period.end.isoformat(), {}).items():
                tallies[unit].update(tally)
            for month in period.months_in():
                for unit, tally in by_month[month].items():
                    tallies[unit].update(tally)
            births_from(period, born, tallies)
            marriages_from(period, married, chunk, tallies)
    return {
        name: {unit: tally for unit, tally in tallies.items() if tally}
        for name, tallies in result.items()
    }
