"""The list screens read in a fixed number of queries, whatever the number of rows on
the page (issue 13, point 7): a query per row would make a page of 200 households or 100
users slow on a province's database.  Each screen is read with few rows and with more; the
count must not grow, and stays within the budget pinned here (the count measured when
the budget was set: a change that adds a query to a list shows up here)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from danso.accounts import services as accounts
from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.register import services
from tests.conftest import PASSWORD
from tests.privacy.world import SINCE, World, build_world

pytestmark = pytest.mark.django_db

#: Queries a screen may make, measured when pinned (session, user, roles, the date's
#: context, the screen's own).  The users list made one more query per role shown (a
#: unit's name) before it was pinned.
BUDGET = {"users": 14, "households": 17, "books": 8}


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def queries(client: Client, url: str, **params: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_users_list(world: World, client_for: Callable[[User], Client]) -> None:
    admin = client_for(world.users["admin"])
    url = reverse("accounts:users")
    admin.get(url)
    few = queries(admin, url)
    for number in range(30):
        user = accounts.user_create(username=f"ctv{number:02d}", password=PASSWORD, validate=False)
        accounts.role_assign(
            user=user,
            role=Role.COLLABORATOR,
            unit=world.groups["NT1"],
            valid_from=SINCE,
        )
    many = queries(admin, url)
    assert many == few <= BUDGET["users"], (few, many)


def test_a_books_households(world: World, client_for: Callable[[User], Client]) -> None:
    officer = client_for(world.users["ngocthuy"])
    officer.get("/", {"date": "2024-06-30"})
    group = world.groups["NT1"]
    url = reverse("register:households", args=[group.pk])
    officer.get(url)
    few = queries(officer, url)
    for number in range(2, 40):
        services.household_create(
            unit=group, since=SINCE, number=f"NT1-{number}", address=f"Số {number} ngõ NT1"
        )
    many = queries(officer, url)
    assert many == few <= BUDGET["households"], (few, many)


def test_the_register_books(world: World, client_for: Callable[[User], Client]) -> None:
    officer = client_for(world.users["longbien"])
    officer.get("/", {"date": "2024-06-30"})
    url = reverse("register:home")
    officer.get(url)
    few = queries(officer, url)
    for number in range(2, 30):  # more households in the books does not mean more queries
        services.household_create(
            unit=world.groups["NT1"], since=SINCE, number=f"NT1-{number}", address=f"Số {number}"
        )
    many = queries(officer, url)
    assert many == few <= BUDGET["books"], (few, many)
