"""The dashboards of the Hà Nội demo in a real browser (acceptance of issue 5): the city,
Long Biên and a ward of it for 2025, as of 01/03/2025, with the 2025 plan's targets
against the demo register, the map, the charts, the ranking and the alerts, on a desktop
and on a phone; screenshots go to the artifacts directory."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.indicators import cache
from danso.plans.models import Plan
from danso.units.codes import Level
from danso.web.demo import load_demo, load_demo_register, warm_demo_figures
from tests.browser.conftest import CHROMIUM, DESKTOP, PHONE
from tests.browser.test_unit_pages import page_width
from tests.conftest import EARLY_2025, unit_at

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

MakeUser = Callable[..., User]
NewPage = Callable[..., Page]
#: The three dashboards of the acceptance, by the name of their screenshots.
UNITS = {
    "city": (Level.PROVINCE, "01"),
    "long-bien": (Level.DISTRICT, "004"),
    "ward": (Level.COMMUNE, "118"),  # Phường Ngọc Thụy
}
CHARTS = ("#trend-counts", "#trend-rates", "#pyramid")


@pytest.fixture
def cold_demo(live_reference: LiveServer) -> LiveServer:
    """The demo with a small register whose figures are not counted yet (as just after
    an import, before the worker has counted them)."""
    load_demo()
    load_demo_register(scale=0.05)
    cache.invalidate(None, None)
    return live_reference


@pytest.fixture
def demo(cold_demo: LiveServer) -> LiveServer:
    """The demo as ``danso setup --demo`` leaves it: its figures counted (``make run``);
    it issues the city's 2025 plan and Long Biên's, made from what the city handed it, so
    the dashboards follow their targets."""
    warm_demo_figures()
    city = unit_at(*UNITS["city"], EARLY_2025)
    city_plan = Plan.objects.get(unit=city, period_start=2025)
    assert city_plan.status == Plan.Status.ISSUED
    assert Plan.objects.get(implements=city_plan, period_end=2025).status == Plan.Status.ISSUED
    return cold_demo


def test_figures_not_counted_yet_are_said_then_shown_by_themselves(
    new_page: NewPage, make_user: MakeUser, cold_demo: LiveServer, artifacts: Path
) -> None:
    """Issue 15: a page never counts a district inside a request; it says the figures are
    being counted and shows them, without a click, once the worker has counted them."""
    make_user("thanhpho", Role.PROVINCE_OFFICER, Level.PROVINCE, "01")
    page = new_page("thanhpho", viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(dashboard_url(cold_demo, "long-bien"))
    notice = page.locator("#figures-pending")
    expect(notice).to_contain_text("Số liệu năm 2025 đang được tính.")
    expect(page.locator("#ranking")).to_have_count(0)
    page.screenshot(path=artifacts / "dashboard-pending-phone.png", full_page=True)
    # the worker counts the years (here the test does, in its place) …
    warm_demo_figures()
    # … and the page shows the figures by itself
    expect(page.locator("#ranking tbody tr").first).to_be_visible(timeout=20_000)
    expect(page.locator("#figures-pending")).to_have_count(0)


def dashboard_url(server: LiveServer, name: str) -> str:
    unit = unit_at(*UNITS[name], EARLY_2025)
    return f"{server.url}{reverse('indicators:unit', args=[unit.pk])}?period=2025&date=2025-03-01"


def assert_drawn(page: Page) -> None:
    """The map and every chart have been drawn on a canvas."""
    for selector in ("#dashboard-map", *CHARTS):
        element = page.locator(selector)
        expect(element).to_have_attribute("data-drawn", "true", timeout=20_000)
        expect(element.locator("canvas")).to_have_count(1)
    expect(page.locator("#dashboard-map")).to_have_attribute("data-features", "30")


def test_city_long_bien_and_ward_dashboards(
    new_page: NewPage, make_user: MakeUser, demo: LiveServer, artifacts: Path
) -> None:
    make_user("thanhpho", Role.PROVINCE_OFFICER, Level.PROVINCE, "01")
    desktop = new_page("thanhpho", viewport=DESKTOP)
    phone = new_page("thanhpho", viewport=PHONE, is_mobile=True, has_touch=True)

    for name in UNITS:
        desktop.goto(dashboard_url(demo, name))
        assert_drawn(desktop)
        expect(desktop.locator(".kpi")).not_to_have_count(0)
        # the 2025 targets with their statuses, the rule on hover
        status = desktop.locator(".kpi .status").first
        expect(status).to_be_visible()
        assert len(status.get_attribute("title") or "") > 40  # the reason and the rule
        expect(desktop.locator("#h-alerts")).to_be_visible()
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", desktop.locator("main").inner_text())
        desktop.screenshot(path=artifacts / f"dashboard-{name}-desktop.png", full_page=True)

        phone.goto(dashboard_url(demo, name))
        assert_drawn(phone)
        assert page_width(phone) <= PHONE["width"] + 1
        phone.screenshot(path=artifacts / f"dashboard-{name}-phone.png", full_page=True)

    # the city's 30 districts, Long Biên the one with a register; its alerts
    desktop.goto(dashboard_url(demo, "city"))
    expect(desktop.locator("#ranking tbody tr")).to_have_count(30)
    expect(desktop.locator(".kpi[data-indicator=NEWFP] .status")).to_have_count(1)
    expect(desktop.locator("ul.alerts li").first).to_contain_text("Quận Long Biên")


def test_the_ranking_sorts_by_the_clicked_column(
    new_page: NewPage, make_user: MakeUser, demo: LiveServer
) -> None:
    make_user("thanhpho", Role.PROVINCE_OFFICER, Level.PROVINCE, "01")
    page = new_page("thanhpho")
    page.goto(dashboard_url(demo, "long-bien"))
    # the columns: name, population (register), coverage, births…
    births = page.locator("#ranking tbody td:nth-child(4)")

    def column() -> list[int]:
        return [int(text.replace(".", "")) for text in births.all_inner_texts()]

    header = page.locator("#ranking thead th:nth-child(4)")

    header.locator("button").click()
    assert column() == sorted(column(), reverse=True)
    expect(header).to_have_attribute("aria-sort", "descending")
    header.locator("button").click()
    assert column() == sorted(column())
    assert len(set(column())) > 1  # the wards differ: the order was tested


def test_a_ward_officer_on_a_phone(
    new_page: NewPage, make_user: MakeUser, demo: LiveServer, artifacts: Path
) -> None:
    make_user("phuong", Role.COMMUNE_OFFICER, Level.COMMUNE, "118")
    page = new_page("phuong", viewport=PHONE, is_mobile=True, has_touch=True)

    page.goto(dashboard_url(demo, "ward"))

    for selector in CHARTS:
        expect(page.locator(selector)).to_have_attribute("data-drawn", "true", timeout=20_000)
    # no unit above the ward is theirs: no map to place it on
    expect(page.locator("#dashboard-map")).to_have_count(0)
    expect(page.locator("#ranking tbody tr")).to_have_count(8)  # its residential groups
    assert page_width(page) <= PHONE["width"] + 1
    page.screenshot(path=artifacts / "dashboard-ward-officer-phone.png", full_page=True)
    response = page.goto(dashboard_url(demo, "long-bien"))
    assert response is not None
    assert response.status == 403
