"""Test fixtures built from the seed plans: the seeds themselves, and their appendix
tables saved as real .xlsx workbooks and .docx documents.

The builders write files the way offices do: merged header cells (a method over its
"Tổng số / TĐ: Miễn phí / TĐ: Tiếp thị xã hội và XHH" sub-columns, "TT" over two
header rows), a title row above each table, figures as numbers except a few typed as
text ("42,000", "0,15").
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as WordDocument
from docx.table import Table
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

# The seed plans are reference data of the project (data/seeds, see PROVENANCE.md).
SEEDS = Path(__file__).resolve().parents[3] / "data" / "seeds"
HANOI_2021 = "000_23875aab0c3b34d2.txt"
HANOI_2025 = "001_c4f65c01576ce68f.txt"
LONG_BIEN_2030 = "002_5867d12833a004cd.txt"
CHIEN_THANG_2023 = "003_94f7bf58c3aa8773.txt"
LONG_BIEN_2024 = "004_b9a09b820d694809.txt"


def seed_bytes(name: str) -> bytes:
    return (SEEDS / name).read_bytes()


def seed_lines(name: str) -> list[str]:
    return (SEEDS / name).read_text(encoding="utf-8").split("\n")


def seed_with(name: str, line: int, old: str, new: str) -> bytes:
    """The seed with ``old`` replaced by ``new`` on one line (1-based), to make a
    broken file from a good one."""
    lines = seed_lines(name)
    assert old in lines[line - 1], (line, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return "\n".join(lines).encode("utf-8")


@dataclass(frozen=True)
class SeedTable:
    """An appendix of a seed: its title lines, header rows and data rows as text."""

    sheet: str
    titles: list[str]
    header: list[list[str]]
    data: list[list[str]]
    counts: bool  # figures are persons (else rates)

    @property
    def width(self) -> int:
        return max(len(row) for row in [*self.header, *self.data])


def _table(
    name: str, sheet: str, titles: list[str], first: int, header_rows: int, last: int, counts: bool
) -> SeedTable:
    lines = seed_lines(name)
    rows = [line.split("\t") for line in lines[first - 1 : last]]
    return SeedTable(sheet, titles, rows[:header_rows], rows[header_rows:], counts)


def tables_2025() -> list[SeedTable]:
    """The two appendices of the 2025 Hà Nội plan (seed lines 278–310 and 314–345)."""
    return [
        _table(
            HANOI_2025,
            "PL1",
            ["Phụ lục 1", "GIAO CHỈ TIÊU DÂN SỐ NĂM 2025"],
            278,
            2,
            310,
            counts=False,
        ),
        _table(
            HANOI_2025,
            "PL2",
            ["PHỤ LỤC 2: GIAO CHỈ TIÊU BIỆN PHÁP TRÁNH THAI NĂM 2025"],
            314,
            1,
            345,
            counts=True,
        ),
    ]


def tables_2021() -> list[SeedTable]:
    """The two appendices of the 2021 Hà Nội plan (seed lines 197–229 and 234–266)."""
    return [
        _table(
            HANOI_2021,
            "Phụ lục 1",
            ["KẾ HOẠCH GIAO CHỈ TIÊU DÂN SỐ THÀNH PHỐ NĂM 2021"],
            197,
            2,
            229,
            counts=False,
        ),
        _table(
            HANOI_2021,
            "Phụ lục 2",
            ["KẾ HOẠCH GIAO CHỈ TIÊU CÁC BIỆN PHÁP TRÁNH THAI NĂM 2021"],
            234,
            2,
            266,
            counts=True,
        ),
    ]


def _figure(text: str, counts: bool) -> int | float:
    if counts:
        return int(text.replace(".", "").replace(",", ""))
    return float(text.replace(",", "."))


def _spans(header: Sequence[Sequence[str]], width: int) -> list[tuple[int, int, int, int]]:
    """Merged ranges of a txt header, as (first row, first column, last row, last
    column), 0-based: a top cell runs right over the empty cells after it that have
    sub-headers below, and down over the empty cells below it."""
    spans = []
    top = list(header[0]) + [""] * (width - len(header[0]))
    below = [list(row) + [""] * (width - len(row)) for row in header[1:]]
    for column, text in enumerate(top):
        if not text:
            continue
        last_column = column
        while (
            below
            and last_column + 1 < width
            and not top[last_column + 1]
            and below[0][last_column + 1]
        ):
            last_column += 1
        last_row = 0
        if last_column == column:
            while last_row + 1 <= len(below) and not below[last_row][column]:
                last_row += 1
        if (last_row, last_column) != (0, column):
            spans.append((0, column, last_row, last_column))
    return spans


def xlsx_bytes(tables: Sequence[SeedTable], *, text_figures: int = 1) -> bytes:
    """A workbook with one sheet per table: a merged title row, the header with its
    merged cells, and the figures as numbers, except the first ``text_figures`` data
    rows, whose figures stay text as written ("42,000", "0,15")."""
    workbook = Workbook()
    default = workbook.active
    assert isinstance(default, Worksheet)
    workbook.remove(default)
    for table in tables:
        sheet = workbook.create_sheet(table.sheet)
        _write_sheet(sheet, table, text_figures)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write_sheet(sheet: Worksheet, table: SeedTable, text_figures: int) -> None:
    width = table.width
    sheet.cell(row=1, column=1, value=" ".join(table.titles))
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    for r, row in enumerate(table.header, start=2):
        for c, text in enumerate(row, start=1):
            if text:
                sheet.cell(row=r, column=c, value=text)
    for first_row, first_column, last_row, last_column in _spans(table.header, width):
        sheet.merge_cells(
            start_row=first_row + 2,
            start_column=first_column + 1,
            end_row=last_row + 2,
            end_column=last_column + 1,
        )
    start = 2 + len(table.header)
    for r, row in enumerate(table.data):
        for c, text in enumerate(row):
            value: str | int | float = text
            if c >= 2 and text and r >= text_figures:
                value = _figure(text, table.counts)
            if text:
                sheet.cell(row=start + r, column=c + 1, value=value)


def docx_bytes(
    seed: str,
    body_lines: tuple[int, int],
    tables: Sequence[SeedTable],
    *,
    header_table: bool = False,
) -> bytes:
    """A Word document: the seed's body lines (1-based, inclusive) as paragraphs,
    "**bold**" as bold runs, then each table under its title paragraphs, with merged
    header cells.  With ``header_table``, lines "Số:…" and "…, ngày …" go into a
    borderless 2×2 layout table beside the issuer and the national motto, as official
    templates have them."""
    document = Document()
    lines = seed_lines(seed)[body_lines[0] - 1 : body_lines[1]]
    if header_table:
        number = next(line for line in lines if line.startswith("Số:"))
        dated = next(line for line in lines if ", ngày" in line)
        layout = document.add_table(rows=2, cols=2)
        layout.cell(0, 0).text = "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HÀ NỘI"
        layout.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
        layout.cell(1, 0).text = number
        layout.cell(1, 1).text = dated
        lines = [line for line in lines if line not in (number, dated)]
    for line in lines:
        if line.strip():
            _bold_paragraph(document, line)
    for table in tables:
        for title in table.titles:
            document.add_paragraph(title)
        _word_table(
            document.add_table(rows=len(table.header) + len(table.data), cols=table.width), table
        )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _bold_paragraph(document: WordDocument, line: str) -> None:
    paragraph = document.add_paragraph()
    for index, part in enumerate(line.split("**")):
        if part:
            paragraph.add_run(part).bold = index % 2 == 1


def _word_table(word: Table, table: SeedTable) -> None:
    for first_row, first_column, last_row, last_column in _spans(table.header, table.width):
        word.cell(first_row, first_column).merge(word.cell(last_row, last_column))
    for r, row in enumerate([*table.header, *table.data]):
        for c, text in enumerate(row):
            if text:
                word.cell(r, c).text = text
