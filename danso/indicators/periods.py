"""Periods of the indicators: a month ``2025-03``, a quarter ``2025Q1``, a year ``2025`` and
a year to date ``2025-YTD-06`` (1 January to the end of June).  Pure Python.

Each period has the day on which its population is counted (the *reference date*):

- a year: 1 July;
- a quarter: the 15th of its middle month (15/02 for Q1);
- a month: the 15th;
- a year to date: the middle day of the span (``start + (days - 1) // 2``: 1 April for
  2025-YTD-06), the rule of the quarter and the year extended to any span of months.

Rates per 1,000 or per woman are annualised for periods shorter than a year: multiplied
by ``365 / days`` (``Period.annualisation``); a whole year, leap or not, is multiplied by 1.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    YEAR_TO_DATE = "ytd"


class PeriodError(ValueError):
    """A period written in none of the accepted forms."""


_FORMS = (
    (re.compile(r"^(\d{4})$"), PeriodKind.YEAR),
    (re.compile(r"^(\d{4})[Qq]([1-4])$"), PeriodKind.QUARTER),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), PeriodKind.MONTH),
    (re.compile(r"^(\d{4})-YTD-(\d{1,2})$", re.IGNORECASE), PeriodKind.YEAR_TO_DATE),
)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True, order=True)
class Period:
    """A span of whole months inside one calendar year."""

    year: int
    first_month: int
    last_month: int
    kind: PeriodKind

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2025``, ``2025Q1``, ``2025-03`` or ``2025-YTD-06``."""
        text = text.strip()
        for pattern, kind in _FORMS:
            match = pattern.match(text)
            if match is None:
                continue
            year = int(match.group(1))
            if kind is PeriodKind.YEAR:
                return cls(year, 1, 12, kind)
            number = int(match.group(2))
            if kind is PeriodKind.QUARTER:
                return cls(year, 3 * number - 2, 3 * number, kind)
            if not 1 <= number <= 12:
                raise PeriodError(f"{text}: the month must be between 01 and 12")
            if kind is PeriodKind.MONTH:
                return cls(year, number, number, kind)
            return cls(year, 1, number, kind)
        raise PeriodError(f"{text}: not a period (write 2025, 2025Q1, 2025-03 or 2025-YTD-06)")

    @classmethod
    def year_of(cls, year: int) -> Period:
        return cls(year, 1, 12, PeriodKind.YEAR)

    @classmethod
    def month_of(cls, year: int, month: int) -> Period:
        return cls(year, month, month, PeriodKind.MONTH)

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        return _month_end(self.year, self.last_month)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def reference(self) -> date:
        """The day the population of the period is counted (see the module docstring)."""
        if self.kind is PeriodKind.YEAR:
            return date(self.year, 7, 1)
        if self.kind is PeriodKind.QUARTER:
            return date(self.year, self.first_month + 1, 15)
        if self.kind is PeriodKind.MONTH:
            return date(self.year, self.first_month, 15)
        return self.start + timedelta(days=(self.days - 1) // 2)

    @property
    def annualisation(self) -> float:
        """What a rate of the period is multiplied by to be a rate per year."""
        return 1.0 if self.kind is PeriodKind.YEAR else 365 / self.days

    @property
    def months(self) -> int:
        return self.last_month - self.first_month + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def months_in(self) -> list[Period]:
        return [Period.month_of(self.year, m) for m in range(self.first_month, self.last_month + 1)]

    def __str__(self) -> str:
        if self.kind is PeriodKind.YEAR:
            return f"{self.year}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year}Q{self.last_month // 3}"
        if self.kind is PeriodKind.MONTH:
            return f"{self.year}-{self.first_month:02d}"
        return f"{self.year}-YTD-{self.last_month:02d}"

    @property
    def label_vi(self) -> str:
        """The period as a Vietnamese reader writes it."""
        if self.kind is PeriodKind.YEAR:
            return f"Năm {self.year}"
        if self.kind is PeriodKind.QUARTER:
            return f"Quý {self.last_month // 3}/{self.year}"
        if self.kind is PeriodKind.MONTH:
            return f"Tháng {self.first_month:02d}/{self.year}"
        return f"Từ đầu năm đến hết tháng {self.last_month:02d}/{self.year}"
