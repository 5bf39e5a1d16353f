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

The writes are in modules by topic; this module holds the decisions of the receiving
level (approve, return, unlock, waive, withdraw a waiver) with their check,
``_may_decide``, and re-exports the rest, so that ``services.report_open`` and the like
stay the one way in:

- ``report_types``: the built-in report types and the implementation reports of plans;
- ``calendar_days``: the working calendar's days;
- ``filling``: open, fill, correct, write and submit a report (the reporting unit);
- ``reminders``: reminders of deadlines, in the application and by mail;
- ``access``: the checks every write of a report makes first.

``_may_decide`` and its callers stay here, in one module, so that the one check of
"who decides on this report" is looked up here at call time: the privacy matrix's test
that the matrix sees a missing check takes it out by patching
``danso.reports.services._may_decide``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danso.audit import acting_as, recorded_user
from danso.indicators.periods import Period
from danso.reports import selectors
from danso.reports.access import check_reporting_unit, scope_of
from danso.reports.calendar_days import calendar_day_remove, calendar_day_set, calendar_days_load
from danso.reports.filling import (
    FROM_REPORT,
    report_figure_set,
    report_may_open,
    report_open,
    report_refresh,
    report_submit,
    report_text_set,
)
from danso.reports.models import Report, ReportType, ReportWaiver
from danso.reports.reminders import REMINDER_CATCH_UP, reminder_read, reminders_send
from danso.reports.report_types import (
    plan_report_types_from,
    plan_report_types_load,
    report_types_load,
)
from danso.units.models import Unit, UnitVersion, valid_on
from danso.units.scope import Action

__all__ = [
    "FROM_REPORT",
    "REMINDER_CATCH_UP",
    "calendar_day_remove",
    "calendar_day_set",
    "calendar_days_load",
    "plan_report_types_from",
    "plan_report_types_load",
    "reminder_read",
    "reminders_send",
    "report_approve",
    "report_figure_set",
    "report_may_open",
    "report_open",
    "report_refresh",
    "report_return",
    "report_submit",
    "report_text_set",
    "report_types_load",
    "report_unlock",
    "report_waive",
    "report_waiver_remove",
]


# ----------------------------------------------------------------------------- access


def _may_decide(report_type: ReportType, unit: Unit, period: Period, actor: Any) -> UnitVersion:
    """Check that ``actor`` decides on ``unit``'s report of ``report_type`` for ``period``
    (whether it exists or not): ``APPROVE_REPORTS`` on the unit receiving it.  Returns
    the receiving unit."""
    day = selectors.tree_day(unit, period)
    version = selectors.version_for(unit, period)
    receiver = selectors.receiver_of(version, report_type, day)
    if not scope_of(actor, day).allows(Action.APPROVE_REPORTS, receiver):
        raise PermissionDenied(_("Only the level receiving this report decides on it."))
    return receiver


# ----------------------------------------------------------------------------- decisions


@transaction.atomic
def report_return(*, report: Report, comment: str, actor: Any) -> Report:
    """Send a submitted report back to its unit for corrections, saying what is wrong."""
    return _send_back(report, comment, actor, Report.Status.SUBMITTED)


@transaction.atomic
def report_unlock(*, report: Report, reason: str, actor: Any) -> Report:
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
def report_approve(*, report: Report, actor: Any) -> Report:
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
    *, report_type: ReportType, unit: Unit, period: str, reason: str, actor: Any
) -> ReportWaiver:
    """Excuse ``unit`` from sending ``report_type`` for ``period`` (miễn báo cáo), saying
    why.  Only the level receiving the report waives it, and not once it has been sent
    (approve or return it instead).  A waived unit is not expected: it is left out of
    completeness and timeliness, gets no reminder, and does not hold back the approval
    of the report of the level above."""
    parsed = selectors.period_of(report_type, period)
    check_reporting_unit(report_type, unit, parsed)
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
            waived_by=recorded_user(actor),
            waived_at=timezone.now(),
        )


@transaction.atomic
def report_waiver_remove(*, waiver: ReportWaiver, actor: Any) -> None:
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
