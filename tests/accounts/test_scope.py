"""The one scope function: roles held today, units as they stood on the day looked at."""

from datetime import date

import pytest

from danso.accounts import services
from danso.accounts.policy import Role
from danso.accounts.scope import unit_scope
from danso.units import selectors
from danso.units.codes import Level
from danso.units.scope import Action
from tests.conftest import AFTER, BEFORE, TODAY, unit_at

pytestmark = pytest.mark.django_db


def visible_names(user, on: date, level: Level) -> set[str]:  # type: ignore[no-untyped-def]
    scope = unit_scope(user, on, today=TODAY)
    return set(
        selectors.visible_versions(scope).filter(unit__level=level).values_list("name", flat=True)
    )


def test_a_ward_officer_sees_their_ward_only(make_user) -> None:  # type: ignore[no-untyped-def]
    officer = make_user("thuongthanh", Role.COMMUNE_OFFICER, Level.COMMUNE, "115")
    assert visible_names(officer, BEFORE, Level.COMMUNE) == {"Phường Thượng Thanh"}
    assert visible_names(officer, BEFORE, Level.DISTRICT) == set()


def test_a_district_officer_sees_the_district_as_it_stood(make_user) -> None:  # type: ignore[no-untyped-def]
    officer = make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4")
    assert len(visible_names(officer, BEFORE, Level.COMMUNE)) == 14
    assert len(visible_names(officer, date(2025, 3, 1), Level.COMMUNE)) == 13


def test_after_a_unit_closed_it_reaches_only_what_was_under_it(make_user) -> None:  # type: ignore[no-untyped-def]
    # Its wards closed with it and no village moved: nothing, never the new wards that
    # took it over (issue 11; tests/privacy/test_reach.py has villages that moved).
    officer = make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4")
    assert visible_names(officer, AFTER, Level.COMMUNE) == set()
    assert visible_names(officer, AFTER, Level.PROVINCE) == set()


def test_before_a_unit_existed_it_reaches_what_became_part_of_it(make_user) -> None:  # type: ignore[no-untyped-def]
    officer = make_user("bode", Role.COMMUNE_OFFICER, Level.COMMUNE, "118", on=AFTER)
    before = visible_names(officer, BEFORE, Level.COMMUNE)
    # Ngọc Lâm went wholly to the new Bồ Đề; the old Bồ Đề and six others only in part,
    # and Quận Long Biên is no predecessor of a ward.
    assert before == {"Phường Ngọc Lâm"}
    assert visible_names(officer, BEFORE, Level.DISTRICT) == set()


def test_a_role_that_ended_opens_nothing(make_user) -> None:  # type: ignore[no-untyped-def]
    officer = make_user("gone", Role.COMMUNE_OFFICER, Level.COMMUNE, "115")
    services.role_end(assignment=officer.roles.get(), last_day=date(2025, 12, 31))
    assert visible_names(officer, BEFORE, Level.COMMUNE) == set()


def test_a_viewer_may_look_but_not_change(make_user) -> None:  # type: ignore[no-untyped-def]
    viewer = make_user("leader", Role.VIEWER, Level.PROVINCE, "1")
    scope = unit_scope(viewer, BEFORE, today=TODAY)
    hanoi = selectors.resolve_code(Level.PROVINCE, "1", scope)
    assert scope.allows(Action.VIEW, hanoi)
    assert not scope.allows(Action.EDIT_POPULATION, hanoi)
    assert not scope.allows(Action.EDIT_VILLAGES, hanoi)


def test_only_the_province_records_structural_decisions(make_user) -> None:  # type: ignore[no-untyped-def]
    province = make_user("hn", Role.PROVINCE_OFFICER, Level.PROVINCE, "1")
    ward = make_user("w", Role.COMMUNE_OFFICER, Level.COMMUNE, "115")
    commune = selectors.resolve_code(Level.COMMUNE, "115", unit_scope(ward, BEFORE, today=TODAY))
    assert unit_scope(province, BEFORE, today=TODAY).allows(Action.EDIT_STRUCTURE, commune)
    assert not unit_scope(ward, BEFORE, today=TODAY).allows(Action.EDIT_STRUCTURE, commune)
    assert unit_scope(ward, BEFORE, today=TODAY).allows(Action.EDIT_VILLAGES, commune)


def test_inactive_and_anonymous_users_see_nothing(make_user) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser

    officer = make_user("off", Role.PROVINCE_OFFICER, Level.PROVINCE, "1")
    officer.is_active = False
    assert unit_scope(officer, BEFORE).grants == ()
    assert unit_scope(AnonymousUser(), BEFORE).grants == ()


def test_role_must_be_held_at_a_unit_of_its_level(make_user) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    user = make_user("x")
    with pytest.raises(ValidationError, match=r"đơn vị cấp: Xã / phường"):
        services.role_assign(
            user=user,
            role=Role.COMMUNE_OFFICER,
            unit=unit_at(Level.DISTRICT, "4", BEFORE),
            valid_from=BEFORE,
        )
