"""What an import found wrong, said so that a person can find it: file, line, column."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Problem:
    file: str
    line: int | None
    column: str | None
    message: str
    severity: str = "error"  # or "warning": stored anyway, but worth a look

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", dòng {self.line}"
        if self.column:
            where += f", cột {self.column}"
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    """Counts of what was (or, in a dry run, would be) written, and the problems."""

    created: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def add(
        self,
        file: str,
        line: int | None,
        column: str | None,
        message: str,
        severity: str = "error",
    ) -> None:
        self.problems.append(Problem(file, line, column, message, severity))

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "dry_run": self.dry_run,
            "problems": [asdict(p) for p in self.problems],
        }
