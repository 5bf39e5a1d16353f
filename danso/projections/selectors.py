"""Reads of projections through the reader's unit scope.

A projection belongs to its unit **as the unit stood on the base date**: the reader's
scope is taken on that day (``accounts.scope.unit_scope``), so a district officer keeps
seeing the district's projections made with base dates before 1/7/2025, and a ward
officer whose ward was formed later sees none of the district's.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from danso.accounts.scope import unit_scope
from danso.projections.models import Projection, Scenario
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from danso.units.scope import Action, UnitScope
from danso.units.selectors import scope_roots, versions_on


class ProjectionOutOfScope(PermissionError):
    """The projection exists but its unit is outside the reader's scope."""


def projection_allows(user: Any, projection: Projection, action: Action = Action.VIEW) -> bool:
    return unit_scope(user, projection.base_date).allows(action, projection.path)


def projection_for(user: Any, projection_id: int, action: Action = Action.VIEW) -> Projection:
    """The projection, if the reader may do ``action`` on its unit; raises
    ``Projection.DoesNotExist`` or ``ProjectionOutOfScope``."""
    projection = Projection.objects.select_related("unit", "life_table").get(pk=projection_id)
    if not projection_allows(user, projection, action):
        raise ProjectionOutOfScope(projection_id)
    return projection


def projections_visible(user: Any) -> QuerySet[Projection]:
    """Every projection the reader may see, newest first (one scope per base date)."""
    allowed = Q(pk__in=[])
    for day in Projection.objects.order_by().values_list("base_date", flat=True).distinct():
        scope = unit_scope(user, day)
        if scope.is_everything():
            allowed |= Q(base_date=day)
            continue
        for path in scope.paths(Action.VIEW):
            allowed |= Q(base_date=day, path__startswith=path)
    return Projection.objects.filter(allowed).select_related("unit")


def unit_version(projection: Projection) -> UnitVersion:
    """The projection's unit as it stood on the base date."""
    version = (
        UnitVersion.objects.filter(valid_on(projection.base_date), unit_id=projection.unit_id)
        .select_related("unit")
        .first()
    )
    if version is None:  # the unit's versions never change retroactively
        raise UnitVersion.DoesNotExist(projection.unit_id)
    return version


def scenarios_to_compare(user: Any, scenario_ids: list[int]) -> list[Scenario]:
    """The scenarios asked for, in the order asked, if the reader sees them all and they
    are of one unit; raises ``ProjectionOutOfScope`` or ``ValueError`` otherwise."""
    found = {
        s.pk: s
        for s in Scenario.objects.filter(pk__in=scenario_ids).select_related(
            "projection", "projection__unit"
        )
    }
    scenarios = [found[i] for i in scenario_ids if i in found]
    if not scenarios:
        raise ValueError("no scenario")
    if len({s.projection.unit_id for s in scenarios}) > 1:
        raise ValueError("scenarios of different units")
    for projection in {s.projection_id: s.projection for s in scenarios}.values():
        if not projection_allows(user, projection):
            raise ProjectionOutOfScope(projection.pk)
    return scenarios


def units_to_project(scope: UnitScope, action: Action = Action.EDIT_PLANS) -> list[UnitVersion]:
    """Units offered in the form: the reader's top units and the two levels below them
    on ``scope.on`` (villages are reached by their id), parents before their children."""
    near = Q(pk__in=[])
    for root in scope_roots(scope):
        depth = root.path.count(".")
        near |= Q(path__startswith=root.path, path__regex=rf"^([0-9]+\.){{{depth},{depth + 2}}}$")
    rows = (
        versions_on(scope.on)
        .filter(near)
        .filter(scope.q(action))
        .exclude(unit__level__in=[Level.COUNTRY, Level.VILLAGE])
    )
    # parents before children, siblings by id (the reference load follows the codes)
    return sorted(rows, key=lambda v: [int(part) for part in v.path.split(".") if part])
