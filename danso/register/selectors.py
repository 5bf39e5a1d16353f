"""Reads of the register that do not decide who may see what (``register.privacy`` does:
every list or record a reader gets is first reached through it)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from danso.register.models import Event, Household, Membership, Person


def members_on(household: Household, day: date) -> QuerySet[Membership]:
    """Who belonged to the household on ``day``, head first."""
    return (
        Membership.objects.filter(household=household, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .select_related("person")
        .order_by("person__birth_date")
    )


def events_of(person: Person) -> QuerySet[Event]:
    return Event.objects.filter(Q(person=person) | Q(child=person)).order_by("event_date", "pk")
