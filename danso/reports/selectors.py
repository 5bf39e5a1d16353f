"""Reads of reports: the working calendar, due dates, who must report, who has, the
reports below a report, and a person's unread reminders.

A report is looked at under the tree of its *tree day*: the period's last day, or the
unit's last day if it closed during the period (Long Biên's wards of 2025Q2 report after
they closed on 30/6/2025, as the units they were then).

A unit the level above has excused from a report (``ReportWaiver``) is not expected to
send it: it counts neither in completeness nor in timeliness and is listed apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from danso.indicators.periods import Period, PeriodError, PeriodKind
from danso.plans.carried import carriers_of
from danso.reports.calendar import WorkingCalendar
from danso.reports.models import CalendarDay, Reminder, Report, ReportType, ReportWaiver
from danso.units.models import Unit, UnitVersion, valid_on


def working_calendar() -> WorkingCalendar:
    """The public holidays corrected by every day the administrator has set."""
    days = CalendarDay.objects.values_list("day", "kind")
    return WorkingCalendar(
        extra_days_off=[d for d, kind in days if kind == CalendarDay.Kind.DAY_OFF],
        extra_working_days=[d for d, kind in days if kind == CalendarDay.Kind.WORKING_DAY],
    )


def period_of(report_type: ReportType, text: str) -> Period:
    """``text`` as a period of ``report_type``'s kind (``2025-01`` for a monthly type).
    Raises ``ValidationError`` for a malformed period or one of another kind."""
    try:
        period = Period.parse(text)
    except PeriodError as error:
        raise ValidationError({"period": str(error)}) from error
    if period.kind != report_type.period_kind:
        raise ValidationError(
            {
                "period": _("%(type)s is reported per %(kind)s, not for %(period)s.")
                % {
                    "type": report_type.code,
                    "kind": report_type.get_period_kind_display(),
                    "period": text,
                }
            }
        )
    plan = report_type.plan
    if plan is not None and not plan.period_start <= period.year <= plan.period_end:
        raise ValidationError(
            {
                "period": _("%(type)s is reported for the years of its plan, %(start)s–%(end)s.")
                % {"type": report_type.code, "start": plan.period_start, "end": plan.period_end}
            }
        )
    return period


def actual_period(report_type: ReportType, period: Period) -> Period:
    """The period a report's figures are counted over: ``period`` itself, except in a
    plan implementation report, whose figures are those of the year to date, up to the
    last month that ended before the due date (at most the period's last month): 2025Q1
    due on 9/4/2025 counts January–March; the annual summary due on 14/12/2025 counts
    January–November."""
    if report_type.plan_id is None:
        return period
    due = due_date(report_type, period)
    before_due = due.month - 1 if due.year == period.year else 12
    last = max(1, min(period.last_month, before_due))
    if last == 12:
        return Period.year_of(period.year)
    return Period(period.year, 1, last, PeriodKind.YEAR_TO_DATE)


def due_date(
    report_type: ReportType, period: Period, calendar: WorkingCalendar | None = None
) -> date:
    """The last day a report of ``report_type`` for ``period`` is on time."""
    return report_type.rule.due(period, calendar or working_calendar())


def tree_day(unit: Unit, period: Period) -> date:
    """The day ``unit`` is looked at for ``period`` (see the module docstring)."""
    end = period.end
    return min(end, unit.valid_to) if unit.valid_to else end


def version_for(unit: Unit, period: Period) -> UnitVersion:
    """``unit`` as it stood on its tree day for ``period``.  Raises ``ValidationError``
    if it did not exist during the period."""
    if unit.valid_from > period.end or (unit.valid_to and unit.valid_to < period.start):
        raise ValidationError(_("This unit did not exist during %(period)s.") % {"period": period})
    return UnitVersion.objects.select_related("unit").get(
        valid_on(tree_day(unit, period)), unit=unit
    )


def receiver_of(version: UnitVersion, report_type: ReportType, on: date) -> UnitVersion:
    """The unit a report goes to, as it stood on ``on``: the reporting unit's ancestor at
    the receiving level or, where that level is gone (no districts after 1/7/2025), the
    unit directly above."""
    above = {
        v.unit.level: v
        for v in UnitVersion.objects.filter(
            valid_on(on), unit_id__in=version.ancestor_ids()
        ).select_related("unit")
    }
    receiver = above.get(report_type.receiving_level)
    if receiver is not None:
        return receiver
    return next(v for v in above.values() if v.unit_id == version.parent_id)


def expected_units(report_type: ReportType, parent: UnitVersion, on: date) -> list[UnitVersion]:
    """The units that must send ``report_type``: those of its reporting level under
    ``parent`` on ``on`` (the units that existed when the period ended; a unit closed
    during the period is reported for by the successor that took it over).  A plan
    implementation report is sent by the plan's unit only — or, once that unit has
    closed, by the units that carry the plan's cells (``plans.carried``), whatever their
    level.  Waived units are included: ``completeness`` and ``children_status`` set them
    apart."""
    units = UnitVersion.objects.filter(valid_on(on), path__startswith=parent.path).exclude(
        unit_id=parent.unit_id
    )
    plan = report_type.plan
    if plan is not None:
        carriers: set[int] = set()
        if plan.unit.valid_to is not None and plan.unit.valid_to < on:
            carriers = carriers_of(plan, on)
        units = units.filter(
            Q(unit__level=report_type.reporting_level, unit__plans=plan.pk)
            | Q(unit_id__in=carriers)
        ).distinct()
    else:
        units = units.filter(unit__level=report_type.reporting_level)
    # in the order of the printed codes: 001, 002 … 016, not 1, 16, 2
    return sorted(units.select_related("unit"), key=lambda version: version.display_code)


def waiver_for(report_type: ReportType, unit: Unit, period: Period | str) -> ReportWaiver | None:
    """The waiver excusing ``unit`` from ``report_type`` for ``period``, if any."""
    return ReportWaiver.objects.filter(
        report_type=report_type, unit=unit, period=str(period)
    ).first()


#: What ``children_status`` gives for each unit below: the unit, its report (None when it
#: has not opened one) and its waiver (None when it is not excused).
ChildStatus = tuple[UnitVersion, Report | None, ReportWaiver | None]


def children_status(report: Report) -> list[ChildStatus]:
    """The reports of the level below that are part of ``report`` (the types that feed
    its type: the wards' quarterly reports in their district's 01-DSH), one entry per
    expected unit, for the approval screen to show side by side.  Ordered by type code,
    then unit code; empty for a type nothing feeds.  The units are those under
    ``report``'s unit on its tree day, which the reader sees if they see that report."""
    period = report.parsed_period
    fed_by = list(report.report_type.fed_by.order_by("code"))
    if not fed_by:
        return []
    day = tree_day(report.unit, period)
    parent = version_for(report.unit, period)
    found: list[ChildStatus] = []
    for report_type in fed_by:
        units = expected_units(report_type, parent, day)
        ids = [v.unit_id for v in units]
        reports = {
            r.unit_id: r
            for r in Report.objects.filter(
                report_type=report_type, period=report.period, unit_id__in=ids
            )
        }
        waivers = {
            w.unit_id: w
            for w in ReportWaiver.objects.filter(
                report_type=report_type, period=report.period, unit_id__in=ids
            )
        }
        found += [(v, reports.get(v.unit_id), waivers.get(v.unit_id)) for v in units]
    return found


def children_not_approved(report: Report) -> tuple[list[str], list[str]]:
    """The codes of the units below ``report`` that hold its approval back: (those that
    have sent nothing, those whose report is sent but not approved).  Waived units and
    approved or locked reports do not."""
    done = (Report.Status.APPROVED, Report.Status.LOCKED)
    missing: list[str] = []
    pending: list[str] = []
    for version, child, waiver in children_status(report):
        if waiver is not None or (child is not None and child.status in done):
            continue
        if child is None or child.submitted_at is None:
            missing.append(version.display_code)
        else:
            pending.append(version.display_code)
    return missing, pending


@dataclass(frozen=True)
class Completeness:
    """Completeness and timeliness of one report type and period under one unit.

    Both rates are percentages of the expected reports (the convention of routine
    health information systems): completeness = received ÷ expected, timeliness =
    received by the due date ÷ expected.  A report counts as received from its first
    submission, whatever happened to it after.  ``waived``: the units excused from the
    report by the level above; they are not in ``expected``.
    """

    due: date
    expected: list[str]
    received: list[str]
    on_time: list[str]
    waived: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        got = set(self.received)
        return [code for code in self.expected if code not in got]

    @property
    def late(self) -> list[str]:
        early = set(self.on_time)
        return [code for code in self.received if code not in early]

    def _rate(self, count: int) -> float | None:
        return round(100 * count / len(self.expected), 1) if self.expected else None

    def as_dict(self) -> dict[str, Any]:
        """The CLI contract of ``danso reports status``."""
        return {
            "expected": len(self.expected),
            "received": len(self.received),
            "on_time": len(self.on_time),
            "completeness": self._rate(len(self.received)),
            "timeliness": self._rate(len(self.on_time)),
            "missing": self.missing,
            "late": self.late,
            "waived": self.waived,
        }


def completeness(
    report_type: ReportType,
    parent: UnitVersion,
    period: Period,
    below: list[UnitVersion] | None = None,
) -> Completeness:
    """Who under ``parent`` had to send ``report_type`` for ``period``, who did, and who
    did by the due date; who was excused.  ``parent`` is a version valid on the period's
    tree day, already checked against the reader's scope: the units below it are the
    reader's too.  ``below``: the units that must send it (``expected_units`` on the
    period's tree day), when the caller has read them."""
    if below is None:
        below = expected_units(report_type, parent, tree_day(parent.unit, period))
    excused = set(
        ReportWaiver.objects.filter(
            report_type=report_type, period=str(period), unit_id__in=[v.unit_id for v in below]
        ).values_list("unit_id", flat=True)
    )
    expected = [v for v in below if v.unit_id not in excused]
    waived = [v.display_code for v in below if v.unit_id in excused]
    codes = {v.unit_id: v.display_code for v in expected}
    due = due_date(report_type, period)
    submitted = dict(
        Report.objects.filter(
            report_type=report_type,
            period=str(period),
            unit_id__in=list(codes),
            submitted_at__isnull=False,
        ).values_list("unit_id", "submitted_at")
    )
    received = [codes[v.unit_id] for v in expected if v.unit_id in submitted]
    on_time = [
        codes[v.unit_id]
        for v in expected
        if v.unit_id in submitted and timezone.localdate(submitted[v.unit_id]) <= due
    ]
    return Completeness(due, [codes[v.unit_id] for v in expected], received, on_time, waived)


def reminders_for(user: Any) -> list[Reminder]:
    """``user``'s unread reminders, newest first (none for an anonymous user)."""
    if not getattr(user, "pk", None):
        return []
    return list(
        Reminder.objects.filter(user=user, read_at__isnull=True).select_related(
            "report_type", "unit"
        )
    )
