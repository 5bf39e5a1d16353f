"""``danso reports``: deadlines and who has reported.

    danso reports deadline --type commune-monthly --period 2025-01 --format json

prints ``{"type", "period", "period_end", "due", "rule"}`` (dates ``YYYY-MM-DD``; the rule
in Vietnamese), counted on the working calendar with the administrator's days;

    danso reports status --type commune-quarterly --period 2025Q1 --unit 004 --level district
        [--date D] [--user U] --format json

prints ``{"expected", "received", "on_time", "completeness", "timeliness", "missing",
"late"}``: the units of the type's reporting level under the unit (as the tree stood on
``--date``, default the period's last day), how many sent their report, how many by the
due date, both as percentages of the expected, and the codes of those missing and late.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from danso.commandline import DansoCommand
from danso.indicators.periods import Period, PeriodKind
from danso.reports import selectors
from danso.reports.models import ReportType


class Command(DansoCommand):
    help = "Report deadlines, and who has reported."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        d = sub.add_parser("deadline", help="when a report of a type and period is due")
        d.add_argument("--type", required=True, help="code of the report type")
        d.add_argument("--period", required=True, help="2025-01, 2025Q1 or 2025")
        d.add_argument("--format", choices=["text", "json"], default="text")
        s = sub.add_parser("status", help="completeness and timeliness under a unit")
        s.add_argument("--type", required=True, help="code of the report type")
        s.add_argument("--period", required=True, help="2025-01, 2025Q1 or 2025")
        s.add_argument("--unit", required=True, help="code of the receiving unit")
        self.add_level(s)
        self.add_common(s)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def report_type(self, options: dict[str, Any]) -> tuple[ReportType, Period]:
        report_type = ReportType.objects.filter(code=options["type"]).first()
        if report_type is None:
            known = ", ".join(ReportType.objects.values_list("code", flat=True))
            raise CommandError(f"no report type {options['type']!r} (known: {known})")
        try:
            return report_type, selectors.period_of(report_type, options["period"])
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error

    def do_deadline(self, options: dict[str, Any]) -> None:
        report_type, period = self.report_type(options)
        due = selectors.due_date(report_type, period)
        rule = report_type.rule.describe_vi(PeriodKind(report_type.period_kind))
        data = {
            "type": report_type.code,
            "period": str(period),
            "period_end": period.end.isoformat(),
            "due": due.isoformat(),
            "rule": rule,
        }
        self.emit(options, data, lambda: f"{report_type.code} {period}: {due:%d/%m/%Y} ({rule})")

    def do_status(self, options: dict[str, Any]) -> None:
        report_type, period = self.report_type(options)
        on = options["date"] or period.end
        parent = self.resolve(options["unit"], options["level"], self.scope(options, on))
        found = selectors.completeness(report_type, parent, period)
        data = found.as_dict()

        def text() -> str:
            lines = [
                f"{report_type.code} {period} · {parent.name} · hạn {found.due:%d/%m/%Y}",
                f"  {data['received']}/{data['expected']} đã gửi, {data['on_time']} đúng hạn",
            ]
            if found.missing:
                lines.append(f"  chưa gửi: {', '.join(found.missing)}")
            if found.late:
                lines.append(f"  gửi muộn: {', '.join(found.late)}")
            return "\n".join(lines)

        self.emit(options, data, text)
