"""The collaborator's phone without a connection (issue 17, acceptance): the form opened
online keeps working offline (a birth, a death and a contraception start queued, the page
saying so), and back online the queue is recorded once, a second sync sends nothing new,
and the village's figures follow; on a slow connection (Slow 3G) the form still records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.indicators import tallies as keys
from danso.indicators.engine import compute
from danso.indicators.periods import Period
from danso.register import services
from danso.register.models import Event, Person, SubmissionKey
from danso.units import services as units
from danso.units.models import Unit, UnitVersion
from tests.browser.conftest import CHROMIUM, PHONE
from tests.conftest import unit_at

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]
JUNE = date(2024, 6, 30)


def _group(code: str, user: str, make_user: Callable[..., User]) -> tuple[Unit, dict[str, Person]]:
    """A residential group with one family of three, and its collaborator ``user``."""
    village = units.village_create(
        commune=unit_at("commune", "118", JUNE),
        code=code,
        name=f"Tổ dân phố {code[-2:]}",
        type="tổ dân phố",
        valid_from=date(2023, 6, 1),
    )
    household = services.household_create(unit=village, since=date(2023, 6, 1), number="3")
    people = {
        name: services.person_add(
            household=household,
            registered_on=date(2023, 6, 1),
            data=services.PersonInput(name, sex, born),
        )
        for name, sex, born in [
            ("Lê Văn Tùng", "M", date(1940, 1, 2)),
            ("Phạm Thị Ngọc", "F", date(1991, 5, 6)),
            ("Lê Thị Hằng", "F", date(1995, 8, 9)),
        ]
    }
    make_user(user, Role.COLLABORATOR, "village", code, JUNE)
    return village, people


def _choose(page: Page, typed: str) -> None:
    page.fill("#id_person_search", typed)
    page.locator("#id_person_list li[role=option]").first.click()


def _kind(page: Page, kind: str) -> None:
    """Another kind of event, offline: the page the worker kept."""
    with page.expect_navigation() as navigation:
        page.click(f"#kinds a.chip[href='?type={kind}']")
    response = navigation.value
    assert response is not None
    assert response.from_service_worker


def _births(village: Unit) -> int:
    version = UnitVersion.objects.get(unit=village)
    return int(compute(version, Period.month_of(2024, 6)).tally.get(keys.BIRTHS, 0))


def test_a_month_recorded_offline_is_sent_once_when_back_online(
    new_page: Callable[..., Page],
    make_user: Callable[..., User],
    live_reference: LiveServer,
) -> None:
    # given the collaborator's form, opened online on her phone (the worker keeps it)
    village, _people = _group("00118-T11", "ctv11", make_user)
    form = (
        f"{live_reference.url}{reverse('register:collection', args=[village.pk, '2024-06'])}"
        "?date=2024-06-30"
    )
    page = new_page("ctv11", viewport=PHONE, prefetch=True, is_mobile=True, has_touch=True)
    page.goto(form + "&type=birth")
    page.wait_for_selector("html[data-offline-ready]")
    assert _births(village) == 0

    # when the network goes and she records a birth, a death and a contraception start
    page.context.set_offline(True)
    _choose(page, "ngoc")
    page.fill("#id_event_date", "14/06/2024")
    page.fill("#id_child_name", "Lê Minh Khôi")
    page.check("input[name=child_sex][value=M]")
    page.click("button[value=record]")
    status = page.locator("#offline-status")
    expect(status).to_contain_text("(1 ")
    _kind(page, "death")
    _choose(page, "tung")
    page.fill("#id_event_date", "20/06/2024")
    page.click("button[value=record]")
    expect(status).to_contain_text("(2 ")
    _kind(page, "contraception_start")
    _choose(page, "hang")
    page.fill("#id_event_date", "28/06/2024")
    page.select_option("#id_method", value="pill")
    page.click("button[value=record]")

    # then each is kept on the phone, and the page says so; nothing reached the server
    expect(status).to_contain_text("(3 ")
    assert page.locator("html").get_attribute("data-queue-waiting") == "3"
    assert not Event.objects.exists()
    queued: list[dict[str, Any]] = page.evaluate("window.dansoQueue.all()")
    assert len({item["key"] for item in queued}) == 3
    author = User.objects.get(username="ctv11")
    assert {item["user"] for item in queued} == {str(author.pk)}
    # a form another collaborator left on this phone (a shared phone, a logout) waits for
    # its author: it is never sent under ctv11's session
    foreign = {**queued[0], "key": "0f0e0d0c-0b0a-4909-8807-060504030201", "user": "999999"}
    page.evaluate("item => window.dansoQueue.put(item)", foreign)

    # when the network comes back
    page.context.set_offline(False)

    # then the three are recorded, once each, and the queue is empty
    expect(page.locator("html")).to_have_attribute("data-queue-waiting", "0", timeout=20_000)
    assert sorted(Event.objects.values_list("event_type", flat=True)) == [
        "birth",
        "contraception_start",
        "death",
    ]
    assert SubmissionKey.objects.count() == 3
    assert Person.objects.filter(full_name="Lê Minh Khôi").count() == 1
    # a second sync sends nothing new: the page's own, and the same keys sent again
    assert page.evaluate("window.dansoSync()") == 0
    sync_url = reverse("register:collection_sync", args=[village.pk, "2024-06"])
    again = page.evaluate(
        """([url, items]) => fetch(url + "?date=2024-06-30", {
            method: "POST", credentials: "same-origin",
            headers: {"Content-Type": "application/json",
                      "X-CSRFToken": document.querySelector('meta[name="csrf-token"]').content},
            body: JSON.stringify({items: items.map(i => ({key: i.key, version: i.version,
                                                            fields: i.fields}))})
        }).then(r => r.json())""",
        [sync_url, queued],
    )
    assert [r["status"] for r in again["results"]] == ["already"] * 3
    assert Event.objects.count() == 3
    assert not SubmissionKey.objects.filter(key=foreign["key"]).exists()
    kept = page.evaluate(
        """key => new Promise(resolve => {
            const open = indexedDB.open("danso-offline", 1);
            open.onsuccess = () => {
                const get = open.result.transaction("queue").objectStore("queue").get(key);
                get.onsuccess = () => resolve(get.result ? get.result.user : null);
            };
        })""",
        foreign["key"],
    )
    assert kept == "999999"
    # and the figures follow: the village's births of June
    assert _births(village) == 1
    # the pages kept for offline work hold names: they go with the session, so that the
    # next person to log in on this phone cannot read them offline
    assert page.evaluate("caches.has('danso-pages')") is True
    with page.expect_navigation():
        page.click("form[data-logout] button")
    assert page.evaluate("caches.has('danso-pages')") is False


def test_on_a_slow_connection_the_form_still_records(
    new_page: Callable[..., Page],
    make_user: Callable[..., User],
    live_reference: LiveServer,
) -> None:
    # given a phone on a Slow 3G-like connection (400 ms, about 50 KB/s each way)
    village, _people = _group("00118-T12", "ctv12", make_user)
    page = new_page("ctv12", viewport=PHONE, prefetch=True, is_mobile=True, has_touch=True)
    page.set_default_timeout(60_000)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 400,
            "downloadThroughput": 50 * 1024,
            "uploadThroughput": 50 * 1024,
        },
    )

    # when she records a birth in the form
    page.goto(
        f"{live_reference.url}{reverse('register:collection', args=[village.pk, '2024-06'])}"
        "?date=2024-06-30&type=birth"
    )
    _choose(page, "ngoc")
    page.fill("#id_event_date", "14/06/2024")
    page.fill("#id_child_name", "Lê Minh Khôi")
    page.check("input[name=child_sex][value=F]")
    with page.expect_navigation():
        page.click("button[value=record]")

    # then it is recorded, and the page comes back to the form saying so
    expect(page.locator(".messages")).to_be_visible()
    assert Event.objects.filter(event_type="birth").count() == 1
