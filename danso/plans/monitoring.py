"""Achievement of a plan's targets: the plan's unit and each unit it allocated to, the
register's figures against the targets (``indicators.achievement.judge``, on what the
figures rest on: ``indicators.coverage.judged``), and the
targets a unit's dashboard shows (``targets_of``, provided to the indicators' dashboard
through ``indicators.targets``, so that the indicators never import the plans).

The tree is the one of the plan (``plans.selectors.units_day``): the units a plan
allocates to are those valid on its date, and their figures are computed under that
tree.  Only what the reader may see is returned (``plans.selectors``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from danso.indicators import cache
from danso.indicators.achievement import STATUS_VI, Actual, Judgement, Status
from danso.indicators.coverage import Coverage, judged
from danso.indicators.engine import UnitFigures, Value
from danso.indicators.periods import Period
from danso.indicators.targets import TargetOnUnit
from danso.plans.models import Allocation, Plan, Target
from danso.plans.selectors import Access, allocations_visible, plan_access, units_day
from danso.units.models import UnitVersion, valid_on


@dataclass(frozen=True)
class MonitorRow:
    version: UnitVersion
    target: Target
    target_value: float | None
    value: Value | None
    judgement: Judgement
    coverage: Coverage | None = None

    def as_dict(self) -> dict[str, Any]:
        # the value, its interval and flag written as the engine writes them
        value = self.value.as_dict() if self.value is not None else {}
        if self.coverage is not None and not self.coverage.has_data:
            value["value"] = None  # no data is no figure, never 0
        return {
            "unit_code": self.version.display_code,
            "unit_name": self.version.name,
            "indicator": self.target.indicator.code,
            "kind": self.target.kind,
            "target": self.target_value,
            "expected_to_date": self.judgement.expected,
            "actual": value.get("value"),
            "ci_low": value.get("ci_low"),
            "ci_high": value.get("ci_high"),
            "small_numbers": value.get("small_numbers"),
            "status": str(self.judgement.status),
            "status_label": STATUS_VI[self.judgement.status],
            "reason": self.judgement.reason,
            "coverage": None if self.coverage is None else self.coverage.as_dict(),
        }


def _actual(value: Value | None) -> Actual:
    if value is None:
        return Actual(None)
    return Actual(value.value, value.interval.low, value.interval.high, value.small_numbers)


def _row(
    figures: UnitFigures,
    target: Target,
    target_value: float | None,
    period: Period,
    baseline: float | None,
) -> MonitorRow:
    code = target.indicator.code
    value = next((v for v in figures.values if v.indicator == code), None)
    if target_value is None:
        judgement = Judgement(Status.CANNOT_JUDGE, None, "Không có chỉ tiêu.")
    else:
        judgement = judged(
            target.kind,
            target_value,
            _actual(value),
            figures.coverage,
            months=period.months,
            tolerance=float(target.tolerance) if target.tolerance is not None else None,
            baseline=baseline,
            direction=target.indicator.direction,
            wording=target.text,
        )
    return MonitorRow(figures.version, target, target_value, value, judgement, figures.coverage)


def monitor(plan: Plan, period: Period, user: Any) -> list[MonitorRow]:
    """Every target of ``plan`` against the register, for the plan's unit (when the reader
    sees it whole) and the units it allocated to (those the reader may see; ``user`` is a
    person or ``accounts.scope.SYSTEM``)."""
    access = plan_access(user, plan)
    if access is Access.NONE:
        return []
    on: date = units_day(plan)
    version = UnitVersion.objects.select_related("unit").get(valid_on(on), unit_id=plan.unit_id)
    cells = list(allocations_visible(user, plan))
    child_ids = {cell.unit_id for cell in cells}
    children = list(
        UnitVersion.objects.filter(valid_on(on), unit_id__in=child_ids).select_related("unit")
    )
    figures = cache.figures(version, period, tree_date=on, children=children, coverage=True)
    by_unit = {child.version.unit_id: child for child in figures.children}
    baselines = _baselines(plan, version, children, on)
    targets = list(plan.targets.select_related("indicator").order_by("order", "pk"))
    rows: list[MonitorRow] = []
    for target in targets:
        if access >= Access.FULL:
            rows.append(
                _row(
                    figures,
                    target,
                    float(target.value),
                    period,
                    baselines.get((plan.unit_id, target.pk)),
                )
            )
        for cell in _cells_of(cells, target):
            child = by_unit.get(cell.unit_id)
            if child is not None:
                value = None if cell.value is None else float(cell.value)
                rows.append(
                    _row(child, target, value, period, baselines.get((cell.unit_id, target.pk)))
                )
    return rows


def _cells_of(cells: list[Allocation], target: Target) -> list[Allocation]:
    return sorted((c for c in cells if c.target_id == target.pk), key=lambda c: c.unit_id)


def _baselines(
    plan: Plan, version: UnitVersion, children: list[UnitVersion], on: date
) -> dict[tuple[int, int], float]:
    """The baseline year's values of the change targets, from the register."""
    found: dict[tuple[int, int], float] = {}
    for target in plan.targets.select_related("indicator").filter(kind="change"):
        if not target.baseline_year:
            continue
        figures = cache.figures(
            version, Period.year_of(target.baseline_year), tree_date=on, children=children
        )
        for unit_figures in [figures, *figures.children]:
            value = next(
                (v for v in unit_figures.values if v.indicator == target.indicator.code), None
            )
            if value is not None and value.value is not None and not value.small_numbers:
                found[(unit_figures.version.unit_id, target.pk)] = value.value
    return found


# ----------------------------------------------------------- the targets of a dashboard


@dataclass(frozen=True)
class TargetStatus:
    """A target of an issued plan against the register, for one unit."""

    row: MonitorRow
    plan: Plan
    handed_down: bool  # a cell given by the plan of the unit above, not the unit's own

    @property
    def status(self) -> Status:
        return self.row.judgement.status

    @property
    def code(self) -> str:
        return self.row.target.indicator.code

    @property
    def kind(self) -> str:
        return self.row.target.kind


def plans_in_force(unit_id: int, year: int) -> list[Plan]:
    """The issued plans of ``unit_id`` that cover ``year``."""
    return list(
        Plan.objects.filter(
            unit_id=unit_id,
            status=Plan.Status.ISSUED,
            period_start__lte=year,
            period_end__gte=year,
        ).order_by("period_start", "pk")
    )


def targets_of(
    version: UnitVersion, period: Period, user: Any
) -> tuple[list[TargetOnUnit], list[TargetOnUnit]]:
    """(the unit's own targets and those handed to it from above, the targets its plans
    handed to the units below), as far as ``user`` may see them.  Cells left empty in a
    plan's grid are no targets and are left out."""
    own: list[TargetOnUnit] = []
    below: list[TargetOnUnit] = []
    for plan in plans_in_force(version.unit_id, period.year):
        for row in monitor(plan, period, user):
            if row.target_value is None:
                continue
            mine = row.version.unit_id == version.unit_id
            (own if mine else below).append(TargetStatus(row, plan, handed_down=False))
    if version.parent_id is not None:
        for plan in plans_in_force(version.parent_id, period.year):
            own += [
                TargetStatus(row, plan, handed_down=True)
                for row in monitor(plan, period, user)
                if row.version.unit_id == version.unit_id and row.target_value is not None
            ]
    return own, below
