"""Data elements, data sets and indicators an officer defines (issue 18): the command
line contract, checks before anything is written, and a defined indicator computed for
wards and their district from a data element and the register's pregnancies."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.datasets.models import DataElement, DataSet, DataValue
from danso.indicators.models import Indicator
from danso.register import services
from danso.register.models import Person
from danso.register.vocabulary import EventType
from danso.units import services as units
from danso.units.codes import Level
from tests.conftest import unit_at
from tests.indicators.conftest import SINCE, book, event, person, seed_plan

pytestmark = pytest.mark.django_db
__all__ = ["book", "seed_plan"]  # fixtures of the indicators' tests

DEFINITIONS = {
    "data_elements": [
        {"code": "PREG_COUNSELLED", "name": "Số thai phụ được tư vấn", "value_type": "number"},
        {"code": "CLUB_MEETINGS", "name": "Số buổi sinh hoạt câu lạc bộ", "value_type": "number"},
        {"code": "MODEL_RUNNING", "name": "Mô hình đang hoạt động", "value_type": "yes_no"},
    ],
    "data_sets": [
        {
            "code": "COMMUNE_MONTHLY",
            "name": "Báo cáo tháng của xã, phường",
            "period_type": "month",
            "level": "commune",
            "elements": ["PREG_COUNSELLED", "CLUB_MEETINGS", "MODEL_RUNNING"],
        }
    ],
}
HEADER = "data_set,unit_code,level,period,element,value\n"


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _run(*args: str) -> tuple[dict[str, Any], bool]:
    """A command's JSON and whether it failed (it prints its report before failing)."""
    from io import StringIO

    out = StringIO()
    try:
        call_command(*args, "--format", "json", stdout=out)
    except CommandError as error:
        return (json.loads(out.getvalue()) if out.getvalue() else {"error": str(error)}), True
    return json.loads(out.getvalue()), False


@pytest.fixture
def defined(tmp_path: Path) -> None:
    data, failed = _run("datasets", "define", _file(tmp_path, "d.json", json.dumps(DEFINITIONS)))
    assert not failed, data


def test_a_definition_document_creates_then_updates(tmp_path: Path) -> None:
    path = _file(tmp_path, "d.json", json.dumps(DEFINITIONS))
    data, failed = _run("datasets", "define", path)
    assert not failed
    assert data["created"] == {"data_elements": 3, "data_sets": 1}
    data_set = DataSet.objects.get(code="COMMUNE_MONTHLY")
    assert [m.element.code for m in data_set.members.all()] == [
        "PREG_COUNSELLED",
        "CLUB_MEETINGS",
        "MODEL_RUNNING",
    ]
    assert (data_set.period_type, data_set.level) == ("month", "commune")
    again, _ = _run("datasets", "define", path)
    assert again["created"] == {}
    assert again["updated"] == {"data_elements": 3, "data_sets": 1}
    assert DataElement.objects.count() == 3
    # the history says who: the system actor of the command line
    assert data_set.history.first().history_user.username == "he-thong"


def test_a_wrong_definition_writes_nothing_and_says_where(tmp_path: Path) -> None:
    wrong = {
        "data_elements": [
            {"code": "ok_lower", "name": "x", "value_type": "number"},
            {"code": "GOOD", "name": "", "value_type": "money"},
        ],
        "data_sets": [
            {
                "code": "S",
                "name": "s",
                "period_type": "week",
                "level": "commune",
                "elements": ["GOOD", "MISSING"],
            }
        ],
    }
    data, failed = _run("datasets", "define", _file(tmp_path, "w.json", json.dumps(wrong)))
    assert failed
    columns = {(p["file"], p["column"]) for p in data["problems"]}
    assert ("w.json: data_elements[2]", "name") in columns
    assert ("w.json: data_elements[2]", "value_type") in columns
    assert ("w.json: data_sets[1]", "period_type") in columns
    assert DataElement.objects.count() == 0
    assert DataSet.objects.count() == 0
    # a lower-case code is read in capitals; only the faulty ones are named
    assert not any(p["column"] == "code" for p in data["problems"])


def test_values_are_checked_before_anything_is_written(defined: None, tmp_path: Path) -> None:
    text = HEADER + (
        "COMMUNE_MONTHLY,118,commune,2024-01,PREG_COUNSELLED,3\n"
        "COMMUNE_MONTHLY,118,commune,2024-01,CLUB_MEETINGS,abc\n"
        "COMMUNE_MONTHLY,118,commune,2024Q1,PREG_COUNSELLED,1\n"
        "COMMUNE_MONTHLY,99999,commune,2024-01,PREG_COUNSELLED,1\n"
        "COMMUNE_MONTHLY,118,district,2024-01,PREG_COUNSELLED,1\n"
        "COMMUNE_MONTHLY,118,commune,2024-01,UNKNOWN,1\n"
        "COMMUNE_MONTHLY,118,commune,2024-01,MODEL_RUNNING,có lẽ\n"
        "COMMUNE_MONTHLY,118,commune,2024-01,PREG_COUNSELLED,4\n"
    )
    data, failed = _run("datasets", "enter", "--file", _file(tmp_path, "v.csv", text))
    assert failed
    assert data["saved"] == 0
    where = {(p["line"], p["column"]) for p in data["problems"]}
    assert where == {
        (3, "value"),
        (4, "period"),
        (5, "unit_code"),
        (6, "level"),
        (7, "element"),
        (8, "value"),
        (9, "value"),
    }
    assert all(p["file"] == "v.csv" for p in data["problems"])
    assert DataValue.objects.count() == 0
    messages = " ".join(p["message"] for p in data["problems"])
    assert "2024-01" in messages  # how to write the month


def test_a_correction_needs_a_reason(defined: None, tmp_path: Path) -> None:
    first = HEADER + "COMMUNE_MONTHLY,118,commune,2024-01,PREG_COUNSELLED,3\n"
    data, failed = _run("datasets", "enter", "--file", _file(tmp_path, "a.csv", first))
    assert (data["saved"], failed) == (1, False)
    same, _ = _run("datasets", "enter", "--file", _file(tmp_path, "a.csv", first))
    assert (same["saved"], same["unchanged"]) == (0, 1)
    changed = HEADER + "COMMUNE_MONTHLY,118,commune,2024-01,PREG_COUNSELLED,5\n"
    refused, failed = _run("datasets", "enter", "--file", _file(tmp_path, "b.csv", changed))
    assert failed
    assert refused["problems"][0]["column"] == "reason"
    assert DataValue.objects.get().number == 3
    done, failed = _run(
        "datasets",
        "enter",
        "--file",
        _file(tmp_path, "b.csv", changed),
        "--reason",
        "Sổ tháng 1 ghi thiếu 2 thai phụ",
    )
    assert (done["saved"], failed) == (1, False)
    value = DataValue.objects.get()
    assert value.number == 5
    assert value.history.first().history_change_reason == "Sổ tháng 1 ghi thiếu 2 thai phụ"


def test_a_commune_officer_enters_only_their_commune(
    defined: None, tmp_path: Path, make_user: Callable[..., User]
) -> None:
    make_user("nt", Role.COMMUNE_OFFICER, Level.COMMUNE, "118", date(2024, 3, 5))
    text = HEADER + (
        "COMMUNE_MONTHLY,118,commune,2024-01,PREG_COUNSELLED,3\n"
        "COMMUNE_MONTHLY,115,commune,2024-01,PREG_COUNSELLED,2\n"
    )
    data, failed = _run(
        "datasets", "enter", "--file", _file(tmp_path, "v.csv", text), "--user", "nt"
    )
    assert failed
    assert [(p["line"], p["column"]) for p in data["problems"]] == [(3, "unit_code")]
    assert DataValue.objects.count() == 0
    # and cannot define data elements
    with pytest.raises(CommandError):
        call_command(
            "datasets", "define", _file(tmp_path, "d.json", json.dumps(DEFINITIONS)), "--user", "nt"
        )


@pytest.fixture
def two_wards(book: dict[str, Person]) -> None:
    """Pregnancies in the book of Ngọc Thụy (118) and in a village of 115."""
    event(book["B"], EventType.PREGNANCY, date(2023, 10, 1))
    event(book["F"], EventType.PREGNANCY, date(2024, 2, 10))
    event(book["D"], EventType.PREGNANCY, date(2024, 6, 1))
    village = units.village_create(
        commune=unit_at(Level.COMMUNE, "115", SINCE),
        code="00115-T1",
        name="Tổ dân phố 1",
        type="tổ dân phố",
        valid_from=SINCE,
    )
    home = services.household_create(unit=village, since=SINCE, number="1")
    for name, month in (
        ("Vũ Thị Hoa", 1),
        ("Hà Thị Lan", 3),
        ("Ngô Thị Mai", 5),
        ("Lý Thị Nga", 7),
    ):
        woman = person(home, name, "F", date(1996, month, 1), "co_vo_chong")
        event(woman, EventType.PREGNANCY, date(2024, month, 12))


def test_a_defined_indicator_is_computed_for_wards_and_their_district(
    defined: None, two_wards: None, tmp_path: Path
) -> None:
    counts = HEADER + "".join(
        f"COMMUNE_MONTHLY,{ward},commune,2024-{month:02d},PREG_COUNSELLED,{n}\n"
        for ward, month, n in (
            ("118", 2, 1),
            ("118", 6, 1),  # 2 of 2 pregnancies of 2024
            ("115", 1, 1),
            ("115", 3, 1),
            ("115", 5, 1),  # 3 of 4
        )
    )
    entered, failed = _run("datasets", "enter", "--file", _file(tmp_path, "c.csv", counts))
    assert (entered["saved"], failed) == (5, False)
    data, failed = _run(
        "indicators",
        "define",
        "--code",
        "PREG_COUNSEL",
        "--name",
        "Tỷ lệ thai phụ được tuyên truyền, tư vấn",
        "--numerator",
        "#{PREG_COUNSELLED}",
        "--denominator",
        "pregnancies",
        "--factor",
        "100",
        "--direction",
        "up",
    )
    assert not failed, data
    assert data["indicator"]["reads"] == {
        "counts": ["pregnancies"],
        "elements": ["PREG_COUNSELLED"],
    }
    assert data["indicator"]["unit"] == "%"
    figures, _ = _run(
        "indicators",
        "compute",
        "--unit",
        "004",
        "--level",
        "district",
        "--period",
        "2024",
        "--children",
    )

    def counsel(unit: dict[str, Any]) -> dict[str, Any]:
        return next(v for v in unit["values"] if v["indicator"] == "PREG_COUNSEL")

    wards = {c["unit"]["code"]: counsel(c) for c in figures["children"]}
    assert (wards["00118"]["numerator"], wards["00118"]["denominator"]) == (2, 2)
    assert wards["00118"]["value"] == 100
    assert (wards["00115"]["numerator"], wards["00115"]["denominator"]) == (3, 4)
    assert wards["00115"]["value"] == 75
    district = counsel(figures)
    assert district["numerator"] == sum(w["numerator"] for w in wards.values() if w["numerator"])
    assert district["denominator"] == 6
    assert district["value"] == pytest.approx(5 / 6 * 100)
    assert district["source"] == "register+entered"
    # a ward with nothing entered has no figure, not 0
    others = [v for code, v in wards.items() if code not in ("00118", "00115")]
    assert others
    assert all(v["value"] is None for v in others)
    # a quarter adds up its months; a month without a count has no figure
    q1, _ = _run(
        "indicators", "compute", "--unit", "115", "--level", "commune", "--period", "2024Q1"
    )
    assert counsel(q1)["numerator"] == 2
    april, _ = _run(
        "indicators", "compute", "--unit", "115", "--level", "commune", "--period", "2024-04"
    )
    assert counsel(april)["value"] is None


def test_an_expression_naming_what_does_not_exist_is_refused(defined: None) -> None:
    with pytest.raises(CommandError, match="numerator"):
        call_command(
            "indicators",
            "define",
            "--code",
            "X1",
            "--name",
            "x",
            "--numerator",
            "#{NOPE}",
            "--denominator",
            "births",
            "--factor",
            "100",
        )
    with pytest.raises(CommandError, match="pregnancy"):
        call_command(
            "indicators",
            "define",
            "--code",
            "X1",
            "--name",
            "x",
            "--numerator",
            "pregnancy",
            "--denominator",
            "births",
            "--factor",
            "100",
        )
    with pytest.raises(CommandError, match="denominator"):
        call_command(
            "indicators",
            "define",
            "--code",
            "X1",
            "--name",
            "x",
            "--numerator",
            "births",
            "--denominator",
            "__import__('os')",
            "--factor",
            "100",
        )
    assert not Indicator.objects.filter(code="X1").exists()


def test_a_defined_indicator_is_monitored_against_its_target(
    defined: None, two_wards: None, tmp_path: Path, seed_plan: Any, run_cli: Callable[..., Any]
) -> None:
    from danso.plans.document import TargetKind, TargetSpec
    from danso.plans.services import allocation_set, target_save
    from tests.plans.conftest import LONG_BIEN_2024

    counts = HEADER + "COMMUNE_MONTHLY,118,commune,2024-02,PREG_COUNSELLED,2\n"
    _run("datasets", "enter", "--file", _file(tmp_path, "c.csv", counts))
    call_command(
        "indicators",
        "define",
        "--code",
        "PREG_COUNSEL",
        "--name",
        "Tỷ lệ thai phụ được tư vấn",
        "--numerator",
        "#{PREG_COUNSELLED}",
        "--denominator",
        "pregnancies",
        "--factor",
        "100",
        "--direction",
        "up",
    )
    plan = seed_plan(LONG_BIEN_2024)
    target = target_save(
        plan=plan,
        spec=TargetSpec(
            indicator="PREG_COUNSEL", kind=TargetKind.LEVEL_MIN, value=Decimal(100), unit="%"
        ),
        order=20,
    )
    for ward in ("118", "115"):
        allocation_set(
            target=target, unit=unit_at(Level.COMMUNE, ward, date(2024, 3, 5)), value=Decimal(100)
        )
    rows = {
        (r["unit_code"], r["indicator"]): r
        for r in run_cli("monitor", "--plan", str(plan.pk), "--period", "2024")["rows"]
    }
    assert rows[("00118", "PREG_COUNSEL")]["actual"] == 100
    # 2 of 2 pregnancies: too few to judge, said so (not "achieved" on two women)
    assert rows[("00118", "PREG_COUNSEL")]["status"] == "cannot_judge"
    assert "quá ít" in rows[("00118", "PREG_COUNSEL")]["reason"]
    assert rows[("00115", "PREG_COUNSEL")]["actual"] is None  # nothing entered: no figure
    assert rows[("00115", "PREG_COUNSEL")]["status"] == "cannot_judge"
    assert rows[("004", "PREG_COUNSEL")]["actual"] == pytest.approx(2 / 6 * 100)
