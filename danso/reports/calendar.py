"""Working days in Vietnam: the calendar every report deadline is counted on.  Pure Python.

A day is a working day unless it is a Saturday, a Sunday or a public holiday.  Holidays
come from the ``holidays`` package (``country_holidays("VN")``), which follows the Labour
Code: Tết is the days the government gives civil servants around the lunar new year
(2024: 8–14/2, 2025: 27/1–1/2, 2026: 16–20/2, weekdays only counting here), a holiday
falling on a weekend is made up on the next working day ("nghỉ bù"), and the package also
knows some of the government's yearly swaps, where a weekday is given off and a Saturday
is worked instead (29/4/2024 off, Saturday 4/5/2024 worked).

The government decides each year's swaps late (New Year 2026: Friday 2/1 off, Saturday
10/1 worked, document 12729/VPCP-KGVX of 25/12/2025) and the package does not always
have them.  So the administrator adds, per year, extra days off and extra working days;
they win over the package, whatever it says about that day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import holidays

_SATURDAY = 5


class CalendarError(ValueError):
    """A calendar that contradicts itself, or a count of working days that cannot be."""


class WorkingCalendar:
    """Vietnamese working days, corrected by the administrator's days.

    ``extra_days_off``: days not worked although the package says they are (a bridge day
    the government added); ``extra_working_days``: days worked although the package says
    they are not (the Saturday that pays for the bridge).  A day in both is refused.
    """

    def __init__(
        self, extra_days_off: Iterable[date] = (), extra_working_days: Iterable[date] = ()
    ) -> None:
        self.extra_days_off = frozenset(extra_days_off)
        self.extra_working_days = frozenset(extra_working_days)
        both = sorted(self.extra_days_off & self.extra_working_days)
        if both:
            days = ", ".join(f"{d:%d/%m/%Y}" for d in both)
            raise CalendarError(f"{days}: both a day off and a working day")
        # years are added as they are asked about
        self._public = holidays.country_holidays("VN")

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off:
            return False
        # Asking whether the day is a holiday loads its year, and with it the year's
        # swapped Saturdays (``weekend_workdays``), so this test must come first.
        if day in self._public:
            return False
        if day.weekday() >= _SATURDAY:
            return day in self._public.weekend_workdays
        return True

    def next_working_day(self, day: date) -> date:
        """The first working day after ``day`` (``day`` itself is not considered)."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def on_or_after(self, day: date) -> date:
        """``day`` if it is a working day, else the next one: where a time limit that ends
        on a day off really ends."""
        return day if self.is_working_day(day) else self.next_working_day(day)

    def add_working_days(self, day: date, count: int) -> date:
        """The ``count``-th working day after ``day`` (``day`` itself not counted, whether
        or not it is worked); ``day`` when ``count`` is 0.  A negative count is refused."""
        if count < 0:
            raise CalendarError(f"{count} working days: the count cannot be negative")
        for _ in range(count):
            day = self.next_working_day(day)
        return day
