"""Keep the cache of tallies true to the register: every saved or deleted event, stay,
placement or person deletes the cached rows it can alter (``cache.invalidate``).

The rows go at once, inside the writer's transaction, and again when it commits: a reader
that counted the old register while the change was being written must not leave its
rows behind.

The register's spells (``spells``) are rewritten in the same transaction for the persons a
saved or deleted row touches (before the cache's rows are forgotten), and for the
persons of the units of a bulk change.

Whole figures kept in Django's cache (``cache.figures``) also rest on entered figures,
the tree of units and population figures (the shares of split communes): a change to
any of them, as to the register, moves the cache's epoch on (``cache.changed``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from danso.indicators import spells
from danso.indicators.cache import changed, invalidate
from danso.indicators.models import EnteredFigures
from danso.indicators.tasks import warm_later
from danso.population.models import PopulationFigure
from danso.register.models import Event, HouseholdPlacement, Membership, Person
from danso.register.signals import register_changed
from danso.units.models import UnitSuccession, UnitVersion


def _forget(units: list[int] | None, since: date | None) -> None:
    invalidate(units, since)
    transaction.on_commit(lambda: invalidate(units, since))


def _units_of_households(households: list[int]) -> list[int]:
    return sorted(
        set(
            HouseholdPlacement.objects.filter(household_id__in=households).values_list(
                "unit_id", flat=True
            )
        )
    )


def _before(model: Any, instance: Any, *fields: str) -> tuple[Any, ...] | None:
    """What a saved row was (``fields``), None for a new row."""
    if not instance.pk:
        return None
    found: tuple[Any, ...] | None = (
        model.objects.filter(pk=instance.pk).values_list(*fields).first()
    )
    return found


def event_before(sender: Any, instance: Event, **kwargs: Any) -> None:
    """Keep whose event a saved event was, and of which type, for ``event_changed``."""
    instance.__dict__["_event_before"] = _before(Event, instance, "person_id", "event_type")


def event_changed(sender: Any, instance: Event, **kwargs: Any) -> None:
    before: tuple[int, str] | None = instance.__dict__.pop("_event_before", None)
    persons = set()
    if instance.event_type in spells.SPELL_EVENTS:
        persons.add(instance.person_id)
    if before is not None and before[1] in spells.SPELL_EVENTS:
        persons.add(before[0])
    if persons:
        spells.refresh(persons)
    _forget([instance.unit_id], instance.event_date)


def stay_before(sender: Any, instance: Membership, **kwargs: Any) -> None:
    """Keep what a saved stay was (its household, days and person), for
    ``stay_changed``."""
    instance.__dict__["_stay_before"] = _before(
        Membership, instance, "household_id", "valid_from", "valid_to", "person_id"
    )


def stay_changed(sender: Any, instance: Membership, created: bool = False, **kwargs: Any) -> None:
    """A stay ended (a death, a move out) changes the counts from its last day on, not
    from its first: the rows of the years before stay.  A new, deleted or moved stay
    changes them from its first day (of the old one and the new one)."""
    before: tuple[int, date, date | None, int] | None = instance.__dict__.pop("_stay_before", None)
    now = (instance.household_id, instance.valid_from, instance.valid_to, instance.person_id)
    if before != now:  # a new or deleted stay, or its household, days or person changed
        spells.refresh(
            [instance.person_id, *(before[3:] if before else ())],
            [instance.household_id, *(before[:1] if before else ())],
        )
    households = [instance.household_id]
    since: date | None = instance.valid_from
    if before is not None and not created:
        household, valid_from, valid_to, _ = before
        changes = []
        if household != instance.household_id:
            households.append(household)
            changes.append(min(valid_from, instance.valid_from))
        if valid_from != instance.valid_from:
            changes.append(min(valid_from, instance.valid_from))
        if valid_to != instance.valid_to:
            ends = [day for day in (valid_to, instance.valid_to) if day is not None]
            changes.append(min(ends))
        if not changes:
            return  # the relation to the head, say: no count rests on it
        since = min(changes)
    _forget(_units_of_households(households), since)


def placement_before(sender: Any, instance: HouseholdPlacement, **kwargs: Any) -> None:
    instance.__dict__["_placement_before"] = _before(
        HouseholdPlacement, instance, "household_id", "unit_id"
    )


def placement_changed(sender: Any, instance: HouseholdPlacement, **kwargs: Any) -> None:
    before: tuple[int, int] | None = instance.__dict__.pop("_placement_before", None)
    spells.refresh_households([instance.household_id, *(before[:1] if before else ())])
    units = [instance.unit_id, *(before[1:] if before else ())]
    _forget(sorted(set(units)), instance.valid_from)


def person_changed(sender: Any, instance: Person, created: bool = False, **kwargs: Any) -> None:
    """An edited person (birth date, sex, a merge) can change any period of their
    households' units; a new person counts only once they join a household."""
    spells.refresh([instance.pk])
    if created:
        return
    households = list(
        Membership.objects.filter(person_id=instance.pk).values_list("household_id", flat=True)
    )
    if households:
        _forget(_units_of_households(households), None)


def bulk_changed(
    sender: Any, units: list[int] | None = None, since: date | None = None, **kwargs: Any
) -> None:
    spells.refresh_units(units)
    _forget(units, since)
    warm_later(units, since)


def connect() -> None:
    for model, receiver in (
        (Event, event_changed),
        (Membership, stay_changed),
        (HouseholdPlacement, placement_changed),
        (Person, person_changed),
    ):
        post_save.connect(receiver, sender=model, dispatch_uid=f"indicators-cache-{model.__name__}")
        post_delete.connect(
            receiver, sender=model, dispatch_uid=f"indicators-cache-del-{model.__name__}"
        )
    pre_save.connect(stay_before, sender=Membership, dispatch_uid="indicators-cache-stay-before")
    pre_save.connect(event_before, sender=Event, dispatch_uid="indicators-spells-event-before")
    pre_save.connect(
        placement_before, sender=HouseholdPlacement, dispatch_uid="indicators-spells-placement"
    )
    register_changed.connect(bulk_changed, dispatch_uid="indicators-cache-bulk")
    for source in (EnteredFigures, UnitVersion, UnitSuccession, PopulationFigure):
        for signal, name in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(
                figures_changed, sender=source, dispatch_uid=f"figures-{name}-{source.__name__}"
            )


def figures_changed(sender: Any, **kwargs: Any) -> None:
    changed()
