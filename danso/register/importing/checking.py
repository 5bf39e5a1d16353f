"""The second pass over events.csv: every other new event checked against the facts of
its person and where it counts."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from danso.register import exchange
from danso.register.importing.batch import BATCH, ImportBatch
from danso.register.importing.events import (
    MARRIAGE_STATUS,
    STAY_KINDS,
    event_reference_problems,
    parse_event,
)
from danso.register.importing.persons import person_facts, person_household_on
from danso.register.importing.places import event_unit
from danso.register.importing.records import BAD, BIRTH, NEW, EventRow, day_text
from danso.register.importing.rows import worded_findings
from danso.register.rules import event_findings


def check_events(batch: ImportBatch) -> None:
    """The second pass over events.csv: check every new event but the deaths and moves."""
    if not batch.ev_state:
        return
    total = len(batch.ev_state)
    with batch.book.read("events") as table:
        unknown = [c for c in table.headers if c not in exchange.KNOWN["events"]]
        ordinal = -1
        for line, row in table.rows:
            ordinal += 1
            if ordinal % BATCH == 0:
                batch.report_progress("events_check", ordinal, total)
            if batch.ev_state[ordinal] != NEW:
                continue
            event, _problems = parse_event(row, unknown, [])
            assert event is not None
            assert batch.ev_line[ordinal] == line
            problems = check_event(batch, ordinal, event)
            if problems:
                batch.add_row_problems(table.file, line, problems)
                batch.ev_state[ordinal] = BAD
            elif event.kind in MARRIAGE_STATUS:
                i = batch.people.index[event.person]
                batch.marital_new[i].append(
                    (event.day.toordinal(), line, MARRIAGE_STATUS[event.kind])
                )
        batch.report_progress("events_check", total, total)


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
