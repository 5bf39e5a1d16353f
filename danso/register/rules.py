"""The consistency rules of the register (docs/REGISTER-FORMAT.md), with no Django import.

Both the monthly form and the importer check events with these functions, so that a rule
is written once.  Each returns the problems as (column, message) pairs; the message is
English with named placeholders, worded for people by the caller's gettext.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from danso.register.vocabulary import EventType, Sex

MOTHER_AGE_MIN, MOTHER_AGE_MAX = 10, 60


@dataclass(frozen=True)
class PersonFacts:
    """What the rules need to know of a person."""

    sex: str
    birth_date: date
    birth_precision: str = "day"  # "day" | "month" | "year"
    death_date: date | None = None
    # (from, to) of each stay in this register's households; to None = still there
    stays: Sequence[tuple[date, date | None]] = ()


@dataclass(frozen=True)
class Finding:
    column: str
    message: str  # an English template
    params: tuple[tuple[str, str], ...] = ()


def completed_years(born: date, on: date) -> int:
    """Age in completed years on ``on``."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _earliest_possible_birth(person: PersonFacts) -> date:
    return person.birth_date  # a partial date is stored as its first day


def _latest_possible_birth(person: PersonFacts) -> date:
    if person.birth_precision == "year":
        return date(person.birth_date.year, 12, 31)
    if person.birth_precision == "month":
        month = person.birth_date.month
        next_month = date(person.birth_date.year + month // 12, month % 12 + 1, 1)
        return date.fromordinal(next_month.toordinal() - 1)
    return person.birth_date


def registered_on(person: PersonFacts, day: date) -> bool:
    return any(start <= day and (end is None or day <= end) for start, end in person.stays)


def event_findings(
    event_type: EventType,
    event_date: date,
    person: PersonFacts,
    *,
    child_birth_date: date | None = None,
    birth_order: int | None = None,
    check_registration: bool = True,
) -> list[Finding]:
    """Every rule ``event_type`` on ``event_date`` breaks for ``person``.

    - the event is not before the person's birth nor after their death;
    - a mother is female and aged 10–60 at a birth; the birth order is ≥ 1; the child's
      date of birth is the birth event's date;
    - the person is registered in this register on the event's day (not elsewhere), except
      for the events that bring a person in (move in).
    """
    findings: list[Finding] = []
    if event_date < _earliest_possible_birth(person) and event_type is not (
        EventType.NEWBORN_SCREENING
    ):
        findings.append(Finding("event_date", "The event is before the person was born."))
    if event_type is EventType.NEWBORN_SCREENING and event_date < _earliest_possible_birth(person):
        findings.append(Finding("event_date", "A newborn screening before the birth."))
    if person.death_date is not None and event_date > person.death_date:
        findings.append(
            Finding(
                "event_date",
                "The event is after the person's death (%(day)s).",
                (("day", f"{person.death_date:%d/%m/%Y}"),),
            )
        )
    if event_type is EventType.BIRTH:
        if person.sex != Sex.FEMALE:
            findings.append(
                Finding("person_id", "A birth is recorded on the mother, who must be female.")
            )
        youngest = completed_years(_latest_possible_birth(person), event_date)
        oldest = completed_years(_earliest_possible_birth(person), event_date)
        if oldest < MOTHER_AGE_MIN or youngest > MOTHER_AGE_MAX:
            findings.append(
                Finding(
                    "person_id",
                    "The mother would be %(age)s at the birth; it must be between 10 and 60.",
                    (("age", str(oldest)),),
                )
            )
        if birth_order is not None and birth_order < 1:
            findings.append(Finding("birth_order", "The birth order must be 1 or more."))
        if child_birth_date is not None and child_birth_date != event_date:
            findings.append(
                Finding(
                    "child_person_id",
                    "The child's date of birth (%(born)s) is not the date of the birth (%(day)s).",
                    (("born", f"{child_birth_date:%d/%m/%Y}"), ("day", f"{event_date:%d/%m/%Y}")),
                )
            )
    if (
        check_registration
        and event_type is not EventType.MOVE_IN
        and not registered_on(person, event_date)
    ):
        findings.append(
            Finding(
                "person_id",
                "The person is not registered here on %(day)s "
                "(registered elsewhere, moved out or not yet in).",
                (("day", f"{event_date:%d/%m/%Y}"),),
            )
        )
    return findings
