"""The consistency checks of a plan's allocation, worded for people (shown beside the
grid, printed by ``danso plans check``).

- counts add up in every cell (each row's total = its methods, each method = free +
  social marketing, each column = the parent's);
- rates: the children's values weighted by their denominators reach the parent's level
  (or stay under a ceiling); a child below the parent is normal;
- changes: checked on the levels they imply (baseline + change);
- every unit below has its target;
- the allocation was issued by its due date;
- a plan that implements its parent's allocation is at least as ambitious as what it was
  given ("bằng hoặc cao hơn chỉ tiêu được giao").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from danso.indicators.catalogue import METHOD_NAMES_VI, SUPPLY_NAMES_VI
from danso.indicators.models import IndicatorValue
from danso.plans.allocation import (
    ALL,
    CountCell,
    Finding,
    change_problems,
    count_problems,
    level_problems,
)
from danso.plans.document import TargetKind
from danso.plans.models import Allocation, Plan, Target
from danso.plans.services import children_of
from danso.plans.weights import BASIS_LABELS, basis_for, weights
from danso.units.models import UnitVersion
from danso.vietnamese import format_number


@dataclass(frozen=True)
class Check:
    severity: str  # "error" | "warning" | "ok"
    where: str
    message: str
    target_id: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {"severity": self.severity, "where": self.where, "message": self.message}


def plan_checks(plan: Plan, today: date) -> list[Check]:
    checks: list[Check] = []
    children = children_of(plan)
    names = {v.unit_id: v.name for v in children}
    targets = list(plan.targets.select_related("indicator").prefetch_related("allocations"))
    for target in targets:
        allocations = [a for a in target.allocations.all() if a.unit_id in names]
        if not allocations:
            continue
        where = f"{target.indicator.code}"
        missing = [
            name
            for unit_id, name in names.items()
            if unit_id not in {a.unit_id for a in allocations}
        ]
        if missing:
            checks.append(
                Check(
                    "warning",
                    where,
                    _("No target yet for: %(names)s.") % {"names": ", ".join(missing)},
                    target.pk,
                )
            )
        checks += _target_checks(target, allocations, names, plan)
    checks += _deadline_checks(
        plan, today, bool(children) and any(t.allocations.exists() for t in targets)
    )
    checks += _implements_checks(plan)
    checks += _below_checks(plan, today, names)
    return checks


def _below_checks(plan: Plan, today: date, names: dict[int, str]) -> list[Check]:
    """Flag to this level the units below that have not handed their targets down in
    time (their own plan's allocation deadline), or have no plan yet."""
    given = set(Allocation.objects.filter(target__plan=plan).values_list("unit_id", flat=True))
    if not given:
        return []
    checks = []
    own_plans: dict[int, list[Plan]] = {}
    for child_plan in plan.implemented_by.all():
        own_plans.setdefault(child_plan.unit_id, []).append(child_plan)
    without = sorted(names.get(i, str(i)) for i in given if i not in own_plans)
    if without:
        checks.append(
            Check(
                "warning",
                _("units below"),
                _("No plan of their own in danso yet: %(names)s.") % {"names": ", ".join(without)},
            )
        )
    for unit_id in sorted(set(own_plans) & given, key=lambda i: names.get(i, "")):
        # A unit may have several plans implementing this one (a yearly plan, a
        # programme); it is late when those that hand targets down all missed the date.
        handing_down = [p for p in own_plans[unit_id] if p.allocation_due is not None]
        late = [
            p
            for p in handing_down
            if p.allocation_issued_on is None
            and p.allocation_due is not None
            and today > p.allocation_due
        ]
        if handing_down and len(late) == len(handing_down):
            due = min(p.allocation_due for p in late if p.allocation_due is not None)
            checks.append(
                Check(
                    "error",
                    names.get(unit_id, str(unit_id)),
                    _("Has not handed its targets down to the units below (due %(due)s).")
                    % {"due": f"{due:%d/%m/%Y}"},
                )
            )
    return checks


def _target_checks(
    target: Target, allocations: list[Allocation], names: dict[int, str], plan: Plan
) -> list[Check]:
    code = target.indicator.code
    kind = TargetKind(target.kind)
    if kind is TargetKind.COUNT_MIN or target.indicator.is_count:
        findings = count_problems(
            CountCell(target.value, target.breakdown),
            {names[a.unit_id]: CountCell(a.value, a.breakdown) for a in allocations},
        )
        if not findings:
            return [
                Check(
                    "ok",
                    code,
                    _("The units' targets add up to %(total)s.")
                    % {"total": format_number(target.value)},
                    target.pk,
                )
            ]
        return [_worded(f, code, target) for f in findings]
    values = {names[a.unit_id]: a.value for a in allocations if a.value is not None}
    basis = basis_for(code)
    unit_weights = weights([a.unit_id for a in allocations], basis, plan.period_start, code)
    by_name = {names[a.unit_id]: unit_weights[a.unit_id] for a in allocations}
    if kind is TargetKind.CHANGE:
        year = target.baseline_year or plan.period_start - 1
        baselines = _baselines([a.unit_id for a in allocations] + [plan.unit_id], code, year)
        findings = change_problems(
            target.value,
            baselines.get(plan.unit_id),
            values,
            {names[a.unit_id]: baselines.get(a.unit_id) for a in allocations},
            by_name,
        )
    elif kind in (TargetKind.LEVEL_MIN, TargetKind.CEILING, TargetKind.NEAR):
        findings = level_problems(
            kind.value, target.value, values, by_name, tolerance=target.tolerance
        )
    else:
        return []
    return [_worded(f, code, target, basis_label=str(BASIS_LABELS[basis])) for f in findings]


def _baselines(unit_ids: list[int], code: str, year: int) -> dict[int, Decimal]:
    rows = IndicatorValue.objects.filter(
        unit_id__in=unit_ids, indicator__code=code, period=str(year)
    ).values_list("unit_id", "value")
    return dict(rows)


def _worded(finding: Finding, code: str, target: Target, basis_label: str = "") -> Check:
    p = dict(finding.params)

    def n(name: str) -> str:
        value = Decimal(p[name])
        return format_number(value, 0 if value == value.to_integral_value() else 2)

    method = METHOD_NAMES_VI.get(p.get("method", ""), p.get("method", ""))
    units = {ALL: _("any unit below"), "": _("the issuing unit")}.get(
        p.get("units", ""), p.get("units", "")
    )
    messages = {
        "count_total": lambda: (
            _("The units' totals add up to %(c)s, not %(t)s.")
            % {"c": n("children"), "t": n("total")}
        ),
        "count_column": lambda: (
            _("%(m)s: the units add up to %(c)s, not %(t)s.")
            % {"m": method, "c": n("children"), "t": n("total")}
        ),
        "supply_column": lambda: (
            _("%(m)s, %(s)s: the units add up to %(c)s, not %(t)s.")
            % {
                "m": method,
                "s": SUPPLY_NAMES_VI.get(p.get("part", ""), ""),
                "c": n("children"),
                "t": n("total"),
            }
        ),
        "count_row": lambda: (
            _("The row's total %(t)s is not the sum of its methods, %(s)s.")
            % {"t": n("total"), "s": n("methods")}
        ),
        "supply_split": lambda: (
            _("%(m)s: %(t)s is not free %(f)s + social marketing %(s)s.")
            % {"m": method, "t": n("total"), "f": n("free"), "s": n("social")}
        ),
        "weights_missing": lambda: (
            _("Cannot check: no %(b)s figures for %(u)s.") % {"b": basis_label, "u": units}
        ),
        "baselines_missing": lambda: (
            _("Cannot check the levels this change implies: no %(y)s values for %(u)s.")
            % {"y": target.baseline_year, "u": units}
        ),
        "rate_level_min": lambda: (
            _("Weighted by %(b)s, the units' targets reach %(l)s, below the %(p)s to reach.")
            % {"b": basis_label, "l": n("level"), "p": n("parent")}
        ),
        "rate_ceiling": lambda: (
            _("Weighted by %(b)s, the units' targets come to %(l)s, above the ceiling of %(p)s.")
            % {"b": basis_label, "l": n("level"), "p": n("parent")}
        ),
        "rate_near": lambda: (
            _("Weighted by %(b)s, the units' targets come to %(l)s, not near %(p)s.")
            % {"b": basis_label, "l": n("level"), "p": n("parent")}
        ),
        "change_level_min": lambda: (
            _(
                "The levels implied (baseline + change) reach %(l)s, "
                "below the %(p)s implied for the whole."
            )
            % {"l": n("level"), "p": n("parent")}
        ),
        "change_ceiling": lambda: (
            _(
                "The levels implied (baseline + change) come to %(l)s, "
                "above the %(p)s implied for the whole."
            )
            % {"l": n("level"), "p": n("parent")}
        ),
    }
    ok = {
        "rate_level_min_ok",
        "rate_ceiling_ok",
        "rate_near_ok",
        "change_level_min_ok",
        "change_ceiling_ok",
    }
    if finding.code in ok:
        message = _(
            "Weighted by %(b)s, the units' targets come to %(l)s against %(p)s: consistent."
        ) % {"b": basis_label or "—", "l": n("level"), "p": n("parent")}
    else:
        message = messages[finding.code]()
    where = code if not finding.where else f"{code} · {finding.where}"
    if finding.where in METHOD_NAMES_VI:
        where = f"{code} · {METHOD_NAMES_VI[finding.where]}"
    return Check(finding.severity, where, message, target.pk)


def _deadline_checks(plan: Plan, today: date, allocated: bool) -> list[Check]:
    """Only plans that hand targets down, or were given a due date by hand, have an
    allocation deadline."""
    due = plan.allocation_due
    if due is None or (plan.allocation_issued_on is not None and plan.allocation_issued_on <= due):
        return []
    if plan.allocation_issued_on is not None:
        return [
            Check(
                "warning",
                _("deadline"),
                _("The allocation was issued on %(on)s, after its due date %(due)s.")
                % {"on": f"{plan.allocation_issued_on:%d/%m/%Y}", "due": f"{due:%d/%m/%Y}"},
            )
        ]
    if today > due:
        return [
            Check(
                "error",
                _("deadline"),
                _("The allocation to the units below was due on %(due)s and is not issued.")
                % {"due": f"{due:%d/%m/%Y}"},
            )
        ]
    if not allocated:
        return [
            Check(
                "warning",
                _("deadline"),
                _("The allocation is due on %(due)s.") % {"due": f"{due:%d/%m/%Y}"},
            )
        ]
    return []


def _implements_checks(plan: Plan) -> list[Check]:
    """Compare the plan's targets with what the parent's plan gave its unit."""
    parent = plan.implements
    if parent is None:
        return []
    given = {
        a.target.indicator.code: (a, TargetKind(a.target.kind))
        for a in Allocation.objects.filter(
            target__plan=parent, unit_id=plan.unit_id
        ).select_related("target__indicator")
    }
    checks = []
    for target in plan.targets.select_related("indicator"):
        code = target.indicator.code
        if code not in given or given[code][0].value is None:
            continue
        allocation, kind = given[code]
        assigned = allocation.value
        assert assigned is not None
        own = target.value
        ambitious = {
            TargetKind.LEVEL_MIN: own >= assigned,
            TargetKind.COUNT_MIN: own >= assigned,
            TargetKind.CEILING: own <= assigned,
            TargetKind.CHANGE: own <= assigned if assigned < 0 else own >= assigned,
        }.get(kind, True)
        words = {
            "own": format_number(own, 2 if own % 1 else 0),
            "given": format_number(assigned, 2 if assigned % 1 else 0),
            "plan": parent.number or parent.title[:60],
        }
        if ambitious:
            checks.append(
                Check(
                    "ok",
                    code,
                    _("%(own)s meets what %(plan)s gave this unit (%(given)s).") % words,
                    target.pk,
                )
            )
        else:
            checks.append(
                Check(
                    "error",
                    code,
                    _("%(own)s is less than what %(plan)s gave this unit (%(given)s).") % words,
                    target.pk,
                )
            )
    return checks


def children_names(plan: Plan) -> dict[int, UnitVersion]:
    return {v.unit_id: v for v in children_of(plan)}
