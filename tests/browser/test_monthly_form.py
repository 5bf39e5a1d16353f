"""On a phone, a collaborator records a birth, a move-out and a contraception start in the
monthly form; the commune officer accepts the month (acceptance of the register issue)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.register import services
from danso.register.models import Collection, Event
from danso.units import services as units
from tests.browser.conftest import CHROMIUM, PHONE
from tests.conftest import unit_at

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]
JUNE = date(2024, 6, 30)


def test_a_collaborator_fills_the_month_on_a_phone(
    new_page: Callable[..., Page],
    make_user: Callable[..., User],
    live_reference: LiveServer,
    artifacts: Path,
) -> None:
    # given a residential group of Phường Ngọc Thụy with one family, and its collaborator
    ward = unit_at("commune", "118", JUNE)
    village = units.village_create(
        commune=ward,
        code="00118-T7",
        name="Tổ dân phố 7",
        type="tổ dân phố",
        valid_from=date(2023, 6, 1),
    )
    household = services.household_create(unit=village, since=date(2023, 6, 1), number="7")
    nam, lan = (
        services.person_add(
            household=household,
            registered_on=date(2023, 6, 1),
            data=services.PersonInput(name, sex, born),
        )
        for name, sex, born in [
            ("Lê Văn Nam", "M", date(1985, 1, 2)),
            ("Phạm Thị Lan", "F", date(1991, 5, 6)),
        ]
    )
    make_user("ctv7", Role.COLLABORATOR, "village", "00118-T7", JUNE)
    make_user("ngocthuy", Role.COMMUNE_OFFICER, "commune", "118", JUNE)
    form = (
        f"{live_reference.url}{reverse('register:collection', args=[village.pk, '2024-06'])}"
        f"?date=2024-06-30"
    )

    page = new_page("ctv7", viewport=PHONE, is_mobile=True, has_touch=True)
    # a birth
    page.goto(form + "&type=birth")
    page.select_option("#id_person", value=str(lan.pk))
    page.fill("#id_event_date", "14/06/2024")
    page.fill("#id_child_name", "Lê Minh Khôi")
    page.check("input[name=child_sex][value=M]")
    page.fill("#id_birth_order", "1")
    page.click("button[value=record]")
    expect(page.locator(".messages")).to_be_visible()
    # a move out
    page.click("a.chip[href='?type=move_out']")
    page.select_option("#id_person", value=str(nam.pk))
    page.fill("#id_event_date", "20/06/2024")
    page.fill("#id_to_place", "Bắc Ninh")
    page.click("button[value=record]")
    # a contraception start
    page.click("a.chip[href='?type=contraception_start']")
    page.select_option("#id_person", value=str(lan.pk))
    page.fill("#id_event_date", "28/06/2024")
    page.select_option("#id_method", value="pill")
    page.select_option("#id_supply", value="free")
    page.click("button[value=record]")
    expect(page.locator("ul.events li")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    page.screenshot(path=str(artifacts / "monthly-form-phone.png"), full_page=True)
    with page.expect_navigation():
        page.click("button[value=hand_in]")
    assert Collection.objects.get(unit=village).status == Collection.Status.HANDED_IN

    # the commune officer accepts the month
    officer = new_page("ngocthuy", viewport=PHONE, is_mobile=True, has_touch=True)
    officer.goto(
        f"{live_reference.url}{reverse('register:review', args=[ward.pk])}"
        f"?month=2024-06&date=2024-06-30"
    )
    with officer.expect_navigation():
        officer.click("button[value=accept]")

    assert sorted(Event.objects.values_list("event_type", flat=True)) == [
        "birth",
        "contraception_start",
        "move_out",
    ]
    assert Collection.objects.get(unit=village).status == Collection.Status.ACCEPTED
