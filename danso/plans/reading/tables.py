"""Allocation tables (phụ lục giao chỉ tiêu) from a grid of cells.

A table has a header of one or more rows starting at the row with "TT" / "Tên đơn
vị", then one row per child unit, and usually a total row ("Toàn Thành phố",
"Tổng").  A header cell merged over several columns ("Dụng cụ tử cung" over "Tổng
số / TĐ: Miễn phí / TĐ: Tiếp thị xã hội và XHH") is either repeated (xlsx, docx) or
written once with empty cells after it (txt); both read the same.  Each column's
header, its cells from top to bottom joined with " / ", names an indicator and a kind
through the catalogue's phrases, or a contraceptive method and supply source.

A change column is stored signed: "Chỉ tiêu giảm tỷ lệ sinh con thứ 3+ (%)" with
0,45 gives -0.45.  Figures that do not add up are errors, never silently kept or
dropped: a total row that is not the sum of the rows, a method whose total is not
free + social marketing, a grand total that is not the sum of the methods.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from danso.indicators.catalogue import BY_CODE, METHOD_NAMES_VI, Direction
from danso.plans.document import AllocationColumn, AllocationRow, Appendix, Problem, TargetKind
from danso.plans.reading.blocks import Grid, header_key, looks_like_header
from danso.plans.reading.numbers import Cell, cell_text, is_blank, parse_count, parse_rate
from danso.plans.reading.translation import _
from danso.plans.reading.words import (
    find_indicator,
    find_method,
    find_supply,
    fold_same_length,
    is_total_name,
)
from danso.vietnamese import fold

_HEADER_SEARCH = 8  # rows above the header: a spreadsheet's title rows
_NUMBER_HEADERS = ("tt", "stt", "so tt")
_NAME_WORDS = ("don vi", "ten", "dia phuong", "quan, huyen", "xa, phuong")
_IGNORED_HEADERS = ("ghi chu",)
_APPENDIX_NUMBER = re.compile(r"\bphu luc\s*(?:so\s*)?:?\s*(\d+)")
_SHEET_NUMBER = re.compile(r"(?:phu luc|pl)\s*(\d+)")
_ATTACHED = re.compile(r"\(kem theo[^)]*\)")


@dataclass(frozen=True)
class _Column:
    """A recognised column: where it is and how to read its cells."""

    index: int
    column: AllocationColumn
    sign: int  # -1 for a "giảm" change column: its figures are stored negated


@dataclass(frozen=True)
class _Layout:
    header_at: int
    data_at: int
    number_at: int | None
    name_at: int


def find_header_row(grid: Grid) -> int | None:
    """The index of the table's first header row, or None when no row looks like one."""
    for index, row in enumerate(grid.rows[:_HEADER_SEARCH]):
        if looks_like_header(row):
            return index
    return None


def appendix_label(appendix: Appendix) -> str:
    """How problems name ``appendix``: its title, else "Appendix 2"."""
    if appendix.title:
        return appendix.title
    return _("Appendix %(number)s") % {"number": appendix.number} if appendix.number else ""


def read_appendix(
    grid: Grid, header_at: int, default_number: int, problems: list[Problem]
) -> Appendix | None:
    """The allocation table of ``grid`` (its header at ``header_at``), checked; None,
    with an error, when its header names no indicator."""
    titles = [paragraph.text for paragraph in grid.titles]
    titles += [_row_text(row) for row in grid.rows[:header_at]]
    number = _appendix_number(titles, grid.sheet) or default_number
    label = _("Appendix %(number)s") % {"number": number}
    layout = _layout(grid, header_at)
    columns = _columns(grid, layout, label, problems)
    if not columns:
        header = " | ".join(cell_text(c) for c in grid.rows[header_at] if not is_blank(c))
        problems.append(
            Problem(
                "error",
                f"{label}, {grid.places[header_at]}",
                _("Table header not recognised: '%(header)s'.") % {"header": header},
            )
        )
        return None
    rows = _rows(grid, layout, columns, label, problems)
    appendix = Appendix(
        number=number,
        title=_title(titles),
        columns=[c.column for c in columns],
        rows=rows,
        source=grid.source,
    )
    places = dict(zip(grid.lines, grid.places, strict=True))
    problems += _total_problems(appendix, label, places)
    problems += _split_problems(appendix, label, places)
    return appendix


def attachment_text(grid: Grid) -> str:
    """The "(Kèm theo Kế hoạch số … ngày … của …)" words above a table, or ""."""
    for text in [paragraph.text for paragraph in grid.titles] + [
        _row_text(row) for row in grid.rows[:4]
    ]:
        match = _ATTACHED.search(fold_same_length(text.lower()))
        if match:
            return text[match.start() : match.end()]
    return ""


def _row_text(row: Sequence[Cell]) -> str:
    """A title row's words: a merged title repeats in every cell it covers."""
    texts: list[str] = []
    for cell in row:
        text = cell_text(cell)
        if text and text not in texts:
            texts.append(text)
    return " ".join(texts)


def _appendix_number(titles: Sequence[str], sheet: str) -> int | None:
    for text in titles:
        match = _APPENDIX_NUMBER.search(fold(text))
        if match:
            return int(match[1])
    match = _SHEET_NUMBER.search(fold(sheet))
    return int(match[1]) if match else None


def _title(titles: Sequence[str]) -> str:
    """The title lines without "Phụ lục N" and without "(Kèm theo …)"."""
    parts = []
    for text in titles:
        attached = _ATTACHED.search(fold_same_length(text.lower()))
        if attached:
            text = (text[: attached.start()] + text[attached.end() :]).strip()
        folded = fold_same_length(text.lower())
        numbered = re.match(r"^phu luc\s*(?:so\s*)?:?\s*\d+\s*[:.]?\s*", folded)
        if numbered:
            text = text[numbered.end() :]
        if text.strip():
            parts.append(text.strip())
    return " ".join(parts)


def _layout(grid: Grid, header_at: int) -> _Layout:
    header_rows = grid.rows[header_at : header_at + 3]
    number_at = _find_column(header_rows, lambda folded: folded in _NUMBER_HEADERS)
    name_at = _find_column(header_rows, lambda folded: any(w in folded for w in _NAME_WORDS))
    if name_at is None:
        name_at = 0 if number_at is None else number_at + 1
    skip = {name_at} | ({number_at} if number_at is not None else set())
    data_at = len(grid.rows)
    for index in range(header_at + 1, len(grid.rows)):
        row = grid.rows[index]
        if any(
            _is_number(cell) for i, cell in enumerate(row) if i not in skip
        ) and not _is_column_numbering(row):
            data_at = index
            break
    return _Layout(header_at, data_at, number_at, name_at)


def _find_column(rows: Sequence[Sequence[Cell]], test: Callable[[str], bool]) -> int | None:
    for row in rows:
        for index, cell in enumerate(row):
            if test(fold(cell_text(cell))):
                return index
    return None


def _is_number(cell: Cell) -> bool:
    try:
        parse_rate(cell)
    except ValueError:
        return False
    return True


def _is_column_numbering(row: Sequence[Cell]) -> bool:
    """Whether a row only numbers the columns: "(1) (2) (3)…" or "A B 1 2 3…"."""
    numbers = []
    for cell in row:
        text = cell_text(cell).strip("()")
        if not text:
            continue
        if not re.fullmatch(r"\d{1,2}|[A-Za-z]", text):
            return False
        if text.isdigit():
            numbers.append(int(text))
    return len(numbers) >= 2 and all(b == a + 1 for a, b in pairwise(numbers))


def _header_paths(grid: Grid, layout: _Layout) -> dict[int, list[str]]:
    """Each value column's header cells from top to bottom.  In a row above the last
    header row an empty cell is covered by the merged cell to its left."""
    rows = grid.rows[layout.header_at : layout.data_at]
    rows = [row for row in rows if not _is_column_numbering(row)]
    width = max((len(row) for row in grid.rows), default=0)
    skip = {layout.name_at, layout.number_at}
    paths: dict[int, list[str]] = {index: [] for index in range(width) if index not in skip}
    for depth, row in enumerate(rows):
        carry = ""
        for index in range(width):
            text = cell_text(row[index]) if index < len(row) else ""
            if index in skip:
                carry = ""
                continue
            if text:
                carry = text
            elif depth < len(rows) - 1:
                text = carry
            if text and (not paths[index] or paths[index][-1] != text):
                paths[index].append(text)
    return paths


def _columns(grid: Grid, layout: _Layout, label: str, problems: list[Problem]) -> list[_Column]:
    paths = _header_paths(grid, layout)
    has_methods = any(find_method(fold(" / ".join(parts))) for parts in paths.values())
    columns: list[_Column] = []
    keys: set[str] = set()
    for index, parts in paths.items():
        recognised = _recognise(index, parts, has_methods)
        if recognised is None:
            if parts and not _is_empty_column(grid, layout, index) and not _is_ignored(parts):
                problems.append(
                    Problem(
                        "error",
                        f"{label}, {grid.places[layout.header_at]}",
                        _("Column header not recognised: '%(header)s'; its figures are not read.")
                        % {"header": " / ".join(parts)},
                    )
                )
            continue
        key = recognised.column.key
        if key in keys:
            suffix = 2
            while f"{key}.{suffix}" in keys:
                suffix += 1
            recognised.column.key = f"{key}.{suffix}"
        keys.add(recognised.column.key)
        columns.append(recognised)
    return columns


def _is_empty_column(grid: Grid, layout: _Layout, index: int) -> bool:
    return all(index >= len(row) or is_blank(row[index]) for row in grid.rows[layout.data_at :])


def _is_ignored(parts: Sequence[str]) -> bool:
    return fold(parts[-1]).startswith(_IGNORED_HEADERS)


def _recognise(index: int, parts: list[str], has_methods: bool) -> _Column | None:
    header = " / ".join(parts)
    folded = fold(header)
    if not parts:
        return None
    method = find_method(folded)
    if method is not None:
        supply = find_supply(fold(parts[-1])) if len(parts) > 1 else None
        key = f"NEWFP.{method}" if supply in (None, "total") else f"NEWFP.{method}.{supply}"
        column = AllocationColumn(
            key, "NEWFP", TargetKind.COUNT_MIN, "persons", header, method, supply
        )
        return _Column(index, column, 1)
    code = find_indicator(folded)
    if code is None:
        if has_methods and find_supply(fold(parts[-1])) == "total":
            column = AllocationColumn("NEWFP", "NEWFP", TargetKind.COUNT_MIN, "persons", header)
            return _Column(index, column, 1)
        return None
    kind, sign = _column_kind(code, folded)
    column = AllocationColumn(code, code, kind, BY_CODE[code].unit.value, header)
    return _Column(index, column, sign)


def _column_kind(code: str, folded: str) -> tuple[TargetKind, int]:
    spec = BY_CODE[code]
    if spec.is_count:
        return TargetKind.COUNT_MIN, 1
    if re.search(r"(?<![a-z])giam(?![a-z])", folded):
        return TargetKind.CHANGE, -1
    if re.search(r"(?<![a-z])tang(?![a-z])", folded):
        return TargetKind.CHANGE, 1
    if spec.direction is Direction.TARGET:
        return TargetKind.NEAR, 1
    if spec.direction is Direction.LOWER:
        return TargetKind.CEILING, 1
    return TargetKind.LEVEL_MIN, 1


def _rows(
    grid: Grid, layout: _Layout, columns: Sequence[_Column], label: str, problems: list[Problem]
) -> list[AllocationRow]:
    header = {header_key(row) for row in grid.rows[layout.header_at : layout.data_at]}
    rows: list[AllocationRow] = []
    for index in range(layout.data_at, len(grid.rows)):
        cells = grid.rows[index]
        where = f"{label}, {grid.places[index]}"
        if all(is_blank(cell) for cell in cells) or header_key(cells) in header:
            continue
        row = _row(cells, grid.lines[index], layout, columns, where, problems)
        if row is not None:
            rows.append(row)
    return rows


def _row(
    cells: Sequence[Cell],
    line: int,
    layout: _Layout,
    columns: Sequence[_Column],
    where: str,
    problems: list[Problem],
) -> AllocationRow | None:
    def text(index: int | None) -> str:
        return cell_text(cells[index]) if index is not None and index < len(cells) else ""

    number, name = text(layout.number_at), text(layout.name_at)
    if not name and number and not re.fullmatch(r"[\dIVXivx.]+", number):
        name, number = number, ""  # "Toàn Thành phố" written in the TT column
    short = [c.column.header for c in columns if c.index >= len(cells)]
    if short:  # a row of a text file that stops before its last columns
        problems.append(Problem("error", where, cut_short(name or number, short[0])))
        return None
    raw = {c.column.key: (cells[c.index] if c.index < len(cells) else "") for c in columns}
    if all(is_blank(cell) for cell in raw.values()):
        message = _("Row '%(row)s' has no figures; skipped.") % {"row": name or number}
        problems.append(Problem("warning", where, message))
        return None
    if not name:
        message = _("A row without a unit name (TT '%(number)s'): not read.") % {"number": number}
        problems.append(Problem("error", where, message))
        return None
    values: dict[str, Decimal | None] = {}
    for column in columns:
        values[column.column.key] = _value(raw[column.column.key], column, name, where, problems)
    return AllocationRow(
        line=line, unit_name=name, values=values, is_total=is_total_name(name), number=number
    )


def cut_short(row: str, column: str) -> str:
    """The error of a table row that stops before ``column``: never read as if the rest
    were empty (issue 12: a file cut in half)."""
    return _(
        "The row '%(row)s' stops before the column '%(column)s': it may have been cut "
        "short, and is not read."
    ) % {"row": row, "column": column}


def _value(
    cell: Cell, column: _Column, name: str, where: str, problems: list[Problem]
) -> Decimal | None:
    header = column.column.header
    if is_blank(cell) or cell_text(cell) in ("-", "–"):
        message = _("%(name)s: no figure for '%(column)s'.") % {"name": name, "column": header}
        problems.append(Problem("warning", where, message))
        return None
    try:
        if column.column.kind is TargetKind.COUNT_MIN:
            return Decimal(parse_count(cell))
        value = parse_rate(cell)
    except ValueError:
        message = _("%(name)s: cannot read '%(cell)s' in column '%(column)s'.") % {
            "name": name,
            "cell": cell_text(cell),
            "column": header,
        }
        problems.append(Problem("error", where, message))
        return None
    if column.column.kind is TargetKind.CHANGE:
        value = abs(value) if column.sign > 0 else -abs(value) if value else value
    return value


def _total_problems(appendix: Appendix, label: str, places: dict[int, str]) -> list[Problem]:
    """A count column whose total row is not the sum of the other rows."""
    totals = [row for row in appendix.rows if row.is_total]
    if not totals:
        return []
    total = totals[0]
    members = [row for row in appendix.rows if not row.is_total]
    problems = []
    for column in appendix.columns:
        if column.kind is not TargetKind.COUNT_MIN:
            continue
        stated = total.values.get(column.key)
        figures = [row.values.get(column.key) for row in members]
        if stated is None or any(figure is None for figure in figures):
            continue
        added = sum((figure for figure in figures if figure is not None), Decimal(0))
        if added != stated:
            problems.append(
                Problem(
                    "error",
                    f"{label}, {places[total.line]}",
                    _(
                        "Column '%(column)s': the total row '%(total)s' says %(stated)s, "
                        "the %(count)s rows add up to %(added)s."
                    )
                    % {
                        "column": column.header,
                        "total": total.unit_name,
                        "stated": stated,
                        "count": len(members),
                        "added": added,
                    },
                    blocking=False,
                )
            )
    return problems


def _split_problems(appendix: Appendix, label: str, places: dict[int, str]) -> list[Problem]:
    """A row whose method total is not free + social marketing, or whose grand total
    is not the sum of its methods."""
    problems = []
    methods = [c for c in appendix.columns if c.method is not None and c.supply in (None, "total")]
    grand = next((c for c in appendix.columns if c.key == "NEWFP"), None)
    for row in appendix.rows:
        where = f"{label}, {places[row.line]}"
        for column in methods:
            assert column.method is not None
            total = row.values.get(column.key)
            free = row.values.get(f"{column.key}.free")
            social = row.values.get(f"{column.key}.social_marketing")
            if (
                total is not None
                and free is not None
                and social is not None
                and total != free + social
            ):
                problems.append(
                    Problem(
                        "error",
                        where,
                        _(
                            "%(name)s: %(method)s total %(total)s ≠ free %(free)s "
                            "+ social marketing %(social)s (= %(sum)s)."
                        )
                        % {
                            "name": row.unit_name,
                            "method": METHOD_NAMES_VI[column.method],
                            "total": total,
                            "free": free,
                            "social": social,
                            "sum": free + social,
                        },
                        blocking=False,
                    )
                )
        if grand is not None and methods:
            stated = row.values.get(grand.key)
            figures = [row.values.get(column.key) for column in methods]
            if stated is not None and all(figure is not None for figure in figures):
                added = sum((f for f in figures if f is not None), Decimal(0))
                if added != stated:
                    problems.append(
                        Problem(
                            "error",
                            where,
                            _(
                                "%(name)s: '%(column)s' says %(stated)s, "
                                "the methods add up to %(added)s."
                            )
                            % {
                                "name": row.unit_name,
                                "column": grand.header,
                                "stated": stated,
                                "added": added,
                            },
                            blocking=False,
                        )
                    )
    return problems
