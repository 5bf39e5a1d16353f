"""The consistency rules of the register (docs/REGISTER-FORMAT.md), with no Django import.

``RULES`` is the catalogue: every rule as data (its code, its severity, the field it
points at, its message).  The monthly form, the API and the importer check entries with
the functions below, so that a rule is written once:

- an **error** (``Severity.ERROR``) is impossible — an event in the future or before the
  person's birth, a birth to a man — and refuses the entry;
- a **warning** (``Severity.WARNING``) is doubtful but may be true — a birth order the
  register does not bear out, a marriage under the legal age — and is recorded (a
  ``Flag`` of ``register.flagging``) and listed for someone to check; it never refuses.

Each function returns ``Finding`` records; a finding's message is the rule's English
template with named placeholders, worded for people by the caller's gettext (the
templates are marked here with a local ``gettext_noop`` so that ``makemessages`` finds
them).  ``Finding.column`` is the field of the exchange format the rule points at.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from danso.register.vocabulary import EventType, Sex

MOTHER_AGE_MIN, MOTHER_AGE_MAX = 10, 60
#: The legal age of marriage (Luật Hôn nhân và gia đình 2014, art. 8): a man from 20
#: full years, a woman from 18.  A marriage younger is real and recorded, and counted
#: as child marriage (tảo hôn, ``indicators.tallying.MARRIAGE_AGE``).
MARRIAGE_AGE = {"M": 20, "F": 18}
#: Older than this (completed years) is doubtful.
AGE_MAX = 110
#: A citizen's identity number: 12 digits (căn cước công dân) or 9 (the old chứng
#: minh nhân dân).
ID_NUMBER = re.compile(r"\d{12}|\d{9}")


def gettext_noop(message: str) -> str:
    """Marks a message for ``makemessages``; the caller translates it."""
    return message


class Severity(StrEnum):
    ERROR = "error"  # impossible: the entry is refused
    WARNING = "warning"  # doubtful: the entry is recorded and flagged


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    field: str  # the column of the exchange format it points at
    message: str  # an English template with named placeholders


def _catalogue(*rules: Rule) -> dict[str, Rule]:
    return {rule.code: rule for rule in rules}


E, W = Severity.ERROR, Severity.WARNING
RULES: dict[str, Rule] = _catalogue(
    # ---- errors: impossible, refused
    Rule("future_date", E, "event_date", gettext_noop("The date %(day)s is in the future.")),
    Rule(
        "future_birth",
        E,
        "birth_date",
        gettext_noop("The date of birth %(day)s is in the future."),
    ),
    Rule(
        "born_after_registration",
        E,
        "birth_date",
        gettext_noop("The date of birth is after the date of registration."),
    ),
    Rule(
        "closed_book",
        E,
        "event_date",
        gettext_noop("The book of %(year)s is closed: change it through an amendment."),
    ),
    Rule(
        "before_birth",
        E,
        "event_date",
        gettext_noop("The event is before the person was born."),
    ),
    Rule(
        "screening_before_birth",
        E,
        "event_date",
        gettext_noop("A newborn screening before the birth."),
    ),
    Rule(
        "after_death",
        E,
        "event_date",
        gettext_noop("The event is after the person's death (%(day)s)."),
    ),
    Rule(
        "mother_female",
        E,
        "person_id",
        gettext_noop("A birth is recorded on the mother, who must be female."),
    ),
    Rule(
        "mother_age",
        E,
        "person_id",
        gettext_noop("The mother would be %(age)s at the birth; it must be between 10 and 60."),
    ),
    Rule("birth_order_min", E, "birth_order", gettext_noop("The birth order must be 1 or more.")),
    Rule(
        "child_birth_date",
        E,
        "child_person_id",
        gettext_noop(
            "The child's date of birth (%(born)s) is not the date of the birth (%(day)s)."
        ),
    ),
    Rule(
        "not_registered",
        E,
        "person_id",
        gettext_noop(
            "The person is not registered here on %(day)s "
            "(registered elsewhere, moved out or not yet in)."
        ),
    ),
    # ---- warnings: doubtful, recorded and flagged
    Rule(
        "birth_order_mismatch",
        W,
        "birth_order",
        gettext_noop(
            "Child number %(order)s of the mother, but the register already has "
            "%(earlier)s births of hers."
        ),
    ),
    Rule(
        "stop_without_start",
        W,
        "method",
        gettext_noop("A stop of %(method)s that the register never saw started."),
    ),
    Rule(
        "id_number_shape",
        W,
        "id_number",
        gettext_noop("The ID number %(value)s has neither 12 digits (CCCD) nor 9 (CMND)."),
    ),
    Rule(
        "id_number_used",
        W,
        "id_number",
        gettext_noop("Another person of the register (%(other)s) has the same ID number."),
    ),
    Rule(
        "age_over_110",
        W,
        "birth_date",
        gettext_noop("Aged %(age)s: over 110 years, check the date of birth."),
    ),
    Rule(
        "child_marriage",
        W,
        "person_id",
        gettext_noop(
            "Married at %(age)s, under the legal age (%(minimum)s): recorded and counted "
            "as child marriage."
        ),
    ),
)
del E, W


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
    severity: str = Severity.ERROR
    rule: str = ""  # the code in ``RULES``

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR


def finding(code: str, **params: object) -> Finding:
    """A finding of the catalogue's rule ``code`` with these placeholders."""
    rule = RULES[code]
    return Finding(
        rule.field,
        rule.message,
        tuple((name, str(value)) for name, value in params.items()),
        rule.severity,
        rule.code,
    )


def errors(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == Severity.ERROR]


def warnings(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == Severity.WARNING]


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


def day_text(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def event_findings(
    event_type: EventType,
    event_date: date,
    person: PersonFacts,
    *,
    child_birth_date: date | None = None,
    birth_order: int | None = None,
    check_registration: bool = True,
    today: date | None = None,
    warn: bool = False,
    earlier_births: int | None = None,
    method: str = "",
    running_methods: Collection[str] | None = None,
) -> list[Finding]:
    """Every rule ``event_type`` on ``event_date`` breaks for ``person``.

    Errors:

    - the event is not in the future (after ``today``, when given);
    - the event is not before the person's birth nor after their death;
    - a mother is female and aged 10–60 at a birth; the birth order is ≥ 1; the child's
      date of birth is the birth event's date;
    - the person is registered in this register on the event's day (not elsewhere), except
      for the events that bring a person in (move in).

    With ``warn``, the warnings too:

    - a birth order not above the number of the mother's births the register already has
      (``earlier_births``, when known);
    - a contraception stop of a ``method`` not among the ``running_methods`` (when known);
    - a marriage under the legal age (``MARRIAGE_AGE``).
    """
    findings: list[Finding] = []
    if today is not None and event_date > today:
        findings.append(finding("future_date", day=day_text(event_date)))
    if event_date < _earliest_possible_birth(person) and event_type is not (
        EventType.NEWBORN_SCREENING
    ):
        findings.append(finding("before_birth"))
    if event_type is EventType.NEWBORN_SCREENING and event_date < _earliest_possible_birth(person):
        findings.append(finding("screening_before_birth"))
    if person.death_date is not None and event_date > person.death_date:
        findings.append(finding("after_death", day=day_text(person.death_date)))
    if event_type is EventType.BIRTH:
        if person.sex != Sex.FEMALE:
            findings.append(finding("mother_female"))
        youngest = completed_years(_latest_possible_birth(person), event_date)
        oldest = completed_years(_earliest_possible_birth(person), event_date)
        if oldest < MOTHER_AGE_MIN or youngest > MOTHER_AGE_MAX:
            findings.append(finding("mother_age", age=oldest))
        if birth_order is not None and birth_order < 1:
            findings.append(finding("birth_order_min"))
        if child_birth_date is not None and child_birth_date != event_date:
            findings.append(
                finding(
                    "child_birth_date", born=day_text(child_birth_date), day=day_text(event_date)
                )
            )
    if (
        check_registration
        and event_type is not EventType.MOVE_IN
        and not registered_on(person, event_date)
    ):
        findings.append(finding("not_registered", day=day_text(event_date)))
    if warn:
        findings += event_warnings(
            event_type,
            event_date,
            person,
            birth_order=birth_order,
            earlier_births=earlier_births,
            method=method,
            running_methods=running_methods,
        )
    return findings


def event_warnings(
    event_type: EventType,
    event_date: date,
    person: PersonFacts,
    *,
    birth_order: int | None = None,
    earlier_births: int | None = None,
    method: str = "",
    running_methods: Collection[str] | None = None,
) -> list[Finding]:
    """The warnings of an event (see ``event_findings``)."""
    found: list[Finding] = []
    if (
        event_type is EventType.BIRTH
        and birth_order is not None
        and birth_order >= 1
        and earlier_births is not None
        and birth_order <= earlier_births
    ):
        found.append(finding("birth_order_mismatch", order=birth_order, earlier=earlier_births))
    if (
        event_type is EventType.CONTRACEPTION_STOP
        and method
        and running_methods is not None
        and method not in running_methods
    ):
        found.append(finding("stop_without_start", method=method))
    if event_type is EventType.MARRIAGE:
        minimum = MARRIAGE_AGE.get(person.sex, MARRIAGE_AGE["F"])
        age = completed_years(person.birth_date, event_date)
        if 0 <= age < minimum:
            found.append(finding("child_marriage", age=age, minimum=minimum))
    return found


def running_after(
    events: Sequence[tuple[EventType | str, str]], running: Collection[str] = ()
) -> set[str]:
    """The methods in use after ``events`` (contraception starts and stops of one person,
    in date order), from those ``running`` before them."""
    methods = set(running)
    for kind, method in events:
        if kind == EventType.CONTRACEPTION_START:
            methods.add(method)
        elif kind == EventType.CONTRACEPTION_STOP:
            methods.discard(method)
    return methods


def person_findings(
    *,
    birth_date: date,
    registered: date | None = None,
    id_number: str = "",
    today: date | None = None,
    death_date: date | None = None,
    id_used_by: str | None = None,
) -> list[Finding]:
    """Every rule a person's details break.

    Errors: a date of birth in the future (after ``today``) or after the registration.
    Warnings: an ID number of the wrong shape (``ID_NUMBER``) or used by another person
    (``id_used_by``, that person's id), an age over ``AGE_MAX`` on ``today`` (or at death).
    """
    findings: list[Finding] = []
    if today is not None and birth_date > today:
        findings.append(finding("future_birth", day=day_text(birth_date)))
    if registered is not None and birth_date > registered:
        findings.append(finding("born_after_registration"))
    number = id_number.strip()
    if number and not ID_NUMBER.fullmatch(number):
        findings.append(finding("id_number_shape", value=number))
    if number and id_used_by:
        findings.append(finding("id_number_used", other=id_used_by))
    if today is not None:
        on = min(today, death_date) if death_date is not None else today
        age = completed_years(birth_date, on)
        if age > AGE_MAX:
            findings.append(finding("age_over_110", age=age))
    return findings


def closed_year(
    year: int,
    paths: Collection[str],
    closures: Collection[tuple[int, int]],
) -> bool:
    """Whether the book of ``year`` is closed for an event whose household sat, in that
    year, in the units of ``paths`` (the unit's path on the event's day, and on the last
    day of the year).  The second path is the 2025 reform's: an old ward ended on
    30/06/2025, and its households went on in the new ward, whose book holds the whole
    year — closing it closes the first half-year too."""
    for path in paths:
        for part in path.split("."):
            if part and (int(part), year) in closures:
                return True
    return False
