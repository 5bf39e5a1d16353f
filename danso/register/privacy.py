"""Who sees what of a person (Nghị định 13/2023/NĐ-CP), and the log of who did.

The register holds names, ID numbers, births, deaths and contraception: personal data,
the last two *sensitive*.  Everything that shows or sends a person's data goes through
this module; templates and serializers only print what it hands them.

**Reach.**  A person belongs to the household of their last stay (their current keeper,
whatever the day looked at); a household to the village or commune it sits in now.  A
reader reaches the households in the communes and villages of their scope on the day
looked at (``accounts.scope.unit_scope``), and a collaborator also the households given
to them outside villages.  An event is reached when it counted in one of those units, or
when its person is reached (a person's history follows them).

**Sight**, decided from the role's actions (``accounts.policy``):

- ``FULL`` — the keepers of the book (the commune officer, the collaborator: the
  ``VIEW_PERSONS`` action on the person's unit): everything, nothing logged;
- ``MASKED`` — officers above the commune and the administrator (``VIEW_RECORDS``):
  initials, year of birth, the ID number cut (``0010****1234``); every read is logged;
- ``REVEALED`` — one of them opened one person's full record for a stated reason
  (``REVEAL_PERSONS``): everything, logged with the reason;
- ``NONE`` — everyone else, viewers included: the person does not exist for them (404).

**The log** (``AccessLog``): every read at ``MASKED`` or ``REVEALED`` sight and every
export of personal data, with who, when, which persons (or units), why and from which
screen, endpoint or command — through ``log_read`` and ``log_export`` only.  It is
append-only.  ``access_log_for_units`` is what a commune officer sees of it;
``access_log`` what the administrator sees.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from danso.audit import recorded_user
from danso.register.models import (
    AccessLog,
    AccessLogPerson,
    AccessLogUnit,
    CollaboratorArea,
    Event,
    Household,
    HouseholdPlacement,
    Membership,
    Person,
)
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from danso.units.scope import Action, UnitScope
from danso.vietnamese import initials

#: How long one person's full record stays open after its reason was given.
REVEAL_MINUTES = 15
#: The shortest reason accepted for opening a full record.
REASON_MIN_LENGTH = 10


class Sight(Enum):
    NONE = "none"
    MASKED = "masked"
    REVEALED = "revealed"
    FULL = "full"

    @property
    def full(self) -> bool:
        """Names, dates of birth and ID numbers in full."""
        return self in (Sight.FULL, Sight.REVEALED)

    @property
    def logged(self) -> bool:
        """A read at this sight is written to the access log."""
        return self in (Sight.MASKED, Sight.REVEALED)


#: The screens, endpoints and commands that read or export persons' data.
Where = AccessLog.Where


# ---------------------------------------------------------------- reach


def visible_unit_ids(scope: UnitScope, action: Action = Action.VIEW_RECORDS) -> list[int]:
    """The communes and villages (unit ids) in which the scope allows ``action``, read
    once: a handful of ids for a commune officer, a few thousand for a province."""
    versions = UnitVersion.objects.filter(
        valid_on(scope.on), unit__level__in=[Level.COMMUNE, Level.VILLAGE]
    ).filter(scope.q(action))
    return list(versions.order_by().values_list("unit_id", flat=True).distinct())


def households_visible(
    scope: UnitScope, user: Any, action: Action = Action.VIEW_RECORDS
) -> QuerySet[Household]:
    """Households in the units the scope allows ``action`` on (and, for a collaborator,
    the households kept by them outside villages)."""
    q = Q(unit_id__in=visible_unit_ids(scope, action))
    if getattr(user, "pk", None) and action in _KEEPER_ACTIONS:
        kept = CollaboratorArea.objects.filter(user=user).filter(valid_on(scope.on))
        q |= Q(pk__in=kept.values("household_id"))
    return Household.objects.filter(q)


# What a collaborator may do on the households given to them outside villages.
_KEEPER_ACTIONS = {Action.VIEW_RECORDS, Action.VIEW_PERSONS, Action.EDIT_REGISTER}


def _last_stays() -> QuerySet[Membership]:
    """Each person's last stay: the one no other stay of theirs follows (by start, then
    by row for two stays begun the same day), as ``current_household`` reads it."""
    later = Membership.objects.filter(person=OuterRef("person")).filter(
        Q(valid_from__gt=OuterRef("valid_from"))
        | Q(valid_from=OuterRef("valid_from"), pk__gt=OuterRef("pk"))
    )
    return Membership.objects.filter(~Exists(later))


def persons_visible(
    scope: UnitScope, user: Any, action: Action = Action.VIEW_RECORDS
) -> QuerySet[Person]:
    """Persons whose current household (their last stay's) the reader reaches."""
    households = households_visible(scope, user, action)
    stays = _last_stays().filter(household__in=households).values("person_id")
    return Person.objects.filter(pk__in=stays)


def events_visible(scope: UnitScope, user: Any) -> QuerySet[Event]:
    """Events that counted in a commune or village the reader reaches, and the events of
    the persons they reach (a person's history follows them)."""
    units = visible_unit_ids(scope, Action.VIEW_RECORDS)
    people = persons_visible(scope, user).values("pk")
    return Event.objects.filter(Q(unit_id__in=units) | Q(person_id__in=people))


class VisibleHouseholds:
    """``households_visible(scope, user, action)`` answered for given households
    (``visible(ids)`` is the set of those the reader reaches), for the search and the
    duplicates, which check a page of candidates at a time.

    The same rule, with the reader's units read once into a set (a handful of ids): as a
    subquery in every statement, SQLite scans all unit versions each time and
    PostgreSQL, misjudging their number, reads every household of the scope.
    """

    def __init__(self, scope: UnitScope, user: Any, action: Action) -> None:
        self.units = set(visible_unit_ids(scope, action))
        self.kept: set[int] = set()
        if getattr(user, "pk", None) and action in _KEEPER_ACTIONS:
            areas = CollaboratorArea.objects.filter(user=user).filter(valid_on(scope.on))
            self.kept = set(areas.values_list("household_id", flat=True))

    def __call__(self, households: Iterable[int | None]) -> set[int]:
        ids = {pk for pk in households if pk is not None}
        placed = Household.objects.filter(pk__in=ids).order_by().values_list("pk", "unit_id")
        return {pk for pk, unit in placed if unit in self.units or pk in self.kept}


def current_household(person: Person) -> Household | None:
    stay = person.memberships.order_by("-valid_from", "-pk").select_related("household").first()
    return stay.household if stay else None


def household_allows(scope: UnitScope, household: Household, action: Action, user: Any) -> bool:
    return households_visible(scope, user, action).filter(pk=household.pk).exists()


def person_allows(scope: UnitScope, person: Person, action: Action, user: Any) -> bool:
    """May the reader do ``action`` on ``person``, through their current household?"""
    household = current_household(person)
    return household is not None and household_allows(scope, household, action, user)


def event_reached(scope: UnitScope, event: Event, user: Any) -> bool:
    return events_visible(scope, user).filter(pk=event.pk).exists()


# ---------------------------------------------------------------- sight


class Sights:
    """The sight of one reader on any person, read a page at a time: the reader's units
    are read once, each person's current household with one query per ``prime``.

    ``revealed`` maps the persons whose full record the reader opened to the reason they
    gave (``reveal_reason``).  Every person ``show`` prints is remembered, so that the
    page ends with one ``log`` of those read at a logged sight.
    """

    def __init__(self, scope: UnitScope, user: Any, revealed: dict[int, str] | None = None) -> None:
        self.scope = scope
        self.user = user
        self.revealed = dict(revealed or {})
        self.full_units = set(visible_unit_ids(scope, Action.VIEW_PERSONS))
        self.record_units = set(visible_unit_ids(scope, Action.VIEW_RECORDS))
        self.reveal_units = set(visible_unit_ids(scope, Action.REVEAL_PERSONS))
        self.kept: set[int] = set()
        if getattr(user, "pk", None):
            areas = CollaboratorArea.objects.filter(user=user).filter(valid_on(scope.on))
            self.kept = set(areas.values_list("household_id", flat=True))
        self.places: dict[int, tuple[int, int] | None] = {}  # person -> (household, unit)
        self.seen: dict[int, Sight] = {}

    def prime(self, persons: Iterable[Person | int]) -> None:
        """Read the current households of ``persons`` (those not read yet) at once."""
        ids = {p if isinstance(p, int) else p.pk for p in persons} - set(self.places)
        for chunk in _chunks(sorted(ids), 900):
            rows = _last_stays().filter(person_id__in=chunk)
            found = {
                person: (household, unit)
                for person, household, unit in rows.values_list(
                    "person_id", "household_id", "household__unit_id"
                )
            }
            for pk in chunk:
                self.places[pk] = found.get(pk)

    def of(self, person: Person | int) -> Sight:
        pk = person if isinstance(person, int) else person.pk
        if pk not in self.places:
            self.prime([pk])
        place = self.places[pk]
        if place is None:
            return Sight.NONE
        household, unit = place
        if household in self.kept or unit in self.full_units:
            return Sight.FULL
        if unit not in self.record_units:
            return Sight.NONE
        if pk in self.revealed and unit in self.reveal_units:
            return Sight.REVEALED
        return Sight.MASKED

    def may_reveal(self, person: Person | int) -> bool:
        """May the reader open this person's full record by giving a reason?"""
        pk = person if isinstance(person, int) else person.pk
        if self.of(pk) is not Sight.MASKED:
            return False
        place = self.places[pk]
        return place is not None and place[1] in self.reveal_units

    def show(self, person: Person) -> Shown:
        """``person`` as the reader may see them (masked when they may not see them at
        all: a name on a record they reach, such as an event's other person)."""
        sight = self.of(person)
        self.seen[person.pk] = sight
        return shown(person, sight)

    def log(self, *, where: str, path: str = "") -> None:
        """Log the persons shown at a logged sight (``log_sighted``)."""
        log_sighted(
            user=self.user,
            sighted=self.seen.items(),
            where=where,
            path=path,
            reasons=self.revealed,
        )
        self.seen.clear()


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def person_sight(scope: UnitScope, person: Person, user: Any) -> Sight:
    return Sights(scope, user).of(person)


def unit_sight(scope: UnitScope, version: UnitVersion) -> Sight:
    """The sight on the persons of a whole commune or village (its lists)."""
    if scope.allows(Action.VIEW_PERSONS, version):
        return Sight.FULL
    if scope.allows(Action.VIEW_RECORDS, version):
        return Sight.MASKED
    return Sight.NONE


def masked_name(name: str) -> str:
    """A name for a reader who may not see it: initials only ("N. T. H.")."""
    return initials(name)


def masked_id(number: str) -> str:
    """An ID number cut in the middle: ``001089001234`` → ``0010****1234``."""
    number = str(number or "").strip()
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}"


@dataclass(frozen=True)
class Shown:
    """A person as one reader may see them: what every screen, export and endpoint
    prints instead of the ``Person`` itself."""

    pk: int
    name: str
    id_number: str
    birth: str  # dd/mm/yyyy, or the year alone when masked
    birth_year: int
    sex: str
    sight: Sight

    @property
    def masked(self) -> bool:
        return not self.sight.full


def shown(person: Person, sight: Sight) -> Shown:
    if sight.full:
        return Shown(
            person.pk,
            person.full_name,
            person.id_number,
            person.birth_display,
            person.birth_date.year,
            person.sex,
            sight,
        )
    return Shown(
        person.pk,
        masked_name(person.full_name),
        masked_id(person.id_number),
        f"{person.birth_date:%Y}",
        person.birth_date.year,
        person.sex,
        sight,
    )


# ---------------------------------------------------------------- revealing one record


def reveal_key(person_id: int) -> str:
    return f"danso_reveal_{person_id}"


def reveal_open(session: Any, person_id: int, reason: str, now: datetime | None = None) -> None:
    """Keep one person's full record open in ``session`` for ``REVEAL_MINUTES``."""
    until = (now or timezone.now()) + timedelta(minutes=REVEAL_MINUTES)
    session[reveal_key(person_id)] = {"until": until.isoformat(), "reason": reason}


def reveal_reason(session: Any, person_id: int, now: datetime | None = None) -> str | None:
    """The reason given for the open full record of ``person_id``, or None."""
    kept = session.get(reveal_key(person_id)) if session is not None else None
    if not isinstance(kept, dict):
        return None
    try:
        until = datetime.fromisoformat(str(kept.get("until")))
    except ValueError:
        return None
    if until < (now or timezone.now()):
        session.pop(reveal_key(person_id), None)
        return None
    return str(kept.get("reason") or "")


def revealed_in(session: Any, now: datetime | None = None) -> dict[int, str]:
    """Every full record open in ``session``, with its reason (expired ones dropped)."""
    if session is None:
        return {}
    found: dict[int, str] = {}
    prefix = reveal_key(0)[:-1]
    keys = list(session.keys())  # a session is not iterable
    for key in [k for k in keys if str(k).startswith(prefix)]:
        pk = int(str(key)[len(prefix) :])
        reason = reveal_reason(session, pk, now)
        if reason is not None:
            found[pk] = reason
    return found


def reason_problem(reason: str) -> str | None:
    """Why ``reason`` is not enough to open a full record, or None."""
    if len(reason.strip()) < REASON_MIN_LENGTH:
        return str(
            _("Say why you need this person's full record (at least %(n)s characters).")
            % {"n": REASON_MIN_LENGTH}
        )
    return None


# ---------------------------------------------------------------- the log


def units_of_persons(person_ids: Sequence[int]) -> set[int]:
    """The communes or villages of the persons' current households."""
    stays = _last_stays().filter(person_id__in=person_ids)
    return set(stays.values_list("household__unit_id", flat=True))


@transaction.atomic
def log_read(
    *,
    user: Any,
    persons: Iterable[Person | int],
    where: str,
    path: str = "",
    reason: str = "",
    kind: str = AccessLog.Kind.READ,
) -> AccessLog | None:
    """Record that ``user`` read the data of ``persons`` from outside their commune.
    Nothing is written for an empty list."""
    ids = sorted({p if isinstance(p, int) else p.pk for p in persons})
    if not ids:
        return None
    entry = AccessLog.objects.create(
        kind=kind,
        user=user,
        where=where,
        path=path[:300],
        reason=reason[:500],
        count=len(ids),
    )
    AccessLogPerson.objects.bulk_create(AccessLogPerson(log=entry, person_id=i) for i in ids)
    AccessLogUnit.objects.bulk_create(
        AccessLogUnit(log=entry, unit_id=u) for u in sorted(units_of_persons(ids))
    )
    return entry


def log_sighted(
    *,
    user: Any,
    sighted: Iterable[tuple[int, Sight]],
    where: str,
    path: str = "",
    reasons: dict[int, str] | None = None,
) -> None:
    """Log the persons of a page read at a logged sight: the masked ones in one entry,
    each revealed one with its reason; those read as their keeper are not logged."""
    masked = [pk for pk, sight in sighted if sight is Sight.MASKED]
    revealed = [pk for pk, sight in sighted if sight is Sight.REVEALED]
    log_read(user=user, persons=masked, where=where, path=path)
    for pk in revealed:
        log_read(
            user=user,
            persons=[pk],
            where=where,
            path=path,
            reason=(reasons or {}).get(pk, ""),
            kind=AccessLog.Kind.REVEAL,
        )


@transaction.atomic
def log_export(
    *,
    user: Any,
    units: Iterable[int],
    where: str,
    description: str,
    rows: int,
    path: str = "",
    reason: str = "",
    persons: Iterable[int] = (),
) -> AccessLog:
    """Record an export of personal data: the communes and villages whose persons it
    holds (``units``) and, for an export of a few persons, the persons themselves."""
    entry = AccessLog.objects.create(
        kind=AccessLog.Kind.EXPORT,
        user=recorded_user(user),
        where=where,
        path=path[:300],
        reason=reason[:500],
        description=description[:300],
        count=rows,
    )
    AccessLogUnit.objects.bulk_create(
        AccessLogUnit(log=entry, unit_id=u) for u in sorted(set(units))
    )
    AccessLogPerson.objects.bulk_create(
        AccessLogPerson(log=entry, person_id=i) for i in sorted(set(persons))
    )
    return entry


def units_placed_under(root_ids: Iterable[int], on: date) -> set[int]:
    """The communes and villages under the units ``root_ids`` on ``on`` (themselves
    included): what an export of those units holds."""
    roots = UnitVersion.objects.filter(valid_on(on), unit_id__in=list(root_ids))
    q = Q(pk__in=[])
    for path in roots.values_list("path", flat=True):
        q |= Q(path__startswith=path)
    return set(
        UnitVersion.objects.filter(valid_on(on), unit__level__in=[Level.COMMUNE, Level.VILLAGE])
        .filter(q)
        .values_list("unit_id", flat=True)
    )


def access_log_units(log_ids: Sequence[int]) -> set[int]:
    """The communes and villages the given entries touched."""
    rows = AccessLogUnit.objects.filter(log_id__in=list(log_ids))
    return set(rows.values_list("unit_id", flat=True))


def access_log() -> QuerySet[AccessLog]:
    return AccessLog.objects.select_related("user").order_by("-at", "-pk")


def access_log_for_units(unit_ids: Iterable[int]) -> QuerySet[AccessLog]:
    """Entries that read or exported the persons of these communes and villages, and the
    backups of the whole database (which hold everyone)."""
    touching = AccessLogUnit.objects.filter(unit_id__in=list(unit_ids)).values("log_id")
    return access_log().filter(Q(pk__in=touching) | Q(where=Where.BACKUP))


def access_log_for_person(person: Person) -> QuerySet[AccessLog]:
    """Entries that read ``person``, and exports of a unit one of their households sat
    in."""
    households = person.memberships.values("household_id")
    places = HouseholdPlacement.objects.filter(household_id__in=households).values("unit_id")
    read = AccessLogPerson.objects.filter(person=person).values("log_id")
    exported = AccessLogUnit.objects.filter(
        unit_id__in=places, log__kind=AccessLog.Kind.EXPORT
    ).values("log_id")
    return access_log().filter(Q(pk__in=read) | Q(pk__in=exported) | Q(where=Where.BACKUP))
