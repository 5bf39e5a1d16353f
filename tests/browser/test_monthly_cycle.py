"""On a phone (360×640), early in June, a collaborator finishes May first: the form offers
it, a save comes back to the form, the hand-in locks the month, and the commune's return
shows on her home page (issue 17, point 2)."""

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
from danso.register.vocabulary import EventType
from danso.units import services as units
from tests.browser.conftest import CHROMIUM, PHONE
from tests.conftest import unit_at

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]
JUNE = date(2024, 6, 30)


def test_a_collaborator_finishes_the_previous_month_on_a_phone(
    new_page: Callable[..., Page],
    make_user: Callable[..., User],
    live_reference: LiveServer,
    artifacts: Path,
) -> None:
    # given a group whose collaborator recorded a May event and did not hand May in
    village = units.village_create(
        commune=unit_at("commune", "118", JUNE),
        code="00118-T8",
        name="Tổ dân phố 8",
        type="tổ dân phố",
        valid_from=date(2023, 6, 1),
    )
    household = services.household_create(unit=village, since=date(2023, 6, 1), number="8")
    lan = services.person_add(
        household=household,
        registered_on=date(2023, 6, 1),
        data=services.PersonInput("Phạm Thị Lan", "F", date(1991, 5, 6)),
    )
    may = services.collection_open(unit=village, month=date(2024, 5, 1))
    services.event_record(
        person=lan,
        data=services.EventInput(EventType.PREGNANCY, date(2024, 5, 10)),
        collection=may,
    )
    make_user("ctv8", Role.COLLABORATOR, "village", "00118-T8", JUNE)
    base = live_reference.url
    june = reverse("register:collection", args=[village.pk, "2024-06"])
    page = new_page("ctv8", viewport=PHONE, is_mobile=True, has_touch=True)

    # on 2 June the June form offers May first
    page.goto(f"{base}{june}?date=2024-06-02&type=prenatal_screening")
    expect(page.locator("#pending-month")).to_be_visible()
    with page.expect_navigation():
        page.click("#pending-month a.button")
    assert page.url.endswith(reverse("register:collection", args=[village.pk, "2024-05"]))
    page.click("a.chip[href='?type=prenatal_screening']")
    page.select_option("#id_person", value=str(lan.pk))
    page.fill("#id_event_date", "20/05/2024")
    page.click("button[value=record]")
    # back at the form, not the top of the page
    page.wait_for_url("**#eventform")
    expect(page.locator("ul.events li")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    page.screenshot(path=str(artifacts / "monthly-cycle-phone.png"), full_page=True)
    with page.expect_navigation():
        page.click("button[value=hand_in]")
    # handed in: locked
    expect(page.locator("#locked")).to_be_visible()
    expect(page.locator("#eventform")).to_have_count(0)
    assert Collection.objects.get(unit=village, month=date(2024, 5, 1)).status == "handed_in"
    assert Event.objects.count() == 2

    # the commune sends May back: the collaborator's home says so, with the note
    services.collection_return(
        collection=Collection.objects.get(unit=village, month=date(2024, 5, 1)),
        user=None,
        note="Thiếu ngày dự sinh",
    )
    page.goto(f"{base}/?date=2024-06-02")
    expect(page.locator("#returned-months")).to_contain_text("Thiếu ngày dự sinh")
    with page.expect_navigation():
        page.click("#returned-months a")
    expect(page.locator("#eventform")).to_be_visible()
