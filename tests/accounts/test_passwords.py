"""Password rules (issue 12, point 6): common Vietnamese and English passwords are
refused, with digits added or not, and so are the user's name and their unit's name
folded without diacritics."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from danso.accounts.models import User
from danso.accounts.passwords import COMMON_PASSWORDS_FILE, common_passwords
from danso.accounts.policy import Role
from danso.units.codes import Level

pytestmark = pytest.mark.django_db


def refused(password: str, user: User | None = None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return list(error.messages)
    return []


@pytest.mark.parametrize(
    "password",
    [
        "matkhau1",  # passed the rules before
        "matkhau123",
        "MatKhau@2025",
        "mật khẩu 1",
        "123456a@",
        "anhyeuem",
        "anhyeuem2024",
        "iloveyou",
        "admin123",
        "danso123",
        "password2026",
        "qwerty123",
    ],
)
def test_common_passwords_are_refused(password: str) -> None:
    assert refused(password)


@pytest.mark.parametrize(
    "password", ["một-mật-khẩu-dài-2026", "a-long-test-password-42", "Sông Hồng chảy qua 9 cầu"]
)
def test_an_uncommon_password_passes(password: str) -> None:
    assert refused(password) == []


def test_the_list_is_shipped_and_long_enough() -> None:
    assert COMMON_PASSWORDS_FILE.exists()
    words = common_passwords()
    assert len(words) >= 300
    assert {"matkhau", "matkhau1", "123456a", "anhyeuem", "iloveyou", "admin123"} <= words


def test_the_message_is_in_vietnamese() -> None:
    with translation.override("vi"):
        messages = refused("matkhau1")
    with translation.override("en"):
        english = refused("matkhau1")
    assert messages
    assert english
    assert any("common" in m for m in english)


def test_the_user_name_is_refused_with_or_without_diacritics_and_digits() -> None:
    person = User(username="nguyenthuhuong", full_name="Nguyễn Thu Hương")
    assert refused("nguyenthuhuong", person)
    assert refused("NguyenThuHuong2025", person)
    assert refused("Nguyễn Thu Hương 1990", person)
    assert refused("sông-hồng-chín-cây-cầu", person) == []


def test_the_name_of_the_users_unit_is_refused(make_user: Callable[..., User]) -> None:
    # given an officer of Phường Phúc Lợi (commune 136, after the reform)
    from tests.conftest import AFTER

    officer = make_user("pl", Role.COMMUNE_OFFICER, Level.COMMUNE, "136", AFTER)
    # then the unit's name, with or without its type and diacritics, is refused
    for password in ("phucloi2025", "Phúc Lợi 2025!", "phuongphucloi", "Phường Phúc Lợi"):
        assert refused(password, officer), password
    assert refused("phucloi2025") == []  # for someone else it is merely unusual


def test_the_administration_screen_refuses_them(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    admin = client_for(make_user("root", Role.ADMIN))
    response = admin.post(
        reverse("accounts:user_create"), {"username": "x1", "password": "matkhau1"}
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="x1").exists()


def test_the_help_text_says_so() -> None:
    from django.contrib.auth.password_validation import password_validators_help_texts

    with translation.override("en"):
        texts = " ".join(password_validators_help_texts())
    assert "Vietnamese" in texts
    assert "unit" in texts
