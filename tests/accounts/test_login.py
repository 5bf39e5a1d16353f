"""Logging in: hashed passwords, lockout after repeated failures (from one address: see
test_throttle for other addresses), CSRF, sessions."""

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from danso.accounts.lockout import login_locked_until
from danso.accounts.middleware import LAST_SEEN
from danso.accounts.models import LoginFailure, User
from danso.accounts.policy import Role
from danso.units.codes import Level
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

#: The address of Django's test client.
HERE = "127.0.0.1"


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
    assert login_locked_until(username="officer", ip=HERE) is not None
    response = client.post(reverse("login"), {"username": "officer", "password": PASSWORD})
    assert response.status_code == 200
    assert "officer" not in str(client.session.get("_auth_user_id", ""))
    assert "khóa" in response.content.decode()  # "locked", in Vietnamese


def test_the_lock_ends_after_the_window(officer: User) -> None:
    for _ in range(5):
        login(Client(), "wrong")
    later = timezone.now() + timedelta(minutes=16)
    assert login_locked_until(username="officer", ip=HERE, now=later) is None


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


def test_four_failures_do_not_lock_the_account(officer: User) -> None:
    client = Client()
    for _ in range(4):
        assert login(client, "wrong") == 200
    assert login_locked_until(username="officer", ip=HERE) is None
    assert login(client, PASSWORD) == 302


def test_once_the_lock_ends_the_right_password_logs_in(officer: User) -> None:
    # given an account locked by five failures
    for _ in range(5):
        login(Client(), "wrong")
    assert login(Client(), PASSWORD) == 200
    # when the window has passed
    LoginFailure.objects.update(at=timezone.now() - timedelta(minutes=16))
    # then the right password logs in, and the old failures are forgotten
    client = Client()
    assert login(client, PASSWORD) == 302
    assert client.get("/").status_code == 200
    assert LoginFailure.objects.filter(username="officer").count() == 0


def test_the_login_page_offers_the_shared_computer_choice(officer: User) -> None:
    html = Client().get(reverse("login")).content.decode()
    assert 'name="shared_computer"' in html


def test_on_a_shared_computer_the_session_ends_with_the_browser(officer: User) -> None:
    client = Client()
    response = client.post(
        reverse("login"),
        {"username": "officer", "password": PASSWORD, "shared_computer": "1"},
    )
    assert response.status_code == 302
    assert client.session.get_expire_at_browser_close()
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""


def test_otherwise_the_session_ends_a_working_day_after_the_login(officer: User) -> None:
    # given a login without "shared computer"
    client = Client()
    response = client.post(reverse("login"), {"username": "officer", "password": PASSWORD})
    assert response.status_code == 302
    assert not client.session.get_expire_at_browser_close()
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] >= 10 * 60 * 60 - 5
    ends = client.session.get_expiry_date()
    # when the session is used and written again (the idle timeout's time of last request)
    session = client.session
    session[LAST_SEEN] = time.time() - 90
    session.save()
    assert client.get("/").status_code == 200
    assert client.session[LAST_SEEN] > time.time() - 10
    # then its end has not moved
    assert client.session.get_expiry_date() == ends
