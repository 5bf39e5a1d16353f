"""``danso facilities``: list a unit's facilities as JSON; import a table, every row
checked first, problems by file, line and column."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from danso.accounts.models import User
from danso.datasets.models import DataSet
from danso.facilities.models import Facility
from danso.facilities.services import inspection_save
from tests.facilities.conftest import ON, visit, ward

pytestmark = pytest.mark.django_db
HEADER = "commune,name,address,ownership,services,licence_number,licence_date,latitude,longitude\n"


def _file(tmp_path: Path, text: str, name: str = "co-so.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _failing(*args: str) -> dict[str, Any]:
    out = StringIO()
    with pytest.raises(CommandError):
        call_command(*args, "--format", "json", stdout=out)
    data: dict[str, Any] = json.loads(out.getvalue())
    return data


def test_list_gives_the_facilities_and_the_years_counts(
    facility: Facility, district_officer: User, run_cli: Callable[..., Any]
) -> None:
    inspection_save(
        actor=district_officer, data=visit(date(2024, 5, 6), violation=True), facility=facility
    )
    data = run_cli(
        "facilities", "list", "--unit", "004", "--level", "district", "--year", "2024",
        "--date", ON.isoformat(),
    )  # fmt: skip
    assert data["unit"]["name"] == "Quận Long Biên"
    assert data["totals"] == {"facilities": 1, "inspected": 1, "inspections": 1, "violations": 1}
    (row,) = data["facilities"]
    assert row["name"] == facility.name
    assert row["commune"]["code"] == "00118"
    assert (row["inspections"], row["violations"]) == (1, 1)
    # a ward officer of another ward sees none of them; of this ward, its own
    mine = run_cli(
        "facilities", "list", "--unit", "118", "--level", "commune", "--year", "2024",
        "--date", ON.isoformat(), "--user", "longbien",
    )  # fmt: skip
    assert len(mine["facilities"]) == 1


def test_list_outside_ones_units_is_refused(ward_officer: User) -> None:
    with pytest.raises(CommandError, match=r"outside|ngoài"):
        call_command(
            "facilities", "list", "--unit", "115", "--level", "commune",
            "--date", ON.isoformat(), "--user", "ngocthuy", "--format", "json",
            stdout=StringIO(),
        )  # fmt: skip


def test_a_table_with_errors_writes_nothing_and_says_where(
    tmp_path: Path, ward_officer: User
) -> None:
    text = HEADER + (
        "118,Phòng khám Hồng Phúc,Số 12 Ngọc Thụy,tư nhân,siêu âm; phá thai,01/GP,"
        "04/05/2020,21.06,105.87\n"
        "115,Phòng khám Thượng Thanh,,tư nhân,siêu âm,,,,\n"
        "118,,Số 3,tư nhân,siêu âm,,,,\n"
        "118,Phòng khám A,,nhà thờ,chụp X quang,,31/02/2020,21.06,\n"
        "99999,Phòng khám B,,tư nhân,,,,,\n"
        "118,Phòng khám Hồng Phúc,,tư nhân,,,,,\n"
    )
    data = _failing(
        "facilities", "import", _file(tmp_path, text), "--user", "ngocthuy",
        "--date", ON.isoformat(),
    )  # fmt: skip
    where = {(p["line"], p["column"]) for p in data["problems"]}
    assert where == {
        (3, "commune"),  # another ward
        (4, "name"),
        (5, "ownership"),
        (5, "services"),
        (5, "licence_date"),
        (5, "longitude"),  # a latitude without its longitude
        (6, "commune"),
        (7, "name"),  # twice in the file
    }
    assert all(p["file"] == "co-so.csv" for p in data["problems"])
    assert Facility.objects.count() == 0


def test_a_good_table_is_imported_then_updates(tmp_path: Path, run_cli: Callable[..., Any]) -> None:
    text = HEADER + (
        "118,Phòng khám Hồng Phúc,Số 12 Ngọc Thụy,tư nhân,siêu âm; phá thai,01/GP,"
        "04/05/2020,21.06,105.87\n"
        "00115,Phòng khám Thượng Thanh,,công lập,ivf,,,,\n"
    )
    path = _file(tmp_path, text)
    data = run_cli("facilities", "import", path, "--date", ON.isoformat())
    assert data["created"] == {"facilities": 2}
    hong_phuc = Facility.objects.get(name="Phòng khám Hồng Phúc")
    assert hong_phuc.unit == ward("118")
    assert hong_phuc.services == ["ultrasound", "abortion"]
    assert hong_phuc.licence_date == date(2020, 5, 4)
    assert str(hong_phuc.latitude) == "21.060000"
    assert Facility.objects.get(name="Phòng khám Thượng Thanh").ownership == "public"
    # recorded against the system actor of the command line
    assert hong_phuc.history.get().history_user.username == "he-thong"
    again = run_cli(
        "facilities", "import", _file(tmp_path, text.replace("Số 12", "Số 14")),
        "--date", ON.isoformat(),
    )  # fmt: skip
    assert again["created"] == {"updated": 1, "unchanged": 1}
    assert Facility.objects.count() == 2


def test_define_makes_the_data_set_once(run_cli: Callable[..., Any], ward_officer: User) -> None:
    with pytest.raises(CommandError):
        call_command("facilities", "define", "--user", "ngocthuy", stdout=StringIO())
    assert run_cli("facilities", "define") == {"defined": True}
    assert run_cli("facilities", "define") == {"defined": False}
    assert DataSet.objects.filter(code="FACILITY_INSPECTIONS").exists()
