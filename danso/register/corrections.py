"""Correcting and withdrawing entries of the book, with a trail (issue 14, point 5).

An event's date, its type-specific fields, its person and (for a move in) its household,
and a person's details, can be corrected; an event can be withdrawn.  Each change needs a
reason and leaves a ``Correction``: what each field was and became, who, when, why.  The
event's type is never corrected: withdraw it and record the right one.

**Who.**  Whoever may edit the entry today — ``EDIT_REGISTER`` on the person's current
household, the check of recording an event (the collaborator of the village, the commune
officer, the district officer for paper books, the administrator) — in an open year.  In a
year whose book is closed (``BookClosure``), the change is an *amendment*
(``Correction.amendment``) and needs the right to close that book, ``ACCEPT_COLLECTION``
(the commune officer, the administrator): the closed year's figures went up the chain, so
the one who closed it changes it; a collaborator asks them.

**What follows.**  What recording the event changed (``services._apply``) follows the
correction or goes with the withdrawal: a death or a move out ended a stay (it ends on the
new date, or is open again), a move in opened one, a move within the commune ended one
and opened another, a birth made the child's record and stay (the child's date of birth,
sex and household follow), a marriage or divorce set the marital status (given back on
withdrawal).  The corrected event is checked against the rules again (an error refuses
it), its unit and path are fixed again from its household on the new date, and every
other event of the persons concerned is checked too: a correction that would make another
entry impossible is refused, naming it.  Where a change cannot be made safely — a birth
whose child already has events of their own, a move out followed by a stay elsewhere —
it is refused with what to do first.

**Figures.**  The cached tallies of the old and the new unit, from the earlier of the old
and the new date, go at once (``signals.register_changed``), besides what the saved and
deleted rows' own signals forget.

**Trail.**  ``Correction`` rows, and the models' history with the reason as its change
reason.  A withdrawn event is deleted from the book; its correction keeps every field and
its id, and stays on its person's page.  The older ``Amendment`` rows (notes of closed
years changed before corrections existed) are kept and shown too; nothing is migrated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext

from danso.accounts.scope import SYSTEM, actor_scope
from danso.audit import acting_as, recorded_user, system_actor
from danso.register import flagging, privacy, services
from danso.register.models import (
    EVENT_LABELS,
    BookClosure,
    Correction,
    Event,
    Flag,
    Household,
    HouseholdPlacement,
    Membership,
    Person,
)
from danso.register.rules import (
    Finding,
    PersonFacts,
    closed_year,
    event_findings,
    person_findings,
    running_after,
)
from danso.register.signals import register_changed
from danso.register.vocabulary import (
    EVENT_COLUMNS,
    MaritalStatus,
    Method,
    Residence,
    Sex,
    Supply,
)
from danso.register.vocabulary import EventType as T
from danso.units.scope import Action
from danso.vietnamese import fold

ONE_DAY = timedelta(days=1)

#: What a field of a correction holds (how its typed value is read).
DATE, TEXT, NUMBER, YES_NO, SEX, METHOD, SUPPLY, PERSON, HOUSEHOLD = (
    "date",
    "text",
    "number",
    "yes_no",
    "sex",
    "method",
    "supply",
    "person",
    "household",
)
PARTIAL_DATE, MARITAL, RESIDENCE = "partial_date", "marital", "residence"

#: The fields of an event that can be corrected (the exchange format's columns), with
#: their kind and their label.
EVENT_FIELDS: dict[str, tuple[str, Any]] = {
    "event_date": (DATE, _lazy("date")),
    "note": (TEXT, _lazy("note")),
    "person_id": (PERSON, _lazy("person")),
    "household_id": (HOUSEHOLD, _lazy("household joined")),
    "child_sex": (SEX, _lazy("child's sex")),
    "birth_order": (NUMBER, _lazy("birth order")),
    "place": (TEXT, _lazy("place of birth")),
    "from_place": (TEXT, _lazy("moved from")),
    "to_place": (TEXT, _lazy("moved to")),
    "to_household_id": (HOUSEHOLD, _lazy("household moved to")),
    "spouse_person_id": (PERSON, _lazy("spouse")),
    "consanguineous": (YES_NO, _lazy("consanguineous")),
    "expected_date": (DATE, _lazy("expected date")),
    "result": (TEXT, _lazy("result")),
    "method": (METHOD, _lazy("method")),
    "supply": (SUPPLY, _lazy("supply")),
    "new_acceptor": (YES_NO, _lazy("new acceptor")),
}
#: The details of a person that can be corrected.
PERSON_FIELDS: dict[str, tuple[str, Any]] = {
    "full_name": (TEXT, _lazy("full name")),
    "sex": (SEX, _lazy("sex")),
    "birth_date": (PARTIAL_DATE, _lazy("date of birth")),
    "ethnicity": (TEXT, _lazy("ethnicity")),
    "id_number": (TEXT, _lazy("ID number")),
    "marital_status": (MARITAL, _lazy("marital status")),
    "residence_status": (RESIDENCE, _lazy("residence")),
}
#: Other names a field may be given by (``--set person=…``).
ALIASES = {
    "date": "event_date",
    "person": "person_id",
    "household": "household_id",
    "to_household": "to_household_id",
    "spouse": "spouse_person_id",
    "spouse_id": "spouse_person_id",
}
#: Details whose change moves figures (the others never make an amendment).
COUNTED_DETAILS = frozenset({"sex", "birth_date", "marital_status", "residence_status"})
#: Fields shown only to a reader who sees the person in full (the trail shows ``***``).
MASKED = frozenset(
    {"full_name", "id_number", "birth_date", "note", "place", "from_place", "to_place", "result"}
)
#: Where the extra columns of an event are kept (``Event.extra``).
EXTRA = frozenset({"place", "from_place", "to_place", "consanguineous", "expected_date", "result"})
YES = frozenset({"1", "true", "yes", "y", "x", "có", "co", "c"})
NO = frozenset({"0", "false", "no", "n", "không", "khong", "k"})
STAYING = (T.DEATH, T.MOVE_OUT, T.MOVE_IN, T.MOVE_WITHIN)


def label(field: str) -> str:
    """The field's name on screen."""
    spec = EVENT_FIELDS.get(field) or PERSON_FIELDS.get(field)
    return str(spec[1]) if spec else field


def event_fields(event_type: str) -> list[str]:
    """The fields of an event of ``event_type`` that can be corrected."""
    kind = T(event_type)
    columns = set(EVENT_COLUMNS[kind]) - {"child_person_id"}
    if kind is T.MOVE_IN:
        columns.add("household_id")
    if kind in (T.DEATH, T.MOVE_OUT):
        columns.add("to_place")  # recorded for a death too (services._apply)
    return [f for f in EVENT_FIELDS if f in columns or f in ("event_date", "note", "person_id")]


# ---------------------------------------------------------------- reading values


def parse_day(value: object) -> date:
    """A date typed the Vietnamese way (dd/mm/yyyy) or as ISO (yyyy-mm-dd)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar day
        except ValueError:
            continue
    raise ValueError(_("%(value)s is not a date (dd/mm/yyyy).") % {"value": text or "—"})


def parse_partial_day(value: object) -> tuple[date, str]:
    """A date of birth, maybe partial: dd/mm/yyyy, mm/yyyy, yyyy or their ISO forms."""
    if isinstance(value, tuple):
        return value
    if isinstance(value, date):
        return value, "day"
    text = str(value).strip()
    for fmt, precision in (("%Y", "year"), ("%m/%Y", "month"), ("%Y-%m", "month")):
        try:
            return datetime.strptime(text, fmt).date(), precision  # noqa: DTZ007
        except ValueError:
            continue
    return parse_day(text), "day"


def _choice(value: object, allowed: set[str], words: dict[str, str] | None = None) -> str:
    text = str(value or "").strip()
    key = (words or {}).get(text.casefold(), text)
    if key not in allowed:
        raise ValueError(
            _("Unknown value %(value)s: one of %(allowed)s.")
            % {"value": text or "—", "allowed": ", ".join(sorted(allowed - {""}))}
        )
    return key


def parse_value(field: str, value: object) -> Any:
    """The typed value of ``field`` given as text (a command's ``--set``, a form) or
    already typed; ``ValueError`` with a message in words for a value that is not one."""
    spec = EVENT_FIELDS.get(field) or PERSON_FIELDS.get(field)
    if spec is None:
        raise ValueError(_("Unknown field %(field)s.") % {"field": field})
    kind = spec[0]
    if kind == DATE:
        return None if value in (None, "") and field == "expected_date" else parse_day(value)
    if kind == PARTIAL_DATE:
        return parse_partial_day(value)
    if kind == TEXT:
        return str(value or "").strip()
    if kind == NUMBER:
        if value in (None, ""):
            return None
        text = str(value).strip()
        if not text.isdigit():
            raise ValueError(_("%(value)s is not a whole number.") % {"value": text})
        return int(text)
    if kind == YES_NO:
        if isinstance(value, bool) or value is None:
            return value
        text = str(value).strip().casefold()
        if text == "":
            return None
        if text in YES or text in NO:
            return text in YES
        raise ValueError(
            _("%(value)s is neither yes (1, có) nor no (0, không).") % {"value": value}
        )
    if kind == SEX:
        words = {"m": "M", "nam": "M", "f": "F", "nữ": "F", "nu": "F"}
        return _choice(value, {Sex.MALE.value, Sex.FEMALE.value}, words)
    if kind == METHOD:
        return _choice(value, {m.value for m in Method})
    if kind == SUPPLY:
        return _choice(value, {"", *(s.value for s in Supply)})
    if kind == MARITAL:
        return _choice(value, {"", *(s.value for s in MaritalStatus)})
    if kind == RESIDENCE:
        return _choice(value, {"", *(s.value for s in Residence)})
    if kind == PERSON:
        if isinstance(value, Person) or (value in (None, "") and field == "spouse_person_id"):
            return value or None
        person = Person.objects.filter(source_id=str(value).strip()).first()
        if person is None:
            raise ValueError(_("No person with the id %(value)s.") % {"value": value})
        return person
    if isinstance(value, Household):
        return value
    household = Household.objects.filter(source_id=str(value).strip()).first()
    if household is None:
        raise ValueError(_("No household with the id %(value)s.") % {"value": value})
    return household


def jsonable(value: Any) -> Any:
    """A value as the trail keeps it: dates in ISO, persons and households by their id."""
    if isinstance(value, Person | Household):
        return value.source_id
    if isinstance(value, tuple):  # a date of birth and its precision
        day, precision = value
        return {"year": f"{day:%Y}", "month": f"{day:%Y-%m}"}.get(precision, day.isoformat())
    if isinstance(value, date):
        return value.isoformat()
    return value


def shown(field: str, value: Any) -> str:
    """A value of the trail as people read it (dates dd/mm/yyyy, yes/no in words)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(pgettext("answer", "yes") if value else pgettext("answer", "no"))
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return f"{date.fromisoformat(value):%d/%m/%Y}"
        except ValueError:
            return value
    if isinstance(value, str) and len(value) == 7 and value[4] == "-":
        return f"{value[5:]}/{value[:4]}"
    if field == "event_type" and isinstance(value, str) and value in set(T):
        return str(EVENT_LABELS[T(value)])
    return str(value)


# ---------------------------------------------------------------- who may


def _may(actor: Any, person: Person, action: Action, today: date) -> bool:
    scope = actor_scope(actor, today)
    return privacy.person_allows(scope, person, action, None if actor is SYSTEM else actor)


def _check_allowed(actor: Any, persons: list[Person], amendment: bool, today: date) -> None:
    for person in persons:
        if not _may(actor, person, Action.EDIT_REGISTER, today):
            raise PermissionDenied(_("You may not change this record."))
        if amendment and not _may(actor, person, Action.ACCEPT_COLLECTION, today):
            raise PermissionDenied(
                _(
                    "The year's book is closed: only the commune officer who closes the "
                    "book may amend it. Ask them."
                )
            )


def _made_by(actor: Any) -> Any:
    if actor is SYSTEM or actor is None:
        return system_actor() if actor is SYSTEM else recorded_user(None)
    return actor


# ---------------------------------------------------------------- closed books


def event_closed(household: Household | None, unit_id: int, day: date) -> bool:
    """Whether the book holding an event of ``household`` on ``day`` in ``unit_id`` is
    closed (``services.closed_paths``, ``rules.closed_year``)."""
    if household is None:
        paths = [services.unit_path_on(unit_id, day)]
    else:
        paths = services.closed_paths(household, unit_id, day)
    ids = {int(i) for path in paths for i in path.split(".") if i}
    closures = set(
        BookClosure.objects.filter(unit_id__in=ids, year=day.year).values_list("unit_id", "year")
    )
    return closed_year(day.year, paths, closures)


def _event_household(event: Event) -> Household | None:
    """The household an event was counted in (as ``services._household_for`` chose it)."""
    if event.event_type == T.MOVE_IN:
        stay = _move_in_stay(event)
        return stay.household if stay else None
    if event.event_type == T.MOVE_WITHIN:
        stay = _left_stay(event)
        if stay is not None:
            return stay.household
    stay = services.membership_on(event.person, event.event_date)
    return stay.household if stay else None


def person_closed(person: Person) -> bool:
    """Whether a book in which the person was counted is closed for a year they were in
    it: their households' units, and the units where their events counted."""
    stays = list(person.memberships.select_related("household"))
    if not stays:
        return False
    first = min(s.valid_from for s in stays).year
    paths = set(person.events.values_list("path", flat=True))
    for stay in stays:
        for placement in stay.household.placements.all():
            day = max(placement.valid_from, stay.valid_from)
            try:
                paths.add(services.unit_path_on(placement.unit_id, day))
            except ValidationError:
                continue
    ids = {int(i) for path in paths for i in path.split(".") if i}
    return BookClosure.objects.filter(unit_id__in=ids, year__gte=first).exists()


# ---------------------------------------------------------------- the rules again


def _facts(person: Person, without: int | None) -> PersonFacts:
    deaths = Event.objects.filter(person=person, event_type=T.DEATH)
    if without is not None:
        deaths = deaths.exclude(pk=without)
    death = deaths.values_list("event_date", flat=True).first()
    stays = list(Membership.objects.filter(person=person).values_list("valid_from", "valid_to"))
    return PersonFacts(person.sex, person.birth_date, person.birth_precision, death, stays)


def _is_error(found: Finding) -> bool:
    return getattr(found, "severity", "error") == "error"


def _findings(event: Event, today: date) -> list[Finding]:
    """The rules the event breaks as it now stands (itself left out of the register)."""
    person = event.person
    kind = T(event.event_type)
    earlier = None
    if kind is T.BIRTH:
        earlier = (
            Event.objects.filter(
                person=person, event_type=T.BIRTH, event_date__lte=event.event_date
            )
            .exclude(pk=event.pk)
            .count()
        )
    running = None
    if kind is T.CONTRACEPTION_STOP:
        running = running_after(
            list(
                Event.objects.filter(
                    person=person,
                    event_type__in=[T.CONTRACEPTION_START, T.CONTRACEPTION_STOP],
                    event_date__lte=event.event_date,
                )
                .exclude(pk=event.pk)
                .order_by("event_date", "pk")
                .values_list("event_type", "method")
            )
        )
    child_born = event.child.birth_date if event.child_id and event.child else None
    return event_findings(
        kind,
        event.event_date,
        _facts(person, event.pk if kind is T.DEATH else None),
        child_birth_date=child_born,
        birth_order=event.birth_order,
        today=today,
        warn=True,
        earlier_births=earlier,
        method=event.method,
        running_methods=running,
    )


def _others_broken(persons: list[Person], without: int | None) -> set[tuple[str, str, str]]:
    """The errors the other events of ``persons`` have in the register as it stands:
    (event id, rule, message in words)."""
    found: set[tuple[str, str, str]] = set()
    for person in persons:
        others = Event.objects.filter(person=person).order_by("pk")
        if without is not None:
            others = others.exclude(pk=without)
        for other in others:
            kind = T(other.event_type)
            facts = _facts(person, other.pk if kind is T.DEATH else None)
            for f in event_findings(kind, other.event_date, facts):
                if _is_error(f):
                    words = flagging.rule_message(f.message, dict(f.params))
                    found.add((other.source_id, f.rule or f.message, words))
    return found


def _refuse_new_errors(
    before: set[tuple[str, str, str]], persons: list[Person], without: int | None
) -> None:
    after = _others_broken(persons, without)
    new = sorted(after - before)
    if new:
        event_id, _rule, words = new[0]
        raise ValidationError(
            _(
                "The event %(event)s would then be wrong: %(problem)s Correct or withdraw "
                "that event first."
            )
            % {"event": event_id, "problem": words}
        )


# ---------------------------------------------------------------- stays an event made


def _ended_stay(person: Person, day: date) -> Membership | None:
    """The stay a death or a move out on ``day`` ended."""
    return Membership.objects.filter(person=person, valid_to=day).order_by("-pk").first()


def _move_in_stay(event: Event) -> Membership | None:
    return (
        Membership.objects.filter(person=event.person, valid_from=event.event_date)
        .order_by("-pk")
        .first()
    )


def _left_stay(event: Event) -> Membership | None:
    """The stay a move within the commune ended (the day before it)."""
    return (
        Membership.objects.filter(person=event.person, valid_to=event.event_date - ONE_DAY)
        .order_by("-pk")
        .first()
    )


def _joined_stay(event: Event) -> Membership | None:
    """The stay a move within the commune opened."""
    return (
        Membership.objects.filter(person=event.person, valid_from=event.event_date)
        .order_by("-pk")
        .first()
    )


def _later_stay(person: Person, stay: Membership) -> Membership | None:
    return (
        Membership.objects.filter(person=person, valid_from__gt=stay.valid_from)
        .exclude(pk=stay.pk)
        .order_by("valid_from")
        .first()
    )


def _earlier_stay(person: Person, stay: Membership) -> Membership | None:
    return (
        Membership.objects.filter(person=person, valid_from__lt=stay.valid_from)
        .exclude(pk=stay.pk)
        .order_by("-valid_from")
        .first()
    )


def _stay_for(person: Person, day: date) -> Membership:
    stay = services.membership_on(person, day)
    if stay is None:
        raise ValidationError(
            {"person_id": [_("The person is not registered here on %(day)s.") % _day(day)]}
        )
    return stay


def _day(day: date) -> dict[str, str]:
    return {"day": f"{day:%d/%m/%Y}"}


class _Saver:
    """Saves and deletes rows with the correction's reason in their history."""

    def __init__(self, reason: str) -> None:
        self.reason = reason[:100]  # the history table's column is 100 long

    def save(self, row: Any, fields: list[str] | None = None) -> None:
        row._change_reason = self.reason
        try:
            if isinstance(row, Membership) and row.valid_to and row.valid_to < row.valid_from:
                raise ValidationError(
                    _("A stay would end (%(end)s) before it begins (%(start)s).")
                    % {"end": f"{row.valid_to:%d/%m/%Y}", "start": f"{row.valid_from:%d/%m/%Y}"}
                )
            row.save(update_fields=fields) if fields else row.save()
        finally:
            row.__dict__.pop("_change_reason", None)

    def delete(self, row: Any) -> None:
        row._change_reason = self.reason
        row.delete()


# ---------------------------------------------------------------- marital status


def _marital_without(person: Person, event: Event) -> str:
    """The person's marital status without ``event``: what their latest other marriage or
    divorce made it, else what it was before the event was recorded."""
    latest = (
        Event.objects.filter(person=person, event_type__in=[T.MARRIAGE, T.DIVORCE])
        .exclude(pk=event.pk)
        .order_by("-event_date", "-pk")
        .first()
    )
    if latest is not None:
        return MaritalStatus.MARRIED if latest.event_type == T.MARRIAGE else MaritalStatus.DIVORCED
    # the state before: the last recorded state, up to the event, other than what the
    # event itself made it (``services._apply`` saves the person just before the event)
    made = _marital_with(event)
    records = person.history.filter(history_date__lte=event.created_at).order_by("-history_date")
    states = [str(s) for s in records.values_list("marital_status", flat=True)]
    if made in states:
        at = states.index(made)  # the event's own change; the one before it is the answer
        return states[at + 1] if at + 1 < len(states) else person.marital_status
    return states[0] if states else person.marital_status


def _marital_with(event: Event) -> str:
    return MaritalStatus.MARRIED if event.event_type == T.MARRIAGE else MaritalStatus.DIVORCED


# ---------------------------------------------------------------- events


def _canonical(field: str) -> str:
    name = field.strip()
    return ALIASES.get(name, name)


def _wanted(changes: dict[str, Any], allowed: list[str], what: str) -> dict[str, Any]:
    """The typed new values of ``changes`` (field names checked against ``allowed``)."""
    wanted: dict[str, Any] = {}
    problems: dict[str, list[str]] = {}
    for given, value in changes.items():
        field = _canonical(given)
        if field in ("event_type", "type"):
            raise ValidationError(
                {
                    "event_type": [
                        _(
                            "The type of an event is not corrected: withdraw this event and "
                            "record the right one."
                        )
                    ]
                }
            )
        if field not in allowed:
            problems.setdefault(field, []).append(
                _("%(field)s cannot be corrected on %(what)s; these can: %(allowed)s.")
                % {"field": field, "what": what, "allowed": ", ".join(allowed)}
            )
            continue
        try:
            wanted[field] = parse_value(field, value)
        except ValueError as error:
            problems.setdefault(field, []).append(f"{label(field)}: {error}")
    if problems:
        raise ValidationError(problems)
    return wanted


def _extra_value(event: Event, field: str) -> Any:
    value = event.extra.get(field)
    if field == "expected_date":
        return date.fromisoformat(value) if value else None
    if field == "consanguineous":
        return value if isinstance(value, bool) else None
    return value or ""


def event_value(event: Event, field: str) -> Any:
    """The value ``field`` has on ``event`` now, typed as ``parse_value`` gives it."""
    if field == "event_date":
        return event.event_date
    if field == "person_id":
        return event.person
    if field == "spouse_person_id":
        return event.spouse
    if field == "household_id":
        stay = _move_in_stay(event)
        return stay.household if stay else None
    if field == "to_household_id":
        source = event.extra.get("to_household_id")
        return Household.objects.filter(source_id=source).first() if source else None
    if field in EXTRA:
        return _extra_value(event, field)
    value = getattr(event, field)
    return "" if value is None and field in ("note", "child_sex", "method", "supply") else value


def _set_event_fields(event: Event, new: dict[str, Any]) -> None:
    extra = dict(event.extra)
    for field, value in new.items():
        if field == "person_id":
            event.person = value
        elif field == "spouse_person_id":
            event.spouse = value
        elif field == "household_id":
            continue  # the stay carries it (``_restage``)
        elif field == "to_household_id":
            extra["to_household_id"] = value.source_id
        elif field in EXTRA:
            if value is None or value == "":
                extra.pop(field, None)
            else:
                extra[field] = jsonable(value)
        else:
            setattr(event, field, value)
    event.extra = extra


def _restage(event: Event, new: dict[str, Any], saver: _Saver) -> None:
    """Make what the event changed when it was recorded follow its new values (the
    event itself still holds the old ones)."""
    kind = T(event.event_type)
    old_day, old_person = event.event_date, event.person
    day = new.get("event_date", old_day)
    person = new.get("person_id", old_person)
    moved = day != old_day or person.pk != old_person.pk
    if kind is T.BIRTH and (moved or "child_sex" in new):
        _restage_birth(event, day, person, new.get("child_sex"), saver)
    elif kind in (T.DEATH, T.MOVE_OUT) and moved:
        _restage_end(old_person, old_day, person, day, saver)
    elif kind in (T.MOVE_IN, T.MOVE_WITHIN):
        if person.pk != old_person.pk:
            raise ValidationError(
                {
                    "person_id": [
                        _(
                            "The person of a move is not corrected: withdraw this move and "
                            "record the right one."
                        )
                    ]
                }
            )
        if kind is T.MOVE_IN and (moved or "household_id" in new):
            _restage_move_in(event, day, new.get("household_id"), saver)
        if kind is T.MOVE_WITHIN and (moved or "to_household_id" in new):
            _restage_within(event, day, new.get("to_household_id"), saver)
    elif kind in (T.MARRIAGE, T.DIVORCE) and person.pk != old_person.pk:
        old_person.marital_status = _marital_without(old_person, event)
        saver.save(old_person, ["marital_status", "updated_at"])
        person.marital_status = _marital_with(event)
        saver.save(person, ["marital_status", "updated_at"])


def _restage_birth(event: Event, day: date, mother: Person, sex: str | None, saver: _Saver) -> None:
    child = event.child
    if child is None:
        if sex:
            event.child_sex = sex
        return
    if day != event.event_date or mother.pk != event.person_id:
        stays = list(child.memberships.order_by("valid_from"))
        if len(stays) > 1:
            raise ValidationError(
                {
                    "event_date": [
                        _(
                            "The child has moved since the birth: correct the child's moves "
                            "first, or withdraw this birth and record it again."
                        )
                    ]
                }
            )
        if stays:
            stay = stays[0]
            if stay.valid_to is not None and stay.valid_to < day:
                raise ValidationError(
                    {"event_date": [_("The child's stay ends before the new date.")]}
                )
            stay.valid_from = day
            stay.household = _stay_for(mother, day).household
            saver.save(stay)
        if child.registered_on == event.event_date or child.registered_on < day:
            child.registered_on = day
        child.birth_date = day
        child.birth_precision = "day"
    if sex:
        child.sex = sex
    saver.save(child)


def _restage_end(
    old_person: Person, old_day: date, person: Person, day: date, saver: _Saver
) -> None:
    stay = _ended_stay(old_person, old_day)
    if stay is None:
        return  # no stay ended by it (a book imported without one): nothing follows
    if person.pk == old_person.pk:
        later = _later_stay(person, stay)
        if later is not None and later.valid_from <= day:
            raise ValidationError(
                {
                    "event_date": [
                        _(
                            "The person lives in another household from %(day)s: the new "
                            "date must be before it."
                        )
                        % _day(later.valid_from)
                    ]
                }
            )
        if day < stay.valid_from:
            raise ValidationError(
                {
                    "event_date": [
                        _("The new date is before the person's stay began (%(day)s).")
                        % _day(stay.valid_from)
                    ]
                }
            )
        stay.valid_to = day
        saver.save(stay, ["valid_to"])
        return
    if _later_stay(old_person, stay) is not None:
        raise ValidationError(
            {
                "person_id": [
                    _(
                        "The person of the entry has lived in another household since: their "
                        "stay cannot be opened again. Correct their later moves first."
                    )
                ]
            }
        )
    stay.valid_to = None
    saver.save(stay, ["valid_to"])
    target = _stay_for(person, day)
    if target.valid_to is not None:
        raise ValidationError(
            {
                "person_id": [
                    _("That person's stay already ends on %(day)s.") % _day(target.valid_to)
                ]
            }
        )
    target.valid_to = day
    saver.save(target, ["valid_to"])


def _restage_move_in(event: Event, day: date, household: Household | None, saver: _Saver) -> None:
    stay = _move_in_stay(event)
    if stay is None:
        return
    if day != event.event_date:
        earlier = _earlier_stay(event.person, stay)
        if earlier is not None and (earlier.valid_to is None or earlier.valid_to >= day):
            raise ValidationError(
                {
                    "event_date": [
                        _("The person is still registered in another household on %(day)s.")
                        % _day(day)
                    ]
                }
            )
        if stay.valid_to is not None and stay.valid_to < day:
            raise ValidationError(
                {
                    "event_date": [
                        _("The stay ends on %(day)s, before the new date.") % _day(stay.valid_to)
                    ]
                }
            )
        stay.valid_from = day
        person = event.person
        if person.registered_on == event.event_date:
            person.registered_on = day
            saver.save(person, ["registered_on", "updated_at"])
    if household is not None:
        stay.household = household
    saver.save(stay)


def _restage_within(event: Event, day: date, household: Household | None, saver: _Saver) -> None:
    left, joined = _left_stay(event), _joined_stay(event)
    if left is None or joined is None:
        return
    if day != event.event_date:
        if day <= left.valid_from:
            raise ValidationError(
                {
                    "event_date": [
                        _("The new date is before the person's stay began (%(day)s).")
                        % _day(left.valid_from)
                    ]
                }
            )
        if joined.valid_to is not None and joined.valid_to < day:
            raise ValidationError(
                {
                    "event_date": [
                        _("The stay ends on %(day)s, before the new date.") % _day(joined.valid_to)
                    ]
                }
            )
        left.valid_to = day - ONE_DAY
        joined.valid_from = day
        saver.save(left, ["valid_to"])
    if household is not None:
        if household.pk == left.household_id:
            raise ValidationError({"to_household_id": [_("Say which other household.")]})
        joined.household = household
    saver.save(joined)


def _household_now(event: Event) -> Household:
    """The household the corrected event counts in (as ``services._household_for``)."""
    if event.event_type == T.MOVE_IN:
        stay = _move_in_stay(event)
        if stay is not None:
            return stay.household
    if event.event_type == T.MOVE_WITHIN:
        stay = _left_stay(event)
        if stay is not None:
            return stay.household
    return _stay_for(event.person, event.event_date).household


def _follow_flags(event: Event, found: list[Finding], actor: Any, reason: str) -> None:
    """The event's open rule flags follow it: those still true move with it, the others
    are marked corrected; new warnings are flagged."""
    still = {f.rule for f in found if not _is_error(f)}
    for flag in event.flags.filter(kind=Flag.Kind.RULE, status=Flag.Status.OPEN):
        if flag.rule in still:
            flag.unit_id, flag.path, flag.day = event.unit_id, event.path, event.event_date
            flag.save(update_fields=["unit", "path", "day"])
        else:
            flag.status = Flag.Status.CORRECTED
            flag.note = reason
            flag.followed_by = actor
            flag.followed_at = timezone.now()
            flag.save(update_fields=["status", "note", "followed_by", "followed_at"])
    flagging.flag_event(event, found, user=actor)


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the entry is corrected.")]})
    return reason


def _stay_units(persons: list[Person]) -> set[int]:
    """The units the households of ``persons``' stays have sat in (their stays' changes
    alter those units' figures)."""
    households = Membership.objects.filter(person__in=persons).values("household_id")
    return set(
        HouseholdPlacement.objects.filter(household_id__in=households).values_list(
            "unit_id", flat=True
        )
    )


def _forget(units: set[int], since: date | None) -> None:
    """Forget the cached tallies of ``units`` from ``since`` (the saved rows' own signals
    forget only what their new values touch: not the old date, unit or household)."""
    register_changed.send(sender=Correction, units=sorted(units), since=since)


def event_correct(
    *,
    event: Event,
    changes: dict[str, Any],
    reason: str,
    actor: Any,
    today: date | None = None,
) -> Correction:
    """Correct fields of ``event`` (``changes``: field → new value, typed or as text; see
    ``event_fields``), saying why.  See the module docstring for who may and what
    follows.  Raises ``ValidationError`` (nothing changed) for an unknown field or value,
    the event's type, a change the rules refuse; ``PermissionDenied`` for an actor who may
    not."""
    reason = _check_reason(reason)
    today = today or timezone.localdate()
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(of=("self",))
            .select_related("person", "child")
            .get(pk=event.pk)
        )
        _check_allowed(actor, [event.person], False, today)
        made_by = _made_by(actor)
        with acting_as(made_by):
            return _correct(event, changes, reason, actor, made_by, today)


def _correct(
    event: Event, changes: dict[str, Any], reason: str, actor: Any, made_by: Any, today: date
) -> Correction:
    kind = T(event.event_type)
    wanted = _wanted(changes, event_fields(kind), str(EVENT_LABELS[kind]).lower())
    diff = {f: (event_value(event, f), v) for f, v in wanted.items() if v != event_value(event, f)}
    if not diff:
        raise ValidationError(_("Nothing to change: the values given are those of the book."))
    new = {f: after for f, (_before, after) in diff.items()}
    persons = [event.person]
    if "person_id" in new and new["person_id"].pk != event.person_id:
        persons.append(new["person_id"])
        _check_allowed(actor, [new["person_id"]], False, today)
    for field in ("household_id", "to_household_id"):
        if field in new and not privacy.household_allows(
            actor_scope(actor, today), new[field], Action.EDIT_REGISTER, actor
        ):
            raise PermissionDenied(_("You may not change this household."))
    if event.child is not None:
        persons.append(event.child)
    old_unit, old_day = event.unit_id, event.event_date
    was_closed = event_closed(_event_household(event), old_unit, old_day)
    before = _others_broken(persons, event.pk)
    touched = _stay_units(persons)
    saver = _Saver(reason)
    _restage(event, new, saver)
    _set_event_fields(event, new)
    household = _household_now(event)
    event.unit_id = services.household_unit_on(household, event.event_date)
    event.path = services.unit_path_on(event.unit_id, event.event_date)
    amendment = was_closed or event_closed(household, event.unit_id, event.event_date)
    _check_allowed(actor, persons, amendment, today)
    found = _findings(event, today)
    refused = [f for f in found if _is_error(f)]
    if refused:
        raise ValidationError(services.worded(refused))
    saver.save(event)
    if event.child is not None:
        event.child.refresh_from_db()
    _refuse_new_errors(before, persons, event.pk)
    _follow_flags(event, found, made_by, reason)
    correction = Correction.objects.create(
        kind=Correction.Kind.CORRECT,
        target=Correction.Target.EVENT,
        source_id=event.source_id,
        event=event,
        person=event.person,
        unit_id=event.unit_id,
        path=event.path,
        changes={f: [jsonable(b), jsonable(a)] for f, (b, a) in diff.items()},
        reason=reason,
        amendment=amendment,
        made_by=made_by,
    )
    touched |= _stay_units(persons) | {old_unit, event.unit_id}
    _forget(touched, min(old_day, event.event_date))
    return correction


def _snapshot(event: Event) -> dict[str, list[Any]]:
    """Every field of the event as the withdrawal's trail keeps it: [value, None]."""
    kept: dict[str, Any] = {
        "event_type": event.event_type,
        "event_date": event.event_date,
        "person_id": event.person,
        "unit": event.unit_id,
        "path": event.path,
    }
    if event.child is not None:
        kept["child_person_id"] = event.child
    for field in event_fields(event.event_type):
        kept.setdefault(field, event_value(event, field))
    if event.recorded_by_id:
        kept["recorded_by"] = str(event.recorded_by)
    return {f: [jsonable(v), None] for f, v in kept.items() if v not in (None, "")}


def _undo(event: Event, saver: _Saver) -> None:
    """Take back what recording the event changed (``services._apply``)."""
    kind = T(event.event_type)
    person = event.person
    if kind is T.BIRTH and event.child is not None:
        child = event.child
        if (
            Event.objects.filter(Q(person=child) | Q(spouse=child) | Q(child=child))
            .exclude(pk=event.pk)
            .exists()
        ):
            raise ValidationError(
                _(
                    "The child already has events of their own: withdraw or correct them "
                    "first, then withdraw the birth."
                )
            )
        stays = list(child.memberships.all())
        if len(stays) > 1:
            raise ValidationError(
                _(
                    "The child has moved since the birth: withdraw the child's moves first, "
                    "then withdraw the birth."
                )
            )
        for row in stays:
            saver.delete(row)
        child.extra = {**child.extra, "withdrawn_birth": event.source_id}
        saver.save(child, ["extra", "updated_at"])
    elif kind in (T.DEATH, T.MOVE_OUT):
        stay = _ended_stay(person, event.event_date)
        if stay is not None:
            later = _later_stay(person, stay)
            if later is not None:
                raise ValidationError(
                    _(
                        "The person has lived in another household since %(day)s: withdraw "
                        "that move first."
                    )
                    % _day(later.valid_from)
                )
            stay.valid_to = None
            saver.save(stay, ["valid_to"])
    elif kind is T.MOVE_IN:
        joined = _move_in_stay(event)
        if joined is not None:
            later = _later_stay(person, joined)
            if later is not None:
                raise ValidationError(
                    _(
                        "The person has lived in another household since %(day)s: withdraw "
                        "that move first."
                    )
                    % _day(later.valid_from)
                )
            saver.delete(joined)
    elif kind is T.MOVE_WITHIN:
        left, joined = _left_stay(event), _joined_stay(event)
        if left is not None and joined is not None:
            left.valid_to = joined.valid_to
            saver.delete(joined)
            saver.save(left, ["valid_to"])
    elif kind in (T.MARRIAGE, T.DIVORCE):
        person.marital_status = _marital_without(person, event)
        saver.save(person, ["marital_status", "updated_at"])


def event_withdraw(
    *, event: Event, reason: str, actor: Any, today: date | None = None
) -> Correction:
    """Withdraw ``event`` from the book, saying why: what it changed is taken back, the
    event is deleted and its ``Correction`` keeps every field (the figures follow).
    Refused when that would leave another entry wrong (the message says what first)."""
    reason = _check_reason(reason)
    today = today or timezone.localdate()
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(of=("self",))
            .select_related("person", "child")
            .get(pk=event.pk)
        )
        _check_allowed(actor, [event.person], False, today)
        closed = event_closed(_event_household(event), event.unit_id, event.event_date)
        _check_allowed(actor, [event.person], closed, today)
        made_by = _made_by(actor)
        with acting_as(made_by):
            before = _others_broken([event.person], event.pk)
            concerned = [event.person, *([event.child] if event.child else [])]
            touched = _stay_units(concerned)
            saver = _Saver(reason)
            kept = _snapshot(event)
            _undo(event, saver)
            _keep_amendments(event)
            correction = Correction.objects.create(
                kind=Correction.Kind.WITHDRAW,
                target=Correction.Target.EVENT,
                source_id=event.source_id,
                event=event,
                person=event.person,
                unit_id=event.unit_id,
                path=event.path,
                changes=kept,
                reason=reason,
                amendment=closed,
                made_by=made_by,
            )
            unit, day = event.unit_id, event.event_date
            saver.delete(event)
            _refuse_new_errors(before, [event.person], None)
            _forget(touched | {unit}, day)
            correction.refresh_from_db()
            return correction


def _keep_amendments(event: Event) -> None:
    """The older amendments of an event about to be withdrawn (their rows hold on to it)
    become corrections of the trail, with their own who, when and why."""
    for old in event.amendments.select_related("made_by"):
        Correction.objects.create(
            kind=Correction.Kind.CORRECT,
            target=Correction.Target.EVENT,
            source_id=event.source_id,
            event=event,
            person=event.person,
            unit_id=event.unit_id,
            path=event.path,
            changes=old.changes,
            reason=old.reason,
            amendment=True,
            made_by=old.made_by or system_actor(),
            made_at=old.made_at,
        )
        old.delete()


# ---------------------------------------------------------------- persons


def person_value(person: Person, field: str) -> Any:
    if field == "birth_date":
        return (person.birth_date, person.birth_precision)
    return getattr(person, field)


def person_correct(
    *,
    person: Person,
    changes: dict[str, Any],
    reason: str,
    actor: Any,
    today: date | None = None,
) -> Correction:
    """Correct details of ``person`` (``PERSON_FIELDS``), saying why.  A change of sex or
    date of birth is refused when it would make one of their events impossible (a birth
    to a man, an event before birth); a child born in the book has the date of their birth
    event (correct that event).  In a closed year, a change the figures read is an
    amendment (see the module docstring)."""
    reason = _check_reason(reason)
    today = today or timezone.localdate()
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        _check_allowed(actor, [person], False, today)
        wanted = _wanted(changes, list(PERSON_FIELDS), str(_("a person")))
        diff = {
            f: (person_value(person, f), v)
            for f, v in wanted.items()
            if v != person_value(person, f)
        }
        if not diff:
            raise ValidationError(_("Nothing to change: the values given are those of the book."))
        amendment = bool(set(diff) & COUNTED_DETAILS) and person_closed(person)
        _check_allowed(actor, [person], amendment, today)
        made_by = _made_by(actor)
        with acting_as(made_by):
            return _correct_person(person, diff, reason, amendment, made_by, today)


def _correct_person(
    person: Person,
    diff: dict[str, tuple[Any, Any]],
    reason: str,
    amendment: bool,
    made_by: Any,
    today: date,
) -> Correction:
    new = {f: after for f, (_before, after) in diff.items()}
    if "full_name" in new and not new["full_name"]:
        raise ValidationError({"full_name": [_("A name is required.")]})
    births = Event.objects.filter(child=person, event_type=T.BIRTH)
    if "birth_date" in new and births.exists():
        raise ValidationError(
            {
                "birth_date": [
                    _(
                        "This child was born in the book: their date of birth is the date "
                        "of the birth event. Correct that event's date."
                    )
                ]
            }
        )
    born, precision = new.get("birth_date", (person.birth_date, person.birth_precision))
    number = new.get("id_number", person.id_number)
    found = person_findings(
        birth_date=born,
        registered=person.registered_on,
        id_number=number,
        today=today,
        id_used_by=flagging.id_number_user(number, other_than=person.pk),
    )
    refused = [f for f in found if _is_error(f)]
    if refused:
        raise ValidationError(services.worded(refused))
    before = _others_broken([person], None)
    saver = _Saver(reason)
    for field, value in new.items():
        if field == "birth_date":
            person.birth_date, person.birth_precision = born, precision
        else:
            setattr(person, field, value)
    person.name_folded = fold(person.full_name)
    saver.save(person)
    if "sex" in new:
        for birth in births:
            birth.child_sex = new["sex"]
            saver.save(birth, ["child_sex", "updated_at"])
    _refuse_new_errors(before, [person], None)
    place = flagging.person_place(person.pk, today)
    unit_id, path = place if place else (0, "")
    if not unit_id:
        raise PermissionDenied(_("You may not change this record."))
    correction = Correction.objects.create(
        kind=Correction.Kind.CORRECT,
        target=Correction.Target.PERSON,
        source_id=person.source_id,
        person=person,
        unit_id=unit_id,
        path=path,
        changes={f: [jsonable(b), jsonable(a)] for f, (b, a) in diff.items()},
        reason=reason,
        amendment=amendment,
        made_by=made_by,
    )
    services.person_flag(person, user=made_by, today=today)
    return correction


# ---------------------------------------------------------------- the trail, read


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class TrailEntry:
    """One correction, withdrawal or (older) amendment, as the screens show it."""

    kind: str  # "correct" | "withdraw" | "amendment"
    source_id: str
    made_at: datetime
    made_by: str
    reason: str
    amendment: bool
    changes: list[Change]
    event_id: int | None = None
    event_label: str = ""


def _changes(raw: dict[str, Any], *, full: bool) -> list[Change]:
    out = []
    for field, pair in raw.items():
        before, after = [*list(pair), None, None][:2]
        if not full and field in MASKED:
            before_text = after_text = "***"
        else:
            before_text, after_text = shown(field, before), shown(field, after)
        out.append(Change(field, label(field), before_text, after_text))
    return out


def _entry(c: Correction, full: bool) -> TrailEntry:
    kind_label = ""
    event_type = (c.changes.get("event_type") or [None])[0]
    if event_type in set(T):
        kind_label = str(EVENT_LABELS[T(event_type)])
    elif c.event is not None:
        kind_label = str(EVENT_LABELS[T(c.event.event_type)])
    return TrailEntry(
        kind=c.kind,
        source_id=c.source_id,
        made_at=c.made_at,
        made_by=str(c.made_by.full_name or c.made_by.username) if c.made_by else "—",
        reason=c.reason,
        amendment=c.amendment,
        changes=_changes(c.changes, full=full),
        event_id=c.event_id,
        event_label=kind_label,
    )


def event_trail(event: Event, *, full: bool) -> list[TrailEntry]:
    """The event's corrections and older amendments, newest first."""
    entries = [
        _entry(c, full)
        for c in Correction.objects.filter(source_id=event.source_id, target="event")
        .select_related("made_by", "event")
        .order_by("-made_at", "-pk")
    ]
    for old in event.amendments.select_related("made_by"):
        by = old.made_by
        entries.append(
            TrailEntry(
                kind="amendment",
                source_id=event.source_id,
                made_at=old.made_at,
                made_by=str(by.full_name or by.username) if by else "—",
                reason=old.reason,
                amendment=True,
                changes=_changes(old.changes, full=full),
                event_id=event.pk,
            )
        )
    return sorted(entries, key=lambda e: e.made_at, reverse=True)


def person_trail(person: Person, *, full: bool) -> list[TrailEntry]:
    """The corrections of the person's details and of their events (withdrawn ones
    included: "Đã rút bỏ"), newest first."""
    rows = (
        Correction.objects.filter(person=person)
        .select_related("made_by", "event")
        .order_by("-made_at", "-pk")
    )
    return [_entry(c, full) for c in rows]


def correction_json(correction: Correction) -> dict[str, Any]:
    """A correction as the command line prints it."""
    by = correction.made_by
    return {
        "id": correction.pk,
        "kind": correction.kind,
        "target": correction.target,
        "source_id": correction.source_id,
        "changes": correction.changes,
        "amendment": correction.amendment,
        "reason": correction.reason,
        "made_by": by.username if by else None,
        "made_at": correction.made_at.isoformat(),
    }
