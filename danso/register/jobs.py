"""Register imports run in the background, for the web screens.

``import_start`` records an ``ImportJob`` and runs ``importing.register_import`` in a
daemon thread, which has its own database connection (closed when it ends).  The thread
starts once the request's transaction has committed, so that it finds its job.  The import
checks its files without a transaction and holds the database only while it writes; on
SQLite that is when another writer would wait.

Progress (stage, done, total) is kept in memory for the screens of this process
(``job_progress``) and copied into the job's row about once a second: with the thread's
connection while it is not inside the import's transaction, and during the transaction
through a second connection on PostgreSQL (on SQLite a second writer would wait for the
import's lock, so the row catches up at the end).  The report is stored in the row when
the import ends (``report`` is ``RegisterImportReport.as_dict()``, or ``{"error": …}`` if
the import failed unexpectedly).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from danso.accounts.models import User
from danso.register.importing import STAGE_LABELS, register_import
from danso.register.models import ImportJob

logger = logging.getLogger(__name__)

#: Seconds between two copies of the progress into the job's row.
SAVE_EVERY = 1.0

_live: dict[uuid.UUID, tuple[str, int, int]] = {}
_lock = threading.Lock()


def import_start(
    *,
    file_name: str,
    user: Any = None,
    content: bytes | None = None,
    path: Path | None = None,
    dry_run: bool = False,
    partial: bool = False,
) -> ImportJob:
    """Start importing ``content`` (an uploaded .xlsx, .zip or CSV file named
    ``file_name``) or the book at ``path``; returns the job to poll."""
    if (content is None) == (path is None):
        raise ValueError("give either content or path")
    job = ImportJob.objects.create(
        user=user if getattr(user, "pk", None) else None,
        file_name=file_name[:300],
        dry_run=dry_run,
        status=ImportJob.Status.QUEUED,
    )
    scratch: Path | None = None
    if content is not None:
        scratch = Path(tempfile.mkdtemp(prefix="danso-import-"))
        path = scratch / (Path(file_name).name or "book.zip")
        path.write_bytes(content)
    assert path is not None
    thread = threading.Thread(
        target=_thread_main,
        args=(job.pk, path, scratch, getattr(user, "pk", None), dry_run, partial),
        name=f"register-import-{job.pk}",
        daemon=True,
    )
    transaction.on_commit(thread.start)
    return job


def job_progress(job: ImportJob) -> dict[str, Any]:
    """What the screens show of a job: status, stage (and its label), done, total, report."""
    with _lock:
        live = _live.get(job.pk)
    if live is not None:
        stage, done, total = live
        status = ImportJob.Status.RUNNING.value
    else:
        job.refresh_from_db(fields=["status", "stage", "done", "total", "report", "finished_at"])
        stage, done, total, status = job.stage, job.done, job.total, job.status
    return {
        "status": status,
        "stage": stage,
        "stage_label": str(STAGE_LABELS.get(stage, "")),
        "done": done,
        "total": total,
        "report": job.report if live is None else {},
    }


def _thread_main(
    job_id: uuid.UUID,
    path: Path,
    scratch: Path | None,
    user_id: int | None,
    dry_run: bool,
    partial: bool,
) -> None:
    try:
        import_run(job_id, path, user_id=user_id, dry_run=dry_run, partial=partial)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        connections.close_all()  # this thread's connections


def import_run(
    job_id: uuid.UUID,
    path: Path,
    *,
    user_id: int | None = None,
    dry_run: bool = False,
    partial: bool = False,
) -> None:
    """Run the job now, in this thread (what the background thread does)."""
    progress = _Progress(job_id)
    ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.RUNNING)
    try:
        user = User.objects.filter(pk=user_id).first() if user_id else None
        report = register_import(
            path, user=user, dry_run=dry_run, partial=partial, progress=progress
        )
    except Exception as error:  # the job must end, whatever went wrong; the log has it
        logger.exception("register import %s failed", job_id)
        progress.close()
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED,
            report={"error": f"{error.__class__.__name__}: {error}"},
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

    def __init__(self, job_id: uuid.UUID) -> None:
        self.job_id = job_id
        self.last: tuple[str, int, int] = ("", 0, 0)
        self.saved = 0.0
        self.side: BaseDatabaseWrapper | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.last = (stage, done, total)
        with _lock:
            _live[self.job_id] = self.last
        now = time.monotonic()
        if now - self.saved < SAVE_EVERY:
            return
        self.saved = now
        values = {"stage": stage[:100], "done": done, "total": total}
        if not connection.in_atomic_block:
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
        with _lock:
            _live.pop(self.job_id, None)
        if self.side is not None:
            self.side.close()
            self.side = None
