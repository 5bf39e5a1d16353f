"""The tasks that run every day without anyone typing a command (``DANSO_SCHEDULE``).

Each entry names a task (its dotted path, a function decorated with ``@task``) and the
local time of day after which it runs.  The worker asks ``enqueue_due`` every half
minute; a task is enqueued at most once a day, whichever worker asks first (the row of
``ScheduledRun`` for the task and the day is the lock), and a worker started after that
time enqueues the day's run at once, so that a day missed while no worker ran is caught up
when one starts (the tasks themselves catch up on what the days before missed: reminders
are sent up to ``REMINDER_CATCH_UP`` days late, and never twice).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from danso.background.models import ScheduledRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Daily:
    """A task run once a day, at or after ``at`` (local time)."""

    name: str
    task: str
    at: time


def schedule() -> list[Daily]:
    """The schedule the settings give (``DANSO_SCHEDULE``: name → task and ``HH:MM``)."""
    entries: dict[str, dict[str, str]] = settings.DANSO_SCHEDULE
    return [
        Daily(name, entry["task"], time.fromisoformat(entry["at"]))
        for name, entry in entries.items()
    ]


def enqueue_due(now: datetime) -> list[str]:
    """Enqueue each scheduled task whose time of day has come and that was not enqueued
    today; ``now`` is local time.  Returns the names enqueued."""
    enqueued = []
    for daily in schedule():
        if now.time() < daily.at:
            continue
        if ScheduledRun.objects.filter(name=daily.name, day=now.date()).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=daily.name, day=now.date())
                result: Any = import_string(daily.task).enqueue()
                run.task_id = str(result.id)[:64]
                run.save(update_fields=["task_id"])
        except IntegrityError:  # another worker enqueued it first
            continue
        logger.info("scheduled task %s enqueued for %s", daily.name, now.date())
        enqueued.append(daily.name)
    return enqueued
