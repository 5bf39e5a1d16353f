"""Facilities and inspections in a real browser, on a phone (issue 18, point 4): a
district officer of Long Biên registers two private ultrasound clinics of two wards,
records an inspection of each (one finding a violation) and reads the district's list
with the violation; screenshots go to the artifacts directory."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.datasets.models import DataValue
from danso.facilities.models import Facility, Inspection
from danso.units.codes import Level
from tests.browser.conftest import CHROMIUM, PHONE
from tests.browser.test_unit_pages import page_width
from tests.conftest import BEFORE, unit_at

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

MakeUser = Callable[..., User]
NewPage = Callable[..., Page]
CLINICS = (
    ("118", "Phòng khám siêu âm Hồng Phúc", "Số 12 phố Ngọc Thụy"),
    ("115", "Phòng khám siêu âm Bình An", "Số 3 ngõ 12 Thượng Thanh"),
)


def register(page: Page, server: LiveServer, district_id: int, ward: str, name: str) -> None:
    """Fill the form of a new facility of ``ward`` from the district's list."""
    page.goto(f"{server.url}{reverse('facilities:unit', args=[district_id])}")
    page.click("#add-facility")
    page.select_option("#id_commune", str(unit_at(Level.COMMUNE, ward, BEFORE).pk))
    page.fill("#id_name", name)
    page.fill("#id_address", {n: a for _w, n, a in CLINICS}[name])
    page.check("input[name=ownership][value=private]")
    page.check("input[name=services][value=ultrasound]")
    page.fill("#id_licence_date", "04/05/2020")
    with page.expect_navigation():
        page.click("#facility-form button[type=submit]")
    expect(page.locator("h1")).to_have_text(name)


def inspect(page: Page, day: str, *, violation: bool) -> None:
    """Record an inspection of the facility whose page is open."""
    page.click("#record-inspection")
    page.fill("#id_date", day)
    page.fill("#id_team", "Đoàn kiểm tra liên ngành quận Long Biên")
    page.fill("#id_agencies", "Phòng Y tế, Trung tâm Y tế quận")
    for item in ("notice_posted", "records_kept", "licence_valid"):
        page.check(f"#checklist input[value={item}]")
    if violation:
        page.fill("#id_findings", "Bác sĩ nói giới tính thai nhi cho thai phụ.")
        page.check("#id_violation")
        page.select_option("#id_violation_kind", "disclosure")
        page.fill("#id_sanction", "Phạt tiền, đình chỉ dịch vụ siêu âm 3 tháng")
        page.fill("#id_fine", "15.000.000")
    else:
        page.check("#checklist input[value=no_disclosure]")
    with page.expect_navigation():
        page.click("#inspection-form button[type=submit]")
    expect(page.locator(f"article.inspection:has-text('{day}')")).to_have_count(1)


def test_a_district_officer_registers_clinics_and_records_inspections_on_a_phone(
    new_page: NewPage, make_user: MakeUser, live_reference: LiveServer, artifacts: Path
) -> None:
    make_user("longbien", Role.DISTRICT_OFFICER, Level.DISTRICT, "004", BEFORE)
    district = unit_at(Level.DISTRICT, "004", BEFORE)
    page = new_page("longbien", viewport=PHONE, is_mobile=True, has_touch=True)
    # the menu leads to the district's list, looked at in 2024 (Long Biên's last years)
    page.goto(f"{live_reference.url}{reverse('facilities:home')}?date={BEFORE.isoformat()}")
    expect(page).to_have_url(
        f"{live_reference.url}{reverse('facilities:unit', args=[district.pk])}"
    )
    expect(page.locator("#facilities tbody tr")).to_have_count(1)  # "none registered"

    # two private ultrasound clinics of two wards
    for ward, name, _address in CLINICS:
        register(page, live_reference, district.pk, ward, name)
        if ward == "118":
            page.goto(f"{live_reference.url}{reverse('facilities:unit', args=[district.pk])}")
            page.click("#add-facility")
            page.screenshot(path=artifacts / "facilities-form-phone.png", full_page=True)
            assert page_width(page) <= PHONE["width"] + 1
            page.go_back()
    assert Facility.objects.filter(services=["ultrasound"], ownership="private").count() == 2

    # an inspection of each: Hồng Phúc in order, Bình An revealing the sex of a foetus
    hong_phuc = Facility.objects.get(name=CLINICS[0][1])
    binh_an = Facility.objects.get(name=CLINICS[1][1])
    page.goto(f"{live_reference.url}{reverse('facilities:detail', args=[hong_phuc.pk])}")
    inspect(page, "10/05/2024", violation=False)
    page.goto(f"{live_reference.url}{reverse('facilities:detail', args=[binh_an.pk])}")
    page.click("#record-inspection")
    page.screenshot(path=artifacts / "facilities-inspection-form-phone.png", full_page=True)
    assert page_width(page) <= PHONE["width"] + 1
    page.go_back()
    inspect(page, "17/05/2024", violation=True)
    expect(page.locator("article.inspection .violation")).to_have_count(1)
    expect(page.locator("article.inspection")).to_contain_text("15.000.000")
    page.screenshot(path=artifacts / "facilities-detail-phone.png", full_page=True)
    violation = Inspection.objects.get(facility=binh_an)
    assert (violation.violation, violation.fine) == (True, Decimal(15_000_000))
    assert violation.checklist["no_disclosure"] is False
    assert violation.inspected_by.username == "longbien"

    # the district's list of 2024: two clinics, two inspections, the violation marked
    page.goto(f"{live_reference.url}{reverse('facilities:unit', args=[district.pk])}?year=2024")
    rows = page.locator("#facilities tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#violations-total")).to_have_text("1")
    offending = page.locator(f"#facilities tr[data-facility='{binh_an.pk}']")
    expect(offending.locator(".violation")).to_have_text("1")
    expect(
        page.locator(f"#facilities tr[data-facility='{hong_phuc.pk}'] .violation")
    ).to_have_count(0)
    assert page_width(page) <= PHONE["width"] + 1
    page.screenshot(path=artifacts / "facilities-list-phone.png", full_page=True)
    # and May's counts are data values of each ward, for the targets
    may = DataValue.objects.filter(period="2024-05", element__code="INSPECTIONS")
    assert sorted(int(v.number or 0) for v in may) == [1, 1]
