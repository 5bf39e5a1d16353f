"""Reads of plans through the reader's unit scope.

A plan's units are taken as they stood on the plan's date, so access to a plan is decided
by the reader's scope on that date (``unit_scope(user, plan.reference_date)``):

- FULL: the reader sees the issuing unit: the whole plan and its allocation grid;
- EDIT: FULL, and may change it (edit_plans on the issuing unit);
- BELOW: the reader sees only some units below: the plan's headline and the rows of the
  grid for their own units ("a ward officer sees only their ward's targets"), once the
  plan is issued: a draft is the work in progress of the level that writes it (and of
  those above it, who see the issuing unit), not yet anything handed down;
- NONE.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import IntEnum
from typing import Any

from django.db.models import QuerySet

from danso.accounts.scope import actor_scope
from danso.plans.models import Allocation, CarriedAllocation, Plan
from danso.plans.services import EARLIEST_UNITS
from danso.units.models import UnitVersion, valid_on
from danso.units.scope import Action, UnitScope
from danso.units.selectors import CODE_ORDER


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
    if not handed_down(plan):
        return Access.NONE
    below = UnitVersion.objects.filter(valid_on(units_day(plan)), parent_id=plan.unit_id)
    if below.filter(scope.q(Action.VIEW)).exists():
        return Access.BELOW
    return Access.NONE


def handed_down(plan: Plan) -> bool:
    """Whether the units below may see ``plan``: once it is issued (a superseded plan was
    issued once, and what it handed down stays readable)."""
    return plan.status != Plan.Status.DRAFT


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


def _successor_on(row: CarriedAllocation) -> UnitVersion | None:
    """The successor as it stood on the day it began carrying the cell."""
    return UnitVersion.objects.filter(valid_on(row.effective), unit_id=row.unit_id).first()


def carried_visible(user: Any, plan: Plan) -> list[CarriedAllocation]:
    """The carried cells of ``plan`` the reader may see (``plans.carried``): all of them
    with FULL access to the plan, else those of the successors the reader sees on the
    day they began carrying them (a new ward's officer sees what their ward carries, even
    of a plan whose units they do not see)."""
    rows = list(
        CarriedAllocation.objects.filter(target__plan=plan)
        .select_related("target__indicator", "unit", "updated_by")
        .order_by("effective", "target__order", "target_id", "unit_id")
    )
    if not rows or plan_access(user, plan) >= Access.FULL:
        return rows
    if not handed_down(plan):
        return []
    scopes = _Scopes(user)
    seen: list[CarriedAllocation] = []
    for row in rows:
        version = _successor_on(row)
        if version is not None and scopes.on(row.effective).allows(Action.VIEW, version):
            seen.append(row)
    return seen


def carried_may_adjust(user: Any, row: CarriedAllocation) -> bool:
    """Whether ``user`` may adjust what a successor carries: whoever may change the
    plan's allocation, or whoever plans for the unit above the successor on the day it
    began carrying the cell (after 1/7/2025, the province)."""
    if plan_access(user, row.target.plan) is Access.EDIT:
        return True
    return _plans_above(user, row)


def carried_adjustable(user: Any, plan: Plan, rows: Iterable[CarriedAllocation]) -> set[int]:
    """The ids of ``rows`` (carried cells of ``plan``) that ``user`` may adjust
    (``carried_may_adjust``), deciding once per successor and day."""
    rows = list(rows)
    if plan_access(user, plan) is Access.EDIT:
        return {row.pk for row in rows}
    decided: dict[tuple[int, date], bool] = {}
    found: set[int] = set()
    for row in rows:
        key = (row.unit_id, row.effective)
        if key not in decided:
            decided[key] = _plans_above(user, row)
        if decided[key]:
            found.add(row.pk)
    return found


def _plans_above(user: Any, row: CarriedAllocation) -> bool:
    version = _successor_on(row)
    if version is None or version.parent_id is None:
        return False
    above = UnitVersion.objects.filter(valid_on(row.effective), unit_id=version.parent_id).first()
    return above is not None and actor_scope(user, row.effective).allows(Action.EDIT_PLANS, above)


def derivable_units(user: Any, plan: Plan) -> list[UnitVersion]:
    """The units directly below ``plan``'s unit (as they stood on its date) for which
    ``user`` may make a plan of their own from what ``plan`` hands them
    (``services.plan_create_from_allocation``, "lập kế hoạch từ chỉ tiêu được giao"):
    ``plan`` is issued, hands the unit at least one cell, the unit has no plan in force
    implementing it for its years yet (``services.same_period_plans``), and ``user`` may
    write plans at that unit (``Action.EDIT_PLANS`` on the plan's date; a viewer never
    may)."""
    if not handed_down(plan):
        return []
    scope = _Scopes(user).on(units_day(plan))
    if not scope.allows_anywhere(Action.EDIT_PLANS):
        return []
    taken = set(
        plan.implemented_by.filter(period_start=plan.period_start, period_end=plan.period_end)
        .exclude(status=Plan.Status.SUPERSEDED)
        .values_list("unit_id", flat=True)
    )
    given = set(
        Allocation.objects.filter(target__plan=plan, value__isnull=False).values_list(
            "unit_id", flat=True
        )
    )
    return [
        version
        for version in UnitVersion.objects.filter(valid_on(units_day(plan)), parent_id=plan.unit_id)
        .select_related("unit")
        .order_by(*CODE_ORDER)
        if version.unit_id in given
        and version.unit_id not in taken
        and scope.allows(Action.EDIT_PLANS, version)
    ]


def own_plans(user: Any, plan: Plan) -> list[Plan]:
    """The plans implementing ``plan`` that ``user`` may see in full: a district officer
    reading the city's plan finds the plan they made from it."""
    scopes = _Scopes(user)
    return [
        child
        for child in plan.implemented_by.select_related("unit").order_by("unit_id", "-pk")
        if plan_access(user, child, scopes) >= Access.FULL
    ]
