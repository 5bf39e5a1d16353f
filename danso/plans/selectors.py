"""Reads of plans through the reader's unit scope.

A plan's units are taken as they stood on the plan's date, so access to a plan is decided
by the reader's scope on that date (``unit_scope(user, plan.reference_date)``):

- FULL: the reader sees the issuing unit: the whole plan and its allocation grid;
- EDIT: FULL, and may change it (edit_plans on the issuing unit);
- BELOW: the reader sees only some units below: the plan's headline and the rows of the
  grid for their own units ("a ward officer sees only their ward's targets");
- NONE.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import IntEnum
from typing import Any

from django.db.models import QuerySet

from danso.accounts.scope import actor_scope
from danso.plans.models import Allocation, Plan
from danso.plans.services import EARLIEST_UNITS
from danso.units.models import UnitVersion, valid_on
from danso.units.scope import Action, UnitScope


class Access(IntEnum):
    NONE = 0
    BELOW = 1
    FULL = 2
    EDIT = 3


class _Scopes:
    """The reader's scope per day (``actor_scope``), computed once per day."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.cache: dict[date, UnitScope] = {}

    def on(self, day: date) -> UnitScope:
        if day not in self.cache:
            self.cache[day] = actor_scope(self.user, day)
        return self.cache[day]


def units_day(plan: Plan) -> date:
    return max(plan.reference_date, EARLIEST_UNITS)


def plan_access(user: Any, plan: Plan, scopes: _Scopes | None = None) -> Access:
    """How much of ``plan`` ``user`` may see or change (``accounts.scope.SYSTEM``: the
    system, everything; None: no one, nothing)."""
    scope = (scopes or _Scopes(user)).on(units_day(plan))
    version = (
        UnitVersion.objects.filter(unit_id=plan.unit_id).filter(valid_on(units_day(plan))).first()
    )
    if version is not None and scope.allows(Action.EDIT_PLANS, version):
        return Access.EDIT
    if version is not None and scope.allows(Action.VIEW, version):
        return Access.FULL
    below = UnitVersion.objects.filter(valid_on(units_day(plan)), parent_id=plan.unit_id)
    if below.filter(scope.q(Action.VIEW)).exists():
        return Access.BELOW
    return Access.NONE


def plans_visible(user: Any, plans: Iterable[Plan] | None = None) -> list[tuple[Plan, Access]]:
    """Every plan ``user`` may see at least part of, newest first, with the access."""
    scopes = _Scopes(user)
    rows = plans if plans is not None else Plan.objects.select_related("unit").all()
    found: list[tuple[Plan, Access]] = []
    for plan in rows:
        access = plan_access(user, plan, scopes)
        if access is not Access.NONE:
            found.append((plan, access))
    return found


def allocations_visible(user: Any, plan: Plan) -> QuerySet[Allocation]:
    """The cells of the plan's grid the reader may see: all of them with FULL access, the
    rows of their own units with BELOW."""
    rows = Allocation.objects.filter(target__plan=plan).select_related("target__indicator", "unit")
    access = plan_access(user, plan)
    if access >= Access.FULL:
        return rows
    if access is Access.NONE:
        return rows.none()
    scope = _Scopes(user).on(units_day(plan))
    visible = (
        UnitVersion.objects.filter(valid_on(units_day(plan)), parent_id=plan.unit_id)
        .filter(scope.q(Action.VIEW))
        .values("unit_id")
    )
    return rows.filter(unit_id__in=visible)
