"""Imports in the background for the web screens: the job's progress and report.

The thread itself is replaced by one that runs at once in the test's thread (a real
thread has its own connection and would not see the test's transaction)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.register import jobs
from danso.register.models import ImportJob, Person
from danso.units.codes import Level
from tests.register.conftest import HANDMADE, read_table

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("inline")
def test_an_uploaded_zip_is_imported_in_the_background(
    tmp_path: Path,
    make_user: Callable[..., User],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    officer = make_user("ngocthuy", Role.COMMUNE_OFFICER, Level.COMMUNE, "118")
    archive = Path(shutil.make_archive(str(tmp_path / "so-a0"), "zip", HANDMADE))
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.import_start(
            content=archive.read_bytes(), file_name="so-a0.zip", user=officer, partial=True
        )
        assert job.status == ImportJob.Status.QUEUED
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.user == officer
    assert job.finished_at is not None
    assert (job.stage, job.done, job.total) == ("write_events", job.total, job.total)
    assert job.report["imported"]["persons"] == len(read_table(HANDMADE, "persons"))
    assert Person.objects.count() == len(read_table(HANDMADE, "persons"))
    shown = jobs.job_progress(job)
    assert shown["status"] == ImportJob.Status.DONE
    assert shown["report"] == job.report


def test_a_dry_run_job_writes_nothing() -> None:
    job = ImportJob.objects.create(file_name="book", dry_run=True)
    jobs.import_run(job.pk, HANDMADE, dry_run=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.report["imported"]["events"] == len(read_table(HANDMADE, "events"))
    assert not Person.objects.exists()


def test_a_job_that_breaks_is_marked_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs, "register_import", broken)
    job = ImportJob.objects.create(file_name="book")
    jobs.import_run(job.pk, HANDMADE)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.report == {"error": "RuntimeError: disk full"}


def test_progress_is_shown_while_the_job_runs() -> None:
    job = ImportJob.objects.create(file_name="book")
    progress = jobs._Progress(job.pk)
    progress("events_read", 500, 2000)
    shown = jobs.job_progress(job)
    assert (shown["status"], shown["stage"], shown["done"], shown["total"]) == (
        ImportJob.Status.RUNNING,
        "events_read",
        500,
        2000,
    )
    assert shown["stage_label"]
    progress.close()
    assert jobs.job_progress(job)["status"] == ImportJob.Status.QUEUED


def test_content_or_path_not_both() -> None:
    with pytest.raises(ValueError, match="either"):
        jobs.import_start(file_name="x.zip", content=b"", path=HANDMADE)
