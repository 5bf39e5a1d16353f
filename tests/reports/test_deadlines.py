"""Deadline rules: every kind, Tết of several years, a swapped working day, and what
"before the 10th" means."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from danso.indicators.periods import Period, PeriodKind
from danso.reports.calendar import WorkingCalendar
from danso.reports.catalogue import COMMUNE_DEADLINE, DISTRICT_DEADLINE, KNOWN_DAYS
from danso.reports.deadlines import (
    BeforeDayNext,
    DaysAfter,
    DeadlineError,
    FixedDate,
    WorkingDaysAfter,
    rule_from,
)

PUBLIC = WorkingCalendar()
#: The calendar ``danso setup`` gives: the public holidays and the government's swaps the
#: package lacks.
SETUP = WorkingCalendar(
    extra_days_off={k.day for k in KNOWN_DAYS if not k.working},
    extra_working_days={k.day for k in KNOWN_DAYS if k.working},
)


def due(rule: Any, period: str, calendar: WorkingCalendar = SETUP) -> date:
    return rule.due(Period.parse(period), calendar)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2025-01", date(2025, 2, 7)),  # Tết 2025 ends on 1/2: 3/2 is the first working day
        ("2024-12", date(2025, 1, 8)),  # New Year's Day 1/1/2025 is off
        ("2025Q1", date(2025, 4, 8)),  # Hùng Kings' day, Monday 7/4/2025, is off
        ("2024-01", date(2024, 2, 7)),  # due the day before Tết 2024 begins
        ("2025-04", date(2025, 5, 9)),  # 30/4, 1/5 and the swapped 2/5 are off
        ("2025", date(2026, 1, 9)),  # with Friday 2/1/2026 given off by the government
    ],
)
def test_commune_reports_are_due_five_working_days_after(period: str, expected: date) -> None:
    assert due(COMMUNE_DEADLINE, period) == expected


def test_the_government_swap_the_package_lacks_moves_a_deadline() -> None:
    # 2/1/2026 is a working day for the package alone, a day off for the government
    assert due(COMMUNE_DEADLINE, "2025-12", PUBLIC) == date(2026, 1, 8)
    assert due(COMMUNE_DEADLINE, "2025-12", SETUP) == date(2026, 1, 9)


def test_a_swapped_saturday_counts_as_a_working_day() -> None:
    # Saturday 10/1/2026 is worked to pay for 2/1: the 6th working day after 31/12/2025
    assert due(WorkingDaysAfter(6), "2025-12") == date(2026, 1, 10)
    assert due(WorkingDaysAfter(6), "2025-12", PUBLIC) == date(2026, 1, 9)


@pytest.mark.parametrize(
    ("rule", "period", "expected"),
    [
        (WorkingDaysAfter(15), "2026-01", date(2026, 2, 27)),  # Tết 2026: 16–20/2
        (DaysAfter(10, move=True), "2024-01", date(2024, 2, 15)),  # 10/2/2024 is Tết
        (DaysAfter(10, move=False), "2024-01", date(2024, 2, 10)),
        (DaysAfter(15, move=True), "2026-01", date(2026, 2, 23)),  # 15/2/2026: Sunday, then Tết
        (DaysAfter(15, move=False), "2026-01", date(2026, 2, 15)),
    ],
)
def test_tet_of_several_years(rule: Any, period: str, expected: date) -> None:
    assert due(rule, period) == expected


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2025Q1", date(2025, 4, 15)),
        ("2024Q4", date(2025, 1, 15)),
        ("2023Q3", date(2023, 10, 16)),  # 15/10/2023 is a Sunday
    ],
)
def test_the_district_report_is_due_fifteen_days_after(period: str, expected: date) -> None:
    assert due(DISTRICT_DEADLINE, period) == expected


def test_before_the_tenth_means_due_on_the_ninth_and_never_moves() -> None:
    rule = BeforeDayNext(10)

    assert due(rule, "2025Q1") == date(2025, 4, 9)  # the first month of the next quarter
    assert due(rule, "2025-01") == date(2025, 2, 9)  # a Sunday: not moved
    assert due(rule, "2025") == date(2026, 1, 9)
    assert due(BeforeDayNext(1), "2025-02") == date(2025, 2, 28)


def test_a_fixed_date_in_the_period() -> None:
    rule = FixedDate(12, 15)

    assert due(rule, "2025") == date(2025, 12, 14)  # before 15/12; a Sunday, not moved
    assert due(rule, "2025Q4") == date(2025, 12, 14)
    with pytest.raises(DeadlineError, match="not in the period"):
        due(rule, "2025Q1")


def test_every_rule_is_described_in_vietnamese() -> None:
    assert COMMUNE_DEADLINE.describe_vi() == "Trong 5 ngày làm việc sau khi kết thúc kỳ báo cáo"
    assert DISTRICT_DEADLINE.describe_vi() == (
        "Trong 15 ngày sau khi kết thúc kỳ báo cáo; "
        "nếu ngày cuối cùng là ngày nghỉ thì hạn là ngày làm việc tiếp theo"
    )
    assert DaysAfter(15, move=False).describe_vi() == "Trong 15 ngày sau khi kết thúc kỳ báo cáo"
    assert (
        BeforeDayNext(10).describe_vi(PeriodKind.QUARTER)
        == "Trước ngày 10 tháng đầu tiên của quý tiếp theo"
    )
    assert BeforeDayNext(5).describe_vi(PeriodKind.MONTH) == "Trước ngày 5 của tháng tiếp theo"
    assert FixedDate(12, 15).describe_vi() == "Trước ngày 15/12"
    assert FixedDate(12, 15).describe_en() == "Before 15/12"


@pytest.mark.parametrize(
    "rule", [COMMUNE_DEADLINE, DISTRICT_DEADLINE, BeforeDayNext(10), FixedDate(12, 15)]
)
def test_a_rule_is_stored_and_read_back(rule: Any) -> None:
    assert rule_from(rule.as_dict()) == rule


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "weekly"}, "none of"),
        ({}, "none of"),
        ({"kind": "days_after", "days": 15}, "missing move"),
        ({"kind": "working_days_after", "days": 5, "move": True}, "unexpected move"),
        ({"kind": "working_days_after", "days": 0}, "days"),
        ({"kind": "working_days_after", "days": True}, "days"),
        ({"kind": "working_days_after", "days": "5"}, "days"),
        ({"kind": "days_after", "days": 15, "move": "yes"}, "move"),
        ({"kind": "before_day_next", "day": 30}, "from 1 to 28"),
        ({"kind": "fixed_date", "month": 2, "day": 29}, "every year"),
        ({"kind": "fixed_date", "month": 13, "day": 1}, "month"),
    ],
)
def test_a_wrong_rule_is_refused(data: dict[str, Any], message: str) -> None:
    with pytest.raises(DeadlineError, match=message):
        rule_from(data)
