"""Import a plan document into danso: read it, match its units, store it.

``plan_import`` reads the file (``danso.plans.reading``), matches the appendix rows to
the units directly below the issuing unit as they stood on the plan's date, and — unless
it is a dry run or an error was found — stores the plan with its targets, allocations,
sections, references, report obligations and activity schedule in one transaction.  The
result has the shape of the ``danso plans import`` JSON output.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from danso import uploads
from danso.indicators.catalogue import METHODS
from danso.indicators.models import Indicator
from danso.plans import services
from danso.plans.document import (
    Appendix,
    PlanDocument,
    Problem,
    TargetKind,
    TargetSpec,
)
from danso.plans.limits import cell_problems, target_value_problem, worded
from danso.plans.models import Plan
from danso.plans.reading import read_plan
from danso.plans.reading.tables import appendix_label
from danso.plans.services import EARLIEST_UNITS
from danso.spreadsheets import Limits
from danso.units.codes import display_code
from danso.units.models import Unit, UnitVersion, valid_on
from danso.units.naming import match_names
from danso.uploads import Kind


@dataclass
class ChildAllocation:
    indicator: str
    kind: TargetKind
    unit: Unit
    version: UnitVersion
    value: Decimal | None
    breakdown: dict[str, Any] | None
    where: str


@dataclass
class PlanImportResult:
    document: PlanDocument
    plan: Plan | None = None
    targets: list[TargetSpec] = field(default_factory=list)
    allocations: list[ChildAllocation] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: the plan's date its units were matched on: the one given, else the document's own
    on: date | None = None

    @property
    def errors(self) -> list[Problem]:
        """The errors that stop the import (see ``Problem.blocking``)."""
        return [p for p in self.problems if p.severity == "error" and p.blocking]

    def as_dict(self) -> dict[str, Any]:
        """The JSON of ``danso plans import``."""
        plan = None
        if self.plan is not None:
            plan = {
                "id": self.plan.pk,
                "number": self.plan.number,
                "title": self.plan.title,
                "unit": display_code(self.plan.unit.level, _code(self.plan)),
                "year": self.plan.period_start,
            }
        return {
            "plan": plan,
            "date": self.on.isoformat() if self.on else None,
            "targets": [
                {
                    "indicator": t.indicator,
                    "kind": t.kind.value,
                    "value": number(t.value),
                    "unit": t.unit,
                    "baseline_year": t.baseline_year,
                }
                for t in self.targets
            ],
            "allocations": [
                {
                    "indicator": a.indicator,
                    "unit_code": a.version.display_code,
                    "unit_name": a.version.name,
                    "value": number(a.value) if a.value is not None else None,
                    "breakdown": a.breakdown or {},
                }
                for a in self.allocations
            ],
            "problems": [
                {"severity": p.severity, "where": p.where, "message": p.message}
                for p in self.problems
            ],
        }


def _code(plan: Plan) -> str:
    version = (
        UnitVersion.objects.filter(unit=plan.unit).filter(valid_on(plan.reference_date)).first()
        or plan.unit.versions.first()
    )
    return version.code if version else ""


def number(value: Decimal) -> int | float:
    """A Decimal for JSON: an int when whole (416950), else a float (0.15)."""
    return int(value) if value == value.to_integral_value() else float(value)


def plan_import(
    content: bytes,
    *,
    file_name: str,
    unit: Unit,
    on: date | None,
    user: Any = None,
    dry_run: bool = False,
    limits: Limits | None = None,
) -> PlanImportResult:
    """Read, match and (unless ``dry_run`` or an error) store a plan issued by ``unit``,
    its units taken as they stood on ``on`` — by default the date the document says it
    was issued (an error when it says none; a warning when ``on`` is another day).  A
    document over ``limits`` (else the site's for plans) is refused before it is read."""
    document = read_plan(content, file_name, limits=limits or uploads.limits(Kind.PLAN))
    result = PlanImportResult(document=document, problems=list(document.problems))
    written = document.issued_on
    if on is None:
        if written is None:
            result.problems.append(
                Problem(
                    "error",
                    file_name,
                    _(
                        "The document does not say the day it was issued: give the plan's "
                        "date (its units are taken as they stood that day)."
                    ),
                )
            )
            return result
        on = written
    elif written is not None and written != on:
        result.problems.append(
            Problem(
                "warning",
                file_name,
                _(
                    "The document says it was issued on %(written)s; its units are taken as "
                    "they stood on %(given)s, the date given."
                )
                % {"written": f"{written:%d/%m/%Y}", "given": f"{on:%d/%m/%Y}"},
                blocking=False,
            )
        )
    result.on = on
    units_day = on
    if on < EARLIEST_UNITS:
        units_day = EARLIEST_UNITS
        result.problems.append(
            Problem(
                "warning",
                file_name,
                _(
                    "The reference unit lists start on 07/05/2023; the units of this %(year)s plan "
                    "are matched as they stood on that day."
                )
                % {"year": on.year},
            )
        )
    children = {
        v.unit_id: v
        for v in UnitVersion.objects.filter(valid_on(units_day), parent_id=unit.pk).select_related(
            "unit"
        )
    }
    result.targets = _targets(document, on, result.problems)
    for appendix in document.appendices:
        result.allocations += _appendix_allocations(appendix, children, result.problems)
    _missing_children(result, children)
    if dry_run or result.errors:
        return result
    with transaction.atomic():
        result.plan = services.plan_create_from_document(
            document,
            unit=unit,
            on=on,
            targets=result.targets,
            allocations=[(a.indicator, a.unit, a.value, a.breakdown) for a in result.allocations],
            source_file=file_name,
            user=user,
        )
    return result


def plan_date(content: bytes, file_name: str, limits: Limits | None = None) -> date | None:
    """The day a plan document says it was issued ("Hà Nội, ngày 15 tháng 01 năm 2025"),
    or None: what the issuing unit's code is resolved on when no date is given."""
    return read_plan(content, file_name, limits=limits or uploads.limits(Kind.PLAN)).issued_on


def _targets(document: PlanDocument, on: date, problems: list[Problem]) -> list[TargetSpec]:
    """The headline targets, plus the parent's value of every appendix column the
    headline does not name (from the total row); a headline that disagrees with the
    total row is reported."""
    year = document.period_start or on.year
    targets = list(document.targets)
    named = {t.indicator: t for t in targets}
    known = set(Indicator.objects.values_list("code", flat=True))
    for target in targets:
        if target.indicator not in known:
            problems.append(
                Problem(
                    "error",
                    target.text[:80],
                    _("Unknown indicator %(code)s.") % {"code": target.indicator},
                )
            )
        problem = target_value_problem(target.kind, target.value, target.unit)
        if problem is not None:
            problems.append(
                Problem(
                    "error",
                    target.text[:80],
                    _("%(unit)s, %(column)s: %(problem)s")
                    % {
                        "unit": document.issuer or _("the plan"),
                        "column": target.indicator,
                        "problem": worded(problem),
                    },
                )
            )
    for appendix in document.appendices:
        total = next((row for row in appendix.rows if row.is_total), None)
        if total is None:
            continue
        for indicator, value, breakdown, kind, unit in _row_values(appendix, total):
            if value is None:
                continue
            headline = named.get(indicator)
            if headline is None:
                spec = TargetSpec(
                    indicator=indicator,
                    kind=kind,
                    value=value,
                    unit=unit,
                    baseline_year=year - 1 if kind is TargetKind.CHANGE else None,
                    text=f"{appendix.title}: {total.unit_name}",
                )
                targets.append(spec)
                named[indicator] = spec
                headline = spec
            elif abs(headline.value) != abs(value):
                problems.append(
                    Problem(
                        "warning",
                        f"{appendix.title}, {total.unit_name}",
                        _("The total row gives %(table)s for %(code)s, the plan's text %(text)s.")
                        % {"table": value, "code": indicator, "text": headline.value},
                    )
                )
            if breakdown and indicator == "NEWFP":
                headline.breakdown = dict(breakdown)
    return targets


def _row_values(
    appendix: Appendix, row: Any
) -> list[tuple[str, Decimal | None, dict[str, Any] | None, TargetKind, str]]:
    """(indicator, value, breakdown, kind, unit) of a row, one per indicator of the
    table: a count of contraceptive users is the sum of its methods (with their supply
    split when the table has it)."""
    by_indicator: dict[str, list[Any]] = defaultdict(list)
    for column in appendix.columns:
        by_indicator[column.indicator].append(column)
    out: list[tuple[str, Decimal | None, dict[str, Any] | None, TargetKind, str]] = []
    for indicator, columns in by_indicator.items():
        kind, unit = columns[0].kind, columns[0].unit
        if indicator != "NEWFP":
            out.append((indicator, row.values.get(columns[0].key), None, kind, unit))
            continue
        breakdown: dict[str, Any] = {}
        grand_total: Decimal | None = None
        for column in columns:
            value = row.values.get(column.key)
            if column.method is None:
                grand_total = value
            elif column.supply in (None, "total"):
                _put(breakdown, column.method, "total", value, split=column.supply is not None)
            else:
                _put(breakdown, column.method, column.supply, value, split=True)
        totals = [
            (cell["total"] if isinstance(cell, dict) else cell) for cell in breakdown.values()
        ]
        if grand_total is None and totals and all(t is not None for t in totals):
            grand_total = sum((Decimal(str(t)) for t in totals), Decimal(0))
        ordered = {m: _json_cell(breakdown[m]) for m in METHODS if m in breakdown}
        out.append((indicator, grand_total, ordered or None, kind, unit))
    return out


def _put(
    breakdown: dict[str, Any], method: str, part: str, value: Decimal | None, *, split: bool
) -> None:
    if split:
        cell = breakdown.setdefault(method, {})
        cell[part] = value
    else:
        breakdown[method] = value


def _json_cell(cell: Any) -> Any:
    if isinstance(cell, dict):
        return {k: number(v) if v is not None else None for k, v in cell.items()}
    return number(cell) if cell is not None else None


def _appendix_allocations(
    appendix: Appendix, children: dict[int, UnitVersion], problems: list[Problem]
) -> list[ChildAllocation]:
    rows = [row for row in appendix.rows if not row.is_total]
    names = {v.unit_id: v.name for v in children.values()}
    matched = match_names([row.unit_name for row in rows], names)
    seen: dict[int, int] = {}
    out: list[ChildAllocation] = []
    label = appendix_label(appendix)
    for row in rows:
        line_word = _("line")
        where = f"{label}, {line_word} {row.line}"
        unit_id = matched.get(row.unit_name)
        if unit_id is None:
            problems.append(
                Problem(
                    "error",
                    where,
                    _("%(name)s is not a unit directly below the issuing unit on the plan's date.")
                    % {"name": row.unit_name},
                )
            )
            continue
        if unit_id in seen:
            problems.append(
                Problem(
                    "error",
                    where,
                    _("%(name)s already has a row (line %(line)s).")
                    % {"name": row.unit_name, "line": seen[unit_id]},
                )
            )
            continue
        seen[unit_id] = row.line
        version = children[unit_id]
        for indicator, value, breakdown, kind, measure in _row_values(appendix, row):
            for problem in cell_problems(kind, measure, value, breakdown):
                problems.append(
                    Problem(
                        "error",
                        where,
                        _("%(unit)s, %(column)s: %(problem)s")
                        % {"unit": version.name, "column": indicator, "problem": problem},
                    )
                )
            out.append(
                ChildAllocation(indicator, kind, version.unit, version, value, breakdown, where)
            )
    return out


def _missing_children(result: PlanImportResult, children: dict[int, UnitVersion]) -> None:
    by_indicator: dict[str, set[int]] = defaultdict(set)
    for allocation in result.allocations:
        by_indicator[allocation.indicator].add(allocation.unit.pk)
    for indicator, given in by_indicator.items():
        missing = sorted(v.name for unit_id, v in children.items() if unit_id not in given)
        if missing:
            result.problems.append(
                Problem(
                    "warning",
                    indicator,
                    _("No %(code)s target for: %(names)s.")
                    % {"code": indicator, "names": ", ".join(missing)},
                )
            )
