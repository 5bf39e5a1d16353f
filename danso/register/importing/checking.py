"""The second pass over events.csv: every other new event checked against the facts of
its person and where it counts; then the rules' warnings that need a person's history
(a birth order against the mother's births, a contraception stop against her starts),
and, once the import is written, its warnings recorded as flags (``write_flags``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.utils.translation import gettext as _

from danso.register import flagging
from danso.register.importing.batch import BATCH, ImportBatch, chunks, lookup_size
from danso.register.importing.events import (
    MARRIAGE_STATUS,
    STAY_KINDS,
    event_reference_problems,
)
from danso.register.importing.persons import person_facts, person_household_on
from danso.register.importing.places import event_unit
from danso.register.importing.records import (
    BAD,
    BIRTH,
    CONTRACEPTION_START,
    CONTRACEPTION_STOP,
    MARRIAGE,
    NEW,
    EventRow,
    day_text,
)
from danso.register.importing.rows import worded_findings
from danso.register.models import Event
from danso.register.rules import (
    Finding,
    PersonFacts,
    event_findings,
    event_warnings,
    running_after,
)
from danso.register.vocabulary import EventType

#: A new event that the history of its person may make doubtful: (day, line, event id,
#: type, birth order, method).
Pending = tuple[int, int, str, EventType, int | None, str]
HISTORY_KINDS = (BIRTH, CONTRACEPTION_START, CONTRACEPTION_STOP)


def check_events(batch: ImportBatch) -> None:
    """The second pass over events.csv: check every new event but the deaths and moves."""
    if not batch.ev_state:
        return
    total = len(batch.ev_state)
    history: dict[int, list[Pending]] = defaultdict(list)
    file = batch.book.file_name("events")
    step = 0
    for ordinal, line, event in batch.spooled_events():
        if ordinal >= step:
            batch.report_progress("events_check", ordinal, total)
            step = ordinal + BATCH
        if batch.ev_state[ordinal] != NEW:
            continue
        problems = check_event(batch, ordinal, event)
        if problems:
            batch.add_row_problems(file, line, problems)
            batch.ev_state[ordinal] = BAD
            continue
        i = batch.people.index[event.person]
        if event.kind in MARRIAGE_STATUS:
            batch.marital_new[i].append((event.day.toordinal(), line, MARRIAGE_STATUS[event.kind]))
        if event.kind is MARRIAGE:
            facts = PersonFacts(chr(batch.people.sex[i]), date.fromordinal(batch.people.birth[i]))
            warn(batch, file, line, event, event_warnings(MARRIAGE, event.day, facts))
        elif event.kind in HISTORY_KINDS:
            history[i].append(
                (
                    event.day.toordinal(),
                    line,
                    event.event_id,
                    event.kind,
                    event.birth_order,
                    event.method,
                )
            )
    batch.report_progress("events_check", total, total)
    check_histories(batch, file, history)


def warn(batch: ImportBatch, file: str, line: int, event: EventRow, found: list[Finding]) -> None:
    """Report the warnings of a new event at its row, to be flagged once it is written."""
    for f in found:
        batch.add_problem(
            file, line, f.column, flagging.rule_message(f.message, dict(f.params)), "warning"
        )
        batch.pending_flags.append(("event", event.event_id, f.rule, dict(f.params)))


def check_histories(batch: ImportBatch, file: str, history: dict[int, list[Pending]]) -> None:
    """The warnings of new births and contraception stops against each person's history:
    the events of the register (read per batch of persons) and those of the files."""
    people = batch.people
    stored: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    known = sorted({people.pk[i] for i in history if people.pk[i]})
    by_pk = {people.pk[i]: i for i in history if people.pk[i]}
    for chunk in chunks(known, lookup_size()):
        rows = (
            Event.objects.filter(person_id__in=chunk, event_type__in=HISTORY_KINDS)
            .order_by("person_id", "event_date", "pk")
            .values_list("person_id", "event_date", "event_type", "method")
        )
        for person_id, when, kind, method in rows:
            stored[by_pk[person_id]].append((when.toordinal(), kind, method))
    facts = PersonFacts("F", date.min)
    for i, new in history.items():
        # the register's events of a day come before the files' (in the order of lines)
        merged: list[tuple[int, int, int, str, str, Pending | None]] = [
            (day, 0, n, kind, method, None) for n, (day, kind, method) in enumerate(stored[i])
        ]
        merged += [(p[0], 1, p[1], p[3], p[5], p) for p in new]
        merged.sort(key=lambda row: row[:3])
        births = 0
        running: set[str] = set()
        for _day, _source, _order, kind, method, pending in merged:
            if kind == BIRTH:
                births += 1  # the births of that day and before, this one too
            if pending is not None:
                day, line, event_id, event_kind, order, _method = pending
                found = event_warnings(
                    event_kind,
                    date.fromordinal(day),
                    facts,
                    birth_order=order,
                    earlier_births=births - 1 if kind == BIRTH else None,
                    method=method,
                    running_methods=running,
                )
                for f in found:
                    batch.add_problem(
                        file,
                        line,
                        f.column,
                        flagging.rule_message(f.message, dict(f.params)),
                        "warning",
                    )
                    batch.pending_flags.append(("event", event_id, f.rule, dict(f.params)))
            running = running_after([(kind, method)], running)


def write_flags(batch: ImportBatch) -> None:
    """Record the warnings of the rows written as flags (in the import's transaction)."""
    if batch.pending_flags:
        flagging.flag_imported(batch.pending_flags, user=batch.user, today=batch.today)


def check_event(batch: ImportBatch, ordinal: int, event: EventRow) -> list[tuple[str, str]]:
    """The problems of a new event against its person's facts and where it counts."""
    problems = event_reference_problems(batch, event)
    if problems:
        return problems
    if event.kind in STAY_KINDS:
        return []  # checked when the stays were settled
    i = batch.people.index[event.person]
    day = event.day.toordinal()
    child_born: date | None = None
    c = -1
    if event.kind is BIRTH:
        c = batch.people.index[event.child]
        child_born = date.fromordinal(batch.people.birth[c])
    found = worded_findings(
        event_findings(
            event.kind,
            event.day,
            person_facts(batch, i),
            child_birth_date=child_born,
            birth_order=event.birth_order,
        )
    )
    if found:
        return found
    h = person_household_on(batch, i, day)
    if h is None:
        return [("person_id", _("The person is not registered here then."))]
    unit_id, reason = event_unit(batch, h, day)
    if unit_id is None:
        return [("event_date", reason)]
    if c >= 0:
        return check_birth_child(batch, event, c, h, day)
    return []


def check_birth_child(
    batch: ImportBatch, event: EventRow, c: int, h: int, day: int
) -> list[tuple[str, str]]:
    """The problems of a birth's child row: its sex, its day and household of registration."""
    people = batch.people
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
                    % {"registered": day_text(people.registered[c])},
                )
            )
        elif person_household_on(batch, c, day) != h:
            problems.append(
                (
                    "child_person_id",
                    _("The child is registered in another household than the mother's."),
                )
            )
    return problems
