"""The indicators' background tasks (run by ``danso worker``): figures counted ahead of
their readers after a bulk change of the register (an import, a generated book), so that
the first dashboard opened after it does not wait for the count."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from danso.indicators.cache import MARGIN, warm, years_with_register
from danso.transactions import waiting_for_commit


@dataclass
class _Change:
    """What the bulk changes of one transaction touched (None: every unit, any day)."""

    units: set[int] | None
    since: date | None

    def add(self, units: list[int] | None, since: date | None) -> None:
        if units is None or self.units is None:
            self.units = None
        else:
            self.units.update(units)
        if since is None or (self.since is not None and since < self.since):
            self.since = since


_pending = threading.local()


def warm_later(units: list[int] | None, since: date | None) -> None:
    """Enqueue ``figures_warm`` for what a bulk change touched, once the change commits
    (the bulk changes of one transaction make one task; a change rolled back, none)."""
    change: _Change | None = getattr(_pending, "change", None)
    if change is not None and not waiting_for_commit(_enqueue_pending):
        change = None  # its transaction was rolled back: what it touched is gone
    if change is None:
        _pending.change = _Change(None if units is None else set(units), since)
        transaction.on_commit(_enqueue_pending)
    else:
        change.add(units, since)


def _enqueue_pending() -> None:
    change: _Change | None = _pending.__dict__.pop("change", None)
    if change is None:
        return
    units = None if change.units is None else sorted(change.units)
    figures_warm.enqueue(units, change.since.isoformat() if change.since else None)


@task()
def figures_warm(units: list[int] | None, since: str | None) -> int:
    """Count and keep the leaf tallies that are missing for ``units`` (None: every leaf
    with a register) in the periods ending on or after ``since`` (ISO day; None: all),
    for every year from the register's first to this one, a year in one set-based pass
    (``cache.warm``).  Returns the rows written."""
    today = timezone.localdate()
    first = date.fromisoformat(since) if since else None
    written = 0
    for year in reversed(years_with_register(today.year)):
        if first is not None and date(year, 12, 31) < first - MARGIN:
            continue
        written += warm(year, units, first)
    return written


@task()
def figures_warm_year(year: int) -> int:
    """Count and keep every missing tally of ``year`` (``cache.warm``): what a page asks
    for when its figures are not ready (``warm_year_soon``).  Returns the rows written."""
    return warm(year)


def warm_year_soon(year: int) -> None:
    """Enqueue ``figures_warm_year`` for ``year`` unless one is already waiting or
    running (two pages, or two readers, asking for the same year make one task)."""
    if _warming(year):
        return
    figures_warm_year.enqueue(year)


def _warming(year: int) -> bool:
    """Whether a warming of ``year`` waits or runs (the database backend only: the others
    keep no queue to look at)."""
    waiting = DBTaskResult.objects.filter(
        task_path=figures_warm_year.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).values_list("args_kwargs", flat=True)
    return any((arguments or {}).get("args") == [year] for arguments in waiting)
