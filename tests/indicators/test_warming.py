"""Figures counted ahead of their readers after a bulk change of the register (issue 13):
the change enqueues one warming task per transaction, which the worker runs, and the
tallies it keeps are the register's counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django_tasks import task_backends

from danso.indicators import cache
from danso.indicators.models import LeafTally
from danso.indicators.periods import Period
from danso.indicators.tallying import tallies_of
from danso.indicators.tasks import figures_warm
from danso.register.models import Person
from danso.register.signals import register_changed
from danso.units.codes import Level
from tests.conftest import unit_at

pytestmark = pytest.mark.django_db


def warming_queued() -> list[tuple[Any, ...]]:
    backend: Any = task_backends["default"]
    return [tuple(r.args) for r in backend.results if r.task.func is figures_warm.func]


def test_the_bulk_changes_of_one_transaction_queue_one_warming(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    task_backends["default"].clear()  # type: ignore[attr-defined]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        register_changed.send(sender=None, units=[7, 3], since=date(2025, 3, 1))
        register_changed.send(sender=None, units=[5], since=date(2024, 11, 2))
        assert warming_queued() == []  # not before the change commits
    assert warming_queued() == [([3, 5, 7], "2024-11-02")]
    # a change of every unit on any day warms everything
    with django_capture_on_commit_callbacks(execute=True):
        register_changed.send(sender=None, units=[3], since=date(2025, 1, 1))
        register_changed.send(sender=None, units=None, since=None)
    assert warming_queued()[-1] == (None, None)


def test_a_change_rolled_back_queues_nothing_and_blocks_nothing(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    task_backends["default"].clear()  # type: ignore[attr-defined]

    def failed_import() -> None:
        with transaction.atomic():
            register_changed.send(sender=None, units=[9], since=date(2025, 1, 1))
            raise RuntimeError("the import failed")

    with pytest.raises(RuntimeError):
        failed_import()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        register_changed.send(sender=None, units=[4], since=date(2025, 6, 1))
    assert warming_queued() == [([4], "2025-06-01")]


def test_the_warming_keeps_the_registers_counts(book: dict[str, Person]) -> None:
    # given a register whose tallies were forgotten (a bulk change)
    ward = unit_at(Level.COMMUNE, "118", date(2024, 12, 31))
    village = unit_at(Level.VILLAGE, "00118-T1", date(2024, 12, 31))
    cache.invalidate(None, None)
    assert not LeafTally.objects.exists()
    # when the worker warms the figures of the years the screens open
    assert figures_warm.call(None, "2024-01-01") > 0
    # then the rows are there, equal to a count from the register, for the book's village
    for text in ("2024", "2024Q2", "2024-05", "2024-YTD-06"):
        period = Period.parse(text)
        kept = LeafTally.objects.get(unit=village, period=text).tally
        assert kept == dict(tallies_of(period, [village.pk]).get(village.pk, {})), text
    assert not LeafTally.objects.filter(unit=ward).exists()  # the ward keeps no book itself
