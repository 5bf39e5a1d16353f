"""Issue 11, walked in Chromium: what the viewer, the district officer, the officer of a
ward the reform closed (on 01/03/2025 and today) and the collaborator see of persons.
Screenshots go to test-artifacts/privacy-*.png."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from danso.register.models import AccessLog
from tests.browser.conftest import CHROMIUM, PHONE
from tests.privacy.world import World, build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]


@pytest.fixture
def world(live_reference: LiveServer) -> World:
    return build_world()


def test_privacy_as_each_role_would_meet_it(
    world: World, new_page: Callable[..., Page], live_reference: LiveServer, artifacts: Path
) -> None:
    url = live_reference.url
    wife = world.persons["NT1"][1]  # Khúc Thị Vợ NT1, of the collaborator's group
    stranger = world.persons["NL1"][1]  # of Ngọc Lâm's group, in Bồ Đề today

    # The viewer, on a phone: figures, no household books, no person.
    page = new_page("xem", viewport=PHONE, is_mobile=True, has_touch=True)
    expect(page.locator("nav.nav")).not_to_contain_text("Sổ hộ")
    page.goto(f"{url}{reverse('register:person', args=[wife.pk])}?date=2024-06-30")
    expect(page.locator("main")).not_to_contain_text(wife.full_name)
    expect(page.locator("main")).not_to_contain_text(wife.id_number)
    page.screenshot(path=artifacts / "privacy-xem-person.png", full_page=True)
    page.goto(f"{url}{reverse('indicators:home')}?date=2024-06-30")
    expect(page.locator("h1")).to_be_visible()
    page.screenshot(path=artifacts / "privacy-xem-dashboard.png", full_page=True)

    # The district officer in June 2024: initials, then the full record for a reason.
    page = new_page("longbien")
    households = reverse("register:households", args=[world.groups["NT1"].pk])
    page.goto(f"{url}{households}?date=2024-06-30")
    expect(page.locator("main")).to_contain_text("K. T. C. N.")
    expect(page.locator("main")).not_to_contain_text("Khúc Thị Chủ NT1")
    page.screenshot(path=artifacts / "privacy-longbien-households.png", full_page=True)
    page.goto(f"{url}{reverse('register:person', args=[wife.pk])}")
    expect(page.locator("h1")).to_have_text("K. T. V. N.")
    expect(page.locator("main")).to_contain_text("0011****0002")
    page.screenshot(path=artifacts / "privacy-longbien-masked.png", full_page=True)
    page.fill("#reveal-reason", "Kiểm tra hồ sơ trùng do phường báo")
    page.click("form[action$='reveal/'] button")
    expect(page.locator("h1")).to_have_text(wife.full_name)
    expect(page.locator("main")).to_contain_text(wife.id_number)
    page.screenshot(path=artifacts / "privacy-longbien-revealed.png", full_page=True)
    assert AccessLog.objects.filter(
        user=world.users["longbien"], kind="reveal", reason__startswith="Kiểm tra hồ sơ trùng"
    ).exists()
    # ... and today, after Quận Long Biên was closed
    page.goto(f"{url}/?date=2026-11-23")
    expect(page.locator("main")).to_contain_text(
        "Quận Long Biên không còn tồn tại sau ngày 30/06/2025"
    )
    page.screenshot(path=artifacts / "privacy-longbien-today.png", full_page=True)

    # The officer of Phường Ngọc Thụy on 01/03/2025: their people whole, and who read them.
    page = new_page("ngocthuy")
    page.goto(f"{url}{reverse('register:person', args=[wife.pk])}?date=2025-03-01")
    expect(page.locator("h1")).to_have_text(wife.full_name)
    expect(page.locator("main")).to_contain_text("Mở hồ sơ đầy đủ")  # longbien's read
    log = reverse("register:unit_access_log", args=[world.wards["old 118"].pk])
    page.goto(f"{url}{log}")
    expect(page.locator("main")).to_contain_text("longbien")
    expect(page.locator("main")).to_contain_text("Kiểm tra hồ sơ trùng do phường báo")
    page.screenshot(path=artifacts / "privacy-ngocthuy-log.png", full_page=True)
    # ... and today: their former groups only, never the rest of Bồ Đề
    page.goto(f"{url}/?date=2026-11-23")
    expect(page.locator("main")).to_contain_text(
        "Phường Ngọc Thụy không còn tồn tại sau ngày 30/06/2025"
    )
    page.screenshot(path=artifacts / "privacy-ngocthuy-today.png", full_page=True)
    answer = page.goto(f"{url}{reverse('register:person', args=[stranger.pk])}")
    assert answer is not None
    assert answer.status == 404
    expect(page.locator("main")).not_to_contain_text(stranger.full_name)

    # The collaborator on a phone: their group's names in the monthly form, no stranger.
    page = new_page("ctv", viewport=PHONE, is_mobile=True, has_touch=True)
    form = reverse("register:collection", args=[world.groups["NT1"].pk, "2024-06"])
    page.goto(f"{url}{form}?date=2024-06-30&type=contraception_stop")
    expect(page.locator("#id_person")).to_contain_text(wife.full_name)
    expect(page.locator("#id_person")).not_to_contain_text("NT2")
    page.screenshot(path=artifacts / "privacy-ctv-form.png", full_page=True)
