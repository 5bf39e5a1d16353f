"""``danso register``: import and export the register in the exchange format.

    danso register import PATH [--dry-run] [--partial] [--user U] [--progress] --format json
    danso register export --unit CODE --level LEVEL --date YYYY-MM-DD --output DIR [--user U]
    danso register check [--unit CODE --level LEVEL] [--user U] --format json
    danso register correct SOURCE_ID --set FIELD=VALUE [--set …] --reason TEXT [--user U]
    danso register withdraw SOURCE_ID --reason TEXT [--user U] --format json

PATH is a folder of CSV files (units.csv, households.csv, placements.csv, persons.csv,
events.csv), a .zip of them or an .xlsx workbook with a sheet of each name
(docs/REGISTER-FORMAT.md: the export writes format 1.1, the import reads 1.0 and 1.1).  The
import prints ``{"imported": {...}, "unchanged": {...}, "problems": [...]}`` and exits
non-zero when there are errors and nothing was imported; its progress goes to stderr
when stderr is a terminal (or with ``--progress``), never to stdout.
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError, OutputWrapper

from danso.commandline import DansoCommand, parse_day
from danso.register import correction_command
from danso.register.exporting import register_export
from danso.register.flagging import register_check
from danso.register.importing import STAGE_LABELS, register_import
from danso.units.scope import Action
from danso.uploads import MAX_MB_HELP, Kind, limits


class ProgressBar:
    """``stage  [#####-----]  42 %  12,345/29,000`` on one line of a stream, at most ten
    times a second."""

    def __init__(self, stream: OutputWrapper) -> None:
        self.stream = stream
        self.shown = 0.0
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage == self.stage and done < total and now - self.shown < 0.1:
            return
        if stage != self.stage and self.stage:
            self.stream.write("\n", ending="")
        self.stage, self.shown = stage, now
        share = done / total if total else 1.0
        bar = "#" * int(share * 30)
        label = str(STAGE_LABELS.get(stage, stage))
        line = f"\r{label:<32} [{bar:<30}] {share:4.0%}  {done:,}/{total:,}"
        self.stream.write(f"{line:<90}", ending="")
        self.stream.flush()

    def close(self) -> None:
        if self.stage:
            self.stream.write("\n", ending="")
            self.stream.flush()


class Command(DansoCommand):
    help = "The household register: import and export in the exchange format."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        p = sub.add_parser("import", help="import a folder of CSV files, a .zip or an .xlsx")
        p.add_argument("path", type=Path)
        p.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        p.add_argument(
            "--partial", action="store_true", help="import the rows without errors, report the rest"
        )
        p.add_argument("--progress", action="store_true", help="show progress on stderr")
        p.add_argument("--max-mb", type=float, metavar="MB", help=MAX_MB_HELP)
        p.add_argument("--format", choices=["text", "json"], default="text")
        p.add_argument("--user", metavar="USERNAME", help="act as this user, in their scope")

        p = sub.add_parser("export", help="write the register of a unit's subtree as CSV files")
        p.add_argument("--unit", required=True, help="code of the unit")
        self.add_level(p)
        p.add_argument("--date", type=parse_day, required=True, help="the day the tree is taken")
        p.add_argument("--output", type=Path, required=True, help="the folder to write")
        p.add_argument("--format", choices=["text", "json"], default="text")
        p.add_argument("--user", metavar="USERNAME", help="act as this user, in their scope")

        p = sub.add_parser("check", help="check the register's rules again; record the warnings")
        p.add_argument("--unit", help="code of the unit (default: the whole register)")
        self.add_level(p, required=False)
        p.add_argument("--date", type=parse_day, help="the day the code is read (default: today)")
        p.add_argument("--format", choices=["text", "json"], default="text")
        p.add_argument("--user", metavar="USERNAME", help="act as this user, in their scope")

        # correcting and withdrawing entries (register.corrections, issue 14)
        p = sub.add_parser("correct", help="correct an event or a person's details, saying why")
        p.add_argument("source_id", help="the id of the event or person (as in the book)")
        p.add_argument(
            "--set", action="append", required=True, metavar="FIELD=VALUE", dest="set_values"
        )
        p.add_argument("--reason", required=True, help="why the entry is corrected")
        p.add_argument("--format", choices=["text", "json"], default="text")
        p.add_argument("--user", metavar="USERNAME", help="act as this user, in their scope")
        p = sub.add_parser("withdraw", help="withdraw an event from the book, saying why")
        p.add_argument("source_id", help="the id of the event (as in the book)")
        p.add_argument("--reason", required=True, help="why the event is withdrawn")
        p.add_argument("--format", choices=["text", "json"], default="text")
        p.add_argument("--user", metavar="USERNAME", help="act as this user, in their scope")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def do_import(self, options: dict[str, Any]) -> None:
        path: Path = options["path"]
        if not path.exists():
            raise CommandError(f"{path}: no such file or folder")
        bar = None
        if options["progress"] or self.stderr.isatty():
            bar = ProgressBar(self.stderr)
        try:
            report = register_import(
                path,
                user=self.acting_user(options),
                dry_run=options["dry_run"],
                partial=options["partial"],
                progress=bar,
                book_limits=limits(Kind.REGISTER, max_mb=options["max_mb"]),
            )
        finally:
            if bar is not None:
                bar.close()
        data = report.as_dict()

        def text() -> str:
            lines = [
                f"{kind}: {data['imported'][kind]} imported, {data['unchanged'][kind]} unchanged"
                for kind in data["imported"]
            ]
            lines += [str(p) for p in report.problems]
            if report.dry_run:
                lines.append("(dry run: nothing was written)")
            return "\n".join(lines)

        self.emit(options, data, text)
        if report.has_errors and (not report.partial or not any(report.imported.values())):
            raise CommandError(f"{report.error_count} errors; nothing was imported")

    def do_export(self, options: dict[str, Any]) -> None:
        scope = self.scope(options, options["date"])
        version = self.resolve(options["unit"], options["level"], scope, Action.VIEW_PERSONS)
        user = self.actor(options)
        try:
            result = register_export(
                version.unit,
                options["date"],
                options["output"],
                user=user,
                path=(
                    f"danso register export --unit {options['unit']} --level "
                    f"{options['level']} --date {options['date']:%Y-%m-%d}"
                ),
            )
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        rows = result["rows"]
        self.emit(
            options,
            result,
            lambda: (
                f"{result['output']} (format {result['format']}): {rows['units']} village rows, "
                f"{rows['households']} households, {rows['placements']} placements, "
                f"{rows['persons']} persons, {rows['events']} events"
            ),
        )

    def do_check(self, options: dict[str, Any]) -> None:
        under = None
        if options["unit"]:
            if not options["level"]:
                raise CommandError("--unit needs --level")
            scope = self.scope(options, self.day(options))
            under = self.resolve(options["unit"], options["level"], scope, Action.VIEW_RECORDS).unit
        elif options["user"]:
            raise CommandError("with --user, say which unit (--unit CODE --level LEVEL)")
        result = register_check(under=under, user=self.acting_user(options))
        self.emit(
            options,
            result,
            lambda: "\n".join(
                [f"{result['flags']} flags", *(f"  {k}: {n}" for k, n in result["by_rule"].items())]
            ),
        )

    def do_correct(self, options: dict[str, Any]) -> None:
        correction_command.correct(self, options)

    def do_withdraw(self, options: dict[str, Any]) -> None:
        correction_command.withdraw(self, options)
