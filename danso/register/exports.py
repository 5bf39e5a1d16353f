"""A unit's book exported in the background, for the screens (issue 13): a ward's book
takes about a minute to write, too long for one request.

``export_start`` records an ``ExportJob`` and, once the request's transaction has
committed, enqueues ``register_export_job``, which ``danso worker`` runs: the book is
written by ``exporting.register_export`` as the user who asked (their scope decides what
it holds, and the export is logged under their name), zipped into ``SCRATCH`` as
``danso-export-<job>.zip`` and kept for ``KEEP_HOURS`` for that user only to download.  A
job whose worker died is shown failed ("run it again"), as an import is
(``jobs.stalled``); the next export removes the files and the jobs past their time.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from danso.register import jobs, privacy
from danso.register.exporting import register_export
from danso.register.models import ExportJob
from danso.units.models import Unit

logger = logging.getLogger(__name__)

#: Hours an exported book waits for its download.
KEEP_HOURS = 24
PREFIX = "danso-export-"


def export_file(job: ExportJob) -> Path:
    """Where the job's .zip is kept."""
    return jobs.SCRATCH / f"{PREFIX}{job.pk}.zip"


def export_start(*, unit: Unit, on: date, user: Any, file_name: str, path: str) -> ExportJob:
    """Queue the export of ``unit``'s book as it stood on ``on``, for ``user``; returns
    the job to poll.  Files and jobs past their time go first."""
    exports_sweep()
    job = ExportJob.objects.create(user=user, unit=unit, on=on, file_name=file_name[:300])
    job_id = str(job.pk)
    transaction.on_commit(lambda: register_export_job.enqueue(job_id, path))
    return job


def export_progress(job: ExportJob) -> ExportJob:
    """The job as it stands, marked failed if its worker died or none took it up."""
    job.refresh_from_db()
    if job.status not in jobs.FINISHED:
        state = jobs.stalled(job, timezone.now())
        if state == "waiting":
            _fail(
                job.pk,
                _(
                    "No background worker took up the export within %(minutes)s minutes; "
                    "ask the administrator to start 'danso worker', then export again."
                )
                % {"minutes": f"{jobs.time_limit() / 60:g}"},
            )
        elif state == "interrupted":
            _fail(job.pk, _("The export was interrupted; export again."))
        job.refresh_from_db()
    return job


def exports_sweep() -> None:
    """Remove the exported files older than ``KEEP_HOURS``, and their jobs."""
    cutoff = timezone.now() - timedelta(hours=KEEP_HOURS)
    ExportJob.objects.filter(started_at__lt=cutoff).delete()
    for found in jobs.scratch_older_than(f"{PREFIX}*.zip", KEEP_HOURS * 3600):
        found.unlink(missing_ok=True)


def _fail(job_id: uuid.UUID, message: str) -> None:
    ExportJob.objects.filter(pk=job_id).exclude(status__in=jobs.FINISHED).update(
        status=ExportJob.Status.FAILED, report={"error": message}, finished_at=timezone.now()
    )


@task()
def register_export_job(job_id: str, path: str) -> str:
    """The task the worker runs for ``export_start``; returns the job's status."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, report={"runner": jobs.runner()}
    )
    job = ExportJob.objects.select_related("unit", "user").get(pk=job_id)
    if not claimed:
        return str(job.status)
    target = export_file(job)
    try:
        jobs.SCRATCH.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=PREFIX, dir=jobs.SCRATCH) as folder:
            written = register_export(
                job.unit,
                job.on,
                Path(folder),
                user=job.user,
                where=privacy.Where.EXPORT_SCREEN,
                path=path,
            )
            partial = target.with_suffix(".part")
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
                for csv in sorted(Path(folder).glob("*.csv")):
                    archive.write(csv, csv.name)
            partial.replace(target)
    except PermissionDenied:
        _fail(job.pk, _("You may no longer see the persons of this unit; nothing was exported."))
        return str(ExportJob.Status.FAILED)
    except Exception:  # the job must end, whatever went wrong; the log has it
        logger.exception("register export %s failed", job_id)
        target.unlink(missing_ok=True)
        _fail(job.pk, _("The export failed; try again, or tell the system administrator."))
        return str(ExportJob.Status.FAILED)
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportJob.Status.DONE,
        report={"rows": written["rows"]},
        finished_at=timezone.now(),
    )
    return str(ExportJob.Status.DONE)
