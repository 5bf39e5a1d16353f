"""Reading a table a person made: CSV (comma, semicolon or tab; UTF-8 or Windows-1258)
or the first sheet of an .xlsx workbook.  Rows keep their line numbers in the file."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook


class TableError(ValueError):
    """The file cannot be read as a table at all."""


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (line number in the file, header -> value)


def read_table(content: bytes, file_name: str) -> Table:
    if file_name.lower().endswith(".xlsx"):
        return _read_xlsx(content)
    return _read_csv(content)


def _read_csv(content: bytes) -> Table:
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1258 decodes almost anything
        raise TableError("not a text file")
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    lines = list(reader)
    if not lines:
        raise TableError("the file is empty")
    headers = [h.strip() for h in lines[0]]
    rows = [
        (number, dict(zip(headers, (cell.strip() for cell in line), strict=False)))
        for number, line in enumerate(lines[1:], start=2)
        if any(cell.strip() for cell in line)
    ]
    return Table(headers, rows)


def _read_xlsx(content: bytes) -> Table:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise TableError(f"not an .xlsx workbook ({error.__class__.__name__})") from error
    sheet = workbook.worksheets[0]
    iterator: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
    try:
        first = next(iterator)
    except StopIteration as error:
        raise TableError("the first sheet is empty") from error
    headers = [str(h).strip() if h is not None else "" for h in first]
    rows = []
    for number, values in enumerate(iterator, start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        rows.append((number, dict(zip(headers, values, strict=False))))
    workbook.close()
    return Table(headers, rows)
