"""The officer's home as a work list in a real browser (issue 17, point 3): the city
(``hanoi``), Long Biên (``longbien``) and Phường Ngọc Thụy (``ngocthuy``) of the demo on
20/04/2025 — after Long Biên's 2025Q1 reports went up to the city — on a desktop and on a
phone; each page's work list is there, one of its items is followed to the page where the
work is done, and the screenshots go to the artifacts directory."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from danso.accounts.models import User
from danso.indicators import cache
from danso.reports.services import plan_report_types_load, report_types_load
from danso.web.demo import DEMO_PASSWORD, load_demo, load_demo_register, warm_demo_figures
from danso.web.demo_reports import load_demo_reports
from tests.browser.conftest import CHROMIUM, PHONE, logged_in_pages
from tests.browser.test_unit_pages import page_width

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

DAY = "2025-04-20"
DemoPage = Callable[..., Page]
#: Per demo user, the list whose first link is followed, and what that page is.
FOLLOWED = {
    "hanoi": ("#work-reports ul.alerts a[href*='/review/']", "/review/"),
    "longbien": ("#work-quality a", "/quality/"),
    "ngocthuy": ("#work-collections a", "/review/"),
}
HEADINGS = ("Báo cáo", "Chỉ tiêu chậm tiến độ", "Cảnh báo về các đơn vị cấp dưới")


@pytest.fixture
def demo(live_reference: LiveServer) -> LiveServer:
    """The demo as ``danso setup --demo`` leaves it, at a small scale: its register, its
    figures counted, and Long Biên's 2025Q1 reports gone up to the city."""
    report_types_load()
    load_demo()
    plan_report_types_load()
    load_demo_register(scale=0.05)
    cache.invalidate(None, None)
    warm_demo_figures()
    assert load_demo_reports()
    return live_reference


@pytest.fixture
def demo_page(chromium: Browser, demo: LiveServer) -> Iterator[DemoPage]:
    """``demo_page("longbien", viewport=PHONE, is_mobile=True)``: a page in a fresh browser
    context, logged in through the login form with the demo's password."""
    with logged_in_pages(chromium, demo, DEMO_PASSWORD) as make:
        yield make


def home_url(server: LiveServer) -> str:
    return f"{server.url}{reverse('home')}?date={DAY}"


def test_the_officers_home_is_a_work_list_for_each_level(
    demo_page: DemoPage, demo: LiveServer, artifacts: Path
) -> None:
    for username, (link, where) in FOLLOWED.items():
        # given the officer's home on a desktop
        desktop = demo_page(username)
        response = desktop.goto(home_url(demo))
        assert response is not None
        assert response.status == 200
        # then the work list comes first, every list headed and said in words
        worklist = desktop.locator("#worklist")
        for heading in HEADINGS:
            expect(worklist).to_contain_text(heading)
        expect(desktop.locator("#work-reports")).to_contain_text("Quá hạn")
        expect(desktop.locator("#work-reports")).to_contain_text("Mở hộp báo cáo")
        if username != "hanoi":
            expect(desktop.locator("#work-collections")).to_contain_text(
                "Phiếu thu tin tháng 03/2025"
            )
        expect(desktop.locator("#work-quality")).to_contain_text("Chất lượng số liệu cần theo dõi")
        desktop.screenshot(path=artifacts / f"home-{username}-desktop.png", full_page=True)

        # and on a phone it fits the screen
        phone = demo_page(username, viewport=PHONE, is_mobile=True, has_touch=True)
        phone.goto(home_url(demo))
        expect(phone.locator("#worklist")).to_contain_text(HEADINGS[0])
        assert page_width(phone) <= PHONE["width"] + 1
        phone.screenshot(path=artifacts / f"home-{username}-phone.png", full_page=True)

        # when an item is followed, it leads to the page where the work is done
        item = desktop.locator(link).first
        expect(item).to_be_visible()
        with desktop.expect_navigation() as navigation:
            item.click()
        assert navigation.value is not None
        assert navigation.value.status == 200, username
        assert where in desktop.url, desktop.url


def test_a_viewer_sees_no_review_button(demo_page: DemoPage, demo: LiveServer) -> None:
    page = demo_page("xem")
    page.goto(home_url(demo))

    expect(page.locator("#worklist")).to_contain_text(HEADINGS[1])
    expect(page.locator("#worklist a[href*='/review/']")).to_have_count(0)
    expect(page.locator("#work-quality")).to_have_count(0)


def test_the_city_officers_home_reads_in_a_bounded_number_of_queries(demo: LiveServer) -> None:
    # given the city officer, whose units hold some 600 units and the demo's villages
    client = Client()
    client.force_login(User.objects.get(username="hanoi"))
    started = time.perf_counter()
    client.get(reverse("home"), {"date": DAY})  # the figures' whole sums are kept once
    first = time.perf_counter() - started

    # when the home is opened again
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("home"), {"date": DAY})
    again = time.perf_counter() - started

    # then it reads in a bounded number of queries, never unit by unit
    assert page.status_code == 200
    print(f"home of hanoi on {DAY}: {len(queries)} queries, {first:.2f} s then {again:.2f} s")
    assert len(queries) <= 90
