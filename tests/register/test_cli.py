"""``danso register import`` and ``export`` from the command line: one JSON document of
the promised shape, a non-zero exit when nothing was imported because of errors, the
``--user``'s scope."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.register.models import AccessLog, Person
from danso.units.codes import Level
from tests.register.conftest import HANDMADE, TABLES, Rows, counts, read_table, write_book

pytestmark = pytest.mark.django_db

KINDS = {"units", "households", "persons", "events"}


def failing(*args: str) -> tuple[dict[str, Any], str]:
    """Run a command that must fail: its JSON output and its error."""
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command(*args, "--format", "json", stdout=out)
    return json.loads(out.getvalue()), str(error.value)


def test_import_prints_one_json_document(run_cli: Callable[..., Any]) -> None:
    data = run_cli("register", "import", str(HANDMADE))
    assert set(data) == {"imported", "unchanged", "problems"}
    assert set(data["imported"]) == set(data["unchanged"]) == KINDS
    assert data["imported"]["persons"] == len(read_table(HANDMADE, "persons"))
    assert [set(p) for p in data["problems"]] == [{"file", "line", "column", "message", "severity"}]
    assert [p["severity"] for p in data["problems"]] == ["warning"]  # imported all the same
    again = run_cli("register", "import", str(HANDMADE))
    assert again["unchanged"] == data["imported"]


def test_errors_exit_non_zero_and_write_nothing(tmp_path: Path, small: dict[str, Rows]) -> None:
    small["events"][0]["birth_order"] = "0"
    write_book(tmp_path, small)
    before = counts()
    data, _error = failing("register", "import", str(tmp_path))
    assert counts() == before
    assert data["imported"] == dict.fromkeys(KINDS, 0)
    assert [(p["file"], p["line"], p["column"]) for p in data["problems"]] == [
        ("events.csv", 2, "birth_order")
    ]


def test_partial_exits_zero_when_something_was_imported(
    tmp_path: Path, small: dict[str, Rows], run_cli: Callable[..., Any]
) -> None:
    small["events"][0]["birth_order"] = "0"
    data = run_cli("register", "import", str(write_book(tmp_path, small)), "--partial")
    assert data["imported"]["events"] == len(small["events"]) - 1
    assert len(data["problems"]) == 1


def test_dry_run(run_cli: Callable[..., Any]) -> None:
    data = run_cli("register", "import", str(HANDMADE), "--dry-run")
    assert data["imported"]["persons"] > 0
    assert not Person.objects.exists()


def test_progress_goes_to_stderr_only() -> None:
    out, err = StringIO(), StringIO()
    call_command(
        "register",
        "import",
        str(HANDMADE),
        "--progress",
        "--format",
        "json",
        stdout=out,
        stderr=err,
    )
    assert json.loads(out.getvalue())["imported"]["events"] > 0
    assert "100%" in err.getvalue()


def test_a_user_imports_only_into_their_units(
    run_cli: Callable[..., Any], make_user: Callable[..., User]
) -> None:
    make_user("thuongthanh", Role.COMMUNE_OFFICER, Level.COMMUNE, "115")
    data, _error = failing("register", "import", str(HANDMADE), "--user", "thuongthanh")
    places = {(p["file"], p["line"], p["column"]) for p in data["problems"]}
    assert ("units.csv", 2, "commune_code") in places  # no new villages in Ngọc Thụy
    assert not Person.objects.exists()
    make_user("ngocthuy", Role.COMMUNE_OFFICER, Level.COMMUNE, "118")
    data = run_cli("register", "import", str(HANDMADE), "--user", "ngocthuy")
    assert data["imported"]["persons"] == len(read_table(HANDMADE, "persons"))


def test_export_writes_the_four_files(tmp_path: Path, run_cli: Callable[..., Any]) -> None:
    run_cli("register", "import", str(HANDMADE))
    data = run_cli(
        "register",
        "export",
        "--unit",
        "00118",
        "--level",
        "commune",
        "--date",
        "2024-06-30",
        "--output",
        str(tmp_path),
    )
    # format 1.1: and a placement of each household (the handmade book, 1.0, has none)
    written = (*TABLES, "placements")
    assert data["format"] == "1.1"
    assert data["rows"] == {t: len(read_table(HANDMADE, t)) for t in TABLES} | {
        "placements": len(read_table(HANDMADE, "households"))
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{t}.csv" for t in written)
    log = AccessLog.objects.get()
    # a command run without --user names the system actor, never no one (issue 12)
    assert log.user is not None
    assert (log.kind, log.where, log.user.username) == ("export", "export_command", "he-thong")
    assert "danso register export" in log.path


def test_export_needs_the_right_to_see_persons(
    tmp_path: Path, make_user: Callable[..., User]
) -> None:
    make_user("longbien", Role.DISTRICT_OFFICER, Level.DISTRICT, "4")
    with pytest.raises(CommandError):
        call_command(
            "register",
            "export",
            "--unit",
            "00118",
            "--level",
            "commune",
            "--date",
            "2024-06-30",
            "--output",
            str(tmp_path),
            "--user",
            "longbien",
        )
    assert not AccessLog.objects.exists()
