"""The allocation grid: the units below × the plan's targets, as the screen shows it and
as a form posts it back."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from danso.indicators.catalogue import METHOD_NAMES_VI, METHODS, SUPPLY_NAMES_VI
from danso.numberfields import number_problem
from danso.plans.models import Allocation, CarriedAllocation, Plan, Target
from danso.units.models import UnitVersion
from danso.vietnamese import parse_number


@dataclass(frozen=True)
class Column:
    target: Target
    method: str | None = None
    part: str | None = None  # "total" | "free" | "social_marketing" (with a supply split)

    @property
    def key(self) -> str:
        return "-".join(str(x) for x in (self.target.pk, self.method, self.part) if x)

    @property
    def whole(self) -> bool:
        """Whether the column holds a whole number: a count, or a method's part of one."""
        return self.method is not None or bool(self.target.indicator.is_count)

    @property
    def label(self) -> str:
        if self.method is None:
            return str(self.target.indicator.name_vi)
        label = METHOD_NAMES_VI[self.method]
        if self.part and self.part != "total":
            label += f" · {SUPPLY_NAMES_VI[self.part]}"
        return label

    def read(self, row: Target | Allocation | CarriedAllocation | None) -> Decimal | None:
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


@dataclass(frozen=True)
class PreviewCell:
    """A cell of a grid showing a proposal: the value shown, what the cell holds now, and
    whether it is one of the proposal's (not saved)."""

    column: Column
    value: Decimal | None
    stored: Decimal | None
    proposed: bool


@dataclass
class Row:
    version: UnitVersion
    cells: list[tuple[Column, Decimal | None]] = field(default_factory=list)
    preview: list[PreviewCell] = field(default_factory=list)


@dataclass
class Grid:
    plan: Plan
    columns: list[Column]
    parent: list[tuple[Column, Decimal | None]]
    rows: list[Row]
    #: The target whose cells show a proposal, not saved (None: the stored grid).
    proposed: Target | None = None


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


def with_proposal(
    grid: Grid, target: Target, proposal: dict[int, tuple[Decimal, dict[str, Any] | None]]
) -> Grid:
    """``grid`` showing ``proposal`` ({unit id: (value, breakdown)}) in the columns of
    ``target`` beside what they hold now: a preview, nothing saved."""
    rows = []
    for row in grid.rows:
        shown = proposal.get(row.version.unit_id)
        preview = []
        for column, stored in row.cells:
            if column.target.pk != target.pk or shown is None:
                preview.append(PreviewCell(column, stored, stored, proposed=False))
                continue
            value, breakdown = shown
            cell = Allocation(target=target, value=value, breakdown=breakdown)
            preview.append(PreviewCell(column, column.read(cell), stored, proposed=True))
        rows.append(Row(row.version, row.cells, preview))
    return Grid(grid.plan, grid.columns, grid.parent, rows, proposed=target)


@dataclass
class CarriedCell:
    """A cell of a successor's row: the carried cell of the column's target (None: it
    carries nothing of it), and the column's value read from it."""

    column: Column
    carried: CarriedAllocation | None
    value: Decimal | None
    may_adjust: bool = False


@dataclass
class CarriedRow:
    version: UnitVersion  # the successor as it stood on ``effective``
    cells: list[CarriedCell]


@dataclass
class CarriedBlock:
    """The successors that carry cells of the plan from one day (a reform) on."""

    effective: date
    rows: list[CarriedRow]


def build_carried(
    grid: Grid,
    carried: list[CarriedAllocation],
    versions: dict[tuple[int, date], UnitVersion],
    adjustable: set[int],
) -> list[CarriedBlock]:
    """Below the grid, per effective date, one row per successor with the grid's columns
    (``versions``: each successor on its effective date; ``adjustable``: the ids of the
    carried cells the reader may adjust)."""
    by_day: dict[date, dict[int, dict[int, CarriedAllocation]]] = defaultdict(dict)
    for row in carried:
        by_day[row.effective].setdefault(row.unit_id, {})[row.target_id] = row
    blocks = []
    for day in sorted(by_day):
        rows = []
        for unit_id, cells in by_day[day].items():
            version = versions[(unit_id, day)]
            row_cells = []
            for column in grid.columns:
                found = cells.get(column.target.pk)
                row_cells.append(
                    CarriedCell(
                        column,
                        found,
                        column.read(found),
                        found is not None and found.pk in adjustable and column.method is None,
                    )
                )
            rows.append(CarriedRow(version, row_cells))
        rows.sort(key=lambda r: (len(r.version.code), r.version.code, r.version.name))
        blocks.append(CarriedBlock(day, rows))
    return blocks


def parse_value(raw: str, column: Column, convention: str | None = None) -> Decimal | None:
    """A number of ``column`` as typed in the grid or pasted, by ``danso.vietnamese``'s
    rule (``convention``: the one a pasted block told); empty is None.  Raises
    ``ValueError`` (``AmbiguousNumber`` for one that reads two ways)."""
    text = raw.strip()
    if text.endswith("%") and column.method is None and column.target.unit == "%":
        text = text[:-1].strip()  # Excel copies a percentage cell as "87,5%"
    if not text:
        return None
    return parse_number(text, whole=column.whole, convention=convention)


def breakdown_of(
    target: Target, values: dict[Column, Decimal | None], columns: list[Column]
) -> dict[str, Any]:
    """The methods (and supplies) of ``target`` among ``values``, as an allocation's
    breakdown: {"iud": 120} or {"iud": {"total": 120, "free": 100}}."""
    breakdown: dict[str, Any] = {}
    for column in columns:
        if column.target.pk != target.pk or column.method is None:
            continue
        part = values.get(column)
        if part is None:
            continue
        if column.part is None:
            breakdown[column.method] = int(part)
        else:
            breakdown.setdefault(column.method, {})[column.part] = int(part)
    return breakdown


def breakdown_total(breakdown: dict[str, Any]) -> Decimal:
    """The sum of a breakdown's methods: the row's total when only they are given."""
    return Decimal(
        sum((cell["total"] if isinstance(cell, dict) else cell) or 0 for cell in breakdown.values())
    )


def parse_post(
    grid: Grid, data: Any
) -> tuple[dict[tuple[int, int], tuple[Decimal | None, dict[str, Any] | None]], list[str]]:
    """The cells of a posted grid: {(target id, unit id): (value, breakdown)}, and the
    problems ("Phường X, IUD: 1,500 can be read two ways: …")."""
    cells: dict[tuple[int, int], tuple[Decimal | None, dict[str, Any] | None]] = {}
    problems: list[str] = []
    for row in grid.rows:
        values: dict[Column, Decimal | None] = {}
        refused: set[int] = set()
        for column, _old in row.cells:
            raw = data.get(f"c-{column.key}-{row.version.unit_id}", "")
            try:
                values[column] = parse_value(raw, column)
            except ValueError as error:
                refused.add(column.target.pk)
                problems.append(
                    f"{row.version.name}, {column.label}: "
                    + number_problem(raw.strip(), error, whole=column.whole)
                )
        for column, _old in row.cells:
            if column.method is not None or column.target.pk in refused:
                continue
            breakdown = breakdown_of(column.target, values, grid.columns)
            value = values.get(column)
            if breakdown and value is None:
                value = breakdown_total(breakdown)
            cells[(column.target.pk, row.version.unit_id)] = (value, breakdown or None)
    return cells, problems
