"""Who reaches whose people, on which day, at which sight: the selectors of
``register.privacy`` against the hand-written oracle ``world.REACH``."""

from __future__ import annotations

from datetime import date

import pytest

from danso.accounts.scope import unit_scope
from danso.register import privacy
from danso.units.codes import Level
from danso.units.selectors import visible_versions
from tests.privacy.world import DAYS, REACH, ROLES, TODAY, World

pytestmark = pytest.mark.django_db


def reached(world: World, role: str, day: date) -> dict[str, str]:
    user = world.users[role]
    scope = unit_scope(user, day, today=TODAY)
    visible = set(privacy.persons_visible(scope, user).values_list("pk", flat=True))
    sights = privacy.Sights(scope, user)
    found: dict[str, str] = {}
    for group, people in world.persons.items():
        seen = {p.pk in visible for p in people}
        assert len(seen) == 1, (role, day, group)  # a household is reached whole or not
        if seen.pop():
            kinds = {sights.of(p).value for p in people}
            assert len(kinds) == 1, (role, day, group, kinds)
            found[group] = kinds.pop()
        else:
            assert {sights.of(p) for p in people} == {privacy.Sight.NONE}
    return found


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("day", DAYS, ids=str)
def test_each_role_reaches_exactly_its_people(world: World, role: str, day: date) -> None:
    assert reached(world, role, day) == REACH[role][day]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("day", DAYS, ids=str)
def test_events_follow_the_same_reach(world: World, role: str, day: date) -> None:
    user = world.users[role]
    scope = unit_scope(user, day, today=TODAY)
    groups = {
        world.group_of(event.person)
        for event in privacy.events_visible(scope, user).select_related("person")
    }
    assert groups == set(REACH[role][day])


def test_a_ward_formed_by_the_reform_never_stands_for_its_former_district(
    world: World,
) -> None:
    """Quận Long Biên is no predecessor of Phường Bồ Đề: before 1/7/2025 the ward reaches
    Ngọc Lâm (which went to it wholly) and the groups that moved to it, nothing else."""
    scope = unit_scope(world.users["bode"], date(2024, 6, 30), today=TODAY)
    communes = set(
        visible_versions(scope).filter(unit__level=Level.COMMUNE).values_list("name", flat=True)
    )
    assert communes == {"Phường Ngọc Lâm"}
    assert not visible_versions(scope).filter(unit__level=Level.DISTRICT).exists()
    villages = set(
        visible_versions(scope).filter(unit__level=Level.VILLAGE).values_list("name", flat=True)
    )
    assert villages == {"Tổ dân phố NT1", "Tổ dân phố NL1"}


def test_a_role_at_a_closed_ward_reaches_only_what_was_under_it(world: World) -> None:
    scope = unit_scope(world.users["ngocthuy"], TODAY, today=TODAY)
    assert not visible_versions(scope).filter(unit__level=Level.COMMUNE).exists()
    villages = set(
        visible_versions(scope).filter(unit__level=Level.VILLAGE).values_list("name", flat=True)
    )
    assert villages == {"Tổ dân phố NT1", "Tổ dân phố NT2"}


def test_a_closed_district_reaches_its_former_groups_not_the_new_wards(world: World) -> None:
    scope = unit_scope(world.users["longbien"], TODAY, today=TODAY)
    assert not visible_versions(scope).filter(unit__level=Level.COMMUNE).exists()
    assert {v.name for v in visible_versions(scope).filter(unit__level=Level.VILLAGE)} == {
        f"Tổ dân phố {g}" for g in ("NT1", "NT2", "TT1", "NL1", "CK1")
    }
