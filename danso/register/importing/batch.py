"""The batch being imported: the book, the report, the user's scope and every map of ids
that the passes fill in, with the plumbing they share (opening a table, reporting a
problem or the progress)."""

from __future__ import annotations

import json
import marshal
import tempfile
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from itertools import islice
from typing import IO, Any, TypeVar

from django.db import connection
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from danso.accounts.scope import unit_scope
from danso.listed import in_values
from danso.register import exchange
from danso.register.exchange import Book, Row, Table
from danso.register.importing.records import (
    BookVillage,
    Commune,
    EventRow,
    HouseholdRecord,
    People,
    Stay,
)
from danso.register.importing.report import Progress, RegisterImportReport
from danso.register.models import BookClosure, Event, Household, Person
from danso.register.vocabulary import EventType
from danso.units.models import UnitVersion
from danso.units.scope import Action, UnitScope
from danso.uploads import limit_message

T = TypeVar("T")

#: Rows read, looked up and inserted at a time.
BATCH = 5000


def lookup_size() -> int:
    """How many ids one ``__in`` lookup may carry (SQLite before 3.32 takes 999 values)."""
    return 900 if connection.vendor == "sqlite" else BATCH


def select_in(
    sql: str, column: str, values: Sequence[Any], params: Sequence[Any] = ()
) -> list[Any]:
    """The rows of ``sql`` (its ``{where}`` replaced by: ``column`` is one of ``values``;
    ``params`` are those of the placeholders before it), in chunks of ``IN_CHUNK`` values."""
    found: list[Any] = []
    with connection.cursor() as cursor:
        for chunk in chunks(values, IN_CHUNK):
            where, chunk_params = in_values(column, chunk)
            cursor.execute(sql.format(where=where), [*params, *chunk_params])
            found += cursor.fetchall()
    return found


def json_value(value: Any) -> Any:
    """A JSON column's value read by a plain cursor (text on SQLite)."""
    return json.loads(value) if isinstance(value, str) else value


#: Values looked up by one statement of ``select_in``.
IN_CHUNK = 20_000


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


EVENT_KINDS = {kind.value: kind for kind in EventType}


def event_fields(event: EventRow) -> tuple[Any, ...]:
    """An event's fields as ``marshal`` writes them (its day as an ordinal)."""
    return (
        event.event_id,
        event.kind.value,
        event.day.toordinal(),
        event.person,
        event.note,
        event.child,
        event.child_sex,
        event.birth_order,
        event.method,
        event.supply,
        event.new_acceptor,
        event.spouse,
        event.household,
        event.to_household,
        event.extra,
    )


class ImportBatch:
    """One import of a book: what it read so far and where it reports."""

    def __init__(
        self, book: Book, *, user: Any, report: RegisterImportReport, progress: Progress | None
    ) -> None:
        self.book = book
        self.user = user if getattr(user, "pk", None) else None
        self.report = report
        self.progress = progress
        self.today = timezone.localdate()
        self.scopes: dict[date, UnitScope] = {}
        self.communes: dict[tuple[str, date], Commune | None] = {}
        self.known_villages: dict[int, list[tuple[int, str, str, date, date | None, str]]] = {}
        self.villages: dict[tuple[int, str], BookVillage] = {}
        #: the ids of the villages the import made (``writing.write_villages``)
        self.created_villages: list[int] = []
        # 1.1: the rows of units.csv of each village_id, settled once all are read
        self.village_rows: dict[str, list[BookVillage]] = {}
        # 1.1 (a book with placements.csv): persons.csv gives the marital status of the
        # day the book was written, its marriages and divorces (and a spouse's death)
        # applied already; 1.0: the status of ``registered_on``, the events applied
        self.status_is_current = book.has("placements")
        self.placeholders = 0
        # unit id (< 0: a village to create) -> (from, to, path or parent id) ordinals
        self.versions: dict[int, list[tuple[int, int, str]]] = {}
        self.segments: dict[int, list[tuple[int, int, int]]] = {}
        self.closed: set[tuple[int, int]] = set()
        # unit id -> how a reform closed it (importing.reforms), read once
        self.closures: dict[int, Any] = {}
        self.households: list[HouseholdRecord] = []
        self.household_index: dict[str, int] = {}
        self.household_by_pk: dict[int, int] = {}
        self.people = People()
        self.stays: dict[int, list[Stay]] = {}
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
        # the rules' warnings on new rows, flagged once written: (kind, id, rule, params)
        self.pending_flags: list[tuple[str, str, str, dict[str, str]]] = []
        self.reason = f"import {book.name}"[:100]
        self.event_spool: IO[bytes] | None = None
        self.has_households = Household.objects.exists()
        self.has_persons = Person.objects.exists()
        self.has_events = Event.objects.exists()
        self.closed = set(BookClosure.objects.values_list("unit_id", "year"))
        first = UnitVersion.objects.aggregate(first=Min("valid_from"))["first"]
        self.tree_start = first.toordinal() if first else 0

    def spool_events(self, events: list[tuple[int, int, EventRow]]) -> None:
        """Keep parsed rows of events.csv (ordinal, line, event) on disk for the later
        passes, which then neither read the file nor parse its rows again."""
        if self.event_spool is None:
            self.event_spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        data = marshal.dumps([(o, line, *event_fields(e)) for o, line, e in events])
        self.event_spool.write(len(data).to_bytes(8, "little") + data)

    def spooled_events(self) -> Iterator[tuple[int, int, EventRow]]:
        """The rows kept by ``spool_events``, in their order."""
        spool = self.event_spool
        if spool is None:
            return
        spool.seek(0)
        kinds = EVENT_KINDS
        while size := int.from_bytes(spool.read(8), "little"):
            chunk = marshal.loads(spool.read(size))  # noqa: S302 - a file this import wrote
            for ordinal, line, event_id, kind, day, *rest in chunk:
                yield ordinal, line, EventRow(event_id, kinds[kind], date.fromordinal(day), *rest)

    def close(self) -> None:
        if self.event_spool is not None:
            self.event_spool.close()
            self.event_spool = None

    def report_progress(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, max(total, done))

    def add_problem(
        self, file: str, line: int | None, column: str | None, message: str, severity: str = "error"
    ) -> None:
        self.report.add(file, line, column, message, severity)

    @contextmanager
    def open_table(self, name: str) -> Iterator[tuple[Table, list[str]] | None]:
        """The table with its unknown columns, or None if it is absent or misses a
        required column (reported)."""
        if not self.book.has(name):
            yield None
            return
        with self.book.read(name) as table:
            missing = [c for c in exchange.REQUIRED[name] if c not in table.headers]
            for column in missing:
                self.add_problem(
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
                self.add_problem(table.file, 1, column, message % {"column": column}, "warning")
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
                self.add_problem(table.file, line, None, limit_message(wrong))

    def scope_on(self, on: date) -> UnitScope:
        """The user's unit scope on a day, looked up once per day."""
        if on not in self.scopes:
            self.scopes[on] = unit_scope(self.user, on)
        return self.scopes[on]

    def user_may(self, action: Action, path: str, on: date) -> bool:
        """Whether the user (if any) may do ``action`` in the unit at ``path`` on ``on``."""
        return self.user is None or self.scope_on(on).allows(action, path)

    def add_row_problems(self, file: str, line: int, problems: Iterable[tuple[str, str]]) -> None:
        for column, message in problems:
            self.add_problem(file, line, column, message)

    def report_conflict(self, file: str, line: int, source_id: str, columns: Sequence[str]) -> None:
        """Report that the row of ``source_id`` differs from the register in ``columns``."""
        self.add_problem(
            file,
            line,
            columns[0],
            _("%(id)s is already in the register with a different %(columns)s; it is not changed.")
            % {"id": source_id, "columns": ", ".join(columns)},
        )
