"""After a reform the administrator sees the roles held at closed units and moves each,
with a reason, to a unit that stands; nothing moves by itself (issue 11, point 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from danso.accounts import services
from danso.accounts.policy import Role
from danso.accounts.scope import unit_scope
from danso.accounts.selectors import roles_to_reassign
from danso.register import privacy
from tests.privacy.world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def test_the_roles_at_closed_units_are_listed_with_where_they_may_go(world: World) -> None:
    rows = {row.assignment.user.username: row for row in roles_to_reassign(timezone.localdate())}
    assert set(rows) == {"ngocthuy", "longbien"}  # bode, ctv, hanoi, xem, admin stand
    ward = {(c.role, c.version.name) for c in rows["ngocthuy"].candidates}
    assert ward == {
        (Role.COMMUNE_OFFICER, "Phường Bồ Đề"),
        (Role.COMMUNE_OFFICER, "Phường Hồng Hà"),
    }
    district = {(c.role, c.version.name) for c in rows["longbien"].candidates}
    # no district follows a district: the wards that took over its wards, and the city
    assert (Role.COMMUNE_OFFICER, "Phường Bồ Đề") in district
    assert (Role.COMMUNE_OFFICER, "Phường Long Biên") in district
    assert (Role.PROVINCE_OFFICER, "Thành phố Hà Nội") in district
    assert all(c.version.unit.valid_to is None for c in rows["longbien"].candidates)


def test_reassigning_is_an_explicit_act_with_a_reason(world: World) -> None:
    today = timezone.localdate()
    officer = world.users["ngocthuy"]
    held = officer.roles.get()
    bode = world.wards["new 118"]
    with pytest.raises(ValidationError):
        services.role_reassign(
            assignment=held,
            role=Role.COMMUNE_OFFICER,
            unit=bode,
            effective=today,
            reason=" ",
            by=world.users["admin"],
        )
    with pytest.raises(ValidationError):
        services.role_reassign(
            assignment=held,
            role=Role.COMMUNE_OFFICER,
            unit=bode,
            effective=today,
            reason="Quyết định 12/QĐ-UBND",
            by=None,
        )
    new = services.role_reassign(
        assignment=held,
        role=Role.COMMUNE_OFFICER,
        unit=bode,
        effective=today,
        reason="Quyết định 12/QĐ-UBND",
        by=world.users["admin"],
    )
    held.refresh_from_db()
    assert held.valid_to == today - timedelta(days=1)
    assert (new.unit, new.valid_from, new.created_by) == (bode, today, world.users["admin"])
    assert "Quyết định 12/QĐ-UBND" in new.note
    assert "Phường Ngọc Thụy" in new.note
    # the officer now reaches the whole of Bồ Đề today (NT1 and NL1), no longer NT2
    scope = unit_scope(officer, today)
    groups = {world.group_of(p) for p in privacy.persons_visible(scope, officer).order_by("pk")}
    assert groups == {"NT1", "NL1"}


def test_the_administrator_reassigns_on_screen(world: World) -> None:
    client = Client()
    client.force_login(world.users["admin"])
    listing = client.get(reverse("accounts:users")).content.decode()
    assert "2 vai trò gắn với đơn vị đã không còn tồn tại" in listing
    page = client.get(reverse("accounts:reassign")).content.decode()
    assert "ngocthuy" in page
    held = world.users["ngocthuy"].roles.get()
    answer = client.post(
        reverse("accounts:reassign"),
        {
            "assignment": held.pk,
            "candidate": f"{Role.COMMUNE_OFFICER}:{world.wards['new 97'].pk}",
            "reason": "Quyết định 12/QĐ-UBND",
        },
    )
    assert answer.status_code == 302
    assert world.users["ngocthuy"].roles.filter(unit=world.wards["new 97"]).exists()
    for role in ("hanoi", "ngocthuy", "xem"):
        other = Client()
        other.force_login(world.users[role])
        assert other.get(reverse("accounts:reassign")).status_code == 403
