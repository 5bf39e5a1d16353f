"""Long Biên's 2024 plan against sex selection, monitored on a phone (issue 18,
acceptance): its private ultrasound clinics registered, twelve monthly inspections
recorded with one violation, and the plan's target of twelve inspections judged from the
data set the inspections are counted into; screenshots go to the artifacts directory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.accounts.scope import SYSTEM
from danso.facilities.models import Service
from danso.facilities.services import FacilityInput, InspectionInput, facility_save, inspection_save
from danso.indicators.services import indicator_define
from danso.plans.document import TargetKind, TargetSpec
from danso.plans.models import Plan
from danso.plans.services import target_save
from danso.units.codes import Level
from tests.browser.conftest import CHROMIUM, PHONE
from tests.browser.test_unit_pages import page_width
from tests.conftest import BEFORE, unit_at
from tests.plans.conftest import LONG_BIEN_2024, seed_plan

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]
__all__ = ["seed_plan"]  # the plans' fixture


def test_the_inspection_target_of_long_bien_2024_is_monitored_on_a_phone(
    new_page: Callable[..., Page],
    make_user: Callable[..., User],
    live_reference: LiveServer,
    seed_plan: Callable[[str], Plan],
    artifacts: Path,
) -> None:
    make_user("longbien", Role.DISTRICT_OFFICER, Level.DISTRICT, "004", BEFORE)
    plan = seed_plan(LONG_BIEN_2024)  # Kế hoạch 128/KH-UBND: SRB ≤ 109
    opened = date(2024, 1, 1)
    clinics = [
        facility_save(
            actor=SYSTEM,
            data=FacilityInput(name=name, services=(Service.ULTRASOUND,)),
            on=opened,
            unit=unit_at(Level.COMMUNE, ward, opened),
        )
        for ward, name in (("118", "Phòng khám Hồng Phúc"), ("115", "Phòng khám Bình An"))
    ]
    for month in range(1, 13):
        inspection_save(
            actor=SYSTEM,
            facility=clinics[month % 2],
            data=InspectionInput(
                date=date(2024, month, 15),
                team="Đoàn kiểm tra liên ngành quận",
                violation=month == 6,
                violation_kind="disclosure" if month == 6 else "",
                findings="Gợi ý giới tính thai nhi" if month == 6 else "Chấp hành đúng quy định",
            ),
        )
    indicator_define(
        code="INSPECTIONS",
        name="Số lượt kiểm tra cơ sở siêu âm tư nhân",
        numerator="#{INSPECTIONS}",
        factor=Decimal(1),
        actor=SYSTEM,
    )
    target_save(
        plan=plan,
        spec=TargetSpec(
            indicator="INSPECTIONS", kind=TargetKind.COUNT_MIN, value=Decimal(12), unit="persons"
        ),
        order=20,
    )
    page = new_page("longbien", viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(
        f"{live_reference.url}{reverse('plans:monitoring', args=[plan.pk])}"
        f"?period=2024&date={BEFORE.isoformat()}"
    )
    row = page.locator("tr", has_text="INSPECTIONS").first
    expect(row).to_contain_text("12")
    expect(row).to_contain_text("Đạt")
    assert page_width(page) <= PHONE["width"] + 1
    page.screenshot(path=artifacts / "inspection-plan-monitored-phone.png", full_page=True)
    # the first half of the year: six of the twelve, on track
    page.goto(
        f"{live_reference.url}{reverse('plans:monitoring', args=[plan.pk])}"
        f"?period=2024-YTD-06&date={BEFORE.isoformat()}"
    )
    expect(page.locator("tr", has_text="INSPECTIONS").first).to_contain_text("Đúng tiến độ")
    # the district's list: the clinics, twelve inspections, the violation
    district = unit_at(Level.DISTRICT, "004", BEFORE)
    page.goto(
        f"{live_reference.url}{reverse('facilities:unit', args=[district.pk])}"
        f"?year=2024&date={BEFORE.isoformat()}"
    )
    expect(page.locator("#violations-total")).to_have_text("1")
    page.screenshot(path=artifacts / "inspection-plan-facilities-phone.png", full_page=True)
