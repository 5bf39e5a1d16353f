"""`danso population`: import, export and show from the command line."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.population.models import PopulationFigure
from danso.units.codes import Level

pytestmark = pytest.mark.django_db

CSV = (
    "level,code,year,total,male,female,source\ncommune,115,2024,1000,480,520,sổ A0\n"
    "commune,118,2024,2000,990,1010,sổ A0\n"
)


def test_import_export_and_show(tmp_path: Path, run_cli: Callable[..., Any]) -> None:
    table = tmp_path / "dan-so.csv"
    table.write_text(CSV, encoding="utf-8")
    checked = run_cli("population", "import", str(table), "--dry-run")
    assert checked["created"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert not PopulationFigure.objects.exists()
    run_cli("population", "import", str(table))
    again = run_cli("population", "import", str(table))
    assert again["created"] == {"created": 0, "updated": 0, "unchanged": 2}
    out = tmp_path / "long-bien.xlsx"
    exported = run_cli(
        "population",
        "export",
        "--year",
        "2024",
        "--level",
        "commune",
        "--root",
        "4",
        "--root-level",
        "district",
        "--date",
        "2024-06-30",
        "--output",
        str(out),
    )
    assert exported == {"output": str(out), "units": 14, "with_figures": 2}
    shown = run_cli("population", "show", "115", "--level", "commune", "--date", "2024-06-30")
    assert shown["figures"][0]["total"] == 1000


def test_import_errors_exit_non_zero_and_write_nothing(
    tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    table = tmp_path / "bad.csv"
    table.write_text(CSV.replace("480,520", "480,999"), encoding="utf-8")
    with pytest.raises(CommandError, match="1"):
        run_cli("population", "import", str(table))
    assert not PopulationFigure.objects.exists()


def test_import_as_a_ward_officer_applies_their_scope(
    tmp_path: Path, run_cli: Callable[..., Any], make_user: Callable[..., User]
) -> None:
    make_user("tt", Role.COMMUNE_OFFICER, Level.COMMUNE, "115")
    table = tmp_path / "two-wards.csv"
    table.write_text(CSV, encoding="utf-8")
    with pytest.raises(CommandError):
        run_cli("population", "import", str(table), "--user", "tt")
    assert not PopulationFigure.objects.exists()
