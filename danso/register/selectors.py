"""Reads of the register that do not decide who may see what (``register.privacy`` does:
every list or record a reader gets is first reached through it)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Max, Q, QuerySet

from danso.register.models import Event, Household, HouseholdPlacement, Membership, Person
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from danso.units.scope import Action, UnitScope


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


def villages_on(unit_id: int, day: date) -> QuerySet[UnitVersion]:
    """The villages (tổ dân phố, thôn) under the commune ``unit_id`` on ``day``."""
    return (
        UnitVersion.objects.filter(valid_on(day), parent_id=unit_id, unit__level=Level.VILLAGE)
        .select_related("unit")
        .order_by("path", "name")
    )


def _placed_on(unit_ids: Iterable[int], day: date) -> QuerySet[HouseholdPlacement]:
    return HouseholdPlacement.objects.filter(valid_on(day), unit_id__in=list(unit_ids))


def _stays_on(day: date) -> QuerySet[Membership]:
    return Membership.objects.filter(valid_on(day))


def households_placed(
    households: QuerySet[Household],
    unit_ids: Iterable[int],
    day: date,
    *,
    number: str = "",
    head: str = "",
) -> QuerySet[Household]:
    """Those of ``households`` that sat in one of ``unit_ids`` on ``day``, whose number
    begins with ``number`` or whose head that day has ``head`` in their name (folded),
    by village (where they are now: a column of the household) and number.  One
    statement: the caller pages it."""
    chosen = households.filter(pk__in=_placed_on(unit_ids, day).values("household_id"))
    wanted = Q()
    if number:
        wanted |= Q(number__istartswith=number)
    if head:
        heads = _stays_on(day).filter(relation="chu_ho", person__name_folded__contains=head)
        wanted |= Q(pk__in=heads.values("household_id"))
    if number or head:
        chosen = chosen.filter(wanted)
    return chosen.order_by("unit_id", "number", "pk")


@dataclass(frozen=True)
class HouseholdRow:
    """A household of a list as it stood on a day: where, its head and how many."""

    household: Household
    unit_id: int | None
    head: Person | None
    members: int


def household_rows(households: Sequence[Household], day: date) -> list[HouseholdRow]:
    """``households`` with their unit, head and number of members on ``day``: two
    statements for the whole page."""
    ids = [h.pk for h in households]
    placed = dict(
        HouseholdPlacement.objects.filter(valid_on(day), household_id__in=ids)
        .order_by("valid_from", "pk")
        .values_list("household_id", "unit_id")
    )
    heads: dict[int, Person] = {}
    sizes: dict[int, int] = {}
    stays = (
        _stays_on(day)
        .filter(household_id__in=ids)
        .select_related("person")
        .order_by("valid_from", "pk")
    )
    for stay in stays:
        sizes[stay.household_id] = sizes.get(stay.household_id, 0) + 1
        if stay.relation == "chu_ho":
            heads[stay.household_id] = stay.person  # the latest head that day
    return [
        HouseholdRow(h, placed.get(h.pk), heads.get(h.pk), sizes.get(h.pk, 0)) for h in households
    ]


def last_event_day(scope: UnitScope) -> date | None:
    """The latest day of an event in the reader's units (the paths events were recorded
    under), for the date picker: a book that ends before today is not opened on an empty
    year.  One aggregate per granted unit, each a range of the index on (path, date)."""
    paths = scope.paths(Action.VIEW)
    if not paths:
        return None
    wanted = [""] if "" in paths else sorted(set(paths))
    days = [
        Event.objects.filter(path__startswith=path).aggregate(last=Max("event_date"))["last"]
        if path
        else Event.objects.aggregate(last=Max("event_date"))["last"]
        for path in wanted
    ]
    return max((d for d in days if d is not None), default=None)
