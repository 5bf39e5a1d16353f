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
``printed`` gathers all of it once; ``xlsx.report_xlsx`` and ``pdf.report_pdf`` only lay
it out, and ``output`` is where callers take them from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from danso.indicators import tallies as keys
from danso.indicators.achievement import STATUS_VI, Status
from danso.indicators.catalogue import BY_CODE
from danso.indicators.models import Indicator
from danso.indicators.periods import Period, PeriodKind
from danso.plans.document import TargetKind
from danso.reports import selectors
from danso.reports.catalogue import RowKind
from danso.reports.models import Report, ReportFigure, ReportRow
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from danso.vietnamese import fold, format_number

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
COUNT_UNITS = {keys.HOUSEHOLDS: "Hộ", keys.PREMARITAL_CHECKED: "Cặp"}
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
    order ``filling._fill`` gives them)."""
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
