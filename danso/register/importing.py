"""Importing a register in the exchange format (docs/REGISTER-FORMAT.md).

``register_import`` checks everything before it writes anything:

1. units.csv: each village's commune is resolved on its ``as_of`` day; a village already
   in danso under that commune (code ``<commune code>-<unit_code>``, or the same name) is
   reused, the others are created (``units.services.village_create``) when the import is
   written, from the first day the book needs them.
2. households.csv and persons.csv: values parsed, references resolved, each row compared
   by id with what the register holds: the same content is "unchanged", different content
   a conflict (reported, never overwritten).
3. events.csv is read twice and never held in memory.  The first pass indexes it:
   duplicate ids, events already in the register, and the events that change where a
   person lives (death, moves).  Then each person's stays are settled in date order, each
   change checked with ``rules.event_findings`` against the facts known so far.  The
   second pass checks every other new event with the same rules, against facts built from
   the files and the register, and finds where it counts: the household's unit on the
   event's day and that unit's path on that day (what ``services.household_unit_on`` and
   ``services.unit_path_on`` do one event at a time).
4. Unless this is a dry run, the import is written in one transaction: villages,
   households and their placements, persons, memberships, events (a third pass over
   events.csv), with their history, by bulk inserts of ``BATCH`` rows.

All or nothing by default: with any error nothing is written.  With ``partial`` the rows
without errors are written; a row that depends on a row with errors (a person of such a
household, an event of such a person) is reported and left out too.

Memory holds maps of ids and a few numbers per person (sex, dates, household, stays),
never the rows: a district of 300,000 persons and a million events fits in a few
hundred megabytes.  The validation reads in autocommit mode, so that on SQLite the
database is locked only while the checked rows are written.
"""

from __future__ import annotations

import json
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import DateField, DateTimeField, Field, JSONField, Min, Model
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_update_with_history

from danso.accounts.scope import unit_scope
from danso.problems import Problem
from danso.register import exchange
from danso.register.exchange import Book, BookError, Row, Table
from danso.register.models import (
    BookClosure,
    Event,
    Household,
    HouseholdPlacement,
    Membership,
    Person,
)
from danso.register.planner import BULK_ROWS, analyze_register
from danso.register.rules import Finding, PersonFacts, event_findings
from danso.register.signals import register_changed
from danso.register.vocabulary import (
    EVENT_COLUMNS,
    EventType,
    HouseholdType,
    MaritalStatus,
    Method,
    Relation,
    Residence,
    Supply,
)
from danso.spreadsheets import LimitError, Limits
from danso.units.codes import CodeError, Level, display_code
from danso.units.models import Unit, UnitSuccession, UnitVersion, valid_on
from danso.units.scope import Action, UnitScope
from danso.units.services import village_create
from danso.uploads import Kind, limit_message, limits
from danso.vietnamese import fold

T = TypeVar("T")
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
EVENT_TYPES = {kind.value: kind for kind in EventType}
Progress = Callable[[str, int, int], None]

BATCH = 5000
#: Problems kept in a report; past this only their number is told (a file with a wrong
#: date format on every line would otherwise make a report of a million lines).
MAX_PROBLEMS = 10_000
KINDS = ("units", "households", "persons", "events")
ONE_DAY = timedelta(days=1)
NEVER = date.max.toordinal()

#: What the progress callback's stage names mean, for the screens.
STAGE_LABELS: dict[str, Promise] = {
    "units": gettext_lazy("Reading the villages"),
    "households": gettext_lazy("Reading the households"),
    "persons": gettext_lazy("Reading the persons"),
    "events_read": gettext_lazy("Reading the events"),
    "events_check": gettext_lazy("Checking the events"),
    "write_units": gettext_lazy("Creating the villages"),
    "write_households": gettext_lazy("Writing the households"),
    "write_persons": gettext_lazy("Writing the persons"),
    "write_memberships": gettext_lazy("Writing the memberships"),
    "write_events": gettext_lazy("Writing the events"),
}

#: What each kind of row is called where a report counts them.
KIND_LABELS: dict[str, Promise] = {
    "units": gettext_lazy("villages"),
    "households": gettext_lazy("households"),
    "persons": gettext_lazy("persons"),
    "events": gettext_lazy("events"),
}

# States of a household, a person or an event row.
NEW, SAME, BAD, DB, MISSING = 0, 1, 2, 3, 4
DUPLICATE = 5  # an event row repeating an earlier one: read once

MARITAL = ("", *(m.value for m in MaritalStatus))
METHODS = tuple(m.value for m in Method)
SUPPLIES = tuple(s.value for s in Supply)
RESIDENCES = tuple(r.value for r in Residence)
HOUSEHOLD_TYPES = tuple(t.value for t in HouseholdType)
RELATIONS = ("", *(r.value for r in Relation))
PRECISIONS = ("day", "month", "year")
STAY_KINDS = {
    MOVE_IN: 0,
    MOVE_WITHIN: 1,
    MOVE_OUT: 2,
    DEATH: 3,
}
#: Columns read as typed fields for event types the format does not list them for: what
#: ``services.event_record`` stores too (the spouse of a divorce, the supply of a stop),
#: and danso's ``household_id`` of a move in.
TYPED_TOO: dict[EventType, tuple[str, ...]] = {
    MOVE_IN: ("household_id",),
    DIVORCE: ("spouse_person_id",),
    CONTRACEPTION_STOP: ("supply", "new_acceptor"),
}
#: The columns beyond the common ones that each event type reads.
USED_COLUMNS = {
    kind: frozenset(EVENT_COLUMNS[kind]) | frozenset(TYPED_TOO.get(kind, ())) for kind in EventType
}
EXTRA_COLUMNS = frozenset(exchange.EVENT_EXTRA_COLUMNS)
MARRIAGE_STATUS = {
    MARRIAGE: MaritalStatus.MARRIED.value,
    DIVORCE: MaritalStatus.DIVORCED.value,
}


# ---------------------------------------------------------------- the report


@dataclass
class RegisterImportReport:
    """What was (in a dry run: would be) imported, what was already there, the problems."""

    imported: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    partial: bool = False
    untold: int = 0  # problems past MAX_PROBLEMS, counted only
    error_count: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    def add(
        self, file: str, line: int | None, column: str | None, message: str, severity: str = "error"
    ) -> None:
        if severity == "error":
            self.error_count += 1
        if len(self.problems) >= MAX_PROBLEMS:
            self.untold += 1
            return
        self.problems.append(Problem(file, line, column, message, severity))

    def as_dict(self) -> dict[str, Any]:
        """The JSON of ``danso register import --format json``."""
        problems = [
            {
                "file": p.file,
                "line": p.line,
                "column": p.column,
                "message": p.message,
                "severity": p.severity,
            }
            for p in self.problems
        ]
        if self.untold:
            problems.append(
                {
                    "file": "",
                    "line": None,
                    "column": None,
                    "message": _("… and %(n)s more problems.") % {"n": self.untold},
                }
            )
        return {
            "imported": dict(self.imported),
            "unchanged": dict(self.unchanged),
            "problems": problems,
        }


def register_import(
    path: Path,
    *,
    user: Any = None,
    dry_run: bool = False,
    partial: bool = False,
    progress: Progress | None = None,
    book_limits: Limits | None = None,
) -> RegisterImportReport:
    """Import the book at ``path`` (a folder of CSV files, a .zip of them or an .xlsx).

    Checks every row first; writes in one transaction unless ``dry_run``.  Without
    ``partial`` any error means nothing is written; with it the rows without errors are.
    With a ``user``, their scope applies: households only in units where they may edit
    the register, villages only where they may edit villages.  ``progress`` is called as
    ``progress(stage, done, total)`` (stages: ``STAGE_LABELS``).  A book over its limits
    (``book_limits``, else the site's for register books) is refused with one error,
    before anything is written.
    """
    report = RegisterImportReport(dry_run=dry_run, partial=partial)
    try:
        book = exchange.open_book(Path(path), book_limits or limits(Kind.REGISTER))
    except BookError as error:
        report.add(error.file, None, None, limit_message(error))
        return report
    except LimitError as error:
        report.add(error.file, None, None, limit_message(error))
        return report
    importer = _Importer(book, user=user, report=report, progress=progress)
    try:
        importer.check()
    except BookError as error:
        report.add(error.file, None, None, limit_message(error))
        return report
    except LimitError as error:
        report.add(error.file, None, None, limit_message(error))
        return report
    if report.has_errors and not partial:
        return report
    importer.count()
    if not dry_run and any(report.imported.values()):
        try:
            importer.write()
            register_changed.send(sender=register_import, units=importer.touched(), since=None)
            if sum(report.imported.values()) >= BULK_ROWS:
                analyze_register()
        except IntegrityError:
            # Someone wrote the same ids between the check and the write.
            report.add(
                book.name,
                None,
                None,
                _("The register changed while the files were checked; import them again."),
            )
            report.imported = dict.fromkeys(KINDS, 0)
        except (ValidationError, BookError, LimitError) as error:
            if isinstance(error, ValidationError):
                messages = error.messages
            else:
                messages = [limit_message(error)]
            for message in messages:
                report.add(book.name, None, None, message)
            report.imported = dict.fromkeys(KINDS, 0)
    return report


# ---------------------------------------------------------------- what is remembered


@dataclass(slots=True)
class _Commune:
    unit_id: int
    code: str  # as printed, 5 digits
    name: str
    type: str
    path: str  # on the as_of day
    unit_from: date
    unit_to: date | None


@dataclass(slots=True)
class _Village:
    """A village of units.csv: an existing unit, or one to create (``unit_id`` < 0)."""

    line: int
    commune: _Commune
    unit_code: str
    name: str
    as_of: date
    state: int
    unit_id: int
    path: str = ""  # of an existing village, on as_of


@dataclass(slots=True)
class _Household:
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

    def content(self) -> tuple[Any, ...]:
        return (self.unit_id, self.address, self.household_type, self.number, _items(self.extra))


@dataclass(slots=True)
class _Stay:
    """A person's stay in a household (a membership): days as ordinals."""

    household: int
    start: int
    end: int | None
    relation: str = ""
    pk: int = 0  # of a membership already in danso
    changed: bool = False


class _People:
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
        return self.state[i] in (NEW, SAME, DB)


@dataclass(slots=True)
class _PersonRow:
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
            _items(self.extra),
        )


@dataclass(slots=True)
class _DbPerson:
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
    stays: list[_Stay] = field(default_factory=list)
    first_household: str = ""
    first_relation: str = ""
    death: date | None = None


@dataclass(slots=True)
class _EventRow:
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
            _items(self.extra),
        )


def _items(extra: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(extra.items()))


def _lookups() -> int:
    """How many ids one ``__in`` lookup may carry (SQLite before 3.32 takes 999 values)."""
    return 900 if connection.vendor == "sqlite" else BATCH


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _day(ordinal: int) -> str:
    return f"{date.fromordinal(ordinal):%d/%m/%Y}"


class _RowProblems(list[tuple[str, str]]):
    """(column, message) pairs found on one row."""

    def need(self, row: Row, column: str, limit: int = 0) -> str:
        value = row.get(column, "")
        if not value:
            self.append((column, _("A value is required.")))
        elif limit and len(value) > limit:
            self.too_long(column, value, limit)
        return value

    def too_long(self, column: str, value: str, limit: int) -> None:
        self.append(
            (
                column,
                _("%(value)s is longer than %(limit)s characters.")
                % {"value": value[:40] + "…", "limit": limit},
            )
        )

    def day(self, row: Row, column: str, *, required: bool = True) -> date | None:
        value = row.get(column, "")
        if not value:
            if required:
                self.append((column, _("A value is required.")))
            return None
        try:
            return exchange.parse_date(value)
        except ValueError:
            self.append(
                (
                    column,
                    _("%(value)s is not a date (YYYY-MM-DD or DD/MM/YYYY).") % {"value": value},
                )
            )
            return None

    def choice(self, column: str, value: str, allowed: Sequence[str]) -> str:
        if value and value not in allowed:
            self.append(
                (
                    column,
                    _("%(value)s is not one of: %(allowed)s.")
                    % {"value": value, "allowed": ", ".join(allowed)},
                )
            )
            return ""
        return value


# ---------------------------------------------------------------- the importer


class _Importer:
    def __init__(
        self, book: Book, *, user: Any, report: RegisterImportReport, progress: Progress | None
    ) -> None:
        self.book = book
        self.user = user if getattr(user, "pk", None) else None
        self.report = report
        self.progress = progress
        self.today = timezone.localdate()
        self.scopes: dict[date, UnitScope] = {}
        self.communes: dict[tuple[str, date], _Commune | None] = {}
        self.known_villages: dict[int, list[tuple[int, str, str, date, date | None, str]]] = {}
        self.villages: dict[tuple[int, str], _Village] = {}
        self.placeholders = 0
        # unit id (< 0: a village to create) -> (from, to, path or parent id) ordinals
        self.versions: dict[int, list[tuple[int, int, str]]] = {}
        self.segments: dict[int, list[tuple[int, int, int]]] = {}
        self.closed: set[tuple[int, int]] = set()
        self.households: list[_Household] = []
        self.household_index: dict[str, int] = {}
        self.household_by_pk: dict[int, int] = {}
        self.people = _People()
        self.stays: dict[int, list[_Stay]] = {}
        self.db_marital: dict[int, str] = {}
        self.ev_state = bytearray()
        self.ev_line = array("l")
        self.ev_key = array("q")
        self.ev_digest = array("q")
        # person -> (day, order, line, ordinal, kind, household) of new stay changes
        self.changes: dict[int, list[tuple[int, int, int, int, EventType, int]]] = defaultdict(list)
        # person -> (day, line, status) of the marriages and divorces in the files
        self.marital_file: dict[int, list[tuple[int, int, str, bool]]] = defaultdict(list)
        self.event_household: dict[int, int] = {}
        # person -> (day, line, status) of the new marriages and divorces that passed
        self.marital_new: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
        self.warned: set[tuple[str, str]] = set()
        self.reason = f"import {book.name}"[:100]
        self.has_households = Household.objects.exists()
        self.has_persons = Person.objects.exists()
        self.has_events = Event.objects.exists()
        self.closed = set(BookClosure.objects.values_list("unit_id", "year"))
        first = UnitVersion.objects.aggregate(first=Min("valid_from"))["first"]
        self.tree_start = first.toordinal() if first else 0

    # ------------------------------------------------------------ plumbing

    def tick(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, max(total, done))

    def problem(
        self, file: str, line: int | None, column: str | None, message: str, severity: str = "error"
    ) -> None:
        self.report.add(file, line, column, message, severity)

    @contextmanager
    def table(self, name: str) -> Iterator[tuple[Table, list[str]] | None]:
        """The table with its unknown columns, or None if it is absent or misses a
        required column (reported)."""
        if not self.book.has(name):
            yield None
            return
        with self.book.read(name) as table:
            missing = [c for c in exchange.REQUIRED[name] if c not in table.headers]
            for column in missing:
                self.problem(
                    table.file,
                    1,
                    column,
                    _("The column %(column)s is missing.") % {"column": column},
                )
            unknown = [c for c in table.headers if c not in exchange.KNOWN[name]]
            for column in unknown:
                if name == "units":
                    message = _(
                        "The column %(column)s is not part of the format; villages have no "
                        "other attributes, so its values are not kept."
                    )
                else:
                    message = _(
                        "The column %(column)s is not part of the format; its values are kept "
                        "as extra attributes."
                    )
                self.problem(table.file, 1, column, message % {"column": column}, "warning")
            if missing:
                yield None
                return
            table.rows = self.readable_rows(table, table.rows)
            yield table, unknown

    def readable_rows(
        self, table: Table, rows: Iterator[tuple[int, Row]]
    ) -> Iterator[tuple[int, Row]]:
        """The ``rows`` of ``table`` but those it cannot read without a guess (cut short,
        longer than the header, a NUL), each reported as an error of its line."""
        for line, row in rows:
            wrong = table.problems.pop(line, None)
            if wrong is None:
                yield line, row
            else:
                self.problem(table.file, line, None, limit_message(wrong))

    def scope(self, on: date) -> UnitScope:
        if on not in self.scopes:
            self.scopes[on] = unit_scope(self.user, on)
        return self.scopes[on]

    def allows(self, action: Action, path: str, on: date) -> bool:
        return self.user is None or self.scope(on).allows(action, path)

    def report_row(self, file: str, line: int, problems: Iterable[tuple[str, str]]) -> None:
        for column, message in problems:
            self.problem(file, line, column, message)

    # ------------------------------------------------------------ units

    def commune(self, code: str, on: date) -> _Commune | None:
        key = (code, on)
        if key not in self.communes:
            version = (
                UnitVersion.objects.filter(code=code, unit__level=Level.COMMUNE)
                .filter(valid_on(on))
                .select_related("unit")
                .first()
            )
            self.communes[key] = (
                None
                if version is None
                else _Commune(
                    version.unit_id,
                    display_code(Level.COMMUNE, version.code),
                    version.name,
                    version.type,
                    version.path,
                    version.unit.valid_from,
                    version.unit.valid_to,
                )
            )
        return self.communes[key]

    def parse_commune(
        self, row: Row, problems: _RowProblems
    ) -> tuple[_Commune | None, date | None]:
        as_of = problems.day(row, "as_of")
        raw = problems.need(row, "commune_code")
        if not raw or as_of is None:
            return None, as_of
        try:
            code = exchange.parse_code(Level.COMMUNE, raw)
        except CodeError:
            problems.append(
                ("commune_code", _("%(value)s is not a commune code.") % {"value": raw})
            )
            return None, as_of
        found = self.commune(code, as_of)
        if found is None:
            problems.append(
                (
                    "commune_code",
                    _("No commune has the code %(code)s on %(day)s.")
                    % {"code": display_code(Level.COMMUNE, code), "day": f"{as_of:%d/%m/%Y}"},
                )
            )
        return found, as_of

    def villages_of(self, commune: _Commune) -> list[tuple[int, str, str, date, date | None, str]]:
        """The villages danso has under the commune: (unit, code, folded name, from, to, path)."""
        if commune.unit_id not in self.known_villages:
            self.known_villages[commune.unit_id] = [
                (v.unit_id, v.code, fold(v.name), v.valid_from, v.valid_to, v.path)
                for v in UnitVersion.objects.filter(
                    parent_id=commune.unit_id, unit__level=Level.VILLAGE
                )
            ]
        return self.known_villages[commune.unit_id]

    def existing_village(
        self, commune: _Commune, codes: Sequence[str], name: str, on: date
    ) -> tuple[int, str] | None:
        candidates = [
            v for v in self.villages_of(commune) if v[3] <= on and (v[4] is None or on <= v[4])
        ]
        for wanted in codes:
            for unit_id, code, _name, _from, _to, path in candidates:
                if code == wanted:
                    return unit_id, path
        if name:
            for unit_id, _code, folded, _from, _to, path in candidates:
                if folded == fold(name):
                    return unit_id, path
        return None

    def read_units(self) -> None:
        total = self.book.count("units") if self.book.has("units") else 0
        with self.table("units") as opened:
            if opened is None:
                return
            table, _unknown = opened
            done = 0
            for line, row in table.rows:
                done += 1
                self.read_unit(table.file, line, row)
            self.tick("units", done, total)

    def read_unit(self, file: str, line: int, row: Row) -> None:
        problems = _RowProblems()
        unit_code = problems.need(row, "unit_code", 14)
        name = exchange.text(problems.need(row, "name", 200))
        commune, as_of = self.parse_commune(row, problems)
        if commune is None or as_of is None or problems:
            self.report_row(file, line, problems)
            if commune is not None and unit_code:
                self.villages.setdefault(
                    (commune.unit_id, unit_code),
                    _Village(line, commune, unit_code, name, as_of or date.min, BAD, 0),
                )
            return
        key = (commune.unit_id, unit_code)
        earlier = self.villages.get(key)
        if earlier is not None:
            if fold(earlier.name) == fold(name):
                self.problem(
                    file,
                    line,
                    "unit_code",
                    _("This village repeats line %(line)s; it is read once.")
                    % {"line": earlier.line},
                    "warning",
                )
            else:
                self.problem(
                    file,
                    line,
                    "unit_code",
                    _("The village %(code)s is on line %(line)s with another name.")
                    % {"code": unit_code, "line": earlier.line},
                )
                earlier.state = BAD
            return
        code = f"{commune.code}-{unit_code}"
        found = self.existing_village(commune, [code], name, as_of)
        if found is not None:
            village = _Village(line, commune, unit_code, name, as_of, SAME, found[0], found[1])
            if fold(name) not in {v[2] for v in self.villages_of(commune) if v[0] == found[0]}:
                self.problem(
                    file,
                    line,
                    "name",
                    _("The village %(code)s is in danso under another name, which is kept.")
                    % {"code": unit_code},
                    "warning",
                )
        elif not self.allows(Action.EDIT_VILLAGES, commune.path, as_of):
            self.problem(
                file,
                line,
                "commune_code",
                _("You may not create villages in %(name)s.") % {"name": commune.name},
            )
            village = _Village(line, commune, unit_code, name, as_of, BAD, 0)
        elif (
            UnitVersion.objects.filter(code=code, unit__level=Level.VILLAGE)
            .exclude(parent_id=commune.unit_id)
            .exists()
        ):
            self.problem(
                file,
                line,
                "unit_code",
                _("The village code %(code)s is used in another commune.") % {"code": code},
            )
            village = _Village(line, commune, unit_code, name, as_of, BAD, 0)
        else:
            self.placeholders -= 1
            village = _Village(line, commune, unit_code, name, as_of, NEW, self.placeholders)
            self.segments[village.unit_id] = self.village_segments(commune)
        self.villages[key] = village

    def touched(self) -> list[int]:
        """The existing communes of the book and their villages: the leaf units whose
        figures the import can change."""
        communes = {commune.unit_id for commune in self.communes.values() if commune}
        villages = {row[0] for rows in self.known_villages.values() for row in rows}
        villages |= {v.unit_id for v in self.villages.values() if v.unit_id > 0}
        return sorted(communes | villages)

    def village_segments(self, commune: _Commune) -> list[tuple[int, int, int]]:
        """Where a village created under ``commune`` will sit: (from, to, parent) — the
        commune until it closes, then its successor if it passed wholly to one (as
        ``units.services.unit_create`` places a new unit)."""
        segments = []
        unit_id = commune.unit_id
        start, end = commune.unit_from, commune.unit_to
        for _step in range(10):
            segments.append((start.toordinal(), end.toordinal() if end else NEVER, unit_id))
            if end is None:
                break
            links = list(
                UnitSuccession.objects.filter(predecessor_id=unit_id).select_related("successor")
            )
            if len(links) != 1 or links[0].partial or links[0].successor.level != Level.COMMUNE:
                break
            unit_id = links[0].successor_id
            start, end = end + ONE_DAY, links[0].successor.valid_to
        return segments

    # ------------------------------------------------------------ where events count

    def load_versions(self, unit_ids: Iterable[int]) -> None:
        wanted = {u for u in unit_ids if u > 0 and u not in self.versions}
        for chunk in _chunks(sorted(wanted), _lookups()):
            for unit_id in chunk:
                self.versions[unit_id] = []
            rows = UnitVersion.objects.filter(unit_id__in=chunk).values_list(
                "unit_id", "valid_from", "valid_to", "path"
            )
            for unit_id, start, end, path in rows:
                self.versions[unit_id].append(
                    (start.toordinal(), end.toordinal() if end else NEVER, path)
                )

    def path_on(self, unit_id: int, day: int) -> str | None:
        """The unit's path on ``day`` (None if it does not exist then).

        The reference tree starts on the day of its first list (7 May 2023) while books
        were opened before (1 January 2021): a unit that exists from the tree's first
        day is taken to have existed, with that first path, on the days before it —
        as ``register.generation`` does — so that a book's first years import."""
        if unit_id < 0:
            segments = self.segments.get(unit_id, [])
            if segments and day < segments[0][0] <= self.tree_start:
                day = segments[0][0]
            for start, end, parent in segments:
                if start <= day <= end:
                    parent_path = self.path_on(parent, day)
                    return None if parent_path is None else f"{parent_path}{unit_id}."
            return None
        if unit_id not in self.versions:
            self.load_versions([unit_id])
        versions = self.versions[unit_id]
        for start, end, path in versions:
            if start <= day <= end:
                return path
        if versions:
            start, _end, path = min(versions)
            if day < start <= self.tree_start:
                return path
        return None

    def unit_of(self, h: int, day: int) -> int:
        """The unit household ``h`` sat in on ``day`` (``services.household_unit_on``)."""
        household = self.households[h]
        if household.placements is None:
            return household.unit_id
        for start, end, unit_id in household.placements:
            if start <= day <= end:
                return unit_id
        if household.placements:
            return household.placements[0][2]
        return household.unit_id

    def where(self, h: int, day: int) -> tuple[int, str] | tuple[None, str]:
        """(unit, path) where an event of a member of ``h`` on ``day`` counts, or (None,
        the reason)."""
        household = self.households[h]
        if household.state == DB and not self.household_allowed(household):
            return None, _(
                "The household %(id)s is outside the units where you may enter the register."
            ) % {"id": household.source_id}
        unit_id = self.unit_of(h, day)
        path = self.path_on(unit_id, day)
        if path is None:
            return None, _("The household's unit does not exist on %(day)s.") % {"day": _day(day)}
        if self.closed:
            year = date.fromordinal(day).year
            for part in path.split("."):
                if part and (int(part), year) in self.closed:
                    return None, _(
                        "The book of %(year)s is closed: change it through an amendment."
                    ) % {"year": year}
        return unit_id, path

    def household_allowed(self, household: _Household) -> bool:
        if self.user is None:
            return True
        if household.allowed is None:
            today = self.today.toordinal()
            path = self.path_on(household.unit_id, today)
            if path is None:
                versions = self.versions.get(household.unit_id) or [(0, 0, "-")]
                path = max(versions)[2]
            household.allowed = self.allows(Action.EDIT_REGISTER, path, self.today)
        return household.allowed

    # ------------------------------------------------------------ households

    def read_households(self) -> None:
        total = self.book.count("households") if self.book.has("households") else 0
        with self.table("households") as opened:
            if opened is None:
                return
            table, unknown = opened
            done = 0
            for batch in _chunks(table.rows, BATCH):
                parsed: list[tuple[int, _Household]] = []
                for line, row in batch:
                    household = self.parse_household(table.file, line, row, unknown)
                    if household is not None:
                        parsed.append((line, household))
                existing = self.db_households([h.source_id for _line, h in parsed])
                for line, household in parsed:
                    self.add_household(table.file, line, household, existing)
                done += len(batch)
                self.tick("households", done, total)

    def parse_household(
        self, file: str, line: int, row: Row, unknown: Sequence[str]
    ) -> _Household | None:
        problems = _RowProblems()
        source_id = problems.need(row, "household_id", 64)
        commune, as_of = self.parse_commune(row, problems)
        household_type = problems.choice(
            "household_type",
            row.get("household_type", "").lower(),
            HOUSEHOLD_TYPES,
        )
        address = exchange.text(row.get("address", ""))
        if len(address) > 300:
            problems.too_long("address", address, 300)
        number = row.get("number", "")
        if len(number) > 20:
            problems.too_long("number", number, 20)
        unit: tuple[int, str] | None = None
        village_code = row.get("village_code", "")
        if commune is not None and as_of is not None:
            if village_code:
                unit = self.village_unit(commune, village_code, as_of, problems)
            else:
                unit = (commune.unit_id, commune.path)
            if unit is not None and not self.allows(Action.EDIT_REGISTER, unit[1], as_of):
                problems.append(
                    (
                        "village_code" if village_code else "commune_code",
                        _("%(name)s is outside the units where you may enter the register.")
                        % {"name": commune.name},
                    )
                )
        if problems or unit is None:
            self.report_row(file, line, problems)
            if source_id and source_id not in self.household_index:
                self.household_index[source_id] = len(self.households)
                self.households.append(_Household(source_id, BAD, line))
            return None
        return _Household(
            source_id,
            NEW,
            line,
            unit_id=unit[0],
            scope_path=unit[1],
            address=address,
            household_type=household_type or HouseholdType.FAMILY.value,
            number=number,
            extra={c: row[c] for c in unknown if row.get(c)},
            as_of=as_of,
        )

    def village_unit(
        self, commune: _Commune, village_code: str, as_of: date, problems: _RowProblems
    ) -> tuple[int, str] | None:
        village = self.villages.get((commune.unit_id, village_code))
        if village is not None:
            if village.state == BAD:
                problems.append(
                    (
                        "village_code",
                        _("The village %(code)s has errors (line %(line)s of units.csv).")
                        % {"code": village_code, "line": village.line},
                    )
                )
                return None
            return village.unit_id, village.path or commune.path
        found = self.existing_village(
            commune, [f"{commune.code}-{village_code}", village_code], "", as_of
        )
        if found is None:
            problems.append(
                (
                    "village_code",
                    _("The village %(code)s is neither in units.csv nor in danso for %(commune)s.")
                    % {"code": village_code, "commune": commune.name},
                )
            )
        return found

    def add_household(
        self, file: str, line: int, household: _Household, existing: dict[str, _Household]
    ) -> None:
        h = self.household_index.get(household.source_id)
        if h is not None:
            earlier = self.households[h]
            if earlier.state != BAD and earlier.content() == household.content():
                self.problem(
                    file,
                    line,
                    "household_id",
                    _("This row repeats line %(line)s; it is read once.") % {"line": earlier.line},
                    "warning",
                )
            else:
                self.problem(
                    file,
                    line,
                    "household_id",
                    _("The id %(id)s is also on line %(line)s, with different content.")
                    % {"id": household.source_id, "line": earlier.line},
                )
                earlier.state = BAD
            return
        stored = existing.get(household.source_id)
        if stored is not None:
            assert household.as_of is not None
            differs = []
            if self.unit_of_stored(stored, household.as_of.toordinal()) != household.unit_id:
                differs.append(
                    "village_code" if household.unit_id != stored.unit_id else "commune_code"
                )
            for column, ours, theirs in (
                ("address", household.address, stored.address),
                ("household_type", household.household_type, stored.household_type),
                ("number", household.number, stored.number),
            ):
                if ours != theirs:
                    differs.append(column)
            differs += self.extra_differs(household.extra, stored.extra)
            if differs:
                self.conflict(file, line, household.source_id, differs)
                household.state = BAD
            else:
                household.state = SAME
                household.pk = stored.pk
                household.placements = stored.placements
        h = len(self.households)
        self.households.append(household)
        self.household_index[household.source_id] = h
        if household.pk:
            self.household_by_pk[household.pk] = h

    def unit_of_stored(self, stored: _Household, day: int) -> int:
        for start, end, unit_id in stored.placements or ():
            if start <= day <= end:
                return unit_id
        return stored.placements[0][2] if stored.placements else stored.unit_id

    def extra_differs(self, ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
        keys = sorted(set(ours) | set(theirs))
        return [
            k
            for k in keys
            if exchange.format_value(ours.get(k)) != exchange.format_value(theirs.get(k))
        ]

    def conflict(self, file: str, line: int, source_id: str, columns: Sequence[str]) -> None:
        self.problem(
            file,
            line,
            columns[0],
            _("%(id)s is already in the register with a different %(columns)s; it is not changed.")
            % {"id": source_id, "columns": ", ".join(columns)},
        )

    def db_households(self, source_ids: Sequence[str]) -> dict[str, _Household]:
        """Households of danso with these ids, with their placements."""
        if not self.has_households or not source_ids:
            return {}
        found: dict[str, _Household] = {}
        by_pk: dict[int, _Household] = {}
        for chunk in _chunks(source_ids, _lookups()):
            rows = Household.objects.filter(source_id__in=chunk).values_list(
                "pk", "source_id", "unit_id", "address", "household_type", "number", "extra"
            )
            for pk, source_id, unit_id, address, household_type, number, extra in rows:
                household = _Household(
                    source_id,
                    DB,
                    pk=pk,
                    unit_id=unit_id,
                    address=address,
                    household_type=household_type,
                    number=number,
                    extra=extra or {},
                    placements=[],
                )
                found[source_id] = by_pk[pk] = household
        for pks in _chunks(sorted(by_pk), _lookups()):
            placements = (
                HouseholdPlacement.objects.filter(household_id__in=pks)
                .order_by("household_id", "valid_from")
                .values_list("household_id", "valid_from", "valid_to", "unit_id")
            )
            for household_id, start, end, unit_id in placements:
                stored = by_pk[household_id].placements
                assert stored is not None
                stored.append((start.toordinal(), end.toordinal() if end else NEVER, unit_id))
        return found

    def resolve_households(self, source_ids: Iterable[str]) -> None:
        """Make every id a known household: from danso, or MISSING."""
        wanted = [s for s in set(source_ids) if s and s not in self.household_index]
        if not wanted:
            return
        found = self.db_households(wanted)
        for source_id in wanted:
            household = found.get(source_id) or _Household(source_id, MISSING)
            h = len(self.households)
            self.households.append(household)
            self.household_index[source_id] = h
            if household.pk:
                self.household_by_pk[household.pk] = h

    def household_problem(self, source_id: str, column: str) -> tuple[str, str] | None:
        h = self.household_index.get(source_id)
        state = MISSING if h is None else self.households[h].state
        if state == MISSING:
            return column, _(
                "The household %(id)s is neither in households.csv nor in the register."
            ) % {"id": source_id}
        if state == BAD:
            assert h is not None
            return column, _(
                "The household %(id)s has errors (line %(line)s of households.csv)."
            ) % {
                "id": source_id,
                "line": self.households[h].line,
            }
        return None

    # ------------------------------------------------------------ persons

    def read_persons(self) -> None:
        total = self.book.count("persons") if self.book.has("persons") else 0
        with self.table("persons") as opened:
            if opened is None:
                return
            table, unknown = opened
            done = 0
            for batch in _chunks(table.rows, BATCH):
                parsed: list[tuple[int, _PersonRow]] = []
                for line, row in batch:
                    person, problems = self.parse_person(row, unknown)
                    if person is None:
                        self.report_row(table.file, line, problems)
                        source_id = row.get("person_id", "")
                        if source_id and source_id not in self.people.index:
                            self.people.add(source_id, BAD, line=line)
                        elif source_id:
                            self.people.state[self.people.index[source_id]] = BAD
                    else:
                        parsed.append((line, person))
                self.resolve_households(p.household_id for _line, p in parsed)
                existing = self.db_persons([p.person_id for _line, p in parsed])
                for line, person in parsed:
                    self.add_person(table.file, line, person, existing.get(person.person_id))
                done += len(batch)
                self.tick("persons", done, total)

    def parse_person(
        self, row: Row, unknown: Sequence[str]
    ) -> tuple[_PersonRow | None, _RowProblems]:
        problems = _RowProblems()
        person_id = problems.need(row, "person_id", 64)
        household_id = problems.need(row, "household_id", 64)
        full_name = exchange.text(problems.need(row, "full_name", 200))
        sex = ""
        raw_sex = problems.need(row, "sex")
        if raw_sex:
            try:
                sex = exchange.parse_sex(raw_sex)
            except ValueError:
                problems.append(
                    ("sex", _("%(value)s is not a sex (M, F, nam, nữ).") % {"value": raw_sex})
                )
        birth: tuple[date, str] | None = None
        raw_birth = problems.need(row, "birth_date")
        if raw_birth:
            try:
                birth = exchange.parse_birth(raw_birth)
            except ValueError:
                problems.append(
                    (
                        "birth_date",
                        _(
                            "%(value)s is not a date of birth "
                            "(YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYY)."
                        )
                        % {"value": raw_birth},
                    )
                )
        registered_on = problems.day(row, "registered_on")
        relation = problems.choice(
            "relation_to_head", row.get("relation_to_head", "").lower(), RELATIONS[1:]
        )
        marital = problems.choice(
            "marital_status", row.get("marital_status", "").lower(), MARITAL[1:]
        )
        residence = problems.choice(
            "residence_status",
            row.get("residence_status", "").lower(),
            RESIDENCES,
        )
        ethnicity = exchange.text(row.get("ethnicity", ""))
        if len(ethnicity) > 60:
            problems.too_long("ethnicity", ethnicity, 60)
        id_number = row.get("id_number", "")
        if len(id_number) > 30:
            problems.too_long("id_number", id_number, 30)
        if birth is not None and registered_on is not None and birth[0] > registered_on:
            problems.append(
                ("birth_date", _("The date of birth is after the date of registration."))
            )
        if problems or birth is None or registered_on is None:
            return None, problems
        return (
            _PersonRow(
                person_id,
                household_id,
                full_name,
                sex,
                birth[0],
                birth[1],
                relation,
                marital,
                residence,
                ethnicity,
                id_number,
                registered_on,
                {c: row[c] for c in unknown if row.get(c)},
            ),
            problems,
        )

    def add_person(
        self, file: str, line: int, person: _PersonRow, stored: _DbPerson | None
    ) -> None:
        people = self.people
        digest = hash(person.content())
        i = people.index.get(person.person_id)
        if i is not None:
            if people.state[i] != BAD and people.digest[i] == digest:
                self.problem(
                    file,
                    line,
                    "person_id",
                    _("This row repeats line %(line)s; it is read once.")
                    % {"line": people.line[i]},
                    "warning",
                )
            else:
                self.problem(
                    file,
                    line,
                    "person_id",
                    _("The id %(id)s is also on line %(line)s, with different content.")
                    % {"id": person.person_id, "line": people.line[i]},
                )
                people.state[i] = BAD
            return
        found = self.household_problem(person.household_id, "household_id")
        if found is not None:
            self.report_row(file, line, [found])
            people.add(person.person_id, BAD, line=line)
            return
        h = self.household_index[person.household_id]
        state, pk = NEW, 0
        if stored is not None:
            differs = [
                column
                for column, ours, theirs in (
                    ("full_name", person.full_name, stored.full_name),
                    ("sex", person.sex, stored.sex),
                    (
                        "birth_date",
                        (person.birth, person.precision),
                        (stored.birth_date, stored.birth_precision),
                    ),
                    ("registered_on", person.registered_on, stored.registered_on),
                    ("household_id", person.household_id, stored.first_household),
                    ("relation_to_head", person.relation, stored.first_relation),
                    ("residence_status", person.residence, stored.residence_status),
                    ("ethnicity", person.ethnicity, stored.ethnicity),
                    ("id_number", person.id_number, stored.id_number),
                )
                if ours != theirs
            ]
            differs += self.extra_differs(person.extra, stored.extra)
            if differs:
                self.conflict(file, line, person.person_id, differs)
                state = BAD
            else:
                state, pk = SAME, stored.pk
        i = people.add(
            person.person_id,
            state,
            line=line,
            sex=person.sex,
            birth=person.birth,
            precision=person.precision,
            registered=person.registered_on,
            household=h,
            marital=person.marital,
            relation=person.relation,
            pk=pk,
            digest=digest,
        )
        if state == SAME and stored is not None:
            self.keep_stored(i, stored)

    def keep_stored(self, i: int, stored: _DbPerson) -> None:
        self.stays[i] = stored.stays
        self.db_marital[i] = stored.marital_status
        if stored.death is not None:
            self.people.death[i] = stored.death.toordinal()

    def db_persons(self, source_ids: Sequence[str]) -> dict[str, _DbPerson]:
        """Persons of danso with these ids, with their stays and death."""
        if not self.has_persons or not source_ids:
            return {}
        found: dict[str, _DbPerson] = {}
        by_pk: dict[int, _DbPerson] = {}
        for chunk in _chunks(source_ids, _lookups()):
            rows = Person.objects.filter(source_id__in=chunk).values_list(
                "pk",
                "source_id",
                "full_name",
                "sex",
                "birth_date",
                "birth_precision",
                "ethnicity",
                "id_number",
                "marital_status",
                "residence_status",
                "registered_on",
                "extra",
            )
            for values in rows:
                person = _DbPerson(*values[:11], extra=values[11] or {})
                found[person.source_id] = by_pk[person.pk] = person
        households: set[int] = set()
        memberships: list[tuple[int, int, int, str, str, date, date | None]] = []
        for pks in _chunks(sorted(by_pk), _lookups()):
            memberships += (
                Membership.objects.filter(person_id__in=pks)
                .order_by("person_id", "valid_from", "pk")
                .values_list(
                    "pk",
                    "person_id",
                    "household_id",
                    "household__source_id",
                    "relation",
                    "valid_from",
                    "valid_to",
                )
            )
            deaths = Event.objects.filter(person_id__in=pks, event_type=DEATH)
            for person_id, day in deaths.values_list("person_id", "event_date"):
                person = by_pk[person_id]
                person.death = day if person.death is None else min(person.death, day)
        for _pk, _person, household_id, *_rest in memberships:
            if household_id not in self.household_by_pk:
                households.add(household_id)
        sids: list[str] = []
        for ids in _chunks(sorted(households), _lookups()):
            sids += Household.objects.filter(pk__in=ids).values_list("source_id", flat=True)
        self.resolve_households(sids)
        for pk, person_id, household_id, household_sid, relation, start, end in memberships:
            person = by_pk[person_id]
            if not person.stays:
                person.first_household, person.first_relation = household_sid, relation
            person.stays.append(
                _Stay(
                    self.household_by_pk[household_id],
                    start.toordinal(),
                    end.toordinal() if end else None,
                    relation,
                    pk,
                )
            )
        return found

    def resolve_people(self, source_ids: Iterable[str]) -> None:
        """Make every id a known person: from danso (with its facts), or MISSING."""
        wanted = [s for s in set(source_ids) if s and s not in self.people.index]
        if not wanted:
            return
        found = self.db_persons(wanted)
        for source_id in wanted:
            stored = found.get(source_id)
            if stored is None:
                self.people.add(source_id, MISSING)
                continue
            first = stored.stays[0].household if stored.stays else -1
            i = self.people.add(
                source_id,
                DB,
                sex=stored.sex,
                birth=stored.birth_date,
                precision=stored.birth_precision,
                registered=stored.registered_on,
                household=first,
                marital=stored.marital_status,
                relation=stored.first_relation,
                pk=stored.pk,
            )
            self.keep_stored(i, stored)

    def person_problem(self, source_id: str, column: str) -> tuple[str, str] | None:
        i = self.people.index.get(source_id)
        state = MISSING if i is None else self.people.state[i]
        if state == MISSING:
            return column, _("The person %(id)s is neither in persons.csv nor in the register.") % {
                "id": source_id
            }
        if state == BAD:
            assert i is not None
            return column, _("The person %(id)s has errors (line %(line)s of persons.csv).") % {
                "id": source_id,
                "line": self.people.line[i],
            }
        return None

    def facts(self, i: int) -> PersonFacts:
        people = self.people
        stays = self.stays.get(i)
        if stays is None:
            spans: Sequence[tuple[date, date | None]] = (
                ((date.fromordinal(people.registered[i]), None),) if people.state[i] == NEW else ()
            )
        else:
            spans = [
                (date.fromordinal(s.start), date.fromordinal(s.end) if s.end is not None else None)
                for s in stays
            ]
        death = people.death[i]
        return PersonFacts(
            chr(people.sex[i]),
            date.fromordinal(people.birth[i]),
            PRECISIONS[people.precision[i]],
            date.fromordinal(death) if death else None,
            spans,
        )

    def household_on(self, i: int, day: int) -> int | None:
        stays = self.stays.get(i)
        if stays is None:
            people = self.people
            if people.state[i] == NEW and people.registered[i] <= day:
                return people.household[i]
            return None
        for stay in stays:
            if stay.start <= day and (stay.end is None or day <= stay.end):
                return stay.household
        return None

    # ------------------------------------------------------------ events

    def parse_event(
        self, row: Row, unknown: Sequence[str], misplaced: list[str]
    ) -> tuple[_EventRow | None, _RowProblems]:
        """The event of a row of events.csv (None if it has problems); the format's
        columns that its type does not use are added to ``misplaced``."""
        problems = _RowProblems()
        event_id = problems.need(row, "event_id", 64)
        raw_kind = problems.need(row, "event_type")
        kind: EventType | None = None
        if raw_kind:
            kind = EVENT_TYPES.get(raw_kind.lower())
            if kind is None:
                problems.append(
                    (
                        "event_type",
                        _("%(value)s is not an event type of the format.") % {"value": raw_kind},
                    )
                )
        day = problems.day(row, "event_date")
        person = problems.need(row, "person_id", 64)
        note = exchange.text(row.get("note", ""))
        if len(note) > 300:
            problems.too_long("note", note, 300)
        if kind is None or day is None:
            return None, problems
        event = _EventRow(event_id, kind, day, person, note)
        used = USED_COLUMNS[kind]
        for column, value in row.items():
            if not value or column not in EXTRA_COLUMNS:
                continue
            if column in used:
                self.parse_event_column(event, column, value, problems)
            else:
                misplaced.append(column)
                event.extra[column] = value
        for column in unknown:
            if row.get(column):
                event.extra[column] = row[column]
        if kind is BIRTH and not event.child:
            problems.append(("child_person_id", _("A birth needs the child's person_id.")))
        if kind is MOVE_WITHIN and not event.to_household:
            problems.append(("to_household_id", _("Say which household the person moves to.")))
        if kind in (CONTRACEPTION_START, CONTRACEPTION_STOP) and not event.method:
            problems.append(("method", _("Say which method.")))
        return (None if problems else event), problems

    def parse_event_column(
        self, event: _EventRow, column: str, value: str, problems: _RowProblems
    ) -> None:
        if column in ("child_person_id", "spouse_person_id", "to_household_id", "household_id"):
            if len(value) > 64:
                problems.too_long(column, value, 64)
            elif column == "child_person_id":
                event.child = value
            elif column == "spouse_person_id":
                event.spouse = value
            elif column == "household_id":
                event.household = value
            else:
                event.to_household = value
                event.extra[column] = value
        elif column == "child_sex":
            try:
                event.child_sex = exchange.parse_sex(value)
            except ValueError:
                problems.append(
                    (column, _("%(value)s is not a sex (M, F, nam, nữ).") % {"value": value})
                )
        elif column == "birth_order":
            try:
                event.birth_order = exchange.parse_count(value)
            except ValueError:
                problems.append((column, _("%(value)s is not a whole number.") % {"value": value}))
            else:
                if event.birth_order > 99:
                    problems.append(
                        (column, _("%(value)s is not a birth order.") % {"value": value})
                    )
        elif column in ("consanguineous", "new_acceptor"):
            try:
                flag = exchange.parse_flag(value)
            except ValueError:
                problems.append((column, _("%(value)s is not 0 or 1.") % {"value": value}))
            else:
                if column == "new_acceptor":
                    event.new_acceptor = flag
                else:
                    event.extra[column] = flag
        elif column == "expected_date":
            try:
                event.extra[column] = exchange.parse_date(value).isoformat()
            except ValueError:
                problems.append(
                    (
                        column,
                        _("%(value)s is not a date (YYYY-MM-DD or DD/MM/YYYY).") % {"value": value},
                    )
                )
        elif column == "method":
            event.method = problems.choice(column, value.lower(), METHODS)
        elif column == "supply":
            event.supply = problems.choice(column, value.lower(), SUPPLIES)
        else:  # place, from_place, to_place, result: free text
            event.extra[column] = exchange.text(value)

    def event_refs(self, event: _EventRow) -> list[tuple[str, str]]:
        """Problems with what the event points at (person, child, spouse, households)."""
        problems = [p for p in [self.person_problem(event.person, "person_id")] if p]
        if event.kind is BIRTH:
            found = self.person_problem(event.child, "child_person_id")
            if found:
                problems.append(found)
        if event.spouse:
            i = self.people.index.get(event.spouse)
            if i is not None and self.people.state[i] == BAD:
                found = self.person_problem(event.spouse, "spouse_person_id")
                if found:
                    problems.append(found)
        for column, source_id in (
            ("to_household_id", event.to_household),
            ("household_id", event.household),
        ):
            if source_id:
                found = self.household_problem(source_id, column)
                if found:
                    problems.append(found)
        return problems

    def stored_events(self, source_ids: Sequence[str]) -> dict[str, tuple[Any, ...]]:
        if not self.has_events or not source_ids:
            return {}
        found: dict[str, tuple[Any, ...]] = {}
        for chunk in _chunks(source_ids, _lookups()):
            rows = Event.objects.filter(source_id__in=chunk).values_list(
                "source_id",
                "event_type",
                "event_date",
                "person__source_id",
                "note",
                "child__source_id",
                "child_sex",
                "birth_order",
                "method",
                "supply",
                "new_acceptor",
                "spouse__source_id",
                "extra",
            )
            found.update((row[0], row[1:]) for row in rows)
        return found

    def event_differs(self, event: _EventRow, stored: tuple[Any, ...]) -> list[str]:
        (
            kind,
            day,
            person,
            note,
            child,
            child_sex,
            order,
            method,
            supply,
            acceptor,
            spouse,
            extra,
        ) = stored
        extra = dict(extra or {})
        if kind in (MARRIAGE, DIVORCE) and not spouse:
            spouse = extra.pop("spouse_person_id", "")
        ours_sex = event.child_sex
        if event.kind is BIRTH and not ours_sex:
            ours_sex = chr(self.people.sex[self.people.index[event.child]])
        differs = [
            column
            for column, ours, theirs in (
                ("event_type", event.kind.value, kind),
                ("event_date", event.day, day),
                ("person_id", event.person, person),
                ("note", event.note, note),
                ("child_person_id", event.child, child or ""),
                ("child_sex", ours_sex, child_sex),
                ("birth_order", event.birth_order, order),
                ("method", event.method, method),
                ("supply", event.supply, supply),
                ("new_acceptor", event.new_acceptor, acceptor),
                ("spouse_person_id", event.spouse, spouse or ""),
            )
            if ours != theirs
        ]
        return differs + self.extra_differs(event.extra, extra)

    def read_events(self) -> None:
        """The first pass over events.csv: index it (see the module docstring)."""
        total = self.book.count("events") if self.book.has("events") else 0
        with self.table("events") as opened:
            if opened is None:
                return
            table, unknown = opened
            done = 0
            for batch in _chunks(table.rows, BATCH):
                parsed: list[tuple[int, int, _EventRow]] = []
                for line, row in batch:
                    ordinal = len(self.ev_state)
                    self.ev_line.append(line)
                    misplaced: list[str] = []
                    event, problems = self.parse_event(row, unknown, misplaced)
                    self.warn_misplaced(table.file, line, row, misplaced)
                    if event is None:
                        self.report_row(table.file, line, problems)
                        self.ev_state.append(BAD)
                        self.ev_key.append(
                            hash(row.get("event_id", "")) if row.get("event_id") else 0
                        )
                        self.ev_digest.append(hash(tuple(row.items())))
                        continue
                    self.ev_state.append(NEW)
                    self.ev_key.append(hash(event.event_id))
                    self.ev_digest.append(hash(event.content()))
                    parsed.append((ordinal, line, event))
                self.resolve_people(
                    s for _o, _l, e in parsed for s in (e.person, e.child, e.spouse)
                )
                self.resolve_households(
                    s for _o, _l, e in parsed for s in (e.household, e.to_household)
                )
                stored = self.stored_events([e.event_id for _o, _l, e in parsed])
                for ordinal, line, event in parsed:
                    self.index_event(table.file, ordinal, line, event, stored.get(event.event_id))
                done += len(batch)
                self.tick("events_read", done, total)
            self.find_duplicates(table.file)

    def warn_misplaced(self, file: str, line: int, row: Row, misplaced: list[str]) -> None:
        kind = row.get("event_type", "").lower()
        for column in misplaced:
            if (column, kind) not in self.warned:
                self.warned.add((column, kind))
                self.problem(
                    file,
                    line,
                    column,
                    _(
                        "The column %(column)s is not used for %(event_type)s events; its values "
                        "are kept as extra attributes."
                    )
                    % {"column": column, "event_type": kind},
                    "warning",
                )

    def index_event(
        self, file: str, ordinal: int, line: int, event: _EventRow, stored: tuple[Any, ...] | None
    ) -> None:
        problems = self.event_refs(event)
        if problems:
            self.report_row(file, line, problems)
            self.ev_state[ordinal] = BAD
            return
        if (
            event.spouse
            and self.people.state[self.people.index[event.spouse]] == MISSING
            and ("spouse", event.spouse) not in self.warned
        ):
            self.warned.add(("spouse", event.spouse))
            self.problem(
                file,
                line,
                "spouse_person_id",
                _("The spouse %(id)s is not in the register; the id is kept as an extra attribute.")
                % {"id": event.spouse},
                "warning",
            )
        if stored is not None:
            differs = self.event_differs(event, stored)
            if differs:
                self.conflict(file, line, event.event_id, differs)
                self.ev_state[ordinal] = BAD
                return
            self.ev_state[ordinal] = SAME
        i = self.people.index[event.person]
        day = event.day.toordinal()
        if event.kind in MARRIAGE_STATUS:
            self.marital_file[i].append(
                (day, line, MARRIAGE_STATUS[event.kind], self.ev_state[ordinal] == NEW)
            )
        if self.ev_state[ordinal] == NEW and event.kind in STAY_KINDS:
            target = event.household or event.to_household
            h = self.household_index[target] if target else -1
            self.changes[i].append((day, STAY_KINDS[event.kind], line, ordinal, event.kind, h))

    def find_duplicates(self, file: str) -> None:
        """Rows with the same event_id: the same content is read once (a warning); different
        content is a conflict, and none of them is imported."""
        keys = self.ev_key
        order = sorted((i for i in range(len(keys)) if keys[i]), key=keys.__getitem__)
        start = 0
        while start < len(order):
            end = start + 1
            while end < len(order) and keys[order[end]] == keys[order[start]]:
                end += 1
            if end - start > 1:
                group = sorted(order[start:end])
                first = group[0]
                conflict = any(self.ev_digest[o] != self.ev_digest[first] for o in group)
                for other in group[1:]:
                    if conflict:
                        self.problem(
                            file,
                            self.ev_line[other],
                            "event_id",
                            _("The same event_id is also on line %(line)s, with different content.")
                            % {"line": self.ev_line[first]},
                        )
                    else:
                        self.problem(
                            file,
                            self.ev_line[other],
                            "event_id",
                            _("This row repeats line %(line)s; it is read once.")
                            % {"line": self.ev_line[first]},
                            "warning",
                        )
                    self.ev_state[other] = BAD if conflict else DUPLICATE
                if conflict and self.ev_state[first] != BAD:
                    self.problem(
                        file,
                        self.ev_line[first],
                        "event_id",
                        _("The same event_id is also on line %(line)s, with different content.")
                        % {"line": self.ev_line[group[1]]},
                    )
                    self.ev_state[first] = BAD
            start = end

    # ------------------------------------------------------------ stays

    def check_marital(self) -> None:
        """A person already in the register must have the marital status the files give,
        once the files' marriages and divorces are applied."""
        file = self.book.file_name("persons")
        names: dict[int, str] | None = None
        for i, stored in self.db_marital.items():
            if self.people.state[i] != SAME:
                continue
            events = sorted(self.marital_file.get(i, ()))
            expected = MARITAL[self.people.marital[i]]
            for _when, _line, status, _new in events:
                expected = status
            after = stored
            for _when, _line, status, new in events:
                if new:
                    after = status
            if expected != after:
                if names is None:
                    names = {j: source_id for source_id, j in self.people.index.items()}
                self.conflict(file, self.people.line[i], names[i], ["marital_status"])
                self.people.state[i] = BAD

    def settle(self) -> None:
        """Apply each person's new deaths and moves in date order, checking each."""
        file = self.book.file_name("events")
        people = self.people
        for i, changes in self.changes.items():
            if not people.usable(i):
                continue
            if i not in self.stays:
                self.stays[i] = (
                    [
                        _Stay(
                            people.household[i],
                            people.registered[i],
                            None,
                            RELATIONS[people.relation[i]],
                        )
                    ]
                    if people.state[i] == NEW
                    else []
                )
            for day, _order, line, ordinal, kind, target in sorted(changes):
                if self.ev_state[ordinal] != NEW:
                    continue
                problems = self.apply_change(i, day, kind, target, ordinal)
                if problems:
                    self.report_row(file, line, problems)
                    self.ev_state[ordinal] = BAD
        self.changes.clear()

    def apply_change(
        self, i: int, day: int, kind: EventType, target: int, ordinal: int
    ) -> list[tuple[str, str]]:
        stays = self.stays[i]
        findings = event_findings(kind, date.fromordinal(day), self.facts(i))
        if findings:
            return _worded(findings)
        covering = next(
            (s for s in stays if s.start <= day and (s.end is None or day <= s.end)), None
        )
        if kind is MOVE_IN:
            if target < 0:
                target = self.people.household[i]
            if covering is not None and covering.start == day and covering.pk == 0:
                if covering.household != target:
                    return [
                        (
                            "household_id",
                            _("The person is registered in another household on that day."),
                        )
                    ]
                self.event_household[ordinal] = target
                return self.where_problem(target, day)
            if covering is not None:
                return [
                    (
                        "person_id",
                        _("The person is already registered here on %(day)s.") % {"day": _day(day)},
                    )
                ]
            if any(s.start > day for s in stays):
                return [
                    (
                        "event_date",
                        _("The person is registered later than this move in; check the dates."),
                    )
                ]
            if target < 0:
                return [("household_id", _("Say which household the person joins."))]
            problems = self.where_problem(target, day)
            if not problems:
                stays.append(_Stay(target, day, None))
                self.event_household[ordinal] = target
            return problems
        assert covering is not None  # the findings checked that the person is registered
        if covering.end is not None and covering.end != day:
            return [
                (
                    "event_date",
                    _("The register already ends this stay on %(day)s.")
                    % {"day": _day(covering.end)},
                )
            ]
        problems = self.where_problem(covering.household, day)
        if problems:
            return problems
        if kind is MOVE_WITHIN:
            if target == covering.household:
                return [("to_household_id", _("The person already lives in that household."))]
            if covering.start > day - 1:
                return [
                    (
                        "event_date",
                        _("The person cannot move on the day they joined the household (%(day)s).")
                        % {"day": _day(covering.start)},
                    )
                ]
            problems = self.where_problem(target, day)
            if problems:
                return [("to_household_id", message) for _column, message in problems]
            covering.end, covering.changed = day - 1, True
            stays.append(_Stay(target, day, None))
        else:
            covering.end, covering.changed = day, True
            if kind is DEATH:
                self.people.death[i] = day
        self.event_household[ordinal] = covering.household
        return []

    def where_problem(self, h: int, day: int) -> list[tuple[str, str]]:
        unit_id, found = self.where(h, day)
        return [] if unit_id is not None else [("event_date", found)]

    def household_starts(self) -> None:
        """A new household sits in its unit from the first day the book knows it."""
        people = self.people
        starts: dict[int, int] = {}

        def seen(h: int, day: int) -> None:
            if day < starts.get(h, NEVER):
                starts[h] = day

        for i in range(len(people.state)):
            if not people.usable(i):
                continue
            stays = self.stays.get(i)
            if stays is None:
                if people.state[i] == NEW:
                    seen(people.household[i], people.registered[i])
            else:
                for stay in stays:
                    if stay.pk == 0:
                        seen(stay.household, stay.start)
        for h, household in enumerate(self.households):
            if household.state == NEW:
                assert household.as_of is not None
                household.start = starts.get(h, household.as_of.toordinal())

    # ------------------------------------------------------------ the second pass

    def check_events(self) -> None:
        if not self.ev_state:
            return
        total = len(self.ev_state)
        with self.book.read("events") as table:
            unknown = [c for c in table.headers if c not in exchange.KNOWN["events"]]
            ordinal = -1
            for line, row in table.rows:
                ordinal += 1
                if ordinal % BATCH == 0:
                    self.tick("events_check", ordinal, total)
                if self.ev_state[ordinal] != NEW:
                    continue
                event, _problems = self.parse_event(row, unknown, [])
                assert event is not None
                assert self.ev_line[ordinal] == line
                problems = self.check_event(ordinal, event)
                if problems:
                    self.report_row(table.file, line, problems)
                    self.ev_state[ordinal] = BAD
                elif event.kind in MARRIAGE_STATUS:
                    i = self.people.index[event.person]
                    self.marital_new[i].append(
                        (event.day.toordinal(), line, MARRIAGE_STATUS[event.kind])
                    )
            self.tick("events_check", total, total)

    def check_event(self, ordinal: int, event: _EventRow) -> list[tuple[str, str]]:
        problems = self.event_refs(event)
        if problems:
            return problems
        if event.kind in STAY_KINDS:
            return []  # checked when the stays were settled
        i = self.people.index[event.person]
        day = event.day.toordinal()
        child_born: date | None = None
        c = -1
        if event.kind is BIRTH:
            c = self.people.index[event.child]
            child_born = date.fromordinal(self.people.birth[c])
        found = _worded(
            event_findings(
                event.kind,
                event.day,
                self.facts(i),
                child_birth_date=child_born,
                birth_order=event.birth_order,
            )
        )
        if found:
            return found
        h = self.household_on(i, day)
        if h is None:
            return [("person_id", _("The person is not registered here then."))]
        unit_id, reason = self.where(h, day)
        if unit_id is None:
            return [("event_date", reason)]
        if c >= 0:
            return self.check_child(event, c, h, day)
        return []

    def check_child(self, event: _EventRow, c: int, h: int, day: int) -> list[tuple[str, str]]:
        people = self.people
        problems: list[tuple[str, str]] = []
        if event.child_sex and event.child_sex != chr(people.sex[c]):
            problems.append(
                ("child_sex", _("The child's sex differs from the child's row in persons.csv."))
            )
        if people.state[c] == NEW:
            if people.registered[c] != day:
                problems.append(
                    (
                        "child_person_id",
                        _("The child is registered on %(registered)s, not on the day of the birth.")
                        % {"registered": _day(people.registered[c])},
                    )
                )
            elif self.household_on(c, day) != h:
                problems.append(
                    (
                        "child_person_id",
                        _("The child is registered in another household than the mother's."),
                    )
                )
        return problems

    # ------------------------------------------------------------ the whole check

    def check(self) -> None:
        present = [t for t in exchange.TABLES if self.book.has(t)]
        if not present:
            self.problem(
                self.book.name,
                None,
                None,
                _(
                    "No file of the register (units.csv, households.csv, persons.csv, "
                    "events.csv) was found."
                ),
            )
            return
        self.read_units()
        self.read_households()
        self.read_persons()
        self.read_events()
        self.check_marital()
        self.settle()
        self.check_events()
        self.household_starts()

    def count(self) -> None:
        """Fill the report's counts from the states."""
        imported, unchanged = self.report.imported, self.report.unchanged
        for village in self.villages.values():
            if village.state == NEW:
                imported["units"] += 1
            elif village.state == SAME:
                unchanged["units"] += 1
        for household in self.households:
            if household.state == NEW:
                imported["households"] += 1
            elif household.state == SAME:
                unchanged["households"] += 1
        people = self.people
        imported["persons"] = people.state.count(NEW)
        unchanged["persons"] = people.state.count(SAME)
        imported["events"] = self.ev_state.count(NEW)
        unchanged["events"] = self.ev_state.count(SAME)

    # ------------------------------------------------------------ writing

    def write(self) -> None:
        now = timezone.now()
        with transaction.atomic():
            self.write_villages()
            self.write_households(now)
            self.write_persons(now)
            self.write_memberships(now)
            self.write_events(now)

    def writer(self, model: type[Model], now: datetime) -> _Writer:
        return _Writer(model, now=now, user=self.user, reason=self.reason)

    def write_villages(self) -> None:
        created: dict[int, int] = {}
        starts: dict[int, int] = {}
        for household in self.households:
            if household.state == NEW and household.unit_id < 0:
                starts[household.unit_id] = min(
                    starts.get(household.unit_id, NEVER), household.start
                )
        new = [v for v in self.villages.values() if v.state == NEW]
        for done, village in enumerate(new, start=1):
            commune = village.commune
            start = date.fromordinal(
                min(starts.get(village.unit_id, NEVER), village.as_of.toordinal())
            )
            start = max(start, commune.unit_from)
            unit = village_create(
                commune=Unit.objects.get(pk=commune.unit_id),
                code=f"{commune.code}-{village.unit_code}",
                name=village.name,
                type=_village_type(village.name, commune.type),
                valid_from=start,
                user=self.user,
                decision=self.reason,
            )
            created[village.unit_id] = unit.pk
            self.tick("write_units", done, len(new))
        for household in self.households:
            if household.unit_id in created:
                household.unit_id = created[household.unit_id]
        self.load_versions(created.values())

    def write_households(self, now: datetime) -> None:
        new = [h for h in self.households if h.state == NEW]
        households = self.writer(Household, now)
        placements = self.writer(HouseholdPlacement, now)
        for done, chunk in enumerate(_chunks(new, BATCH), start=1):
            ids = households.write(
                {
                    "source_id": h.source_id,
                    "number": h.number,
                    "address": h.address,
                    "household_type": h.household_type,
                    "unit_id": h.unit_id,
                    "extra": h.extra,
                }
                for h in chunk
            )
            for household, pk in zip(chunk, ids, strict=True):
                household.pk = pk
            placements.write(
                {
                    "household_id": h.pk,
                    "unit_id": h.unit_id,
                    "valid_from": date.fromordinal(h.start),
                }
                for h in chunk
            )
            self.tick("write_households", min(done * BATCH, len(new)), len(new))

    def final_marital(self, i: int) -> str:
        status = self.db_marital.get(i, MARITAL[self.people.marital[i]])
        if self.people.state[i] == NEW:
            status = MARITAL[self.people.marital[i]]
        for _when, _line, new in sorted(self.marital_new.get(i, ())):
            status = new
        return status

    def write_persons(self, now: datetime) -> None:
        people = self.people
        total = people.state.count(NEW)
        if total:
            writer = self.writer(Person, now)
            with self.book.read("persons") as table:
                unknown = [c for c in table.headers if c not in exchange.KNOWN["persons"]]
                done = 0
                for batch in _chunks(table.rows, BATCH):
                    rows: list[dict[str, Any]] = []
                    indexes: list[int] = []
                    for line, row in batch:
                        i = people.index.get(row.get("person_id", ""), -1)
                        if i < 0 or people.state[i] != NEW or people.line[i] != line:
                            continue
                        person, _problems = self.parse_person(row, unknown)
                        assert person is not None
                        rows.append(
                            {
                                "source_id": person.person_id,
                                "full_name": person.full_name,
                                "name_folded": fold(person.full_name),
                                "sex": person.sex,
                                "birth_date": person.birth,
                                "birth_precision": person.precision,
                                "ethnicity": person.ethnicity,
                                "id_number": person.id_number,
                                "marital_status": self.final_marital(i),
                                "residence_status": person.residence,
                                "registered_on": person.registered_on,
                                "extra": person.extra,
                            }
                        )
                        indexes.append(i)
                    for i, pk in zip(indexes, writer.write(rows), strict=True):
                        people.pk[i] = pk
                    done += len(rows)
                    self.tick("write_persons", done, total)
        changed = {
            people.pk[i]: status
            for i in self.marital_new
            if people.state[i] in (SAME, DB)
            and (status := self.final_marital(i)) != self.db_marital.get(i)
        }
        for pks in _chunks(sorted(changed), _lookups()):
            persons = list(Person.objects.filter(pk__in=pks))
            for stored in persons:
                stored.marital_status = changed[stored.pk]
                stored.updated_at = now
            bulk_update_with_history(
                persons,
                Person,
                ["marital_status", "updated_at"],
                batch_size=BATCH,
                default_date=now,
                default_user=self.user,
                default_change_reason=self.reason,
            )

    def write_memberships(self, now: datetime) -> None:
        people = self.people
        households = self.households
        writer = self.writer(Membership, now)
        new: list[dict[str, Any]] = []
        ended: dict[int, date | None] = {}
        total = len(people.state)
        for i in range(total):
            state = people.state[i]
            if state not in (NEW, SAME, DB):
                continue
            stays = self.stays.get(i)
            if stays is None:
                if state == NEW:
                    new.append(
                        {
                            "person_id": people.pk[i],
                            "household_id": households[people.household[i]].pk,
                            "relation": RELATIONS[people.relation[i]],
                            "valid_from": date.fromordinal(people.registered[i]),
                        }
                    )
            else:
                for stay in stays:
                    end = date.fromordinal(stay.end) if stay.end is not None else None
                    if stay.pk == 0:
                        new.append(
                            {
                                "person_id": people.pk[i],
                                "household_id": households[stay.household].pk,
                                "relation": stay.relation,
                                "valid_from": date.fromordinal(stay.start),
                                "valid_to": end,
                            }
                        )
                    elif stay.changed:
                        ended[stay.pk] = end
            if len(new) >= BATCH:
                writer.write(new)
                new.clear()
                self.tick("write_memberships", i, total)
        writer.write(new)
        for pks in _chunks(sorted(ended), _lookups()):
            memberships = list(Membership.objects.filter(pk__in=pks))
            for membership in memberships:
                membership.valid_to = ended[membership.pk]
            bulk_update_with_history(
                memberships,
                Membership,
                ["valid_to"],
                batch_size=BATCH,
                default_date=now,
                default_user=self.user,
                default_change_reason=self.reason,
            )
        self.tick("write_memberships", total, total)

    def write_events(self, now: datetime) -> None:
        total = self.ev_state.count(NEW)
        if not total:
            return
        writer = self.writer(Event, now)
        user_id = self.user.pk if self.user is not None else None
        with self.book.read("events") as table:
            unknown = [c for c in table.headers if c not in exchange.KNOWN["events"]]
            done = 0
            ordinal = -1
            rows: list[dict[str, Any]] = []
            for line, row in table.rows:
                ordinal += 1
                if self.ev_state[ordinal] != NEW:
                    continue
                event, _problems = self.parse_event(row, unknown, [])
                assert event is not None
                assert self.ev_line[ordinal] == line
                rows.append(self.event_values(ordinal, event, user_id))
                if len(rows) >= BATCH:
                    writer.write(rows)
                    done += len(rows)
                    rows = []
                    self.tick("write_events", done, total)
            writer.write(rows)
            self.tick("write_events", total, total)

    def event_values(self, ordinal: int, event: _EventRow, user_id: int | None) -> dict[str, Any]:
        people = self.people
        i = people.index[event.person]
        day = event.day.toordinal()
        h = self.event_household.get(ordinal)
        if h is None:
            h = self.household_on(i, day)
        assert h is not None
        unit_id, path = self.where(h, day)
        if unit_id is None:
            raise ValidationError(path)
        extra = event.extra
        child_id = spouse_id = None
        child_sex = event.child_sex
        if event.kind is BIRTH:
            c = people.index[event.child]
            child_id = people.pk[c]
            child_sex = child_sex or chr(people.sex[c])
        if event.spouse:
            s = people.index[event.spouse]
            if people.state[s] == MISSING:
                extra = {**extra, "spouse_person_id": event.spouse}
            else:
                spouse_id = people.pk[s]
        return {
            "source_id": event.event_id,
            "event_type": event.kind.value,
            "event_date": event.day,
            "person_id": people.pk[i],
            "unit_id": unit_id,
            "path": path,
            "child_id": child_id,
            "child_sex": child_sex,
            "birth_order": event.birth_order,
            "method": event.method,
            "supply": event.supply,
            "new_acceptor": event.new_acceptor,
            "spouse_id": spouse_id,
            "extra": extra,
            "note": event.note,
            "recorded_by_id": user_id,
        }


class _Writer:
    """Inserts many rows of one model, with their history rows ("+", by the user, with
    the import as the reason), on SQLite or PostgreSQL.

    ``bulk_create`` spends some ten microseconds per value compiling its statements, an
    hour for a district; this prepares one statement and sends plain tuples
    (``executemany`` on SQLite, ``COPY`` on PostgreSQL).  Ids are reserved beforehand
    (the write transaction holds SQLite's lock; PostgreSQL hands them out from the
    table's sequence) so that the rows can be referred to and their history written.
    """

    def __init__(self, model: type[Model], *, now: datetime, user: Any, reason: str) -> None:
        self.ops = connection.ops
        self.sqlite = connection.vendor == "sqlite"
        if connection.vendor not in ("sqlite", "postgresql"):
            raise NotImplementedError(f"bulk import on {connection.vendor}")
        meta = model._meta
        self.table = meta.db_table
        pk_column = str(meta.pk.column if meta.pk else "id")
        self.fields: list[Field[Any, Any]] = [f for f in meta.concrete_fields if not f.primary_key]
        stamp = self.ops.adapt_datetimefield_value(now)
        self.defaults: list[Any] = []
        self.convert: list[Callable[[Any], Any] | None] = []
        for f in self.fields:
            if isinstance(f, DateTimeField):
                self.defaults.append(stamp)  # created_at, updated_at
                self.convert.append(None)
                continue
            default = f.get_default() if f.has_default() else None
            if self.sqlite and isinstance(f, JSONField):
                self.convert.append(self.json(f))
            elif self.sqlite and isinstance(f, DateField):
                self.convert.append(self.ops.adapt_datefield_value)
            else:
                self.convert.append(None)  # PostgreSQL: written as COPY text by _copy_text
            self.defaults.append(default)
        self.names = [f.attname for f in self.fields]
        self.history: tuple[str, list[int | None], tuple[Any, ...]] | None = None
        history = getattr(model, "history", None)
        if history is not None:
            own = {str(f.column): n for n, f in enumerate(self.fields)}
            historical = history.model._meta
            columns = [str(f.column) for f in historical.concrete_fields]
            columns.remove("history_id")
            extra_columns = (
                "history_date",
                "history_change_reason",
                "history_type",
                "history_user_id",
            )
            picks: list[int | None] = [
                -1 if c == pk_column else own.get(c) for c in columns if c not in extra_columns
            ]
            constants = (stamp, reason, "+", getattr(user, "pk", None))
            self.history = (
                self.insert_sql(
                    historical.db_table,
                    [c for c in columns if c not in extra_columns] + list(extra_columns),
                ),
                picks,
                constants,
            )
        self.sql = self.insert_sql(self.table, [pk_column, *(str(f.column) for f in self.fields)])
        self.next_id = 0

    def json(self, f: JSONField[Any, Any]) -> Callable[[Any], Any]:
        empty = f.get_db_prep_save({}, connection)

        def adapt(value: Any) -> Any:
            return empty if not value else f.get_db_prep_save(value, connection)

        return adapt

    def insert_sql(self, table: str, columns: Sequence[str]) -> str:
        quoted = ", ".join(self.ops.quote_name(c) for c in columns)
        if self.sqlite:
            marks = ", ".join(["%s"] * len(columns))
            return f"INSERT INTO {self.ops.quote_name(table)} ({quoted}) VALUES ({marks})"  # noqa: S608 - our table's names, quoted
        return f"COPY {self.ops.quote_name(table)} ({quoted}) FROM STDIN"

    def ids(self, count: int) -> list[int]:
        with connection.cursor() as cursor:
            if self.sqlite:
                if not self.next_id:
                    cursor.execute(
                        f"SELECT MAX(id) FROM {self.ops.quote_name(self.table)}"  # noqa: S608 - a table name of ours
                    )
                    top = cursor.fetchone()[0] or 0
                    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
                    found = cursor.fetchone()
                    self.next_id = max(top, found[0] if found else 0) + 1
                first, self.next_id = self.next_id, self.next_id + count
                return list(range(first, first + count))
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [self.table, count],
            )
            return [row[0] for row in cursor.fetchall()]

    def write(self, rows: Iterable[dict[str, Any]]) -> list[int]:
        """Insert ``rows`` (attname -> value; the others take their defaults); their ids."""
        values: list[tuple[Any, ...]] = []
        pairs = list(zip(self.names, self.defaults, self.convert, strict=True))
        for row in rows:
            cells = []
            for name, default, convert in pairs:
                value = row.get(name, default)
                cells.append(value if convert is None or value is None else convert(value))
            values.append(tuple(cells))
        if not values:
            return []
        ids = self.ids(len(values))
        values = [(pk, *cells) for pk, cells in zip(ids, values, strict=True)]
        self.send(self.sql, values)
        if self.history is not None:
            sql, picks, constants = self.history
            self.send(
                sql,
                [
                    tuple(v[0] if p == -1 else None if p is None else v[p + 1] for p in picks)
                    + constants
                    for v in values
                ],
            )
        return ids

    def send(self, sql: str, values: list[tuple[Any, ...]]) -> None:
        with connection.cursor() as cursor:
            if self.sqlite:
                cursor.executemany(sql, values)
                return
            # One block of COPY text: psycopg's write_row adapts value by value, slower.
            text = "".join("\t".join(map(_copy_text, row)) + "\n" for row in values)
            with cursor.cursor.copy(sql) as copy:
                copy.write(text)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """A value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, date):  # dates, and aware datetimes
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False).translate(_COPY_ESCAPES)
    return str(value)


def _worded(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.column, _(f.message) % dict(f.params)) for f in findings]


_VILLAGE_WORDS = ("tổ dân phố", "khu phố", "thôn", "xóm", "ấp", "bản", "làng", "buôn", "khu", "tổ")


def _village_type(name: str, commune_type: str) -> str:
    """The type of a village from its name ("Tổ dân phố 5" is a tổ dân phố); else what a
    village of the commune's type usually is."""
    lowered = name.lower()
    for word in _VILLAGE_WORDS:
        if lowered.startswith(word + " "):
            return "tổ dân phố" if word == "tổ" else word
    return "tổ dân phố" if commune_type.lower() in ("phường", "thị trấn") else "thôn"
