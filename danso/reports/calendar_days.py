"""Writes of the working calendar (``CalendarDay``): the government's yearly swaps of
working days and days off that the ``holidays`` package lacks, loaded by ``danso
setup``, and the administrator's own settings of a day.  The calendar itself, read, is
``danso.reports.calendar`` and ``selectors.working_calendar``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from danso.audit import acting_as
from danso.reports.access import scope_of
from danso.reports.catalogue import KNOWN_DAYS
from danso.reports.models import CalendarDay
from danso.units.scope import Action


@transaction.atomic
def calendar_days_load() -> int:
    """Add the government's swaps the ``holidays`` package lacks (``catalogue.KNOWN_DAYS``)
    where the administrator has set nothing for that day.  Returns how many were added."""
    taken = set(CalendarDay.objects.values_list("day", flat=True))
    new = [known for known in KNOWN_DAYS if known.day not in taken]
    bulk_create_with_history(
        [CalendarDay(day=known.day, kind=_kind(known.working), note=known.note) for known in new],
        CalendarDay,
    )
    return len(new)


def _kind(working: bool) -> str:
    return CalendarDay.Kind.WORKING_DAY if working else CalendarDay.Kind.DAY_OFF


def calendar_day_set(*, day: date, working: bool, note: str = "", actor: Any) -> CalendarDay:
    """Make ``day`` a working day or a day off, whatever the public holidays say (the
    government's yearly swaps).  Only an administrator of the whole country sets them."""
    # the calendar is the whole country's, and only the administrator's role holds
    # MANAGE_USERS over the whole country
    if not scope_of(actor, day).is_everything(Action.MANAGE_USERS):
        raise PermissionDenied(_("Only an administrator sets the working calendar."))
    with acting_as(actor):
        row, _created = CalendarDay.objects.update_or_create(
            day=day, defaults={"kind": _kind(working), "note": note.strip()}
        )
    return row


def calendar_day_remove(*, day: date, actor: Any) -> bool:
    """Drop the administrator's setting of ``day``: the public holidays decide it again.
    Returns whether there was one.  The removal stays in the history."""
    if not scope_of(actor, day).is_everything(Action.MANAGE_USERS):
        raise PermissionDenied(_("Only an administrator sets the working calendar."))
    row = CalendarDay.objects.filter(day=day).first()
    if row is None:
        return False
    with acting_as(actor):
        row.delete()
    return True
