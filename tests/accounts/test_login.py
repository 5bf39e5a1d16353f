"""Logging in: hashed passwords, lockout after repeated failures, CSRF, sessions."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from danso.accounts.models import LoginFailure, User
from danso.accounts.policy import Role
from danso.accounts.services import login_locked_until
from danso.units.codes import Level
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user("officer", Role.PROVINCE_OFFICER, Level.PROVINCE, "1")


def login(client: Client, password: str) -> int:
    response = client.post(reverse("login"), {"username": "officer", "password": password})
    return response.status_code


def test_passwords_are_stored_hashed(officer: User) -> None:
    assert PASSWORD not in officer.password
    assert officer.check_password(PASSWORD)


def test_a_good_login_goes_home(officer: User) -> None:
    client = Client()
    assert login(client, PASSWORD) == 302
    assert client.get("/").status_code == 200


def test_five_failures_lock_the_account_even_for_the_right_password(officer: User) -> None:
    client = Client()
    for _ in range(5):
        assert login(client, "wrong") == 200
    assert login_locked_until(username="officer") is not None
    response = client.post(reverse("login"), {"username": "officer", "password": PASSWORD})
    assert response.status_code == 200
    assert "officer" not in str(client.session.get("_auth_user_id", ""))
    assert "khóa" in response.content.decode()  # "locked", in Vietnamese


def test_the_lock_ends_after_the_window(officer: User) -> None:
    for _ in range(5):
        login(Client(), "wrong")
    later = timezone.now() + timedelta(minutes=16)
    assert login_locked_until(username="officer", now=later) is None


def test_a_successful_login_clears_earlier_failures(officer: User) -> None:
    client = Client()
    for _ in range(3):
        login(client, "wrong")
    assert login(client, PASSWORD) == 302
    assert LoginFailure.objects.filter(username="officer").count() == 0


def test_login_needs_the_csrf_token(officer: User) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "officer", "password": PASSWORD})
    assert response.status_code == 403


def test_logout_is_a_post(officer: User, client_for: Callable[[User], Client]) -> None:
    client = client_for(officer)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/").status_code == 302
