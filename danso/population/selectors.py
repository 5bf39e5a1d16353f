"""Reads of population figures, through the reader's unit scope."""

from __future__ import annotations

from django.db.models import QuerySet

from danso.population.models import PopulationFigure
from danso.units.models import UnitVersion, valid_on
from danso.units.scope import Action, UnitScope


def figures_visible(scope: UnitScope) -> QuerySet[PopulationFigure]:
    """Figures of the units the scope shows on ``scope.on`` (any year)."""
    visible = UnitVersion.objects.filter(valid_on(scope.on)).filter(scope.q(Action.VIEW))
    return PopulationFigure.objects.filter(unit_id__in=visible.values("unit_id")).select_related(
        "unit"
    )


def figures_of(version: UnitVersion, scope: UnitScope) -> QuerySet[PopulationFigure]:
    """The figures of the unit of ``version``, newest year first; empty outside the scope."""
    if not scope.allows(Action.VIEW, version):
        return PopulationFigure.objects.none()
    return PopulationFigure.objects.filter(unit_id=version.unit_id).order_by("-year")
