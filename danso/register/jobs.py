"""Register imports run in the background, for the web screens, on the task queue.

``import_start`` records an ``ImportJob``, keeps the upload in a folder of its own and,
once the request's transaction has committed, enqueues ``register_import_job`` (a task of
django-tasks, stored in the database); ``danso worker`` runs it in its own process
(``danso.background``), which calls ``import_run``.  The import checks its files without
a transaction and holds the database only while it writes; on SQLite that is when another
writer would wait.

Progress (stage, done, total) is copied into the job's row about once a second, for the
page that polls it: with the worker's connection while the import is not inside its own
transaction, and during that transaction through a second connection on PostgreSQL (on
SQLite a second writer would wait for the import's lock, so the row catches up at the
end).  The report is stored in the row when the import ends (``report`` is
``RegisterImportReport.as_dict()``, or ``{"error": …}`` if the import failed
unexpectedly).

Every job ends, and its upload with it (issues 12 and 13):

* the upload is copied, chunk by chunk, into a folder of its own under ``SCRATCH``
  (``danso-import-*``, the setting ``DANSO_SCRATCH_DIR``, shared by the web server and
  the worker), removed when the task ends, however it ends;
* a job stops once it has run ``DANSO_IMPORT_TIME_LIMIT_SECONDS``: the progress callback
  raises ``ImportTimeLimit`` at the import's next step, the import's transaction is rolled
  back (nothing is half-written), and the job is marked failed, saying so;
* the job's row names the process that runs it (``report["runner"]``: host, pid and a
  token of the process).  A running job whose process on this host is gone, or that is
  older than the time limit, was interrupted (its worker killed, the machine restarted):
  the page that polls it (``job_progress``), the next ``import_start`` and the next worker
  to start (``jobs_sweep``) mark it failed ("run it again"); the database is as before,
  since the import's transaction died with its connection.  A job that no worker took up
  within the time limit is marked failed too, saying that no worker runs, and the task, if
  a worker comes later, does nothing.  ``import_start`` removes the upload folders older
  than the time limit that such jobs left behind.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from danso.accounts.models import User
from danso.register.importing import KIND_LABELS, STAGE_LABELS, register_import
from danso.register.models import ExportJob, ImportJob

logger = logging.getLogger(__name__)

#: Seconds between two copies of the progress into the job's row.
SAVE_EVERY = 1.0
#: Where uploads wait for their job, each in a folder ``danso-import-*`` of its own.
SCRATCH = Path(settings.DANSO_SCRATCH_DIR)
PREFIX = "danso-import-"
#: Seconds past the time limit before a job is taken for interrupted: a job stops itself
#: at its next step past the limit, and its last step may take a while.
GRACE = 60.0
FINISHED = (ImportJob.Status.DONE, ImportJob.Status.FAILED)

_tokens: dict[int, str] = {}  # a token per process id (a forked worker gets its own)
_lock = threading.Lock()


class ImportTimeLimit(Exception):
    """A job ran past ``DANSO_IMPORT_TIME_LIMIT_SECONDS`` (raised by its progress)."""


def time_limit() -> float:
    """Seconds a job may run (the setting)."""
    return float(settings.DANSO_IMPORT_TIME_LIMIT_SECONDS)


def runner() -> dict[str, Any]:
    """This process, as a job's row names it."""
    pid = os.getpid()
    with _lock:
        token = _tokens.setdefault(pid, uuid.uuid4().hex)
    return {"host": socket.gethostname(), "pid": pid, "token": token}


def import_start(
    *,
    file_name: str,
    user: Any = None,
    content: bytes | None = None,
    chunks: Iterable[bytes] | None = None,
    path: Path | None = None,
    dry_run: bool = False,
    partial: bool = False,
) -> ImportJob:
    """Start importing an uploaded .xlsx, .zip or CSV file named ``file_name``, given
    whole (``content``) or in ``chunks`` (an upload's), or the book at ``path``; returns
    the job to poll.  Jobs interrupted earlier are marked failed first (``jobs_sweep``)."""
    if sum(given is not None for given in (content, chunks, path)) != 1:
        raise ValueError("give either content, chunks or path")
    jobs_sweep()
    job = ImportJob.objects.create(
        user=user if getattr(user, "pk", None) else None,
        file_name=file_name[:300],
        dry_run=dry_run,
        status=ImportJob.Status.QUEUED,
    )
    scratch: Path | None = None
    if path is None:
        SCRATCH.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=PREFIX, dir=SCRATCH))
        try:
            path = scratch / (Path(file_name).name or "book.zip")
            with path.open("wb") as out:
                for chunk in [content] if content is not None else chunks or ():
                    out.write(chunk)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
    arguments = (
        str(job.pk),
        str(path),
        str(scratch) if scratch is not None else None,
        getattr(user, "pk", None),
        dry_run,
        partial,
    )
    transaction.on_commit(lambda: register_import_job.enqueue(*arguments))
    return job


def job_progress(job: ImportJob) -> dict[str, Any]:
    """What the screens show of a job: status, stage (and its label), done, total, report.
    A job that was interrupted is marked failed here (see the module docstring)."""
    fields = ["status", "stage", "done", "total", "report", "finished_at", "started_at"]
    job.refresh_from_db(fields=fields)
    if job.status not in FINISHED:
        failure = _interrupted(job, timezone.now())
        if failure:
            _fail(job.pk, job.file_name, failure)
            job.refresh_from_db(fields=fields)
    stage, done, total, status = job.stage, job.done, job.total, job.status
    report = job.report if status in FINISHED else {}
    problems = report.get("problems", []) if isinstance(report, dict) else []
    return {
        "status": status,
        "status_label": str(ImportJob.Status(status).label),
        "stage": stage,
        "stage_label": str(STAGE_LABELS.get(stage, "")),
        "done": done,
        "total": total,
        "report": report,
        # what the page says of a finished job, in the reader's words
        "kinds": [
            (
                str(label),
                report.get("imported", {}).get(kind, 0),
                report.get("unchanged", {}).get(kind, 0),
            )
            for kind, label in KIND_LABELS.items()
        ]
        if report
        else [],
        "errors": sum(1 for p in problems if p.get("severity", "error") == "error"),
        "problems": len(problems),
    }


def jobs_sweep() -> int:
    """Mark failed the jobs that were interrupted and remove the upload folders older
    than the time limit; returns how many jobs were marked."""
    now = timezone.now()
    marked = 0
    unfinished = ImportJob.objects.exclude(status__in=FINISHED).only(
        "pk", "file_name", "status", "started_at", "report"
    )
    for job in unfinished:
        failure = _interrupted(job, now)
        if failure:
            _fail(job.pk, job.file_name, failure)
            marked += 1
    for folder in scratch_older_than(f"{PREFIX}*", time_limit() + GRACE):
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
    return marked


def scratch_older_than(pattern: str, seconds: float) -> list[Path]:
    """What ``SCRATCH`` holds under ``pattern`` that was last changed more than
    ``seconds`` ago (the leftovers of jobs past their time)."""
    cutoff = time.time() - seconds
    found = []
    for path in SCRATCH.glob(pattern):
        try:
            if path.stat().st_mtime < cutoff:
                found.append(path)
        except OSError:  # removed meanwhile, or not ours to look at
            continue
    return found


def _interrupted(job: ImportJob, now: datetime) -> str:
    """Why ``job`` will not end by itself (see the module docstring), or "" if it may."""
    state = stalled(job, now)
    if state == "waiting":
        return _(
            "No background worker took up the import within %(minutes)s minutes; ask the "
            "administrator to start 'danso worker', then run it again."
        ) % {"minutes": f"{time_limit() / 60:g}"}
    return _("The import was interrupted; run it again.") if state == "interrupted" else ""


def stalled(job: ImportJob | ExportJob, now: datetime) -> str:
    """ "waiting" for a queued job no worker took up within the time limit, "interrupted"
    for a running one whose process on this host is gone or that is older than the time
    limit, else "" (a job of another machine is judged by its age only)."""
    old = job.started_at < now - timedelta(seconds=time_limit() + GRACE)
    if job.status == ImportJob.Status.QUEUED:
        return "waiting" if old else ""
    if old:
        return "interrupted"
    found = job.report.get("runner") if isinstance(job.report, dict) else None
    if not isinstance(found, dict) or found.get("host") != socket.gethostname():
        return ""
    pid = found.get("pid")
    return "interrupted" if isinstance(pid, int) and pid > 0 and not process_alive(pid) else ""


def process_alive(pid: int) -> bool:
    """Whether the process ``pid`` of this machine still runs."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process (or not a pid we can ask about)
    return True


def _fail(job_id: uuid.UUID, file_name: str, message: str) -> None:
    """Mark the job failed, with ``message`` shown as its one problem."""
    ImportJob.objects.filter(pk=job_id).exclude(status__in=FINISHED).update(
        status=ImportJob.Status.FAILED,
        report={
            "error": message,
            "problems": [{"file": file_name, "line": None, "column": None, "message": message}],
        },
        finished_at=timezone.now(),
    )


@task()
def register_import_job(
    job_id: str,
    path: str,
    scratch: str | None,
    user_id: int | None,
    dry_run: bool,
    partial: bool,
) -> str:
    """The task the worker runs for ``import_start``: the import, then the upload's folder
    removed, however the import ended.  Returns the job's status."""
    try:
        import_run(uuid.UUID(job_id), Path(path), user_id=user_id, dry_run=dry_run, partial=partial)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    status = ImportJob.objects.filter(pk=job_id).values_list("status", flat=True).first()
    return str(status or "")


def import_run(
    job_id: uuid.UUID,
    path: Path,
    *,
    user_id: int | None = None,
    dry_run: bool = False,
    partial: bool = False,
) -> None:
    """Run the job now, in this process (what the worker does), for at most
    ``time_limit()`` seconds.  A job that is no longer waiting (marked failed because no
    worker took it up in time) is left as it is."""
    limit = time_limit()
    progress = _Progress(job_id, deadline=time.monotonic() + limit)
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, report={"runner": runner()}
    )
    if not claimed:
        logger.warning("register import %s was no longer waiting; not run", job_id)
        return
    try:
        user = User.objects.filter(pk=user_id).first() if user_id else None
        report = register_import(
            path, user=user, dry_run=dry_run, partial=partial, progress=progress
        )
    except ImportTimeLimit:
        logger.warning("register import %s stopped after %s s", job_id, limit)
        progress.close()
        file_name = ImportJob.objects.filter(pk=job_id).values_list("file_name", flat=True)
        _fail(
            job_id,
            file_name.first() or path.name,
            _(
                "The import took longer than %(minutes)s minutes and was stopped; nothing "
                "was written. Import a smaller book, or ask an administrator to run it."
            )
            % {"minutes": f"{limit / 60:g}"},
        )
        return
    except Exception as error:  # the job must end, whatever went wrong; the log has it
        logger.exception("register import %s failed", job_id)
        progress.close()
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED,
            report={
                "error": _(
                    "The import stopped on an unexpected error; nothing was written. Tell "
                    "the system administrator (the server's log has the details)."
                ),
                "detail": f"{error.__class__.__name__}: {error}",
            },
            finished_at=timezone.now(),
        )
        return
    progress.close()
    stage, done, total = progress.last
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.DONE,
        stage=stage,
        done=done,
        total=total,
        report=report.as_dict(),
        finished_at=timezone.now(),
    )


class _Progress:
    """The import's progress callback for a job (see the module docstring)."""

    def __init__(self, job_id: uuid.UUID, deadline: float | None = None) -> None:
        self.job_id = job_id
        self.deadline = deadline
        self.last: tuple[str, int, int] = ("", 0, 0)
        self.saved = 0.0
        self.side: BaseDatabaseWrapper | None = None
        # transactions open when the job began are not the import's own
        self.depth = len(connection.atomic_blocks)

    def expired(self) -> bool:
        """Whether the job has run past its deadline (``time.monotonic()``)."""
        return self.deadline is not None and time.monotonic() > self.deadline

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.last = (stage, done, total)
        if self.expired():
            raise ImportTimeLimit(stage)
        now = time.monotonic()
        if now - self.saved < SAVE_EVERY:
            return
        self.saved = now
        values = {"stage": stage[:100], "done": done, "total": total}
        if len(connection.atomic_blocks) <= self.depth:
            ImportJob.objects.filter(pk=self.job_id).update(**values)
        elif connection.vendor == "postgresql":
            if self.side is None:
                self.side = connections.create_connection(DEFAULT_DB_ALIAS)
            table = self.side.ops.quote_name(ImportJob._meta.db_table)
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET stage = %s, done = %s, total = %s WHERE id = %s",  # noqa: S608 - our table's name, quoted
                    [stage[:100], done, total, self.job_id],
                )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None
