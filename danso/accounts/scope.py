"""The one answer to "which units may this person see or change on this day".

``unit_scope`` is the only function that turns roles into a ``UnitScope``; every view,
API endpoint, export and CLI command with ``--user`` goes through it.
"""

from __future__ import annotations

from collections import deque
from datetime import date
from typing import Any

from django.utils import timezone

from danso.accounts.models import RoleAssignment
from danso.accounts.policy import ROLE_ACTIONS, Role
from danso.units.models import Unit, UnitSuccession, UnitVersion, valid_on
from danso.units.scope import Grant, UnitScope


def unit_scope(user: Any, on: date, *, today: date | None = None) -> UnitScope:
    """The subtrees ``user`` may see and act on, as the tree stood on ``on``.

    Roles count if they are held ``today`` (the real date unless a test gives one): a
    role that ended no longer opens anything, whatever date is looked at.  A role's unit
    is taken as it was on ``on``; if it did not exist then (a commune formed on 1/7/2025,
    looked at in 2024) its predecessors of that day stand in for it, and after it closed,
    its successors.  Inactive and anonymous users see nothing; superusers everything.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return UnitScope(on, ())
    if user.is_superuser:
        return UnitScope.system(on)
    today = today or timezone.localdate()
    grants: list[Grant] = []
    assignments = RoleAssignment.objects.filter(user=user).filter(valid_on(today))
    for assignment in assignments.select_related("unit"):
        actions = ROLE_ACTIONS[Role(assignment.role)]
        if assignment.unit is None:
            grants.append(Grant("", actions))
            continue
        grants.extend(Grant(path, actions) for path in _paths_on(assignment.unit, on))
    return UnitScope(on, tuple(grants))


def _paths_on(unit: Unit, on: date) -> list[str]:
    """Paths on ``on`` of ``unit``, or of the units that stood for it on that day."""
    version = UnitVersion.objects.filter(unit=unit).filter(valid_on(on)).first()
    if version is not None:
        return [version.path]
    backwards = on < unit.valid_from
    paths: list[str] = []
    seen = {unit.pk}
    queue = deque([unit.pk])
    while queue:
        current = queue.popleft()
        if backwards:
            related = UnitSuccession.objects.filter(successor_id=current).values_list(
                "predecessor_id", flat=True
            )
        else:
            related = UnitSuccession.objects.filter(predecessor_id=current).values_list(
                "successor_id", flat=True
            )
        for other in related:
            if other in seen:
                continue
            seen.add(other)
            found = UnitVersion.objects.filter(unit_id=other).filter(valid_on(on)).first()
            if found is not None:
                paths.append(found.path)
            else:
                queue.append(other)
    return paths
