"""What an appendix gives each child unit: per indicator, a value and, for new
contraceptive users, the breakdown by method.

- NEWFP: the value is the row's grand total ("Tổng số"), or the sum of the method
  totals when the table has no such column; the breakdown is ``{"iud": 1050, …}``, or
  with the supply split ``{"iud": {"total": 2980, "free": 90, "social_marketing":
  2890}, …}``.
- any other indicator: the value only (a change already signed: -0.45).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from danso.indicators.catalogue import METHODS
from danso.plans.document import AllocationColumn, AllocationRow, Appendix, TargetKind
from danso.vietnamese import fold

Breakdown = dict[str, dict[str, Decimal | None] | Decimal | None]


@dataclass(frozen=True)
class Allocation:
    """One indicator's figure for one child unit."""

    indicator: str
    kind: TargetKind
    unit: str  # "%", "‰", "persons"…
    value: Decimal | None
    breakdown: Breakdown | None = None


@dataclass
class UnitAllocations:
    """A child unit's figures, by indicator code, as one or more appendix rows give them."""

    unit_name: str  # as first written
    number: str
    line: int
    indicators: dict[str, Allocation] = field(default_factory=dict)


def allocations(appendix: Appendix) -> list[UnitAllocations]:
    """Each non-total row's figures, in the table's order."""
    groups: dict[str, list[AllocationColumn]] = {}
    for column in appendix.columns:
        groups.setdefault(column.indicator, []).append(column)
    out = []
    for row in appendix.rows:
        if row.is_total:
            continue
        unit = UnitAllocations(row.unit_name, row.number, row.line)
        for indicator, columns in groups.items():
            unit.indicators[indicator] = _allocation(indicator, columns, row)
        out.append(unit)
    return out


def allocations_by_unit(appendices: Sequence[Appendix]) -> dict[str, UnitAllocations]:
    """The figures of all appendices merged per child unit, keyed by the folded unit
    name: "Ứng Hòa" in appendix 1 and "Ứng Hoà" in appendix 2 are one unit.  Matching
    the names to official units is the caller's business."""
    merged: dict[str, UnitAllocations] = {}
    for appendix in appendices:
        for unit in allocations(appendix):
            key = fold(unit.unit_name)
            if key in merged:
                merged[key].indicators.update(unit.indicators)
            else:
                merged[key] = unit
    return merged


def _allocation(
    indicator: str, columns: Sequence[AllocationColumn], row: AllocationRow
) -> Allocation:
    first = columns[0]
    if indicator != "NEWFP":
        return Allocation(indicator, first.kind, first.unit, row.values.get(first.key))
    breakdown: Breakdown = {}
    grand: Decimal | None = None
    has_grand = False
    for method in METHODS:
        parts = {c.supply: row.values.get(c.key) for c in columns if c.method == method}
        if not parts:
            continue
        if set(parts) <= {None}:
            breakdown[method] = parts[None]
        else:
            split = {supply or "total": value for supply, value in parts.items()}
            if "total" not in split and None not in split.values():
                split["total"] = sum((v for v in split.values() if v is not None), Decimal(0))
            breakdown[method] = {
                supply: split.get(supply)
                for supply in ("total", "free", "social_marketing")
                if supply in split
            }
    for column in columns:
        if column.method is None:
            grand, has_grand = row.values.get(column.key), True
    if not has_grand:
        grand = _sum_of_methods(breakdown)
    return Allocation(indicator, first.kind, first.unit, grand, breakdown or None)


def _sum_of_methods(breakdown: Breakdown) -> Decimal | None:
    totals = [cell.get("total") if isinstance(cell, dict) else cell for cell in breakdown.values()]
    if not totals or any(total is None for total in totals):
        return None
    return sum((total for total in totals if total is not None), Decimal(0))
