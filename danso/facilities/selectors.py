"""Reads of health facilities and their inspections, through the reader's scope.

A facility is seen by whoever may see its commune as the tree stood on the scope's day
(``UnitScope.q`` on the commune's version of that day); a facility whose commune did not
stand that day is not seen.  Facilities and inspections are not personal data: nothing
here is masked or logged.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from danso.facilities.models import Facility, Inspection
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from danso.units.scope import Action, UnitScope
from danso.units.selectors import CODE_ORDER


class FacilityNotFound(LookupError):
    """No facility has that number, or its commune did not stand on the day looked at."""


class FacilityOutOfScope(PermissionError):
    """The facility exists but the reader may not see it (or act on it)."""


def _communes(scope: UnitScope, action: Action, under: str = "") -> QuerySet[UnitVersion]:
    """The versions on ``scope.on`` of the units ``scope`` allows ``action`` on (under
    the path ``under``)."""
    rows = UnitVersion.objects.filter(valid_on(scope.on)).filter(scope.q(action))
    return rows.filter(path__startswith=under) if under else rows


def facilities_visible(scope: UnitScope, action: Action = Action.VIEW) -> QuerySet[Facility]:
    """The facilities of the communes ``scope`` allows ``action`` on, on ``scope.on``."""
    return Facility.objects.filter(unit_id__in=_communes(scope, action).values("unit_id"))


@dataclass(frozen=True)
class FacilityRow:
    """A facility of a list, with its commune as it stood on the day looked at and its
    counts in the year."""

    facility: Facility
    commune: UnitVersion
    inspections: int
    violations: int


def facilities_under(version: UnitVersion, scope: UnitScope, year: int) -> list[FacilityRow]:
    """The facilities of the communes at or under ``version`` that ``scope`` shows, by
    commune then name, each with its inspections and the inspections that found a
    violation in ``year``.  Empty when ``version`` lies outside the scope.  Three
    queries whatever the number of facilities."""
    if not scope.allows(Action.VIEW, version):
        return []
    communes = {
        v.unit_id: v for v in _communes(scope, Action.VIEW, version.path).select_related("unit")
    }
    in_year = Q(inspections__date__year=year)
    rows = (
        Facility.objects.filter(unit_id__in=list(communes))
        .annotate(
            year_inspections=Count("inspections", filter=in_year),
            year_violations=Count("inspections", filter=in_year & Q(inspections__violation=True)),
        )
        .order_by("unit_id", "name", "id")
    )
    found = [
        FacilityRow(
            facility=f,
            commune=communes[f.unit_id],
            inspections=f.year_inspections,
            violations=f.year_violations,
        )
        for f in rows
    ]
    found.sort(key=lambda r: (len(r.commune.code), r.commune.code, r.facility.name.casefold()))
    return found


def facility_of(
    facility_id: int, scope: UnitScope, action: Action = Action.VIEW
) -> tuple[Facility, UnitVersion]:
    """The facility ``facility_id`` and its commune on ``scope.on``; raises
    ``FacilityNotFound`` (no such facility, or its commune did not stand that day) or
    ``FacilityOutOfScope`` (the scope does not allow ``action`` on the commune)."""
    facility = Facility.objects.select_related("unit").filter(pk=facility_id).first()
    if facility is None:
        raise FacilityNotFound(facility_id)
    commune = (
        UnitVersion.objects.filter(valid_on(scope.on), unit_id=facility.unit_id)
        .select_related("unit")
        .first()
    )
    if commune is None:
        raise FacilityNotFound(facility_id)
    if not scope.allows(action, commune):
        raise FacilityOutOfScope(facility_id)
    return facility, commune


def inspection_of(
    inspection_id: int, scope: UnitScope, action: Action = Action.VIEW
) -> tuple[Inspection, UnitVersion]:
    """The inspection ``inspection_id`` and its facility's commune on ``scope.on``;
    raises as ``facility_of``."""
    inspection = (
        Inspection.objects.select_related("facility__unit").filter(pk=inspection_id).first()
    )
    if inspection is None:
        raise FacilityNotFound(inspection_id)
    _facility, commune = facility_of(inspection.facility_id, scope, action)
    return inspection, commune


def inspections_of(facility: Facility, scope: UnitScope) -> QuerySet[Inspection]:
    """The inspections of ``facility``, newest first; none when the reader may not see
    its commune on ``scope.on``."""
    if not facilities_visible(scope).filter(pk=facility.pk).exists():
        return Inspection.objects.none()
    return facility.inspections.select_related("inspected_by").order_by("-date", "-id")


def communes_for_facilities(version: UnitVersion, scope: UnitScope) -> QuerySet[UnitVersion]:
    """The communes at or under ``version`` (on ``scope.on``) in which the reader may
    register facilities, by code."""
    return (
        _communes(scope, Action.EDIT_VILLAGES, version.path)
        .filter(unit__level=Level.COMMUNE)
        .select_related("unit")
        .order_by(*CODE_ORDER)
    )


@dataclass(frozen=True)
class YearTotals:
    facilities: int
    inspected: int
    inspections: int
    violations: int


def year_totals(rows: list[FacilityRow]) -> YearTotals:
    """The totals of a list of ``facilities_under``."""
    return YearTotals(
        facilities=len(rows),
        inspected=sum(1 for r in rows if r.inspections),
        inspections=sum(r.inspections for r in rows),
        violations=sum(r.violations for r in rows),
    )
