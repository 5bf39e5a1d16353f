"""The CLI contract of `danso project` (used by acceptance checks; keep it stable)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from danso.accounts.models import User
from tests.projections.conftest import Register

pytestmark = pytest.mark.django_db
YEAR_KEYS = {"year", "female", "male", "births", "deaths", "women_15_49", "aged_60_plus"}
ARGS = ("--unit", "118", "--level", "commune", "--base-date", "2025-01-01", "--to-year", "2030")


def test_project_prints_one_json_document_with_the_contract(register: Register) -> None:
    # when the commune is projected from the register to 2030
    out = StringIO()
    call_command("project", *ARGS, "--scenario", "tfr-2.1-2030", "--format", "json", stdout=out)
    # then stdout holds exactly one JSON document
    document = json.loads(out.getvalue())
    assert {"unit", "scenario", "years"} <= set(document)
    assert document["unit"] == {"code": "00118", "name": "Phường Ngọc Thụy", "level": "commune"}
    assert document["scenario"] == "tfr-2.1-2030"
    years = document["years"]
    assert [y["year"] for y in years] == list(range(2025, 2031))
    assert all(set(y) == YEAR_KEYS for y in years)
    assert all(len(y["female"]) == len(y["male"]) == 18 for y in years)
    # and the first year is the register's population on the base date
    assert sum(years[0]["female"]) + sum(years[0]["male"]) == pytest.approx(12)
    assert years[0]["women_15_49"] == pytest.approx(5)  # Lan, Mai, Hoa, Thu, Vy
    assert years[0]["aged_60_plus"] == pytest.approx(1)  # Cúc


def test_the_default_scenario_is_constant_rates(
    register: Register, run_cli: Callable[..., Any]
) -> None:
    assert run_cli("project", *ARGS)["scenario"] == "constant"


def test_a_unit_outside_the_user_s_scope_is_an_error(
    register: Register, thuong_thanh_officer: User
) -> None:
    with pytest.raises(CommandError, match="Phường Ngọc Thụy"):
        call_command("project", *ARGS, "--user", "thuongthanh", "--format", "json")


def test_a_unit_with_nothing_to_start_from_is_an_error(db: None) -> None:
    with pytest.raises(CommandError, match="chưa có số liệu dân số theo nhóm tuổi"):
        call_command("project", *ARGS, "--format", "json", stdout=StringIO())


def test_errors_go_to_stderr_with_a_non_zero_exit() -> None:
    # (the subprocess has no data: an unreadable code fails before any is needed)
    done = subprocess.run(
        [sys.executable, "-m", "danso.cli", "project", "--unit", "x", "--level", "commune",
         "--base-date", "2025-01-01", "--to-year", "2030", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        env={
            "DJANGO_SETTINGS_MODULE": "danso.settings.test",
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": "sqlite:///:memory:",
        },
    )  # fmt: skip
    assert done.returncode != 0
    assert done.stdout == ""
    assert "x" in done.stderr
