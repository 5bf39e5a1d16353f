"""The reporting unit's side of a report's life: opening it (created and filled from
the indicator engine, ``indicators.cache.figures``, the first time it is asked for),
filling it again, correcting its figures with a reason, writing its free-text sections,
and sending it to the level above (``report_submit``).  What the level above then
decides is in ``danso.reports.services``.

Whoever holds ``Action.SUBMIT_REPORTS`` on the reporting unit does all of it
(``access.may_write``).  A plan's target is judged as the report is filled
(``danso.indicators.achievement``), and again when its figure is corrected.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from danso import bounds
from danso.audit import acting_as, recorded_user
from danso.indicators import cache
from danso.indicators import tallies as keys
from danso.indicators.achievement import Actual, Judgement, Status, judge
from danso.indicators.engine import UnitFigures, Value
from danso.indicators.models import Indicator
from danso.indicators.periods import Period
from danso.plans.carried import carried_of
from danso.plans.models import Target
from danso.reports import consistency, selectors
from danso.reports.access import carries_plan, check_editable, check_reporting_unit, may_write
from danso.reports.catalogue import ENGINE_COUNTS, RowKind
from danso.reports.models import Report, ReportFigure, ReportRow, ReportText, ReportType
from danso.units.models import Unit, UnitVersion, valid_on

_PLACES = Decimal("0.0001")
#: How many empty counts a refusal names before "and N more".
_LISTED = 12


# ----------------------------------------------------------------------------- filling


def report_may_open(*, report_type: ReportType, unit: Unit, period: str, actor: Any) -> Period:
    """Check that ``actor`` may open the report of ``unit`` for ``period`` (the checks of
    ``report_open``, without creating anything); returns the period."""
    parsed = selectors.period_of(report_type, period)
    check_reporting_unit(report_type, unit, parsed)
    may_write(report_type, unit, parsed, actor)
    return parsed


@transaction.atomic
def report_open(*, report_type: ReportType, unit: Unit, period: str, actor: Any) -> Report:
    """The report of ``unit`` for ``period``, created and filled from the indicator engine
    the first time it is asked for.  Raises ``ValidationError`` for a period of another
    kind (or outside its plan's years) or a unit that does not send it (another level;
    for a plan's report, another unit than the plan's), ``PermissionDenied`` outside the
    actor's scope."""
    parsed = selectors.period_of(report_type, period)
    check_reporting_unit(report_type, unit, parsed)
    version = may_write(report_type, unit, parsed, actor)
    found = Report.objects.filter(report_type=report_type, unit=unit, period=str(parsed)).first()
    if found is not None:
        return found
    with acting_as(actor):
        report = Report.objects.create(
            report_type=report_type,
            unit=unit,
            period=str(parsed),
            period_end=parsed.end,
            created_by=recorded_user(actor),
        )
        _fill(report, version, parsed, actor)
        bulk_create_with_history(
            [
                ReportText(report=report, row=row)
                for row in report_type.rows.filter(kind=RowKind.SECTION)
            ],
            ReportText,
            default_user=recorded_user(actor),
        )
    return report


@transaction.atomic
def report_refresh(*, report: Report, actor: Any) -> Report:
    """Fill the report again from the engine (the register changed since): every figure
    that still follows the engine takes the new count; corrected and entered ones stay."""
    check_editable(report)
    version = may_write(report.report_type, report.unit, report.parsed_period, actor)
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
    # a unit that carries the plan's cells (its unit closed: ``plans.carried``) is judged
    # against what it carries, not against the plan's own targets
    carried: dict[int, Decimal] | None = None
    if carries_plan(report_type, report.unit, period) and report_type.plan is not None:
        carried = {
            target: row.value
            for target, row in carried_of(report_type.plan, report.unit, period.end).items()
        }
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
                aim = _aim(row.target, carried)
                asked = row.target if aim is not None else None  # None: nothing carried
                figure.target = aim
                figure.expected = _expected(asked, counted, baseline, aim)
                figure.computed_status = _judged(asked, value, counted, baseline, aim).status
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
    bulk_create_with_history(new, ReportFigure, default_user=recorded_user(actor))


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
    if not (tally.get(keys.FROM_REGISTER) or tally.get(keys.FROM_ENTERED)):
        return None, "", False
    source = figures.source
    estimated = bool(tally.get(keys.ESTIMATED))
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


def _aim(target: Target | None, carried: dict[int, Decimal] | None) -> Decimal | None:
    """What a target row asks of the report's unit: the plan's target, or for a unit
    carrying the plan's cells what it carries of that target (None: nothing)."""
    if target is None:
        return None
    if carried is None:
        return target.value
    return carried.get(target.pk)


def _expected(
    target: Target | None, counted: Period, baseline: float | None, aim: Decimal | None = None
) -> Decimal | None:
    """What ``target`` asks by the end of ``counted`` (``achievement.judge``'s rules): the
    pro-rated share of a count, the level itself for a rate, the baseline plus the change;
    None for a change without its baseline and for a condition on every unit below.
    ``aim``: the value asked, when not the target's own (a carried cell)."""
    if target is None:
        return None
    aim = target.value if aim is None else aim
    value = float(aim)
    if target.kind == "count_min":
        return _decimal(value * min(counted.months, 12) / 12)
    if target.kind == "change":
        return None if baseline is None else _decimal(baseline + value)
    if target.kind == "all_children":
        return None
    return aim


def _judged(
    target: Target | None,
    value: Value | None,
    counted: Period,
    baseline: float | None,
    aim: Decimal | None = None,
) -> Judgement:
    """The engine's value of a target's indicator judged against the target (or ``aim``,
    a carried cell's value) (``danso.indicators.achievement``) after the months of
    ``counted``."""
    if target is None:
        return Judgement(Status.CANNOT_JUDGE, None, "Không có chỉ tiêu.")
    if value is None:
        actual = Actual(None)
    else:
        actual = Actual(value.value, value.interval.low, value.interval.high, value.small_numbers)
    return judge(
        target.kind,
        float(target.value if aim is None else aim),
        actual,
        months=counted.months,
        tolerance=float(target.tolerance) if target.tolerance is not None else None,
        baseline=baseline,
        direction=target.indicator.direction,
        wording=target.text,
    )


def _status(figure: ReportFigure, counted: Period) -> str:
    """The achievement of the figure the report states: the engine's judgement while it
    states the computed value; a value entered or corrected by hand has no interval and
    is judged on itself (a change target against the level ``expected`` stored when the
    report was filled)."""
    if figure.value == figure.computed:
        return figure.computed_status
    target = figure.row.target
    if target is None or figure.value is None or figure.target is None:
        return Status.CANNOT_JUDGE.value
    baseline = None
    if target.kind == "change" and figure.expected is not None:
        baseline = float(figure.expected - figure.target)
    return judge(
        target.kind,
        float(figure.target),
        Actual(float(figure.value)),
        months=counted.months,
        tolerance=float(target.tolerance) if target.tolerance is not None else None,
        baseline=baseline,
        direction=target.indicator.direction,
        wording=target.text,
    ).status.value


@transaction.atomic
def report_figure_set(
    *, figure: ReportFigure, value: Decimal | None, reason: str = "", actor: Any
) -> ReportFigure:
    """Set one figure of an editable report.  Changing a figure the engine computed needs
    a reason, which the level above sees; setting it back to the computed one drops the
    reason.  A figure the engine could not give is simply entered.  A target's figure is
    judged again (``status``)."""
    report = figure.report
    check_editable(report)
    may_write(report.report_type, report.unit, report.parsed_period, actor)
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
    figure.corrected_by = recorded_user(actor)
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
def report_text_set(*, report: Report, key: str, text: str, actor: Any) -> ReportText:
    """Write the free-text section ``key`` of an editable report."""
    check_editable(report)
    may_write(report.report_type, report.unit, report.parsed_period, actor)
    section = report.texts.filter(row__key=key).first()
    if section is None:
        raise ValidationError({"key": _("This report has no section %(key)s.") % {"key": key}})
    section.text = text.strip()
    with acting_as(actor):
        section.save(update_fields=["text"])
    return section


# ----------------------------------------------------------------------------- sending


@transaction.atomic
def report_submit(*, report: Report, actor: Any) -> Report:
    """Send a draft or returned report to the level above.  Every count must be filled
    (0 is a count; a rate the engine could not compute may stay empty), and the figures
    must agree (``consistency``: births = boys + girls, totals ≥ their parts…); a refusal
    names the rows.  The first
    submission is the one timeliness is judged on.  A waived report is not sent."""
    check_editable(report)
    may_write(report.report_type, report.unit, report.parsed_period, actor)
    if selectors.waiver_for(report.report_type, report.unit, report.period) is not None:
        raise ValidationError(
            _(
                "The level above has waived this report: it need not be sent.  Ask them to "
                "withdraw the waiver to send it."
            )
        )
    empty = consistency.empty_counts(report)
    if empty:
        shown = "; ".join(empty[:_LISTED])
        if len(empty) > _LISTED:
            shown += " " + _("and %(more)d more") % {"more": len(empty) - _LISTED}
        raise ValidationError(
            _("%(count)d counts of the report are empty: %(rows)s. Fill them in before sending it.")
            % {"count": len(empty), "rows": shown}
        )
    problems = consistency.report_inconsistencies(report)
    if problems:
        raise ValidationError(
            [_("The figures do not agree: correct them before sending the report."), *problems]
        )
    report.status = Report.Status.SUBMITTED
    report.submitted_at = report.submitted_at or timezone.now()
    with acting_as(actor):
        report.save(update_fields=["status", "submitted_at", "updated_at"])
    return report
