"""The reports' background tasks (run by ``danso worker``)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django_tasks import task

from danso.audit import acting_as, system_actor


@task()
def reminders_daily(day: str | None = None) -> int:
    """The reminders of report deadlines of ``day`` (ISO; default today: the schedule,
    ``DANSO_SCHEDULE``, enqueues it every morning), sent as the system actor; returns how
    many were sent."""
    from danso.reports.services import reminders_send

    with acting_as(system_actor()):
        return reminders_send(date.fromisoformat(day) if day else timezone.localdate())
