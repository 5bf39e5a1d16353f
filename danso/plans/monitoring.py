"""Achievement of a plan's targets: the plan's unit and each unit it allocated to, the
register's figures against the targets (``indicators.achievement.judge``, on what the
figures rest on: ``indicators.coverage.judged``), and the
targets a unit's dashboard shows (``targets_of``, provided to the indicators' dashboard
through ``indicators.targets``, so that the indicators never import the plans).

The tree is the one of the plan (``plans.selectors.units_day``): the units a plan
allocates to are those valid on its date, and their figures are computed under that
tree.  Only what the reader may see is returned (``plans.selectors``).

**Across a reform** (``plans.carried``): a unit that took over units the plan allocated
to carries their cells from the reform on.  Its carried rows follow the allocated ones,
for every period ending on or after the reform's date, judged against the engine's
figures of the successor for the whole period (the engine counts the predecessors'
leaves for it before the reform: villages that moved exactly, the rest by population
share, marked estimated), so that the split year is the predecessors' part before the
reform and the successor's own after it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from danso.accounts.scope import actor_scope
from danso.indicators import cache
from danso.indicators.achievement import STATUS_VI, Actual, Judgement, Status
from danso.indicators.baselines import Baseline, entered_baselines
from danso.indicators.coverage import THRESHOLD, Coverage, judged
from danso.indicators.engine import UnitFigures, Value
from danso.indicators.periods import Period
from danso.indicators.targets import TargetOnUnit
from danso.plans.breakdowns import NEWFP, part_value, parts_of
from danso.plans.carrying import remaining_months
from danso.plans.models import Allocation, CarriedAllocation, Plan, Target
from danso.plans.selectors import (
    Access,
    allocations_visible,
    carried_visible,
    plan_access,
    units_day,
)
from danso.units.models import UnitVersion, valid_on
from danso.units.scope import Action
from danso.vietnamese import format_number


@dataclass(frozen=True)
class MonitorRow:
    version: UnitVersion
    target: Target
    target_value: float | None
    value: Value | None
    judgement: Judgement
    coverage: Coverage | None = None
    #: the carried cell this row judges (a successor's, across a reform), else None
    carried: CarriedAllocation | None = None
    #: a change target's baseline: the register's, else one entered (``indicators.baselines``)
    baseline: Baseline | None = None
    #: a part of a count target's breakdown this row judges ("iud", "free" …), else None
    #: (``plans.breakdowns``)
    part: str | None = None

    def as_dict(self) -> dict[str, Any]:
        # the value, its interval and flag written as the engine writes them
        value = self.value.as_dict() if self.value is not None else {}
        entered = value.get("source") == "entered"  # data elements alone: no register needed
        if self.coverage is not None and not self.coverage.has_data and not entered:
            value["value"] = None  # no data is no figure, never 0
        return {
            "unit_code": self.version.display_code,
            "unit_name": self.version.name,
            "indicator": self.code,
            "part": self.part,
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
            "carried": None if self.carried is None else _carried_dict(self.carried),
            "baseline": None if self.baseline is None else self.baseline.as_dict(),
        }

    @property
    def code(self) -> str:
        """The indicator judged: the target's, or its part's ("NEWFP.iud")."""
        code = self.target.indicator.code
        return code if self.part is None else f"{code}.{self.part}"


def _carried_dict(row: CarriedAllocation) -> dict[str, Any]:
    return {
        "effective": row.effective.isoformat(),
        "source": row.source,
        "exact": row.exact,
        "from": [entry.get("name") for entry in row.basis if not entry.get("itself")],
        "rest_of_year": None if row.rest_of_year is None else float(row.rest_of_year),
        "reason": row.reason,
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
    baseline: Baseline | None,
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
            None if value is not None and value.source == "entered" else figures.coverage,
            months=period.months,
            tolerance=float(target.tolerance) if target.tolerance is not None else None,
            baseline=None if baseline is None else baseline.value,
            direction=target.indicator.direction,
            wording=target.text,
        )
        if target.kind == "change":
            judgement = replace(
                judgement, reason=_baseline_said(judgement.reason, target, baseline)
            )
    return MonitorRow(
        figures.version, target, target_value, value, judgement, figures.coverage, baseline=baseline
    )


def _baseline_said(reason: str, target: Target, baseline: Baseline | None) -> str:
    """A change target's reason, saying which baseline it rests on, or how to give one."""
    if baseline is not None:
        return f"{reason} {baseline.text}"
    return f"{reason} " + _(
        "No baseline for %(year)s: enter it with its source (the plan's baselines screen, or "
        "danso indicators baseline)."
    ) % {"year": target.baseline_year}


def monitor(plan: Plan, period: Period, user: Any, *, parts: bool = False) -> list[MonitorRow]:
    """Every target of ``plan`` against the register, for the plan's unit (when the reader
    sees it whole) and the units it allocated to (those the reader may see; ``user`` is a
    person or ``accounts.scope.SYSTEM``).  With ``parts``, each row of a contraceptive
    target broken down by method and supply is followed by a row per part
    (``plans.breakdowns``), judged as the total is."""
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
    carried = carried_rows(plan, period, user, parts=parts)
    # a unit that continued and took others over: its carried cell replaces its own
    replaced = {(row.target.pk, row.version.unit_id) for row in carried}
    cells = [cell for cell in cells if (cell.target_id, cell.unit_id) not in replaced]
    rows: list[MonitorRow] = []
    for target in targets:
        if access >= Access.FULL:
            row = _row(
                figures,
                target,
                float(target.value),
                period,
                baselines.get((plan.unit_id, target.pk)),
            )
            rows += [row, *(_part_rows(row, figures, target.breakdown, period) if parts else [])]
        for cell in _cells_of(cells, target):
            child = by_unit.get(cell.unit_id)
            if child is not None:
                value = None if cell.value is None else float(cell.value)
                row = _row(child, target, value, period, baselines.get((cell.unit_id, target.pk)))
                rows += [row, *(_part_rows(row, child, cell.breakdown, period) if parts else [])]
    return rows + carried


def _part_rows(
    row: MonitorRow, figures: UnitFigures, breakdown: dict[str, Any] | None, period: Period
) -> list[MonitorRow]:
    """The rows of the methods and supplies of a contraceptive count target's ``row``
    (``plans.breakdowns``), each judged as a count against its own part, on the same
    coverage as the total."""
    target = row.target
    if target.indicator.code != NEWFP or target.kind != "count_min" or not breakdown:
        return []
    found: list[MonitorRow] = []
    for part, aim in parts_of(breakdown):
        value = part_value(figures, part)
        judgement = judged(
            "count_min",
            float(aim),
            _actual(value),
            None if value is not None and value.source == "entered" else figures.coverage,
            months=period.months,
        )
        found.append(
            replace(row, target_value=float(aim), value=value, judgement=judgement, part=part)
        )
    return found


def carried_rows(
    plan: Plan, period: Period, user: Any, only: set[int] | None = None, *, parts: bool = False
) -> list[MonitorRow]:
    """The cells of ``plan`` carried by successors of its units that apply to ``period``
    (those that began by its last day, the latest of each target and successor), as far
    as ``user`` may see them (``selectors.carried_visible``, and the successor itself on
    the day its figures are counted in; ``only``: these successors), judged against each
    successor's figures for the whole period under its own tree."""
    latest: dict[tuple[int, int], CarriedAllocation] = {}
    for row in carried_visible(user, plan):
        if row.effective <= period.end and (only is None or row.unit_id in only):
            latest[row.target_id, row.unit_id] = row  # ordered by effective date
    found: list[MonitorRow] = []
    figures: dict[int, UnitFigures | None] = {}
    for (_target, unit_id), row in sorted(
        latest.items(), key=lambda item: (item[1].target.order, item[1].target_id)
    ):
        unit = row.unit
        if unit.valid_to is not None and unit.valid_to < period.start:
            continue  # closed before the period: its own successors carry it on
        if unit_id not in figures:
            day = max(min(period.end, unit.valid_to or period.end), unit.valid_from)
            version = UnitVersion.objects.select_related("unit").get(valid_on(day), unit=unit)
            # the successor's figures, to those who see it on the day they are counted in
            seen = actor_scope(user, day).allows(Action.VIEW, version)
            figures[unit_id] = (
                cache.figures(version, period, tree_date=day, coverage=True) if seen else None
            )
        unit_figures = figures[unit_id]
        if unit_figures is None:
            continue
        target = row.target
        baseline = _carried_baseline(target, unit_figures.version)
        judged = replace(
            _row(unit_figures, target, float(row.value), period, baseline), carried=row
        )
        found.append(judged)
        if parts:
            found += _part_rows(judged, unit_figures, row.breakdown, period)
    # stable: each row's parts stay after it
    return sorted(found, key=lambda r: (r.target.order, r.target.pk, r.version.display_code))


def _carried_baseline(target: Target, version: UnitVersion) -> Baseline | None:
    """The baseline year's value of a change target for a successor, from the register
    (its predecessors' leaves, as the engine counts them for it), else entered for it."""
    if target.kind != "change" or not target.baseline_year:
        return None
    figures = cache.figures(
        version, Period.year_of(target.baseline_year), tree_date=version.valid_from, coverage=True
    )
    found = _baseline_value(figures, target)
    if found is not None:
        return found
    entered = entered_baselines([version.unit_id], target.indicator.code, target.baseline_year)
    return entered.get(version.unit_id)


def _cells_of(cells: list[Allocation], target: Target) -> list[Allocation]:
    return sorted((c for c in cells if c.target_id == target.pk), key=lambda c: c.unit_id)


def _baselines(
    plan: Plan, version: UnitVersion, children: list[UnitVersion], on: date
) -> dict[tuple[int, int], Baseline]:
    """The baseline year's values of the change targets: the register's where it has a
    figure for the year (``_baseline_value``), else the one entered for the unit
    (``indicators.baselines``); none where neither is known, never 0."""
    found: dict[tuple[int, int], Baseline] = {}
    for target in plan.targets.select_related("indicator").filter(kind="change"):
        if not target.baseline_year:
            continue
        figures = cache.figures(
            version,
            Period.year_of(target.baseline_year),
            tree_date=on,
            children=children,
            coverage=True,
        )
        units = [figures, *figures.children]
        entered = entered_baselines(
            [f.version.unit_id for f in units], target.indicator.code, target.baseline_year
        )
        for unit_figures in units:
            unit_id = unit_figures.version.unit_id
            baseline = _baseline_value(unit_figures, target) or entered.get(unit_id)
            if baseline is not None:
                found[(unit_id, target.pk)] = baseline
    return found


def _baseline_value(figures: UnitFigures, target: Target) -> Baseline | None:
    """The value of ``target``'s indicator in the baseline year's ``figures``, when it
    can serve as a baseline: counted on data covering the unit (a register newer than
    the year has none: not 0), not too few events."""
    coverage = figures.coverage
    if coverage is not None and (
        not coverage.has_data or (coverage.share is not None and coverage.share < THRESHOLD)
    ):
        return None
    value = next((v for v in figures.values if v.indicator == target.indicator.code), None)
    if value is None or value.value is None or value.small_numbers:
        return None
    return Baseline(figures.period.year, value.value)


# ----------------------------------------------------------- the targets of a dashboard


@dataclass(frozen=True)
class TargetStatus:
    """A target of an issued plan against the register, for one unit."""

    row: MonitorRow
    plan: Plan | CarriedPlan  # a carried target's plan says what it was carried from
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


def targets_of(
    version: UnitVersion, period: Period, user: Any
) -> tuple[list[TargetOnUnit], list[TargetOnUnit]]:
    """(the unit's own targets and those handed to it from above — among them the cells
    it carries of the plans of units it took over —, the targets its plans handed to the
    units below), as far as ``user`` may see them.  Cells left empty in a plan's grid
    are no targets and are left out."""
    own: list[TargetOnUnit] = []
    below: list[TargetOnUnit] = []
    # one query for the three kinds of plans (the unit's, its parent's, those it carries)
    plans = _plans_for(version, period)
    for plan in (p for p in plans if p.unit_id == version.unit_id):
        for row in monitor(plan, period, user):
            if row.target_value is None:
                continue
            mine = row.version.unit_id == version.unit_id
            (own if mine else below).append(_status(row, plan, handed_down=False))
    for plan in (p for p in plans if version.parent_id and p.unit_id == version.parent_id):
        own += [
            _status(row, plan, handed_down=True)
            for row in monitor(plan, period, user)
            if row.version.unit_id == version.unit_id and row.target_value is not None
        ]
    for plan in (p for p in plans if p.unit_id not in (version.unit_id, version.parent_id)):
        own += [
            _status(row, plan, handed_down=True)
            for row in carried_rows(plan, period, user, only={version.unit_id})
        ]
    return own, below


def _plans_for(version: UnitVersion, period: Period) -> list[Plan]:
    """The issued plans covering ``period``'s year of ``version``'s unit and of its
    parent, and those of which the unit carries cells by the period's
    last day."""
    mine = Q(unit_id=version.unit_id)
    if version.parent_id is not None:
        mine |= Q(unit_id=version.parent_id)
    carries = Q(targets__carried__unit_id=version.unit_id) & Q(
        targets__carried__effective__lte=period.end
    )
    return list(
        Plan.objects.filter(
            mine | carries,
            status=Plan.Status.ISSUED,
            period_start__lte=period.year,
            period_end__gte=period.year,
        )
        .distinct()
        .order_by("period_start", "pk")
    )


def _status(row: MonitorRow, plan: Plan, *, handed_down: bool) -> TargetStatus:
    if row.carried is not None:
        return TargetStatus(row, CarriedPlan(plan, row.carried), handed_down)
    return TargetStatus(row, plan, handed_down)


class CarriedPlan:
    """The plan of a carried target as a dashboard names it: the plan itself (its number,
    title… are the plan's), and what the target was carried from, when and how
    (``carried_text``, ``carried_note``, ``carried_basis``)."""

    def __init__(self, plan: Plan, carried: CarriedAllocation) -> None:
        self.plan = plan
        self.carried_cell = carried

    def __getattr__(self, name: str) -> Any:
        if name in ("plan", "carried_cell"):
            raise AttributeError(name)
        return getattr(self.plan, name)

    @property
    def carried_text(self) -> str:
        """ "Chỉ tiêu kế thừa từ đơn vị cũ (Ngọc Thụy, Bồ Đề) từ 01/07/2025"."""
        return _("Target carried over from the former units (%(units)s) from %(day)s") % {
            "units": self.carried_cell.from_names,
            "day": f"{self.carried_cell.effective:%d/%m/%Y}",
        }

    @property
    def carried_note(self) -> str:
        """Exact or estimated, and adjusted by the level above."""
        cell = self.carried_cell
        note = (
            _("exact: taken over wholly or through the villages that moved")
            if cell.exact
            else _("estimated by population share")
        )
        if not cell.derived:
            note += " · " + _("adjusted by the level above: %(reason)s") % {"reason": cell.reason}
        return note

    @property
    def carried_rest(self) -> str:
        """For a count, the part of the year after the reform: "6 tháng cuối năm
        (01/07–31/12/2025): 6.671" (the year's target is judged whole, its first part
        counted in the units it came from)."""
        cell = self.carried_cell
        if cell.rest_of_year is None:
            return ""
        end = date(cell.effective.year, 12, 31)
        months = remaining_months(cell.effective.month, cell.effective.day)
        if months == 0:
            return ""
        start = date(end.year, 13 - months, 1)
        return _("the last %(months)s months (%(start)s–%(end)s): %(value)s") % {
            "months": months,
            "start": f"{start:%d/%m}",
            "end": f"{end:%d/%m/%Y}",
            "value": format_number(
                cell.rest_of_year, _places(format(cell.rest_of_year.normalize(), "f"))
            ),
        }

    @property
    def carried_basis(self) -> str:
        """Each unit it was carried from: its value and the share that came here."""
        return "; ".join(basis_line(entry) for entry in self.carried_cell.basis)


def basis_line(entry: dict[str, Any]) -> str:
    """One predecessor of a carried cell, in words: "Phường Ngọc Thụy: 1.200 × 25,0 %
    (ước tính)"."""
    value = entry.get("value")
    shown = "—" if value is None else format_number(Decimal(value), _places(value))
    share = format_number(float(entry.get("share") or 0) * 100, 1)
    how = (
        _("wholly") if entry.get("whole") else _("exact") if entry.get("exact") else _("estimated")
    )
    return f"{entry.get('name', '')}: {shown} × {share} % ({how})"


def _places(value: str) -> int:
    return len(value.partition(".")[2])
