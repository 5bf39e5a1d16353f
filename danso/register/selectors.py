"""Reads of the register through the reader's scope.

Households are found through the unit they sit in (as the tree stands on the day looked
at); a collaborator also sees the households given to them outside villages.  Names and
ID numbers are shown to those whose role needs them (``Action.VIEW_PERSONS``); anyone
else who opens a person's record is logged (``log_person_access``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from danso.register.models import (
    CollaboratorArea,
    Event,
    Household,
    Membership,
    Person,
    PersonAccess,
)
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from danso.units.scope import Action, UnitScope


def _units(scope: UnitScope, action: Action) -> QuerySet[UnitVersion]:
    return UnitVersion.objects.filter(
        valid_on(scope.on), unit__level__in=[Level.COMMUNE, Level.VILLAGE]
    ).filter(scope.q(action))


def visible_unit_ids(scope: UnitScope, action: Action) -> list[int]:
    """The communes and villages (unit ids) in which the scope allows ``action``, read
    once: a handful of ids for a commune officer, a few thousand for a province."""
    return list(_units(scope, action).values_list("unit_id", flat=True).distinct())


def households_visible(
    scope: UnitScope, user: Any = None, action: Action = Action.VIEW
) -> QuerySet[Household]:
    """Households in the units the scope allows ``action`` on (and, for a collaborator,
    the households kept by them outside villages)."""
    q = Q(unit_id__in=visible_unit_ids(scope, action))
    if user is not None and getattr(user, "pk", None):
        kept = CollaboratorArea.objects.filter(user=user).filter(valid_on(scope.on))
        q |= Q(pk__in=kept.values("household_id"))
    return Household.objects.filter(q)


def household_allows(
    scope: UnitScope, household: Household, action: Action, user: Any = None
) -> bool:
    return households_visible(scope, user, action).filter(pk=household.pk).exists()


def members_on(household: Household, day: date) -> QuerySet[Membership]:
    """Who belonged to the household on ``day``, head first."""
    return (
        Membership.objects.filter(household=household, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .select_related("person")
        .order_by("person__birth_date")
    )


def current_household(person: Person) -> Household | None:
    stay = person.memberships.order_by("-valid_from").select_related("household").first()
    return stay.household if stay else None


def person_allows(scope: UnitScope, person: Person, action: Action, user: Any = None) -> bool:
    household = current_household(person)
    return household is not None and household_allows(scope, household, action, user)


def shows_names(scope: UnitScope, person: Person, user: Any = None) -> bool:
    """May the reader see the person's name and ID number without the read being logged?"""
    return person_allows(scope, person, Action.VIEW_PERSONS, user)


def log_person_access(*, person: Person, user: Any, what: str) -> None:
    PersonAccess.objects.create(person=person, user=user, what=what[:100])


def events_of(person: Person) -> QuerySet[Event]:
    return Event.objects.filter(Q(person=person) | Q(child=person)).order_by("event_date", "pk")
