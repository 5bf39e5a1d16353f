"""Writes to the register.  Every change to the book goes through a function here: it
checks the rules (``register.rules``), keeps memberships and placements right, fixes where
an event counts, and is audited (the models' history, with the user)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from danso.audit import recorded_user
from danso.register.models import (
    Amendment,
    BookClosure,
    Collection,
    Event,
    Household,
    HouseholdPlacement,
    Membership,
    Person,
)
from danso.register.rules import Finding, PersonFacts, event_findings
from danso.register.vocabulary import EventType, MaritalStatus, Relation, Residence, Sex
from danso.units.codes import Level
from danso.units.models import Unit, UnitVersion, valid_on
from danso.vietnamese import fold

ONE_DAY = timedelta(days=1)


def new_source_id(prefix: str) -> str:
    """An identifier for a record made in danso (the exchange format's ids)."""
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def worded(findings: list[Finding]) -> dict[str, list[str]]:
    """Rule findings as a ValidationError dict, in the active language."""
    out: dict[str, list[str]] = {}
    for finding in findings:
        out.setdefault(finding.column, []).append(_(finding.message) % dict(finding.params))
    return out


# ---------------------------------------------------------------- where things are


def unit_path_on(unit_id: int, day: date) -> str:
    """The unit's path on ``day``.  Before the unit's first known version (the reference
    lists start on 7/5/2023, a book opened in 2021), the earliest known structure stands
    for the earlier days; after it closed, nothing does."""
    version = UnitVersion.objects.filter(unit_id=unit_id).filter(valid_on(day)).first()
    if version is None:
        first = UnitVersion.objects.filter(unit_id=unit_id).order_by("valid_from").first()
        if first is not None and day < first.valid_from:
            return first.path
        raise ValidationError(_("The unit does not exist on %(day)s.") % {"day": f"{day:%d/%m/%Y}"})
    return version.path


def household_unit_on(household: Household, day: date) -> int:
    """The unit (village or commune) the household sat in on ``day``."""
    placement = (
        HouseholdPlacement.objects.filter(household=household, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .first()
    )
    if placement is None:
        first = household.placements.order_by("valid_from").first()
        if first is None:
            return household.unit_id
        return first.unit_id  # the book says where it is; earlier days count there too
    return placement.unit_id


def membership_on(person: Person, day: date) -> Membership | None:
    return (
        Membership.objects.filter(person=person, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .select_related("household")
        .first()
    )


def person_facts(person: Person) -> PersonFacts:
    death = (
        Event.objects.filter(person=person, event_type=EventType.DEATH)
        .values_list("event_date", flat=True)
        .first()
    )
    stays = list(Membership.objects.filter(person=person).values_list("valid_from", "valid_to"))
    return PersonFacts(person.sex, person.birth_date, person.birth_precision, death, stays)


# ---------------------------------------------------------------- households and persons


def _check_placeable(unit: Unit, day: date) -> None:
    if Level(unit.level) not in (Level.VILLAGE, Level.COMMUNE):
        raise ValidationError(_("A household sits in a village or a commune."))
    unit_path_on(unit.pk, day)


@transaction.atomic
def household_create(
    *,
    unit: Unit,
    since: date,
    number: str = "",
    address: str = "",
    household_type: str = "ho_gia_dinh",
    source_id: str | None = None,
) -> Household:
    _check_placeable(unit, since)
    household = Household.objects.create(
        source_id=source_id or new_source_id("HH"),
        number=number.strip(),
        address=address.strip(),
        household_type=household_type,
        unit=unit,
    )
    HouseholdPlacement.objects.create(household=household, unit=unit, valid_from=since)
    return household


@transaction.atomic
def household_place(*, household: Household, unit: Unit, since: date) -> Household:
    """The household sits in ``unit`` from ``since`` (a move to another village, or to
    the new commune on 1/7/2025)."""
    _check_placeable(unit, since)
    current = household.placements.filter(valid_to__isnull=True).first()
    if current is not None:
        if since <= current.valid_from:
            raise ValidationError(_("A move must come after the household's last move."))
        current.valid_to = since - ONE_DAY
        current.save(update_fields=["valid_to"])
    HouseholdPlacement.objects.create(household=household, unit=unit, valid_from=since)
    household.unit = unit
    household.save(update_fields=["unit", "updated_at"])
    return household


@dataclass(frozen=True)
class PersonInput:
    full_name: str
    sex: str
    birth_date: date
    birth_precision: str = "day"
    relation: str = ""
    marital_status: str = ""
    residence_status: str = ""
    ethnicity: str = ""
    id_number: str = ""


def person_new(*, data: PersonInput, registered_on: date, source_id: str | None = None) -> Person:
    """A person record, not yet in a household (a newcomer about to move in)."""
    if not data.full_name.strip():
        raise ValidationError({"full_name": [_("A name is required.")]})
    if data.sex not in (Sex.MALE, Sex.FEMALE):
        raise ValidationError({"sex": [_("Sex is M or F.")]})
    if data.birth_date > registered_on:
        raise ValidationError({"birth_date": [_("Born after being registered?")]})
    for name, value, allowed in (
        ("marital_status", data.marital_status, MaritalStatus),
        ("residence_status", data.residence_status, Residence),
        ("relation", data.relation, Relation),
    ):
        if value and value not in {str(v) for v in allowed}:
            raise ValidationError({name: [_("Unknown value %(value)s.") % {"value": value}]})
    return Person.objects.create(
        source_id=source_id or new_source_id("P"),
        full_name=data.full_name.strip(),
        name_folded=fold(data.full_name),
        sex=data.sex,
        birth_date=data.birth_date,
        birth_precision=data.birth_precision,
        ethnicity=data.ethnicity,
        id_number=data.id_number.strip(),
        marital_status=data.marital_status,
        residence_status=data.residence_status,
        registered_on=registered_on,
    )


@transaction.atomic
def person_add(
    *,
    household: Household,
    data: PersonInput,
    registered_on: date,
    source_id: str | None = None,
) -> Person:
    """A person who is in the household when the book is opened (or found later)."""
    person = person_new(data=data, registered_on=registered_on, source_id=source_id)
    Membership.objects.create(
        person=person, household=household, relation=data.relation, valid_from=registered_on
    )
    return person


# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class EventInput:
    event_type: EventType
    event_date: date
    note: str = ""
    # birth
    child: PersonInput | None = None
    birth_order: int | None = None
    place: str = ""
    # moves
    from_place: str = ""
    to_place: str = ""
    to_household: Household | None = None
    household: Household | None = None  # move_in: the household joined
    # marriage
    spouse: Person | None = None
    consanguineous: bool | None = None
    # pregnancy, screenings
    expected_date: date | None = None
    result: str = ""
    # contraception
    method: str = ""
    supply: str = ""
    new_acceptor: bool | None = None


def _check_closed(unit_id: int, day: date) -> None:
    """Events of a year whose book is closed change only through an amendment."""
    path = unit_path_on(unit_id, day)
    ids = [int(i) for i in path.split(".") if i]
    if BookClosure.objects.filter(unit_id__in=ids, year=day.year).exists():
        raise ValidationError(
            _("The book of %(year)s is closed: change it through an amendment.")
            % {"year": day.year}
        )


def event_problems(
    *, person: Person, event_type: EventType, event_date: date, birth_order: int | None = None
) -> list[str]:
    """The rules an event would break, in words, without recording it (the monthly form
    shows them while it is filled in)."""
    findings = event_findings(event_type, event_date, person_facts(person), birth_order=birth_order)
    return [message for messages in worded(findings).values() for message in messages]


@transaction.atomic
def event_record(
    *,
    person: Person,
    data: EventInput,
    user: Any = None,
    collection: Collection | None = None,
    source_id: str | None = None,
) -> Event:
    """Record an event in the book, after checking the rules; apply what it changes
    (a child's membership, the end of a stay, a new stay, the marital status)."""
    facts = person_facts(person)
    child_born = data.event_date if data.child else None
    findings = event_findings(
        data.event_type,
        data.event_date,
        facts,
        child_birth_date=child_born,
        birth_order=data.birth_order,
    )
    if findings:
        raise ValidationError(worded(findings))
    household = _household_for(person, data)
    unit_id = household_unit_on(household, data.event_date)
    _check_closed(unit_id, data.event_date)
    event = Event(
        source_id=source_id or new_source_id("E"),
        event_type=data.event_type,
        event_date=data.event_date,
        person=person,
        unit_id=unit_id,
        path=unit_path_on(unit_id, data.event_date),
        note=data.note,
        collection=collection,
        recorded_by=recorded_user(user),
    )
    _apply(event, person, household, data)
    event.save()
    return event


def _household_for(person: Person, data: EventInput) -> Household:
    if data.event_type is EventType.MOVE_IN:
        if data.household is None:
            raise ValidationError({"household": [_("Say which household the person joins.")]})
        return data.household
    stay = membership_on(person, data.event_date)
    if stay is None:
        raise ValidationError({"person_id": [_("The person is not registered here then.")]})
    return stay.household


def _apply(event: Event, person: Person, household: Household, data: EventInput) -> None:
    kind = data.event_type
    day = data.event_date
    if kind is EventType.BIRTH:
        if data.child is None:
            raise ValidationError({"child": [_("A birth needs the child.")]})
        child = person_add(household=household, data=data.child, registered_on=day)
        event.child = child
        event.child_sex = child.sex
        event.birth_order = data.birth_order
        event.extra = {"place": data.place} if data.place else {}
    elif kind in (EventType.DEATH, EventType.MOVE_OUT):
        _end_stay(person, day)
        if data.to_place:
            event.extra = {"to_place": data.to_place}
    elif kind is EventType.MOVE_IN:
        current = membership_on(person, day)
        if current is not None:
            raise ValidationError({"person_id": [_("The person is already registered here.")]})
        Membership.objects.create(person=person, household=household, valid_from=day)
        if data.from_place:
            event.extra = {"from_place": data.from_place}
    elif kind is EventType.MOVE_WITHIN:
        if data.to_household is None or data.to_household.pk == household.pk:
            raise ValidationError({"to_household_id": [_("Say which other household.")]})
        _end_stay(person, day - ONE_DAY)
        Membership.objects.create(person=person, household=data.to_household, valid_from=day)
        event.extra = {"to_household_id": data.to_household.source_id}
    elif kind in (EventType.MARRIAGE, EventType.DIVORCE):
        person.marital_status = (
            MaritalStatus.MARRIED if kind is EventType.MARRIAGE else MaritalStatus.DIVORCED
        )
        person.save(update_fields=["marital_status", "updated_at"])
        event.spouse = data.spouse
        if data.consanguineous is not None:
            event.extra = {"consanguineous": data.consanguineous}
    elif kind in (EventType.CONTRACEPTION_START, EventType.CONTRACEPTION_STOP):
        if not data.method:
            raise ValidationError({"method": [_("Say which method.")]})
        event.method = data.method
        event.supply = data.supply
        event.new_acceptor = data.new_acceptor
    elif kind is EventType.PREGNANCY and data.expected_date:
        event.extra = {"expected_date": data.expected_date.isoformat()}
    elif data.result:
        event.extra = {"result": data.result}


def _end_stay(person: Person, last_day: date) -> None:
    stay = membership_on(person, last_day)
    if stay is None:
        raise ValidationError({"person_id": [_("The person is not registered here then.")]})
    stay.valid_to = last_day
    stay.save(update_fields=["valid_to"])


@transaction.atomic
def event_amend(*, event: Event, note: str, reason: str, user: Any = None) -> Amendment:
    """Correct the note of an event of a closed year, saying why (the figures of a closed
    year do not move silently: the amendment is kept with who, when and why)."""
    if not reason.strip():
        raise ValidationError(_("Say why the closed book is amended."))
    changes = {"note": [event.note, note]}
    event.note = note
    event.save(update_fields=["note", "updated_at"])
    return Amendment.objects.create(
        event=event,
        changes=changes,
        reason=reason.strip(),
        made_by=recorded_user(user),
    )


# ---------------------------------------------------------------- the month and the year


def month_start(day: date) -> date:
    return day.replace(day=1)


def collection_open(*, unit: Unit, month: date) -> Collection:
    """The collection of ``unit`` for the month of ``month`` (opened if needed)."""
    row, _created = Collection.objects.get_or_create(unit=unit, month=month_start(month))
    return row


def collection_hand_in(*, collection: Collection, user: Any) -> Collection:
    if collection.status == Collection.Status.ACCEPTED:
        raise ValidationError(_("This month is already accepted."))
    collection.status = Collection.Status.HANDED_IN
    collection.handed_in_by = user
    collection.handed_in_at = timezone.now()
    collection.save()
    return collection


def collection_accept(*, collection: Collection, user: Any) -> Collection:
    if collection.status != Collection.Status.HANDED_IN:
        raise ValidationError(_("The month has not been handed in yet."))
    collection.status = Collection.Status.ACCEPTED
    collection.accepted_by = user
    collection.accepted_at = timezone.now()
    collection.save()
    return collection


def collection_return(*, collection: Collection, user: Any, note: str) -> Collection:
    """Send the month back to the collaborator with a note."""
    collection.status = Collection.Status.OPEN
    collection.note = note
    collection.save()
    return collection


def book_close(*, commune: Unit, year: int, user: Any = None) -> BookClosure:
    if Level(commune.level) is not Level.COMMUNE:
        raise ValidationError(_("A book is closed for a commune."))
    if date(year, 12, 31) >= timezone.localdate():
        raise ValidationError(_("A year is closed after 31 December."))
    row, _created = BookClosure.objects.get_or_create(
        unit=commune, year=year, defaults={"closed_by": recorded_user(user)}
    )
    return row
