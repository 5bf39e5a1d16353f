"""Limits on everything a person sends (issue 12): the size of each kind of upload,
what a .zip or an Office file unpacks to, the rows, columns and cells of a table, the
lines of a CSV or text file, and the time a background import may take.  A file over a
limit is refused before the work starts, with a message naming the file and the limit,
and nothing is written.

The hostile files of the issue are read in a child process with a memory cap
(``hostile.run_isolated``): the 1 MB zip that unpacks to 1 GiB and the .xlsx with a cell
at XFD1048576 must be refused in under 300 MB, within the child's time limit (a reader
that reads them takes minutes).  How long each refusal takes is measured by
``make bench`` (bench/limits_bench.py), beside the least any reader must do."""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import time
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document

from danso import uploads
from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.plans.reading import read_plan
from danso.register import exchange, jobs
from danso.register.importing import register_import
from danso.register.models import ImportJob, Person
from danso.spreadsheets import LimitError, Limits, open_member
from danso.tables import read_table
from danso.units.codes import Level
from tests.conftest import BEFORE, dead_pid, unit_at
from tests.register.conftest import HANDMADE, counts
from tests.register.conftest import TABLES as HANDMADE_TABLES  # a 1.0 book: no placements
from tests.security.hostile import (
    MIB,
    READ_BOOK,
    READ_TABLE,
    far_cell_workbook,
    run_isolated,
    zip_bomb,
)

READ_PLAN = """
from danso.plans.reading import read_plan
plan = read_plan(Path(sys.argv[1]).read_bytes(), Path(sys.argv[1]).name)
class Refused(Exception):
    pass
if plan.problems:
    raise Refused(plan.problems[0].message)
"""


def small_limits(**changes: int) -> Limits:
    values: dict[str, Any] = {
        "file_bytes": 10 * MIB,
        "unpacked_bytes": 20 * MIB,
        "part_bytes": 10 * MIB,
        "entries": 100,
        "ratio": 100,
        "rows": 1000,
        "columns": 50,
        "cells": 10_000,
        "cell_chars": 1000,
        "line_chars": 1000,
        "sheets": 5,
    }
    values.update(changes)
    return Limits(**values)


@pytest.fixture(scope="session")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The issue's zip: 1 MB, whose events.csv unpacks to 1 GiB of commas."""
    return zip_bomb(tmp_path_factory.mktemp("bomb") / "so-a0.zip")


# ---------------------------------------------------------------- zips


def test_the_zip_bomb_is_refused_in_little_memory(bomb: Path) -> None:
    # given the 1 MB zip whose events.csv unpacks to 1 GiB of commas
    assert bomb.stat().st_size < 1.1 * MIB
    # when the exchange format reads it
    result = run_isolated(READ_BOOK, str(bomb))
    # then it is refused at once, in little memory, naming the member and the limit
    assert result["outcome"] == "LimitError", result
    assert result["peak_mb"] < 300, result
    assert "events.csv" in result["message"]
    assert "100" in result["message"]  # the compression ratio allowed


@pytest.mark.django_db
def test_a_register_import_of_the_zip_bomb_reports_it_and_writes_nothing(bomb: Path) -> None:
    before = counts()
    report = register_import(bomb)
    [error] = report.errors
    assert "so-a0.zip" in str(error)
    assert "events.csv" in error.message
    assert counts() == before


def test_a_zip_that_understates_its_sizes_is_refused_while_reading(tmp_path: Path) -> None:
    # given a zip whose directory says events.csv unpacks to 1,000 bytes (it is 64 MiB)
    lying = zip_bomb(tmp_path / "lying.zip", mebibytes=64, stated_size=1000)
    # when it is read
    result = run_isolated(READ_BOOK, str(lying))
    # then it is refused as a damaged archive, without unpacking more than it said
    assert result["outcome"] == "BookError", result
    assert result["peak_mb"] < 300, result


def test_an_entry_is_counted_while_it_is_read(tmp_path: Path) -> None:
    archive = zipfile.ZipFile(zip_bomb(tmp_path / "book.zip", mebibytes=16))
    info = archive.getinfo("events.csv")

    def read_all() -> None:
        with open_member(archive, info, "book.zip", small_limits(part_bytes=MIB)) as stream:
            while stream.read(1 << 16):
                pass

    with pytest.raises(LimitError, match=r"events\.csv") as refused:
        read_all()
    assert "1 MB" in refused.value.message()


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_a_zip_of_too_many_entries_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "many.zip", {f"x/{n}.txt": b"" for n in range(5000)})
    with pytest.raises(LimitError, match=r"many\.zip") as refused:
        exchange.open_book(path)
    assert "5000" in refused.value.message()


@pytest.mark.parametrize("inner", ["events.zip", "more/so-a0.xlsx", "data.tar.gz"])
def test_an_archive_inside_the_archive_is_refused(tmp_path: Path, inner: str) -> None:
    tables = {f"{t}.csv": (HANDMADE / f"{t}.csv").read_bytes() for t in HANDMADE_TABLES}
    path = make_zip(tmp_path / "nested.zip", {**tables, inner: b"PK\x03\x04"})
    with pytest.raises(LimitError, match=re.escape(inner.rsplit("/", 1)[-1])):
        exchange.open_book(path)


def test_a_table_that_is_itself_a_zip_is_refused(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("events.csv", b"event_id\n")
    path = make_zip(tmp_path / "nested.zip", {"events.csv": inner.getvalue()})
    with pytest.raises(LimitError, match=r"events\.csv"):
        exchange.open_book(path)


def test_what_a_zip_unpacks_to_is_limited(tmp_path: Path) -> None:
    tables = {f"{t}.csv": (HANDMADE / f"{t}.csv").read_bytes() for t in HANDMADE_TABLES}
    path = make_zip(tmp_path / "book.zip", tables)
    total = sum(len(data) for data in tables.values())
    with pytest.raises(LimitError, match=r"book\.zip"):
        exchange.open_book(path, limits=small_limits(unpacked_bytes=total - 1))
    assert exchange.open_book(path, limits=small_limits(unpacked_bytes=total)).has("events")


def test_a_book_larger_than_its_limit_is_refused(tmp_path: Path) -> None:
    tables = {f"{t}.csv": (HANDMADE / f"{t}.csv").read_bytes() for t in HANDMADE_TABLES}
    path = make_zip(tmp_path / "book.zip", tables)
    with pytest.raises(LimitError, match=r"book\.zip"):
        exchange.open_book(path, limits=small_limits(file_bytes=path.stat().st_size - 1))


# ---------------------------------------------------------------- spreadsheets


@pytest.mark.parametrize("dimension", [True, False], ids=["dimension", "no-dimension"])
def test_a_workbook_with_a_cell_at_xfd1048576_is_refused_as_a_table(
    tmp_path: Path, dimension: bool
) -> None:
    # given a small .xlsx (a table of figures) with one cell at XFD1048576
    content = far_cell_workbook(dimension=dimension)
    assert len(content) < 64 * 1024
    path = tmp_path / "dan-so.xlsx"
    path.write_bytes(content)
    # when it is read as a table (population figures, entered figures, life tables)
    result = run_isolated(READ_TABLE, str(path))
    # then it is refused at once, naming the file and the limit
    assert result["outcome"] == "LimitError", result
    assert result["peak_mb"] < 300, result
    assert "dan-so.xlsx" in result["message"]


@pytest.mark.parametrize("dimension", [True, False], ids=["dimension", "no-dimension"])
def test_a_workbook_with_a_cell_at_xfd1048576_is_refused_as_a_book(
    tmp_path: Path, dimension: bool
) -> None:
    content = far_cell_workbook(sheets=exchange.TABLES, dimension=dimension)
    path = tmp_path / "so-a0.xlsx"
    path.write_bytes(content)
    result = run_isolated(READ_BOOK, str(path))
    assert result["outcome"] == "LimitError", result
    assert result["peak_mb"] < 300, result
    assert "so-a0.xlsx" in result["message"]


@pytest.mark.parametrize("dimension", [True, False], ids=["dimension", "no-dimension"])
def test_a_workbook_with_a_cell_at_xfd1048576_is_refused_as_a_plan(
    tmp_path: Path, dimension: bool
) -> None:
    path = tmp_path / "ke-hoach.xlsx"
    path.write_bytes(far_cell_workbook(sheets=("Phụ lục 1",), dimension=dimension))
    result = run_isolated(READ_PLAN, str(path))
    assert result["outcome"] == "Refused", result
    assert result["peak_mb"] < 300, result
    assert "ke-hoach.xlsx" in result["message"]


def test_a_table_over_its_rows_columns_or_cells_is_refused() -> None:
    rows = ["code,year,total"] + [f"{n:05},2024,{n}" for n in range(1, 1001)]
    content = "\n".join(rows).encode()
    assert len(read_table(content, "t.csv", limits=small_limits(rows=1001)).rows) == 1000
    with pytest.raises(LimitError, match=r"t\.csv"):
        read_table(content, "t.csv", limits=small_limits(rows=1000))
    with pytest.raises(LimitError, match=r"t\.csv"):
        read_table(content, "t.csv", limits=small_limits(columns=2))
    with pytest.raises(LimitError, match=r"t\.csv"):
        read_table(content, "t.csv", limits=small_limits(cells=2000))


@pytest.mark.parametrize("megabytes", [64, 8])
def test_a_csv_line_of_megabytes_of_commas_is_refused(tmp_path: Path, megabytes: int) -> None:
    # 64 MB is over the size of a table (10 MB); 8 MB within it, in one line
    path = tmp_path / "dan-so.csv"
    path.write_bytes(b"code,year,total\n" + b"," * (megabytes * MIB) + b"\n")
    result = run_isolated(READ_TABLE, str(path), memory_mb=3072)
    assert result["outcome"] == "LimitError", result
    assert result["peak_mb"] < 300, result
    assert "dan-so.csv" in result["message"]


def test_a_book_with_a_line_of_128_mb_of_commas_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "book"
    shutil.copytree(HANDMADE, folder)
    with (folder / "events.csv").open("ab") as stream:
        stream.write(b"," * (128 * MIB) + b"\n")
    result = run_isolated(READ_BOOK, str(folder))
    assert result["outcome"] == "LimitError", result
    assert result["peak_mb"] < 300, result
    assert "events.csv" in result["message"]


# ---------------------------------------------------------------- plans


def test_a_word_plan_whose_text_unpacks_to_100_mb_is_refused(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("KẾ HOẠCH")
    buffer = io.BytesIO()
    document.save(buffer)
    source = zipfile.ZipFile(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                run = b"<w:p><w:r><w:t>" + b"a" * (100 * MIB) + b"</w:t></w:r></w:p>"
                data = data.replace(b"<w:body>", b"<w:body>" + run)
            target.writestr(info.filename, data)
    path = tmp_path / "ke-hoach.docx"
    path.write_bytes(out.getvalue())
    result = run_isolated(READ_PLAN, str(path))
    assert result["outcome"] == "Refused", result
    assert result["peak_mb"] < 300, result
    assert "word/document.xml" in result["message"]


def test_a_word_plan_over_its_part_limit_is_refused() -> None:
    document = Document()
    for number in range(2000):
        document.add_paragraph(f"Đoạn {number}: nâng cao chất lượng dân số.")
    buffer = io.BytesIO()
    document.save(buffer)
    plan = read_plan(buffer.getvalue(), "ke-hoach.docx", limits=small_limits(part_bytes=50_000))
    [problem] = plan.problems
    assert "word/document.xml" in problem.message
    assert "ke-hoach.docx" in problem.message


def test_a_text_plan_of_too_many_lines_is_refused_at_once() -> None:
    seed = (Path(__file__).parents[2] / "data" / "seeds" / "000_23875aab0c3b34d2.txt").read_bytes()
    content = seed * 40  # some 10,000 lines
    plan = read_plan(content, "ke-hoach.txt")
    [problem] = plan.problems
    assert "ke-hoach.txt" in problem.message


# ---------------------------------------------------------------- uploads on screens


def big(name: str, megabytes: float = 1.5) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"x" * int(megabytes * MIB))


@pytest.mark.django_db
def test_a_register_book_over_its_limit_is_refused_before_a_job_starts(
    settings: Any,
    scratch: Path,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    settings.DANSO_UPLOAD_MAX_MB_REGISTER = 1
    client = client_for(make_user("ngocthuy", Role.COMMUNE_OFFICER, Level.COMMUNE, "118"))
    client.get("/", {"date": "2024-06-30"})  # working in 2024, when the ward stood
    response = client.post(reverse("register:import"), {"file": big("so-a0.zip")})
    assert response.status_code == 413
    page = response.content.decode()
    assert "so-a0.zip" in page
    assert "1 MB" in page
    assert not ImportJob.objects.exists()
    assert list(scratch.iterdir()) == []


@pytest.mark.django_db
@pytest.mark.usefixtures("inline")
def test_the_zip_bomb_uploaded_on_the_screen_fails_its_job_and_leaves_nothing(
    bomb: Path,
    scratch: Path,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    # the upload at /register/import/: 1 MB, within the size limit of a book
    client = client_for(make_user("ngocthuy", Role.COMMUNE_OFFICER, Level.COMMUNE, "118"))
    client.get("/", {"date": "2024-06-30"})
    before = counts()
    upload = SimpleUploadedFile("so-a0.zip", bomb.read_bytes(), "application/zip")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("register:import"), {"file": upload})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE  # done: refused, with the reason
    assert [p["file"] for p in job.report["problems"]] == ["so-a0.zip"]
    page = client.get(reverse("register:import_job", args=[job.pk])).content.decode()
    assert "events.csv" in page
    assert "zip bomb" in page
    # said in the officer's words: nothing written, and why; no status code or table name
    assert "Không ghi gì: sổ có 1 lỗi" in page
    assert ">done<" not in page
    assert "persons" not in page
    assert counts() == before
    assert list(scratch.iterdir()) == []  # the upload is gone with its job


@pytest.mark.django_db
def test_a_plan_over_its_limit_is_refused(
    settings: Any,
    tmp_path: Path,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    settings.DANSO_UPLOAD_MAX_MB_PLAN = 1
    settings.DATA_DIR = tmp_path
    client = client_for(make_user("hn", Role.PROVINCE_OFFICER, Level.PROVINCE, "1"))
    unit = unit_at(Level.PROVINCE, "1", BEFORE)
    response = client.post(
        reverse("plans:import"),
        {"file": big("ke-hoach.txt"), "unit": unit.pk, "date": "15/01/2025"},
    )
    page = response.content.decode()
    assert "ke-hoach.txt" in page
    assert "1 MB" in page
    assert "danso_plan_upload" not in client.session
    assert not (tmp_path / "uploads").exists() or list((tmp_path / "uploads").iterdir()) == []


@pytest.mark.django_db
def test_population_figures_over_their_limit_are_refused(
    settings: Any,
    tmp_path: Path,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    settings.DANSO_UPLOAD_MAX_MB_POPULATION = 1
    settings.DATA_DIR = tmp_path
    client = client_for(make_user("thuongthanh", Role.COMMUNE_OFFICER, Level.COMMUNE, "115"))
    url = reverse("population:import") + "?date=2024-06-30"
    response = client.post(url, {"file": big("dan-so.csv"), "dry_run": "on"})
    page = response.content.decode()
    assert "dan-so.csv" in page
    assert "1 MB" in page
    assert response.context["report"] is None
    assert not (tmp_path / "uploads").exists() or list((tmp_path / "uploads").iterdir()) == []


@pytest.mark.django_db
def test_a_conversion_table_over_its_limit_is_refused(
    settings: Any, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    settings.DANSO_UPLOAD_MAX_MB_CONVERSION = 1
    client = client_for(make_user("admin", Role.ADMIN))
    response = client.post(
        reverse("units:conversion_import"),
        {"file": big("chuyen-doi.csv"), "effective": "01/07/2025", "dry_run": "on"},
    )
    page = response.content.decode()
    assert "chuyen-doi.csv" in page
    assert "1 MB" in page
    assert response.context["report"] is None


@pytest.mark.django_db
def test_a_life_table_over_its_limit_is_refused(
    settings: Any, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    settings.DANSO_UPLOAD_MAX_MB_LIFE_TABLE = 1
    client = client_for(make_user("ngocthuy", Role.COMMUNE_OFFICER, Level.COMMUNE, "118"))
    client.get("/", {"date": "2024-06-30"})  # working in 2024, when the ward stood
    response = client.post(
        reverse("projections:lifetable_new"),
        {"name": "Bảng", "kind": "nqx", "open_age": 85, "file": big("bang-song.csv")},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "bang-song.csv" in page
    assert "1 MB" in page


@pytest.mark.django_db
def test_a_request_larger_than_any_upload_is_refused_before_it_is_read(
    settings: Any, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    # given limits of half a megabyte for every kind of file (so 1.5 MB a request)
    for kind in uploads.Kind:
        setattr(settings, f"DANSO_UPLOAD_MAX_MB_{kind.name}", 0.5)
    client = client_for(make_user("ngocthuy", Role.COMMUNE_OFFICER, Level.COMMUNE, "118"))
    client.get("/", {"date": "2024-06-30"})
    # when 2 MB are sent
    response = client.post(reverse("register:import"), {"file": big("so-a0.zip", 2)})
    # then the request is refused as a bad one, and nothing started
    assert response.status_code == 400
    assert not ImportJob.objects.exists()


# ---------------------------------------------------------------- the command line


def padded_population_csv(path: Path, megabytes: float) -> Path:
    """A population table of rows that name a unit and give no figures (skipped), padded
    to ``megabytes``."""
    lines = ["level,code,name,year,total,male,female"]
    size = 0
    number = 0
    while size < megabytes * MIB:
        line = f"commune,{number % 100000:05},Phường số {number},,,,"
        lines.append(line)
        size += len(line.encode()) + 1
        number += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.django_db
def test_the_command_line_keeps_the_limits_and_an_operator_raises_them(
    settings: Any, tmp_path: Path
) -> None:
    settings.DANSO_UPLOAD_MAX_MB_POPULATION = 1
    path = padded_population_csv(tmp_path / "dan-so.csv", 1.5)
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"dan-so\.csv") as refused:
        call_command("population", "import", str(path), "--dry-run", stdout=out)
    assert "1 MB" in str(refused.value)
    call_command("population", "import", str(path), "--dry-run", "--max-mb", "2", stdout=out)


@pytest.mark.django_db
def test_the_register_command_refuses_the_zip_bomb(bomb: Path) -> None:
    with pytest.raises(CommandError):
        call_command("register", "import", str(bomb), "--dry-run", stdout=io.StringIO())


# ---------------------------------------------------------------- background imports


def problem_messages(job: ImportJob) -> list[str]:
    return [p["message"] for p in job.report.get("problems", [])]


@pytest.mark.django_db
def test_a_job_over_its_time_limit_fails_and_writes_nothing(settings: Any) -> None:
    settings.DANSO_IMPORT_TIME_LIMIT_SECONDS = 0
    job = ImportJob.objects.create(file_name="so-a0.zip", dry_run=False)
    jobs.import_run(job.pk, HANDMADE)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.finished_at is not None
    assert problem_messages(job)
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_a_job_stopped_while_it_writes_leaves_nothing_half_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a job whose time runs out once the households are written
    def expired(progress: Any) -> bool:
        return str(progress.last[0]) == "write_persons"

    monkeypatch.setattr(jobs._Progress, "expired", expired)
    before = counts()
    job = ImportJob.objects.create(file_name="so-a0.zip", dry_run=False)
    # when it runs
    jobs.import_run(job.pk, HANDMADE)
    # then it failed, saying why, and the households written before are undone
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert problem_messages(job)
    assert counts() == before


@pytest.mark.django_db
def test_a_job_older_than_the_time_limit_is_shown_failed(settings: Any) -> None:
    # given a job left "running" by a worker that was killed two hours ago
    settings.DANSO_IMPORT_TIME_LIMIT_SECONDS = 3600
    job = ImportJob.objects.create(file_name="so-a0.zip", status=ImportJob.Status.RUNNING)
    ImportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(hours=2))
    # when its page asks how it goes
    shown = jobs.job_progress(job)
    # then it is failed, with a message saying to run it again
    assert shown["status"] == ImportJob.Status.FAILED
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert problem_messages(job)
    assert job.finished_at is not None


@pytest.mark.django_db
def test_a_job_of_a_process_that_is_gone_is_shown_failed() -> None:
    runner = {"host": socket.gethostname(), "pid": dead_pid(), "token": "earlier"}
    job = ImportJob.objects.create(
        file_name="so-a0.zip", status=ImportJob.Status.RUNNING, report={"runner": runner}
    )
    assert jobs.job_progress(job)["status"] == ImportJob.Status.FAILED
    # while a job of a live process elsewhere is left alone
    alive = {"host": socket.gethostname(), "pid": os.getpid(), "token": "another worker"}
    other = ImportJob.objects.create(
        file_name="so-a0.zip", status=ImportJob.Status.RUNNING, report={"runner": alive}
    )
    assert jobs.job_progress(other)["status"] == ImportJob.Status.RUNNING


@pytest.fixture
def leftovers(scratch: Path) -> tuple[Path, Path]:
    old = scratch / "danso-import-old"
    young = scratch / "danso-import-young"
    for folder in (old, young):
        folder.mkdir()
        (folder / "so-a0.zip").write_bytes(b"personal data")
    two_hours_ago = time.time() - 7200
    os.utime(old / "so-a0.zip", (two_hours_ago, two_hours_ago))
    os.utime(old, (two_hours_ago, two_hours_ago))
    return old, young


@pytest.mark.django_db
@pytest.mark.usefixtures("inline")
def test_the_next_job_removes_uploads_left_by_a_killed_import(
    settings: Any,
    leftovers: tuple[Path, Path],
    scratch: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.DANSO_IMPORT_TIME_LIMIT_SECONDS = 3600
    old, young = leftovers
    archive = Path(shutil.make_archive(str(scratch.parent / "so-a0"), "zip", HANDMADE))
    with django_capture_on_commit_callbacks(execute=True):
        jobs.import_start(content=archive.read_bytes(), file_name="so-a0.zip", dry_run=True)
    assert not old.exists()
    assert young.exists()  # perhaps another worker's, still running
    assert sorted(p.name for p in scratch.iterdir()) == ["danso-import-young"]


@pytest.mark.django_db
@pytest.mark.usefixtures("inline")
def test_the_upload_is_removed_whatever_happens_to_the_import(
    monkeypatch: pytest.MonkeyPatch,
    scratch: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs, "register_import", broken)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.import_start(content=b"PK", file_name="so-a0.zip")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert list(scratch.iterdir()) == []
