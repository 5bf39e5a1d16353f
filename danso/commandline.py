"""What every ``danso`` command shares: ``--format``, ``--user``, dates and codes.

A command that produces data prints exactly one JSON document with ``--format json``;
errors go to stderr with a non-zero exit code (``CommandError``).  Without ``--user`` a
command acts as the system, with the whole country in scope, and its changes are recorded
against the system actor (``danso.audit.system_actor``); with it, the user's scope
(``danso.accounts.scope.unit_scope``) applies to everything it reads and writes.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser, ArgumentTypeError
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from danso.accounts.models import User
from danso.accounts.scope import SYSTEM, System, actor_scope
from danso.audit import acting_as, system_lazily
from danso.problems import ImportReport
from danso.units.codes import CLI_LEVELS, Level
from danso.units.models import UnitVersion
from danso.units.scope import Action, UnitScope
from danso.units.selectors import UnitNotFound, UnitOutOfScope, resolve_code


def parse_day(text: str) -> date:
    """``YYYY-MM-DD`` or ``dd/mm/yyyy``."""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()  # noqa: DTZ007 - a calendar day
        except ValueError:
            continue
    raise ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD or dd/mm/yyyy)")


class DansoCommand(BaseCommand):
    """Base of danso's commands (see the module docstring)."""

    def execute(self, *args: Any, **options: Any) -> str | None:
        # what a command changes is recorded against ``--user``, or else the system actor
        user = self.acting_user(options) if options.get("user") else system_lazily()
        with acting_as(user):
            return super().execute(*args, **options)

    def add_common(self, parser: ArgumentParser, *, date_required: bool = False) -> None:
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--user", metavar="USERNAME", help="act as this user, in their scope")
        parser.add_argument(
            "--date",
            type=parse_day,
            required=date_required,
            help="the day the tree is looked at (default: today)",
        )

    def add_level(self, parser: ArgumentParser, *, required: bool = True) -> None:
        parser.add_argument("--level", choices=[lvl.value for lvl in CLI_LEVELS], required=required)

    def day(self, options: dict[str, Any]) -> date:
        return options.get("date") or timezone.localdate()

    def acting_user(self, options: dict[str, Any]) -> User | None:
        username = options.get("user")
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None or not user.is_active:
            raise CommandError(f"no active user {username!r}")
        return user

    def actor(self, options: dict[str, Any]) -> User | System:
        """Whom the command acts for: ``--user``, or else, named, the system (``SYSTEM``:
        every unit)."""
        return self.acting_user(options) or SYSTEM

    def scope(self, options: dict[str, Any], on: date | None = None) -> UnitScope:
        return actor_scope(self.actor(options), on or self.day(options))

    def resolve(
        self, code: str, level: str, scope: UnitScope, action: Action = Action.VIEW
    ) -> UnitVersion:
        try:
            return resolve_code(Level(level), code, scope, action)
        except (UnitNotFound, UnitOutOfScope) as error:
            raise CommandError(str(error)) from error

    def emit_report(self, options: dict[str, Any], report: ImportReport) -> None:
        """Print an import report; with errors, exit non-zero (nothing was written)."""
        self.emit(
            options,
            report.as_dict(),
            lambda: "\n".join(
                [f"{k}: {v}" for k, v in report.created.items()] + [str(p) for p in report.problems]
            ),
        )
        if report.errors:
            raise CommandError(f"{len(report.errors)} errors; nothing was written")

    def emit(self, options: dict[str, Any], data: Any, text: Callable[[], str]) -> None:
        if options.get("format") == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        else:
            self.stdout.write(text())
