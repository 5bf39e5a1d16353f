"""Working days: weekends, public holidays with Tết, the package's swaps and the
administrator's corrections."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from danso.reports.calendar import CalendarError, WorkingCalendar

#: The weekdays civil servants had off for Tết (DOMAIN §6; the government's decisions),
#: and the day work resumed.
TET = {
    2024: ([date(2024, 2, 8) + timedelta(days=i) for i in range(7)], date(2024, 2, 15)),
    2025: ([date(2025, 1, 27) + timedelta(days=i) for i in range(5)], date(2025, 2, 3)),
    2026: ([date(2026, 2, 16) + timedelta(days=i) for i in range(5)], date(2026, 2, 23)),
}


@pytest.mark.parametrize("year", sorted(TET))
def test_tet_is_off_and_work_resumes_after_it(year: int) -> None:
    # given the public calendar alone
    calendar = WorkingCalendar()
    days, back = TET[year]

    # then every day of Tết is off, and counting resumes on the day work does
    assert not any(calendar.is_working_day(day) for day in days)
    assert calendar.next_working_day(days[0] - timedelta(days=1)) == back
    assert calendar.add_working_days(days[0] - timedelta(days=1), 2) == calendar.next_working_day(
        back
    )


def test_weekends_and_ordinary_days() -> None:
    calendar = WorkingCalendar()

    assert calendar.is_working_day(date(2025, 3, 14))  # a Friday
    assert not calendar.is_working_day(date(2025, 3, 15))  # Saturday
    assert not calendar.is_working_day(date(2025, 3, 16))  # Sunday
    assert not calendar.is_working_day(date(2025, 4, 7))  # Hùng Kings' day
    assert not calendar.is_working_day(date(2026, 4, 27))  # Hùng Kings' day 2026, made up


def test_the_packages_swapped_saturday_is_worked_even_in_a_year_not_yet_looked_at() -> None:
    # given a calendar that has not loaded 2025 yet
    calendar = WorkingCalendar()

    # then Saturday 26/4/2025, worked for the day off on Friday 2/5, is a working day
    assert calendar.is_working_day(date(2025, 4, 26))
    assert not calendar.is_working_day(date(2025, 5, 2))


def test_the_administrators_swap_wins_over_the_package() -> None:
    # given New Year 2026 as the government set it (12729/VPCP-KGVX): Friday 2/1 off,
    # Saturday 10/1 worked, which the holidays package does not know
    public = WorkingCalendar()
    swapped = WorkingCalendar(
        extra_days_off={date(2026, 1, 2)}, extra_working_days={date(2026, 1, 10)}
    )

    # then
    assert public.is_working_day(date(2026, 1, 2))
    assert not swapped.is_working_day(date(2026, 1, 2))
    assert not public.is_working_day(date(2026, 1, 10))
    assert swapped.is_working_day(date(2026, 1, 10))
    assert swapped.add_working_days(date(2025, 12, 31), 2) == date(2026, 1, 6)
    assert swapped.add_working_days(date(2026, 1, 9), 1) == date(2026, 1, 10)


def test_counting_working_days() -> None:
    calendar = WorkingCalendar()

    assert calendar.add_working_days(date(2025, 1, 31), 0) == date(2025, 1, 31)
    assert calendar.on_or_after(date(2025, 3, 14)) == date(2025, 3, 14)
    assert calendar.on_or_after(date(2025, 3, 15)) == date(2025, 3, 17)
    with pytest.raises(CalendarError):
        calendar.add_working_days(date(2025, 1, 31), -1)


def test_a_day_both_off_and_worked_is_refused() -> None:
    with pytest.raises(CalendarError, match="02/01/2026"):
        WorkingCalendar(extra_days_off={date(2026, 1, 2)}, extra_working_days={date(2026, 1, 2)})
