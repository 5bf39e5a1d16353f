"""``danso restore``: replace the configured database by a backup of ``danso backup``.

    danso restore PATH [--yes] [--format json]

SQLite: the backup is checked, copied beside the database file and renamed over it (a
failure leaves the database as it was); refused while another process has the file open.
PostgreSQL: ``pg_restore --clean --if-exists --no-owner`` in one transaction; refused
while other sessions are connected.  A database that holds data is replaced only with
``--yes``.  Then the migrations the backup lacks (a backup from an older danso) are
applied and named.  Prints the rows of the main tables, to compare with those printed by
``danso backup``.  Restart danso's processes afterwards.  See docs/backup.md.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from danso.backup.services import FAILURES, LABELS, Restore, backup_restore
from danso.commandline import DansoCommand


class Command(DansoCommand):
    help = "Restore the database from a backup of danso backup (docs/backup.md)."
    # No system checks: a backup or a restore must work when something else in the code
    # or the settings is broken (during an upgrade, say), which is when it is needed most.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="a file written by danso backup")
        parser.add_argument(
            "--yes", action="store_true", help="replace the database even if it holds data"
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restore = backup_restore(options["path"], replace=options["yes"])
        except FAILURES as error:
            raise CommandError(str(error)) from error
        self.emit(options, restore.as_dict(), lambda: _text(restore))


def _text(restore: Restore) -> str:
    rows = restore.as_dict()["rows"]
    lines = [
        f"danso: {LABELS[restore.kind]} database {restore.database} restored from "
        f"{restore.file} in {restore.seconds:.1f} s"
        + (f" ({restore.replaced_rows:,} rows replaced)." if restore.replaced_rows else "."),
        "  rows: " + ", ".join(f"{name} {n:,}" for name, n in rows.items() if n is not None),
    ]
    if restore.migrations_applied:
        lines.append(
            f"  The backup came from an older danso: {len(restore.migrations_applied)} "
            "migrations applied: " + ", ".join(restore.migrations_applied)
        )
    else:
        lines.append("  No migrations to apply: the backup matches this version of danso.")
    if restore.migrations_unknown:
        lines.append(
            f"  WARNING: the backup came from a newer danso ({len(restore.migrations_unknown)} "
            "migrations this version does not know): update danso before serving it."
        )
    lines.append(
        "  Restart danso's processes (and clear a shared cache) before serving: see docs/backup.md."
    )
    return "\n".join(lines)
