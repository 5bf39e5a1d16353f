"""What the reports' screens and API read, in the reader's scope (hộp báo cáo).

The writes are ``services``' and the rules (due dates, completeness, who receives a
report) ``selectors``'; here they are put together for a person: which reports they may
see (``reports_visible``, ``report_access``), what a unit sends and receives
(``report_types_for``), its own reports around the day looked at (``own_reports``), the
reports of the units below for one type and period (``incoming``), a report's figures as
a table (``figure_table``) and the children's reports beside a district's own
(``children_side_by_side``), and the year's working calendar (``calendar_year``).

A report is looked at under the tree of its tree day (``selectors.tree_day``) and the
reader's scope is taken on that day (``accounts.scope.unit_scope``, the one scope
function): a ward officer sees the reports of their ward and of the villages below it,
a district officer those of the district and its communes.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import holidays
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from danso.accounts.scope import unit_scope
from danso.indicators.catalogue import BY_CODE
from danso.indicators.models import Indicator
from danso.indicators.periods import Period, PeriodKind
from danso.reports import selectors
from danso.reports.access import carriers
from danso.reports.catalogue import RowKind
from danso.reports.models import (
    CalendarDay,
    Report,
    ReportFigure,
    ReportRow,
    ReportType,
    ReportWaiver,
)
from danso.spreadsheets import append_row
from danso.units.models import Unit, UnitVersion, valid_on
from danso.units.scope import Action, UnitScope
from danso.vietnamese import format_number

#: The right to write and submit a unit's reports, and to decide on the reports a unit
#: receives (the same as ``services`` checks; the screens only use them to offer buttons).
WRITE = Action.SUBMIT_REPORTS
DECIDE = Action.APPROVE_REPORTS

#: What the screens call the state of an expected report.
STATES = {
    "missing": gettext_lazy("not sent"),
    "draft": gettext_lazy("being written"),
    "submitted": gettext_lazy("submitted"),
    "returned": gettext_lazy("returned"),
    "approved": gettext_lazy("approved"),
    "locked": gettext_lazy("locked"),
    "waived": gettext_lazy("waived"),
}
SOURCES = {
    "register": gettext_lazy("register"),
    "entered": gettext_lazy("entered"),
    "register+entered": gettext_lazy("register + entered"),
    "report": gettext_lazy("approved report of the unit"),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def english() -> bool:
    return (get_language() or "vi").startswith("en")


def type_name(report_type: ReportType) -> str:
    return report_type.name_en if english() else report_type.name_vi


def row_label(row: ReportRow) -> str:
    return row.label_en if english() else row.label_vi


def period_label(period: Period) -> str:
    """The period as the reader writes it: "Quý 1/2025", "Quarter 1/2025"."""
    if not english():
        return period.label_vi
    if period.kind is PeriodKind.YEAR:
        return f"Year {period.year}"
    if period.kind is PeriodKind.QUARTER:
        return f"Quarter {period.last_month // 3}/{period.year}"
    return f"Month {period.first_month:02d}/{period.year}"


def figure_text(value: Decimal | None, decimals: int | None = None) -> str:
    """A figure as officers write it: 40.000; 12,99; "" for nothing.  With ``decimals``,
    rounded to them (what a page shows); without, every stored digit (what a form field
    holds, so that saving it unchanged changes nothing)."""
    if value is None:
        return ""
    if decimals is not None:
        return format_number(value, decimals)
    text = format_number(value, 4)
    return text.rstrip("0").rstrip(",") if "," in text else text


def row_decimals(rows: Iterable[ReportRow]) -> dict[int, int]:
    """The decimals each number row is shown with: none for a count, the indicator's own
    (as the province set it, else the catalogue's) for an indicator or a target."""
    rows = list(rows)
    codes = [r.key for r in rows if r.kind != RowKind.COUNT]
    known = dict(Indicator.objects.filter(code__in=codes).values_list("code", "decimals"))
    found = {}
    for row in rows:
        if row.kind == RowKind.COUNT:
            found[row.pk] = 0
            continue
        spec = BY_CODE.get(row.key)
        found[row.pk] = known.get(row.key, spec.decimals if spec is not None else 2)
    return found


# ----------------------------------------------------------------------------- access


class ReportOutOfScope(PermissionError):
    """The report exists but its unit is outside the reader's scope."""


@dataclass(frozen=True)
class Access:
    """A report as one reader may use it: the reporting unit and the receiving unit on
    the report's tree day, the reader's scope on that day, what they may do."""

    report: Report
    version: UnitVersion
    receiver: UnitVersion
    day: date
    scope: UnitScope

    @property
    def may_write(self) -> bool:
        """May write the report's figures and submit it (when it is editable)."""
        return self.scope.allows(WRITE, self.version)

    @property
    def may_decide(self) -> bool:
        """May approve, return or unlock it (the receiving level)."""
        return self.scope.allows(DECIDE, self.receiver)

    @property
    def can_edit(self) -> bool:
        return self.report.editable and self.may_write


def report_access(user: Any, report_id: int) -> Access:
    """The report ``report_id`` as ``user`` may see it.  Raises ``Report.DoesNotExist``,
    or ``ReportOutOfScope`` when the reader may not see its unit on its tree day."""
    report = Report.objects.select_related("report_type", "unit").get(pk=report_id)
    period = report.parsed_period
    day = selectors.tree_day(report.unit, period)
    version = selectors.version_for(report.unit, period)
    scope = unit_scope(user, day)
    if not scope.allows(Action.VIEW, version):
        raise ReportOutOfScope(report_id)
    receiver = selectors.receiver_of(version, report.report_type, day)
    return Access(report, version, receiver, day, scope)


def reports_visible(user: Any) -> QuerySet[Report]:
    """Every report whose unit ``user`` may see on the report's period end (one scope per
    period end).  A unit that closed during its period is looked at in its last version,
    with the scope of the period end."""
    allowed = Q(pk__in=[])
    # without the models' ordering, which would make every report a distinct row
    for day in (
        Report.objects.order_by("period_end").values_list("period_end", flat=True).distinct()
    ):
        scope = unit_scope(user, day)
        if scope.is_everything():
            allowed |= Q(period_end=day)
            continue
        if not scope.allows_anywhere(Action.VIEW):
            continue
        open_on_day = UnitVersion.objects.filter(valid_on(day), scope.q()).values("unit_id")
        closed_before = UnitVersion.objects.filter(
            scope.q(),
            valid_to__lt=day,
            valid_to__gte=day - timedelta(days=366),
            unit__valid_to=F("valid_to"),
        ).values("unit_id")
        allowed |= Q(period_end=day) & (Q(unit_id__in=open_on_day) | Q(unit_id__in=closed_before))
    return Report.objects.filter(allowed).select_related("report_type", "unit")


# ----------------------------------------------------------------------------- the inbox


def report_types_for(version: UnitVersion, on: date) -> tuple[list[ReportType], list[ReportType]]:
    """The active types ``version``'s unit sends (its level reports them) and receives
    (its level receives them, or its units directly below report them: after 1/7/2025 a
    commune's reports go to its province).  A plan's implementation report is sent by the
    plan's unit, and received by the unit directly above it; once that unit closed, by
    the units that carry the plan's cells (``access.carriers``), to the unit above them."""
    below = dict(
        UnitVersion.objects.filter(valid_on(on), parent_id=version.unit_id).values_list(
            "unit_id", "unit__level"
        )
    )
    levels = set(below.values())
    level = version.unit.level
    types = list(ReportType.objects.filter(active=True).select_related("plan"))
    carrying = {t.pk: carriers(t, on) for t in types if t.plan is not None}
    own = [
        t
        for t in types
        if (t.reporting_level == level and (t.plan is None or t.plan.unit_id == version.unit_id))
        or version.unit_id in carrying.get(t.pk, ())
    ]
    incoming = [
        t
        for t in types
        if (
            (t.receiving_level == level or t.reporting_level in levels)
            and (t.plan is None or t.plan.unit_id in below)
        )
        or not carrying.get(t.pk, set()).isdisjoint(below)
    ]
    return own, incoming


def _in_plan(report_type: ReportType, period: Period) -> bool:
    plan = report_type.plan
    return plan is None or plan.period_start <= period.year <= plan.period_end


def last_ended(kind: str, on: date) -> Period:
    """The latest period of ``kind`` that ended before ``on``: the one due next or just
    due."""
    if kind == PeriodKind.MONTH:
        end = on.replace(day=1) - timedelta(days=1)
        return Period.month_of(end.year, end.month)
    if kind == PeriodKind.QUARTER:
        start = date(on.year, 3 * ((on.month - 1) // 3) + 1, 1)
        end = start - timedelta(days=1)
        return Period.parse(f"{end.year}Q{(end.month + 2) // 3}")
    return Period.year_of(on.year - 1)


def previous(period: Period) -> Period:
    return last_ended(period.kind, period.start)


def nearest_due(report_types: list[ReportType], on: date) -> ReportType | None:
    """The type whose last period ended before ``on`` is due nearest to ``on`` (the one
    the inbox opens on)."""
    calendar = selectors.working_calendar()

    def distance(report_type: ReportType) -> tuple[int, str]:
        due = selectors.due_date(report_type, last_ended(report_type.period_kind, on), calendar)
        return abs((due - on).days), report_type.code

    return min(report_types, key=distance, default=None)


def period_choices(report_type: ReportType, on: date, count: int = 8) -> list[Period]:
    """The periods offered for a type: the last ``count`` that ended before ``on`` (within
    its plan's years for a plan's report)."""
    found = [last_ended(report_type.period_kind, on)]
    while len(found) < count:
        found.append(previous(found[-1]))
    return [p for p in found if _in_plan(report_type, p)]


@dataclass
class OwnRow:
    """One report of the reader's own unit: opened or not yet."""

    report_type: ReportType
    period: Period
    due: date
    report: Report | None
    days_left: int  # negative: days late (not sent); for a sent report, see ``late_days``
    late_days: int = 0  # a report sent after its due date: how many days after
    waived: bool = False  # the level above excused the unit from it

    @property
    def state(self) -> str:
        if self.waived and not self.sent:
            return "waived"
        return self.report.status if self.report else "missing"

    @property
    def state_label(self) -> str:
        if self.report is None and not self.waived:
            return str(_("not started"))
        return str(STATES[self.state])

    @property
    def type_name(self) -> str:
        return type_name(self.report_type)

    @property
    def period_label(self) -> str:
        return period_label(self.period)

    @property
    def sent(self) -> bool:
        return self.report is not None and self.report.submitted_at is not None


def days_late(submitted_at: Any, due: date) -> int:
    """Days between the due date and the (first) submission in Vietnam's time; 0 on time."""
    return max(0, (timezone.localdate(submitted_at) - due).days)


def own_reports(unit: Unit, report_types: Iterable[ReportType], on: date) -> list[OwnRow]:
    """For each type the unit sends: the last period ended before ``on`` (the report due
    next or just due) and every report of it not yet approved (being written, returned,
    waiting for the level above), latest due first."""
    types = list(report_types)
    reports = {
        (r.report_type_id, r.period): r
        for r in Report.objects.filter(unit=unit, report_type__in=types).select_related(
            "report_type__plan"
        )
    }
    waived = set(
        ReportWaiver.objects.filter(unit=unit, report_type__in=types).values_list(
            "report_type_id", "period"
        )
    )
    calendar = selectors.working_calendar()
    wanted: dict[tuple[int, str], tuple[ReportType, Period]] = {}
    for report_type in types:
        period = last_ended(report_type.period_kind, on)
        existed = unit.valid_from <= period.end and (
            not unit.valid_to or unit.valid_to >= period.start
        )
        if existed and _in_plan(report_type, period):
            wanted[(report_type.pk, str(period))] = (report_type, period)
    pending = (Report.Status.DRAFT, Report.Status.RETURNED, Report.Status.SUBMITTED)
    for (type_id, text), found in reports.items():
        if found.status in pending:
            wanted[(type_id, text)] = (found.report_type, found.parsed_period)
    rows = []
    for key, (report_type, period) in wanted.items():
        due = selectors.due_date(report_type, period, calendar)
        report = reports.get(key)
        row = OwnRow(report_type, period, due, report, (due - on).days, waived=key in waived)
        if report is not None and report.submitted_at is not None:
            row.late_days = days_late(report.submitted_at, due)
        rows.append(row)
    rows.sort(key=lambda r: (r.due, r.report_type.code), reverse=True)
    return rows


@dataclass
class IncomingRow:
    """A unit below that must send the report, with what it sent."""

    version: UnitVersion
    report: Report | None
    waived: bool
    due: date

    @property
    def state(self) -> str:
        if self.report is not None and self.report.submitted_at is not None:
            return self.report.status
        if self.waived:
            return "waived"
        return "draft" if self.report is not None else "missing"

    @property
    def state_label(self) -> str:
        return str(STATES[self.state])

    @property
    def sent(self) -> bool:
        return self.report is not None and self.report.submitted_at is not None

    @property
    def late_days(self) -> int:
        if self.report is None or self.report.submitted_at is None:
            return 0
        return days_late(self.report.submitted_at, self.due)


@dataclass
class Incoming:
    """The reports of one type and period that the units below ``parent`` owe it."""

    report_type: ReportType
    period: Period
    parent: UnitVersion
    completeness: selectors.Completeness
    rows: list[IncomingRow] = field(default_factory=list)

    @property
    def status(self) -> dict[str, Any]:
        return self.completeness.as_dict()

    @property
    def type_name(self) -> str:
        return type_name(self.report_type)

    @property
    def period_label(self) -> str:
        return period_label(self.period)


def incoming(report_type: ReportType, parent: UnitVersion, period: Period) -> Incoming:
    """Who under ``parent`` (a version valid on the period's tree day, in the reader's
    scope) owes ``report_type`` for ``period``, and what each sent.  A report being
    written but not sent yet counts as not received."""
    on = selectors.tree_day(parent.unit, period)
    expected = selectors.expected_units(report_type, parent, on)
    found = selectors.completeness(report_type, parent, period, expected)
    reports = {
        r.unit_id: r
        for r in Report.objects.filter(
            report_type=report_type,
            period=str(period),
            unit_id__in=[v.unit_id for v in expected],
        )
    }
    waived = set(found.waived)
    rows = [
        IncomingRow(v, reports.get(v.unit_id), v.display_code in waived, found.due)
        for v in expected
    ]
    return Incoming(report_type, period, parent, found, rows)


def incoming_workbook(found: Incoming) -> bytes:
    """The list of the reports sent to a unit as .xlsx: a header with the rates, then one
    row per unit below (code, name, state, first submitted, days late)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Reports received")[:31]
    status = found.status
    append_row(sheet, [f"{type_name(found.report_type)} · {period_label(found.period)}"])
    append_row(sheet, [found.parent.name, found.parent.display_code])
    append_row(sheet, [_("Due date"), f"{found.completeness.due:%d/%m/%Y}"])
    append_row(sheet, [_("Expected"), status["expected"]])
    append_row(sheet, [_("Received"), status["received"]])
    append_row(sheet, [_("On time"), status["on_time"]])
    append_row(sheet, [_("Completeness (%)"), status["completeness"]])
    append_row(sheet, [_("Timeliness (%)"), status["timeliness"]])
    append_row(sheet, [])
    header = [_("Code"), _("Unit"), _("Status"), _("First submitted"), _("Days late")]
    append_row(sheet, header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet["A1"].font = Font(bold=True)
    for row in found.rows:
        submitted = row.report.submitted_at if row.report else None
        append_row(
            sheet,
            [
                row.version.display_code,
                row.version.name,
                row.state_label,
                f"{timezone.localtime(submitted):%d/%m/%Y %H:%M}" if submitted else "",
                row.late_days if row.sent else None,
            ],
        )
    sheet.column_dimensions["B"].width = 32
    sheet.column_dimensions["C"].width = 16
    sheet.column_dimensions["D"].width = 18
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def completeness_panels(version: UnitVersion, on: date) -> list[Incoming]:
    """For a dashboard: the completeness of every type ``version``'s unit receives, for
    the last period of each that ended before ``on`` (``reports/_completeness.html``).
    ``version`` is valid on ``on`` and already checked against the reader's scope."""
    _own, received = report_types_for(version, on)
    panels = []
    for report_type in received:
        period = last_ended(report_type.period_kind, on)
        if version.unit.valid_from > period.end:
            continue  # the unit did not exist then: nothing was owed to it
        panels.append(incoming(report_type, selectors.version_for(version.unit, period), period))
    return panels


# ----------------------------------------------------------------------------- a report


@dataclass
class Cell:
    """One figure of a report as the editor and the review show it: ``value`` as the
    form field holds it (every digit), ``shown`` and ``computed`` rounded for reading."""

    figure: ReportFigure
    value: str
    computed: str
    reason: str
    errors: list[str] = field(default_factory=list)
    decimals: int = 0

    @property
    def shown(self) -> str:
        return figure_text(self.figure.value, self.decimals)

    @property
    def name(self) -> str:
        return f"v-{self.figure.pk}"

    @property
    def reason_name(self) -> str:
        return f"r-{self.figure.pk}"

    @property
    def source(self) -> str:
        return str(SOURCES.get(self.figure.source, self.figure.source))

    @property
    def corrected(self) -> bool:
        return self.figure.corrected

    @property
    def label(self) -> str:
        return row_label(self.figure.row)

    @property
    def target(self) -> str:
        """For a plan's target: what the plan asks for the year."""
        return figure_text(self.figure.target, self.decimals)

    @property
    def expected(self) -> str:
        """For a plan's target: what it asks by now."""
        return figure_text(self.figure.expected, self.decimals)


@dataclass
class Line:
    row: ReportRow
    label: str
    cells: list[Cell | None]


@dataclass
class Table:
    """A report's number rows, one column for the unit and, for a form with a column per
    unit below, one per child (ordered by code)."""

    columns: list[tuple[int | None, str]]
    lines: list[Line]

    @property
    def wide(self) -> bool:
        return len(self.columns) > 1

    def cells(self) -> list[Cell]:
        return [cell for line in self.lines for cell in line.cells if cell is not None]


def figure_table(
    report: Report,
    version: UnitVersion,
    day: date,
    posted: dict[int, tuple[str, str]] | None = None,
    errors: dict[int, list[str]] | None = None,
) -> Table:
    """The report's figures as rows × columns.  ``posted`` (figure id → value, reason as
    typed) and ``errors`` redisplay a form that was refused."""
    posted, errors = posted or {}, errors or {}
    figures = list(report.figures.select_related("row").order_by("row__position", "column_id"))
    child_ids = sorted({f.column_id for f in figures if f.column_id is not None})
    names = {
        v.unit_id: v
        for v in UnitVersion.objects.filter(valid_on(day), unit_id__in=child_ids).select_related(
            "unit"
        )
    }
    ordered = sorted(child_ids, key=lambda i: (names[i].code if i in names else "", i))
    columns: list[tuple[int | None, str]] = [(None, version.name)]
    columns += [(i, names[i].name if i in names else str(i)) for i in ordered]
    by_row: dict[int, dict[int | None, ReportFigure]] = {}
    rows: dict[int, ReportRow] = {}
    for figure in figures:
        by_row.setdefault(figure.row_id, {})[figure.column_id] = figure
        rows[figure.row_id] = figure.row
    decimals = row_decimals(rows.values())
    lines = []
    for row in sorted(rows.values(), key=lambda r: r.position):
        cells: list[Cell | None] = []
        for column_id, _name in columns:
            found = by_row[row.pk].get(column_id)
            if found is None:
                cells.append(None)
                continue
            figure = found
            value, reason = posted.get(figure.pk, (figure_text(figure.value), figure.reason))
            places = decimals[row.pk]
            computed = figure_text(figure.computed, places)
            cells.append(Cell(figure, value, computed, reason, errors.get(figure.pk, []), places))
        lines.append(Line(row, row_label(row), cells))
    return Table(columns, lines)


def sections(report: Report) -> list[dict[str, Any]]:
    """The free-text sections: key, label, text."""
    return [
        {"key": t.row.key, "label": row_label(t.row), "text": t.text, "name": f"t-{t.row_id}"}
        for t in report.texts.select_related("row").order_by("row__position")
    ]


@dataclass
class ChildColumn:
    """A unit below a district's report: its own report (or waiver) for the period."""

    version: UnitVersion
    report: Report | None
    waiver: ReportWaiver | None

    @property
    def state(self) -> str:
        if self.report is not None and self.report.submitted_at is not None:
            return self.report.status
        if self.waiver is not None:
            return "waived"
        return "draft" if self.report is not None else "missing"

    @property
    def state_label(self) -> str:
        return str(STATES[self.state])


@dataclass(frozen=True)
class ChildFigure:
    """A child's own figure for a row, and the district's column for that child."""

    value: str
    ours: str
    differs: bool


@dataclass
class SideBySide:
    columns: list[ChildColumn]
    lines: list[tuple[str, list[ChildFigure]]]


def children_side_by_side(report: Report) -> SideBySide | None:
    """For a report that the reports of the units below are part of (a district's 01-DSH):
    each unit below with its report's figures for the rows both forms share, marked where
    they differ from the district's column for that unit.  None for other reports."""
    if not report.report_type.fed_by.exists():
        return None
    status = selectors.children_status(report)
    rows = list(report.report_type.rows.exclude(kind=RowKind.SECTION).order_by("position"))
    keys = [row.key for row in rows]
    ours = {
        (f.column_id, f.row.key): f.value
        for f in report.figures.filter(column__isnull=False).select_related("row")
    }
    child_reports = [r for _v, r, _w in status if r is not None]
    theirs = {
        (f.report_id, f.row.key): f.value
        for f in ReportFigure.objects.filter(
            report__in=child_reports, column__isnull=True, row__key__in=keys
        ).select_related("row")
    }
    columns = [ChildColumn(version, child, waiver) for version, child, waiver in status]
    lines = []
    for row in rows:
        cells = []
        for column in columns:
            mine = ours.get((column.version.unit_id, row.key))
            key = (column.report.pk if column.report else 0, row.key)
            value = theirs.get(key)
            cells.append(
                ChildFigure(figure_text(value), figure_text(mine), key in theirs and value != mine)
            )
        lines.append((row_label(row), cells))
    return SideBySide(columns, lines)


# ----------------------------------------------------------------------------- calendar


@dataclass(frozen=True)
class CalendarEntry:
    day: date
    working: bool
    name: str
    corrected: CalendarDay | None


def calendar_year(year: int) -> list[CalendarEntry]:
    """The year's days that are not as the week goes: public holidays and their makeup
    days on weekdays, Saturdays or Sundays worked, and every administrator's day, as the
    working calendar counts them (the administrator's days win)."""
    calendar = selectors.working_calendar()
    names = holidays.country_holidays("VN", years=year, language="en_US" if english() else "vi")
    corrections = {d.day: d for d in CalendarDay.objects.filter(day__year=year).order_by("day")}
    entries = []
    day = date(year, 1, 1)
    while day.year == year:
        working = calendar.is_working_day(day)
        ordinary = day.weekday() < 5
        if working != ordinary or day in corrections or day in names:
            correction = corrections.get(day)
            name = names.get(day) or (correction.note if correction else "")
            entries.append(CalendarEntry(day, working, str(name or ""), correction))
        day += timedelta(days=1)
    return entries
