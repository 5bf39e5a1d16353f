"""What the household sheet (phiếu hộ A0/CTV) shows, computed from the events, with no
Django import: the contraceptive method in use month by month."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class MethodChange:
    day: date
    started: bool  # a start (True) or a stop (False)
    method: str


def month_end(month: date) -> date:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def months_back(last: date, count: int) -> list[date]:
    """The first days of ``count`` months ending with ``last``'s month, oldest first."""
    months = []
    year, month = last.year, last.month
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(months))


def method_by_month(changes: Iterable[MethodChange], months: list[date]) -> list[str]:
    """The method in use at the end of each month ("" when none): the latest start up to
    then, unless a stop came after it."""
    ordered = sorted(changes, key=lambda c: (c.day, c.started))
    out = []
    for month in months:
        end = month_end(month)
        current = ""
        for change in ordered:
            if change.day > end:
                break
            current = change.method if change.started else ""
        out.append(current)
    return out
