"""A report as an ``.xlsx`` workbook (openpyxl): one sheet laid out as the printed form
(``printed.printed``), numbers kept as numbers in the Vietnamese notation, corrected
figures shaded with the correction's note as a comment, set up to print on A4."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from danso.plans.document import TargetKind
from danso.reports.models import Report
from danso.reports.printed import (
    CEILING_MARK,
    CHANGE_WORDS,
    HEAD,
    HEAD_HINT,
    MOTTO,
    NATION,
    NOTES_HEADING,
    PREPARER,
    PREPARER_HINT,
    SOURCE_LEGEND,
    Cell,
    Entry,
    Line,
    PrintedReport,
    printed,
)
from danso.spreadsheets import write_cell

XLSX_FONT = "Times New Roman"  # what Vietnamese offices' spreadsheets use
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="center")
_VALUE = Alignment(horizontal="right", vertical="center", indent=1)
_SOURCE = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
_CORRECTED = PatternFill("solid", fgColor="FFF2CC")
#: Numbers stay numbers; their format carries the Vietnamese locale (``[$-42A]``), with
#: which LibreOffice shows ``416.950`` and ``0,15`` whatever the computer's settings;
#: Excel keeps the separators of the reader's Windows settings (Vietnamese ones give the
#: same).
LOCALE = "[$-42A]"
COUNT_FORMAT = f"{LOCALE}#,##0"
_POINTS_PER_LINE = 15


def _xlsx_font(*, bold: bool = False, italic: bool = False, size: float = 12) -> Font:
    return Font(name=XLSX_FONT, size=size, bold=bold, italic=italic)


def _number_format(cell: Cell) -> str:
    """The number format of ``cell``: its decimals, and a target's words kept as words
    around a number ("giảm 0,15", "≤ 110,0")."""
    digits = COUNT_FORMAT.removeprefix(LOCALE) + (
        "." + "0" * cell.decimals if cell.decimals else ""
    )
    if cell.kind == TargetKind.CHANGE:
        up, down = CHANGE_WORDS[1], CHANGE_WORDS[0]
        return f'{LOCALE}"{up} "{digits};"{down} "{digits};{digits}'
    if cell.kind == TargetKind.CEILING:
        return f'{LOCALE}"{CEILING_MARK}"{digits}'
    return LOCALE + digits


def sheet_name(doc: PrintedReport) -> str:
    """ "01-DSH Quý I năm 2025", or "Báo cáo Tháng 01 năm 2025" (31 characters at most)."""
    name = f"{doc.form or 'Báo cáo'} {doc.period}"
    for forbidden in "[]:*?/\\":
        name = name.replace(forbidden, "-")
    return name[:31]


@dataclass(frozen=True)
class _Grid:
    """Where things go on the sheet: the table's columns, and the halves of the page."""

    widths: tuple[float, ...]
    left: tuple[int, int]  # first and last column of the left half (issuer, preparer)
    right: tuple[int, int]  # same, right half (motto, date, head of the unit)

    @property
    def width(self) -> int:
        return len(self.widths)


def _grid(doc: PrintedReport) -> _Grid:
    if doc.by_unit:
        widths = (5.0, 38.0, 9.0, 11.0, *([10.5] * len(doc.unit_headers)))
        half = max(3, len(widths) // 2)
        return _Grid(widths, (1, half), (half + 1, len(widths)))
    own = tuple(11.0 if c.numeric else 18.0 for c in doc.own_columns)
    widths = (5.0, 44.0 if len(own) < 3 else 36.0, 10.0, *own)
    return _Grid(widths, (1, 2), (3, len(widths)))


def report_xlsx(report: Report) -> bytes:
    """The report as an .xlsx workbook of one sheet laid out as the printed form."""
    doc = printed(report)
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its sheet
    sheet.title = sheet_name(doc)
    grid = _grid(doc)
    for index, width in enumerate(grid.widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    row = _xlsx_masthead(sheet, doc, grid)
    row = _xlsx_table(sheet, doc, grid, row)
    row = _xlsx_notes(sheet, doc, grid, row + 1)
    row = _xlsx_sections(sheet, doc, grid, row)
    _xlsx_signatures(sheet, doc, grid, row + 1)
    _xlsx_print_setup(sheet, doc)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _put(
    sheet: Worksheet,
    row: int,
    span: tuple[int, int],
    text: str,
    font: Font,
    alignment: Alignment = _CENTRE,
) -> None:
    """Write ``text`` at ``row`` merged across the columns of ``span``."""
    cell = write_cell(sheet, row, span[0], text or None)
    cell.font = font
    cell.alignment = alignment
    if span[1] > span[0]:
        sheet.merge_cells(start_row=row, start_column=span[0], end_row=row, end_column=span[1])


def _span_width(grid: _Grid, span: tuple[int, int]) -> float:
    return sum(grid.widths[span[0] - 1 : span[1]])


def _height(text: str, width: float, size: float = 12) -> float:
    """A row height fitting ``text`` wrapped in a cell ``width`` characters wide."""
    per_line = max(1, int(width * 1.1 * 12 / size))
    lines = sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))
    return lines * _POINTS_PER_LINE * size / 12


def _xlsx_masthead(sheet: Worksheet, doc: PrintedReport, grid: _Grid) -> int:
    """The rows above the table; returns the first row of the table's header."""
    whole = (1, grid.width)
    if doc.form:
        _put(sheet, 1, grid.right, f"Biểu: {doc.form}", _xlsx_font(bold=True, size=11), _RIGHT)
    _put(sheet, 2, grid.left, doc.managing, _xlsx_font(size=12))
    _put(sheet, 2, grid.right, NATION, _xlsx_font(bold=True, size=12))
    _put(sheet, 3, grid.left, doc.issuer, _xlsx_font(bold=True, size=12))
    _put(sheet, 3, grid.right, MOTTO, _xlsx_font(bold=True, size=13))
    _put(sheet, 5, whole, doc.title, _xlsx_font(bold=True, size=14))
    _put(sheet, 6, whole, doc.period, _xlsx_font(bold=True, size=13))
    _put(sheet, 7, whole, f"Đơn vị báo cáo: {doc.reporter}", _xlsx_font(size=12))
    _put(sheet, 8, whole, f"Đơn vị nhận báo cáo: {doc.receiver}", _xlsx_font(size=12))
    _put(sheet, 9, whole, f"({doc.status})", _xlsx_font(italic=True, size=11))
    row = 11
    if doc.table_heading:
        _put(sheet, row, whole, doc.table_heading, _xlsx_font(bold=True), _LEFT)
        row += 1
    return row


def _header_cell(sheet: Worksheet, row: int, column: int, text: str) -> None:
    cell = write_cell(sheet, row, column, text)
    cell.font = _xlsx_font(bold=True, size=11)
    cell.alignment = _CENTRE


def _xlsx_table(sheet: Worksheet, doc: PrintedReport, grid: _Grid, top: int) -> int:
    """The header rows (merged), the column numbering, the lines; returns the next row."""
    numbering = _xlsx_header(sheet, doc, grid, top)
    first = numbering + 1
    for offset, line in enumerate(doc.lines):
        _xlsx_line(sheet, doc, grid, first + offset, line)
    last = first + len(doc.lines) - 1
    if doc.by_unit:
        last += 1
        _put(sheet, last, (1, 3), "Nguồn số liệu", _xlsx_font(italic=True, size=10), _LEFT)
        for column, mark in enumerate(doc.column_sources, start=4):
            cell = write_cell(sheet, last, column, mark or None)
            cell.font = _xlsx_font(italic=True, size=10)
            cell.alignment = _CENTRE
    for cells in sheet.iter_rows(min_row=top, max_row=last, min_col=1, max_col=grid.width):
        for boxed in cells:
            boxed.border = _BOX
    sheet.freeze_panes = f"D{first}"
    sheet.print_title_rows = f"{top}:{numbering}"
    return last + 1


def _xlsx_header(sheet: Worksheet, doc: PrintedReport, grid: _Grid, top: int) -> int:
    """The header, merged where it spans; returns the row that numbers the columns."""
    fixed = ["STT", "Chỉ tiêu", "Đơn vị tính"]
    if not doc.by_unit:
        headers = [*fixed, *(c.header for c in doc.own_columns)]
        for column, text in enumerate(headers, start=1):
            _header_cell(sheet, top, column, text)
        sheet.row_dimensions[top].height = 2 * _POINTS_PER_LINE
        marks = ["A", "B", "C", *(c.mark for c in doc.own_columns)]
        _xlsx_numbering(sheet, top + 1, marks)
        return top + 1
    for column, text in enumerate([*fixed, doc.total_header], start=1):
        _header_cell(sheet, top, column, text)
        sheet.merge_cells(start_row=top, start_column=column, end_row=top + 1, end_column=column)
    _header_cell(sheet, top, 5, doc.units_header)
    if grid.width > 5:
        sheet.merge_cells(start_row=top, start_column=5, end_row=top, end_column=grid.width)
    for column, name in enumerate(doc.unit_headers, start=5):
        _header_cell(sheet, top + 1, column, name)
    sheet.row_dimensions[top + 1].height = 3 * _POINTS_PER_LINE
    _xlsx_numbering(sheet, top + 2, ["A", "B", "C", *(str(n + 1) for n in range(doc.columns))])
    return top + 2


def _xlsx_numbering(sheet: Worksheet, row: int, marks: list[str]) -> None:
    """The row under the header that numbers the columns, as statistical forms do:
    letters for the columns of words, numbers for the columns of figures."""
    for column, mark in enumerate(marks, start=1):
        cell = write_cell(sheet, row, column, mark)
        cell.font = _xlsx_font(italic=True, size=10)
        cell.alignment = _CENTRE


def _xlsx_line(sheet: Worksheet, doc: PrintedReport, grid: _Grid, at: int, line: Line) -> None:
    write_cell(sheet, at, 1, int(line.number) if line.number else None)
    sheet.cell(row=at, column=1).alignment = _CENTRE
    label = write_cell(sheet, at, 2, line.label)
    label.alignment = Alignment(
        horizontal="left", vertical="center", wrap_text=True, indent=1 if line.number else 2
    )
    write_cell(sheet, at, 3, line.unit or None).alignment = _CENTRE
    entries = [Entry(cell) for cell in line.cells] if doc.by_unit else list(line.entries)
    for column, entry in enumerate(entries, start=4):
        if entry.cell is None:
            write_cell(sheet, at, column, entry.text or None).alignment = _SOURCE
            continue
        cell = write_cell(sheet, at, column, entry.cell.number)
        cell.number_format = _number_format(entry.cell)
        cell.alignment = _VALUE
        if entry.cell.note is not None:
            cell.fill = _CORRECTED
            cell.comment = Comment(doc.notes[entry.cell.note - 1].text, "danso")
    for column in range(1, grid.width + 1):
        sheet.cell(row=at, column=column).font = _xlsx_font(
            size=11, italic=line.is_breakdown and column == 2
        )
    sheet.row_dimensions[at].height = _height(line.label, grid.widths[1], 11)


def _xlsx_notes(sheet: Worksheet, doc: PrintedReport, grid: _Grid, row: int) -> int:
    whole = (1, grid.width)
    width = _span_width(grid, whole)
    lines = []
    if doc.by_unit:
        lines.append(f"Nguồn số liệu: {SOURCE_LEGEND}.")
    if doc.notes:
        lines.append(NOTES_HEADING)
        lines += [note.text for note in doc.notes]
    for text in lines:
        _put(sheet, row, whole, text, _xlsx_font(italic=True, size=11), _LEFT)
        sheet.row_dimensions[row].height = _height(text, width, 11)
        row += 1
    return row


def _xlsx_sections(sheet: Worksheet, doc: PrintedReport, grid: _Grid, row: int) -> int:
    whole = (1, grid.width)
    width = _span_width(grid, whole)
    for section in doc.sections:
        row += 1
        _put(sheet, row, whole, section.heading, _xlsx_font(bold=True), _LEFT)
        row += 1
        for paragraph in section.paragraphs or ("." * 140,) * 3:
            _put(sheet, row, whole, paragraph, _xlsx_font(), _LEFT)
            sheet.row_dimensions[row].height = _height(paragraph, width)
            row += 1
    return row


def _xlsx_signatures(sheet: Worksheet, doc: PrintedReport, grid: _Grid, row: int) -> None:
    _put(sheet, row, grid.right, doc.place_date, _xlsx_font(italic=True))
    row += 1
    _put(sheet, row, grid.left, PREPARER, _xlsx_font(bold=True))
    _put(sheet, row, grid.right, HEAD, _xlsx_font(bold=True))
    row += 1
    _put(sheet, row, grid.left, PREPARER_HINT, _xlsx_font(italic=True, size=11))
    _put(sheet, row, grid.right, HEAD_HINT, _xlsx_font(italic=True, size=11))
    if doc.preparer:
        _put(sheet, row + 5, grid.left, doc.preparer, _xlsx_font(bold=True))


def _xlsx_print_setup(sheet: Worksheet, doc: PrintedReport) -> None:
    sheet.page_setup.orientation = "landscape" if doc.by_unit else "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = 0.6 if doc.by_unit else 1.0
    sheet.page_margins.right = 0.4 if doc.by_unit else 0.6
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    if sheet.oddFooter is not None:
        sheet.oddFooter.center.text = "Trang &P/&N"
