"""Completeness and timeliness: who had to report, who did, who did by the due date; and
the ``danso reports`` command's contract."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
from django.core.management.base import CommandError

from danso.accounts.scope import SYSTEM
from danso.reports.models import ReportType
from danso.reports.services import report_open, report_return, report_submit
from danso.units.codes import Level
from tests.conftest import unit_at
from tests.reports.conftest import EARLY_2025, filled

pytestmark = pytest.mark.django_db
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def send(report_type: ReportType, level: Level, code: str, period: str, at: datetime) -> None:
    """The unit's report for ``period``, filled and submitted at ``at``."""
    unit = unit_at(level, code, EARLY_2025)
    report = filled(report_open(actor=SYSTEM, report_type=report_type, unit=unit, period=period))
    with patch("django.utils.timezone.now", return_value=at):
        report_submit(actor=SYSTEM, report=report)


def test_long_bien_sees_which_wards_reported_on_time(
    types: dict[str, ReportType], run_cli: Callable[..., Any]
) -> None:
    # given the 2025Q1 reports of Long Biên's wards (due 8/4/2025): Giang Biên on the
    # last day, Ngọc Thụy a day late and then returned, the eleven others missing
    quarterly = types["commune-quarterly"]
    send(quarterly, Level.COMMUNE, "121", "2025Q1", datetime(2025, 4, 8, 23, 30, tzinfo=HANOI))
    send(quarterly, Level.COMMUNE, "118", "2025Q1", datetime(2025, 4, 9, 8, 0, tzinfo=HANOI))
    late = quarterly.reports.get(unit=unit_at(Level.COMMUNE, "118", EARLY_2025))
    report_return(actor=SYSTEM, report=late, comment="Thiếu số hộ")

    # when the district asks
    status = run_cli(
        "reports", "status", "--type", "commune-quarterly", "--period", "2025Q1",
        "--unit", "004", "--level", "district",
    )  # fmt: skip

    # then
    assert status == {
        "expected": 13,
        "received": 2,
        "on_time": 1,
        "completeness": 15.4,
        "timeliness": 7.7,
        "missing": [
            "00115", "00124", "00127", "00130", "00133", "00136", "00139", "00145",
            "00148", "00151", "00154",
        ],
        "late": ["00118"],
        "waived": [],
    }  # fmt: skip


def test_the_city_sees_its_districts(
    types: dict[str, ReportType], run_cli: Callable[..., Any]
) -> None:
    district = types["district-quarterly"]
    send(district, Level.DISTRICT, "4", "2025Q1", datetime(2025, 4, 15, 16, 0, tzinfo=HANOI))

    status = run_cli(
        "reports", "status", "--type", "district-quarterly", "--period", "2025Q1",
        "--unit", "01", "--level", "province",
    )  # fmt: skip

    assert (status["expected"], status["received"], status["on_time"]) == (30, 1, 1)
    assert status["timeliness"] == 3.3
    assert "004" not in status["missing"]
    assert status["late"] == []
    # in the order of the printed codes (stored unpadded: 1, 16, 2)
    assert status["missing"][:4] == ["001", "002", "003", "005"]
    assert status["missing"] == sorted(status["missing"])


@pytest.mark.parametrize(
    ("code", "period", "period_end", "due"),
    [
        ("commune-monthly", "2025-01", "2025-01-31", "2025-02-07"),
        ("commune-monthly", "2024-12", "2024-12-31", "2025-01-08"),
        ("commune-quarterly", "2025Q1", "2025-03-31", "2025-04-08"),
        ("commune-annual", "2024", "2024-12-31", "2025-01-08"),
        ("district-quarterly", "2025Q1", "2025-03-31", "2025-04-15"),
    ],
)
def test_the_deadline_command(
    types: dict[str, ReportType],
    run_cli: Callable[..., Any],
    code: str,
    period: str,
    period_end: str,
    due: str,
) -> None:
    data = run_cli("reports", "deadline", "--type", code, "--period", period)

    assert data == {
        "type": code,
        "period": period,
        "period_end": period_end,
        "due": due,
        "rule": types[code].rule.describe_vi(),
    }


def test_the_deadline_command_says_the_rule_in_vietnamese(
    types: dict[str, ReportType], run_cli: Callable[..., Any]
) -> None:
    data = run_cli("reports", "deadline", "--type", "district-quarterly", "--period", "2025Q1")

    assert data["rule"].startswith("Trong 15 ngày sau khi kết thúc kỳ báo cáo")


@pytest.mark.parametrize(
    ("code", "period", "message"),
    [("weekly", "2025Q1", "no report type"), ("commune-monthly", "2025Q1", "per month")],
)
def test_the_deadline_command_refuses_a_wrong_type_or_period(
    types: dict[str, ReportType], run_cli: Callable[..., Any], code: str, period: str, message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        run_cli("reports", "deadline", "--type", code, "--period", period)
