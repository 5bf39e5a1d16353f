"""API tokens (issue 12, point 6): they expire, can be revoked, are stored hashed, and stop
working while their user is locked out or disabled.  Issued by ``danso users token`` and
by /api/v1/auth/token/, listed and revoked on the user's administration page, revoked by
their holder with DELETE /api/v1/auth/token/."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings
from rest_framework.authtoken.models import Token

from danso.accounts.models import ApiToken, User
from danso.accounts.policy import Role
from danso.accounts.tokens import KEY_PREFIX, api_token_issue, hash_key
from danso.units.codes import Level
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

UNITS = "/api/v1/units/"
#: DRF answers 403 rather than 401 because session authentication comes first.
REFUSED = {401, 403}
TOKEN = "/api/v1/auth/token/"


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user("officer", Role.DISTRICT_OFFICER, Level.DISTRICT, "4")


def bearer(key: str, address: str = "127.0.0.1") -> Client:
    return Client(headers={"Authorization": f"Token {key}"}, REMOTE_ADDR=address)


def fail_logins(times: int, username: str = "officer", address: str = "127.0.0.1") -> None:
    for _ in range(times):
        Client(REMOTE_ADDR=address).post(
            reverse("login"), {"username": username, "password": "wrong"}
        )


# What was wrong: a token worked for ever, and while its user was locked out


def test_a_token_stops_working_while_its_user_is_locked_out(officer: User) -> None:
    # given a working token of the officer
    token = Token.objects.create(user=officer)
    assert bearer(token.key).get(UNITS).status_code == 200
    # when the officer's name is locked by five failed logins from this address
    fail_logins(5)
    # then the token is refused from that address too
    response = bearer(token.key).get(UNITS)
    assert response.status_code in REFUSED
    # and works again once the lock is over
    from danso.accounts.models import LoginFailure

    LoginFailure.objects.update(at=timezone.now() - timedelta(minutes=16))
    assert bearer(token.key).get(UNITS).status_code == 200


def test_an_old_token_has_expired(officer: User, settings: Settings) -> None:
    # given a token of the old kind made longer ago than a token lives
    token = Token.objects.create(user=officer)
    Token.objects.filter(pk=token.pk).update(
        created=timezone.now() - timedelta(days=settings.API_TOKEN_DAYS + 1)
    )
    # then it is refused
    assert bearer(token.key).get(UNITS).status_code in REFUSED


def test_a_token_of_a_disabled_account_is_refused(officer: User) -> None:
    key = api_token_issue(user=officer, name="script").key
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    assert bearer(key).get(UNITS).status_code in REFUSED


# danso's own tokens


def test_a_token_is_stored_hashed_and_shown_once(officer: User) -> None:
    # when a token is issued
    issued = api_token_issue(user=officer, name="Power Query của phòng")
    # then its key is never stored, only its hash and a short prefix to recognise it
    row = ApiToken.objects.get()
    assert issued.key.startswith(KEY_PREFIX)
    assert len(issued.key) >= 40
    assert issued.key not in str(row.__dict__)
    assert row.key_hash == hash_key(issued.key)
    assert issued.key.startswith(row.prefix)
    assert bearer(issued.key).get(UNITS).status_code == 200


def test_a_token_expires_after_its_days(officer: User) -> None:
    issued = api_token_issue(user=officer, name="for a week", days=7)
    assert issued.token.expires_at - issued.token.created_at == timedelta(days=7)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = bearer(issued.key).get(UNITS)
    assert response.status_code in REFUSED


def test_a_revoked_token_is_refused(officer: User, make_user: Callable[..., User]) -> None:
    from danso.accounts.tokens import api_token_revoke

    issued = api_token_issue(user=officer, name="script")
    admin = make_user("root", Role.ADMIN)
    api_token_revoke(token=issued.token, by=admin)
    issued.token.refresh_from_db()
    assert issued.token.revoked_by == admin
    assert issued.token.revoked_at is not None
    assert bearer(issued.key).get(UNITS).status_code in REFUSED


def test_the_last_use_is_recorded(officer: User) -> None:
    issued = api_token_issue(user=officer, name="script")
    assert issued.token.last_used_at is None
    bearer(issued.key).get(UNITS)
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None


def test_a_made_up_key_of_the_new_kind_is_refused(officer: User) -> None:
    assert bearer(KEY_PREFIX + "x" * 40).get(UNITS).status_code in REFUSED
    assert bearer("0" * 40).get(UNITS).status_code in REFUSED


# The endpoint


def test_the_endpoint_issues_a_token_of_dansos_own(officer: User) -> None:
    response = Client().post(TOKEN, {"username": "officer", "password": PASSWORD})
    assert response.status_code == 200
    data = response.json()
    assert data["token"].startswith(KEY_PREFIX)
    assert data["expires_at"]
    assert not Token.objects.exists()
    token = ApiToken.objects.get()
    assert token.user == officer
    assert token.created_by == officer
    assert bearer(data["token"]).get(UNITS).status_code == 200


def test_the_endpoint_refuses_a_wrong_password(officer: User) -> None:
    response = Client().post(TOKEN, {"username": "officer", "password": "wrong"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_a_holder_revokes_their_own_token(officer: User) -> None:
    key = api_token_issue(user=officer, name="script").key
    assert bearer(key).delete(TOKEN).status_code == 204
    assert ApiToken.objects.get().revoked_by == officer
    assert bearer(key).get(UNITS).status_code in REFUSED


def test_revoking_needs_a_token(officer: User, client_for: Callable[[User], Client]) -> None:
    assert Client().delete(TOKEN).status_code in (401, 403)
    assert client_for(officer).delete(TOKEN).status_code == 400


# The command line


def test_the_cli_issues_lists_and_revokes(officer: User, run_cli: Callable[..., Any]) -> None:
    # when a token is issued for 30 days
    issued = run_cli("users", "token", "officer", "--expires-days", "30", "--name", "Excel")
    key = issued["token"]
    assert key.startswith(KEY_PREFIX)
    assert bearer(key).get(UNITS).status_code == 200
    # then the list shows it without its key
    listed = run_cli("users", "tokens", "officer")
    assert [t["id"] for t in listed["tokens"]] == [issued["id"]]
    row = listed["tokens"][0]
    assert (row["name"], row["username"], row["status"]) == ("Excel", "officer", "active")
    assert key not in str(listed)
    # and once revoked it is refused, and listed as revoked
    run_cli("users", "revoke-token", str(issued["id"]))
    assert bearer(key).get(UNITS).status_code in REFUSED
    assert run_cli("users", "tokens", "officer")["tokens"] == []  # the active ones
    assert run_cli("users", "tokens", "officer", "--all")["tokens"][0]["status"] == "revoked"


def test_the_cli_prints_the_key_alone_and_once(officer: User) -> None:
    out = StringIO()
    call_command("users", "token", "officer", stdout=out)
    key = out.getvalue().strip().splitlines()[0]
    assert key.startswith(KEY_PREFIX)
    assert ApiToken.objects.get().key_hash == hash_key(key)
    listing = StringIO()
    call_command("users", "tokens", stdout=listing)
    assert key not in listing.getvalue()
    assert "officer" in listing.getvalue()


def test_the_cli_revokes_every_token_of_a_user(officer: User, run_cli: Callable[..., Any]) -> None:
    keys = [api_token_issue(user=officer, name=str(n)).key for n in range(3)]
    legacy = Token.objects.create(user=officer)
    done = run_cli("users", "revoke-tokens", "officer")
    assert done["revoked"] == 4
    assert all(bearer(key).get(UNITS).status_code in REFUSED for key in [*keys, legacy.key])


def test_the_cli_no_longer_makes_tokens_of_the_old_kind(
    officer: User, run_cli: Callable[..., Any]
) -> None:
    run_cli("users", "token", "officer")
    assert not Token.objects.exists()


def test_the_cli_refuses_too_many_days(officer: User) -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="từ 1 đến 366 ngày"):
        call_command("users", "token", "officer", "--expires-days", "5000", stdout=StringIO())


# The administration screen


def test_the_user_page_lists_and_revokes_tokens(
    officer: User, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    # given two tokens of the officer
    kept = api_token_issue(user=officer, name="Báo cáo tự động")
    gone = api_token_issue(user=officer, name="Máy cũ")
    admin = client_for(make_user("root", Role.ADMIN))
    url = reverse("accounts:user", args=[officer.pk])
    # when the administrator opens the officer's page
    page = admin.get(url).content.decode()
    # then both are listed, by name and prefix, never by key
    assert "Báo cáo tự động" in page
    assert "Máy cũ" in page
    assert kept.token.prefix in page
    assert kept.key not in page
    assert gone.key not in page
    # and one is revoked from there
    response = admin.post(url, {"action": "revoke_token", "token": gone.token.pk})
    assert response.status_code == 302
    assert bearer(gone.key).get(UNITS).status_code in REFUSED
    assert bearer(kept.key).get(UNITS).status_code == 200
    gone.token.refresh_from_db()
    assert gone.token.revoked_by is not None
    assert gone.token.revoked_by.username == "root"


def test_only_the_users_own_tokens_are_revoked_from_their_page(
    officer: User, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    other = make_user("other")
    theirs = api_token_issue(user=other, name="x")
    admin = client_for(make_user("root", Role.ADMIN))
    response = admin.post(
        reverse("accounts:user", args=[officer.pk]),
        {"action": "revoke_token", "token": theirs.token.pk},
    )
    assert response.status_code == 404
    assert bearer(theirs.key).get(UNITS).status_code == 200


# The upgrade


def test_the_upgrade_carries_old_tokens_over_hashed(officer: User) -> None:
    from importlib import import_module

    from django.apps import apps

    from danso.accounts.tokens import CARRIED_OVER_DAYS

    # given a token of the old kind, made long ago, in use by a client
    old = Token.objects.create(user=officer)
    Token.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=900))
    # when the data migration runs
    migration = import_module("danso.accounts.migrations.0004_carry_over_drf_tokens")
    migration.carry_over(apps, None)
    # then the old row and its key are gone, and a hashed token of danso's works for 30 days
    assert not Token.objects.exists()
    carried = ApiToken.objects.get()
    assert carried.key_hash == hash_key(old.key)
    assert old.key not in str(carried.__dict__)
    assert carried.user == officer
    lives = carried.expires_at - timezone.now()
    assert timedelta(days=CARRIED_OVER_DAYS - 1) < lives <= timedelta(days=CARRIED_OVER_DAYS)
    assert bearer(old.key).get(UNITS).status_code == 200
