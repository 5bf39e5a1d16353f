"""The register's counts for many periods at once, set-based: what ``tallying`` counts
period by period, for a whole batch of periods (a year's 28) in a few grouped queries.

Counting a year period by period joins the whole register once per reference day for the
stock (23 distinct days in a year), again for the households, once per period for the
persons 60+ checked up, and brings every woman 15–49 of each month's end into Python for
contraceptive prevalence.  Here each of those is one query over the batch:

- **the stock** (persons by sex and five-year group, households): the leaves' stays, each
  in a household placed in the leaf, joined to the table of the batch's reference days
  (``days``, each day with the first birth day of every age group), grouped by leaf,
  day, sex and group;
- **persons 60+ checked up**: the check-ups of the batch's span joined to the periods
  containing them and to the stays covering each period's reference day;
- **contraceptive prevalence**: each woman's *married spells* (from her marriages and
  divorces, ordered as ``tallying._married_on`` reads them, with a window function) and
  her *modern-method spells* (each method start until the next start or a stop of the
  same method), joined by range to the women 15–49 registered on each period's last day.

Only grouped rows (leaf × day × sex × group) travel into Python, never a row a person.
Deaths, divorces, moves and new acceptors are counted month by month (grouped queries
of ``tallying``) and added up into the longer periods; the births and the marriages of
the batch's span are read once with their screenings and premarital checks, each period
counting its own (mothers and couples once a period), as ``tallying`` counts them.

The definitions are ``tallying``'s, unchanged (``tests/indicators`` compares both with
the independent oracle and with each other).  One of them is stated here because the
period-by-period count left it implicit: a woman registered in two leaves on the same day
(two overlapping stays) counts for prevalence in each, as she does in the stock.

Where the two databases differ, ``_Dialect`` says so: SQLite keeps dates as ISO text and
compares strings byte by byte, PostgreSQL has a date type and a collation that is not
byte order unless asked (``COLLATE "C"``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection

from danso.indicators import tallies as keys
from danso.indicators.periods import Period
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
from danso.register.models import Event, HouseholdPlacement, Membership, Person
from danso.register.vocabulary import MODERN_METHODS, EventType, MaritalStatus

#: Leaves per statement: well under SQLite's limit of bound parameters.
CHUNK = 2000
#: The first age of each pyramid group after the first (5, 10, … 85).
_LOWS = [int(group.rstrip("+").partition("-")[0]) for group in PYRAMID_GROUPS][1:]

#: The register's tables, by the names the statements below use for them.
_TABLES = {
    "{M}": Membership._meta.db_table,
    "{H}": HouseholdPlacement._meta.db_table,
    "{P}": Person._meta.db_table,
    "{E}": Event._meta.db_table,
}


@dataclass(frozen=True)
class _Dialect:
    """What the SQL must say differently on each database."""

    #: Strings ordered by code point, as Python orders them (PostgreSQL's default
    #: collation ignores punctuation and case at the first level).
    byte_order: str
    #: How the women of a batch are read before being placed on each day: SQLite must
    #: read them once first (``MATERIALIZED``), or its planner walks every person born in
    #: the age range once per day; PostgreSQL must read them inline (``NOT
    #: MATERIALIZED``), or it estimates the filters on a materialized table blindly (14
    #: rows for 200,000 women), joins them by nested loops and takes minutes for one day.
    read_women: str

    @classmethod
    def current(cls) -> _Dialect:
        if connection.vendor == "postgresql":
            return cls(byte_order=' COLLATE "C"', read_women="NOT MATERIALIZED")
        return cls(byte_order="", read_women="MATERIALIZED")

    def day(self, value: date) -> Any:
        """A date as a bound parameter (SQLite: ISO text, as its columns keep them)."""
        return connection.ops.adapt_datefield_value(value)


def _registered(day: str) -> str:
    """The stay ``m`` and the placement ``pl`` both cover ``day`` (a column)."""
    return (
        "m.valid_from <= @ AND (m.valid_to IS NULL OR m.valid_to >= @) "
        "AND pl.valid_from <= @ AND (pl.valid_to IS NULL OR pl.valid_to >= @)"
    ).replace("@", day)


#: Stays ``m`` in households placed ``pl``, of persons ``p`` not merged into another.
_STAYS = (
    "{M} m JOIN {H} pl ON pl.household_id = m.household_id "
    "JOIN {P} p ON p.id = m.person_id AND p.merged_into_id IS NULL"
)


def _sql(text: str, **parts: str) -> str:
    """``text`` with the tables' names (``{M}`` …) and ``parts`` (``{name}``) put in: only
    names and placeholders of ours, never a value (values are bound parameters)."""
    for name, value in parts.items():
        text = text.replace("{" + name + "}", value)
    for name, table in _TABLES.items():
        text = text.replace(name, connection.ops.quote_name(table))
    return text


def _values(rows: Sequence[Sequence[Any]]) -> tuple[str, list[Any]]:
    """``VALUES (%s, …), …`` for ``rows``, and its parameters."""
    width = len(rows[0])
    row = "(" + ", ".join(["%s"] * width) + ")"
    return ", ".join([row] * len(rows)), [value for values in rows for value in values]


def _in(ids: Sequence[object]) -> str:
    return "(" + ", ".join(["%s"] * len(ids)) + ")"


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


def _stock(days: list[date], leaves: list[int], sql: _Dialect) -> dict[str, dict[int, Tally]]:
    """Each leaf's stock on each of ``days``: ``P``, the pyramid, ``W`` and its groups,
    ``E60`` and ``households`` (``tallying._stock_on``'s keys).

    Most persons stay in one household the whole span of ``days`` and keep their age
    group from its first day to its last: they are counted once, by leaf, sex and group,
    and added to every day (``simple``); only the others — who arrive, leave, move, have
    two stays or a birthday that changes their group — are counted day by day.  The same
    for households present the whole span.  Both parts in one statement, over the stays
    read once (``sp``)."""
    table, params = _values(
        [[sql.day(d), *(sql.day(years_before(d, low)) for low in _LOWS)] for d in days]
    )
    names = ", ".join(f"t{low}" for low in _LOWS)
    on_day = (
        "sp.mf <= d.d AND (sp.mt IS NULL OR sp.mt >= d.d) "
        "AND sp.pf <= d.d AND (sp.pt IS NULL OR sp.pt >= d.d)"
    )
    statement = _sql(
        "WITH days(d, {names}) AS (VALUES {table}), "
        # the stays of the span, each with its placement, and whether it covers the span
        "sp AS (SELECT pl.unit_id AS leaf, m.person_id AS pid, m.household_id AS hid, "
        "p.sex AS sex, p.birth_date AS born, m.valid_from AS mf, m.valid_to AS mt, "
        "pl.valid_from AS pf, pl.valid_to AS pt, {first} AS g, "
        "CASE WHEN m.valid_from <= f.d AND (m.valid_to IS NULL OR m.valid_to >= l.d) "
        "AND pl.valid_from <= f.d AND (pl.valid_to IS NULL OR pl.valid_to >= l.d) "
        "AND {first} = {last} THEN 1 ELSE 0 END AS steady, "
        "CASE WHEN m.valid_from <= f.d AND (m.valid_to IS NULL OR m.valid_to >= l.d) "
        "AND pl.valid_from <= f.d AND (pl.valid_to IS NULL OR pl.valid_to >= l.d) "
        "THEN 1 ELSE 0 END AS whole "
        "FROM {stays} CROSS JOIN days f CROSS JOIN days l "
        "WHERE pl.unit_id IN {leaves} AND f.d = %s AND l.d = %s "
        "AND m.valid_from <= l.d AND (m.valid_to IS NULL OR m.valid_to >= f.d) "
        "AND pl.valid_from <= l.d AND (pl.valid_to IS NULL OR pl.valid_to >= f.d)), "
        "persons AS (SELECT leaf, pid, CASE WHEN COUNT(*) = 1 AND MIN(steady) = 1 "
        "THEN 1 ELSE 0 END AS simple FROM sp GROUP BY leaf, pid), "
        "homes AS (SELECT leaf, hid, MAX(whole) AS simple FROM sp GROUP BY leaf, hid) "
        "SELECT 'P', sp.leaf, NULL, sp.sex, sp.g, COUNT(*) FROM sp "
        "JOIN persons x ON x.leaf = sp.leaf AND x.pid = sp.pid AND x.simple = 1 "
        "GROUP BY sp.leaf, sp.sex, sp.g "
        "UNION ALL SELECT 'P', sp.leaf, d.d, sp.sex, {each}, COUNT(DISTINCT sp.pid) FROM sp "
        "JOIN persons x ON x.leaf = sp.leaf AND x.pid = sp.pid AND x.simple = 0 "
        "JOIN days d ON {on_day} GROUP BY sp.leaf, d.d, sp.sex, {each} "
        "UNION ALL SELECT 'H', leaf, NULL, NULL, NULL, COUNT(*) FROM homes "
        "WHERE simple = 1 GROUP BY leaf "
        "UNION ALL SELECT 'H', sp.leaf, d.d, NULL, NULL, COUNT(DISTINCT sp.hid) FROM sp "
        "JOIN homes x ON x.leaf = sp.leaf AND x.hid = sp.hid AND x.simple = 0 "
        "JOIN days d ON {on_day} GROUP BY sp.leaf, d.d",
        names=names,
        table=table,
        first=_group("p.birth_date", "f"),
        last=_group("p.birth_date", "l"),
        each=_group("sp.born", "d"),
        stays=_STAYS,
        leaves=_in(leaves),
        on_day=on_day,
    )
    every = [day.isoformat() for day in days]
    rows: list[tuple[int, str, str, int, int]] = []
    households: list[tuple[int, str, int]] = []
    for kind, unit, day, sex, index, n in _fetch(
        statement, [*params, *leaves, sql.day(days[0]), sql.day(days[-1])]
    ):
        on = every if day is None else [_key(day)]
        if kind == "H":
            households += [(unit, one, n) for one in on]
        else:
            rows += [(unit, one, sex, index, n) for one in on]
    counted: dict[str, dict[int, Tally]] = defaultdict(lambda: defaultdict(Counter))
    for unit, day, n in households:
        counted[day][unit][keys.HOUSEHOLDS] += n
    for unit, day, sex, index, n in rows:
        add_persons(counted[day][unit], sex, index, n)
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
    statement = _sql(
        "WITH per(name, s, e, r, t60) AS (VALUES {table}), "
        # the persons 60+ by the span's end with a stay in the leaves, then their
        # check-ups (by the events' person index: a village reads its own)
        "old AS (SELECT DISTINCT m.person_id AS pid FROM {stays} "
        "WHERE pl.unit_id IN {leaves} AND p.birth_date <= %s "
        "AND m.valid_from <= %s AND (m.valid_to IS NULL OR m.valid_to >= %s)), "
        "ck AS (SELECT DISTINCT e.person_id AS pid, e.event_date AS day FROM old "
        "JOIN {E} e ON e.person_id = old.pid AND e.event_type = %s "
        "AND e.event_date >= %s AND e.event_date <= %s) "
        "SELECT pl.unit_id, per.name, COUNT(DISTINCT m.person_id) "
        "FROM ck JOIN per ON ck.day >= per.s AND ck.day <= per.e "
        "JOIN {M} m ON m.person_id = ck.pid "
        "JOIN {H} pl ON pl.household_id = m.household_id AND {registered} "
        "JOIN {P} p ON p.id = m.person_id AND p.merged_into_id IS NULL "
        "AND p.birth_date <= per.t60 "
        "WHERE pl.unit_id IN {leaves} GROUP BY pl.unit_id, per.name",
        table=table,
        stays=_STAYS,
        registered=_registered("per.r"),
        leaves=_in(leaves),
    )
    latest = max(p.reference for p in periods)
    rows = _fetch(
        statement,
        [
            *params,
            *leaves,
            sql.day(years_before(latest, 60)),
            sql.day(latest),
            sql.day(min(p.reference for p in periods)),
            EventType.ELDERLY_CHECKUP.value,
            sql.day(first),
            sql.day(last),
            *leaves,
        ],
    )
    counted: dict[str, dict[int, int]] = defaultdict(dict)
    for unit, name, n in rows:
        counted[name][unit] = n
    return counted


def _prevalence(days: list[date], leaves: list[int], sql: _Dialect) -> dict[str, dict[int, Tally]]:
    """Married women 15–49 registered in each leaf on each of ``days`` (``cpr.women``) and
    those of them using a modern method then (``cpr.users``)."""
    table, params = _values(
        [[sql.day(d), sql.day(years_before(d, 15)), sql.day(years_before(d, 50))] for d in days]
    )
    modern = sorted(str(method) for method in MODERN_METHODS)
    order = f"event_date, source_id{sql.byte_order}, method"
    statement = _sql(
        "WITH ends(d, t15, t50) AS (VALUES {table}), "
        # the women 15–49 registered in each leaf on each day
        # the leaves' women who are 15–49 on some of the days, read once …
        "ws AS {read_women} (SELECT pl.unit_id AS leaf, m.person_id AS pid, "
        "p.birth_date AS born, m.valid_from AS mf, m.valid_to AS mt, pl.valid_from AS pf, "
        "pl.valid_to AS pt FROM {stays} WHERE pl.unit_id IN {leaves} AND p.sex = %s "
        "AND p.birth_date <= %s AND p.birth_date > %s "
        "AND m.valid_from <= %s AND (m.valid_to IS NULL OR m.valid_to >= %s) "
        "AND pl.valid_from <= %s AND (pl.valid_to IS NULL OR pl.valid_to >= %s)), "
        # … then placed on each day they are registered and of age
        "women AS (SELECT DISTINCT ws.leaf, d.d, ws.pid FROM ws CROSS JOIN ends d "
        "WHERE ws.mf <= d.d AND (ws.mt IS NULL OR ws.mt >= d.d) "
        "AND ws.pf <= d.d AND (ws.pt IS NULL OR ws.pt >= d.d) "
        "AND ws.born <= d.t15 AND ws.born > d.t50), "
        "who AS (SELECT DISTINCT pid FROM women), "
        # marriages and divorces in the order _married_on reads them; each decides from
        # its day until the next one's
        "unions AS (SELECT person_id AS pid, event_date AS day, event_type AS kind, "
        "ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY event_date, event_type) AS k, "
        "LEAD(event_date) OVER (PARTITION BY person_id ORDER BY event_date, event_type) "
        "AS next FROM {E} WHERE event_type IN (%s, %s) "
        "AND person_id IN (SELECT pid FROM who)), "
        # married spells [s, e): after a marriage until the next union, and before a
        # first union that is a divorce
        "married AS (SELECT pid, day AS s, next AS e FROM unions WHERE kind = %s "
        "UNION ALL SELECT pid, NULL, day FROM unions WHERE k = 1 AND kind = %s), "
        "wed AS (SELECT w.leaf, w.d, w.pid FROM women w JOIN married x ON x.pid = w.pid "
        "AND (x.s IS NULL OR x.s <= w.d) AND (x.e IS NULL OR w.d < x.e) "
        "UNION ALL SELECT w.leaf, w.d, w.pid FROM women w JOIN {P} p ON p.id = w.pid "
        "WHERE p.marital_status = %s "
        "AND NOT EXISTS (SELECT 1 FROM unions u WHERE u.pid = w.pid)), "
        # each method start until the next start (in _using_modern_method's order) …
        "starts AS (SELECT person_id AS pid, event_date AS day, source_id, method, "
        "LEAD(event_date) OVER (PARTITION BY person_id ORDER BY {order}) AS next "
        "FROM {E} WHERE event_type = %s AND person_id IN (SELECT pid FROM who)), "
        # … or the first stop of the same method: a modern method's spell of use
        "uses AS (SELECT s.pid, s.day AS s, s.next, MIN(x.event_date) AS stop "
        "FROM starts s LEFT JOIN {E} x ON x.person_id = s.pid AND x.event_type = %s "
        "AND x.method = s.method AND x.event_date >= s.day "
        "WHERE s.method IN {modern} GROUP BY s.pid, s.day, s.source_id, s.next) "
        "SELECT w.leaf, w.d, COUNT(*), COUNT(u.pid) FROM wed w LEFT JOIN uses u "
        "ON u.pid = w.pid AND u.s <= w.d AND (u.next IS NULL OR w.d < u.next) "
        "AND (u.stop IS NULL OR w.d < u.stop) GROUP BY w.leaf, w.d",
        table=table,
        stays=_STAYS,
        leaves=_in(leaves),
        order=order,
        modern=_in(modern),
        read_women=sql.read_women,
    )
    rows = _fetch(
        statement,
        [
            *params,
            *leaves,
            "F",
            sql.day(years_before(days[-1], 15)),
            sql.day(years_before(days[0], 50)),
            *[sql.day(days[-1]), sql.day(days[0])] * 2,
            EventType.MARRIAGE.value,
            EventType.DIVORCE.value,
            EventType.MARRIAGE.value,
            EventType.DIVORCE.value,
            MaritalStatus.MARRIED.value,
            EventType.CONTRACEPTION_START.value,
            EventType.CONTRACEPTION_STOP.value,
            *modern,
        ],
    )
    counted: dict[str, dict[int, Tally]] = defaultdict(lambda: defaultdict(Counter))
    for unit, day, women, users in rows:
        counted[_key(day)][unit][keys.CPR_WOMEN] = women
        if users:
            counted[_key(day)][unit][keys.CPR_USERS] = users
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
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        stock = _stock(references, chunk, sql)
        checked = _elderly_checked(batch, chunk, sql)
        prevalence = _prevalence(ends, chunk, sql)
        # the births and the marriages of the whole span, read once
        first, last = min(p.start for p in batch), max(p.end for p in batch)
        born = birth_rows(first, last, chunk)
        married = marriage_rows(first, last, chunk)
        # deaths, divorces, moves and new acceptors add up over months: each month is
        # read once, then summed into the quarters, the year and the years to date
        by_month: dict[Period, dict[int, Tally]] = {}
        for month in months:
            by_month[month] = defaultdict(Counter)
            _deaths_and_contraception(month, chunk, by_month[month])
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
