"""Inspections counted into data values are monitored like any other figure: a defined
indicator reading ``#{INSPECTIONS}`` against Long Biên's 2024 target of 12 inspections."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from danso.accounts.models import User
from danso.accounts.scope import SYSTEM
from danso.datasets.models import DataValue
from danso.facilities.models import Facility
from danso.facilities.services import (
    VIOLATIONS,
    ensure_definitions,
    facility_save,
    inspection_save,
)
from danso.indicators.services import indicator_define
from danso.plans.document import TargetKind, TargetSpec
from danso.plans.models import Plan
from danso.plans.services import target_save
from tests.facilities.conftest import ON, clinic, visit, ward
from tests.plans.conftest import LONG_BIEN_2024, seed_plan

pytestmark = pytest.mark.django_db
__all__ = ["seed_plan"]  # the fixture of the plans' tests


def test_twelve_monthly_inspections_meet_long_biens_target(
    facility: Facility,
    district_officer: User,
    seed_plan: Callable[[str], Plan],
    run_cli: Callable[..., Any],
) -> None:
    # given the data set (defined by the province, here the system) and an indicator
    ensure_definitions(SYSTEM)
    indicator_define(
        code="INSPECTIONS",
        name="Số lượt kiểm tra cơ sở y tế tư nhân",
        numerator="#{INSPECTIONS}",
        denominator="",
        factor=Decimal(1),
        direction="up",
        actor=SYSTEM,
    )
    # and Long Biên's 2024 plan with a target of 12 inspections
    plan = seed_plan(LONG_BIEN_2024)
    target_save(
        plan=plan,
        spec=TargetSpec(
            indicator="INSPECTIONS", kind=TargetKind.COUNT_MIN, value=Decimal(12), unit="persons"
        ),
        order=30,
    )
    other: Facility = facility_save(
        actor=district_officer, data=clinic("Phòng khám Thượng Thanh"), on=ON, unit=ward("115")
    )
    # when the district inspects a clinic every month, two wards in turn, and finds one
    # violation in September (in Ngọc Thụy, whose clinic is inspected in odd months)
    for month in range(1, 13):
        inspection_save(
            actor=district_officer,
            data=visit(date(2024, month, 10), violation=month == 9),
            facility=facility if month % 2 else other,
        )
    # then the year's 12 inspections meet the target
    rows = {
        (r["unit_code"], r["indicator"]): r
        for r in run_cli("monitor", "--plan", str(plan.pk), "--period", "2024")["rows"]
    }
    year = rows[("004", "INSPECTIONS")]
    assert year["actual"] == 12
    assert year["status"] == "achieved"
    # and by the end of June, 6 of the pro-rated 6 are on track
    half = {
        (r["unit_code"], r["indicator"]): r
        for r in run_cli("monitor", "--plan", str(plan.pk), "--period", "2024-YTD-06")["rows"]
    }
    assert half[("004", "INSPECTIONS")]["actual"] == 6
    assert half[("004", "INSPECTIONS")]["status"] == "on_track"
    # the violation is a figure too: one facility, in September, in Ngọc Thụy (118)
    found = DataValue.objects.filter(element__code=VIOLATIONS, number__gt=0)
    assert [(v.unit_id, v.period, v.number) for v in found] == [
        (ward("118").pk, "2024-09", Decimal(1))
    ]
