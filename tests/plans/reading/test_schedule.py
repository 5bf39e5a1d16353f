"""Time windows of the activity schedule."""

from __future__ import annotations

from datetime import date

import pytest

from danso.plans.reading.schedule import read_window


@pytest.mark.parametrize(
    ("window", "start", "end", "recurrence"),
    [
        ("Tháng 3/2024", date(2024, 3, 1), date(2024, 3, 31), None),
        ("Tháng 10/2024", date(2024, 10, 1), date(2024, 10, 31), None),
        ("Tháng 3 - 10/2024", date(2024, 3, 1), date(2024, 10, 31), None),
        ("Tháng 3- 10/2024", date(2024, 3, 1), date(2024, 10, 31), None),
        ("Tháng 2/2024", date(2024, 2, 1), date(2024, 2, 29), None),
        ("Từ tháng 11/2024 đến tháng 2/2025", date(2024, 11, 1), date(2025, 2, 28), None),
        ("Tháng 6", date(2024, 6, 1), date(2024, 6, 30), None),
        ("Quý II/2024", date(2024, 4, 1), date(2024, 6, 30), None),
        ("Hàng tháng", date(2024, 1, 1), date(2024, 12, 31), "monthly"),
        ("Hàng quý", date(2024, 1, 1), date(2024, 12, 31), "quarterly"),
        ("Theo kế hoạch của Chi cục Dân số - KHHGD", None, None, None),
        ("Tháng 13/2024", None, None, None),
    ],
)
def test_windows_in_a_plan_of_2024(
    window: str, start: date | None, end: date | None, recurrence: str | None
) -> None:
    assert read_window(window, 2024) == (start, end, recurrence)
