"""A book exported from the screens in the background (issue 13): asked for by a POST,
written by the worker as the asker, downloaded by the asker alone, and never stuck."""

from __future__ import annotations

import io
import os
import socket
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.register import exports
from danso.register.importing import register_import
from danso.register.models import AccessLog, ExportJob
from danso.units.codes import Level
from tests.conftest import BEFORE, dead_pid, unit_at
from tests.register.conftest import HANDMADE, TABLES, read_table

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    register_import(HANDMADE)
    return make_user("ngocthuy", Role.COMMUNE_OFFICER, Level.COMMUNE, "118")


def page(client: Client) -> str:
    client.get("/", {"date": BEFORE.isoformat()})
    return reverse("register:export", args=[unit_at(Level.COMMUNE, "118", BEFORE).pk])


@pytest.mark.usefixtures("inline", "scratch")
def test_the_book_is_written_in_the_background_for_whoever_asked(
    officer: User,
    client_for: Callable[[User], Client],
    make_user: Callable[..., User],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client = client_for(officer)
    url = page(client)
    # opening the page writes nothing
    assert client.get(url).status_code == 200
    assert not ExportJob.objects.exists()
    # asking for the file queues the job; the worker writes it
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(url)
    job = ExportJob.objects.get()
    assert asked["Location"] == reverse("register:export_job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert job.report["rows"] == {t: len(read_table(HANDMADE, t)) for t in TABLES} | {
        "placements": len(read_table(HANDMADE, "households"))  # format 1.1
    }
    shown = client.get(asked["Location"]).content.decode()
    assert "Tải tệp .zip" in shown
    persons = len(read_table(HANDMADE, "persons"))
    assert f"người {persons}" in shown or f"người {persons:,}".replace(",", ".") in shown
    # the asker downloads the four files; the export was logged under their name
    download = client.get(reverse("register:export_file", args=[job.pk]))
    content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert sorted(archive.namelist()) == sorted(f"{t}.csv" for t in (*TABLES, "placements"))
    log = AccessLog.objects.get(kind=AccessLog.Kind.EXPORT)
    assert log.user == officer
    # and no one else sees the job or its file
    other = client_for(make_user("giangbien", Role.COMMUNE_OFFICER, Level.COMMUNE, "118"))
    assert other.get(asked["Location"]).status_code == 404
    assert other.get(reverse("register:export_file", args=[job.pk])).status_code == 404


@pytest.mark.usefixtures("scratch")
def test_only_those_who_see_persons_whole_ask_for_it(
    officer: User, client_for: Callable[[User], Client], make_user: Callable[..., User]
) -> None:
    district = client_for(make_user("longbien", Role.DISTRICT_OFFICER, Level.DISTRICT, "4"))
    url = page(district)
    assert district.post(url).status_code == 403
    assert not ExportJob.objects.exists()


@pytest.mark.usefixtures("scratch")
def test_an_export_whose_worker_died_is_shown_failed(
    officer: User, client_for: Callable[[User], Client]
) -> None:
    runner = {"host": socket.gethostname(), "pid": dead_pid(), "token": "earlier"}
    job = ExportJob.objects.create(
        user=officer,
        unit=unit_at(Level.COMMUNE, "118", BEFORE),
        on=BEFORE,
        file_name="so-ho.zip",
        status=ExportJob.Status.RUNNING,
        report={"runner": runner},
    )
    shown = client_for(officer).get(reverse("register:export_job", args=[job.pk]))
    assert "Lần xuất bị gián đoạn; hãy xuất lại." in shown.content.decode()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED


@pytest.mark.usefixtures("inline")
def test_files_and_jobs_past_their_time_go(
    officer: User, scratch: Path, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    unit = unit_at(Level.COMMUNE, "118", BEFORE)
    with django_capture_on_commit_callbacks(execute=True):
        old = exports.export_start(unit=unit, on=BEFORE, user=officer, file_name="a.zip", path="")
    file = exports.export_file(old)
    assert file.exists()
    day_ago = timezone.now() - timedelta(hours=exports.KEEP_HOURS + 1)
    ExportJob.objects.filter(pk=old.pk).update(started_at=day_ago)
    stamp = day_ago.timestamp()
    os.utime(file, (stamp, stamp))
    exports.export_start(unit=unit, on=BEFORE, user=officer, file_name="b.zip", path="")
    assert not file.exists()
    assert list(ExportJob.objects.values_list("file_name", flat=True)) == ["b.zip"]
