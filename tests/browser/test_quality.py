"""The data-quality screen of Phường Ngọc Thụy on the demo, in a real browser on a phone
(acceptance of issue 14): the demo's doubtful entries are listed, one is followed up
inline (htmx), and a screenshot goes to the artifacts directory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from danso.accounts.models import User
from danso.register.models import Flag
from danso.units.codes import Level
from danso.web.demo import load_demo, load_demo_register
from tests.browser.conftest import CHROMIUM, PHONE
from tests.browser.test_unit_pages import page_width
from tests.conftest import PASSWORD, unit_at

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

NewPage = Callable[..., Page]
ON = date(2025, 6, 30)  # Ngọc Thụy's last day
#: The demo's doubtful entries (``register.generation.doubtful``), in Vietnamese.
DOUBTFUL = {
    "child_marriage": "Kết hôn dưới tuổi luật định",
    "stop_without_start": "Ngừng biện pháp chưa từng ghi bắt đầu",
    "birth_order_mismatch": "Thứ tự sinh không khớp với sổ",
    "id_number_shape": "Số định danh sai dạng",
    "id_number_used": "Số định danh trùng với người khác",
}


@pytest.fixture
def demo(live_reference: LiveServer) -> LiveServer:
    load_demo()
    load_demo_register(scale=0.05)
    officer = User.objects.get(username="ngocthuy")
    officer.set_password(PASSWORD)  # the demo's own password is not the tests'
    officer.save(update_fields=["password"])
    return live_reference


def test_the_ward_officer_follows_up_the_demos_doubtful_entries_on_a_phone(
    new_page: NewPage, demo: LiveServer, artifacts: Path
) -> None:
    ward = unit_at(Level.COMMUNE, "118", ON)
    page = new_page("ngocthuy", viewport=PHONE, is_mobile=True, has_touch=True)
    # from the book's page to the screen
    page.goto(f"{demo.url}{reverse('register:households', args=[ward.pk])}?date={ON}")
    page.get_by_role("link", name="Chất lượng số liệu").click()
    expect(page.locator("h1")).to_contain_text("chất lượng số liệu")

    flags = page.locator("li.flag")
    for rule, name in DOUBTFUL.items():
        expect(page.locator(f"li.flag[data-rule={rule}]").first).to_contain_text(name)
    expect(page.locator("#flags")).to_contain_text("mục đáng ngờ")
    expect(page.locator("#collaborators")).to_contain_text("Viên chức dân số Phường Ngọc Thụy")
    expect(page.locator("#outliers table")).to_be_visible()
    assert page_width(page) <= PHONE["width"] + 1
    page.screenshot(path=artifacts / "quality-ngoc-thuy-phone.png", full_page=True)

    # follow one up inline: the row is replaced, nothing else reloads
    marriage = page.locator("li.flag[data-rule=child_marriage]").first
    marriage.locator("select[name=status]").select_option("confirmed")
    marriage.locator("input[name=note]").fill("Đã gặp gia đình: kết hôn khi 17 tuổi, đúng")
    marriage.get_by_role("button", name="Lưu").click()
    saved = page.locator("li.flag[data-rule=child_marriage][data-status=confirmed]")
    expect(saved).to_contain_text("Đã lưu kết quả theo dõi")
    expect(saved).to_contain_text("Đã gặp gia đình")
    assert flags.count() >= len(DOUBTFUL)
    flag = Flag.objects.get(rule="child_marriage", status=Flag.Status.CONFIRMED)
    assert flag.followed_by is not None
    assert flag.followed_by.username == "ngocthuy"
    page.screenshot(path=artifacts / "quality-ngoc-thuy-followed-phone.png", full_page=True)
