"""Reading a table a person made: CSV (comma, semicolon or tab; UTF-8 or Windows-1258)
or the first sheet of an .xlsx workbook.  Rows keep their line numbers in the file.

The table is checked against ``limits`` (``danso.spreadsheets.TABLE`` unless the caller
gives the site's, ``danso.uploads.limits``) before and while it is read: the file's size,
what an .xlsx unpacks to, the first sheet's declared dimension, and the rows, columns,
filled cells and the length of lines and cells.  Past a limit ``LimitError`` is raised,
naming the file and the limit; nothing of the table is kept."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from itertools import chain
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from danso.spreadsheets import (
    TABLE,
    FileError,
    LimitError,
    Limits,
    UnreadableCsv,
    check_archive,
    check_size,
    csv_rows,
    gettext_noop,
    row_problem,
    sheet_rows,
)

NOT_TEXT = gettext_noop("The file %(file)s is neither CSV text nor an .xlsx workbook.")
EMPTY = gettext_noop("The file %(file)s is empty.")
NOT_XLSX = gettext_noop("The file %(file)s cannot be opened as an .xlsx workbook (%(reason)s).")
SHEET_EMPTY = gettext_noop("The first sheet of the file %(file)s is empty.")
NOT_CSV = gettext_noop("The file %(file)s cannot be read as CSV at line %(line)s (%(reason)s).")


class TableError(FileError, ValueError):
    """The file cannot be read as a table, or holds a row that cannot be read without a
    guess (cut short, longer than its header, a NUL in it); ``message(gettext)`` says
    which file and line, in the reader's language."""


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (line number in the file, header -> value)


def read_table(content: bytes, file_name: str, *, limits: Limits = TABLE) -> Table:
    """The table in ``content``, a file named ``file_name`` (.xlsx by its suffix, else
    CSV).  Raises ``TableError`` for what is no table, ``LimitError`` past ``limits``."""
    check_size(file_name, len(content), limits)
    if file_name.lower().endswith(".xlsx"):
        return _read_xlsx(content, file_name, limits)
    return _read_csv(content, file_name, limits)


def _read_csv(content: bytes, file_name: str, limits: Limits) -> Table:
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1258 decodes almost anything
        raise TableError(file_name, NOT_TEXT)
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        lines = list(csv_rows(text, file_name, limits, dialect))
    except UnreadableCsv as error:
        raise TableError(file_name, NOT_CSV, line=error.line, reason=error.reason) from error
    if not lines:
        raise TableError(file_name, EMPTY)
    headers = [h.strip() for h in lines[0][1]]
    rows = []
    for number, cells in lines[1:]:
        if not any(cell.strip() for cell in cells):
            continue
        wrong = row_problem(file_name, number, cells, len(headers))
        if wrong is not None:
            raise TableError(wrong.file, wrong.template, **wrong.params)
        rows.append((number, dict(zip(headers, (cell.strip() for cell in cells), strict=False))))
    return Table(headers, rows)


def _read_xlsx(content: bytes, file_name: str, limits: Limits) -> Table:
    try:
        check_archive(content, file_name, limits, nested=True)
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except LimitError:
        raise
    except Exception as error:  # not a .zip (BadZipFile), and openpyxl raises many kinds
        raise TableError(file_name, NOT_XLSX, reason=error.__class__.__name__) from error
    try:
        sheet = workbook.worksheets[0]
        assert isinstance(sheet, ReadOnlyWorksheet)
        numbered = sheet_rows(sheet, file_name, limits)
        first = next(numbered, None)
        if first is None:
            raise TableError(file_name, SHEET_EMPTY)
        headers: list[str] = []
        if first[0] == 1:  # the header is row 1, even an empty one
            headers = [str(h).strip() if h is not None else "" for h in first[1]]
        rows = []
        for number, values in numbered if first[0] == 1 else chain([first], numbered):
            if all(v is None or str(v).strip() == "" for v in values):
                continue
            rows.append((number, dict(zip(headers, values, strict=False))))
    finally:
        workbook.close()
    return Table(headers, rows)
