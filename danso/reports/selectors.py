"""Reads of reports: the working calendar, due dates, who must report, who has.

A report is looked at under the tree of its *tree day*: the period's last day, or the
unit's last day if it closed during the period (Long Biên's wards of 2025Q2 report after
they closed on 30/6/2025, as the units they were then).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from danso.indicators.periods import Period, PeriodError
from danso.reports.calendar import WorkingCalendar
from danso.reports.models import CalendarDay, Report, ReportType
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
    return period


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
    during the period is reported for by the successor that took it over)."""
    return list(
        UnitVersion.objects.filter(
            valid_on(on),
            unit__level=report_type.reporting_level,
            path__startswith=parent.path,
        )
        .exclude(unit_id=parent.unit_id)
        .select_related("unit")
        .order_by("code")
    )


@dataclass(frozen=True)
class Completeness:
    """Completeness and timeliness of one report type and period under one unit.

    Both rates are percentages of the expected reports (the convention of routine
    health information systems): completeness = received ÷ expected, timeliness =
    received by the due date ÷ expected.  A report counts as received from its first
    submission, whatever happened to it after.
    """

    due: date
    expected: list[str]
    received: list[str]
    on_time: list[str]

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
        }


def completeness(report_type: ReportType, parent: UnitVersion, period: Period) -> Completeness:
    """Who under ``parent`` had to send ``report_type`` for ``period``, who did, and who
    did by the due date.  ``parent`` is a version valid on the period's tree day, already
    checked against the reader's scope: the units below it are the reader's too."""
    on = tree_day(parent.unit, period)
    expected = expected_units(report_type, parent, on)
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
    return Completeness(due, [codes[v.unit_id] for v in expected], received, on_time)
