"""A ward officer places the residential groups of a split ward, on a phone (issue 16).

Phường Sài Đồng closed on 31/12/2024, split between Phúc Lợi and Phúc Đồng; its groups
closed with it.  Phúc Lợi's officer opens the groups to place from the ward's page,
chooses Phúc Lợi for group 1 and places it; the group stands again under Phúc Lợi from
1/1/2025 with its history, and is then listed for the next reform (1/7/2025), which split
Phúc Lợi in turn.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.units import services as units
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from tests.browser.conftest import CHROMIUM, PHONE
from tests.conftest import unit_at

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

ARRANGEMENT = date(2025, 1, 1)


def test_the_phuc_loi_officer_places_a_sai_dong_group_on_a_phone(
    new_page: Callable[..., Page],
    make_user: Callable[..., User],
    live_reference: LiveServer,
) -> None:
    sai_dong = unit_at(Level.COMMUNE, "142", date(2024, 12, 31))
    groups = [
        units.village_create(
            commune=sai_dong,
            code=f"00142-TDP0{number}",
            name=f"Tổ dân phố {number}",
            type="tổ dân phố",
            valid_from=date(2023, 5, 7),
        )
        for number in (1, 2)
    ]
    phuc_loi = unit_at(Level.COMMUNE, "136", ARRANGEMENT)
    officer = make_user("phucloi", Role.COMMUNE_OFFICER, "commune", "136", ARRANGEMENT)

    page = new_page(officer.username, PHONE)
    page.goto(
        live_reference.url
        + reverse("units:to_place_unit", args=[phuc_loi.pk])
        + f"?date={ARRANGEMENT.isoformat()}"
    )
    expect(page.locator("h1")).to_contain_text("Tổ dân phố/thôn chờ chuyển")
    cards = page.locator("section.card")
    expect(cards).to_have_count(2)
    first = cards.filter(has_text="Tổ dân phố 1")
    expect(first).to_contain_text("31/12/2024")
    expect(first).to_contain_text("Phường Sài Đồng")
    expect(first).to_contain_text("Phường Phúc Đồng")
    # the form fits the phone's width: nothing to scroll sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    expect(first.locator("select option")).to_contain_text(["Phường Phúc Lợi (00136)"])
    first.locator("select").select_option(value=str(phuc_loi.pk))
    with page.expect_navigation():
        first.get_by_role("button").click()
    expect(page.locator("main")).to_contain_text(
        "Tổ dân phố 1 đã được chuyển về Phường Phúc Lợi từ ngày 01/01/2025."
    )
    # placed under Phúc Lợi, the group now closes with it on 30/06/2025, split again by
    # the reform of 1/7/2025: it is listed once more, for the new wards' officers to place
    first = page.locator("section.card").filter(has_text="Tổ dân phố 1")
    expect(first).to_contain_text("30/06/2025")
    expect(first).to_contain_text("Phường Việt Hưng")
    expect(first.locator("select")).to_have_count(0)
    second = page.locator("section.card").filter(has_text="Tổ dân phố 2")
    expect(second.locator("select")).to_have_count(1)

    placed = UnitVersion.objects.get(valid_on(ARRANGEMENT), unit=groups[0])
    assert placed.parent_id == phuc_loi.pk
    assert placed.path.endswith(f".{phuc_loi.pk}.{groups[0].pk}.")
    assert UnitVersion.objects.filter(unit=groups[0]).count() == 2  # its history kept
