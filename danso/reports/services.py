"""Writes of reports: loading the built-in types, the calendar days, a report's life,
waivers, reminders, and the implementation reports of plans.

A report goes draft → submitted → approved, or back to the reporting unit as returned
(with a comment) and submitted again.  Approval freezes its figures; only the level above
reopens an approved report (``report_unlock``, with a reason).  When the receiving
unit's own report that it is part of (``ReportType.feeds``: a ward's quarterly report in
its district's 01-DSH) is approved in turn, it is locked: it reopens only after that
report is unlocked.  That report of the level above is approved only once every unit
below has its report approved or is excused from it (``report_waive``, miễn báo cáo).

Who may do what, decided by ``danso.accounts.scope.unit_scope`` on the report's tree
day: whoever holds ``Action.SUBMIT_REPORTS`` on the reporting unit writes and submits (a
district enters the report of a commune that keeps its books on paper); whoever holds
``Action.APPROVE_REPORTS`` on the receiving unit approves, returns, unlocks and waives,
so a commune officer, who holds it on the commune only, never decides on a commune's
report.

Every change is recorded in the models' history against ``actor``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from danso import bounds
from danso.accounts.models import RoleAssignment, User
from danso.accounts.policy import ROLE_ACTIONS
from danso.accounts.scope import unit_scope
from danso.audit import acting_as, recorded_user
from danso.indicators import cache
from danso.indicators.achievement import Actual, Judgement, Status, judge
from danso.indicators.engine import UnitFigures, Value
from danso.indicators.models import Indicator
from danso.indicators.periods import Period, PeriodKind
from danso.plans.document import SectionKind
from danso.plans.models import Plan, ReportObligation, Target
from danso.plans.selectors import units_day
from danso.reports import selectors
from danso.reports.catalogue import (
    ASSESSMENT,
    BUILT_IN,
    ENGINE_COUNTS,
    KNOWN_DAYS,
    PARTS_OF,
    RowKind,
)
from danso.reports.deadlines import DeadlineError, DeadlineRule, RuleKind, rule_from
from danso.reports.models import (
    CalendarDay,
    Reminder,
    Report,
    ReportFigure,
    ReportRow,
    ReportText,
    ReportType,
    ReportWaiver,
)
from danso.units.models import Unit, UnitVersion, valid_on
from danso.units.scope import Action, UnitScope
from danso.vietnamese import format_number

logger = logging.getLogger(__name__)

_PLACES = Decimal("0.0001")


# ----------------------------------------------------------------------------- loading


@transaction.atomic
def report_types_load() -> int:
    """Add the built-in report types that are missing (``catalogue.BUILT_IN``) with their
    rows; never touch a type that exists, whatever an officer made of it.  Returns how
    many were added."""
    existing = set(ReportType.objects.values_list("code", flat=True))
    added: dict[str, ReportType] = {}
    for spec in BUILT_IN:
        if spec.code in existing:
            continue
        report_type = ReportType.objects.create(
            code=spec.code,
            name_vi=spec.name_vi,
            name_en=spec.name_en,
            form=spec.form,
            period_kind=spec.period_kind.value,
            reporting_level=spec.reporting_level.value,
            receiving_level=spec.receiving_level.value,
            deadline=spec.deadline.as_dict(),
            child_columns=spec.child_columns,
        )
        bulk_create_with_history(
            [
                ReportRow(
                    report_type=report_type,
                    position=position,
                    kind=row.kind.value,
                    key=row.key,
                    label_vi=row.label_vi,
                    label_en=row.label_en,
                )
                for position, row in enumerate(spec.rows, start=1)
            ],
            ReportRow,
        )
        added[spec.code] = report_type
    for spec in BUILT_IN:
        if spec.code in added and spec.feeds:
            report_type = added[spec.code]
            report_type.feeds = ReportType.objects.get(code=spec.feeds)
            report_type.save(update_fields=["feeds", "updated_at"])
    return len(added)


@transaction.atomic
def calendar_days_load() -> int:
    """Add the government's swaps the ``holidays`` package lacks (``catalogue.KNOWN_DAYS``)
    where the administrator has set nothing for that day.  Returns how many were added."""
    taken = set(CalendarDay.objects.values_list("day", flat=True))
    new = [known for known in KNOWN_DAYS if known.day not in taken]
    bulk_create_with_history(
        [CalendarDay(day=known.day, kind=_kind(known.working), note=known.note) for known in new],
        CalendarDay,
    )
    return len(new)


def _kind(working: bool) -> str:
    return CalendarDay.Kind.WORKING_DAY if working else CalendarDay.Kind.DAY_OFF


def calendar_day_set(*, day: date, working: bool, note: str = "", actor: Any = None) -> CalendarDay:
    """Make ``day`` a working day or a day off, whatever the public holidays say (the
    government's yearly swaps).  Only an administrator of the whole country sets them."""
    # the calendar is the whole country's, and only the administrator's role holds
    # MANAGE_USERS over the whole country
    if not _scope(actor, day).is_everything(Action.MANAGE_USERS):
        raise PermissionDenied(_("Only an administrator sets the working calendar."))
    with acting_as(actor):
        row, _created = CalendarDay.objects.update_or_create(
            day=day, defaults={"kind": _kind(working), "note": note.strip()}
        )
    return row


def calendar_day_remove(*, day: date, actor: Any = None) -> bool:
    """Drop the administrator's setting of ``day``: the public holidays decide it again.
    Returns whether there was one.  The removal stays in the history."""
    if not _scope(actor, day).is_everything(Action.MANAGE_USERS):
        raise PermissionDenied(_("Only an administrator sets the working calendar."))
    row = CalendarDay.objects.filter(day=day).first()
    if row is None:
        return False
    with acting_as(actor):
        row.delete()
    return True


# ----------------------------------------------------------------------------- access


def _user(actor: Any) -> Any:
    """The user to store against a change (None when the system acts)."""
    return recorded_user(actor)


def _scope(actor: Any, on: date) -> UnitScope:
    return UnitScope.system(on) if actor is None else unit_scope(actor, on)


def _may_write(report_type: ReportType, unit: Unit, period: Period, actor: Any) -> UnitVersion:
    version = selectors.version_for(unit, period)
    day = selectors.tree_day(unit, period)
    if not _scope(actor, day).allows(Action.SUBMIT_REPORTS, version):
        raise PermissionDenied(_("You may not write the reports of this unit."))
    return version


def _may_decide(report_type: ReportType, unit: Unit, period: Period, actor: Any) -> UnitVersion:
    """Check that ``actor`` decides on ``unit``'s report of ``report_type`` for ``period``
    (whether it exists or not): ``APPROVE_REPORTS`` on the unit receiving it.  Returns
    the receiving unit."""
    day = selectors.tree_day(unit, period)
    version = selectors.version_for(unit, period)
    receiver = selectors.receiver_of(version, report_type, day)
    if not _scope(actor, day).allows(Action.APPROVE_REPORTS, receiver):
        raise PermissionDenied(_("Only the level receiving this report decides on it."))
    return receiver


def _reporting_unit(report_type: ReportType, unit: Unit) -> None:
    """Refuse a unit that does not send ``report_type``."""
    if unit.level != report_type.reporting_level:
        raise ValidationError(
            _("%(type)s is reported by units of level %(level)s.")
            % {"type": report_type.code, "level": report_type.get_reporting_level_display()}
        )
    plan = report_type.plan
    if plan is not None and unit.pk != plan.unit_id:
        raise ValidationError(
            _("%(type)s reports on a plan: only the unit that issued it sends it.")
            % {"type": report_type.code}
        )


def _editable(report: Report) -> None:
    if not report.editable:
        raise ValidationError(
            _("A %(status)s report cannot be changed.") % {"status": report.get_status_display()}
        )


# ----------------------------------------------------------------------------- filling


def report_may_open(
    *, report_type: ReportType, unit: Unit, period: str, actor: Any = None
) -> Period:
    """Check that ``actor`` may open the report of ``unit`` for ``period`` (the checks of
    ``report_open``, without creating anything); returns the period."""
    parsed = selectors.period_of(report_type, period)
    _reporting_unit(report_type, unit)
    _may_write(report_type, unit, parsed, actor)
    return parsed


@transaction.atomic
def report_open(*, report_type: ReportType, unit: Unit, period: str, actor: Any = None) -> Report:
    """The report of ``unit`` for ``period``, created and filled from the indicator engine
    the first time it is asked for.  Raises ``ValidationError`` for a period of another
    kind (or outside its plan's years) or a unit that does not send it (another level;
    for a plan's report, another unit than the plan's), ``PermissionDenied`` outside the
    actor's scope."""
    parsed = selectors.period_of(report_type, period)
    _reporting_unit(report_type, unit)
    version = _may_write(report_type, unit, parsed, actor)
    found = Report.objects.filter(report_type=report_type, unit=unit, period=str(parsed)).first()
    if found is not None:
        return found
    with acting_as(actor):
        report = Report.objects.create(
            report_type=report_type,
            unit=unit,
            period=str(parsed),
            period_end=parsed.end,
            created_by=_user(actor),
        )
        _fill(report, version, parsed, actor)
        bulk_create_with_history(
            [
                ReportText(report=report, row=row)
                for row in report_type.rows.filter(kind=RowKind.SECTION)
            ],
            ReportText,
            default_user=_user(actor),
        )
    return report


@transaction.atomic
def report_refresh(*, report: Report, actor: Any = None) -> Report:
    """Fill the report again from the engine (the register changed since): every figure
    that still follows the engine takes the new count; corrected and entered ones stay."""
    _editable(report)
    version = _may_write(report.report_type, report.unit, report.parsed_period, actor)
    with acting_as(actor):
        _fill(report, version, report.parsed_period, actor)
    return report


def _fill(report: Report, version: UnitVersion, period: Period, actor: Any) -> None:
    report_type = report.report_type
    rows = list(report_type.rows.exclude(kind=RowKind.SECTION).select_related("target__indicator"))
    day = selectors.tree_day(report.unit, period)
    children: list[UnitVersion] = []
    if report_type.child_columns:
        children = sorted(
            UnitVersion.objects.filter(valid_on(day), parent_id=version.unit_id).select_related(
                "unit"
            ),
            key=lambda child: child.display_code,  # 001, 002 … 016, not 1, 16, 2
        )
    counted = selectors.actual_period(report_type, period)
    figures = cache.figures(version, counted, tree_date=day, children=children)
    baselines = _baselines(rows, version, day)
    columns: list[tuple[Unit | None, UnitFigures]] = [(None, figures)]
    columns += [(child.unit, f) for child, f in zip(children, figures.children, strict=True)]
    existing = {(f.row_id, f.column_id): f for f in report.figures.all()}
    sent = _approved_below(report, [child.unit_id for child in children])
    new: list[ReportFigure] = []
    for column, unit_figures in columns:
        for row in rows:
            computed, source, estimated = _computed(row, unit_figures)
            if column is not None and (row.kind, row.key) in sent.get(column.pk, {}):
                computed, estimated = sent[column.pk][row.kind, row.key]
                source = FROM_REPORT
            elif column is None and row.kind == RowKind.COUNT and children:
                total = _sum_of_reports(sent, [child.unit_id for child in children], row)
                if total is not None:
                    computed, source, estimated = total
            figure = existing.get((row.pk, column.pk if column else None))
            follows = figure is None or (not figure.reason and figure.value == figure.computed)
            if figure is None:
                figure = ReportFigure(report=report, row=row, column=column)
                new.append(figure)
            figure.computed, figure.source, figure.estimated = computed, source, estimated
            if follows:
                figure.value = computed
            if row.kind == RowKind.TARGET:
                # judged only on what the engine could give (nothing where it has no figures)
                value = _engine_value(row, unit_figures) if computed is not None else None
                baseline = baselines.get(row.pk)
                figure.target = None if row.target is None else row.target.value
                figure.expected = _expected(row.target, counted, baseline)
                figure.computed_status = _judged(row.target, value, counted, baseline).status
                figure.status = _status(figure, counted)
            if figure.pk is not None:
                figure.save(
                    update_fields=[
                        "computed",
                        "value",
                        "source",
                        "estimated",
                        "target",
                        "expected",
                        "status",
                        "computed_status",
                    ]
                )
    # with a history row each, so that the first correction shows what it replaced
    bulk_create_with_history(new, ReportFigure, default_user=_user(actor))


#: ``ReportFigure.source`` of a figure taken from an approved report of the unit below.
FROM_REPORT = "report"


def _approved_below(
    report: Report, units: list[int]
) -> dict[int, dict[tuple[str, str], tuple[Decimal | None, bool]]]:
    """For a form with a column per unit below whose reports are part of it (01-DSH):
    each unit's approved (or locked) report's own figures, by row kind and key, as the
    level above accepted them, corrections included."""
    fed_by = list(report.report_type.fed_by.all())
    if not fed_by or not units:
        return {}
    figures = ReportFigure.objects.filter(
        report__report_type__in=fed_by,
        report__period=report.period,
        report__unit_id__in=units,
        report__status__in=[Report.Status.APPROVED, Report.Status.LOCKED],
        column__isnull=True,
    ).values_list("report__unit_id", "row__kind", "row__key", "value", "estimated")
    found: dict[int, dict[tuple[str, str], tuple[Decimal | None, bool]]] = {}
    for unit, kind, key, value, estimated in figures:
        found.setdefault(unit, {})[kind, key] = (value, estimated)
    return found


def _sum_of_reports(
    sent: dict[int, dict[tuple[str, str], tuple[Decimal | None, bool]]],
    units: list[int],
    row: ReportRow,
) -> tuple[Decimal | None, str, bool] | None:
    """The unit's own count as the sum of its units' approved reports, when every unit
    below sent one with that count; None otherwise (the engine's count stands)."""
    total, estimated = Decimal(0), False
    for unit in units:
        value, guessed = sent.get(unit, {}).get((row.kind, row.key), (None, False))
        if value is None:
            return None
        total, estimated = total + value, estimated or guessed
    return total, FROM_REPORT, estimated


def _engine_value(row: ReportRow, figures: UnitFigures) -> Value | None:
    """The engine's value for an indicator row or a target's indicator."""
    code = row.target.indicator.code if row.target is not None else row.key
    return next((v for v in figures.values if v.indicator == code), None)


def _computed(row: ReportRow, figures: UnitFigures) -> tuple[Decimal | None, str, bool]:
    """What the engine says for ``row``: (value, source, estimated); (None, "", False)
    where it has nothing: a unit without register or entered figures, a count only people
    give, a count a paper commune did not report, a rate without a denominator."""
    tally = figures.tally
    if not (tally.get("src.register") or tally.get("src.entered")):
        return None, "", False
    source = figures.source
    estimated = bool(tally.get("src.estimated"))
    if row.kind in (RowKind.INDICATOR, RowKind.TARGET):
        value = _engine_value(row, figures)
        if value is None or value.value is None or not math.isfinite(value.value):
            return None, "", False
        return _decimal(value.value), value.source, value.estimated
    if row.key not in ENGINE_COUNTS or (source == "entered" and row.key not in tally):
        return None, "", False
    return _decimal(tally.get(row.key, 0)), source, estimated


def _decimal(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(_PLACES)


# ----------------------------------------------------------------------------- targets


def _baselines(rows: list[ReportRow], version: UnitVersion, day: date) -> dict[int, float]:
    """The baseline year's value of each change target among ``rows``, by row id, as
    ``danso monitor`` takes it: the engine's, unless it rests on too few events."""
    found: dict[int, float] = {}
    for row in rows:
        target = row.target
        if target is None or target.kind != "change" or not target.baseline_year:
            continue
        figures = cache.figures(version, Period.year_of(target.baseline_year), tree_date=day)
        value = _engine_value(row, figures)
        if value is not None and value.value is not None and not value.small_numbers:
            found[row.pk] = value.value
    return found


def _expected(target: Target | None, counted: Period, baseline: float | None) -> Decimal | None:
    """What ``target`` asks by the end of ``counted`` (``achievement.judge``'s rules): the
    pro-rated share of a count, the level itself for a rate, the baseline plus the change;
    None for a change without its baseline and for a condition on every unit below."""
    if target is None:
        return None
    value = float(target.value)
    if target.kind == "count_min":
        return _decimal(value * min(counted.months, 12) / 12)
    if target.kind == "change":
        return None if baseline is None else _decimal(baseline + value)
    if target.kind == "all_children":
        return None
    return target.value


def _judged(
    target: Target | None, value: Value | None, counted: Period, baseline: float | None
) -> Judgement:
    """The engine's value of a target's indicator judged against the target
    (``danso.indicators.achievement``) after the months of ``counted``."""
    if target is None:
        return Judgement(Status.CANNOT_JUDGE, None, "Không có chỉ tiêu.")
    if value is None:
        actual = Actual(None)
    else:
        actual = Actual(value.value, value.interval.low, value.interval.high, value.small_numbers)
    return judge(
        target.kind,
        float(target.value),
        actual,
        months=counted.months,
        tolerance=float(target.tolerance) if target.tolerance is not None else None,
        baseline=baseline,
    )


def _status(figure: ReportFigure, counted: Period) -> str:
    """The achievement of the figure the report states: the engine's judgement while it
    states the computed value; a value entered or corrected by hand has no interval and
    is judged on itself (a change target against the level ``expected`` stored when the
    report was filled)."""
    if figure.value == figure.computed:
        return figure.computed_status
    target = figure.row.target
    if target is None or figure.value is None:
        return Status.CANNOT_JUDGE.value
    baseline = None
    if target.kind == "change" and figure.expected is not None:
        baseline = float(figure.expected - target.value)
    return judge(
        target.kind,
        float(target.value),
        Actual(float(figure.value)),
        months=counted.months,
        tolerance=float(target.tolerance) if target.tolerance is not None else None,
        baseline=baseline,
    ).status.value


@transaction.atomic
def report_figure_set(
    *, figure: ReportFigure, value: Decimal | None, reason: str = "", actor: Any = None
) -> ReportFigure:
    """Set one figure of an editable report.  Changing a figure the engine computed needs
    a reason, which the level above sees; setting it back to the computed one drops the
    reason.  A figure the engine could not give is simply entered.  A target's figure is
    judged again (``status``)."""
    report = figure.report
    _editable(report)
    _may_write(report.report_type, report.unit, report.parsed_period, actor)
    reason = reason.strip()
    if value is not None and value < 0:
        raise ValidationError({"value": _("A figure cannot be negative.")})
    problem = None if value is None else _figure_problem(figure, value)
    if problem is not None:
        raise ValidationError({"value": _(problem[0]) % problem[1]})
    if figure.computed is not None and value != figure.computed and not reason:
        raise ValidationError({"reason": _("Say why the computed figure is corrected.")})
    figure.value = value
    figure.reason = reason if figure.corrected else ""
    figure.corrected_by = _user(actor)
    figure.corrected_at = timezone.now()
    fields = ["value", "reason", "corrected_by", "corrected_at"]
    if figure.row.kind == RowKind.TARGET:
        counted = selectors.actual_period(report.report_type, report.parsed_period)
        figure.status = _status(figure, counted)
        fields.append("status")
    with acting_as(actor):
        figure.save(update_fields=fields)
    return figure


def _figure_problem(figure: ReportFigure, value: Decimal) -> tuple[str, dict[str, object]] | None:
    """Why ``value`` cannot be ``figure``'s (``danso.bounds``): a count is a whole number
    of persons; an indicator's or a target's value lies in its unit's range."""
    row = figure.row
    if row.kind == RowKind.COUNT:
        if value != value.to_integral_value():
            return "A count is a whole number.", {}
        return bounds.count_problem(int(value))
    code = row.key.split("~")[0]  # a plan's second target on one indicator: CODE~1
    measure = Indicator.objects.filter(code=code).values_list("unit", flat=True).first() or ""
    return bounds.range_problem(value, bounds.level_range(measure), measure)


@transaction.atomic
def report_text_set(*, report: Report, key: str, text: str, actor: Any = None) -> ReportText:
    """Write the free-text section ``key`` of an editable report."""
    _editable(report)
    _may_write(report.report_type, report.unit, report.parsed_period, actor)
    section = report.texts.filter(row__key=key).first()
    if section is None:
        raise ValidationError({"key": _("This report has no section %(key)s.") % {"key": key}})
    section.text = text.strip()
    with acting_as(actor):
        section.save(update_fields=["text"])
    return section


# ----------------------------------------------------------------------------- workflow


@transaction.atomic
def report_submit(*, report: Report, actor: Any = None) -> Report:
    """Send a draft or returned report to the level above.  Every count must be filled
    (0 is a count; a rate the engine could not compute may stay empty).  The first
    submission is the one timeliness is judged on.  A waived report is not sent."""
    _editable(report)
    _may_write(report.report_type, report.unit, report.parsed_period, actor)
    if selectors.waiver_for(report.report_type, report.unit, report.period) is not None:
        raise ValidationError(
            _(
                "The level above has waived this report: it need not be sent.  Ask them to "
                "withdraw the waiver to send it."
            )
        )
    empty = report.figures.filter(row__kind=RowKind.COUNT, value__isnull=True).count()
    if empty:
        raise ValidationError(
            _("%(count)d counts of the report are empty: fill them in before sending it.")
            % {"count": empty}
        )
    problems = parts_over_totals(report)
    if problems:
        raise ValidationError(
            _("Some figures exceed the total they are part of: %(problems)s.")
            % {"problems": "; ".join(problems)}
        )
    report.status = Report.Status.SUBMITTED
    report.submitted_at = report.submitted_at or timezone.now()
    with acting_as(actor):
        report.save(update_fields=["status", "submitted_at", "updated_at"])
    return report


def parts_over_totals(report: Report) -> list[str]:
    """Where an "of which" group of a column adds up to more than its total
    (``catalogue.PARTS_OF``), in words: "Phường Ngọc Thụy: — sinh con thứ ba trở lên (2)
    > Số trẻ sinh ra trong kỳ (0)"."""
    values: dict[tuple[int | None, str], tuple[Decimal, str]] = {}
    english = translation.get_language() == "en"
    for figure in report.figures.filter(
        row__kind=RowKind.COUNT, value__isnull=False
    ).select_related("row"):
        label = figure.row.label_en if english else figure.row.label_vi
        assert figure.value is not None
        values[figure.column_id, figure.row.key] = (figure.value, label)
    day = selectors.tree_day(report.unit, report.parsed_period)
    columns = {column for column, _key in values if column is not None}
    names: dict[int | None, str] = dict(
        UnitVersion.objects.filter(
            valid_on(day), unit_id__in=[report.unit_id, *columns]
        ).values_list("unit_id", "name")
    )
    names[None] = names.get(report.unit_id, "")
    problems = []
    for column in [None, *sorted(columns, key=lambda c: names.get(c, ""))]:
        for total, groups in PARTS_OF.items():
            if (column, total) not in values:
                continue
            whole, whole_label = values[column, total]
            for group in groups:
                parts = [values[column, key] for key in group if (column, key) in values]
                added = sum((value for value, _label in parts), Decimal(0))
                if parts and added > whole:
                    words = " + ".join(f"{label} ({format_number(v)})" for v, label in parts)
                    problems.append(
                        f"{names.get(column, '')}: {words} > {whole_label} ({format_number(whole)})"
                    )
    return problems


@transaction.atomic
def report_return(*, report: Report, comment: str, actor: Any = None) -> Report:
    """Send a submitted report back to its unit for corrections, saying what is wrong."""
    return _send_back(report, comment, actor, Report.Status.SUBMITTED)


@transaction.atomic
def report_unlock(*, report: Report, reason: str, actor: Any = None) -> Report:
    """Reopen an approved report for a correction (the level above, with a reason).  A
    locked report waits until the report it is part of is unlocked."""
    if report.status == Report.Status.LOCKED:
        raise ValidationError(
            _("This report is part of an approved report of the level above: unlock that first.")
        )
    sent_back = _send_back(report, reason, actor, Report.Status.APPROVED)
    with acting_as(actor):
        _set_status(_fed_reports(report, Report.Status.LOCKED), Report.Status.APPROVED)
    return sent_back


def _send_back(report: Report, comment: str, actor: Any, expected: str) -> Report:
    if report.status != expected:
        raise ValidationError(
            _("A %(status)s report cannot be sent back.") % {"status": report.get_status_display()}
        )
    _may_decide(report.report_type, report.unit, report.parsed_period, actor)
    if not comment.strip():
        raise ValidationError({"comment": _("Say what must be corrected.")})
    report.status = Report.Status.RETURNED
    report.comment = comment.strip()
    report.decided_at = timezone.now()
    with acting_as(actor):
        report.save(update_fields=["status", "comment", "decided_at", "updated_at"])
    return report


@transaction.atomic
def report_approve(*, report: Report, actor: Any = None) -> Report:
    """Accept a submitted report: its figures are frozen.  A report the reports of the
    level below are part of (a district's 01-DSH) is approved only when every unit below
    that had to send one has it approved, or is waived; those reports are then locked."""
    if report.status != Report.Status.SUBMITTED:
        raise ValidationError(
            _("A %(status)s report cannot be approved.") % {"status": report.get_status_display()}
        )
    _may_decide(report.report_type, report.unit, report.parsed_period, actor)
    missing, pending = selectors.children_not_approved(report)
    if missing or pending:
        details = []
        if missing:
            details.append(_("not sent: %(units)s") % {"units": ", ".join(missing)})
        if pending:
            details.append(_("sent, not approved: %(units)s") % {"units": ", ".join(pending)})
        raise ValidationError(
            _(
                "%(type)s cannot be approved before the reports of the units below are "
                "approved or waived (%(details)s)."
            )
            % {"type": report.report_type.code, "details": "; ".join(details)}
        )
    report.status = Report.Status.APPROVED
    report.decided_at = timezone.now()
    with acting_as(actor):
        report.save(update_fields=["status", "decided_at", "updated_at"])
        _set_status(_fed_reports(report, Report.Status.APPROVED), Report.Status.LOCKED)
    return report


def _fed_reports(report: Report, status: str) -> list[Report]:
    """The reports of ``status`` of the units below ``report``'s unit, for the same
    period, whose type is part of ``report``'s type."""
    fed_by = list(report.report_type.fed_by.all())
    if not fed_by:
        return []
    period = report.parsed_period
    version = selectors.version_for(report.unit, period)
    below = UnitVersion.objects.filter(
        valid_on(selectors.tree_day(report.unit, period)), path__startswith=version.path
    ).values_list("unit_id", flat=True)
    return list(
        Report.objects.filter(
            report_type__in=fed_by, period=report.period, status=status, unit_id__in=below
        )
    )


def _set_status(reports: Iterable[Report], status: str) -> None:
    for report in reports:
        report.status = status
        report.save(update_fields=["status", "updated_at"])


# ----------------------------------------------------------------------------- waivers


@transaction.atomic
def report_waive(
    *, report_type: ReportType, unit: Unit, period: str, reason: str, actor: Any = None
) -> ReportWaiver:
    """Excuse ``unit`` from sending ``report_type`` for ``period`` (miễn báo cáo), saying
    why.  Only the level receiving the report waives it, and not once it has been sent
    (approve or return it instead).  A waived unit is not expected: it is left out of
    completeness and timeliness, gets no reminder, and does not hold back the approval
    of the report of the level above."""
    parsed = selectors.period_of(report_type, period)
    _reporting_unit(report_type, unit)
    _may_decide(report_type, unit, parsed, actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the report is waived.")})
    sent = Report.objects.filter(
        report_type=report_type, unit=unit, period=str(parsed), submitted_at__isnull=False
    ).exists()
    if sent:
        raise ValidationError(
            _("This report has been sent: approve it or return it rather than waive it.")
        )
    if selectors.waiver_for(report_type, unit, parsed) is not None:
        raise ValidationError(_("This report is already waived."))
    with acting_as(actor):
        return ReportWaiver.objects.create(
            report_type=report_type,
            unit=unit,
            period=str(parsed),
            reason=reason,
            waived_by=_user(actor),
            waived_at=timezone.now(),
        )


@transaction.atomic
def report_waiver_remove(*, waiver: ReportWaiver, actor: Any = None) -> None:
    """Withdraw a waiver (the level receiving the report): the unit must report again.
    Refused while the report of the level above that the waiver let through is approved
    (unlock that first).  The waiver stays in the history."""
    report_type = waiver.report_type
    period = selectors.period_of(report_type, waiver.period)
    receiver = _may_decide(report_type, waiver.unit, period, actor)
    if report_type.feeds_id is not None:
        decided = Report.objects.filter(
            report_type_id=report_type.feeds_id,
            unit_id=receiver.unit_id,
            period=waiver.period,
            status__in=[Report.Status.APPROVED, Report.Status.LOCKED],
        ).exists()
        if decided:
            raise ValidationError(
                _(
                    "The report of the level above was approved with this waiver: unlock it "
                    "before withdrawing the waiver."
                )
            )
    with acting_as(actor):
        waiver.delete()


# ----------------------------------------------------------------------------- reminders

#: A reminder missed on its day (the job did not run) is still sent during this many
#: days after it; beyond, it would only be noise.
REMINDER_CATCH_UP = 6


def reminders_send(today: date | None = None) -> int:
    """Remind the people who send reports of their deadlines, in the application (a
    ``Reminder``) and by mail (Django's email backend).  Returns how many were sent.

    For every report type in use and every period whose due date is near ``today``
    (default: today in Vietnam), each unit that must send the report and has not (never
    submitted, not waived) is reminded ``remind_before`` days before the due date, once,
    and ``remind_after`` days after it, once (0 switches either off).  A run missed on
    that day still sends it during the next ``REMINDER_CATCH_UP`` days (before the due
    date for the first).  The people reminded are those holding, today, a role that
    submits reports at exactly that unit (not the levels above, who see the late units
    in completeness).  Nobody gets the same reminder twice."""
    today = today or timezone.localdate()
    holders = _report_holders(today)
    if not holders:
        return 0
    units = Unit.objects.in_bulk(list(holders))
    calendar = selectors.working_calendar()
    sent = 0
    for report_type in ReportType.objects.filter(active=True).select_related("plan"):
        for period in _recent_periods(report_type, today):
            due = selectors.due_date(report_type, period, calendar)
            kind = _reminder_kind(report_type, due, today)
            if kind is None:
                continue
            expected = [
                unit
                for unit in units.values()
                if unit.level == report_type.reporting_level
                and unit.valid_from <= period.end
                and (unit.valid_to is None or unit.valid_to >= period.end)
                and (report_type.plan is None or unit.pk == report_type.plan.unit_id)
            ]
            if expected:
                sent += _remind(report_type, period, due, kind, expected, holders, today)
    return sent


def _report_holders(today: date) -> dict[int, list[User]]:
    """The active people holding today a role that submits reports, by the unit they
    hold it at."""
    roles = [role for role, actions in ROLE_ACTIONS.items() if Action.SUBMIT_REPORTS in actions]
    holders: dict[int, list[User]] = {}
    assignments = (
        RoleAssignment.objects.filter(
            valid_on(today), role__in=roles, unit__isnull=False, user__is_active=True
        )
        .select_related("user")
        .order_by("unit_id", "user_id")
    )
    for assignment in assignments:
        assert assignment.unit_id is not None  # filtered above
        people = holders.setdefault(assignment.unit_id, [])
        if assignment.user not in people:
            people.append(assignment.user)
    return holders


def _recent_periods(report_type: ReportType, today: date) -> list[Period]:
    """The periods of ``report_type``'s kind from last year to next year (every due date
    a reminder can be about lies in them), within its plan's years for a plan's report."""
    years = range(today.year - 1, today.year + 2)
    plan = report_type.plan
    if plan is not None:
        years = range(max(years.start, plan.period_start), min(years.stop, plan.period_end + 1))
    kind = PeriodKind(report_type.period_kind)
    if kind is PeriodKind.MONTH:
        return [Period.month_of(year, month) for year in years for month in range(1, 13)]
    if kind is PeriodKind.QUARTER:
        return [
            Period(year, 3 * quarter - 2, 3 * quarter, kind)
            for year in years
            for quarter in range(1, 5)
        ]
    return [Period.year_of(year) for year in years]


def _reminder_kind(report_type: ReportType, due: date, today: date) -> str | None:
    before, after = report_type.remind_before, report_type.remind_after
    if before and due - timedelta(days=before) <= today <= due:
        return Reminder.Kind.BEFORE
    first = due + timedelta(days=after)
    if after and first <= today <= first + timedelta(days=REMINDER_CATCH_UP):
        return Reminder.Kind.AFTER
    return None


def _remind(
    report_type: ReportType,
    period: Period,
    due: date,
    kind: str,
    expected: list[Unit],
    holders: dict[int, list[User]],
    today: date,
) -> int:
    ids = [unit.pk for unit in expected]
    done = set(
        Report.objects.filter(
            report_type=report_type, period=str(period), unit_id__in=ids, submitted_at__isnull=False
        ).values_list("unit_id", flat=True)
    )
    done |= set(
        ReportWaiver.objects.filter(
            report_type=report_type, period=str(period), unit_id__in=ids
        ).values_list("unit_id", flat=True)
    )
    already = set(
        Reminder.objects.filter(
            report_type=report_type, period=str(period), kind=kind, unit_id__in=ids
        ).values_list("user_id", "unit_id")
    )
    sent = 0
    for unit in expected:
        if unit.pk in done:
            continue
        people = [p for p in holders[unit.pk] if (p.pk, unit.pk) not in already]
        if not people:
            continue
        subject, message = _reminder_text(report_type, period, unit, due, kind, today)
        for person in people:
            emailed_to = _mail(person, subject, message)
            Reminder.objects.create(
                user=person,
                report_type=report_type,
                unit=unit,
                period=str(period),
                kind=kind,
                due=due,
                message=message,
                emailed_to=emailed_to,
                sent_at=timezone.now(),
            )
            sent += 1
    return sent


def _reminder_text(
    report_type: ReportType, period: Period, unit: Unit, due: date, kind: str, today: date
) -> tuple[str, str]:
    """The reminder's subject and message, in Vietnamese whatever the reader's language
    (they go out by mail)."""
    version = selectors.version_for(unit, period)
    what = f"{report_type.name_vi} – {period.label_vi} – {version.name}"
    if kind == Reminder.Kind.BEFORE:
        left = (due - today).days
        when = "hôm nay là hạn cuối" if left == 0 else f"còn {left} ngày"
        return (
            f"Nhắc hạn báo cáo: {what}",
            f"Báo cáo {what} phải gửi chậm nhất ngày {due:%d/%m/%Y} ({when}). "
            f"Đề nghị hoàn thành và gửi báo cáo đúng hạn.",
        )
    return (
        f"Báo cáo quá hạn: {what}",
        f"Báo cáo {what} đã quá hạn ngày {due:%d/%m/%Y} nhưng chưa được gửi. "
        f"Đề nghị gửi báo cáo ngay.",
    )


def _mail(person: User, subject: str, message: str) -> str:
    """Mail the reminder; the address it went to, or "" (no address, or the mail server
    refused it: the reminder in the application still stands)."""
    if not person.email:
        return ""
    try:
        send_mail(subject, message, None, [person.email])
    except OSError:  # smtplib's errors are OSErrors
        logger.warning("reminder to %s not mailed", person.email, exc_info=True)
        return ""
    return str(person.email)


def reminder_read(reminder: Reminder, user: Any) -> Reminder:
    """Mark ``user``'s own reminder read (it leaves ``selectors.reminders_for``)."""
    if reminder.user_id != getattr(user, "pk", None):
        raise PermissionDenied(_("This reminder is someone else's."))
    if reminder.read_at is None:
        reminder.read_at = timezone.now()
        reminder.save(update_fields=["read_at"])
    return reminder


# ----------------------------------------------------------------------------- plans

#: The report types a plan's obligation of each period makes: code suffix, Vietnamese
#: and English names.
_PLAN_PERIODS: dict[str, tuple[PeriodKind, str, str, str]] = {
    ReportObligation.Period.MONTH: (PeriodKind.MONTH, "monthly", "Báo cáo tháng", "Monthly"),
    ReportObligation.Period.QUARTER: (PeriodKind.QUARTER, "quarterly", "Báo cáo quý", "Quarterly"),
    ReportObligation.Period.YEAR: (PeriodKind.YEAR, "annual", "Báo cáo tổng kết năm", "Annual"),
}


@transaction.atomic
def plan_report_types_from(plan: Plan) -> list[ReportType]:
    """The implementation report types of ``plan`` (báo cáo kết quả thực hiện kế hoạch),
    one per period its report obligations set, created when missing: ``plan-<id>-monthly``,
    ``plan-<id>-quarterly``, ``plan-<id>-annual``.  Idempotent: an existing type keeps
    its settings and only gains rows for targets and task groups added to the plan since.

    The plan's own unit reports on it to the unit directly above (the city's plan: Hà Nội
    to the ministry; a district's plan: the district to its city), with one ``target`` row
    per target of the plan (the year to date against the target, ``selectors
    .actual_period``), one free-text section per task group (the plan's sections of kind
    "tasks") and the closing assessment.  The deadline is the obligation's rule
    (``before_day_next`` 10: before the 10th of the month after the period; ``fixed_date``
    15/12; a ``days_after`` rule is not moved off a day off).  Obligations made only once,
    with a rule that cannot apply (a fixed date for a quarterly report), or of a period
    already taken by an earlier obligation are skipped; so is a plan of the whole country,
    which reports to nobody."""
    day = units_day(plan)
    version = UnitVersion.objects.filter(valid_on(day), unit_id=plan.unit_id).first()
    if version is None or version.parent_id is None:
        return []
    above = UnitVersion.objects.select_related("unit").get(valid_on(day), unit_id=version.parent_id)
    found: dict[str, ReportType] = {}
    for obligation in plan.obligations.all():
        spec = _PLAN_PERIODS.get(obligation.period)
        rule = _obligation_rule(obligation)
        if spec is None or rule is None or obligation.period in found:
            continue
        kind, suffix, name_vi, name_en = spec
        if rule.kind is RuleKind.FIXED_DATE and kind is not PeriodKind.YEAR:
            continue
        code = f"plan-{plan.pk}-{suffix}"
        report_type = ReportType.objects.filter(code=code).first()
        if report_type is None:
            document = f"Kế hoạch số {plan.number}" if plan.number else f"kế hoạch {plan.title}"
            report_type = ReportType.objects.create(
                code=code,
                name_vi=f"{name_vi} kết quả thực hiện {document}"[:200],
                name_en=f"{name_en} implementation report of plan {plan.number or plan.title}"[
                    :200
                ],
                period_kind=kind.value,
                reporting_level=version.unit.level,
                receiving_level=above.unit.level,
                deadline=rule.as_dict(),
                plan=plan,
            )
        _plan_rows_add(report_type, plan)
        found[obligation.period] = report_type
    return list(found.values())


def plan_report_types_load() -> int:
    """``plan_report_types_from`` for every issued plan (``danso setup``).  Returns how
    many report types were added."""
    before = ReportType.objects.filter(plan__isnull=False).count()
    for plan in Plan.objects.filter(status=Plan.Status.ISSUED).order_by("pk"):
        plan_report_types_from(plan)
    return ReportType.objects.filter(plan__isnull=False).count() - before


def _obligation_rule(obligation: ReportObligation) -> DeadlineRule | None:
    """The obligation's deadline as a rule of ``danso.reports.deadlines`` (the same kind
    names), or None when its parameters cannot make one."""
    data: dict[str, Any] = {"kind": obligation.rule}
    if obligation.rule == RuleKind.BEFORE_DAY_NEXT:
        data["day"] = obligation.day
    elif obligation.rule == RuleKind.FIXED_DATE:
        data.update(month=obligation.month, day=obligation.day)
    elif obligation.rule == RuleKind.WORKING_DAYS_AFTER:
        data["days"] = obligation.days
    elif obligation.rule == RuleKind.DAYS_AFTER:
        data.update(days=obligation.days, move=False)
    try:
        return rule_from(data)
    except DeadlineError:
        return None


def _plan_rows_add(report_type: ReportType, plan: Plan) -> None:
    """Add the rows of the plan's targets and task groups that ``report_type`` lacks,
    after its last row."""
    rows = list(report_type.rows.all())
    targets = {row.target_id for row in rows if row.target_id is not None}
    keys = {(row.kind, row.key) for row in rows}
    position = max((row.position for row in rows), default=0)
    new: list[ReportRow] = []

    def add(kind: RowKind, key: str, label_vi: str, label_en: str, target: Target | None) -> None:
        nonlocal position
        position += 1
        keys.add((kind.value, key))
        new.append(
            ReportRow(
                report_type=report_type,
                position=position,
                kind=kind.value,
                key=key,
                label_vi=label_vi[:200],
                label_en=label_en[:200],
                target=target,
            )
        )

    for target in plan.targets.select_related("indicator").order_by("order", "pk"):
        if target.pk in targets:
            continue
        key, number = target.indicator.code, 1
        while (RowKind.TARGET.value, key) in keys:  # two targets on one indicator
            number += 1
            key = f"{target.indicator.code}~{number}"
        indicator = target.indicator
        add(RowKind.TARGET, key, indicator.name_vi, indicator.name_en, target)
    for section in plan.sections.filter(kind=SectionKind.TASK).order_by("order", "pk"):
        key = f"task-{section.pk}"
        if (RowKind.SECTION.value, key) not in keys:
            heading = " ".join(part for part in (section.number, section.heading) if part)
            add(RowKind.SECTION, key, heading or "Nhiệm vụ", heading or "Tasks", None)
    if (RowKind.SECTION.value, ASSESSMENT.key) not in keys:
        add(RowKind.SECTION, ASSESSMENT.key, ASSESSMENT.label_vi, ASSESSMENT.label_en, None)
    bulk_create_with_history(new, ReportRow)
