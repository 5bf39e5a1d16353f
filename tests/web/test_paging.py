"""Long lists page, with the total said, instead of being cut (issue 13, point 5): the
register's books, a book's households and the administration's users."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from danso.accounts import services as accounts
from danso.accounts import views as account_views
from danso.accounts.models import User
from danso.register import household_views, services
from danso.register import views as register_views
from danso.register.models import Household
from tests.conftest import PASSWORD
from tests.privacy.world import SINCE, World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def _numbers(html: str, pattern: str) -> list[str]:
    return re.findall(pattern, html)


def test_the_users_list_pages_and_keeps_the_search(
    world: World, client_for: Callable[[User], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(25):
        accounts.user_create(username=f"ctv{number:02d}", password=PASSWORD, validate=False)
    monkeypatch.setattr(account_views, "USERS_PAGE", 10)
    admin = client_for(world.users["admin"])
    first = admin.get(reverse("accounts:users"), {"q": "ctv"}).content.decode()
    # 26 users match "ctv" (ctv and ctv00–ctv24): 3 pages, the total said
    assert "Trang 1 / 3 (26 mục)" in first
    assert 'href="?q=ctv&amp;page=2"' in first
    last = admin.get(reverse("accounts:users"), {"q": "ctv", "page": "3"}).content.decode()
    assert "Trang 3 / 3 (26 mục)" in last
    shown = set(_numbers(first, r"ctv\d\d")) | set(_numbers(last, r"ctv\d\d"))
    middle = admin.get(reverse("accounts:users"), {"q": "ctv", "page": "2"}).content.decode()
    shown |= set(_numbers(middle, r"ctv\d\d"))
    assert shown == {f"ctv{number:02d}" for number in range(25)}  # every one reachable


def test_a_books_households_page_and_every_one_is_reachable(
    world: World, client_for: Callable[[User], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(register_views, "HOUSEHOLDS_PAGE", 2)
    officer = client_for(world.users["ngocthuy"])
    officer.get("/", {"date": "2024-06-30"})
    group = world.groups["NT1"]
    for number in range(2, 6):
        services.household_create(
            unit=group, since=SINCE, number=f"NT1-{number}", address=f"Số {number} ngõ NT1"
        )
    url = reverse("register:households", args=[group.pk])
    expected = set(Household.objects.filter(unit=group).values_list("pk", flat=True))
    assert len(expected) == 5
    seen: set[int] = set()
    page = 1
    while True:
        html = officer.get(url, {"page": str(page)}).content.decode()
        assert f"Trang {page} / " in html
        shown = {int(pk) for pk in re.findall(r"/register/households/(\d+)/", html)}
        assert len(shown & expected) <= 2
        seen |= shown & expected
        if "sau →" not in html:
            break
        page += 1
    assert seen == expected


def test_the_register_home_pages_its_books(
    world: World, client_for: Callable[[User], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(register_views, "BOOKS_PAGE", 1)
    officer = client_for(world.users["ngocthuy"])
    officer.get("/", {"date": "2024-06-30"})
    first = officer.get(reverse("register:home")).content.decode()
    found = re.search(r"Trang 1 / (\d+) \((\d+) mục\)", first)
    assert found is not None
    assert found.group(1) == found.group(2)  # one book a page
    assert int(found.group(2)) > 1


def test_a_households_changes_page(
    world: World, client_for: Callable[[User], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the household of NT1 has two events (an IUD, a birth): one a page, the total said
    monkeypatch.setattr(household_views, "EVENTS_PAGE", 1)
    officer = client_for(world.users["ngocthuy"])
    officer.get("/", {"date": "2024-06-30"})
    url = reverse("register:household", args=[world.households["NT1"].pk])
    first = officer.get(url).content.decode()
    assert "Trang 1 / 2 (2 mục)" in first
    second = officer.get(url, {"page": "2"}).content.decode()
    assert "Trang 2 / 2 (2 mục)" in second
    days = {re.findall(r"(\d\d/\d\d/2024)</a></td>", html)[0] for html in (first, second)}
    assert days == {"10/05/2024", "02/02/2024"}
