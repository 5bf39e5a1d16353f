"""Contraceptive targets by method and by supply are monitored, not only their total
(issue 18, point 7): ``danso monitor`` and the plan's monitoring screen follow each
allocated NEWFP row with a row per method and per supply, judged with the same
statuses, against the register's ``NEWFP.<method>`` and ``NEWFP.<supply>``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.accounts.scope import SYSTEM
from danso.indicators.periods import Period
from danso.plans.breakdowns import parts_of
from danso.plans.document import TargetKind, TargetSpec
from danso.plans.models import Plan
from danso.plans.monitoring import monitor
from danso.plans.services import allocation_set, plan_create, target_save
from danso.register.models import Person
from danso.units.codes import Level
from tests.conftest import unit_at
from tests.indicators.conftest import book

pytestmark = pytest.mark.django_db
ON = date(2024, 3, 5)
__all__ = ["book"]  # the register of Ngọc Thụy: an IUD (free) in February, a pill
# (social marketing) in August 2024
#: What Ngọc Thụy is handed: 1 IUD (free), 3 pills (social marketing).
NGOC_THUY = {
    "iud": {"total": 1, "free": 1, "social_marketing": 0},
    "pill": {"total": 3, "free": 0, "social_marketing": 3},
}
THUONG_THANH = {"iud": {"total": 2, "free": 2, "social_marketing": 0}}


def _plan() -> Plan:
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
            indicator="NEWFP",
            kind=TargetKind.COUNT_MIN,
            value=Decimal(6),
            unit="persons",
            breakdown={
                "iud": {"total": 3, "free": 3, "social_marketing": 0},
                "pill": {"total": 3, "free": 0, "social_marketing": 3},
            },
        ),
    )
    allocation_set(
        target=target,
        unit=unit_at(Level.COMMUNE, "118", ON),
        value=Decimal(4),
        breakdown=NGOC_THUY,
    )
    allocation_set(
        target=target,
        unit=unit_at(Level.COMMUNE, "115", ON),  # keeps no register here
        value=Decimal(2),
        breakdown=THUONG_THANH,
    )
    return plan


def _rows(run_cli: Callable[..., Any], plan: Plan, period: str, *user: str) -> dict[Any, Any]:
    data = run_cli("monitor", "--plan", str(plan.pk), "--period", period, *user)
    return {(r["unit_code"], r["indicator"]): r for r in data["rows"]}


def test_the_parts_of_a_breakdown() -> None:
    assert parts_of(NGOC_THUY) == [
        ("iud", Decimal(1)),
        ("pill", Decimal(3)),
        ("free", Decimal(1)),
        ("social_marketing", Decimal(3)),
    ]
    # a supply some methods do not split is not judged (the register counts all methods)
    assert parts_of({"iud": {"total": 2, "free": 2}, "condom": 5}) == [
        ("iud", Decimal(2)),
        ("condom", Decimal(5)),
    ]
    assert parts_of(None) == []


def test_each_method_and_supply_is_judged_like_the_total(
    book: dict[str, Person], run_cli: Callable[..., Any]
) -> None:
    # given a contraceptive target handed down by method and supply
    plan = _plan()

    # when the year is monitored
    year = _rows(run_cli, plan, "2024")

    # then the total is followed by its parts, each against its own target
    assert year[("00118", "NEWFP")]["status"] == "off_track"  # 2 of 4
    iud, pill = year[("00118", "NEWFP.iud")], year[("00118", "NEWFP.pill")]
    assert (iud["part"], iud["target"], iud["actual"], iud["status"]) == ("iud", 1, 1, "achieved")
    assert (pill["target"], pill["actual"], pill["status"]) == (3, 1, "off_track")
    free, social = year[("00118", "NEWFP.free")], year[("00118", "NEWFP.social_marketing")]
    assert (free["target"], free["actual"], free["status"]) == (1, 1, "achieved")
    assert (social["target"], social["actual"], social["status"]) == (3, 1, "off_track")
    # the district's own target is broken down too
    assert year[("004", "NEWFP.iud")]["target"] == 3
    # a ward without data: its parts are not judged, and no figure is 0
    for part in ("NEWFP.iud", "NEWFP.free"):
        assert year[("00115", part)]["status"] == "cannot_judge"
        assert year[("00115", part)]["actual"] is None
    assert ("00115", "NEWFP.pill") not in year  # not handed to it
    # by 30/06 the pill's share is behind, the IUD already reached
    half = _rows(run_cli, plan, "2024-YTD-06")
    assert half[("00118", "NEWFP.iud")]["status"] == "achieved"
    assert half[("00118", "NEWFP.pill")]["expected_to_date"] == 1.5
    assert half[("00118", "NEWFP.pill")]["status"] == "off_track"


def test_a_ward_officer_sees_only_the_parts_of_their_ward(
    book: dict[str, Person], make_user: Callable[..., User], run_cli: Callable[..., Any]
) -> None:
    plan = _plan()
    make_user("nt", Role.COMMUNE_OFFICER, Level.COMMUNE, "118", ON)

    rows = _rows(run_cli, plan, "2024", "--user", "nt")

    assert {unit for unit, _code in rows} == {"00118"}
    assert ("00118", "NEWFP.pill") in rows


def test_the_dashboards_keep_to_the_totals(book: dict[str, Person]) -> None:
    plan = _plan()

    rows = monitor(plan, Period.parse("2024"), SYSTEM)

    assert all(row.part is None for row in rows)
    assert any(row.part == "iud" for row in monitor(plan, Period.parse("2024"), SYSTEM, parts=True))


def test_the_plans_monitoring_screen_shows_the_methods(
    book: dict[str, Person],
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    plan = _plan()
    district = client_for(make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4", ON))
    ward = client_for(make_user("nt", Role.COMMUNE_OFFICER, Level.COMMUNE, "118", ON))
    outsider = client_for(make_user("hk", Role.DISTRICT_OFFICER, Level.DISTRICT, "2", ON))
    url = f"/plans/{plan.pk}/monitoring/"
    assert url in district.get(f"/plans/{plan.pk}/").content.decode()

    page = district.get(url, {"period": "2024"}).content.decode()

    assert "Dụng cụ tử cung" in page  # the IUD's row
    assert "Viên uống tránh thai" in page
    assert "Phường Thượng Thanh" in page
    mine = ward.get(url, {"period": "2024"}).content.decode()
    assert "Viên uống tránh thai" in mine
    assert "Phường Thượng Thanh" not in mine  # another ward's rows
    assert outsider.get(url, {"period": "2024"}).status_code == 403
