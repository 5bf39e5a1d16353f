"""Imports in the background for the web screens: the job's progress and report.

Tests that run the task use the fixture ``inline`` (the task runs when it is enqueued, in
the test's transaction); the others see it queued, as with no worker."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks import task_backends

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.register import jobs
from danso.register.models import ImportJob, Person
from danso.units.codes import Level
from tests.conftest import dead_pid
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
    assert job.report["detail"] == "RuntimeError: disk full"  # for the administrator
    assert job.report["error"].startswith("Lần nhập dừng vì một lỗi không lường trước")


def test_progress_is_shown_while_the_job_runs() -> None:
    # given a job a worker of this process runs
    job = ImportJob.objects.create(
        file_name="book", status=ImportJob.Status.RUNNING, report={"runner": jobs.runner()}
    )
    # when the import reports its progress
    progress = jobs._Progress(job.pk)
    progress("events_read", 500, 2000)
    progress.close()
    # then the page polling the job (another process) reads it from the job's row
    shown = jobs.job_progress(ImportJob.objects.get(pk=job.pk))
    assert (shown["status"], shown["stage"], shown["done"], shown["total"]) == (
        ImportJob.Status.RUNNING,
        "events_read",
        500,
        2000,
    )
    assert shown["stage_label"]


def test_a_job_is_queued_for_the_worker(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    # given no worker runs the queue (the suite's backend only keeps what is enqueued)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.import_start(file_name="so-a0", path=HANDMADE, dry_run=True)
    # then the job waits, and its task is queued with the job's id, once committed
    assert jobs.job_progress(job)["status"] == ImportJob.Status.QUEUED
    queued = task_backends["default"].results  # type: ignore[attr-defined]
    assert [r.task.func for r in queued][-1] is jobs.register_import_job.func
    assert queued[-1].args[0] == str(job.pk)
    # and running the task runs the import
    jobs.register_import_job.call(*queued[-1].args)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE


def test_a_task_of_a_job_no_longer_waiting_does_nothing() -> None:
    job = ImportJob.objects.create(file_name="book", status=ImportJob.Status.FAILED)
    assert jobs.register_import_job.call(str(job.pk), str(HANDMADE), None, None, True, False) == (
        ImportJob.Status.FAILED
    )
    assert not Person.objects.exists()


def test_a_job_no_worker_took_up_fails_saying_so(settings: Any) -> None:
    settings.DANSO_IMPORT_TIME_LIMIT_SECONDS = 60
    job = ImportJob.objects.create(file_name="book")
    ImportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(hours=1))
    shown = jobs.job_progress(job)
    assert shown["status"] == ImportJob.Status.FAILED
    job.refresh_from_db()
    assert "danso worker" in job.report["error"]


def test_content_or_path_not_both() -> None:
    with pytest.raises(ValueError, match="either"):
        jobs.import_start(file_name="x.zip", content=b"", path=HANDMADE)


def test_a_failed_jobs_page_says_why_not_that_the_book_has_errors(
    make_user: Callable[..., User], client_for: Callable[[User], Any]
) -> None:
    # given an import whose worker was killed while it read the events
    officer = make_user("ngocthuy", Role.COMMUNE_OFFICER, Level.COMMUNE, "118")
    runner = {"host": socket.gethostname(), "pid": dead_pid(), "token": "earlier"}
    job = ImportJob.objects.create(
        user=officer,
        file_name="so-a0.zip",
        status=ImportJob.Status.RUNNING,
        stage="events_read",
        done=35_000,
        total=39_168,
        report={"runner": runner},
    )
    # when its page is opened
    html = client_for(officer).get(reverse("register:import_job", args=[job.pk])).content.decode()
    # then it says the import failed and why, not a stage still under way or errors in the book
    assert "Không thành công" in html
    assert "Lần nhập bị gián đoạn; hãy nhập lại." in html
    assert "Đang đọc các sự kiện" not in html
    assert "sổ có" not in html
