"""Django's admin site behind danso's login (issue 12, point 6): its login page sends to
danso's, which throttles and locks; only staff enter."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.units.codes import Level
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/django-admin/login/"


@pytest.fixture
def staff(make_user: Callable[..., User]) -> User:
    user = make_user("root", Role.ADMIN)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def test_the_admin_login_page_sends_to_dansos_login() -> None:
    response = Client().get(ADMIN_LOGIN, {"next": "/django-admin/"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/django-admin/"


def test_posting_to_the_admin_login_logs_no_one_in(staff: User) -> None:
    # the admin's own form bypassed the lockout; it no longer takes a password at all
    client = Client()
    response = client.post(ADMIN_LOGIN, {"username": "root", "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_admin_login_is_behind_the_lockout(staff: User) -> None:
    # given the administrator's name locked at this address
    for _ in range(5):
        Client().post(reverse("login"), {"username": "root", "password": "wrong"})
    # when the right password is tried through the way to the admin
    client = Client()
    landing = client.get(ADMIN_LOGIN, {"next": "/django-admin/"}, follow=True)
    response = client.post(
        landing.redirect_chain[-1][0], {"username": "root", "password": PASSWORD}
    )
    # then it is refused as on the login page
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_staff_enter_the_admin_after_dansos_login(staff: User) -> None:
    client = Client()
    response = client.post(
        f"{reverse('login')}?next=/django-admin/",
        {"username": "root", "password": PASSWORD, "next": "/django-admin/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/django-admin/"
    assert client.get("/django-admin/").status_code == 200
    # a staff member already logged in is sent on from the admin's login page
    again = client.get(ADMIN_LOGIN, {"next": "/django-admin/"})
    assert again.status_code == 302
    assert again["Location"] == "/django-admin/"


def test_others_do_not_enter_the_admin(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    officer = client_for(make_user("hn", Role.PROVINCE_OFFICER, Level.PROVINCE, "1"))
    index = officer.get("/django-admin/")
    assert index.status_code == 302
    assert index["Location"].startswith(ADMIN_LOGIN)
    assert officer.get(index["Location"]).status_code == 403


def test_an_unsafe_next_is_dropped() -> None:
    response = Client().get(ADMIN_LOGIN, {"next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil" not in response["Location"]
