"""Blocks from a spreadsheet (.xlsx): one table per sheet.

openpyxl keeps a merged range's value in its top-left cell only; the range is filled
with it here, so that a merged header ("Dụng cụ tử cung" over three columns) reads in
every column it covers, as in a Word table.  Rows above the table's header (a title
row "PHỤ LỤC 2 …") stay in the grid: the table reader takes them as its title.  The
sheet name ("Phụ lục 2", "PL2") is kept as a hint for the appendix number.

Cells with a formula are read as the value Excel saved with the file; a file saved by a
program that does not compute formulas has none, and those cells read as empty.

The whole workbook is held in memory (openpyxl keeps merged ranges only then), so it is
first read as a stream against its limits (``danso.spreadsheets.check_workbook``), and
each sheet's size is checked again before its rows are laid out.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from danso.plans.reading.blocks import Block, Grid
from danso.plans.reading.numbers import Cell
from danso.plans.reading.translation import _
from danso.spreadsheets import PLAN, LimitError, Limits, check_extent, check_workbook


def read_xlsx_blocks(content: bytes, file_name: str = "", limits: Limits = PLAN) -> list[Block]:
    """One grid per non-empty sheet.  Raises ``ValueError`` when the bytes are not a
    workbook, ``LimitError`` when it is over ``limits``."""
    try:
        streamed = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several types for a broken file
        raise ValueError(_("Not an Excel workbook: %(error)s") % {"error": error}) from error
    try:
        check_workbook(streamed, file_name, limits)
    finally:
        streamed.close()
    try:
        workbook = load_workbook(io.BytesIO(content), data_only=True)
    except LimitError:
        raise
    except Exception as error:  # openpyxl raises several types for a broken file
        raise ValueError(_("Not an Excel workbook: %(error)s") % {"error": error}) from error
    blocks: list[Block] = []
    for sheet in workbook.worksheets:
        check_extent(sheet, file_name, limits)  # a cell without a value counts here too
        rows = _filled_rows(sheet)
        if rows:
            blocks.append(
                Grid(
                    rows=rows,
                    lines=list(range(1, len(rows) + 1)),
                    places=[
                        _("sheet %(sheet)s, row %(row)s") % {"sheet": sheet.title, "row": index}
                        for index in range(1, len(rows) + 1)
                    ],
                    source=_("sheet %(sheet)s") % {"sheet": sheet.title},
                    sheet=sheet.title,
                )
            )
    return blocks


def _filled_rows(sheet: Worksheet) -> list[list[Cell]]:
    """The sheet's values as text or numbers, merged ranges filled, trailing empty rows
    and columns dropped."""
    values = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    for merged in sheet.merged_cells.ranges:
        top = values[merged.min_row - 1][merged.min_col - 1]
        for row in range(merged.min_row - 1, merged.max_row):
            for column in range(merged.min_col - 1, merged.max_col):
                values[row][column] = top
    while values and all(cell == "" for cell in values[-1]):
        values.pop()
    width = max((_used_width(row) for row in values), default=0)
    return [row[:width] for row in values]


def _used_width(row: list[Cell]) -> int:
    width = len(row)
    while width and row[width - 1] == "":
        width -= 1
    return width


def _cell(value: object) -> Cell:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()
