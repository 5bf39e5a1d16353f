"""A ward officer enters the month's counselling count on a phone (issue 18): the htmx form
saves in place, a correction asks for its reason, and the ward's dashboard shows the
indicator the province defined over that data element and the register's pregnancies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.accounts.scope import SYSTEM
from danso.datasets.models import DataValue
from danso.datasets.services import define
from danso.indicators.services import indicator_define
from danso.register import services
from danso.register.vocabulary import EventType
from danso.units import services as units
from danso.units.codes import Level
from tests.browser.conftest import CHROMIUM, PHONE
from tests.conftest import unit_at

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]
SINCE = date(2023, 6, 1)


def _ward_with_pregnancies() -> None:
    village = units.village_create(
        commune=unit_at(Level.COMMUNE, "118", SINCE),
        code="00118-T1",
        name="Tổ dân phố 1",
        type="tổ dân phố",
        valid_from=SINCE,
    )
    home = services.household_create(unit=village, since=SINCE, number="1")
    for n in range(4):
        woman = services.person_add(
            household=home,
            registered_on=SINCE,
            data=services.PersonInput(
                f"Nguyễn Thị {n}", "F", date(1995, 1 + n, 1), marital_status="co_vo_chong"
            ),
        )
        services.event_record(
            person=woman, data=services.EventInput(EventType.PREGNANCY, date(2024, 2, 3 + n))
        )


def test_a_ward_officer_enters_a_month_on_a_phone_and_sees_the_indicator(
    new_page: Callable[..., Page],
    make_user: Callable[..., User],
    live_reference: LiveServer,
    artifacts: Path,
) -> None:
    make_user("ngocthuy", Role.COMMUNE_OFFICER, Level.COMMUNE, "118")
    _ward_with_pregnancies()
    report = define(
        {
            "data_elements": [
                {
                    "code": "PREG_COUNSELLED",
                    "name": "Số thai phụ được tư vấn",
                    "value_type": "number",
                }
            ],
            "data_sets": [
                {
                    "code": "XA_THANG",
                    "name": "Báo cáo tháng của phường",
                    "period_type": "month",
                    "level": "commune",
                    "elements": ["PREG_COUNSELLED"],
                }
            ],
        },
        actor=SYSTEM,
    )
    assert not report.problems
    indicator_define(
        code="PREG_COUNSEL",
        name="Tỷ lệ thai phụ được tuyên truyền, tư vấn",
        numerator="#{PREG_COUNSELLED}",
        denominator="pregnancies",
        factor=Decimal(100),
        direction="up",
        actor=SYSTEM,
    )
    ward = unit_at(Level.COMMUNE, "118", date(2024, 2, 29))
    page = new_page("ngocthuy", viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(
        f"{live_reference.url}/datasets/XA_THANG/units/{ward.pk}/?period=2024-02&date=2024-03-05"
    )
    expect(page.locator("h1")).to_contain_text("Báo cáo tháng của phường")
    field = page.get_by_label("Số thai phụ được tư vấn")
    field.fill("3")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("#entry")).to_contain_text("Đã lưu số liệu")
    assert DataValue.objects.get().number == 3
    # a correction without its reason is refused, and says so
    page.get_by_label("Số thai phụ được tư vấn").fill("4")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("#entry")).to_contain_text("lý do sửa")
    assert DataValue.objects.get().number == 3
    page.get_by_label("Lý do sửa").fill("Sổ ghi thiếu một thai phụ")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("#entry")).to_contain_text("Đã lưu số liệu")
    assert DataValue.objects.get().number == 4
    page.screenshot(path=artifacts / "data-entry-phone.png", full_page=True)
    # the ward's figures: 4 of the 4 pregnancies of February counselled
    page.goto(f"{live_reference.url}/indicators/units/{ward.pk}/?period=2024-02&date=2024-03-05")
    expect(page.locator("main")).to_contain_text("Tỷ lệ thai phụ được tuyên truyền, tư vấn")
    page.screenshot(path=artifacts / "data-entry-dashboard-phone.png", full_page=True)
