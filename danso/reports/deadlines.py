"""When a report is due: the deadline rules of report types and plans.  Pure Python.

Four kinds of rule, the ones the seeds and Circular 01/2022/TT-BYT use (the same kind
names as ``danso.plans`` report obligations):

``working_days_after`` (``days``)
    the N-th working day after the period's last day ("trong 5 ngày làm việc": a commune's
    statistical reports).  Always a working day.
``days_after`` (``days``, ``move``)
    the period's last day plus N calendar days ("trong 15 ngày": the district's 01-DSH).
    With ``move``, a due date on a day off becomes the next working day, as the Civil
    Code (Bộ luật Dân sự 2015, art. 148) ends a time limit whose last day is a day off.
``before_day_next`` (``day``)
    before day D of the month after the period, which for a quarter is the first month
    of the next quarter and for a year January of the next year ("trước ngày 10 tháng
    đầu tiên của quý tiếp theo": Hà Nội 2025).
``fixed_date`` (``month``, ``day``)
    before a fixed day of the period's year ("trước ngày 15/12": Hà Nội's annual summary,
    written before the year ends); the day must lie inside the period.

"Before day D" is read as written: a report sent on D is late, so the due date, the last
day it is on time, is D − 1 ("trước ngày 10" → due on the 9th).  These two kinds never
move a due date: moving it forward would put it on or after D, against the wording, and a
report sent on a Sunday through danso is received that Sunday.  To write "by the 10th",
use D = 11.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from danso.indicators.periods import Period, PeriodKind
from danso.reports.calendar import WorkingCalendar


class RuleKind(StrEnum):
    WORKING_DAYS_AFTER = "working_days_after"
    DAYS_AFTER = "days_after"
    BEFORE_DAY_NEXT = "before_day_next"
    FIXED_DATE = "fixed_date"


class DeadlineError(ValueError):
    """A rule with missing or impossible parameters, or one that cannot apply to a period."""


#: Longest span a rule may count, in days: a quarter and a little.  Beyond it a number is
#: far more likely a typing error than a deadline.
MAX_DAYS = 120

_NEXT_MONTH_VI = {
    PeriodKind.MONTH: "của tháng tiếp theo",
    PeriodKind.QUARTER: "tháng đầu tiên của quý tiếp theo",
    PeriodKind.YEAR: "tháng 01 của năm tiếp theo",
}
_NEXT_MONTH_EN = {
    PeriodKind.MONTH: "of the next month",
    PeriodKind.QUARTER: "of the first month of the next quarter",
    PeriodKind.YEAR: "of January of the next year",
}


def _next_month(words: dict[PeriodKind, str], kind: PeriodKind | None, default: str) -> str:
    """ "Of the next month", said as a reader of that kind of period would say it."""
    return words[kind] if kind is not None and kind in words else default


def _days(value: Any, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_DAYS:
        raise DeadlineError(f"days: {value!r} is not a whole number from {low} to {MAX_DAYS}")
    return value


def _day_of_month(value: Any) -> int:
    # every month has a 28th: a rule must give a due date in each month it is used for
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 28:
        raise DeadlineError(f"day: {value!r} is not a day from 1 to 28")
    return value


@dataclass(frozen=True)
class WorkingDaysAfter:
    days: int
    kind = RuleKind.WORKING_DAYS_AFTER

    def __post_init__(self) -> None:
        _days(self.days)

    def due(self, period: Period, calendar: WorkingCalendar) -> date:
        return calendar.add_working_days(period.end, self.days)

    def describe_vi(self, period_kind: PeriodKind | None = None) -> str:
        return f"Trong {self.days} ngày làm việc sau khi kết thúc kỳ báo cáo"

    def describe_en(self, period_kind: PeriodKind | None = None) -> str:
        return f"Within {self.days} working days after the period ends"

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "days": self.days}


@dataclass(frozen=True)
class DaysAfter:
    days: int
    move: bool
    kind = RuleKind.DAYS_AFTER

    def __post_init__(self) -> None:
        _days(self.days)
        if not isinstance(self.move, bool):
            raise DeadlineError(f"move: {self.move!r} is not true or false")

    def due(self, period: Period, calendar: WorkingCalendar) -> date:
        day = period.end + timedelta(days=self.days)
        return calendar.on_or_after(day) if self.move else day

    def describe_vi(self, period_kind: PeriodKind | None = None) -> str:
        text = f"Trong {self.days} ngày sau khi kết thúc kỳ báo cáo"
        if self.move:
            text += "; nếu ngày cuối cùng là ngày nghỉ thì hạn là ngày làm việc tiếp theo"
        return text

    def describe_en(self, period_kind: PeriodKind | None = None) -> str:
        text = f"Within {self.days} days after the period ends"
        if self.move:
            text += "; a last day that is a day off moves to the next working day"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "days": self.days, "move": self.move}


@dataclass(frozen=True)
class BeforeDayNext:
    day: int
    kind = RuleKind.BEFORE_DAY_NEXT

    def __post_init__(self) -> None:
        _day_of_month(self.day)

    def due(self, period: Period, calendar: WorkingCalendar) -> date:
        after = period.end + timedelta(days=1)  # the first day of the month after
        return after.replace(day=self.day) - timedelta(days=1)

    def describe_vi(self, period_kind: PeriodKind | None = None) -> str:
        after = _next_month(_NEXT_MONTH_VI, period_kind, "của tháng sau kỳ báo cáo")
        return f"Trước ngày {self.day} {after}"

    def describe_en(self, period_kind: PeriodKind | None = None) -> str:
        after = _next_month(_NEXT_MONTH_EN, period_kind, "of the month after the period")
        return f"Before day {self.day} {after}"

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "day": self.day}


@dataclass(frozen=True)
class FixedDate:
    month: int
    day: int
    kind = RuleKind.FIXED_DATE

    def __post_init__(self) -> None:
        for name, value, high in (("month", self.month, 12), ("day", self.day, 31)):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
                raise DeadlineError(f"{name}: {value!r} is not a number from 1 to {high}")
        try:
            date(2001, self.month, self.day)  # a common year: 29/02 would be missing in most
        except ValueError as error:
            raise DeadlineError(f"{self.day}/{self.month} is not a day of every year") from error

    def due(self, period: Period, calendar: WorkingCalendar) -> date:
        day = date(period.year, self.month, self.day)
        if not period.contains(day):
            raise DeadlineError(f"{day:%d/%m/%Y} is not in the period {period}")
        return day - timedelta(days=1)

    def describe_vi(self, period_kind: PeriodKind | None = None) -> str:
        return f"Trước ngày {self.day:02d}/{self.month:02d}"

    def describe_en(self, period_kind: PeriodKind | None = None) -> str:
        return f"Before {self.day:02d}/{self.month:02d}"

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "month": self.month, "day": self.day}


DeadlineRule = WorkingDaysAfter | DaysAfter | BeforeDayNext | FixedDate

_PARAMETERS: dict[RuleKind, tuple[str, ...]] = {
    RuleKind.WORKING_DAYS_AFTER: ("days",),
    RuleKind.DAYS_AFTER: ("days", "move"),
    RuleKind.BEFORE_DAY_NEXT: ("day",),
    RuleKind.FIXED_DATE: ("month", "day"),
}


def rule_from(data: Mapping[str, Any]) -> DeadlineRule:
    """The rule stored as ``{"kind": …, parameters…}`` (what ``as_dict`` gives back).

    Raises ``DeadlineError`` for an unknown kind, a missing or unexpected parameter, or a
    value out of range."""
    try:
        kind = RuleKind(str(data.get("kind")))
    except ValueError as error:
        known = ", ".join(k.value for k in RuleKind)
        raise DeadlineError(f"kind: {data.get('kind')!r} is none of {known}") from error
    wanted = _PARAMETERS[kind]
    given = set(data) - {"kind"}
    if missing := [name for name in wanted if name not in given]:
        raise DeadlineError(f"{kind.value}: missing {', '.join(missing)}")
    if extra := sorted(given - set(wanted)):
        raise DeadlineError(f"{kind.value}: unexpected {', '.join(extra)}")
    if kind is RuleKind.WORKING_DAYS_AFTER:
        return WorkingDaysAfter(data["days"])
    if kind is RuleKind.DAYS_AFTER:
        return DaysAfter(data["days"], data["move"])
    if kind is RuleKind.BEFORE_DAY_NEXT:
        return BeforeDayNext(data["day"])
    return FixedDate(data["month"], data["day"])
