"""Writes to the register.  Every change to the book goes through a function here: it
checks the rules (``register.rules``), keeps memberships and placements right, fixes where
an event counts, and is audited (the models' history, with the user)."""

from __future__ import annotations

import uuid
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from danso.audit import recorded_user
from danso.register import flagging
from danso.register.models import (
    BookClosure,
    Collection,
    Event,
    Household,
    HouseholdPlacement,
    Membership,
    Person,
)
from danso.register.rules import (
    Finding,
    PersonFacts,
    closed_year,
    errors,
    event_findings,
    finding,
    person_findings,
    running_after,
)
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
    for found in findings:
        out.setdefault(found.column, []).append(
            flagging.rule_message(found.message, dict(found.params))
        )
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


def events_follow_units(unit_ids: list[int]) -> int:
    """Fix again the path of the events of these units from their versions (one update a
    version), for events recorded before the unit was moved to where it stood on their
    day: the demo's register, generated before its groups crossed the reforms.  Events
    before a unit's first version keep theirs.  Returns how many events changed."""
    changed = 0
    for version in UnitVersion.objects.filter(unit_id__in=unit_ids).order_by("pk"):
        events = Event.objects.filter(
            unit_id=version.unit_id, event_date__gte=version.valid_from
        ).exclude(path=version.path)
        if version.valid_to is not None:
            events = events.filter(event_date__lte=version.valid_to)
        changed += events.update(path=version.path)
    return changed


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


def person_checks(
    data: PersonInput,
    *,
    registered_on: date | None = None,
    today: date | None = None,
    person_id: int | None = None,
) -> list[Finding]:
    """The rules a person's details break (``rules.person_findings``): errors and
    warnings, the ID number looked up among the other persons of the register."""
    return person_findings(
        birth_date=data.birth_date,
        registered=registered_on,
        id_number=data.id_number,
        today=today or timezone.localdate(),
        id_used_by=flagging.id_number_user(data.id_number, other_than=person_id),
    )


def person_new(
    *,
    data: PersonInput,
    registered_on: date,
    source_id: str | None = None,
    today: date | None = None,
) -> Person:
    """A person record, not yet in a household (a newcomer about to move in).  Their
    warnings are flagged once they are in a household (``person_add``, a move in)."""
    if not data.full_name.strip():
        raise ValidationError({"full_name": [_("A name is required.")]})
    if data.sex not in (Sex.MALE, Sex.FEMALE):
        raise ValidationError({"sex": [_("Sex is M or F.")]})
    refused = errors(person_checks(data, registered_on=registered_on, today=today))
    if refused:
        raise ValidationError(worded(refused))
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


def person_flag(person: Person, *, user: Any = None, today: date | None = None) -> int:
    """Record the warnings of a person in a household (and, for an ID number two persons
    share, of the other one too); how many flags were new."""
    today = today or timezone.localdate()
    data = PersonInput(person.full_name, person.sex, person.birth_date, id_number=person.id_number)
    found = person_checks(data, today=today, person_id=person.pk)
    made = flagging.flag_person(person, found, user=user, on=today)
    other_id = next((dict(f.params)["other"] for f in found if f.rule == "id_number_used"), None)
    other = Person.objects.filter(source_id=other_id).first() if other_id else None
    if other is not None:
        made += flagging.flag_person(
            other, [finding("id_number_used", other=person.source_id)], user=user, on=today
        )
    return made


@transaction.atomic
def person_add(
    *,
    household: Household,
    data: PersonInput,
    registered_on: date,
    source_id: str | None = None,
    user: Any = None,
    today: date | None = None,
) -> Person:
    """A person who is in the household when the book is opened (or found later); their
    warnings are flagged."""
    person = person_new(data=data, registered_on=registered_on, source_id=source_id, today=today)
    Membership.objects.create(
        person=person, household=household, relation=data.relation, valid_from=registered_on
    )
    person_flag(person, user=user, today=today)
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


def closed_paths(household: Household, unit_id: int, day: date) -> list[str]:
    """The paths whose closures close the book for an event of ``household`` on ``day``
    in ``unit_id``: the unit's path on that day, and the household's unit's path on the
    last day of that year (``rules.closed_year``: after the 1/7/2025 reform the new
    ward's book holds the first half of 2025 too)."""
    paths = [unit_path_on(unit_id, day)]
    year_end = date(day.year, 12, 31)
    # a unit that ended before the year's end: its own path stands
    with suppress(ValidationError):
        paths.append(unit_path_on(household_unit_on(household, year_end), year_end))
    return paths


def _check_closed(household: Household, unit_id: int, day: date) -> None:
    """Events of a year whose book is closed change only through an amendment."""
    paths = closed_paths(household, unit_id, day)
    ids = {int(i) for path in paths for i in path.split(".") if i}
    closures = set(
        BookClosure.objects.filter(unit_id__in=ids, year=day.year).values_list("unit_id", "year")
    )
    if closed_year(day.year, paths, closures):
        raise ValidationError(worded([finding("closed_book", year=day.year)]))


def event_checks(
    *,
    person: Person,
    event_type: EventType,
    event_date: date,
    birth_order: int | None = None,
    method: str = "",
    child_birth_date: date | None = None,
    today: date | None = None,
) -> list[Finding]:
    """Every rule (errors and warnings) an event would break for ``person``, against the
    register as it stands: their births recorded so far, the methods they use."""
    earlier = None
    if event_type is EventType.BIRTH:
        earlier = Event.objects.filter(
            person=person, event_type=EventType.BIRTH, event_date__lte=event_date
        ).count()
    running = None
    if event_type is EventType.CONTRACEPTION_STOP:
        running = running_after(
            list(
                Event.objects.filter(
                    person=person,
                    event_type__in=[EventType.CONTRACEPTION_START, EventType.CONTRACEPTION_STOP],
                    event_date__lte=event_date,
                )
                .order_by("event_date", "pk")
                .values_list("event_type", "method")
            )
        )
    return event_findings(
        event_type,
        event_date,
        person_facts(person),
        child_birth_date=child_birth_date,
        birth_order=birth_order,
        today=today or timezone.localdate(),
        warn=True,
        earlier_births=earlier,
        method=method,
        running_methods=running,
    )


def event_problems(
    *,
    person: Person,
    event_type: EventType,
    event_date: date,
    birth_order: int | None = None,
    method: str = "",
    today: date | None = None,
) -> list[str]:
    """The rules an event would break, in words, without recording it (the monthly form
    shows them while it is filled in): the errors first, then the warnings."""
    findings = event_checks(
        person=person,
        event_type=event_type,
        event_date=event_date,
        birth_order=birth_order,
        method=method,
        today=today,
    )
    ordered = sorted(findings, key=lambda f: not f.is_error)
    return [flagging.rule_message(f.message, dict(f.params)) for f in ordered]


@transaction.atomic
def event_record(
    *,
    person: Person,
    data: EventInput,
    user: Any = None,
    collection: Collection | None = None,
    source_id: str | None = None,
    today: date | None = None,
) -> Event:
    """Record an event in the book, after checking the rules; apply what it changes
    (a child's membership, the end of a stay, a new stay, the marital status).  An
    error refuses it; its warnings are recorded as flags (``event.flags``)."""
    if collection is not None:
        collection_writable(collection)
    today = today or timezone.localdate()
    child_born = data.event_date if data.child else None
    findings = event_checks(
        person=person,
        event_type=data.event_type,
        event_date=data.event_date,
        birth_order=data.birth_order,
        method=data.method,
        child_birth_date=child_born,
        today=today,
    )
    refused = errors(findings)
    if refused:
        raise ValidationError(worded(refused))
    household = _household_for(person, data)
    unit_id = household_unit_on(household, data.event_date)
    _check_closed(household, unit_id, data.event_date)
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
    _apply(event, person, household, data, user=user, today=today)
    event.save()
    flagging.flag_event(event, findings, user=user)
    if data.event_type is EventType.MOVE_IN:
        person_flag(person, user=user, today=today)
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


def _apply(
    event: Event,
    person: Person,
    household: Household,
    data: EventInput,
    *,
    user: Any = None,
    today: date | None = None,
) -> None:
    kind = data.event_type
    day = data.event_date
    if kind is EventType.BIRTH:
        if data.child is None:
            raise ValidationError({"child": [_("A birth needs the child.")]})
        child = person_add(
            household=household, data=data.child, registered_on=day, user=user, today=today
        )
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


def event_amend(*, event: Event, note: str, reason: str, user: Any) -> Any:
    """Correct the note of an event, saying why: a correction of ``register.corrections``
    (an amendment when its year's book is closed).  Older ``Amendment`` rows are kept."""
    from danso.register.corrections import event_correct  # it builds on this module

    return event_correct(event=event, changes={"note": note}, reason=reason, actor=user)


# ---------------------------------------------------------------- the month and the year


def month_start(day: date) -> date:
    return day.replace(day=1)


def collection_open(*, unit: Unit, month: date) -> Collection:
    """The collection of ``unit`` for the month of ``month`` (opened if needed)."""
    row, _created = Collection.objects.get_or_create(unit=unit, month=month_start(month))
    return row


def collection_writable(collection: Collection) -> None:
    """Refuse a change to a month the commune has in hand: handed in (until it is sent
    back) or accepted.  The status is read again, locked, so that a page opened before
    the hand-in cannot slip an event in."""
    status = collection.status
    if collection.pk:
        status = (
            Collection.objects.select_for_update()
            .filter(pk=collection.pk)
            .values_list("status", flat=True)
            .first()
            or status
        )
    if status == Collection.Status.HANDED_IN:
        raise ValidationError(
            _(
                "This month has been handed in to the commune: nothing can be added "
                "until the commune sends it back."
            ),
            code="locked",
        )
    if status == Collection.Status.ACCEPTED:
        raise ValidationError(
            _("This month has been accepted by the commune: ask the commune to reopen it."),
            code="locked",
        )


def _locked(collection: Collection) -> Collection:
    """The month as it stands now, locked for the change (a page may be old)."""
    return Collection.objects.select_for_update().get(pk=collection.pk)


@transaction.atomic
def collection_hand_in(*, collection: Collection, user: Any) -> Collection:
    row = _locked(collection_open(unit=collection.unit, month=collection.month))
    if row.status == Collection.Status.ACCEPTED:
        raise ValidationError(_("This month is already accepted."), code="stale")
    if row.status == Collection.Status.HANDED_IN:
        raise ValidationError(_("This month was already handed in."), code="stale")
    row.status = Collection.Status.HANDED_IN
    row.handed_in_by = recorded_user(user)
    row.handed_in_at = timezone.now()
    row.save()
    return row


@transaction.atomic
def collection_accept(*, collection: Collection, user: Any) -> Collection:
    row = _locked(collection)
    if row.status == Collection.Status.ACCEPTED:
        raise ValidationError(_("This month is already accepted."), code="stale")
    if row.status != Collection.Status.HANDED_IN:
        raise ValidationError(_("The month has not been handed in yet."), code="stale")
    row.status = Collection.Status.ACCEPTED
    row.accepted_by = recorded_user(user)
    row.accepted_at = timezone.now()
    row.save()
    return row


@transaction.atomic
def collection_return(*, collection: Collection, user: Any, note: str) -> Collection:
    """Send the month back to the collaborator with a note: only a month handed in and
    not yet accepted (a page may be old)."""
    row = _locked(collection)
    if row.status == Collection.Status.ACCEPTED:
        raise ValidationError(_("This month is already accepted."), code="stale")
    if row.status != Collection.Status.HANDED_IN:
        raise ValidationError(_("The month has not been handed in yet."), code="stale")
    row.status = Collection.Status.OPEN
    row.note = note
    row.save()
    return row


def book_close(*, commune: Unit, year: int, user: Any = None) -> BookClosure:
    if Level(commune.level) is not Level.COMMUNE:
        raise ValidationError(_("A book is closed for a commune."))
    if date(year, 12, 31) >= timezone.localdate():
        raise ValidationError(_("A year is closed after 31 December."))
    row, _created = BookClosure.objects.get_or_create(
        unit=commune, year=year, defaults={"closed_by": recorded_user(user)}
    )
    return row
