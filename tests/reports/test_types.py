"""Report types as configuration: the built-in ones loaded once, their rows and rules,
the administrator's calendar days, and due dates read from both."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.accounts.scope import SYSTEM
from danso.indicators.periods import Period
from danso.reports import selectors
from danso.reports.models import CalendarDay, ReportType
from danso.reports.services import calendar_day_set, calendar_days_load, report_types_load
from danso.units.codes import Level

pytestmark = pytest.mark.django_db


def test_the_built_in_types_are_loaded_once_and_edits_are_kept(
    types: dict[str, ReportType],
) -> None:
    # given the four built-in types
    assert sorted(types) == [
        "commune-annual",
        "commune-monthly",
        "commune-quarterly",
        "district-quarterly",
    ]
    district = types["district-quarterly"]
    assert (district.form, district.child_columns) == ("01-DSH", True)
    assert (district.reporting_level, district.receiving_level) == ("district", "province")
    assert district.deadline == {"kind": "days_after", "days": 15, "move": True}
    assert types["commune-quarterly"].feeds == district
    assert types["commune-annual"].form == "03-DSX"
    assert types["commune-monthly"].deadline == {"kind": "working_days_after", "days": 5}

    # when an officer edits one and setup runs again
    ReportType.objects.filter(code="commune-monthly").update(name_vi="Báo cáo tháng")
    added = report_types_load()

    # then nothing is added and the edit stays
    assert added == 0
    assert ReportType.objects.get(code="commune-monthly").name_vi == "Báo cáo tháng"


def test_rows_follow_the_statistical_forms(types: dict[str, ReportType]) -> None:
    rows = list(types["district-quarterly"].rows.values_list("kind", "key"))
    commune = list(types["commune-quarterly"].rows.values_list("kind", "key"))

    assert rows[:4] == [
        ("count", "households"),
        ("count", "P"),
        ("count", "cpr.women"),
        ("count", "births"),
    ]
    assert ("count", "married.child") in rows
    assert all(kind == "count" for kind, _key in rows)
    assert ("indicator", "SRB") in commune
    assert ("indicator", "NEWFP.iud") in commune
    assert commune[-1] == ("section", "assessment")


@pytest.mark.parametrize(
    ("deadline", "period_kind", "field"),
    [
        ({"kind": "days_after", "days": 15}, "quarter", "deadline"),
        ({"kind": "fixed_date", "month": 12, "day": 15}, "quarter", "deadline"),
        ({"kind": "working_days_after", "days": 5}, "quarter", "receiving_level"),
    ],
)
def test_a_type_with_a_wrong_rule_or_levels_is_refused(
    deadline: dict[str, object], period_kind: str, field: str
) -> None:
    report_type = ReportType(
        code="x",
        name_vi="x",
        name_en="x",
        period_kind=period_kind,
        reporting_level="commune",
        receiving_level="district" if field != "receiving_level" else "commune",
        deadline=deadline,
    )

    with pytest.raises(ValidationError) as raised:
        report_type.full_clean()

    assert field in raised.value.message_dict


def test_the_acceptance_deadlines_from_the_stored_types(types: dict[str, ReportType]) -> None:
    def due(code: str, period: str) -> date:
        return selectors.due_date(types[code], Period.parse(period))

    assert due("commune-monthly", "2025-01") == date(2025, 2, 7)
    assert due("commune-monthly", "2024-12") == date(2025, 1, 8)
    assert due("commune-quarterly", "2025Q1") == date(2025, 4, 8)
    assert due("district-quarterly", "2025Q1") == date(2025, 4, 15)


def test_the_administrators_days_move_due_dates(types: dict[str, ReportType]) -> None:
    monthly = types["commune-monthly"]
    december = Period.parse("2025-12")
    assert selectors.due_date(monthly, december) == date(2026, 1, 8)

    # when setup adds the New Year 2026 swap the holidays package lacks
    assert calendar_days_load() == 2
    assert calendar_days_load() == 0

    # then Friday 2/1/2026 is off and the report is due a day later
    assert selectors.due_date(monthly, december) == date(2026, 1, 9)

    # and a day the administrator adds counts too (say a bridge on Monday 5/1/2026)
    calendar_day_set(actor=SYSTEM, day=date(2026, 1, 5), working=False, note="thử")
    assert selectors.due_date(monthly, december) == date(2026, 1, 10)  # the worked Saturday


def test_only_an_administrator_sets_calendar_days(make_user: Callable[..., User]) -> None:
    officer = make_user("city", Role.PROVINCE_OFFICER, Level.PROVINCE, "1", date(2025, 3, 1))
    admin = make_user("admin", Role.ADMIN)

    with pytest.raises(PermissionDenied):
        calendar_day_set(day=date(2026, 1, 2), working=False, actor=officer)
    calendar_day_set(day=date(2026, 1, 2), working=False, note="12729/VPCP-KGVX", actor=admin)

    day = CalendarDay.objects.get(day=date(2026, 1, 2))
    assert (day.kind, day.note) == ("day_off", "12729/VPCP-KGVX")
    assert day.history.get().history_user == admin
