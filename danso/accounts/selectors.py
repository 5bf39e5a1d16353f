"""Reads about roles: what a role reaches across a reform, and the roles a reform left at
a closed unit, which the administrator reassigns (``services.role_reassign``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from danso.accounts.models import RoleAssignment
from danso.accounts.policy import ROLE_LEVELS, Role
from danso.accounts.scope import reach_on
from danso.units.codes import Level
from danso.units.models import UnitSuccession, UnitVersion, valid_on


@dataclass(frozen=True)
class RoleReach:
    """How a role's unit stands on ``on``: ``state`` is "stands", "before" (the unit did
    not exist yet: the role reaches what became part of it) or "after" (the reform
    closed it: the role reaches only what was under it); ``reached`` the units, by
    level, that the role reaches instead."""

    assignment: RoleAssignment
    state: str
    reached: dict[str, int] = field(default_factory=dict)

    @property
    def unit_name(self) -> str:
        return str(self.assignment.unit or "")


def role_reaches(assignments: Iterable[RoleAssignment], on: date) -> list[RoleReach]:
    """For each role held at a unit that did not stand on ``on``, what it reaches."""
    found = []
    for assignment in assignments:
        unit = assignment.unit
        if unit is None or (
            unit.valid_from <= on and (unit.valid_to is None or on <= unit.valid_to)
        ):
            continue
        paths = reach_on(unit, on)
        q = Q(pk__in=[])
        for path in paths:
            q |= Q(path=path)
        levels: dict[str, int] = {}
        for level in (
            UnitVersion.objects.filter(valid_on(on)).filter(q).values_list("unit__level", flat=True)
        ):
            levels[level] = levels.get(level, 0) + 1
        found.append(RoleReach(assignment, "before" if on < unit.valid_from else "after", levels))
    return found


@dataclass(frozen=True)
class Candidate:
    """A role and unit a closed unit's role may go to."""

    role: Role
    version: UnitVersion


@dataclass(frozen=True)
class ToReassign:
    assignment: RoleAssignment
    closed_on: date
    candidates: list[Candidate]


def roles_to_reassign(today: date) -> list[ToReassign]:
    """Roles held ``today`` at a unit that a reform (or a closure) ended before today,
    each with the units it may go to: the unit's successors of its level, or, for a level
    that ended (a district on 1/7/2025), the communes that received its communes and the
    province above them."""
    rows = (
        RoleAssignment.objects.filter(valid_on(today), unit__valid_to__lt=today)
        .select_related("unit", "user")
        .order_by("unit__valid_to", "user__username")
    )
    return [
        ToReassign(assignment, assignment.unit.valid_to, _candidates(assignment))  # type: ignore[union-attr,arg-type]
        for assignment in rows
    ]


def _candidates(assignment: RoleAssignment) -> list[Candidate]:
    unit = assignment.unit
    assert unit is not None
    assert unit.valid_to is not None
    role = Role(assignment.role)
    effective = date.fromordinal(unit.valid_to.toordinal() + 1)
    same_level = list(
        UnitSuccession.objects.filter(predecessor=unit).values_list("successor_id", flat=True)
    )
    found: list[Candidate] = [
        Candidate(role, version)
        for version in UnitVersion.objects.filter(valid_on(effective), unit_id__in=same_level)
        .select_related("unit")
        .order_by("code")
    ]
    if found:
        return found
    # A level that ended: the successors of the units that were under it.
    below = UnitVersion.objects.filter(valid_on(unit.valid_to), parent_id=unit.pk).values("unit_id")
    heirs = UnitSuccession.objects.filter(predecessor_id__in=below).values("successor_id")
    versions = list(
        UnitVersion.objects.filter(valid_on(effective), unit_id__in=heirs)
        .select_related("unit")
        .order_by("code")
    )
    levels = {Level(v.unit.level) for v in versions}
    for level in sorted(levels):
        new_role = _role_for(level, role)
        found += [Candidate(new_role, v) for v in versions if v.unit.level == level]
    parents = {v.parent_id for v in versions if v.parent_id}
    for version in UnitVersion.objects.filter(
        valid_on(effective), unit_id__in=parents
    ).select_related("unit"):
        found.append(Candidate(_role_for(Level(version.unit.level), role), version))
    return found


def _role_for(level: Level, held: Role) -> Role:
    """The role of an officer like ``held`` at a unit of ``level``."""
    if held in (Role.VIEWER, Role.COLLABORATOR):
        return held
    for role in (Role.PROVINCE_OFFICER, Role.DISTRICT_OFFICER, Role.COMMUNE_OFFICER):
        levels = ROLE_LEVELS[role]
        if levels is not None and level in levels:
            return role
    return held
