"""Settling stays (memberships): the marital status of persons already in danso, each
person's new deaths and moves applied in date order and checked, and the first day of
each new household's placement."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from danso.register.importing.batch import ImportBatch
from danso.register.importing.persons import person_facts
from danso.register.importing.places import event_unit_problems
from danso.register.importing.records import (
    BAD,
    DEATH,
    MARITAL,
    MOVE_IN,
    MOVE_WITHIN,
    NEVER,
    NEW,
    RELATIONS,
    SAME,
    Stay,
    day_text,
)
from danso.register.importing.rows import worded_findings
from danso.register.rules import event_findings
from danso.register.vocabulary import EventType


def check_stored_marital_status(batch: ImportBatch) -> None:
    """A person already in the register must have the marital status the files give,
    once the files' marriages and divorces are applied (1.0; in 1.1 the status of
    persons.csv is after them: ``ImportBatch.status_is_current``)."""
    file = batch.book.file_name("persons")
    names: dict[int, str] | None = None
    for i, stored in batch.db_marital.items():
        if batch.people.state[i] != SAME:
            continue
        events = sorted(batch.marital_file.get(i, ()))
        expected = MARITAL[batch.people.marital[i]]
        for _when, _line, status, _new in events:
            if not batch.status_is_current:
                expected = status
        after = stored
        for _when, _line, status, new in events:
            if new:
                after = status
        if expected != after:
            if names is None:
                names = {j: source_id for source_id, j in batch.people.index.items()}
            batch.report_conflict(file, batch.people.line[i], names[i], ["marital_status"])
            batch.people.state[i] = BAD


def apply_stay_changes(batch: ImportBatch) -> None:
    """Apply each person's new deaths and moves in date order, checking each."""
    file = batch.book.file_name("events")
    people = batch.people
    for i, changes in batch.changes.items():
        if not people.usable(i):
            continue
        if i not in batch.stays:
            batch.stays[i] = (
                [
                    Stay(
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
            if batch.ev_state[ordinal] != NEW:
                continue
            problems = apply_stay_change(batch, i, day, kind, target, ordinal)
            if problems:
                batch.add_row_problems(file, line, problems)
                batch.ev_state[ordinal] = BAD
    batch.changes.clear()


def apply_stay_change(
    batch: ImportBatch, i: int, day: int, kind: EventType, target: int, ordinal: int
) -> list[tuple[str, str]]:
    """Apply one death or move to person ``i``'s stays, or the problems that prevent it."""
    stays = batch.stays[i]
    findings = event_findings(kind, date.fromordinal(day), person_facts(batch, i))
    if findings:
        return worded_findings(findings)
    covering = next((s for s in stays if s.start <= day and (s.end is None or day <= s.end)), None)
    if kind is MOVE_IN:
        if target < 0:
            target = batch.people.household[i]
        if covering is not None and covering.start == day and covering.pk == 0:
            if covering.household != target:
                return [
                    (
                        "household_id",
                        _("The person is registered in another household on that day."),
                    )
                ]
            batch.event_household[ordinal] = target
            return event_unit_problems(batch, target, day)
        if covering is not None:
            return [
                (
                    "person_id",
                    _("The person is already registered here on %(day)s.") % {"day": day_text(day)},
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
        problems = event_unit_problems(batch, target, day)
        if not problems:
            stays.append(Stay(target, day, None))
            batch.event_household[ordinal] = target
        return problems
    assert covering is not None  # the findings checked that the person is registered
    if covering.end is not None and covering.end != day:
        return [
            (
                "event_date",
                _("The register already ends this stay on %(day)s.")
                % {"day": day_text(covering.end)},
            )
        ]
    problems = event_unit_problems(batch, covering.household, day)
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
                    % {"day": day_text(covering.start)},
                )
            ]
        problems = event_unit_problems(batch, target, day)
        if problems:
            return [("to_household_id", message) for _column, message in problems]
        covering.end, covering.changed = day - 1, True
        stays.append(Stay(target, day, None))
    else:
        covering.end, covering.changed = day, True
        if kind is DEATH:
            batch.people.death[i] = day
    batch.event_household[ordinal] = covering.household
    return []


def set_household_starts(batch: ImportBatch) -> None:
    """A new household sits in its unit from the first day the book knows it."""
    people = batch.people
    starts: dict[int, int] = {}

    def seen(h: int, day: int) -> None:
        if day < starts.get(h, NEVER):
            starts[h] = day

    for i in range(len(people.state)):
        if not people.usable(i):
            continue
        stays = batch.stays.get(i)
        if stays is None:
            if people.state[i] == NEW:
                seen(people.household[i], people.registered[i])
        else:
            for stay in stays:
                if stay.pk == 0:
                    seen(stay.household, stay.start)
    for h, household in enumerate(batch.households):
        if household.state == NEW and household.book_placements is None:
            assert household.as_of is not None
            household.start = starts.get(h, household.as_of.toordinal())
