"""What an import tells: the counts of the rows imported (in a dry run: that would be)
and of those already in the register, the problems, and the names of its stages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from danso.problems import Problem

#: Called as ``progress(stage, done, total)``; the stages are ``STAGE_LABELS``.
Progress = Callable[[str, int, int], None]

#: Problems kept in a report; past this only their number is told (a file with a wrong
#: date format on every line would otherwise make a report of a million lines).
MAX_PROBLEMS = 10_000
KINDS = ("units", "households", "persons", "events")

#: What the progress callback's stage names mean, for the screens.
STAGE_LABELS: dict[str, Promise] = {
    "units": gettext_lazy("Reading the villages"),
    "households": gettext_lazy("Reading the households"),
    "placements": gettext_lazy("Reading the households' placements"),
    "persons": gettext_lazy("Reading the persons"),
    "events_read": gettext_lazy("Reading the events"),
    "events_check": gettext_lazy("Checking the events"),
    "write_units": gettext_lazy("Creating the villages"),
    "write_households": gettext_lazy("Writing the households"),
    "write_persons": gettext_lazy("Writing the persons"),
    "write_memberships": gettext_lazy("Writing the memberships"),
    "write_events": gettext_lazy("Writing the events"),
}

#: What each kind of row is called where a report counts them.
KIND_LABELS: dict[str, Promise] = {
    "units": gettext_lazy("villages"),
    "households": gettext_lazy("households"),
    "persons": gettext_lazy("persons"),
    "events": gettext_lazy("events"),
}


@dataclass
class RegisterImportReport:
    """What was (in a dry run: would be) imported, what was already there, the problems."""

    imported: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    partial: bool = False
    untold: int = 0  # problems past MAX_PROBLEMS, counted only
    error_count: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    def add(
        self, file: str, line: int | None, column: str | None, message: str, severity: str = "error"
    ) -> None:
        if severity == "error":
            self.error_count += 1
        if len(self.problems) >= MAX_PROBLEMS:
            self.untold += 1
            return
        self.problems.append(Problem(file, line, column, message, severity))

    def as_dict(self) -> dict[str, Any]:
        """The JSON of ``danso register import --format json``."""
        problems = [
            {
                "file": p.file,
                "line": p.line,
                "column": p.column,
                "message": p.message,
                "severity": p.severity,
            }
            for p in self.problems
        ]
        if self.untold:
            problems.append(
                {
                    "file": "",
                    "line": None,
                    "column": None,
                    "message": _("… and %(n)s more problems.") % {"n": self.untold},
                }
            )
        return {
            "imported": dict(self.imported),
            "unchanged": dict(self.unchanged),
            "problems": problems,
        }
