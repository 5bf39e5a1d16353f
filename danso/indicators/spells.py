"""The register's spells, kept ready for counting (``StaySpell``, ``WomanSpell``).

A count of the stock on a day, of the households present, of the persons 60+ or of the
women 15–49 asks, for each person, whether one of their stays *and* its household's
placement cover the day.  Joined at count time, that is stays × placements × persons for
every reference day of a year.  Here the join is made once and kept:

- ``StaySpell``: each stay of a person not merged into another, intersected with each
  placement of its household, with the leaf, the person's sex and birth date; the spell
  covers ``start`` to ``until`` (inclusive; None while open);
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
union or method event rewrites the spells of the persons it touches (``refresh``: one
person, or a household's members); a bulk change (an import, a generated book, a
correction) rewrites the spells of the persons of its units, or all of them
(``refresh_units``).  The statements that write a person's spells are those of the full
rebuild restricted to that person: there is one definition.  ``check`` compares the
stored spells with a rebuild and names the persons that differ.

Every statement is the same on SQLite (≥ 3.35: window functions) and PostgreSQL; dates
are compared as values (SQLite keeps them as ISO text, whose order is the dates').  The
only difference, the byte order of the method events' source names, is
``setbased._Dialect``'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from danso.indicators.models import StaySpell, WomanSpell
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
STAY_COLUMNS = "leaf, person, household, sex, born, start, until"
WOMAN_COLUMNS = 'person, kind, start, "end"'
#: Persons per statement when they are named one by one.
CHUNK = 500

_TABLES = {
    "{M}": Membership._meta.db_table,
    "{H}": HouseholdPlacement._meta.db_table,
    "{P}": Person._meta.db_table,
    "{E}": Event._meta.db_table,
    "{S}": StaySpell._meta.db_table,
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


def _stay_spells(who: Persons) -> tuple[str, list[Any]]:
    """``SELECT`` of the stay spells of ``who`` (the columns of ``StaySpell``)."""
    text = statement(
        "SELECT pl.unit_id AS leaf, m.person_id AS person, m.household_id AS household, "
        "p.sex AS sex, p.birth_date AS born, "
        "CASE WHEN pl.valid_from > m.valid_from THEN pl.valid_from ELSE m.valid_from END "
        "AS start, CASE WHEN m.valid_to IS NULL THEN pl.valid_to WHEN pl.valid_to IS NULL "
        "THEN m.valid_to WHEN pl.valid_to < m.valid_to THEN pl.valid_to ELSE m.valid_to END "
        "AS until "
        "FROM {M} m JOIN {H} pl ON pl.household_id = m.household_id "
        "AND pl.valid_from <= COALESCE(m.valid_to, pl.valid_from) "
        "AND m.valid_from <= COALESCE(pl.valid_to, m.valid_from) "
        "JOIN {P} p ON p.id = m.person_id AND p.merged_into_id IS NULL "
        "WHERE 1 = 1{who}",
        who=who.on("m.person_id"),
    )
    return text, list(who.params)


def _woman_spells(who: Persons) -> tuple[str, list[Any]]:
    """``SELECT`` of the married and using spells of the women of ``who`` (``person``,
    ``kind``, ``start``, ``end``)."""
    modern = sorted(str(method) for method in MODERN_METHODS)
    text = statement(
        "WITH women AS (SELECT id FROM {P} WHERE sex = %s AND merged_into_id IS NULL{who}), "
        "unions AS (SELECT e.person_id AS pid, e.event_date AS day, e.event_type AS kind, "
        "ROW_NUMBER() OVER (PARTITION BY e.person_id ORDER BY e.event_date, e.event_type) "
        "AS k, LEAD(e.event_date) OVER (PARTITION BY e.person_id "
        "ORDER BY e.event_date, e.event_type) AS next "
        "FROM {E} e JOIN women w ON w.id = e.person_id WHERE e.event_type IN (%s, %s)), "
        "starts AS (SELECT e.person_id AS pid, e.event_date AS day, e.source_id, e.method, "
        "LEAD(e.event_date) OVER (PARTITION BY e.person_id ORDER BY {order}) AS next "
        "FROM {E} e JOIN women w ON w.id = e.person_id WHERE e.event_type = %s), "
        "uses AS (SELECT s.pid, s.day, s.next, MIN(x.event_date) AS stop "
        "FROM starts s LEFT JOIN {E} x ON x.person_id = s.pid AND x.event_type = %s "
        "AND x.method = s.method AND x.event_date >= s.day "
        "WHERE s.method IN {modern} "
        "GROUP BY s.pid, s.day, s.source_id, s.next), "
        "spells AS (SELECT pid, %s AS kind, day AS s, next AS e FROM unions WHERE kind = %s "
        "UNION ALL SELECT pid, %s, NULL, day FROM unions WHERE k = 1 AND kind = %s "
        "UNION ALL SELECT w.id, %s, NULL, NULL FROM women w JOIN {P} p ON p.id = w.id "
        "WHERE p.marital_status = %s AND NOT EXISTS "
        "(SELECT 1 FROM unions u WHERE u.pid = w.id) "
        "UNION ALL SELECT pid, %s, day, CASE WHEN stop IS NULL THEN next "
        "WHEN next IS NULL OR stop < next THEN stop ELSE next END FROM uses) "
        # a spell that ends the day it starts covers no day
        'SELECT pid AS person, kind, s AS start, e AS "end" FROM spells '
        "WHERE s IS NULL OR e IS NULL OR s < e",
        who=who.on("id"),
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


def _write(who: Persons) -> None:
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
        stays, stay_params = _stay_spells(who)
        women, women_params = _woman_spells(who)
        for table in ("{S}", "{W}"):
            cursor.execute(
                statement(
                    "DELETE FROM {table} WHERE 1 = 1{who}", who=who.on("person"), table=table
                ),
                list(who.params),
            )
        cursor.execute(
            statement("INSERT INTO {S} ({columns}) {rows}", columns=STAY_COLUMNS, rows=stays),
            stay_params,
        )
        cursor.execute(
            statement("INSERT INTO {W} ({columns}) {rows}", columns=WOMAN_COLUMNS, rows=women),
            women_params,
        )
        if chosen_first:
            cursor.execute(statement("DROP TABLE {chosen}", chosen=chosen))


def refresh(persons: Iterable[int]) -> None:
    """Rewrite the spells of ``persons`` (in the caller's transaction)."""
    ids = sorted({int(pk) for pk in persons if pk is not None})
    for first in range(0, len(ids), CHUNK):
        _write(Persons.named(ids[first : first + CHUNK]))


def refresh_units(units: list[int] | None) -> None:
    """Rewrite the spells of the persons of ``units`` (leaves), or all (None)."""
    if units is None:
        rebuild()
    elif units:
        _write(Persons.of_units(sorted(units)))


def rebuild() -> None:
    """Rewrite every spell from the register, set-based."""
    _write(Persons())


def refresh_households(households: Iterable[int]) -> None:
    """Rewrite the spells of everyone who ever stayed in ``households``."""
    ids = sorted({int(pk) for pk in households if pk is not None})
    if ids:
        refresh(
            Membership.objects.filter(household_id__in=ids)
            .values_list("person_id", flat=True)
            .distinct()
        )


def check() -> dict[str, Any]:
    """Compare the stored spells with a rebuild: ``{"stays": n, "women": n, "differ":
    [person ids, at most 20], "differing": n}`` (nothing is written)."""
    stays, stay_params = _stay_spells(Persons())
    women, women_params = _woman_spells(Persons())
    differing = statement(
        "WITH built AS ({stays}), built_w AS ({women}), "
        "a AS (SELECT {sc}, COUNT(*) AS n FROM built GROUP BY {sc}), "
        "b AS (SELECT {sc}, COUNT(*) AS n FROM {S} GROUP BY {sc}), "
        "c AS (SELECT {wc}, COUNT(*) AS n FROM built_w GROUP BY {wc}), "
        "d AS (SELECT {wc}, COUNT(*) AS n FROM {W} GROUP BY {wc}) "
        "SELECT person FROM (SELECT * FROM a EXCEPT SELECT * FROM b) x "
        "UNION SELECT person FROM (SELECT * FROM b EXCEPT SELECT * FROM a) x "
        "UNION SELECT person FROM (SELECT * FROM c EXCEPT SELECT * FROM d) x "
        "UNION SELECT person FROM (SELECT * FROM d EXCEPT SELECT * FROM c) x",
        stays=stays,
        women=women,
        sc=STAY_COLUMNS,
        wc=WOMAN_COLUMNS,
    )
    with connection.cursor() as cursor:
        cursor.execute(differing, [*stay_params, *women_params])
        persons = sorted(int(row[0]) for row in cursor.fetchall())
    return {
        "stays": StaySpell.objects.count(),
        "women": WomanSpell.objects.count(),
        "differing": len(persons),
        "differ": persons[:20],
    }
