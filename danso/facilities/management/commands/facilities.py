"""``danso facilities``: health facilities and their inspections.

danso facilities list --unit CODE --level LEVEL [--year Y] [--date D] [--user U] --format json
danso facilities import FILE.csv|FILE.xlsx [--date D] [--user U] [--format json]
danso facilities define [--user U] [--format json]
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from danso.commandline import DansoCommand
from danso.facilities.selectors import facilities_under, year_totals
from danso.facilities.services import NotAllowed, ensure_definitions, facilities_import
from danso.uploads import MAX_MB_HELP, Kind, limits, read_path
from danso.vietnamese import format_number


class Command(DansoCommand):
    help = "Health facilities and their inspections: list, import, define the data set."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("list", help="the facilities under a unit, with a year's inspections")
        p.add_argument("--unit", required=True, metavar="CODE")
        self.add_level(p)
        p.add_argument("--year", type=int, help="the year counted (default: the date's)")
        self.add_common(p)

        p = sub.add_parser("import", help="register the facilities of a table (.csv or .xlsx)")
        p.add_argument("file", type=Path)
        p.add_argument("--max-mb", type=float, metavar="MB", help=MAX_MB_HELP)
        self.add_common(p)

        p = sub.add_parser(
            "define", help="define the data set FACILITY_INSPECTIONS (once; a province officer)"
        )
        self.add_common(p)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def do_list(self, options: dict[str, Any]) -> None:
        scope = self.scope(options)
        version = self.resolve(options["unit"], options["level"], scope)
        year = options.get("year") or scope.on.year
        rows = facilities_under(version, scope, year)
        totals = year_totals(rows)
        data = {
            "unit": version.as_node(),
            "year": year,
            "totals": {
                "facilities": totals.facilities,
                "inspected": totals.inspected,
                "inspections": totals.inspections,
                "violations": totals.violations,
            },
            "facilities": [
                {
                    "id": r.facility.pk,
                    "name": r.facility.name,
                    "commune": {"code": r.commune.display_code, "name": r.commune.name},
                    "address": r.facility.address,
                    "ownership": r.facility.ownership,
                    "services": r.facility.services,
                    "licence_number": r.facility.licence_number,
                    "licence_date": r.facility.licence_date,
                    "active": r.facility.active,
                    "inspections": r.inspections,
                    "violations": r.violations,
                }
                for r in rows
            ],
        }
        self.emit(
            options,
            data,
            lambda: "\n".join(
                [
                    f"{version.display_code} {version.name} · {year}: "
                    f"{format_number(totals.facilities)} cơ sở, "
                    f"{format_number(totals.inspections)} lượt kiểm tra, "
                    f"{format_number(totals.violations)} lượt phát hiện vi phạm"
                ]
                + [
                    f"  {r.commune.display_code} {r.facility.name}: "
                    f"{format_number(r.inspections)} / {format_number(r.violations)}"
                    for r in rows
                ]
            ),
        )

    def do_import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path}: không có tệp này")
        # a table an officer fills in, with the limits of the other entered tables
        report = facilities_import(
            read_path(path, Kind.ENTERED, max_mb=options["max_mb"]),
            file_name=path.name,
            actor=self.actor(options),
            on=self.day(options),
            limits=limits(Kind.ENTERED, max_mb=options["max_mb"]),
        )
        self.emit_report(options, report)

    def do_define(self, options: dict[str, Any]) -> None:
        try:
            written = ensure_definitions(self.actor(options))
        except NotAllowed as error:
            raise CommandError(str(error)) from error
        self.emit(
            options,
            {"defined": written},
            lambda: (
                "Đã định nghĩa bộ dữ liệu FACILITY_INSPECTIONS."
                if written
                else "Bộ dữ liệu FACILITY_INSPECTIONS đã có."
            ),
        )
