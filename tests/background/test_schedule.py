"""The daily schedule and the worker's recovery (``danso.background``)."""

from __future__ import annotations

import socket
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django_tasks import task_backends
from django_tasks_db.models import DBTaskResult

from danso.background.models import ScheduledRun
from danso.background.schedule import enqueue_due
from danso.background.worker import lost, recover, worker_id
from tests.conftest import dead_pid

pytestmark = pytest.mark.django_db
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def queued() -> list[str]:
    return [r.task.name for r in task_backends["default"].results]  # type: ignore[attr-defined]


def test_the_reminders_are_enqueued_once_a_day_after_seven() -> None:
    task_backends["default"].clear()  # type: ignore[attr-defined]
    assert enqueue_due(datetime(2026, 12, 7, 6, 59, tzinfo=HANOI)) == []
    assert enqueue_due(datetime(2026, 12, 7, 7, 0, tzinfo=HANOI)) == ["reminders"]
    # a second worker, or the same one half a minute later, enqueues nothing more
    assert enqueue_due(datetime(2026, 12, 7, 7, 0, 30, tzinfo=HANOI)) == []
    assert enqueue_due(datetime(2026, 12, 7, 23, 0, tzinfo=HANOI)) == []
    # a worker started late on the next day catches the day up at once
    assert enqueue_due(datetime(2026, 12, 8, 15, 0, tzinfo=HANOI)) == ["reminders"]
    assert queued() == ["reminders_daily", "reminders_daily"]
    assert ScheduledRun.objects.count() == 2
    assert all(run.task_id for run in ScheduledRun.objects.all())


def running_task(worker: str) -> DBTaskResult[Any, Any]:
    return DBTaskResult.objects.create(
        task_path="danso.reports.tasks.reminders_daily",
        args_kwargs={"args": [], "kwargs": {}},
        status="RUNNING",
        backend_name="default",
        queue_name="default",
        worker_ids=[worker],
    )


def test_a_task_whose_worker_died_is_marked_failed_when_a_worker_starts() -> None:
    host = socket.gethostname()[:40]
    gone = running_task(f"{host}:{dead_pid()}:earlier")
    alive = running_task(worker_id())  # this process
    elsewhere = running_task(f"another-machine:{dead_pid()}:x")
    assert lost(gone.worker_ids[-1])
    assert recover() == {"tasks": 1, "imports": 0}
    statuses = dict(DBTaskResult.objects.values_list("id", "status"))
    assert statuses[gone.id] == "FAILED"
    assert statuses[alive.id] == "RUNNING"
    assert statuses[elsewhere.id] == "RUNNING"  # only its own machine can tell
