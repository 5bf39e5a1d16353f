"""Writes of reports: loading the built-in types, the calendar days, and a report's life.

A report goes draft → submitted → approved, or back to the reporting unit as returned
(with a comment) and submitted again.  Approval freezes its figures; only the level above
reopens an approved report (``report_unlock``, with a reason).  When the receiving
unit's own report that it is part of (``ReportType.feeds``: a ward's quarterly report in
its district's 01-DSH) is approved in turn, it is locked: it reopens only after that
report is unlocked.

Who may do what, decided by ``danso.accounts.scope.unit_scope`` on the report's tree
day: the reporting unit's officers and those above them write and submit (a district
enters the report of a commune that keeps its books on paper); only those whose scope
holds the receiving unit approve, return and unlock.  Until the role policy has actions
of its own for reports, both use ``Action.EDIT_POPULATION`` (the officers' right to
enter figures), so a commune officer can never approve a commune's report.

Every change is recorded in the models' history against ``actor``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from danso.accounts.audit import acting_as
from danso.accounts.scope import unit_scope
from danso.indicators import cache
from danso.indicators.engine import UnitFigures
from danso.indicators.periods import Period
from danso.reports import selectors
from danso.reports.catalogue import BUILT_IN, ENGINE_COUNTS, KNOWN_DAYS, RowKind
from danso.reports.models import (
    CalendarDay,
    Report,
    ReportFigure,
    ReportRow,
    ReportText,
    ReportType,
)
from danso.units.models import Unit, UnitVersion, valid_on
from danso.units.scope import Action, UnitScope

#: The right a person needs on a unit to write its reports, and on the receiving unit to
#: decide on them (see the module docstring).
REPORT_ACTION = Action.EDIT_POPULATION
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


# ----------------------------------------------------------------------------- access


def _user(actor: Any) -> Any:
    """The user to store against a change (None when the system acts)."""
    return actor if getattr(actor, "pk", None) else None


def _scope(actor: Any, on: date) -> UnitScope:
    return UnitScope.system(on) if actor is None else unit_scope(actor, on)


def _may_write(report_type: ReportType, unit: Unit, period: Period, actor: Any) -> UnitVersion:
    version = selectors.version_for(unit, period)
    if not _scope(actor, selectors.tree_day(unit, period)).allows(REPORT_ACTION, version):
        raise PermissionDenied(_("You may not write the reports of this unit."))
    return version


def _may_decide(report: Report, actor: Any) -> None:
    period = report.parsed_period
    day = selectors.tree_day(report.unit, period)
    version = selectors.version_for(report.unit, period)
    receiver = selectors.receiver_of(version, report.report_type, day)
    if not _scope(actor, day).allows(REPORT_ACTION, receiver):
        raise PermissionDenied(_("Only the level receiving this report decides on it."))


def _editable(report: Report) -> None:
    if not report.editable:
        raise ValidationError(
            _("A %(status)s report cannot be changed.") % {"status": report.get_status_display()}
        )


# ----------------------------------------------------------------------------- filling


@transaction.atomic
def report_open(*, report_type: ReportType, unit: Unit, period: str, actor: Any = None) -> Report:
    """The report of ``unit`` for ``period``, created and filled from the indicator engine
    the first time it is asked for.  Raises ``ValidationError`` for a period of another
    kind or a unit of another level, ``PermissionDenied`` outside the actor's scope."""
    parsed = selectors.period_of(report_type, period)
    if unit.level != report_type.reporting_level:
        raise ValidationError(
            _("%(type)s is reported by units of level %(level)s.")
            % {"type": report_type.code, "level": report_type.get_reporting_level_display()}
        )
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
    rows = list(report_type.rows.exclude(kind=RowKind.SECTION))
    day = selectors.tree_day(report.unit, period)
    children: list[UnitVersion] = []
    if report_type.child_columns:
        children = list(
            UnitVersion.objects.filter(valid_on(day), parent_id=version.unit_id)
            .select_related("unit")
            .order_by("code")
        )
    figures = cache.figures(version, period, tree_date=day, children=children)
    columns: list[tuple[Unit | None, UnitFigures]] = [(None, figures)]
    columns += [(child.unit, f) for child, f in zip(children, figures.children, strict=True)]
    existing = {(f.row_id, f.column_id): f for f in report.figures.all()}
    new: list[ReportFigure] = []
    for column, unit_figures in columns:
        for row in rows:
            computed, source, estimated = _computed(row, unit_figures)
            figure = existing.get((row.pk, column.pk if column else None))
            if figure is None:
                new.append(
                    ReportFigure(
                        report=report,
                        row=row,
                        column=column,
                        computed=computed,
                        value=computed,
                        source=source,
                        estimated=estimated,
                    )
                )
                continue
            follows = not figure.reason and figure.value == figure.computed
            figure.computed, figure.source, figure.estimated = computed, source, estimated
            if follows:
                figure.value = computed
            figure.save(update_fields=["computed", "value", "source", "estimated"])
    # with a history row each, so that the first correction shows what it replaced
    bulk_create_with_history(new, ReportFigure, default_user=_user(actor))


def _computed(row: ReportRow, figures: UnitFigures) -> tuple[Decimal | None, str, bool]:
    """What the engine says for ``row``: (value, source, estimated); (None, "", False)
    where it has nothing: a unit without register or entered figures, a count only people
    give, a count a paper commune did not report, a rate without a denominator."""
    tally = figures.tally
    if not (tally.get("src.register") or tally.get("src.entered")):
        return None, "", False
    source = figures.source
    estimated = bool(tally.get("src.estimated"))
    if row.kind == RowKind.INDICATOR:
        value = next((v for v in figures.values if v.indicator == row.key), None)
        if value is None or value.value is None or not math.isfinite(value.value):
            return None, "", False
        return _decimal(value.value), value.source, value.estimated
    if row.key not in ENGINE_COUNTS or (source == "entered" and row.key not in tally):
        return None, "", False
    return _decimal(tally.get(row.key, 0)), source, estimated


def _decimal(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(_PLACES)


@transaction.atomic
def report_figure_set(
    *, figure: ReportFigure, value: Decimal | None, reason: str = "", actor: Any = None
) -> ReportFigure:
    """Set one figure of an editable report.  Changing a figure the engine computed needs
    a reason, which the level above sees; setting it back to the computed one drops the
    reason.  A figure the engine could not give is simply entered."""
    report = figure.report
    _editable(report)
    _may_write(report.report_type, report.unit, report.parsed_period, actor)
    reason = reason.strip()
    if value is not None and value < 0:
        raise ValidationError({"value": _("A figure cannot be negative.")})
    if figure.computed is not None and value != figure.computed and not reason:
        raise ValidationError({"reason": _("Say why the computed figure is corrected.")})
    figure.value = value
    figure.reason = reason if figure.corrected else ""
    figure.corrected_by = _user(actor)
    figure.corrected_at = timezone.now()
    with acting_as(actor):
        figure.save(update_fields=["value", "reason", "corrected_by", "corrected_at"])
    return figure


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
    submission is the one timeliness is judged on."""
    _editable(report)
    _may_write(report.report_type, report.unit, report.parsed_period, actor)
    empty = report.figures.filter(row__kind=RowKind.COUNT, value__isnull=True).count()
    if empty:
        raise ValidationError(
            _("%(count)d counts of the report are empty: fill them in before sending it.")
            % {"count": empty}
        )
    report.status = Report.Status.SUBMITTED
    report.submitted_at = report.submitted_at or timezone.now()
    with acting_as(actor):
        report.save(update_fields=["status", "submitted_at", "updated_at"])
    return report


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
    _may_decide(report, actor)
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
    """Accept a submitted report: its figures are frozen.  The approved reports of the
    level below that are part of it are locked."""
    if report.status != Report.Status.SUBMITTED:
        raise ValidationError(
            _("A %(status)s report cannot be approved.") % {"status": report.get_status_display()}
        )
    _may_decide(report, actor)
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
