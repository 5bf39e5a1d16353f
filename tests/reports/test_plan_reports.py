"""Plan implementation reports (báo cáo kết quả thực hiện kế hoạch) made from a plan's
report obligations: Hà Nội's 2025 plan asks for a quarterly report before the 10th of the
first month of the next quarter and an annual summary before 15/12."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.accounts.scope import SYSTEM
from danso.indicators.periods import Period
from danso.indicators.services import entered_save
from danso.plans.models import Plan
from danso.plans.services import plan_update
from danso.reports import selectors
from danso.reports.models import Reminder, Report, ReportType
from danso.reports.services import (
    plan_report_types_from,
    plan_report_types_load,
    reminders_send,
    report_approve,
    report_figure_set,
    report_open,
    report_submit,
    report_text_set,
)
from danso.units.codes import Level
from tests.conftest import unit_at
from tests.plans.conftest import HANOI_2025, seed_plan  # noqa: F401 - a fixture used here
from tests.reports.conftest import EARLY_2025, GIANG_BIEN_Q1

pytestmark = pytest.mark.django_db


@pytest.fixture
def hanoi_2025(seed_plan: Callable[[str], Plan]) -> Plan:  # noqa: F811 - the fixture above
    """The city's 2025 plan, issued as the demo issues it."""
    plan = seed_plan(HANOI_2025)
    return plan_update(
        plan=plan, status=Plan.Status.ISSUED, number="15/KH-UBND", issued_on=date(2025, 1, 15)
    )


def test_the_plan_makes_a_quarterly_and_an_annual_report(hanoi_2025: Plan) -> None:
    # when the report types are made from the plan's obligations
    quarterly, annual = plan_report_types_from(hanoi_2025)

    # then the city reports on its plan to the level above, by the plan's deadlines
    pk = hanoi_2025.pk
    assert (quarterly.code, annual.code) == (f"plan-{pk}-quarterly", f"plan-{pk}-annual")
    assert (quarterly.period_kind, annual.period_kind) == ("quarter", "year")
    assert (quarterly.reporting_level, quarterly.receiving_level) == ("province", "country")
    assert quarterly.name_vi == "Báo cáo quý kết quả thực hiện Kế hoạch số 15/KH-UBND"
    assert quarterly.deadline == {"kind": "before_day_next", "day": 10}
    assert annual.deadline == {"kind": "fixed_date", "month": 12, "day": 15}
    assert selectors.due_date(quarterly, Period.parse("2025Q1")) == date(2025, 4, 9)
    assert selectors.due_date(quarterly, Period.parse("2025Q4")) == date(2026, 1, 9)
    assert selectors.due_date(annual, Period.parse("2025")) == date(2025, 12, 14)


def test_its_rows_are_the_targets_and_the_task_groups(hanoi_2025: Plan) -> None:
    quarterly, _annual = plan_report_types_from(hanoi_2025)

    rows = list(quarterly.rows.order_by("position"))
    targets = [row for row in rows if row.kind == "target"]
    sections = [row for row in rows if row.kind == "section"]

    assert [row.target for row in targets] == list(hanoi_2025.targets.order_by("order", "pk"))
    assert {"BIRTH3P", "SRB", "NEWFP"} <= {row.key for row in targets}
    tasks = hanoi_2025.sections.filter(kind="task")
    assert len(sections) == tasks.count() + 1
    assert sections[0].label_vi.startswith("1 Công tác tham mưu")
    assert sections[-1].key == "assessment"


def test_made_once(hanoi_2025: Plan) -> None:
    first = plan_report_types_from(hanoi_2025)
    rows = ReportType.objects.get(code=first[0].code).rows.count()

    assert plan_report_types_from(hanoi_2025) == first
    assert ReportType.objects.get(code=first[0].code).rows.count() == rows
    # danso setup makes them for every issued plan, and only once
    assert plan_report_types_load() == 0


def test_issuing_a_plan_makes_them_when_the_transaction_commits(
    seed_plan: Callable[[str], Plan],  # noqa: F811 - the fixture imported above
    django_capture_on_commit_callbacks: Any,
) -> None:
    plan = seed_plan(HANOI_2025)
    with django_capture_on_commit_callbacks(execute=True):
        plan_update(plan=plan, title=plan.title + " ")  # a draft: no reports yet
    assert not ReportType.objects.filter(plan=plan).exists()
    with django_capture_on_commit_callbacks(execute=True):
        plan_update(
            plan=plan, status=Plan.Status.ISSUED, number="15/KH-UBND", issued_on=date(2025, 1, 15)
        )
    assert set(ReportType.objects.filter(plan=plan).values_list("code", flat=True)) == {
        f"plan-{plan.pk}-quarterly",
        f"plan-{plan.pk}-annual",
    }


def test_setup_makes_them_for_issued_plans(hanoi_2025: Plan) -> None:
    assert plan_report_types_load() == 2
    assert plan_report_types_load() == 0


def test_the_year_to_date_a_report_counts(hanoi_2025: Plan) -> None:
    quarterly, annual = plan_report_types_from(hanoi_2025)

    assert str(selectors.actual_period(quarterly, Period.parse("2025Q1"))) == "2025-YTD-03"
    assert str(selectors.actual_period(quarterly, Period.parse("2025Q4"))) == "2025"
    # the annual summary is due on 14/12: it counts January to November
    assert str(selectors.actual_period(annual, Period.parse("2025"))) == "2025-YTD-11"


def test_only_the_city_reports_on_its_plan_in_its_year(hanoi_2025: Plan) -> None:
    quarterly, _annual = plan_report_types_from(hanoi_2025)
    long_bien = unit_at(Level.DISTRICT, "4", EARLY_2025)

    with pytest.raises(ValidationError, match="reported by units of level"):
        report_open(actor=SYSTEM, report_type=quarterly, unit=long_bien, period="2025Q1")
    with pytest.raises(ValidationError, match="years of its plan"):
        report_open(actor=SYSTEM, report_type=quarterly, unit=hanoi_2025.unit, period="2026Q1")


def test_a_filled_report_shows_targets_against_the_year_to_date(hanoi_2025: Plan) -> None:
    # given the city's only figures for January–March: Giang Biên's, entered
    quarterly, _annual = plan_report_types_from(hanoi_2025)
    giang_bien = unit_at(Level.COMMUNE, "121", EARLY_2025)
    counts = GIANG_BIEN_Q1 | {"newfp": 110_000, "newfp.pill": 110_000, "newfp.free": 110_000}
    entered_save(unit=giang_bien, period="2025-YTD-03", counts=counts)

    # when the city opens its 2025Q1 report
    report = report_open(actor=SYSTEM, report_type=quarterly, unit=hanoi_2025.unit, period="2025Q1")

    # then each target stands against what was achieved so far
    figures = {f.row.key: f for f in report.figures.select_related("row")}
    srb = figures["SRB"]
    assert (srb.target, srb.computed, srb.value) == (
        Decimal("110.0000"),
        Decimal("116.6667"),
        Decimal("116.6667"),
    )
    assert srb.expected == Decimal("110.0000")
    # 70 boys to 60 girls: above the ceiling, but 130 births are too few to judge
    assert srb.status == srb.computed_status == "cannot_judge"
    # a quarter of 416,950 new users is due by the end of March: 104,237.5
    newfp = figures["NEWFP"]
    assert (newfp.target, newfp.expected, newfp.computed, newfp.status) == (
        Decimal("416950.0000"),
        Decimal("104237.5000"),
        Decimal("110000.0000"),
        "on_track",
    )
    # nothing was entered about the elderly's health checks
    elderly = figures["ELDERLY"]
    assert (elderly.computed, elderly.expected, elderly.status) == (
        None,
        Decimal("89.0000"),
        "cannot_judge",
    )
    assert report.texts.count() == quarterly.rows.filter(kind="section").count()


def test_an_actual_entered_by_hand_is_judged(hanoi_2025: Plan) -> None:
    quarterly, _annual = plan_report_types_from(hanoi_2025)
    report = report_open(actor=SYSTEM, report_type=quarterly, unit=hanoi_2025.unit, period="2025Q1")
    newfp = report.figures.get(row__key="NEWFP")

    # the city has no figures here: its officer enters what the districts reported
    assert (newfp.computed, newfp.status) == (None, "cannot_judge")
    report_figure_set(actor=SYSTEM, figure=newfp, value=Decimal(110_000))
    assert (newfp.expected, newfp.status) == (Decimal("104237.5000"), "on_track")
    report_figure_set(actor=SYSTEM, figure=newfp, value=Decimal(90_000))
    assert newfp.status == "off_track"
    report_figure_set(actor=SYSTEM, figure=newfp, value=None)
    assert newfp.status == "cannot_judge"


def test_a_task_group_is_written_up(hanoi_2025: Plan) -> None:
    quarterly, _annual = plan_report_types_from(hanoi_2025)
    report = report_open(actor=SYSTEM, report_type=quarterly, unit=hanoi_2025.unit, period="2025Q1")
    key = quarterly.rows.filter(kind="section")[0].key

    report_text_set(actor=SYSTEM, report=report, key=key, text="Đã ban hành kế hoạch triển khai.")

    assert Report.objects.get(pk=report.pk).texts.get(row__key=key).text.startswith("Đã ban")


def test_the_city_sends_it_to_the_ministry(
    hanoi_2025: Plan, make_user: Callable[..., User]
) -> None:
    # given the city's 2025Q1 report, sent by its officer
    quarterly, _annual = plan_report_types_from(hanoi_2025)
    city = make_user("city", Role.PROVINCE_OFFICER, Level.PROVINCE, "1", EARLY_2025)
    admin = make_user("admin", Role.ADMIN)
    report = report_open(report_type=quarterly, unit=hanoi_2025.unit, period="2025Q1", actor=city)
    report_submit(report=report, actor=city)

    # then only the level above the city decides on it
    with pytest.raises(PermissionDenied):
        report_approve(report=report, actor=city)
    report_approve(report=report, actor=admin)
    assert report.status == "approved"


def test_the_city_is_reminded_of_it(hanoi_2025: Plan, make_user: Callable[..., User]) -> None:
    plan_report_types_from(hanoi_2025)
    city = make_user("city", Role.PROVINCE_OFFICER, Level.PROVINCE, "1", EARLY_2025)

    # three days before 9/4/2025
    assert reminders_send(date(2025, 4, 6)) == 1

    reminder = Reminder.objects.get()
    assert (reminder.user, reminder.report_type.code, reminder.period) == (
        city,
        f"plan-{hanoi_2025.pk}-quarterly",
        "2025Q1",
    )
    assert "09/04/2025" in reminder.message
