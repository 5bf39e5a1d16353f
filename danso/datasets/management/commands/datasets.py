"""``danso datasets``: define data elements and data sets, enter their values.

danso datasets define FILE.json [--user U] [--format json]
danso datasets enter --file FILE.csv|FILE.xlsx [--reason R] [--user U] --format json
danso datasets list [--format json]
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction

from danso.commandline import DansoCommand
from danso.datasets.selectors import data_sets
from danso.datasets.services import NotAllowed, define, enter_table
from danso.spreadsheets import LimitError
from danso.tables import TableError, read_table
from danso.uploads import Kind, limit_message, limits, read_path


class Command(DansoCommand):
    help = "Data elements and data sets the province defines, and their values."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("define", help="create or update data elements and data sets")
        p.add_argument("file", type=Path)
        p.add_argument("--format", choices=["text", "json"], default="text")
        p.add_argument("--user", metavar="USERNAME")

        p = sub.add_parser("enter", help="store values from a table (.csv or .xlsx)")
        p.add_argument("--file", type=Path, required=True)
        p.add_argument("--reason", default="", help="why stored values are corrected")
        p.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        p.add_argument("--format", choices=["text", "json"], default="text")
        p.add_argument("--user", metavar="USERNAME")

        p = sub.add_parser("list", help="the data sets and their elements")
        p.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def do_define(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path}: không có tệp này")
        try:
            document = json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"{path.name}: không đọc được JSON ({error})") from error
        try:
            report = define(document, actor=self.actor(options), file_name=path.name)
        except NotAllowed as error:
            raise CommandError(str(error)) from error
        self.emit(options, report.as_dict(), lambda: _text(report.as_dict()))
        if report.problems:
            raise CommandError(f"{len(report.problems)} lỗi; không ghi gì")

    def do_enter(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path}: không có tệp này")
        try:
            table = read_table(
                read_path(path, Kind.ENTERED), path.name, limits=limits(Kind.ENTERED)
            )
        except (TableError, LimitError) as error:
            raise CommandError(f"{path.name}: {limit_message(error)}") from error
        with transaction.atomic():
            report = enter_table(
                table, file_name=path.name, actor=self.actor(options), reason=options["reason"]
            )
            if options["dry_run"]:
                transaction.set_rollback(True)
        data = report.as_dict() | {"dry_run": options["dry_run"]}
        self.emit(options, data, lambda: _text(data))
        if report.problems:
            raise CommandError(f"{len(report.problems)} lỗi; không ghi gì")

    def do_list(self, options: dict[str, Any]) -> None:
        found: list[dict[str, Any]] = [
            {
                "code": s.code,
                "name": s.name_vi,
                "period_type": s.period_type,
                "level": s.level,
                "elements": [
                    {
                        "code": m.element.code,
                        "name": m.element.name_vi,
                        "value_type": m.element.value_type,
                    }
                    for m in s.members.all()
                ],
            }
            for s in data_sets()
        ]
        self.emit(
            options,
            {"data_sets": found},
            lambda: "\n".join(
                f"{s['code']} · {s['name']} ({s['period_type']}, {s['level']}): "
                + ", ".join(e["code"] for e in s["elements"])
                for s in found
            ),
        )


def _text(data: dict[str, Any]) -> str:
    lines = [f"{k}: {v}" for k, v in data.items() if k != "problems"]
    for p in data["problems"]:
        where = p["file"] + (f", dòng {p['line']}" if p.get("line") else "")
        where += f", cột {p['column']}" if p.get("column") else ""
        lines.append(f"{where}: {p['message']}")
    return "\n".join(lines)
