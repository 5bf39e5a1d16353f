"""Issue 16, point 4: the 2025 annual summary of Long Biên's 2025 plan (due before 15/12)
after the district and its wards closed on 30/6/2025.  The new wards that carry the
plan's cells send it, to the unit above them then (Hà Nội), judged against what they
carry; before the cells are carried, a new ward is refused as it always was."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.accounts.scope import SYSTEM
from danso.indicators.periods import Period
from danso.plans.carried import allocations_carry
from danso.plans.models import CarriedAllocation, Plan
from danso.reports import selectors
from danso.reports.models import Report, ReportType
from danso.reports.services import (
    plan_report_types_from,
    report_approve,
    report_open,
    report_submit,
    report_text_set,
)
from danso.units.codes import Level
from danso.units.models import Unit
from tests.plans.reform import AFTER, ISSUED, long_bien_plan, new_ward, old_ward, target, version

pytestmark = pytest.mark.django_db
BO_DE = "118"
END = date(2025, 12, 31)


@pytest.fixture
def plan() -> Plan:
    return long_bien_plan()


@pytest.fixture
def annual(plan: Plan) -> ReportType:
    (found,) = plan_report_types_from(plan)
    assert found.code == f"plan-{plan.pk}-annual"
    assert (found.reporting_level, found.receiving_level) == ("district", "province")
    return found


@pytest.fixture
def officers(make_user: Callable[..., User]) -> dict[str, User]:
    return {
        "ward": make_user("bd", Role.COMMUNE_OFFICER, Level.COMMUNE, BO_DE, AFTER),
        "other": make_user("vh", Role.COMMUNE_OFFICER, Level.COMMUNE, "127", AFTER),
        "city": make_user("hn", Role.PROVINCE_OFFICER, Level.PROVINCE, "1", AFTER),
    }


def test_a_new_ward_cannot_send_the_annual_summary_of_a_plan_it_carries_nothing_of(
    annual: ReportType,
) -> None:
    with pytest.raises(ValidationError, match="reported by units of level"):
        report_open(actor=SYSTEM, report_type=annual, unit=new_ward(BO_DE), period="2025")


def test_the_new_bo_de_opens_fills_and_sends_the_2025_annual_summary(
    plan: Plan, annual: ReportType, officers: dict[str, User]
) -> None:
    allocations_carry(user=SYSTEM)
    bo_de = new_ward(BO_DE)
    carried = {
        row.target.indicator.code: row for row in CarriedAllocation.objects.filter(unit=bo_de)
    }

    report = report_open(actor=officers["ward"], report_type=annual, unit=bo_de, period="2025")

    figures = {
        f.row.target.indicator.code: f
        for f in report.figures.filter(row__kind="target").select_related("row__target__indicator")
        if f.row.target is not None
    }
    newfp = figures["NEWFP"]
    assert newfp.target == carried["NEWFP"].value != target(plan, "NEWFP").value
    # January to November, the annual summary being due on 14/12: 11/12 of the target
    assert newfp.expected == (carried["NEWFP"].value * 11 / 12).quantize(Decimal("0.0001"))
    assert figures["PRENATAL"].target == carried["PRENATAL"].value
    assert figures["SRB"].expected == Decimal(110)
    assert newfp.status == "cannot_judge"  # no register: nothing to judge on
    report_text_set(
        report=report, key="assessment", text="Phường đã nhận chỉ tiêu.", actor=officers["ward"]
    )

    sent = report_submit(report=report, actor=officers["ward"])

    assert sent.status == Report.Status.SUBMITTED
    # it goes to the unit above the new ward: Hà Nội, whose officer decides on it
    receiver = selectors.receiver_of(version(bo_de, END), annual, END)
    assert (receiver.unit.level, receiver.name) == ("province", "Thành phố Hà Nội")
    with pytest.raises(PermissionDenied):
        report_approve(report=sent, actor=officers["other"])
    assert report_approve(report=sent, actor=officers["city"]).status == Report.Status.APPROVED


def test_hanoi_expects_the_summary_from_every_new_ward_that_carries_the_plan(
    annual: ReportType, officers: dict[str, User]
) -> None:
    allocations_carry(user=SYSTEM)
    report = report_open(
        actor=officers["ward"], report_type=annual, unit=new_ward(BO_DE), period="2025"
    )
    report_submit(report=report, actor=officers["ward"])
    hanoi = version(new_ward(BO_DE), END).parent
    assert hanoi is not None

    found = selectors.completeness(annual, version(hanoi, END), Period.parse("2025"))

    carriers = set(CarriedAllocation.objects.values_list("unit", flat=True))
    codes = sorted(version(Unit.objects.get(pk=pk), END).display_code for pk in carriers)
    assert found.expected == codes  # Bồ Đề, Hồng Hà, Việt Hưng … Gia Lâm, Bát Tràng
    assert len(codes) == 7
    assert found.received == ["00118"]
    assert found.on_time == []  # sent today, after 14/12/2025


def test_only_a_carrier_and_only_after_the_plans_unit_closed(
    annual: ReportType, officers: dict[str, User]
) -> None:
    allocations_carry(user=SYSTEM)
    with pytest.raises(ValidationError, match="reported by units of level"):  # carries nothing
        report_open(actor=SYSTEM, report_type=annual, unit=new_ward("4"), period="2025")
    with pytest.raises(PermissionDenied):  # another ward's officer
        report_open(
            actor=officers["other"], report_type=annual, unit=new_ward(BO_DE), period="2025"
        )
    # Long Biên itself still sends it for its own half of the year, as before
    long_bien = version(old_ward("118"), ISSUED).parent
    assert long_bien is not None
    report_open(actor=SYSTEM, report_type=annual, unit=long_bien, period="2025")


def test_the_new_ward_opens_it_on_screen(
    annual: ReportType, officers: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    allocations_carry(user=SYSTEM)
    ward = client_for(officers["ward"])
    data = {"type": annual.code, "unit": new_ward(BO_DE).pk, "period": "2025"}

    response = ward.post(reverse("reports:open"), data)

    assert response.status_code == 302
    report = Report.objects.get(report_type=annual, unit=new_ward(BO_DE))
    page = ward.get(reverse("reports:detail", args=[report.pk]))
    assert page.status_code == 200


def test_the_inbox_offers_the_summary_to_the_carrying_ward_and_shows_hanoi_it_coming(
    annual: ReportType,
) -> None:
    from danso.reports.inbox import report_types_for

    def codes(types: list[ReportType]) -> set[str]:
        return {t.code for t in types}

    bo_de = version(new_ward(BO_DE), END)
    assert bo_de.parent is not None
    hanoi = version(bo_de.parent, END)
    assert annual.code not in codes(report_types_for(bo_de, END)[0])
    assert annual.code not in codes(report_types_for(hanoi, END)[1])

    allocations_carry(user=SYSTEM)
    assert annual.code in codes(report_types_for(bo_de, END)[0])
    assert annual.code in codes(report_types_for(hanoi, END)[1])
    # before the district closed, the wards did not send it: the district did
    long_bien = version(old_ward("118"), ISSUED)
    assert annual.code not in codes(report_types_for(long_bien, ISSUED)[0])


def test_the_carrying_wards_are_reminded_of_the_summary_due_before_15_12(
    annual: ReportType, officers: dict[str, User], make_user: Callable[..., User]
) -> None:
    from danso.reports.models import Reminder
    from danso.reports.reminders import reminders_send

    elsewhere = make_user("nd", Role.COMMUNE_OFFICER, Level.COMMUNE, "160", AFTER)  # Nghĩa Đô
    allocations_carry(user=SYSTEM)
    due = selectors.due_date(annual, Period.year_of(2025), selectors.working_calendar())
    assert due == date(2025, 12, 14)
    reminders_send(today=due - timedelta(days=annual.remind_before))
    reminded = Reminder.objects.filter(report_type=annual, period="2025")
    who = set(reminded.values_list("user_id", flat=True))
    # Bồ Đề and Việt Hưng both carry cells of Long Biên's plan; Nghĩa Đô carries none
    assert {officers["ward"].pk, officers["other"].pk} <= who
    assert elsewhere.pk not in who
