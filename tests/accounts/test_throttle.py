"""Login throttling (issue 12, point 6): by address as well as by name, without letting
anyone lock an officer out.

The rule (danso.accounts.lockout): failed logins from one address, whatever the names,
close that address to logins for a while; failed logins for one name close that name
*at the address they came from* only, so that a correct password from elsewhere still
logs in.  Failures are counted the same way on the login page, the API token endpoint
and Django admin's login, which is danso's login page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from danso.accounts.lockout import (
    address_locked_until,
    client_address,
    login_locked_until,
    login_locks,
)
from danso.accounts.models import LoginFailure, User
from danso.accounts.policy import Role
from danso.units.codes import Level
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.7"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user("officer", Role.PROVINCE_OFFICER, Level.PROVINCE, "1")


def log_in(username: str, password: str, address: str) -> Client:
    client = Client(REMOTE_ADDR=address)
    client.post(reverse("login"), {"username": username, "password": password})
    return client


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# By address


def test_one_address_trying_many_names_is_stopped(officer: User, settings: Settings) -> None:
    # given 30 user names tried from one address (the attack measured: 30 in 9.7 s)
    for n in range(30):
        log_in(f"guess{n}", "123456", ATTACKER)
    # then only the first LOGIN_ADDRESS_ATTEMPTS were tried: the rest were refused
    assert LoginFailure.objects.filter(ip=ATTACKER).count() == settings.LOGIN_ADDRESS_ATTEMPTS
    assert address_locked_until(ip=ATTACKER) is not None
    # and even a correct password does not log in from that address
    refused = Client(REMOTE_ADDR=ATTACKER)
    response = refused.post(reverse("login"), {"username": "officer", "password": PASSWORD})
    assert response.status_code == 200
    assert not logged_in(refused)
    assert "203.0.113.66" not in response.content.decode()  # no need to echo it
    # while the officer's own office logs in
    assert logged_in(log_in("officer", PASSWORD, OFFICE))


def test_the_address_opens_again_after_the_window(officer: User, settings: Settings) -> None:
    for n in range(settings.LOGIN_ADDRESS_ATTEMPTS):
        log_in(f"guess{n}", "123456", ATTACKER)
    assert address_locked_until(ip=ATTACKER) is not None
    later = timezone.now() + timedelta(minutes=settings.LOGIN_ADDRESS_MINUTES + 1)
    assert address_locked_until(ip=ATTACKER, now=later) is None


def test_the_token_endpoint_is_throttled_by_address(officer: User, settings: Settings) -> None:
    api = Client(REMOTE_ADDR=ATTACKER)
    for n in range(settings.LOGIN_ADDRESS_ATTEMPTS):
        assert api.post(TOKEN, {"username": f"guess{n}", "password": "x"}).status_code == 400
    refused = api.post(TOKEN, {"username": "officer", "password": PASSWORD})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    ok = Client(REMOTE_ADDR=OFFICE).post(TOKEN, {"username": "officer", "password": PASSWORD})
    assert ok.status_code == 200


# By name, at the address that failed


def test_failures_elsewhere_do_not_lock_the_officer_out(officer: User) -> None:
    # given someone failing five times with the officer's name from their own address
    for _ in range(5):
        log_in("officer", "wrong", ATTACKER)
    assert login_locked_until(username="officer", ip=ATTACKER) is not None
    # then the officer, from the office, logs in with the right password
    assert logged_in(log_in("officer", PASSWORD, OFFICE))
    # while the name stays closed at the attacker's address, right password or not
    assert not logged_in(log_in("officer", PASSWORD, ATTACKER))


def test_the_officers_login_does_not_clear_the_attackers_failures(officer: User) -> None:
    for _ in range(5):
        log_in("officer", "wrong", ATTACKER)
    log_in("officer", PASSWORD, OFFICE)
    assert login_locked_until(username="officer", ip=ATTACKER) is not None


def test_refused_attempts_do_not_extend_the_lock(officer: User, settings: Settings) -> None:
    for _ in range(5):
        log_in("officer", "wrong", ATTACKER)
    until = login_locked_until(username="officer", ip=ATTACKER)
    for _ in range(10):
        log_in("officer", "wrong", ATTACKER)
    assert LoginFailure.objects.filter(username="officer").count() == 5
    assert login_locked_until(username="officer", ip=ATTACKER) == until


def test_the_administrator_sees_where_a_name_is_locked(officer: User) -> None:
    for _ in range(5):
        log_in("officer", "wrong", ATTACKER)
    locks = login_locks(username="officer")
    assert [lock.ip for lock in locks] == [ATTACKER]
    assert locks[0].failures == 5


def test_names_are_counted_whatever_their_case(officer: User) -> None:
    for name in ("Officer", "OFFICER", "officer", "oFFicer", "officeR"):
        log_in(name, "wrong", ATTACKER)
    assert login_locked_until(username="officer", ip=ATTACKER) is not None


# The client's address


def test_the_address_is_remote_addr_unless_a_proxy_is_trusted(settings: Settings) -> None:
    factory = RequestFactory()
    forged = factory.get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="10.9.9.9")
    settings.TRUSTED_PROXIES = []
    assert client_address(forged) == "192.0.2.10"
    # behind a trusted proxy, the last address the proxy saw that is not a proxy
    settings.TRUSTED_PROXIES = ["192.0.2.10"]
    proxied = factory.get(
        "/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.7"
    )
    assert client_address(proxied) == "198.51.100.7"
    # a request that did not come through the proxy is taken at its word only for itself
    direct = factory.get("/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert client_address(direct) == "203.0.113.5"
    # and a header that is not an address is ignored
    junk = factory.get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="nonsense")
    assert client_address(junk) == "192.0.2.10"


def test_trusted_proxies_may_be_networks(settings: Settings) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="198.51.100.7, 10.0.0.2"
    )
    assert client_address(request) == "198.51.100.7"


def test_a_throttle_behind_a_proxy_counts_the_real_client(
    officer: User, settings: Settings
) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for _ in range(5):
        Client(HTTP_X_FORWARDED_FOR=ATTACKER).post(
            reverse("login"), {"username": "officer", "password": "wrong"}
        )
    office = Client(HTTP_X_FORWARDED_FOR=OFFICE)
    office.post(reverse("login"), {"username": "officer", "password": PASSWORD})
    assert logged_in(office)


def test_old_failures_are_pruned(officer: User) -> None:
    LoginFailure.objects.create(username="officer", ip=ATTACKER)
    LoginFailure.objects.update(at=timezone.now() - timedelta(days=8))
    log_in("officer", "wrong", OFFICE)
    assert list(LoginFailure.objects.values_list("ip", flat=True)) == [OFFICE]
