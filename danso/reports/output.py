"""A report as the printed form: an ``.xlsx`` workbook and a PDF (xuất báo cáo).

Both follow the layout of a Vietnamese administrative document (Nghị định 30/2020/NĐ-CP,
Phụ lục I): top left the managing body and the issuing body in capitals ("UBND PHƯỜNG
NGỌC THỤY" / "TRẠM Y TẾ"), top right the national name and motto and the form's code
("Biểu: 01-DSH"), the title with the period in words ("Quý I năm 2025"), who reports to
whom, the table, the free-text sections, then the place and date and the signatures
("NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ").

The document is written in Vietnamese whatever the reader's language: it is the form a
unit sends to the level above, and administrative documents are written in Vietnamese.
So its words are here and in the print template, not in the translation catalogue.

What the table shows, for each number: the value the report says (``ReportFigure.value``)
in Vietnamese notation (``416.950``, ``0,15``), where the engine's figure came from (the
household register, entered figures, both; nothing when the officer typed it into the
report) and whether it was estimated across the 2025 reform.  A value that differs from
the engine's is marked with a note number, and the notes below the table say what the
engine gave and the officer's reason.

The names are those of the units on the report's tree day (``selectors.tree_day``); the
date beside the signatures is the first submission's day, or today for a report not sent.
``printed`` gathers all of it once; ``report_xlsx`` and ``report_pdf`` only lay it out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

# WeasyPrint ships no type information (no py.typed); only HTML and URLFetcher are used.
from weasyprint import HTML, URLFetcher  # type: ignore[import-untyped]

from danso.indicators.achievement import STATUS_VI, Status
from danso.indicators.catalogue import BY_CODE
from danso.indicators.models import Indicator
from danso.indicators.periods import Period, PeriodKind
from danso.plans.document import TargetKind
from danso.reports import selectors
from danso.reports.catalogue import RowKind
from danso.reports.models import Report, ReportFigure, ReportRow
from danso.spreadsheets import write_cell
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from danso.vietnamese import fold, format_number

#: The fonts shipped with danso (Liberation Serif, SIL OFL 1.1: see ``fonts/LICENSE.txt``),
#: embedded in every PDF so that no server font is needed for the Vietnamese letters.
FONTS = Path(__file__).resolve().parent / "fonts"
FONT_FACES = (
    ("LiberationSerif-Regular.ttf", "normal", "normal"),
    ("LiberationSerif-Bold.ttf", "bold", "normal"),
    ("LiberationSerif-Italic.ttf", "normal", "italic"),
    ("LiberationSerif-BoldItalic.ttf", "bold", "italic"),
)
FONT_FAMILY = "danso serif"

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PREPARER = "NGƯỜI LẬP BIỂU"
HEAD = "THỦ TRƯỞNG ĐƠN VỊ"
PREPARER_HINT = "(Ký, ghi rõ họ tên)"
HEAD_HINT = "(Ký, ghi rõ họ tên, đóng dấu)"

#: The body that does population work at each level, which issues the level's reports
#: (the country's is the ministry itself, not named after the country).
BODIES = {
    Level.COMMUNE: "Trạm Y tế",
    Level.DISTRICT: "Trung tâm Y tế",
    Level.PROVINCE: "Sở Y tế",
    Level.COUNTRY: "Bộ Y tế",
}
#: Where a figure came from (``ReportFigure.source``), in the commune form's column; an
#: empty source with a value is a number the officer typed into the report.
SOURCE_WORDS = {
    "register": "Sổ hộ",
    "entered": "Nhập tay",
    "register+entered": "Sổ hộ + nhập tay",
    "report": "Báo cáo cấp dưới đã duyệt",
    "": "Nhập vào báo cáo",
}
#: The same, abbreviated in the forms with a column per unit (explained under the table).
SOURCE_MARKS = {
    "register": "SH",
    "entered": "NT",
    "register+entered": "SH+NT",
    "report": "BCD",
    "": "BC",
}
SOURCE_LEGEND = (
    "SH: tính từ sổ hộ gia đình; NT: số liệu nhập tay; BC: số nhập trực tiếp vào báo cáo; "
    "BCD: theo báo cáo đã duyệt của đơn vị cấp dưới; "
    "ƯT: có số ước tính cho đơn vị chia tách, sáp nhập"
)
ESTIMATED = "ước tính"
#: How a target that is a change (in points, signed) and a ceiling are written.
CHANGE_WORDS = ("giảm", "tăng")
CEILING_MARK = "≤ "
NOTES_HEADING = "Số liệu đã sửa so với số phần mềm tính được:"
ESTIMATED_MARK = "ƯT"
#: Units of measure (đơn vị tính) of counts and of the indicator catalogue's units.
COUNT_UNITS = {"households": "Hộ", "premarital.checked": "Cặp"}
COUNT_UNIT = "Người"
INDICATOR_UNITS = {
    "%": "%",
    "‰": "‰",
    "per100": "Trai/100 gái",
    "persons": "Người",
    "children_per_woman": "Con/phụ nữ",
    "per_woman": "Con/phụ nữ",
}
_SUB_ROW = re.compile(r"^\s*[—–-]\s*")
#: The numbering a section's label may carry from its plan ("1 ", "2.1. ", "a) "): the
#: printed form numbers its parts itself.
_NUMBERED = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[a-zđ]\))\s+")


# ----------------------------------------------------------------------------- contents


@dataclass(frozen=True)
class Cell:
    """One number of the table as printed."""

    value: Decimal | None
    decimals: int
    source: str
    estimated: bool
    note: int | None = None  # the number of the correction note, if corrected
    kind: str = ""  # of a plan's target: "ceiling" and "change" print with their words

    @property
    def text(self) -> str:
        if self.value is None:
            return ""
        if self.kind == TargetKind.CHANGE and self.value:
            words = CHANGE_WORDS[0] if self.value < 0 else CHANGE_WORDS[1]
            return f"{words} {format_number(abs(self.value), self.decimals)}"
        prefix = CEILING_MARK if self.kind == TargetKind.CEILING else ""
        return prefix + format_number(self.value, self.decimals)

    @property
    def number(self) -> int | float | None:
        """The value as a spreadsheet number."""
        if self.value is None:
            return None
        whole = self.value == self.value.to_integral_value()
        return int(self.value) if whole else float(self.value)

    @property
    def source_text(self) -> str:
        """Where it came from, in words ("Sổ hộ, ước tính; đã sửa (1)")."""
        if self.value is None and not self.source:
            return ""
        words = SOURCE_WORDS.get(self.source, self.source)
        if self.estimated:
            words += f", {ESTIMATED}"
        if self.note is not None:
            words += f"; đã sửa ({self.note})"
        return words


@dataclass(frozen=True)
class Entry:
    """One cell right of the unit of measure in a unit's own report: a number, or words
    (the achievement of a target, the source)."""

    cell: Cell | None
    text: str = ""


@dataclass(frozen=True)
class Column:
    """A column of a unit's own report after the unit of measure."""

    header: str
    mark: str  # what the row under the header numbers it: "1", "D"
    numeric: bool


#: The columns of a unit's own report, and of a plan implementation report (each target
#: against what is due by now, and its achievement: ``danso.indicators.achievement``).
OWN_COLUMNS = (Column("Số liệu", "1", True), Column("Nguồn số liệu", "D", False))
TARGET_COLUMNS = (
    Column("Chỉ tiêu năm", "1", True),
    Column("Yêu cầu đến kỳ báo cáo", "2", True),
    Column("Thực hiện", "3", True),
    Column("Đánh giá", "D", False),
    Column("Nguồn số liệu", "E", False),
)


@dataclass(frozen=True)
class Line:
    """One row of the table: a count, an indicator or a plan's target, with one cell per
    column (the unit's own, then each unit below) and, in a unit's own report, the
    entries of its columns (``PrintedReport.own_columns``)."""

    number: str  # "1", "2"…; empty for a breakdown ("— trong đó: trai")
    label: str
    unit: str  # đơn vị tính
    cells: tuple[Cell, ...]
    entries: tuple[Entry, ...] = ()

    @property
    def is_breakdown(self) -> bool:
        return not self.number


@dataclass(frozen=True)
class Note:
    """A corrected figure: what the engine gave, what the report says, and why."""

    number: int
    label: str  # the row, and the column's unit in a form with a column per unit
    computed: str
    value: str
    reason: str

    @property
    def text(self) -> str:
        value = f"sửa thành {self.value}" if self.value else "để trống"
        reason = self.reason if self.reason.endswith((".", "!", "?")) else f"{self.reason}."
        computed = f"số tính được {self.computed}"
        return f"({self.number}) {self.label}: {computed}, {value}. Lý do: {reason}"


@dataclass(frozen=True)
class Section:
    heading: str  # "II. ĐÁNH GIÁ KẾT QUẢ, KHÓ KHĂN VÀ KIẾN NGHỊ"
    paragraphs: tuple[str, ...]  # empty: lines left for writing by hand


#: Value columns in one table of the PDF: a landscape A4 page holds the label columns and
#: fifteen numbers side by side, so a form with more units below is printed as several
#: tables one after the other, each repeating the rows' labels.
COLUMNS_PER_TABLE = 15


@dataclass(frozen=True)
class PartLine:
    line: Line
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class TablePart:
    """The columns of the table that fit on one page's width."""

    first: bool  # holds the reporting unit's own column
    headers: tuple[str, ...]  # the units below shown in this part
    numbers: tuple[int, ...]  # the numbers of its value columns (1 is the unit's own)
    lines: tuple[PartLine, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class PrintedReport:
    """Everything the printed form says, in the order it says it."""

    managing: str  # "UBND PHƯỜNG NGỌC THỤY"
    issuer: str  # "TRẠM Y TẾ"
    form: str  # "01-DSH", or empty
    title: str  # in capitals
    period: str  # "Quý I năm 2025"
    reporter: str  # "Trạm Y tế phường Ngọc Thụy"
    receiver: str  # "Trung tâm Y tế quận Long Biên"
    status: str
    by_unit: bool  # one column per unit below (01-DSH)
    own_columns: tuple[Column, ...]  # the columns of a unit's own report (not by unit)
    total_header: str  # "Toàn quận" over the unit's own column, by unit only
    units_header: str  # "Chia theo phường" over the units below, by unit only
    unit_headers: tuple[str, ...]  # the units below, by unit only
    lines: tuple[Line, ...]
    column_sources: tuple[str, ...]  # by unit only: "SH", "NT, ƯT" per column
    notes: tuple[Note, ...]
    table_heading: str  # "I. SỐ LIỆU THỐNG KÊ" when sections follow, else empty
    sections: tuple[Section, ...]
    place_date: str  # "Ngọc Thụy, ngày 05 tháng 4 năm 2025"
    preparer: str  # the name of who prepared it, when known

    @property
    def with_targets(self) -> bool:
        """A plan implementation report: each target against what is due by now."""
        return self.own_columns == TARGET_COLUMNS and not self.by_unit

    @property
    def columns(self) -> int:
        """How many value columns the table has."""
        return 1 + len(self.unit_headers)

    @property
    def parts(self) -> list[TablePart]:
        """The table cut into parts of ``COLUMNS_PER_TABLE`` value columns."""
        found = []
        for start in range(0, self.columns, COLUMNS_PER_TABLE):
            indexes = range(start, min(self.columns, start + COLUMNS_PER_TABLE))
            found.append(
                TablePart(
                    first=start == 0,
                    headers=tuple(self.unit_headers[i - 1] for i in indexes if i > 0),
                    numbers=tuple(i + 1 for i in indexes),
                    lines=tuple(
                        PartLine(line, tuple(line.cells[i] for i in indexes)) for line in self.lines
                    ),
                    sources=tuple(self.column_sources[i] for i in indexes if self.by_unit),
                )
            )
        return found


def period_words(period: Period) -> str:
    """``2025-01`` → "Tháng 01 năm 2025"; ``2025Q1`` → "Quý I năm 2025"; "Năm 2025"."""
    if period.kind is PeriodKind.MONTH:
        return f"Tháng {period.first_month:02d} năm {period.year}"
    if period.kind is PeriodKind.QUARTER:
        return f"Quý {_roman(period.last_month // 3)} năm {period.year}"
    if period.kind is PeriodKind.YEAR:
        return f"Năm {period.year}"
    return f"Từ tháng 01 đến tháng {period.last_month:02d} năm {period.year}"


def date_words(day: date) -> str:
    """The day in words, "ngày 05 tháng 4 năm 2025": a leading zero for days below 10 and
    for January and February (Nghị định 30/2020, as ``plans.writing.wording.date_line``
    writes it)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def _short_date(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _type_prefix(version: UnitVersion) -> int:
    """How many characters of the unit's name are its type word: "Phường" of "Phường Ngọc
    Thụy", "Thành phố" of "Thành phố Hà Nội" (of type "thành phố trung ương"); 0 when
    the name does not start with it."""
    words = version.type.split()
    name = fold(version.name)
    for count in range(len(words), min(2, len(words)) - 1, -1):
        prefix = " ".join(words[:count])
        if prefix and name.startswith(fold(prefix) + " "):
            return len(prefix)
    return 0


def _in_sentence(version: UnitVersion) -> str:
    """The unit's name inside a sentence: "Phường Ngọc Thụy" → "phường Ngọc Thụy"."""
    name = version.name
    return name[:1].lower() + name[1:] if _type_prefix(version) else name


def place_name(version: UnitVersion) -> str:
    """The place written before the date: the unit's name without its type word ("Ngọc
    Thụy"), but whole for a unit named by a number ("Phường 3"), as Nghị định 30/2020
    writes the place of a body of that level."""
    bare = version.name[_type_prefix(version) :].strip()
    return version.name if not bare or bare[0].isdigit() else bare


def _body(version: UnitVersion) -> str:
    return BODIES.get(Level(version.unit.level), "")


def _body_of(version: UnitVersion) -> str:
    """The body of the unit, named: "Trạm Y tế phường Ngọc Thụy", "Bộ Y tế"."""
    if version.unit.level == Level.COUNTRY:
        return _body(version)
    return f"{_body(version)} {_in_sentence(version)}".strip()


def _status(report: Report) -> str:
    sent = timezone.localdate(report.submitted_at) if report.submitted_at else None
    decided = timezone.localdate(report.decided_at) if report.decided_at else None
    if report.status == Report.Status.DRAFT or sent is None:
        return "Bản nháp, chưa gửi"
    words = f"Đã gửi ngày {_short_date(sent)}"
    if report.status == Report.Status.RETURNED and decided:
        return f"{words}; bị trả lại để sửa ngày {_short_date(decided)}"
    if report.status in (Report.Status.APPROVED, Report.Status.LOCKED) and decided:
        words += f"; đã duyệt ngày {_short_date(decided)}"
    if report.status == Report.Status.LOCKED:
        words += "; đã khóa"
    return words


def _preparer(report: Report) -> str:
    user = report.created_by
    if user is None:
        return ""
    return str(getattr(user, "full_name", "") or "").strip()


def printed(report: Report) -> PrintedReport:
    """What the printed form of ``report`` says (see the module docstring)."""
    report_type = report.report_type
    period = report.parsed_period
    version = selectors.version_for(report.unit, period)
    day = selectors.tree_day(report.unit, period)
    receiver = selectors.receiver_of(version, report_type, day)
    figures = list(report.figures.select_related("row"))
    rows = list(
        report_type.rows.exclude(kind=RowKind.SECTION)
        .select_related("target__indicator")
        .order_by("position")
    )
    with_targets = any(row.kind == RowKind.TARGET for row in rows)
    children = _children(figures, day) if report_type.child_columns else []
    columns: list[int | None] = [None, *(child.unit_id for child in children)]
    names: dict[int | None, str] = {None: ""}
    names.update((child.unit_id, child.name) for child in children)
    formats = _formats(rows)
    by_place = {(f.row_id, f.column_id): f for f in figures}

    lines: list[Line] = []
    notes: list[Note] = []
    number = 0
    for row in rows:
        breakdown = bool(_SUB_ROW.match(row.label_vi))
        if not breakdown:
            number += 1
        decimals, unit = formats[row.pk]
        cells: list[Cell] = []
        for column in columns:
            figure = by_place.get((row.pk, column))
            if figure is None:
                cells.append(Cell(None, decimals, "", estimated=False))
                continue
            note = None
            if figure.corrected:
                note = len(notes) + 1
                label = row.label_vi.strip(" —–-")
                if names[column]:
                    label += f" ({names[column]})"
                notes.append(_note(note, label, figure, decimals))
            cells.append(Cell(figure.value, decimals, figure.source, figure.estimated, note))
        own = by_place.get((row.pk, None))
        entries: list[Entry] = []
        if with_targets:
            kind = row.target.kind if row.target is not None else ""
            entries += [
                Entry(Cell(own.target if own else None, decimals, "", False, kind=kind)),
                Entry(Cell(own.expected if own else None, decimals, "", False)),
            ]
        entries.append(Entry(cells[0]))
        if with_targets:
            entries.append(Entry(None, _achievement(own.status if own else "")))
        entries.append(Entry(None, cells[0].source_text))
        number_text = "" if breakdown else str(number)
        lines.append(Line(number_text, row.label_vi, unit, tuple(cells), tuple(entries)))

    sections = _sections(report)
    own_type = version.type.strip()
    return PrintedReport(
        managing=f"UBND {version.name}".upper(),
        issuer=_body(version).upper(),
        form=report_type.form.strip(),
        title=report_type.name_vi.strip().upper(),
        period=period_words(period),
        reporter=_body_of(version),
        receiver=_body_of(receiver),
        status=_status(report),
        by_unit=bool(report_type.child_columns),
        own_columns=TARGET_COLUMNS if with_targets else OWN_COLUMNS,
        total_header=f"Toàn {own_type}" if own_type else "Tổng số",
        units_header="Chia theo " + ", ".join(dict.fromkeys(c.type for c in children)),
        unit_headers=tuple(child.name for child in children),
        lines=tuple(lines),
        column_sources=_column_sources(lines) if report_type.child_columns else (),
        notes=tuple(notes),
        table_heading="I. SỐ LIỆU THỐNG KÊ" if sections else "",
        sections=sections,
        place_date=f"{place_name(version)}, {date_words(_signed_on(report))}",
        preparer=_preparer(report),
    )


def _signed_on(report: Report) -> date:
    if report.submitted_at is not None:
        return timezone.localdate(report.submitted_at)
    return timezone.localdate()


def _children(figures: Iterable[ReportFigure], day: date) -> list[UnitVersion]:
    """The units of the report's columns, as they stood on its tree day, by code (the
    order ``services._fill`` gives them)."""
    ids = {f.column_id for f in figures if f.column_id is not None}
    return sorted(
        UnitVersion.objects.filter(valid_on(day), unit_id__in=ids).select_related("unit"),
        key=lambda version: version.display_code,  # 001, 002 … 016, not 1, 16, 2
    )


def _formats(rows: Sequence[ReportRow]) -> dict[int, tuple[int, str]]:
    """(decimals, unit of measure) of each row: none and "Người" for most counts; for an
    indicator, its own as the officers set them (``Indicator``), else the catalogue's."""
    codes = [_indicator_code(row) for row in rows if row.kind != RowKind.COUNT]
    known = {
        code: (decimals, unit)
        for code, decimals, unit in Indicator.objects.filter(code__in=codes).values_list(
            "code", "decimals", "unit"
        )
    }
    found: dict[int, tuple[int, str]] = {}
    for row in rows:
        if row.kind == RowKind.COUNT:
            found[row.pk] = (0, COUNT_UNITS.get(row.key, COUNT_UNIT))
            continue
        code = _indicator_code(row)
        spec = BY_CODE.get(code)
        decimals, unit = known.get(code) or (
            (spec.decimals, spec.unit.value) if spec is not None else (2, "")
        )
        found[row.pk] = (decimals, INDICATOR_UNITS.get(unit, unit))
    return found


def _achievement(status: str) -> str:
    """A figure's achievement status in words ("Đạt", "Đúng tiến độ"); empty if none."""
    known = {s.value: s for s in Status}
    return STATUS_VI[known[status]] if status in known else ""


def _indicator_code(row: ReportRow) -> str:
    """The indicator of an indicator row, or of a target's row (whose key may carry a
    suffix when a plan has two targets on one indicator)."""
    return row.target.indicator.code if row.target is not None else row.key


def _note(number: int, label: str, figure: ReportFigure, decimals: int) -> Note:
    return Note(
        number=number,
        label=label,
        computed=format_number(figure.computed, decimals),
        value=format_number(figure.value, decimals),
        reason=figure.reason.strip(),
    )


def _column_sources(lines: Sequence[Line]) -> tuple[str, ...]:
    """Per value column, where its numbers came from ("SH", "NT", "SH+NT"; "BC" when all
    were typed into the report), with "ƯT" when some were estimated."""
    marks: list[str] = []
    for index in range(len(lines[0].cells) if lines else 0):
        cells = [line.cells[index] for line in lines if line.cells[index].value is not None]
        sources = {c.source for c in cells if c.source}
        if "register+entered" in sources or {"register", "entered"} <= sources:
            mark = SOURCE_MARKS["register+entered"]
        elif sources:
            mark = "+".join(sorted(SOURCE_MARKS.get(source, source) for source in sources))
        else:
            mark = SOURCE_MARKS[""] if cells else ""
        if any(c.estimated for c in cells):
            mark += f", {ESTIMATED_MARK}"
        marks.append(mark)
    return tuple(marks)


def _sections(report: Report) -> tuple[Section, ...]:
    texts = list(report.texts.select_related("row").order_by("row__position"))
    sections = []
    for index, text in enumerate(texts, start=2):
        number = _roman(index)
        paragraphs = tuple(p.strip() for p in text.text.splitlines() if p.strip())
        heading = _NUMBERED.sub("", text.row.label_vi).strip().upper()
        sections.append(Section(f"{number}. {heading}", paragraphs))
    return tuple(sections)


def _roman(number: int) -> str:
    """``2`` → "II", ``14`` → "XIV" (the parts of a document, Nghị định 30/2020)."""
    found = ""
    for value, letters in (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ):  # fmt: skip
        count, number = divmod(number, value)
        found += letters * count
    return found


def report_filename(report: Report, ext: str) -> str:
    """An ASCII file name: ``bao-cao-quy-2025Q1-phuong-ngoc-thuy.pdf`` (the form's code
    after the period when the type has one: ``…-2025Q1-01-dsh-quan-long-bien.pdf``)."""
    period = report.parsed_period
    kind = {PeriodKind.MONTH: "thang", PeriodKind.QUARTER: "quy", PeriodKind.YEAR: "nam"}
    version = selectors.version_for(report.unit, period)
    parts = ["bao-cao", kind.get(period.kind, "ky"), str(period)]
    if report.report_type.form.strip():
        parts.append(_slug(report.report_type.form))
    parts.append(_slug(version.name) or version.display_code)
    return f"{'-'.join(parts)}.{ext.lstrip('.')}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


# ----------------------------------------------------------------------------- PDF


class _FontsOnly(URLFetcher):  # type: ignore[misc]
    """Fetch nothing but the shipped fonts: a report holds text people typed, which the
    template escapes, and the renderer must never reach the network or other files."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        allowed = {(FONTS / name).as_uri() for name, _weight, _style in FONT_FACES}
        if url not in allowed:
            raise ValueError(f"not fetched when printing a report: {url}")
        return super().fetch(url, headers)


def font_faces() -> str:
    """The ``@font-face`` rules of the shipped fonts, by absolute ``file://`` address."""
    return "\n".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{(FONTS / name).as_uri()}"); '
        f"font-weight: {weight}; font-style: {style}; }}"
        for name, weight, style in FONT_FACES
    )


def report_html(report: Report) -> str:
    """The print page of ``report`` (what the PDF is made from)."""
    doc = printed(report)
    return render_to_string(
        "reports/print/report.html",
        {
            "doc": doc,
            "font_faces": font_faces(),
            "landscape": doc.by_unit,
            "words": {
                "nation": NATION,
                "motto": MOTTO,
                "preparer": PREPARER,
                "preparer_hint": PREPARER_HINT,
                "head": HEAD,
                "head_hint": HEAD_HINT,
                "legend": SOURCE_LEGEND,
                "notes": NOTES_HEADING,
            },
        },
    )


def report_pdf(report: Report) -> bytes:
    """The report as a PDF: A4, portrait for a unit's own report, landscape for a form
    with a column per unit below; the shipped serif font embedded."""
    html = HTML(string=report_html(report), base_url=FONTS.as_uri() + "/", url_fetcher=_FontsOnly())
    pdf: bytes = html.write_pdf()
    return pdf


# ----------------------------------------------------------------------------- xlsx

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
