"""Projections in a real browser: a Long Biên officer projects the district from the
register under two scenarios and compares them on screen (issue 7's acceptance), on a
desktop and on a phone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.projections.method import BUILTIN_SCENARIOS
from danso.projections.models import Projection
from danso.projections.services import projection_create
from danso.units.models import UnitVersion, valid_on
from tests.browser.conftest import CHROMIUM, PHONE
from tests.projections.conftest import BASE, Register, make_register

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

NewPage = Callable[..., Page]


@pytest.fixture
def long_bien_register(live_reference: LiveServer) -> Register:
    return make_register()


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user("longbien", Role.DISTRICT_OFFICER, "district", "4")


def test_an_officer_compares_two_scenarios_side_by_side(
    new_page: NewPage,
    officer: User,
    long_bien_register: Register,
    live_reference: LiveServer,
    artifacts: Path,
) -> None:
    page = new_page(officer.username)
    # given the form on 1/3/2025, when the last months with districts are looked at
    page.goto(f"{live_reference.url}{reverse('projections:new')}?date=2025-03-01")
    page.select_option("#id_unit", label="Quận Long Biên (004)")
    expect(page.locator("#id_base_date")).to_have_value("01/01/2025")
    page.fill("#id_to_year", "2030")
    expect(page.locator("input[name=scenarios]:checked")).to_have_count(2)
    # when the officer projects
    with page.expect_navigation():
        page.locator("form.card button[type=submit]").click()
    # then both scenarios are drawn side by side: two pyramids and four line charts
    projection = Projection.objects.get()
    assert page.url.endswith(reverse("projections:detail", args=[projection.pk]))
    expect(page.locator("#pyramids canvas")).to_have_count(2)
    expect(page.locator(".projection-chart canvas")).to_have_count(4)
    expect(page.locator(".projection-table thead tr").first.locator("th")).to_have_count(3)
    expect(page.locator(".projection-sources tr")).to_have_count(5)
    page.select_option("#pyramid-year", "2027")
    expect(page.locator("#pyramids canvas")).to_have_count(2)
    page.screenshot(path=str(artifacts / "projections-compare.png"), full_page=True)


def test_the_comparison_fits_a_phone(
    new_page: NewPage,
    officer: User,
    long_bien_register: Register,
    live_reference: LiveServer,
    artifacts: Path,
) -> None:
    # given a projection of Long Biên under two scenarios
    version = UnitVersion.objects.filter(valid_on(BASE), unit__level="district", code="4").get()
    projection = projection_create(
        version=version,
        base_date=BASE,
        to_year=2030,
        scenarios=[BUILTIN_SCENARIOS["constant"], BUILTIN_SCENARIOS["tfr-2.1-2030"]],
    )
    ids = "&".join(f"s={s.pk}" for s in projection.scenarios.all())
    # when their comparison is opened on a phone, then it is drawn and nothing sticks out
    page = new_page(officer.username, viewport=PHONE, is_mobile=True)
    page.goto(f"{live_reference.url}{reverse('projections:compare')}?{ids}")
    expect(page.locator(".projection-chart canvas")).to_have_count(4)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    page.screenshot(path=str(artifacts / "projections-compare-phone.png"), full_page=True)
