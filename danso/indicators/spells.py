"""The register's spells, kept ready for counting (``StaySpell``, ``HouseholdSpell``,
``WomanSpell``).

A count of the stock on a day, of the households present, of the persons 60+ or of the
women 15–49 asks, for each person, whether one of their stays *and* its household's
placement cover the day.  Joined at count time, that is stays × placements × persons for
every reference day of a year.  Here the join is made once and kept:

- ``StaySpell``: each stay of a person not merged into another, intersected with each
  placement of its household, with the leaf, the person's sex and birth date; the spell
  covers ``start`` to ``until`` (inclusive; None while open); a person's spells in one
  leaf that overlap (two households at once) are joined into one (``_islands``), so
  that on any day at most one spell covers a person in a leaf;
- ``HouseholdSpell``: the same for each household — the days at least one of its
  members is registered with it in the leaf;
- ``WomanSpell``: for each woman (sex F, not merged), her *married* spells (``M``) and her
  spells of *using a modern method* (``U``), from ``start`` (None: since always) to the
  day before ``end`` (None: still), built as ``tallying`` reads her history:

  - her marriages and divorces in the order (day, type); after a marriage she is married
    until her next union; before a first union that is a divorce she was married; a woman
    with neither is married always if her record says so (``marital_status``);
  - each start of a modern method lasts until her next start (in the order day, source,
    method) or the first stop of the same method on or after its day, whichever comes
    first.

**Kept in the writer's transaction.**  Every saved or deleted stay, placement, person or
union or method event rewrites the spells of the persons it touches and of their
households (``refresh``: one person, or a household's members); a bulk change (an
import, a generated book, a correction) rewrites those of the persons of its units, or
all of them (``refresh_units``).  The statements that write a person's spells are those
of the full rebuild restricted to that person: there is one definition.  ``check`` compares the
stored spells with a rebuild and names the persons (and counts the households) that
differ.

Every statement is the same on SQLite (≥ 3.35: window functions) and PostgreSQL; dates
are compared as values (SQLite keeps them as ISO text, whose order is the dates').  Four
things are said differently: the byte order of the method events' source names
(``_byte_order``: ``COLLATE "C"`` on PostgreSQL, whose default collation ignores
punctuation and case at the first level, where Python orders by code point), the day
standing for an open end (``_far``: a date on PostgreSQL, ISO text on SQLite), how a
woman's events are read (``_her_events``: their planners must be told differently), and
how a table is emptied whole for a rebuild (``_emptied``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from danso.indicators.models import HouseholdSpell, StaySpell, WomanSpell
from danso.register.models import Event, HouseholdPlacement, Membership, Person
from danso.register.vocabulary import MODERN_METHODS, EventType, MaritalStatus

#: The events a woman's spells are built from: a change to one rewrites her spells.
SPELL_EVENTS = frozenset(
    {
        EventType.MARRIAGE.value,
        EventType.DIVORCE.value,
        EventType.CONTRACEPTION_START.value,
        EventType.CONTRACEPTION_STOP.value,
    }
)
STAY_COLUMNS = "person, sex, born, leaf, start, until"
HOME_COLUMNS = "household, leaf, start, until"
WOMAN_COLUMNS = 'person, kind, start, "end"'
#: Persons per statement when they are named one by one.
CHUNK = 500

_TABLES = {
    "{M}": Membership._meta.db_table,
    "{H}": HouseholdPlacement._meta.db_table,
    "{P}": Person._meta.db_table,
    "{E}": Event._meta.db_table,
    "{S}": StaySpell._meta.db_table,
    "{HS}": HouseholdSpell._meta.db_table,
    "{W}": WomanSpell._meta.db_table,
}


def statement(text: str, **parts: str) -> str:
    """``text`` with the tables' names (``{M}`` …) and ``parts`` (``{name}``) put in: only
    names and placeholders of ours, never a value (values are bound parameters)."""
    for name, value in parts.items():
        text = text.replace("{" + name + "}", value)
    for name, table in _TABLES.items():
        text = text.replace(name, connection.ops.quote_name(table))
    return text


def marks(values: Sequence[object]) -> str:
    """``(%s, …)``, a placeholder for each of ``values``."""
    return "(" + ", ".join(["%s"] * len(values)) + ")"


def _byte_order() -> str:
    return ' COLLATE "C"' if connection.vendor == "postgresql" else ""


def _her_events() -> str:
    """How the events of the women (``women``) are joined to them (``e``): SQLite, told to
    join, reads every event of the register in the order of the window (0.6 s for one
    woman on the demo), so it is given the women as a list to look up in the person index
    (its rebuild is faster too); PostgreSQL cannot count a list from a ``WITH`` and plans
    200 where a rebuild has 460,000 women (a lookup each: three times slower), so it is
    given the join, which it hashes (and, for a few women, reads by the index)."""
    if connection.vendor == "postgresql":
        return "JOIN women w ON w.id = e.person_id WHERE"
    return "WHERE e.person_id IN (SELECT id FROM women) AND"


def _emptied() -> str:
    """Emptying a table (``{table}``) whole: SQLite truncates on a ``DELETE`` without
    ``WHERE``; PostgreSQL's ``DELETE`` would leave every row dead in the table and its
    indexes until a vacuum."""
    return "TRUNCATE {table}" if connection.vendor == "postgresql" else "DELETE FROM {table}"


def _far() -> str:
    """A day after any spell, standing for an open end (SQLite: ISO text)."""
    return "DATE '9999-12-31'" if connection.vendor == "postgresql" else "'9999-12-31'"


@dataclass(frozen=True)
class Persons:
    """Whose spells a statement writes: a SQL condition on a person's id column (``@``)
    and its parameters; everyone when ``where`` is empty."""

    where: str = ""
    params: tuple[Any, ...] = ()
    #: The condition reads the register (and the spells): the persons are chosen into a
    #: temporary table before any spell of theirs is deleted.
    chosen_first: bool = False

    def on(self, column: str) -> str:
        return " AND " + self.where.replace("@", column) if self.where else ""

    @classmethod
    def named(cls, ids: list[int]) -> Persons:
        return cls("@ IN " + marks(ids), tuple(ids))

    @classmethod
    def of_units(cls, units: list[int]) -> Persons:
        """The persons with a stay in a household ever placed in ``units``, with a spell
        there, or with an event recorded there."""
        where = statement(
            "@ IN (SELECT m.person_id FROM {M} m JOIN {H} pl "
            "ON pl.household_id = m.household_id WHERE pl.unit_id IN {units} "
            "UNION SELECT person FROM {S} WHERE leaf IN {units} "
            "UNION SELECT person_id FROM {E} WHERE unit_id IN {units})",
            units=marks(units),
        )
        return cls(where, tuple(units) * 3, chosen_first=True)


#: Each stay cut to a placement of its household (``m``, ``pl``), of persons ``p`` not
#: merged into another: ``leaf``, ``start``, ``until``.
_REGISTERED = (
    "pl.unit_id AS leaf, "
    "CASE WHEN pl.valid_from > m.valid_from THEN pl.valid_from ELSE m.valid_from END "
    "AS start, CASE WHEN m.valid_to IS NULL THEN pl.valid_to WHEN pl.valid_to IS NULL "
    "THEN m.valid_to WHEN pl.valid_to < m.valid_to THEN pl.valid_to ELSE m.valid_to END "
    "AS until "
    "FROM {M} m JOIN {H} pl ON pl.household_id = m.household_id "
    "AND pl.valid_from <= COALESCE(m.valid_to, pl.valid_from) "
    "AND m.valid_from <= COALESCE(pl.valid_to, m.valid_from) "
    "JOIN {P} p ON p.id = m.person_id AND p.merged_into_id IS NULL "
)


def _islands(raw: str, key: str) -> str:
    """``raw``'s spells (``key``, ``leaf``, ``start``, ``until`` and more columns that
    ``key`` decides) with those of the same ``key`` and leaf that overlap joined into
    one: a spell starts a new island when it starts after every earlier one ended."""
    return statement(
        "WITH raw AS ({raw}), "
        "x AS (SELECT raw.*, MAX(COALESCE(until, {far})) OVER (PARTITION BY {key}, leaf "
        "ORDER BY start, COALESCE(until, {far}) ROWS BETWEEN UNBOUNDED PRECEDING "
        "AND 1 PRECEDING) AS reach FROM raw), "
        "y AS (SELECT x.*, SUM(CASE WHEN reach IS NULL OR start > reach THEN 1 ELSE 0 END) "
        "OVER (PARTITION BY {key}, leaf ORDER BY start, COALESCE(until, {far}) "
        "ROWS UNBOUNDED PRECEDING) AS island FROM x) "
        "SELECT {key}, leaf, MIN(start) AS start, "
        "NULLIF(MAX(COALESCE(until, {far})), {far}) AS until FROM y GROUP BY {key}, leaf, island",
        raw=raw,
        key=key,
        far=_far(),
    )


def _stay_spells(who: Persons) -> tuple[str, list[Any]]:
    """``SELECT`` of the stay spells of ``who`` (``STAY_COLUMNS``; a person's sex and
    birth day are the same in all their spells, so part of the key)."""
    raw = statement(
        "SELECT m.person_id AS person, p.sex AS sex, p.birth_date AS born, {registered}"
        "WHERE 1 = 1{who}",
        registered=_REGISTERED,
        who=who.on("m.person_id"),
    )
    return _islands(raw, "person, sex, born"), list(who.params)


def _home_spells(homes: Persons) -> tuple[str, list[Any]]:
    """``SELECT`` of the presence spells of the households ``homes`` (``HOME_COLUMNS``)."""
    raw = statement(
        "SELECT m.household_id AS household, {registered}WHERE 1 = 1{homes}",
        registered=_REGISTERED,
        homes=homes.on("m.household_id"),
    )
    return _islands(raw, "household"), list(homes.params)


def _woman_spells(who: Persons) -> tuple[str, list[Any]]:
    """``SELECT`` of the married and using spells of the women of ``who`` (``person``,
    ``kind``, ``start``, ``end``)."""
    modern = sorted(str(method) for method in MODERN_METHODS)
    text = statement(
        # the women, with their marital status (read here: joined to the persons again
        # below, SQLite read every person of the register to find one woman)
        "WITH women AS (SELECT id, marital_status FROM {P} "
        "WHERE sex = %s AND merged_into_id IS NULL{who}), "
        "unions AS (SELECT e.person_id AS pid, e.event_date AS day, e.event_type AS kind, "
        "ROW_NUMBER() OVER (PARTITION BY e.person_id ORDER BY e.event_date, e.event_type) "
        "AS k, LEAD(e.event_date) OVER (PARTITION BY e.person_id "
        "ORDER BY e.event_date, e.event_type) AS next "
        "FROM {E} e {her_events} e.event_type IN (%s, %s)), "
        "starts AS (SELECT e.person_id AS pid, e.event_date AS day, e.source_id, e.method, "
        "LEAD(e.event_date) OVER (PARTITION BY e.person_id ORDER BY {order}) AS next "
        "FROM {E} e {her_events} e.event_type = %s), "
        "uses AS (SELECT s.pid, s.day, s.next, MIN(x.event_date) AS stop "
        "FROM starts s LEFT JOIN {E} x ON x.person_id = s.pid AND x.event_type = %s "
        "AND x.method = s.method AND x.event_date >= s.day "
        "WHERE s.method IN {modern} "
        "GROUP BY s.pid, s.day, s.source_id, s.next), "
        "spells AS (SELECT pid, %s AS kind, day AS s, next AS e FROM unions WHERE kind = %s "
        "UNION ALL SELECT pid, %s, NULL, day FROM unions WHERE k = 1 AND kind = %s "
        "UNION ALL SELECT w.id, %s, NULL, NULL FROM women w "
        "WHERE w.marital_status = %s AND NOT EXISTS "
        "(SELECT 1 FROM unions u WHERE u.pid = w.id) "
        "UNION ALL SELECT pid, %s, day, CASE WHEN stop IS NULL THEN next "
        "WHEN next IS NULL OR stop < next THEN stop ELSE next END FROM uses) "
        # a spell that ends the day it starts covers no day
        'SELECT pid AS person, kind, s AS start, e AS "end" FROM spells '
        "WHERE s IS NULL OR e IS NULL OR s < e",
        who=who.on("id"),
        her_events=_her_events(),
        order=f"event_date, source_id{_byte_order()}, method",
        modern=marks(modern),
    )
    params: list[Any] = [
        "F",
        *who.params,
        EventType.MARRIAGE.value,
        EventType.DIVORCE.value,
        EventType.CONTRACEPTION_START.value,
        EventType.CONTRACEPTION_STOP.value,
        *modern,
        WomanSpell.MARRIED,
        EventType.MARRIAGE.value,
        WomanSpell.MARRIED,
        EventType.DIVORCE.value,
        WomanSpell.MARRIED,
        MaritalStatus.MARRIED.value,
        WomanSpell.USING,
    ]
    return text, params


#: The persons of a bulk change, chosen once before their spells are deleted (the choice
#: reads the spells).
_CHOSEN = "danso_spell_persons"


def _homes_of(who: Persons, households: Sequence[int]) -> Persons:
    """The households whose presence spells follow ``who``'s: every household of their
    stays, and ``households`` (a stay's household before it was changed or deleted)."""
    if not who.where:
        return Persons()
    # one IN over a UNION, not two joined by OR: PostgreSQL reads an OR's tables whole
    # (the households by value: a household deleted since keeps no spell)
    extra = " UNION VALUES " + ", ".join(["(%s)"] * len(households)) if households else ""
    return Persons(
        statement(
            "@ IN (SELECT household_id FROM {M} WHERE 1 = 1{who}{extra})",
            who=who.on("person_id"),
            extra=extra,
        ),
        (*who.params, *households),
    )


def _write(who: Persons, households: Sequence[int] = ()) -> None:
    with connection.cursor() as cursor:
        chosen_first = who.chosen_first
        if chosen_first:
            chosen = connection.ops.quote_name(_CHOSEN)
            cursor.execute(statement("DROP TABLE IF EXISTS {chosen}", chosen=chosen))
            cursor.execute(
                statement(
                    "CREATE TEMPORARY TABLE {chosen} AS SELECT DISTINCT id FROM {P} "
                    "WHERE 1 = 1{who}",
                    chosen=chosen,
                    who=who.on("id"),
                ),
                list(who.params),
            )
            who = Persons(statement("@ IN (SELECT id FROM {chosen})", chosen=chosen))
        homes = _homes_of(who, households)
        for table, whose, column in (
            ("{S}", who, "person"),
            ("{W}", who, "person"),
            ("{HS}", homes, "household"),
        ):
            if not whose.where:  # everyone's: emptied whole, leaving no dead rows behind
                cursor.execute(statement(_emptied(), table=table))
                continue
            cursor.execute(
                statement(
                    "DELETE FROM {table} WHERE 1 = 1{whose}", table=table, whose=whose.on(column)
                ),
                list(whose.params),
            )
        for table, columns, (rows, params) in (
            ("{S}", STAY_COLUMNS, _stay_spells(who)),
            ("{W}", WOMAN_COLUMNS, _woman_spells(who)),
            ("{HS}", HOME_COLUMNS, _home_spells(homes)),
        ):
            cursor.execute(
                statement(
                    "INSERT INTO {table} ({columns}) {rows}",
                    table=table,
                    columns=columns,
                    rows=rows,
                ),
                params,
            )
        if chosen_first:
            cursor.execute(statement("DROP TABLE {chosen}", chosen=chosen))


def refresh(persons: Iterable[int], households: Iterable[int] = ()) -> None:
    """Rewrite the spells of ``persons`` and of their households, and of ``households``
    (in the caller's transaction)."""
    ids = sorted({int(pk) for pk in persons if pk is not None})
    homes = sorted({int(pk) for pk in households if pk is not None})
    if not ids and homes:  # households left without anyone who ever stayed in them
        _write(Persons("1 = 0"), homes)
    for first in range(0, len(ids), CHUNK):
        _write(Persons.named(ids[first : first + CHUNK]), homes)


def refresh_units(units: list[int] | None) -> None:
    """Rewrite the spells of the persons of ``units`` (leaves) and their households, or
    all (None)."""
    if units is None:
        rebuild()
    elif units:
        _write(Persons.of_units(sorted(units)))
        _analyze()


def rebuild() -> None:
    """Rewrite every spell from the register, set-based."""
    _write(Persons())
    _analyze()


def _analyze() -> None:
    """Refresh the planner's statistics of the spells after a bulk write: the batch that
    reads them next would otherwise plan on the counts of an empty table."""
    with connection.cursor() as cursor:
        for table in ("{S}", "{HS}", "{W}"):
            cursor.execute(statement("ANALYZE {table}", table=table))


def refresh_households(households: Iterable[int]) -> None:
    """Rewrite the spells of everyone who ever stayed in ``households``, and theirs."""
    ids = sorted({int(pk) for pk in households if pk is not None})
    if ids:
        refresh(
            Membership.objects.filter(household_id__in=ids)
            .order_by()
            .values_list("person_id", flat=True)
            .distinct(),
            ids,
        )


def check() -> dict[str, Any]:
    """Compare the stored spells with a rebuild: ``{"stays": n, "households": n, "women":
    n, "differing": n, "differ": [person ids, at most 20], "households_differing": n}``
    (nothing is written)."""
    everyone = Persons()
    persons = _differing(
        [
            (_stay_spells(everyone), "{S}", STAY_COLUMNS),
            (_woman_spells(everyone), "{W}", WOMAN_COLUMNS),
        ],
        "person",
    )
    homes = _differing([(_home_spells(everyone), "{HS}", HOME_COLUMNS)], "household")
    return {
        "stays": StaySpell.objects.count(),
        "households": HouseholdSpell.objects.count(),
        "women": WomanSpell.objects.count(),
        "differing": len(persons),
        "differ": persons[:20],
        "households_differing": len(homes),
    }


def _differing(parts: list[tuple[tuple[str, list[Any]], str, str]], key: str) -> list[int]:
    """The ``key`` values whose rows differ between each built ``SELECT`` and its table
    (each row with how many times it is there)."""
    found: set[int] = set()
    with connection.cursor() as cursor:
        for (built, params), table, columns in parts:
            cursor.execute(
                statement(
                    "WITH built AS ({built}), "
                    "a AS (SELECT {columns}, COUNT(*) AS n FROM built GROUP BY {columns}), "
                    "b AS (SELECT {columns}, COUNT(*) AS n FROM {table} GROUP BY {columns}) "
                    "SELECT {key} FROM (SELECT * FROM a EXCEPT SELECT * FROM b) x "
                    "UNION SELECT {key} FROM (SELECT * FROM b EXCEPT SELECT * FROM a) x",
                    built=built,
                    columns=columns,
                    table=table,
                    key=key,
                ),
                params,
            )
            found.update(int(row[0]) for row in cursor.fetchall())
    return sorted(found)
