"""The layout of an appendix table, shared by the .docx and .xlsx writers.

An allocation table has two leading columns, "TT" and "Tên đơn vị", then one column per
``AllocationColumn``.  A column's header is written as sub-headers joined with " / "
("Dụng cụ tử cung / Tổng số"): each sub-header is one header row, and neighbouring
columns that share their first sub-headers share one merged cell ("Dụng cụ tử cung" over
"Tổng số", "TĐ: Miễn phí", "TĐ: Tiếp thị xã hội và XHH").  A column with fewer
sub-headers than the deepest one has its last cell merged down to the last header row;
so do "TT" and "Tên đơn vị".

Numbers keep the decimals they were written with, the same for the whole column, and at
most the indicator's decimals ("0,00"… "0,45" for the share of third births, "89" for a
screening rate, "416.950" for a count).  A change column whose header says "giảm" holds
signed values (−0,45) but prints their size (0,45), as the plans do.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from danso.indicators.catalogue import BY_CODE, METHOD_NAMES_VI, SUPPLY_NAMES_VI
from danso.plans.document import ActivitySpec, AllocationColumn, Appendix, TargetKind
from danso.plans.writing.wording import (
    UNIT_IN_HEADER,
    decimals_of,
    indicator_name,
    number_text,
    roman,
    split_group,
)
from danso.vietnamese import fold

NUMBER_HEADER = "TT"
UNIT_HEADER = "Tên đơn vị"
SUBHEADER_JOIN = " / "
SCHEDULE_LABEL = "Biểu 1"
SCHEDULE_TITLE = "TIẾN ĐỘ THỰC HIỆN CÁC HOẠT ĐỘNG"
SCHEDULE_HEADERS = (
    "TT",
    "Nội dung công việc",
    "Thời gian thực hiện",
    "Đơn vị thực hiện",
    "Đơn vị phối hợp",
)


@dataclass(frozen=True)
class HeaderCell:
    """One (possibly merged) header cell: top-left ``row``/``col``, 0-based."""

    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1


def header_grid(headers: list[str]) -> tuple[int, list[HeaderCell]]:
    """The header rows of a table whose column headers are joined with " / ".

    Returns the number of header rows and the cells, merged as described above.

    >>> depth, cells = header_grid(["TT", "IUD / Tổng số", "IUD / Miễn phí"])
    >>> depth, [(c.row, c.col, c.text, c.rowspan, c.colspan) for c in cells][:2]
    (2, [(0, 0, 'TT', 2, 1), (0, 1, 'IUD', 1, 2)])
    """
    split = [[part.strip() for part in h.split(SUBHEADER_JOIN)] for h in headers]
    depth = max((len(parts) for parts in split), default=1)
    cells: list[HeaderCell] = []
    for row in range(depth):
        col = 0
        while col < len(split):
            parts = split[col]
            if len(parts) <= row:
                col += 1
                continue
            if row == len(parts) - 1:
                cells.append(HeaderCell(row, col, parts[row], rowspan=depth - row))
                col += 1
                continue
            end = col
            while (
                end + 1 < len(split)
                and len(split[end + 1]) > row + 1
                and split[end + 1][: row + 1] == parts[: row + 1]
            ):
                end += 1
            cells.append(HeaderCell(row, col, parts[row], colspan=end - col + 1))
            col = end + 1
    cells.sort(key=lambda c: (c.row, c.col))
    return depth, cells


def _falls(header: str) -> bool:
    return "giam" in fold(header).split() or fold(header).startswith("muc giam")


def column_header(column: AllocationColumn, values: list[Decimal | None]) -> str:
    """The header as written, or one made from the column's indicator, method and supply
    (in the words of ``catalogue.METHOD_NAMES_VI`` and ``SUPPLY_NAMES_VI``)."""
    if column.header.strip():
        return column.header.strip()
    if column.method:
        method = METHOD_NAMES_VI.get(column.method, column.method)
        if column.supply:
            return f"{method}{SUBHEADER_JOIN}{SUPPLY_NAMES_VI.get(column.supply, column.supply)}"
        return method
    if column.supply:
        return SUPPLY_NAMES_VI.get(column.supply, column.supply)
    spec = BY_CODE.get(column.indicator)
    if column.indicator == "NEWFP" or (spec is not None and spec.is_count):
        return "Tổng số"
    name = indicator_name(column.indicator)
    unit = UNIT_IN_HEADER.get(column.unit, column.unit)
    suffix = f" ({unit})" if unit else ""
    if column.kind == TargetKind.CHANGE:
        known = [v for v in values if v is not None and v != 0]
        verb = "giảm" if known and all(v < 0 for v in known) else "tăng"
        return f"Chỉ tiêu {verb} {name[:1].lower()}{name[1:]}{suffix}"
    return f"{name}{suffix}"


@dataclass(frozen=True)
class ColumnFormat:
    header: str
    decimals: int
    is_count: bool
    sign: int  # what a value is multiplied by before it is printed


def column_format(column: AllocationColumn, values: list[Decimal | None]) -> ColumnFormat:
    header = column_header(column, values)
    spec = BY_CODE.get(column.indicator)
    is_count = column.unit == "persons" or (spec is not None and spec.is_count)
    written = max((decimals_of(v) for v in values if v is not None), default=0)
    cap = 0 if is_count else (spec.decimals if spec is not None else 4)
    sign = 1
    if column.kind == TargetKind.CHANGE and _falls(header):
        known = [v for v in values if v is not None and v != 0]
        # A column of magnitudes (all ≥ 0) is printed as it is; signed falls are negated.
        sign = -1 if any(v < 0 for v in known) else 1
    return ColumnFormat(header, min(written, cap), is_count, sign)


def shown(value: Decimal | None, fmt: ColumnFormat) -> Decimal | None:
    """The number a cell holds: the value with the column's sign applied, rounded to the
    column's decimals."""
    if value is None:
        return None
    number = (value * fmt.sign).quantize(Decimal(1).scaleb(-fmt.decimals), ROUND_HALF_UP)
    return abs(number) if number == 0 else number  # no "-0"


def cell_text(value: Decimal | None, fmt: ColumnFormat) -> str:
    number = shown(value, fmt)
    return "" if number is None else number_text(number, fmt.decimals)


@dataclass(frozen=True)
class Row:
    number: str
    unit_name: str
    values: list[Decimal | None]
    is_total: bool


@dataclass(frozen=True)
class Layout:
    """An appendix ready to print: its header rows and its body rows."""

    headers: list[str]  # every column's header, "TT" and "Tên đơn vị" first
    depth: int
    header_cells: list[HeaderCell]
    formats: list[ColumnFormat]  # one per value column
    rows: list[Row]


def appendix_layout(appendix: Appendix) -> Layout:
    columns = appendix.columns
    values_by_column = [[row.values.get(c.key) for row in appendix.rows] for c in columns]
    formats = [column_format(c, v) for c, v in zip(columns, values_by_column, strict=True)]
    headers = [NUMBER_HEADER, UNIT_HEADER, *(f.header for f in formats)]
    depth, cells = header_grid(headers)
    rows = [
        Row(
            row.number.strip(),
            row.unit_name.strip(),
            [row.values.get(c.key) for c in columns],
            row.is_total,
        )
        for row in appendix.rows
    ]
    return Layout(headers, depth, cells, formats, rows)


def appendix_label(appendix: Appendix, index: int) -> str:
    return f"Phụ lục {appendix.number if appendix.number is not None else index + 1}"


@dataclass(frozen=True)
class ScheduleRow:
    cells: tuple[str, str, str, str, str]
    is_group: bool


def schedule_rows(activities: list[ActivitySpec]) -> list[ScheduleRow]:
    """The rows of the activity schedule: a bold group row whenever the group changes
    ("I | Công tác chỉ đạo điều hành"), then the group's activities."""
    rows: list[ScheduleRow] = []
    group: str | None = None
    groups = 0
    number = 0
    for activity in activities:
        if activity.group != group:
            group = activity.group
            number = 0
            if group.strip():
                groups += 1
                mark, name = split_group(group)
                rows.append(ScheduleRow((mark or roman(groups), name, "", "", ""), True))
        number += 1
        rows.append(
            ScheduleRow(
                (
                    activity.number.strip() or str(number),
                    activity.name.strip(),
                    activity.window.strip(),
                    activity.lead.strip(),
                    activity.coordinating.strip(),
                ),
                False,
            )
        )
    return rows
