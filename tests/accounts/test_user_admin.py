"""The administration screen for users and role assignments."""

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from danso.accounts.models import RoleAssignment, User
from danso.accounts.policy import Role
from danso.units.codes import Level

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user: Callable[..., User], client_for: Callable[[User], Client]) -> Client:
    return client_for(make_user("root", Role.ADMIN))


def test_only_a_system_administrator_manages_users(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    province = client_for(make_user("hn", Role.PROVINCE_OFFICER, Level.PROVINCE, "1"))
    assert province.get(reverse("accounts:users")).status_code == 403
    assert province.get(reverse("accounts:user_create")).status_code == 403


def test_create_a_user_give_a_role_and_end_it(admin: Client) -> None:
    response = admin.post(
        reverse("accounts:user_create"),
        {
            "username": "phucdong",
            "full_name": "Nguyễn Thị Hòa",
            "email": "",
            "phone": "",
            "password": "mật-khẩu-dài-2025",
        },
    )
    assert response.status_code == 302
    person = User.objects.get(username="phucdong")
    url = reverse("accounts:user", args=[person.pk])
    response = admin.post(
        url,
        {
            "action": "role",
            "role-role": Role.COMMUNE_OFFICER,
            "role-level": "commune",
            "role-code": "00115",
            "role-valid_from": "01/01/2024",
            "role-valid_to": "",
            "role-note": "",
        },
    )
    assert response.status_code == 302
    role = RoleAssignment.objects.get(user=person)
    assert role.unit is not None
    assert str(role.unit) == "Phường Thượng Thanh"
    assert role.created_by is not None
    admin.post(url, {"action": "end_role", "assignment": role.pk, "last_day": "31/12/2025"})
    role.refresh_from_db()
    assert str(role.valid_to) == "2025-12-31"
    assert role.history.count() == 2  # created, then ended: both audited


def test_a_role_at_the_wrong_level_is_refused_with_a_message(admin: Client) -> None:
    person = User.objects.create_user("x", password="irrelevant-password-1")
    response = admin.post(
        reverse("accounts:user", args=[person.pk]),
        {
            "action": "role",
            "role-role": Role.COMMUNE_OFFICER,
            "role-level": "district",
            "role-code": "004",
            "role-valid_from": "01/01/2024",
        },
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=person).exists()


def test_weak_passwords_are_refused(admin: Client) -> None:
    response = admin.post(
        reverse("accounts:user_create"), {"username": "weak", "password": "123456"}
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="weak").exists()


def test_unlock(admin: Client, make_user: Callable[..., User]) -> None:
    person = make_user("locked")
    for _ in range(5):
        Client().post(reverse("login"), {"username": "locked", "password": "nope"})
    page = admin.get(reverse("accounts:user", args=[person.pk])).content.decode()
    assert 'value="unlock"' in page
    admin.post(reverse("accounts:user", args=[person.pk]), {"action": "unlock"})
    assert Client().login(username="locked", password="a-long-test-password-42")
