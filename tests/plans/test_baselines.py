"""Baselines entered by hand (issue 18, point 3): a change target whose baseline year the
register does not cover stays "cannot judge" until its baseline is entered with its
source, on the screen or with ``danso indicators baseline``; then it is judged, and the
monitoring row says where the baseline came from.  A missing baseline is never 0."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.test import Client

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.accounts.scope import SYSTEM
from danso.indicators.baselines import baseline_enter
from danso.indicators.models import Indicator, IndicatorValue
from danso.indicators.services import entered_save
from danso.plans.document import TargetKind, TargetSpec
from danso.plans.models import Plan
from danso.plans.services import allocation_set, plan_create, target_save
from danso.register.models import Person
from danso.units.codes import Level
from tests.conftest import unit_at
from tests.indicators.conftest import book

pytestmark = pytest.mark.django_db
ON = date(2024, 3, 5)
# Phường Giang Biên (121) keeps no register here: its 2024 statistical report, entered.
GIANG_BIEN_2024 = {
    "P": 40_000,
    "W": 10_500,
    "births": 520,
    "births.M": 275,
    "births.F": 245,
    "births.order_known": 500,
    "births.order3p": 40,  # 8,0 %
}
SOURCE = "Báo cáo thống kê dân số năm 2023 của phường"
__all__ = ["book"]  # the register of Ngọc Thụy, a fixture


def _plan() -> Plan:
    """Long Biên 2024: "giảm tỷ lệ sinh con thứ 3 trở lên 0,15 % so với năm 2023", handed
    to Giang Biên (no register, its 2024 figures entered) and Ngọc Thụy (a register
    begun in June 2023)."""
    plan = plan_create(
        unit=unit_at(Level.DISTRICT, "4", ON),
        title="Kế hoạch công tác dân số năm 2024",
        period_start=2024,
        number="15/KH-UBND",
        issued_on=date(2024, 1, 15),
    )
    target = target_save(
        plan=plan,
        spec=TargetSpec(
            indicator="BIRTH3P",
            kind=TargetKind.CHANGE,
            value=Decimal("-0.15"),
            unit="%",
            baseline_year=2023,
            text="Giảm tỷ lệ sinh con thứ 3 trở lên 0,15 % so với năm 2023",
        ),
    )
    for code in ("121", "118"):
        allocation_set(target=target, unit=unit_at(Level.COMMUNE, code, ON), value=Decimal("-0.15"))
    entered_save(unit=unit_at(Level.COMMUNE, "121", ON), period="2024", counts=GIANG_BIEN_2024)
    return plan


def _rows(run_cli: Callable[..., Any], plan: Plan, *user: str) -> dict[str, Any]:
    data = run_cli("monitor", "--plan", str(plan.pk), "--period", "2024", *user)
    return {r["unit_code"]: r for r in data["rows"] if r["indicator"] == "BIRTH3P"}


def test_a_baseline_entered_on_the_command_line_lets_the_change_be_judged(
    book: dict[str, Person], run_cli: Callable[..., Any]
) -> None:
    # given a change target whose baseline year the register does not cover
    plan = _plan()
    before = _rows(run_cli, plan)
    assert before["00121"]["status"] == "cannot_judge"
    assert before["00121"]["actual"] == pytest.approx(8.0)
    assert before["00121"]["baseline"] is None
    assert "2023" in before["00121"]["reason"]
    # the register of Ngọc Thụy begins in June 2023: its 2023 is no baseline, never 0
    assert before["00118"]["baseline"] is None

    # when the ward's 2023 value is entered with its source
    entered = run_cli(
        "indicators",
        "baseline",
        "--indicator",
        "BIRTH3P",
        "--unit",
        "121",
        "--level",
        "commune",
        "--year",
        "2023",
        "--value",
        "8,3",
        "--source",
        SOURCE,
    )

    # then the change is judged against it (8,0 ≤ 8,3 − 0,15), saying where it came from
    assert entered["value"] == pytest.approx(8.3)
    assert entered["updated_by"] == "he-thong"  # no --user: the system actor, named
    after = _rows(run_cli, plan)
    row = after["00121"]
    assert row["status"] == "achieved"
    assert row["expected_to_date"] == pytest.approx(8.15)
    assert row["baseline"] == {"year": 2023, "value": 8.3, "entered": True, "source": SOURCE}
    assert SOURCE in row["reason"]
    assert after["00118"]["baseline"] is None  # only the ward it was entered for


def test_the_command_keeps_to_the_users_scope(
    make_user: Callable[..., User], run_cli: Callable[..., Any]
) -> None:
    # given an officer of Ngọc Thụy
    make_user("nt", Role.COMMUNE_OFFICER, Level.COMMUNE, "118", ON)
    args = ["indicators", "baseline", "--indicator", "BIRTH3P", "--level", "commune"]
    args += ["--year", "2023", "--value", "8,3", "--source", SOURCE, "--user", "nt"]

    # when they enter a baseline of another ward, then it is refused
    with pytest.raises(CommandError):
        run_cli(*args, "--unit", "121")
    assert not IndicatorValue.objects.exists()
    # and of their own ward it is recorded against them
    assert run_cli(*args, "--unit", "118")["updated_by"] == "nt"
    # a value that reads two ways is refused, never guessed
    with pytest.raises(CommandError):
        run_cli(*args[:-6], "--value", "8,300", "--source", SOURCE, "--user", "nt", "--unit", "118")


def test_the_service_needs_an_actor_a_value_and_a_source() -> None:
    ward = unit_at(Level.COMMUNE, "121", ON)
    birth3p = Indicator.objects.get(code="BIRTH3P")
    common: dict[str, Any] = {"unit": ward, "indicator": birth3p, "year": 2023}
    with pytest.raises(PermissionError):
        baseline_enter(**common, value=Decimal("8.3"), source=SOURCE, actor=None)
    with pytest.raises(ValidationError) as refused:
        baseline_enter(**common, value=None, source="", actor=SYSTEM)
    assert set(refused.value.message_dict) == {"value", "source"}
    with pytest.raises(ValidationError):
        baseline_enter(**common, value=Decimal(120), source=SOURCE, actor=SYSTEM)  # > 100 %
    assert not IndicatorValue.objects.exists()

    row = baseline_enter(**common, value=Decimal("8.3"), source=SOURCE, actor=SYSTEM)

    assert (row.period, row.value, row.source) == ("2023", Decimal("8.3"), SOURCE)
    assert row.history.get().history_user.username == "he-thong"


def test_an_officer_enters_a_baseline_on_screen_from_the_plan(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    # given the plan and the district's officer, who may edit it
    plan = _plan()
    officer = make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4", ON)
    client = client_for(officer)
    ward = unit_at(Level.COMMUNE, "121", ON)
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert f"/plans/baselines/{plan.unit_id}/?indicator=BIRTH3P" in page
    monitoring = client.get(f"/plans/{plan.pk}/monitoring/", {"period": "2024"})
    assert f"/plans/baselines/{ward.pk}/?indicator=BIRTH3P" in monitoring.content.decode()
    url = f"/plans/baselines/{ward.pk}/?date=2024-03-05&plan={plan.pk}"
    assert client.get(url + "&indicator=BIRTH3P&year=2023").status_code == 200

    # when they send no value, nothing is stored (a baseline is never silently 0)
    empty = {"indicator": "BIRTH3P", "year": "2023", "value": "", "source": SOURCE}
    assert client.post(url, empty).status_code == 200
    assert not IndicatorValue.objects.exists()
    # and when they send it, written the Vietnamese way
    sent = client.post(url, {**empty, "value": "8,3"})

    # then it is kept, in the history under their name, and the target is judged on it
    assert sent.status_code == 302
    row = IndicatorValue.objects.get()
    assert (row.unit_id, row.period, row.value, row.updated_by) == (
        ward.pk,
        "2023",
        Decimal("8.3"),
        officer,
    )
    assert row.history.get().history_user == officer
    listed = client.get(url).content.decode()
    assert SOURCE in listed
    shown = client.get(f"/plans/{plan.pk}/monitoring/", {"period": "2024"}).content.decode()
    assert SOURCE in shown


def test_the_screen_keeps_to_the_readers_scope(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    ward = unit_at(Level.COMMUNE, "121", ON)
    data = {"indicator": "BIRTH3P", "year": "2023", "value": "8,3", "source": SOURCE}
    url = f"/plans/baselines/{ward.pk}/?date=2024-03-05"
    # an officer of another ward, and a viewer of the district, may not enter it
    other = client_for(make_user("nt", Role.COMMUNE_OFFICER, Level.COMMUNE, "118", ON))
    viewer = client_for(make_user("v", Role.VIEWER, Level.DISTRICT, "4", ON))
    for client in (other, viewer):
        assert client.get(url).status_code == 403
        assert client.post(url, data).status_code == 403
    assert not IndicatorValue.objects.exists()
