"""A plan's appendices as an .xlsx workbook, one sheet per appendix, laid out as the
originals are: the label ("Phụ lục 1"), the title, "(Kèm theo Kế hoạch số …)", an empty
row, the header rows with merged cells for grouped headers, then one row per unit with
the total row in bold.  Numbers are real numbers; their format ("#,##0", "0.00") lets
Excel show them with the separators of the user's locale.  The activity schedule, if
any, is one more sheet ("Biểu 1")."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from danso.plans.document import PlanDocument
from danso.plans.writing.tables import (
    SCHEDULE_HEADERS,
    SCHEDULE_LABEL,
    SCHEDULE_TITLE,
    ColumnFormat,
    Layout,
    appendix_label,
    appendix_layout,
    schedule_rows,
    shown,
)
from danso.plans.writing.wording import attached_line, title_lines
from danso.spreadsheets import write_cell

FONT = "Times New Roman"
SIZE = 12
#: Rows before the header: label, title (one or more rows), "(Kèm theo …)", an empty row.
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="center")
_POINTS_PER_LINE = 16


def appendices_xlsx(doc: PlanDocument) -> bytes:
    """The appendices (and the activity schedule) as an .xlsx file."""
    book = Workbook()
    default = book.active
    if default is not None:
        book.remove(default)
    for index, appendix in enumerate(doc.appendices):
        label = appendix_label(appendix, index)
        sheet = book.create_sheet(_sheet_name(label))
        layout = appendix_layout(appendix)
        top = _heading(sheet, label, [appendix.title], attached_line(doc), len(layout.headers))
        _allocation(sheet, layout, top)
    if doc.activities:
        sheet = book.create_sheet(_sheet_name(SCHEDULE_LABEL))
        titles = [SCHEDULE_TITLE, *title_lines(doc)]
        top = _heading(sheet, SCHEDULE_LABEL, titles, attached_line(doc), len(SCHEDULE_HEADERS))
        _schedule(sheet, doc, top)
    if not book.worksheets:
        book.create_sheet("Phụ lục")
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_name(label: str) -> str:
    for forbidden in "[]:*?/\\":
        label = label.replace(forbidden, " ")
    return label[:31]


def _font(*, bold: bool = False, italic: bool = False, size: float = SIZE) -> Font:
    return Font(name=FONT, size=size, bold=bold, italic=italic)


def _heading(sheet: Worksheet, label: str, titles: list[str], attached: str, width: int) -> int:
    """Write the rows above the table, each merged across it; return the first free row."""
    lines = [(label, _font(bold=True, size=13))]
    lines += [(t.strip(), _font(bold=True, size=13)) for t in titles if t.strip()]
    lines.append((attached, _font(italic=True)))
    for row, (text, font) in enumerate(lines, start=1):
        cell = write_cell(sheet, row, 1, text)
        cell.font = font
        cell.alignment = Alignment(horizontal="center", vertical="center")
        if width > 1:
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    return len(lines) + 2  # one empty row before the table


def _number_format(fmt: ColumnFormat) -> str:
    if fmt.is_count:
        return "#,##0"
    return "0." + "0" * fmt.decimals if fmt.decimals else "0"


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _box(sheet: Worksheet, top: int, bottom: int, width: int) -> None:
    for row in sheet.iter_rows(min_row=top, max_row=bottom, min_col=1, max_col=width):
        for cell in row:
            cell.border = _BOX


def _lines_needed(text: str, width: float) -> int:
    chars = max(1.0, width * 1.1)  # Times New Roman 12 pt fits about 1,1 characters a unit
    return max(1, -(-len(text) // int(chars)))


def _allocation(sheet: Worksheet, layout: Layout, top: int) -> None:
    widths = [5.0, 24.0, *([12.0 if len(layout.headers) < 12 else 10.0] * len(layout.formats))]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    width = len(layout.headers)
    heights = [1] * layout.depth
    for spot in layout.header_cells:
        cell = write_cell(sheet, top + spot.row, 1 + spot.col, spot.text)
        cell.font = _font(bold=True)
        cell.alignment = _CENTRE
        span = sum(widths[spot.col : spot.col + spot.colspan])
        if spot.rowspan == 1:
            heights[spot.row] = max(heights[spot.row], _lines_needed(spot.text, span))
        if spot.rowspan > 1 or spot.colspan > 1:
            sheet.merge_cells(
                start_row=top + spot.row,
                start_column=1 + spot.col,
                end_row=top + spot.row + spot.rowspan - 1,
                end_column=spot.col + spot.colspan,
            )
    for offset, lines in enumerate(heights):
        sheet.row_dimensions[top + offset].height = lines * _POINTS_PER_LINE
    first = top + layout.depth
    for offset, row in enumerate(layout.rows):
        at = first + offset
        font = _font(bold=row.is_total)
        tt: int | str | None = int(row.number) if row.number.isdigit() else row.number or None
        number = write_cell(sheet, at, 1, tt)
        number.alignment = _CENTRE
        name = write_cell(sheet, at, 2, row.unit_name)
        name.alignment = _LEFT
        for column, (value, fmt) in enumerate(
            zip(row.values, layout.formats, strict=True), start=3
        ):
            cell = write_cell(sheet, at, column, _number(shown(value, fmt)))
            cell.number_format = _number_format(fmt)
            cell.alignment = _RIGHT
        for column in range(1, width + 1):
            sheet.cell(row=at, column=column).font = font
    _box(sheet, top, first + len(layout.rows) - 1, width)
    sheet.freeze_panes = f"C{first}"
    _print_setup(sheet, top, first - 1)


def _schedule(sheet: Worksheet, doc: PlanDocument, top: int) -> None:
    widths = [6.0, 60.0, 22.0, 30.0, 30.0]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for column, text in enumerate(SCHEDULE_HEADERS, start=1):
        cell = write_cell(sheet, top, column, text)
        cell.font = _font(bold=True)
        cell.alignment = _CENTRE
    rows = schedule_rows(doc.activities)
    for offset, row in enumerate(rows, start=1):
        at = top + offset
        lines = 1
        for column, text in enumerate(row.cells, start=1):
            cell = write_cell(sheet, at, column, text or None)
            cell.font = _font(bold=row.is_group)
            cell.alignment = _CENTRE if column == 1 else _LEFT
            lines = max(lines, _lines_needed(text, widths[column - 1]))
        sheet.row_dimensions[at].height = lines * _POINTS_PER_LINE
    _box(sheet, top, top + len(rows), len(SCHEDULE_HEADERS))
    sheet.freeze_panes = f"A{top + 1}"
    _print_setup(sheet, top, top)


def _print_setup(sheet: Worksheet, header_top: int, header_bottom: int) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = f"{header_top}:{header_bottom}"
    sheet.print_options.horizontalCentered = True
