"""Reminders of report deadlines: in the application (``Reminder``, listed by
``selectors.reminders_for``) and by mail through Django's email backend, sent by ``danso
reports remind`` (``reminders_send``) to the people who must send a report and have
not."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from danso.accounts.models import RoleAssignment, User
from danso.accounts.policy import ROLE_ACTIONS
from danso.indicators.periods import Period, PeriodKind
from danso.reports import selectors
from danso.reports.access import carriers
from danso.reports.models import Reminder, Report, ReportType, ReportWaiver
from danso.units.models import Unit, valid_on
from danso.units.scope import Action

logger = logging.getLogger(__name__)


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
            carrying = carriers(report_type, period.end)
            expected = [
                unit
                for unit in units.values()
                if unit.valid_from <= period.end
                and (unit.valid_to is None or unit.valid_to >= period.end)
                and (
                    unit.pk in carrying
                    or (
                        unit.level == report_type.reporting_level
                        and (report_type.plan is None or unit.pk == report_type.plan.unit_id)
                    )
                )
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
