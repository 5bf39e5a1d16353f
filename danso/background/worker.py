"""The worker: django-tasks-db's database worker, with what danso needs around it.

* **Who runs a task** is written on its row as ``host:pid:token`` (the worker's id), so
  that a worker starting on the same machine can tell which running tasks lost their
  worker (killed, the machine restarted): those are marked failed (``recover``), never
  left running.  Work that keeps its own state (a register import's ``ImportJob``) is
  swept the same way, by the job's own rule (``danso.register.jobs.jobs_sweep``).
* **The schedule** (``danso.background.schedule``) is looked at every half minute by a
  thread of the worker.
* A task that is killed with its worker leaves the database as it was before it: each
  task writes inside its own transaction, which the database rolls back when the
  connection is lost.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.db import OperationalError, close_old_connections, connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from danso.background.schedule import enqueue_due
from danso.register.jobs import jobs_sweep, process_alive, runner

logger = logging.getLogger(__name__)

#: Seconds between two looks at the schedule.
SCHEDULE_EVERY = 30.0


class WorkerDied(Exception):
    """The worker that ran a task stopped before the task ended."""


def worker_id() -> str:
    """This process, as the rows of the tasks it runs name it (at most 64 characters)."""
    found = runner()
    return f"{found['host'][:40]}:{found['pid']}:{found['token'][:8]}"


def lost(worker: str) -> bool:
    """Whether ``worker`` (an id of ``worker_id``) ran on this machine and is gone."""
    host, _, rest = worker.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname()[:40] or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    return pid != os.getpid() and not process_alive(pid)


def recover() -> dict[str, int]:
    """Mark failed the tasks whose worker on this machine is gone, and the register
    imports that were interrupted; returns how many of each."""
    tasks = 0
    for result in DBTaskResult.objects.running():
        if result.worker_ids and lost(result.worker_ids[-1]):
            result.set_failed(WorkerDied(result.worker_ids[-1]))
            tasks += 1
    jobs = jobs_sweep()
    if tasks or jobs:
        logger.warning("recovered %s tasks and %s import jobs of a lost worker", tasks, jobs)
    return {"tasks": tasks, "imports": jobs}


def _keep_schedule(stop: threading.Event) -> None:
    """Look at the schedule until ``stop`` is set (the body of the schedule's thread)."""
    while not stop.is_set():
        close_old_connections()
        try:
            enqueue_due(timezone.localtime())
        except OperationalError:  # the database is busy (SQLite: a long import writes)
            logger.info("schedule: database busy, trying again in %s s", SCHEDULE_EVERY)
        stop.wait(SCHEDULE_EVERY)
    connections.close_all()


def schedule_thread() -> tuple[threading.Thread, threading.Event]:
    """Start the schedule's thread; set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=_keep_schedule, args=(stop,), name="danso-schedule", daemon=True
    )
    thread.start()
    return thread, stop
