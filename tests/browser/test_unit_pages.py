"""The unit pages in a real browser: the ECharts map, the page after the 2025 reform, the
unit picker in the header, and the phone layout."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from danso.accounts.models import User
from danso.accounts.policy import Role
from tests.browser.conftest import CHROMIUM, PHONE
from tests.conftest import AFTER, BEFORE, unit_at

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

MakeUser = Callable[..., User]
NewPage = Callable[..., Page]

#: Pixels of the map's canvas that are drawn (neither transparent nor white).
COUNT_DRAWN_PIXELS = """(map) => {
  const canvas = map.querySelector("canvas");
  if (!canvas || !canvas.width || !canvas.height) { return 0; }
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    const white = pixels[i] > 245 && pixels[i + 1] > 245 && pixels[i + 2] > 245;
    if (pixels[i + 3] > 0 && !white) { drawn += 1; }
  }
  return drawn;
}"""


def hanoi_url(server: LiveServer, on: date | None) -> str:
    """The page of Hà Nội, at ``?date=`` if given."""
    path = reverse("units:detail", args=[unit_at("province", "1", BEFORE).pk])
    return f"{server.url}{path}" + (f"?date={on.isoformat()}" if on else "")


@pytest.fixture
def officer(make_user: MakeUser) -> User:
    return make_user("hanoi", Role.PROVINCE_OFFICER, "province", "1")


def test_unit_map(
    new_page: NewPage, officer: User, live_reference: LiveServer, artifacts: Path
) -> None:
    page = new_page(officer.username)
    page.goto(hanoi_url(live_reference, BEFORE))

    unit_map = page.locator("#unit-map")
    expect(unit_map).to_have_attribute("data-drawn", "true", timeout=20_000)
    expect(unit_map).to_have_attribute("data-features", "30")
    canvas = unit_map.locator("canvas")
    expect(canvas).to_have_count(1)
    box = canvas.bounding_box()
    assert box is not None
    assert box["width"] > 200
    assert box["height"] > 200
    # ECharts may still be fading the regions in: wait until a good part is painted.
    page.wait_for_function(
        f"(map) => ({COUNT_DRAWN_PIXELS})(map) > 5000", arg=unit_map.element_handle()
    )
    drawn = unit_map.evaluate(COUNT_DRAWN_PIXELS)
    assert drawn > 5000

    # Vietnamese: headings, dd/mm/yyyy dates.
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_have_text("Thành phố Hà Nội")
    expect(page.get_by_role("heading", name=re.compile("^Đơn vị trực thuộc"))).to_be_visible()
    expect(page.get_by_role("heading", name="Bản đồ")).to_be_visible()
    expect(page.locator("main")).to_contain_text("07/05/2023")
    expect(page.locator("#working-date")).to_have_value("30/06/2024")
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", page.locator("main").inner_text())

    page.screenshot(path=artifacts / "unit-map-desktop.png", full_page=True)
    unit_map.screenshot(path=artifacts / "unit-map-element.png")

    phone = new_page(officer.username, viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(hanoi_url(live_reference, BEFORE))
    expect(phone.locator("#unit-map")).to_have_attribute("data-drawn", "true")
    phone.wait_for_function(
        f"(map) => ({COUNT_DRAWN_PIXELS})(map) > 2000",
        arg=phone.locator("#unit-map").element_handle(),
    )
    phone.screenshot(path=artifacts / "unit-map-phone.png", full_page=True)


def test_after_reform(new_page: NewPage, officer: User, live_reference: LiveServer) -> None:
    page = new_page(officer.username)
    page.goto(hanoi_url(live_reference, AFTER))

    expect(page.locator("h1")).to_have_text("Thành phố Hà Nội")
    expect(page.locator("#unit-map")).to_have_count(0)
    expect(page.locator("main")).to_contain_text(
        "Chưa có dữ liệu ranh giới của các đơn vị trực thuộc tại ngày này."
    )
    units_below = page.locator(
        "section.card", has=page.get_by_role("heading", name=re.compile("^Đơn vị trực thuộc"))
    )
    expect(units_below.locator("h2")).to_contain_text("(126")
    expect(units_below.locator("tbody tr")).to_have_count(126)


def pick(page: Page, typed: str, wanted: str) -> str:
    """Type into the header's unit picker, wait for htmx's results and click the first one
    containing ``wanted``; returns the path it linked to."""
    search = page.locator(".picker input[name=q]")
    search.click()
    search.press_sequentially(typed, delay=30)
    results = page.locator("#picker-results a")
    expect(results.first).to_be_visible()
    match = results.filter(has_text=wanted)
    expect(match).not_to_have_count(0)
    href = match.first.get_attribute("href")
    assert href is not None
    assert re.fullmatch(r"/units/\d+/(\?.*)?", href), href
    with page.expect_navigation():
        match.first.click()
    return href


def test_unit_picker(new_page: NewPage, officer: User, live_reference: LiveServer) -> None:
    page = new_page(officer.username)
    page.goto(hanoi_url(live_reference, BEFORE))

    href = pick(page, "ung hoa", "Huyện Ứng Hòa")

    assert page.url.startswith(live_reference.url + href.split("?")[0]), page.url
    expect(page.locator("h1")).to_contain_text("Ứng Hòa")


def test_unit_picker_with_the_date_chosen(
    new_page: NewPage, officer: User, live_reference: LiveServer
) -> None:
    """With the day chosen in the date bar, the picker finds the district Ứng Hòa as it
    was on 30/06/2024 and its page opens on that day."""
    page = new_page(officer.username)
    page.goto(hanoi_url(live_reference, None))
    with page.expect_navigation():
        page.locator(".dateform button.chip[value='2024-06-30']").click()
    expect(page.locator("#working-date")).to_have_value("30/06/2024")

    pick(page, "ung hoa", "Huyện Ứng Hòa")

    expect(page.locator("h1")).to_have_text("Huyện Ứng Hòa")
    expect(page.locator("#working-date")).to_have_value("30/06/2024")
    expect(page.locator("#unit-map")).to_have_count(0)  # no commune boundaries
    expect(page.locator("main")).to_contain_text("Đơn vị trực thuộc")


def test_unit_picker_keeps_the_page_date(
    new_page: NewPage, officer: User, live_reference: LiveServer
) -> None:
    page = new_page(officer.username)
    page.goto(hanoi_url(live_reference, BEFORE))
    search = page.locator(".picker input[name=q]")
    search.click()
    search.press_sequentially("ung hoa", delay=30)
    results = page.locator("#picker-results a")
    expect(results.filter(has_text="Ứng Hòa")).not_to_have_count(0)
    texts = results.all_inner_texts()
    assert any(text.startswith("Huyện Ứng Hòa") for text in texts), texts
    with page.expect_navigation():
        results.filter(has_text="Huyện Ứng Hòa").first.click()
    expect(page.locator("#working-date")).to_have_value("30/06/2024", timeout=1_000)


def test_phone_layout(new_page: NewPage, officer: User, live_reference: LiveServer) -> None:
    page = new_page(officer.username, viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(hanoi_url(live_reference, BEFORE))
    expect(page.locator("#unit-map")).to_have_attribute("data-drawn", "true", timeout=20_000)
    assert page_width(page) <= PHONE["width"] + 1

    # After the reform: no map, but a table of 126 communes.
    page.goto(hanoi_url(live_reference, AFTER))
    expect(page.locator("tbody tr").first).to_be_visible()
    assert page_width(page) <= PHONE["width"] + 1


def page_width(page: Page) -> int:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert isinstance(width, int)
    return width
