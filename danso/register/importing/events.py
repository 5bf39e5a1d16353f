"""The first pass over events.csv: each row parsed and indexed (duplicate ids, events
already in the register, what each points at), and the events that change where a person
lives set aside to be settled in date order (``stays``)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from danso.listed import in_values
from danso.register import exchange
from danso.register.exchange import Row
from danso.register.importing.batch import BATCH, ImportBatch, chunks, lookup_size
from danso.register.importing.households import household_reference_problem, resolve_households
from danso.register.importing.persons import person_reference_problem, resolve_persons
from danso.register.importing.records import (
    BAD,
    BIRTH,
    CONTRACEPTION_START,
    CONTRACEPTION_STOP,
    DEATH,
    DIVORCE,
    DUPLICATE,
    MARRIAGE,
    MISSING,
    MOVE_IN,
    MOVE_OUT,
    MOVE_WITHIN,
    NEW,
    SAME,
    EventRow,
)
from danso.register.importing.rows import RowProblems, differing_extra_keys, worded_findings
from danso.register.models import Event
from danso.register.rules import day_text, finding
from danso.register.vocabulary import EVENT_COLUMNS, EventType, MaritalStatus, Method, Supply

EVENT_TYPES = {kind.value: kind for kind in EventType}
METHODS = tuple(m.value for m in Method)
SUPPLIES = tuple(s.value for s in Supply)
#: The event types that change where a person lives, with their order among the changes
#: of one day.
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


def parse_event(
    row: Row, unknown: Sequence[str], misplaced: list[str]
) -> tuple[EventRow | None, RowProblems]:
    """The event of a row of events.csv (None if it has problems); the format's
    columns that its type does not use are added to ``misplaced``."""
    problems = RowProblems()
    event_id = problems.required(row, "event_id", 64)
    raw_kind = problems.required(row, "event_type")
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
    day = problems.date_value(row, "event_date")
    person = problems.required(row, "person_id", 64)
    note = exchange.text(row.get("note", ""))
    if len(note) > 300:
        problems.too_long("note", note, 300)
    if kind is None or day is None:
        return None, problems
    event = EventRow(event_id, kind, day, person, note)
    used = USED_COLUMNS[kind]
    for column, value in row.items():
        if not value or column not in EXTRA_COLUMNS:
            continue
        if column in used:
            parse_event_column(event, column, value, problems)
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


def parse_event_column(event: EventRow, column: str, value: str, problems: RowProblems) -> None:
    """Parse one of the columns an event type reads into ``event`` (or a problem)."""
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
                problems.append((column, _("%(value)s is not a birth order.") % {"value": value}))
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


def event_reference_problems(batch: ImportBatch, event: EventRow) -> list[tuple[str, str]]:
    """Problems with what the event points at (person, child, spouse, households)."""
    problems = [p for p in [person_reference_problem(batch, event.person, "person_id")] if p]
    if event.kind is BIRTH:
        found = person_reference_problem(batch, event.child, "child_person_id")
        if found:
            problems.append(found)
    if event.spouse:
        i = batch.people.index.get(event.spouse)
        if i is not None and batch.people.state[i] == BAD:
            found = person_reference_problem(batch, event.spouse, "spouse_person_id")
            if found:
                problems.append(found)
    for column, source_id in (
        ("to_household_id", event.to_household),
        ("household_id", event.household),
    ):
        if source_id:
            found = household_reference_problem(batch, source_id, column)
            if found:
                problems.append(found)
    return problems


#: What ``stored_events`` gives for an event stored from a row of the same content.
UNCHANGED: tuple[Any, ...] = ()


def row_hash(event: EventRow) -> int:
    """The digest of an event's row, the same in every process (``Event.import_hash``): a
    signed 64-bit number."""
    digest = hashlib.blake2b(repr(event.content()).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def stored_events(
    batch: ImportBatch, source_ids: Sequence[str], hashes: Sequence[int] | None = None
) -> dict[str, tuple[Any, ...]]:
    """The events of danso with these ids, as the values ``event_differing_columns``
    compares; with the ``hashes`` of their rows (in the order of ``source_ids``), an event
    still as a row of the same hash made it is ``UNCHANGED``, without being read."""
    if not batch.has_events or not source_ids:
        return {}
    found: dict[str, tuple[Any, ...]] = {}
    if hashes is not None:
        wanted = dict(zip(source_ids, hashes, strict=True))
        table = connection.ops.quote_name(Event._meta.db_table)
        where, params = in_values("source_id", source_ids)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT source_id, import_hash FROM {table} WHERE {where}",  # noqa: S608 - our table
                params,
            )
            compare = []
            for source_id, stored_hash in cursor.fetchall():
                if stored_hash is not None and stored_hash == wanted[source_id]:
                    found[source_id] = UNCHANGED
                else:
                    compare.append(source_id)
        source_ids = compare
    for chunk in chunks(source_ids, lookup_size()):
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


def event_differing_columns(
    batch: ImportBatch, event: EventRow, stored: tuple[Any, ...]
) -> list[str]:
    """The columns in which ``event`` differs from the stored one."""
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
        ours_sex = chr(batch.people.sex[batch.people.index[event.child]])
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
    return differs + differing_extra_keys(event.extra, extra)


def read_events(batch: ImportBatch) -> None:
    """The first pass over events.csv: index it (see the module docstring)."""
    total = batch.book.count("events") if batch.book.has("events") else 0
    with batch.open_table("events") as opened:
        if opened is None:
            return
        table, unknown = opened
        done = 0
        for chunk in chunks(table.rows, BATCH):
            parsed: list[tuple[int, int, EventRow]] = []
            for line, row in chunk:
                ordinal = len(batch.ev_state)
                batch.ev_line.append(line)
                misplaced: list[str] = []
                event, problems = parse_event(row, unknown, misplaced)
                warn_misplaced_columns(batch, table.file, line, row, misplaced)
                if event is None:
                    batch.add_row_problems(table.file, line, problems)
                    batch.ev_state.append(BAD)
                    batch.ev_key.append(hash(row.get("event_id", "")) if row.get("event_id") else 0)
                    batch.ev_digest.append(hash(tuple(row.items())))
                    continue
                batch.ev_state.append(NEW)
                batch.ev_key.append(hash(event.event_id))
                batch.ev_digest.append(row_hash(event))  # stored as the event's import_hash
                parsed.append((ordinal, line, event))
            resolve_persons(
                batch, (s for _o, _l, e in parsed for s in (e.person, e.child, e.spouse))
            )
            resolve_households(
                batch, (s for _o, _l, e in parsed for s in (e.household, e.to_household))
            )
            stored = stored_events(
                batch,
                [e.event_id for _o, _l, e in parsed],
                [batch.ev_digest[o] for o, _l, _e in parsed],
            )
            for ordinal, line, event in parsed:
                index_event(batch, table.file, ordinal, line, event, stored.get(event.event_id))
            batch.spool_events([p for p in parsed if batch.ev_state[p[0]] == NEW])
            done += len(chunk)
            batch.report_progress("events_read", done, total)
        find_duplicate_events(batch, table.file)


def warn_misplaced_columns(
    batch: ImportBatch, file: str, line: int, row: Row, misplaced: list[str]
) -> None:
    """Warn once per column and event type about columns that type does not use."""
    kind = row.get("event_type", "").lower()
    for column in misplaced:
        if (column, kind) not in batch.warned:
            batch.warned.add((column, kind))
            batch.add_problem(
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
    batch: ImportBatch,
    file: str,
    ordinal: int,
    line: int,
    event: EventRow,
    stored: tuple[Any, ...] | None,
) -> None:
    """Set the state of a parsed event and remember its stay or marital change."""
    problems = event_reference_problems(batch, event)
    if problems:
        batch.add_row_problems(file, line, problems)
        batch.ev_state[ordinal] = BAD
        return
    if (
        event.spouse
        and batch.people.state[batch.people.index[event.spouse]] == MISSING
        and ("spouse", event.spouse) not in batch.warned
    ):
        batch.warned.add(("spouse", event.spouse))
        batch.add_problem(
            file,
            line,
            "spouse_person_id",
            _("The spouse %(id)s is not in the register; the id is kept as an extra attribute.")
            % {"id": event.spouse},
            "warning",
        )
    if stored is UNCHANGED:
        batch.ev_state[ordinal] = SAME
    elif stored is not None:
        differs = event_differing_columns(batch, event, stored)
        if differs:
            batch.report_conflict(file, line, event.event_id, differs)
            batch.ev_state[ordinal] = BAD
            return
        batch.ev_state[ordinal] = SAME
    elif event.day > batch.today:
        batch.add_row_problems(
            file, line, worded_findings([finding("future_date", day=day_text(event.day))])
        )
        batch.ev_state[ordinal] = BAD
        return
    i = batch.people.index[event.person]
    day = event.day.toordinal()
    if event.kind in MARRIAGE_STATUS:
        batch.marital_file[i].append(
            (day, line, MARRIAGE_STATUS[event.kind], batch.ev_state[ordinal] == NEW)
        )
    if batch.ev_state[ordinal] == NEW and event.kind in STAY_KINDS:
        target = event.household or event.to_household
        h = batch.household_index[target] if target else -1
        batch.changes[i].append((day, STAY_KINDS[event.kind], line, ordinal, event.kind, h))


def find_duplicate_events(batch: ImportBatch, file: str) -> None:
    """Rows with the same event_id: the same content is read once (a warning); different
    content is a conflict, and none of them is imported."""
    keys = batch.ev_key
    order = sorted((i for i in range(len(keys)) if keys[i]), key=keys.__getitem__)
    start = 0
    while start < len(order):
        end = start + 1
        while end < len(order) and keys[order[end]] == keys[order[start]]:
            end += 1
        if end - start > 1:
            group = sorted(order[start:end])
            first = group[0]
            conflict = any(batch.ev_digest[o] != batch.ev_digest[first] for o in group)
            for other in group[1:]:
                if conflict:
                    batch.add_problem(
                        file,
                        batch.ev_line[other],
                        "event_id",
                        _("The same event_id is also on line %(line)s, with different content.")
                        % {"line": batch.ev_line[first]},
                    )
                else:
                    batch.add_problem(
                        file,
                        batch.ev_line[other],
                        "event_id",
                        _("This row repeats line %(line)s; it is read once.")
                        % {"line": batch.ev_line[first]},
                        "warning",
                    )
                batch.ev_state[other] = BAD if conflict else DUPLICATE
            if conflict and batch.ev_state[first] != BAD:
                batch.add_problem(
                    file,
                    batch.ev_line[first],
                    "event_id",
                    _("The same event_id is also on line %(line)s, with different content.")
                    % {"line": batch.ev_line[group[1]]},
                )
                batch.ev_state[first] = BAD
        start = end
