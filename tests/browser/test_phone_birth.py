"""On a 360×640 phone a collaborator records a birth in at most six taps plus the child's
name (issue 17, acceptance): the form is on the first screen, the mother is found by a
few letters typed without accents, the date is already there, and a save comes back to
the form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.register import services
from danso.register.models import Event
from danso.units import services as units
from tests.browser.conftest import CHROMIUM
from tests.conftest import unit_at

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]
JUNE = date(2024, 6, 30)
SMALL_PHONE: ViewportSize = {"width": 360, "height": 640}
MOST_TAPS = 6


class Taps:
    """Every tap of the test goes through here, and is counted (typing is not)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, target: Locator) -> None:
        target.tap()
        self.count += 1


def test_a_birth_in_six_taps_on_a_small_phone(
    new_page: Callable[..., Page],
    make_user: Callable[..., User],
    live_reference: LiveServer,
    artifacts: Path,
) -> None:
    # given a group with a few families, among them the mother Nguyễn Thị Ngọc
    village = units.village_create(
        commune=unit_at("commune", "118", JUNE),
        code="00118-T9",
        name="Tổ dân phố 9",
        type="tổ dân phố",
        valid_from=date(2023, 6, 1),
    )
    for number, people in enumerate(
        [
            [("Lê Văn Nam", "M", date(1985, 1, 2)), ("Nguyễn Thị Ngọc", "F", date(1993, 5, 6))],
            [("Trần Văn Hải", "M", date(1980, 3, 4)), ("Trần Thị Ngân", "F", date(1990, 7, 8))],
            [("Đỗ Thị Hoa", "F", date(1995, 9, 10)), ("Phạm Thị Ngọc Anh", "F", date(1962, 2, 2))],
        ],
        start=1,
    ):
        household = services.household_create(
            unit=village, since=date(2023, 6, 1), number=str(number)
        )
        for name, sex, born in people:
            services.person_add(
                household=household,
                registered_on=date(2023, 6, 1),
                data=services.PersonInput(name, sex, born),
            )
    make_user("ctv9", Role.COLLABORATOR, "village", "00118-T9", JUNE)
    form = (
        f"{live_reference.url}{reverse('register:collection', args=[village.pk, '2024-06'])}"
        "?date=2024-06-30"
    )
    page = new_page("ctv9", viewport=SMALL_PHONE, is_mobile=True, has_touch=True)
    tap = Taps()

    # when she opens the month's form (a birth is what it starts with)
    page.goto(form)
    page.screenshot(path=str(artifacts / "phone-birth-open.png"))
    # then the form is on the first screen, and nothing is wider than the phone
    top = page.locator("#eventform").bounding_box()
    assert top is not None
    assert top["y"] < SMALL_PHONE["height"] / 2, top
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"] + 1

    # when she finds the mother by typing "ngoc" (no accents) and picks her
    tap(page.locator("#id_person_search"))
    page.keyboard.type("ngoc")
    options = page.locator("#id_person_list li[role=option]")
    # the two women named Ngọc (not Ngân; not the 62-year-old: no births past 60)
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Nguyễn Thị Ngọc")
    expect(options.first).to_contain_text("31")  # her age at the month's end
    tap(options.first)
    # the child's name, the sex, and record: the date is already the day looked at
    expect(page.locator("#id_event_date")).to_have_value("30/06/2024")
    tap(page.locator("#id_child_name"))
    page.keyboard.type("Lê Minh Khôi")
    tap(page.locator("input[name=child_sex][value=M]"))
    page.screenshot(path=str(artifacts / "phone-birth-filled.png"))
    with page.expect_navigation():
        tap(page.locator("button[value=record]"))

    # then the birth is recorded, in at most six taps
    assert tap.count <= MOST_TAPS, tap.count
    birth = Event.objects.get(event_type="birth")
    assert birth.person.full_name == "Nguyễn Thị Ngọc"
    assert birth.child is not None
    assert birth.child.full_name == "Lê Minh Khôi"
    assert birth.child.sex == "M"
    assert birth.event_date == JUNE
    # and the page is back at the form, ready for the next one, saying what was recorded
    expect(page.locator(".messages")).to_be_in_viewport()
    assert page.url.endswith("#eventform")
    after = page.locator("#eventform").bounding_box()
    assert after is not None
    assert 0 <= after["y"] < SMALL_PHONE["height"] / 3, after
    page.screenshot(path=str(artifacts / "phone-birth-saved.png"))


def test_without_javascript_the_list_still_posts(
    new_page: Callable[..., Page],
    make_user: Callable[..., User],
    live_reference: LiveServer,
) -> None:
    # given a group with one mother, and a phone whose browser runs no script
    village = units.village_create(
        commune=unit_at("commune", "118", JUNE),
        code="00118-T10",
        name="Tổ dân phố 10",
        type="tổ dân phố",
        valid_from=date(2023, 6, 1),
    )
    household = services.household_create(unit=village, since=date(2023, 6, 1), number="1")
    mother = services.person_add(
        household=household,
        registered_on=date(2023, 6, 1),
        data=services.PersonInput("Nguyễn Thị Ngọc", "F", date(1993, 5, 6)),
    )
    make_user("ctv10", Role.COLLABORATOR, "village", "00118-T10", JUNE)
    page = new_page("ctv10", viewport=SMALL_PHONE, java_script_enabled=False)

    # when she chooses the mother in the plain list and records
    page.goto(
        f"{live_reference.url}{reverse('register:collection', args=[village.pk, '2024-06'])}"
        "?date=2024-06-30"
    )
    expect(page.locator("#id_person_search")).to_have_count(0)
    page.select_option("#id_person", value=str(mother.pk))
    page.fill("#id_child_name", "Lê Minh Khôi")
    page.check("input[name=child_sex][value=F]")
    page.click("button[value=record]")

    # then the birth is recorded
    assert Event.objects.filter(event_type="birth", person=mother).count() == 1
