"""What the import remembers of the book and of the register between its passes.

The states of a row, the communes, villages, households, stays and persons met so far,
and the parsed rows of persons.csv and events.csv.  Days are kept as ordinals, and the
facts of persons in arrays, so that a district of 300,000 persons fits in memory.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from danso.register.vocabulary import EventType, HouseholdType, MaritalStatus, Relation

# The event types, as names (an enum member looked up on its class is slow in a loop
# that runs a million times).
BIRTH = EventType.BIRTH
CONTRACEPTION_START = EventType.CONTRACEPTION_START
CONTRACEPTION_STOP = EventType.CONTRACEPTION_STOP
DEATH = EventType.DEATH
DIVORCE = EventType.DIVORCE
MARRIAGE = EventType.MARRIAGE
MOVE_IN = EventType.MOVE_IN
MOVE_OUT = EventType.MOVE_OUT
MOVE_WITHIN = EventType.MOVE_WITHIN
NEVER = date.max.toordinal()

# States of a household, a person or an event row.
NEW, SAME, BAD, DB, MISSING = 0, 1, 2, 3, 4
DUPLICATE = 5  # an event row repeating an earlier one: read once

# A person's marital status, relation and birth precision are kept in ``People`` as their
# index in these tuples.
MARITAL = ("", *(m.value for m in MaritalStatus))
RELATIONS = ("", *(r.value for r in Relation))
PRECISIONS = ("day", "month", "year")


@dataclass(slots=True)
class Commune:
    """A commune of the reference tree, as it is on a day of the book."""

    unit_id: int
    code: str  # as printed, 5 digits
    name: str
    type: str
    path: str  # on the as_of day
    unit_from: date
    unit_to: date | None


@dataclass(slots=True)
class BookVillage:
    """A village of units.csv: an existing unit, or one to create (``unit_id`` < 0)."""

    line: int
    commune: Commune
    unit_code: str
    name: str
    as_of: date
    state: int
    unit_id: int
    path: str = ""  # of an existing village, on as_of
    # 1.1: the village's stable id, and of its first row, the communes it moves to
    # later: (day, commune), in order; a later row is ``later``, created with the first.
    village_id: str = ""
    valid_from: date | None = None
    valid_to: int = NEVER  # ordinal
    moves: list[tuple[date, Commune]] = field(default_factory=list)
    later: bool = False


@dataclass(slots=True)
class HouseholdRecord:
    """A household the import knows of: a row of households.csv, a household of danso that
    the files name, or an id found in neither (``MISSING``)."""

    source_id: str
    state: int
    line: int = 0
    pk: int = 0
    unit_id: int = 0  # the unit of households.csv; for a household only in danso, its unit
    scope_path: str = ""
    address: str = ""
    household_type: str = HouseholdType.FAMILY.value
    number: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    as_of: date | None = None
    # Of a household already in danso: (from, to, unit) as ordinals, to = NEVER if open.
    placements: list[tuple[int, int, int]] | None = None
    start: int = 0  # of a new household: the first day of its placement
    allowed: bool | None = None
    # 1.1: the placements of placements.csv, (from, to, unit) ordinals, with the line of
    # each; of a new household they are written, of one in danso compared
    book_placements: list[tuple[int, int, int, int]] | None = None

    def content(self) -> tuple[Any, ...]:
        return (
            self.unit_id,
            self.address,
            self.household_type,
            self.number,
            sorted_items(self.extra),
        )


@dataclass(slots=True)
class Stay:
    """A person's stay in a household (a membership): days as ordinals."""

    household: int
    start: int
    end: int | None
    relation: str = ""
    pk: int = 0  # of a membership already in danso
    changed: bool = False


class People:
    """Per person, the few facts the rules need, in arrays indexed as ``index``."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.state = bytearray()
        self.sex = bytearray()
        self.precision = bytearray()
        self.marital = bytearray()
        self.relation = bytearray()
        self.birth = array("l")
        self.registered = array("l")
        self.household = array("l")
        self.line = array("l")
        self.death = array("l")
        self.pk = array("q")
        self.digest = array("q")

    def add(
        self,
        source_id: str,
        state: int,
        *,
        line: int = 0,
        sex: str = "M",
        birth: date = date.min,
        precision: str = "day",
        registered: date = date.min,
        household: int = -1,
        marital: str = "",
        relation: str = "",
        pk: int = 0,
        digest: int = 0,
    ) -> int:
        i = len(self.state)
        self.index[source_id] = i
        self.state.append(state)
        self.sex.append(ord(sex))
        self.precision.append(PRECISIONS.index(precision))
        self.marital.append(MARITAL.index(marital))
        self.relation.append(RELATIONS.index(relation))
        self.birth.append(birth.toordinal())
        self.registered.append(registered.toordinal())
        self.household.append(household)
        self.line.append(line)
        self.death.append(0)
        self.pk.append(pk)
        self.digest.append(digest)
        return i

    def usable(self, i: int) -> bool:
        """Whether person ``i`` can be imported or referred to (new, unchanged or in danso)."""
        return self.state[i] in (NEW, SAME, DB)


@dataclass(slots=True)
class PersonRow:
    """A row of persons.csv, parsed."""

    person_id: str
    household_id: str
    full_name: str
    sex: str
    birth: date
    precision: str
    relation: str
    marital: str
    residence: str
    ethnicity: str
    id_number: str
    registered_on: date
    extra: dict[str, Any]

    def content(self) -> tuple[Any, ...]:
        return (
            self.household_id,
            self.full_name,
            self.sex,
            self.birth,
            self.precision,
            self.relation,
            self.marital,
            self.residence,
            self.ethnicity,
            self.id_number,
            self.registered_on,
            sorted_items(self.extra),
        )


@dataclass(slots=True)
class StoredPerson:
    """A person of danso, with their stays and the day of their death."""

    pk: int
    source_id: str
    full_name: str
    sex: str
    birth_date: date
    birth_precision: str
    ethnicity: str
    id_number: str
    marital_status: str
    residence_status: str
    registered_on: date
    extra: dict[str, Any]
    stays: list[Stay] = field(default_factory=list)
    first_household: str = ""
    first_relation: str = ""
    death: date | None = None


@dataclass(slots=True)
class EventRow:
    """A row of events.csv, parsed."""

    event_id: str
    kind: EventType
    day: date
    person: str
    note: str
    child: str = ""
    child_sex: str = ""
    birth_order: int | None = None
    method: str = ""
    supply: str = ""
    new_acceptor: bool | None = None
    spouse: str = ""
    household: str = ""  # move_in: the household joined
    to_household: str = ""  # move_within
    extra: dict[str, Any] = field(default_factory=dict)

    def content(self) -> tuple[Any, ...]:
        return (
            self.kind.value,
            self.day,
            self.person,
            self.note,
            self.child,
            self.child_sex,
            self.birth_order,
            self.method,
            self.supply,
            self.new_acceptor,
            self.spouse,
            self.household,
            sorted_items(self.extra),
        )


def sorted_items(extra: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(extra.items()))


def day_text(ordinal: int) -> str:
    """A day ordinal as the messages print it (DD/MM/YYYY)."""
    return f"{date.fromordinal(ordinal):%d/%m/%Y}"
