"""`danso users`: accounts and roles for administrators, from the command line."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import CommandError

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.units.codes import Level

pytestmark = pytest.mark.django_db


def test_create_assign_list_token_and_end(
    run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEW_PASSWORD", "một-mật-khẩu-dài-2026")
    made = run_cli(
        "users", "create", "phucloi", "--password-env", "NEW_PASSWORD", "--full-name", "Trần Văn An"
    )
    assert made["username"] == "phucloi"
    assert User.objects.get(username="phucloi").check_password("một-mật-khẩu-dài-2026")
    role = run_cli(
        "users",
        "assign",
        "phucloi",
        "--role",
        "commune_officer",
        "--level",
        "commune",
        "--code",
        "136",
        "--from",
        "2025-07-01",
    )
    assert role["unit"] == "Phường Phúc Lợi"
    listed = run_cli("users", "list")
    assert [u["roles"][0]["role"] for u in listed["users"] if u["username"] == "phucloi"] == [
        "commune_officer"
    ]
    assert run_cli("users", "token", "phucloi")["token"].startswith("dso_")
    ended = run_cli("users", "end-role", str(role["id"]), "--last-day", "2026-06-30")
    assert str(ended["valid_to"]) == "2026-06-30"


def test_only_an_administrator_may_use_it_as_a_user(
    run_cli: Callable[..., Any], make_user: Callable[..., User]
) -> None:
    make_user("hn", Role.PROVINCE_OFFICER, Level.PROVINCE, "1")
    with pytest.raises(CommandError, match="administrator"):
        run_cli("users", "list", "--user", "hn")
    make_user("root", Role.ADMIN)
    assert run_cli("users", "list", "--user", "root")["users"]
