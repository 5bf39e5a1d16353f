"""The one answer to "which units may this person see or change on this day".

``unit_scope`` is the only function that turns roles into a ``UnitScope``; every view,
API endpoint, export and CLI command with ``--user`` goes through it.

Services and selectors that decide access take their actor as a required argument: a
person (``request.user``, a command's ``--user``), or ``SYSTEM``, named explicitly, for
the server acting on its own (a command run without ``--user``, a scheduled task), which
reaches every unit (``actor_scope``).  None is no one: it reaches nothing, so that a
caller who forgets whom it acts for gets nothing rather than everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Final

from django.utils import timezone

from danso.accounts.models import RoleAssignment
from danso.accounts.policy import ROLE_ACTIONS, Role
from danso.units.models import Unit, UnitSuccession, UnitVersion, valid_on
from danso.units.reading import remembered
from danso.units.scope import Grant, UnitScope


class System:
    """The server acting on its own, with every unit in scope (see the module
    docstring); its changes are recorded against the system actor (``danso.audit``)."""

    pk = None
    is_authenticated = False
    is_active = False

    def __repr__(self) -> str:
        return "SYSTEM"

    def __bool__(self) -> bool:
        return True


#: The one value that means "the system, full access".
SYSTEM: Final = System()


def actor_scope(actor: Any, on: date) -> UnitScope:
    """The units ``actor`` acts on, on day ``on``: every unit for ``SYSTEM``, else those
    of ``unit_scope`` (nothing for None or an anonymous user)."""
    return UnitScope.system(on) if actor is SYSTEM else unit_scope(actor, on)


#: The kind of answer remembered while a page is read (``units.reading``).
SCOPES = "scope"


def unit_scope(user: Any, on: date, *, today: date | None = None) -> UnitScope:
    """The subtrees ``user`` may see and act on, as the tree stood on ``on``.

    Roles count if they are held ``today`` (the real date unless a test gives one): a
    role that ended no longer opens anything, whatever date is looked at.  A role's unit
    is taken as it was on ``on`` (``reach_on``): across a reform a role reaches only what
    became part of its unit, or what was under it, never a whole predecessor or
    successor that it merely touched.  Inactive and anonymous users see nothing.  A
    superuser holds the administrator's actions over the whole country (which do not
    include reading names without a logged reason: ``policy.ROLE_ACTIONS``).
    """
    if _no_one(user):
        return UnitScope(on, ())
    day = today or timezone.localdate()
    return remembered(
        SCOPES, (user.pk, user.is_superuser, on, day), lambda: _worked_out(user, on, day)
    )


def _no_one(user: Any) -> bool:
    """None, an anonymous or an inactive user: holds nothing, sees nothing."""
    return user is None or not getattr(user, "is_authenticated", False) or not user.is_active


def roles_held(user: Any, *, today: date | None = None) -> tuple[object, ...]:
    """What decides ``user``'s scope on every day: whether they are active and a
    superuser, and the roles (role, unit) they hold ``today`` (the real date unless a test
    gives one).  Two users with the same answer have the same ``unit_scope`` on any day
    (``indicators.pages`` shares a page between them); an anonymous user holds nothing."""
    if _no_one(user):
        return ()
    day = today or timezone.localdate()
    held = RoleAssignment.objects.filter(user=user).filter(valid_on(day))
    roles = sorted(held.order_by().values_list("role", "unit_id"), key=repr)
    return (bool(user.is_superuser), tuple(roles))


def _worked_out(user: Any, on: date, today: date) -> UnitScope:
    grants: list[Grant] = []
    if user.is_superuser:
        grants.append(Grant("", ROLE_ACTIONS[Role.ADMIN]))
    assignments = RoleAssignment.objects.filter(user=user).filter(valid_on(today))
    for assignment in assignments.select_related("unit"):
        actions = ROLE_ACTIONS[Role(assignment.role)]
        if assignment.unit is None:
            grants.append(Grant("", actions))
            continue
        grants.extend(Grant(path, actions) for path in reach_on(assignment.unit, on))
    return UnitScope(on, tuple(grants))


def reach_on(unit: Unit, on: date) -> list[str]:
    """The paths, in the tree of ``on``, of what a role held at ``unit`` reaches.

    - ``unit`` stood on ``on``: its own path.
    - Before ``unit`` existed (a ward formed on 1/7/2025, looked at in 2024): what became
      part of it — the units of its level it took over *wholly* (a ward merged into it
      entirely), and every unit that sat under it on its first day and already stood on
      ``on`` (the villages that moved into it).  A predecessor it took only part of is
      reached through those villages alone, never whole.
    - After ``unit`` closed (a ward abolished on 1/7/2025, looked at today): only what
      was under it on its last day and still stands (its villages, wherever they went);
      never its successors.
    """
    version = UnitVersion.objects.filter(unit=unit).filter(valid_on(on)).first()
    if version is not None:
        return [version.path]
    if on < unit.valid_from:
        first = UnitVersion.objects.filter(unit=unit).order_by("valid_from").first()
        whole = UnitSuccession.objects.filter(
            successor=unit, partial=False, predecessor__level=unit.level
        ).select_related("predecessor")
        paths = [path for link in whole for path in reach_on(link.predecessor, on)]
        edge = first
    else:
        paths = []
        edge = UnitVersion.objects.filter(unit=unit).order_by("-valid_from").first()
    if edge is None:
        return []
    day = edge.valid_from if on < unit.valid_from else (edge.valid_to or on)
    below = UnitVersion.objects.filter(valid_on(day), path__startswith=edge.path).exclude(
        unit_id=unit.pk
    )
    standing = UnitVersion.objects.filter(valid_on(on), unit_id__in=below.values("unit_id"))
    paths += standing.values_list("path", flat=True)
    return _topmost(paths)


def _topmost(paths: Iterable[str]) -> list[str]:
    """``paths`` without those that lie under another of them.  In text order the paths
    under a path (each ends with its dot) follow it without a break, so each is compared
    with the last one kept only."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept
