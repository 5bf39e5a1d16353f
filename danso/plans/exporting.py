"""A stored plan back as a ``PlanDocument``, for the .docx and .xlsx writers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from danso.indicators.catalogue import METHOD_NAMES_VI, METHODS, SUPPLY_NAMES_VI
from danso.plans.document import (
    ActivitySpec,
    AllocationColumn,
    AllocationRow,
    Appendix,
    DocumentRef,
    PlanDocument,
    ReportRule,
    Section,
    SectionKind,
    TargetKind,
    TargetSpec,
)
from danso.plans.models import Allocation, Plan, PlanAppendix, Target
from danso.plans.services import children_of


def plan_document(plan: Plan) -> PlanDocument:
    targets = list(plan.targets.select_related("indicator"))
    return PlanDocument(
        issuer=plan.issuer,
        number=plan.number,
        issued_on=plan.issued_on,
        place=plan.place,
        title=plan.title,
        period_start=plan.period_start,
        period_end=plan.period_end,
        preamble=plan.preamble,
        references=[
            DocumentRef(r.number, r.issued_on, r.issuer, r.title, r.text)
            for r in plan.references.all()
        ],
        targets=[_target_spec(t) for t in targets],
        sections=[
            Section(SectionKind(s.kind), s.heading, s.body, s.number, s.agency_name)
            for s in plan.sections.all()
        ],
        report_rules=[
            ReportRule(o.text, o.period, o.rule, o.day, o.month, o.days, o.recipient)
            for o in plan.obligations.all()
        ],
        activities=[
            ActivitySpec(
                a.group,
                a.number,
                a.name,
                a.window,
                a.start,
                a.end,
                a.recurrence or None,
                a.lead,
                a.coordinating,
            )
            for a in plan.activities.all()
        ],
        appendices=_appendices(plan, targets),
        signer_title=plan.signer_title,
        signer_name=plan.signer_name,
        recipients=list(plan.recipients or []),
    )


def plain(value: Decimal) -> Decimal:
    """A stored Decimal as it would be written: 416950.0000 → 416950, 0.1500 → 0.15."""
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()


def _target_spec(target: Target) -> TargetSpec:
    return TargetSpec(
        indicator=target.indicator.code,
        kind=TargetKind(target.kind),
        value=plain(target.value),
        unit=target.unit,
        baseline_year=target.baseline_year,
        tolerance=plain(target.tolerance) if target.tolerance is not None else None,
        condition=target.condition,
        text=target.text,
        breakdown=target.breakdown,
    )


def _appendices(plan: Plan, targets: list[Target]) -> list[Appendix]:
    """The stored layouts, or one table per kind of target (rates, then contraceptive
    counts) when the plan was made in danso."""
    allocations = list(
        Allocation.objects.filter(target__plan=plan).select_related("target__indicator")
    )
    if not allocations:
        return []
    layouts = list(plan.appendices.all())
    if not layouts:
        layouts = _default_layouts(plan, targets, allocations)
    children = children_of(plan)
    by_cell = {(a.target.indicator.code, a.unit_id): a for a in allocations}
    target_by_code = {t.indicator.code: t for t in targets}
    out = []
    for layout in layouts:
        columns = [
            AllocationColumn(
                c["key"],
                c["indicator"],
                TargetKind(c["kind"]),
                c["unit"],
                c["header"],
                c.get("method"),
                c.get("supply"),
            )
            for c in layout.columns
        ]
        rows = []
        total_values = {
            c.key: _cell(target_by_code.get(c.indicator), c, total=True) for c in columns
        }
        rows.append(AllocationRow(0, layout.total_label or "Tổng", total_values, is_total=True))
        for number, version in enumerate(children, start=1):
            values = {c.key: _cell(by_cell.get((c.indicator, version.unit_id)), c) for c in columns}
            if any(v is not None for v in values.values()):
                rows.append(AllocationRow(number, version.name, values, number=str(number)))
        out.append(Appendix(layout.number, layout.title, columns, rows, layout.source))
    return out


def _cell(
    row: Target | Allocation | None, column: AllocationColumn, total: bool = False
) -> Decimal | None:
    if row is None:
        return None
    value = row.value
    if column.method is not None:
        cell: Any = (row.breakdown or {}).get(column.method)
        part = column.supply or "total"
        raw = cell.get(part) if isinstance(cell, dict) else (cell if part == "total" else None)
        return plain(Decimal(str(raw))) if raw is not None else None
    # Signed, as in TargetSpec; the writer prints a reduction's size.
    return plain(value) if value is not None else None


def _default_layouts(
    plan: Plan, targets: list[Target], allocations: list[Allocation]
) -> list[PlanAppendix]:
    allocated = {a.target.indicator.code for a in allocations}
    rates = [t for t in targets if t.indicator.code in allocated and not t.indicator.is_count]
    counts = [t for t in targets if t.indicator.code in allocated and t.indicator.is_count]
    layouts = []
    if rates:
        layouts.append(
            PlanAppendix(
                number=1,
                title=f"GIAO CHỈ TIÊU DÂN SỐ NĂM {plan.period_start}",
                total_label="Tổng",
                columns=[
                    {
                        "key": t.indicator.code,
                        "indicator": t.indicator.code,
                        "kind": t.kind,
                        "unit": t.unit,
                        "header": f"{t.indicator.name_vi} ({t.unit})",
                    }
                    for t in rates
                ],
            )
        )
    for target in counts:
        columns: list[dict[str, Any]] = [
            {
                "key": "NEWFP",
                "indicator": target.indicator.code,
                "kind": target.kind,
                "unit": target.unit,
                "header": "Tổng số",
            }
        ]
        split = any(isinstance(v, dict) for v in (target.breakdown or {}).values())
        for method in METHODS:
            if method not in (target.breakdown or {}):
                continue
            parts = ("total", "free", "social_marketing") if split else ("total",)
            for part in parts:
                columns.append(
                    {
                        "key": f"NEWFP.{method}" + (f".{part}" if split else ""),
                        "indicator": target.indicator.code,
                        "kind": target.kind,
                        "unit": target.unit,
                        "method": method,
                        "supply": part if split else None,
                        "header": METHOD_NAMES_VI[method]
                        + (f" / {SUPPLY_NAMES_VI[part]}" if split else ""),
                    }
                )
        layouts.append(
            PlanAppendix(
                number=len(layouts) + 1,
                title=f"GIAO CHỈ TIÊU BIỆN PHÁP TRÁNH THAI NĂM {plan.period_start}",
                total_label="Tổng",
                columns=columns,
            )
        )
    return layouts
