"""Reads of data elements, data sets and their values, through the reader's scope."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from danso.datasets.models import DataElement, DataSet, DataValue, ValueType
from danso.indicators.periods import Period
from danso.units.models import UnitVersion, valid_on
from danso.units.scope import Action, UnitScope


def data_sets() -> QuerySet[DataSet]:
    """Every data set (definitions are the province's, not personal: everyone reads
    them)."""
    return DataSet.objects.prefetch_related("members__element").order_by("code")


def data_elements() -> QuerySet[DataElement]:
    return DataElement.objects.order_by("code")


def number_elements() -> frozenset[str]:
    """The codes of the elements whose values add up: those an indicator may read."""
    return frozenset(
        DataElement.objects.filter(value_type=ValueType.NUMBER).values_list("code", flat=True)
    )


def values_of(
    data_set: DataSet, version: UnitVersion, period: Period, scope: UnitScope
) -> dict[tuple[int, str], DataValue]:
    """The values ``version``'s unit reported in ``data_set`` for ``period``, by (element
    id, breakdown option); nothing outside the reader's scope."""
    if not scope.allows(Action.VIEW, version):
        return {}
    rows = DataValue.objects.filter(
        data_set=data_set, unit_id=version.unit_id, period=str(period)
    ).select_related("entered_by", "element")
    return {(row.element_id, row.option): row for row in rows}


def reported(
    data_set: DataSet, unit_ids: list[int], periods: list[str]
) -> dict[tuple[int, str], int]:
    """How many of ``data_set``'s elements each unit reported for each period (callers
    pass only units in the reader's scope)."""
    rows = (
        DataValue.objects.filter(data_set=data_set, unit_id__in=unit_ids, period__in=periods)
        .values_list("unit_id", "period")
        .annotate(n=Count("element_id", distinct=True))
        .order_by()
    )
    return {(unit, period): n for unit, period, n in rows}


def element_totals(
    codes: frozenset[str], versions: Sequence[UnitVersion], period: Period, on: date
) -> dict[int, dict[str, float | None]]:
    """For each of ``versions`` (by unit id), the total of each number element of
    ``codes`` reported by the units at or under it in the tree of ``on``, over the
    reports that fall within ``period`` (a quarter adds up its months); None for an
    element nobody under it reported for the period (no report is no figure, never 0).

    The indicators call it through ``danso.indicators.defined`` for every unit they
    compute: it reads no person and has no scope of its own (the figures it adds to are
    scoped where they are shown)."""
    elements = dict(
        DataElement.objects.filter(code__in=codes, value_type=ValueType.NUMBER).values_list(
            "id", "code"
        )
    )
    result: dict[int, dict[str, float | None]] = {v.unit_id: dict.fromkeys(codes) for v in versions}
    if not elements or not versions:
        return result
    # the units under the versions asked for, as a sub-select: the database reads the
    # tree, Python only the units that reported (a province's tree is ten thousand rows)
    under = Q()
    for root in _topmost([v.path for v in versions]):
        under |= Q(path__startswith=root)
    units_under = UnitVersion.objects.filter(valid_on(on)).filter(under).values("unit_id")
    sums = list(
        DataValue.objects.filter(
            element_id__in=list(elements),
            unit_id__in=units_under,
            start__gte=period.start,
            end__lte=period.end,
        )
        .values_list("unit_id", "element_id")
        .annotate(total=Sum("number"))
        .order_by()
    )
    if not sums:
        return result
    paths = dict(
        UnitVersion.objects.filter(
            valid_on(on), unit_id__in={unit_id for unit_id, _e, _t in sums}
        ).values_list("unit_id", "path")
    )
    by_path: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for unit_id, element_id, total in sums:
        if total is not None:
            by_path[paths[unit_id]][elements[element_id]] = total
    for version in versions:
        totals = result[version.unit_id]
        for path, reported in by_path.items():
            if not path.startswith(version.path):
                continue
            for code, total in reported.items():
                totals[code] = (totals[code] or 0.0) + float(total)
    return result


def _topmost(paths: list[str]) -> list[str]:
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept
