"""The allocation grid: the units below × the plan's targets, as the screen shows it and
as a form posts it back."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from danso.indicators.catalogue import METHOD_NAMES_VI, METHODS, SUPPLY_NAMES_VI
from danso.plans.models import Allocation, Plan, Target
from danso.plans.services import parse_value
from danso.units.models import UnitVersion


@dataclass(frozen=True)
class Column:
    target: Target
    method: str | None = None
    part: str | None = None  # "total" | "free" | "social_marketing" (with a supply split)

    @property
    def key(self) -> str:
        return "-".join(str(x) for x in (self.target.pk, self.method, self.part) if x)

    @property
    def label(self) -> str:
        if self.method is None:
            return str(self.target.indicator.name_vi)
        label = METHOD_NAMES_VI[self.method]
        if self.part and self.part != "total":
            label += f" · {SUPPLY_NAMES_VI[self.part]}"
        return label

    def read(self, row: Target | Allocation | None) -> Decimal | None:
        if row is None:
            return None
        if self.method is None:
            return row.value
        cell: Any = (row.breakdown or {}).get(self.method)
        if isinstance(cell, dict):
            raw = cell.get(self.part or "total")
        else:
            raw = cell if self.part in (None, "total") else None
        return Decimal(str(raw)) if raw is not None else None


@dataclass
class Row:
    version: UnitVersion
    cells: list[tuple[Column, Decimal | None]] = field(default_factory=list)


@dataclass
class Grid:
    plan: Plan
    columns: list[Column]
    parent: list[tuple[Column, Decimal | None]]
    rows: list[Row]


def columns_of(targets: list[Target]) -> list[Column]:
    """One column per rate target; for a count with methods, one per method (and per
    supply when the target has the split), after the count's own total."""
    columns: list[Column] = []
    for target in targets:
        if target.kind == "all_children":
            continue
        columns.append(Column(target))
        breakdown = target.breakdown or {}
        split = any(isinstance(v, dict) for v in breakdown.values())
        for method in METHODS:
            if method not in breakdown:
                continue
            for part in ("total", "free", "social_marketing") if split else (None,):
                columns.append(Column(target, method, part))
    return columns


def build(
    plan: Plan,
    children: list[UnitVersion],
    allocations: list[Allocation],
    visible: set[int] | None = None,
) -> Grid:
    """The grid of ``plan``; ``visible`` limits the rows to those units (None: all)."""
    targets = list(plan.targets.select_related("indicator"))
    columns = columns_of(targets)
    by_cell = {(a.target_id, a.unit_id): a for a in allocations}
    rows = [
        Row(version, [(c, c.read(by_cell.get((c.target.pk, version.unit_id)))) for c in columns])
        for version in children
        if visible is None or version.unit_id in visible
    ]
    return Grid(plan, columns, [(c, c.read(c.target)) for c in columns], rows)


def parse_post(
    grid: Grid, data: Any
) -> tuple[dict[tuple[int, int], tuple[Decimal | None, dict[str, Any] | None]], list[str]]:
    """The cells of a posted grid: {(target id, unit id): (value, breakdown)}, and the
    problems ("Phường X, IUD: 'abc' is not a number")."""
    cells: dict[tuple[int, int], tuple[Decimal | None, dict[str, Any] | None]] = {}
    problems: list[str] = []
    for row in grid.rows:
        for column, _old in row.cells:
            if column.method is not None:
                continue
            target = column.target
            raw = data.get(f"c-{column.key}-{row.version.unit_id}", "")
            try:
                value = parse_value(raw, target)
            except ValueError:
                problems.append(f"{row.version.name}, {column.label}: {raw}")
                continue
            breakdown: dict[str, Any] = {}
            for part_column in (
                c for c, _v in row.cells if c.target.pk == target.pk and c.method is not None
            ):
                part_raw = data.get(f"c-{part_column.key}-{row.version.unit_id}", "")
                try:
                    part = parse_value(part_raw, target)
                except ValueError:
                    problems.append(f"{row.version.name}, {part_column.label}: {part_raw}")
                    continue
                if part is None:
                    continue
                assert part_column.method is not None
                if part_column.part is None:
                    breakdown[part_column.method] = int(part)
                else:
                    breakdown.setdefault(part_column.method, {})[part_column.part] = int(part)
            if breakdown and value is None:
                value = Decimal(
                    sum(
                        (cell["total"] if isinstance(cell, dict) else cell) or 0
                        for cell in breakdown.values()
                    )
                )
            cells[(target.pk, row.version.unit_id)] = (value, breakdown or None)
    return cells, problems
