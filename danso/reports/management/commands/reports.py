"""``danso reports``: deadlines and who has reported.

    danso reports deadline --type commune-monthly --period 2025-01 --format json

prints ``{"type", "period", "period_end", "due", "rule"}`` (dates ``YYYY-MM-DD``; the rule
in Vietnamese), counted on the working calendar with the administrator's days;

    danso reports status --type commune-quarterly --period 2025Q1 --unit 004 --level district
        [--date D] [--user U] --format json

prints ``{"expected", "received", "on_time", "completeness", "timeliness", "missing",
"late", "waived"}``: the units of the type's reporting level under the unit (as the tree
stood on ``--date``, default the period's last day), how many sent their report, how many
by the due date, both as percentages of the expected, and the codes of those missing and
late; the units the level above excused are not expected and are listed in ``waived``;

    danso reports remind [--date YYYY-MM-DD] --format json

sends the reminders of deadlines due on that day (default today; ``services.reminders_send``)
and prints ``{"date", "sent"}``;

    danso reports export --report ID --format xlsx|pdf [--output PATH] [--user U]
    danso reports export --type commune-quarterly --period 2025Q1 --unit 00118
        --level commune --format pdf [--output PATH] [--date D] [--user U]

writes the report as printed (``output.report_xlsx``, ``output.report_pdf``) to
``--output`` (default: ``output.report_filename`` in the current directory) and prints
the path.  The report is picked by its id, or by type, period and unit (as the tree
stood on ``--date``, default the period's last day); it must exist already.  The format
defaults to the output's extension, else PDF.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import timezone

from danso.commandline import DansoCommand, parse_day
from danso.indicators.periods import Period, PeriodKind
from danso.reports import output, selectors, services
from danso.reports.models import Report, ReportType
from danso.units.scope import Action


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
        r = sub.add_parser("remind", help="send the reminders of the deadlines near a day")
        r.add_argument("--date", type=parse_day, help="the day to remind on (default: today)")
        r.add_argument("--format", choices=["text", "json"], default="text")
        e = sub.add_parser("export", help="write a report as .xlsx or PDF, in the form's layout")
        e.add_argument("--report", type=int, help="id of the report")
        e.add_argument("--type", help="code of the report type (without --report)")
        e.add_argument("--period", help="2025-01, 2025Q1 or 2025 (without --report)")
        e.add_argument("--unit", help="code of the reporting unit (without --report)")
        self.add_level(e, required=False)
        e.add_argument("--format", choices=["xlsx", "pdf"], help="default: from --output, else pdf")
        e.add_argument("--output", type=Path, help="the file to write")
        e.add_argument("--user", metavar="USERNAME", help="read as this user, in their scope")
        e.add_argument("--date", type=parse_day, help="the day the unit is looked up on")

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
            if found.waived:
                lines.append(f"  được miễn: {', '.join(found.waived)}")
            return "\n".join(lines)

        self.emit(options, data, text)

    def do_remind(self, options: dict[str, Any]) -> None:
        day = options["date"] or timezone.localdate()
        sent = services.reminders_send(day)
        data = {"date": day.isoformat(), "sent": sent}
        self.emit(options, data, lambda: f"{day:%d/%m/%Y}: {sent} lời nhắc đã gửi")

    def do_export(self, options: dict[str, Any]) -> None:
        report = self.chosen_report(options)
        target: Path | None = options["output"]
        suffix = target.suffix.lower().lstrip(".") if target else ""
        kind = options["format"] or (suffix if suffix in ("xlsx", "pdf") else "pdf")
        content = output.report_xlsx(report) if kind == "xlsx" else output.report_pdf(report)
        path = target or Path(output.report_filename(report, kind))
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(f"cannot write {path}: {error.strerror or error}") from error
        self.stdout.write(str(path))

    def chosen_report(self, options: dict[str, Any]) -> Report:
        """The report of ``--report``, or of ``--type``, ``--period``, ``--unit`` and
        ``--level``; refused unless the reader's scope holds its unit."""
        if options["report"] is not None:
            report = Report.objects.filter(pk=options["report"]).first()
            if report is None:
                raise CommandError(f"no report {options['report']}")
        else:
            needed = ("type", "period", "unit", "level")
            missing = [f"--{name}" for name in needed if not options[name]]
            if missing:
                raise CommandError(f"give --report, or {', '.join(missing)}")
            report_type, period = self.report_type(options)
            on = options["date"] or period.end
            version = self.resolve(options["unit"], options["level"], self.scope(options, on))
            report = Report.objects.filter(
                report_type=report_type, unit=version.unit, period=str(period)
            ).first()
            if report is None:
                raise CommandError(
                    f"{version.name} has no {report_type.code} report for {period} yet"
                )
        period = report.parsed_period
        try:
            version = selectors.version_for(report.unit, period)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        if not self.scope(options, selectors.tree_day(report.unit, period)).allows(
            Action.VIEW, version
        ):
            raise CommandError(f"the reports of {version.name} are outside your scope")
        return report
