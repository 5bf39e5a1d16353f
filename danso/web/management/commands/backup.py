"""``danso backup``: a consistent copy of the database, taken while the server writes.

    danso backup [--output PATH] [--verify] [--format json]

SQLite: SQLite's online backup API (the write-ahead log included; never ``cp``), then its
integrity check of the copy.  PostgreSQL: ``pg_dump -Fc`` (found on PATH; the password
from ``DATABASE_URL`` passed in the environment).  By default the copy is written to
``var/backups/danso-YYYYMMDD-HHMMSS.sqlite3`` (or ``.dump``), readable by its owner only.
Prints the file, its size, the kind of database, the time it took and the rows of the
main tables, counted in the snapshot copied.  ``--verify`` also restores the copy into a
scratch database and compares it with the source as it stood at the snapshot: rows of
every table and indicator figures; a difference exits non-zero.  See docs/backup.md.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from danso.backup.services import FAILURES, LABELS, Backup, backup_create
from danso.commandline import DansoCommand


class Command(DansoCommand):
    help = "Back up the database while danso runs (docs/backup.md)."
    # No system checks: a backup or a restore must work when something else in the code
    # or the settings is broken (during an upgrade, say), which is when it is needed most.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="the file to write (default: var/backups/danso-YYYYMMDD-HHMMSS.sqlite3 or .dump)",
        )
        parser.add_argument(
            "--verify",
            action="store_true",
            help="restore the copy into a scratch database and compare rows and figures",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        _log_the_export(options)
        try:
            backup = backup_create(options["output"], verify=options["verify"])
        except FAILURES as error:
            raise CommandError(str(error)) from error
        self.emit(options, backup.as_dict(), lambda: _text(backup))
        verification = backup.verification
        if verification is not None and verification.differences:
            raise CommandError(
                f"the backup {backup.file} differs from its source "
                f"({len(verification.differences)} differences); see its output"
            )


def _text(backup: Backup) -> str:
    rows = backup.as_dict()["rows"]
    lines = [
        f"danso: {LABELS[backup.kind]} database backed up to {backup.file} "
        f"({backup.size / 1_000_000:,.1f} MB) in {backup.seconds:.1f} s; "
        f"integrity {backup.integrity}.",
        "  rows: " + ", ".join(f"{name} {n:,}" for name, n in rows.items() if n is not None),
    ]
    verification = backup.verification
    if verification is not None:
        if verification.differences:
            lines.append("  VERIFICATION FAILED: the restored copy differs from the source:")
            lines += [f"    {difference}" for difference in verification.differences]
        else:
            lines.append(
                f"  verified in {verification.seconds:.1f} s: restored into a scratch database, "
                f"{verification.tables_compared} tables and {verification.figures_compared} "
                "sets of indicator figures identical to the source."
            )
        if verification.migrations_applied:
            lines.append(
                f"  (the restore applied {len(verification.migrations_applied)} migrations "
                "the source lacks: run danso migrate on the server)"
            )
    return "\n".join(lines)


def _log_the_export(options: dict[str, Any]) -> None:
    """A backup holds everyone's personal data: it is an export, logged before the copy
    (so the copy holds its own entry) against the system actor.  A database too broken to
    log in must still be backed up: then the command says so and goes on."""
    try:
        from danso.register import privacy

        privacy.log_export(
            user=None,
            units=(),
            where=privacy.Where.BACKUP,
            description="Sao lưu toàn bộ cơ sở dữ liệu",
            rows=0,
            path="danso backup" + (f" --output {options['output']}" if options["output"] else ""),
        )
    except Exception as error:
        sys.stderr.write(f"danso: the backup could not be logged ({error}); backing up anyway\n")
