"""The demo's reports: Long Biên's wards and the district's 01-DSH for 2025Q1."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client

from danso.accounts.models import User
from danso.indicators.periods import Period
from danso.reports import selectors
from danso.reports.models import Report, ReportType
from danso.reports.services import calendar_days_load, report_types_load
from danso.units.codes import Level
from danso.web.demo import load_demo, load_demo_register
from danso.web.demo_reports import LATE, load_demo_reports
from tests.conftest import unit_at

pytestmark = pytest.mark.django_db


def test_the_quarter_goes_up_to_the_city_with_late_and_returned_reports(
    client_for: Callable[[User], Client],
) -> None:
    report_types_load()
    calendar_days_load()
    load_demo()
    load_demo_register(scale=0.02)
    done = load_demo_reports()
    assert done
    assert load_demo_reports() == []

    ward_type = ReportType.objects.get(code="commune-quarterly")
    wards = Report.objects.filter(report_type=ward_type, period="2025Q1")
    assert wards.count() == 13
    assert set(wards.values_list("status", flat=True)) == {Report.Status.APPROVED}
    ngoc_thuy = wards.get(unit__versions__code="118", unit__level=Level.COMMUNE)
    corrected = ngoc_thuy.figures.exclude(reason="")
    # the late third birth is a girl: births, girls and third births go up together, so
    # the corrected report still adds up (births = boys + girls, issue 14)
    assert sorted(corrected.values_list("row__key", flat=True)) == [
        "births",
        "births.F",
        "births.order3p",
    ]
    assert all(f.value == (f.computed or 0) + 1 for f in corrected)
    statuses = [h.status for h in ngoc_thuy.history.order_by("history_date")]
    assert Report.Status.RETURNED in statuses

    district = unit_at(Level.DISTRICT, "4", date(2025, 3, 31))
    long_bien = selectors.version_for(district, selectors.period_of(ward_type, "2025Q1"))
    wards_state = selectors.completeness(ward_type, long_bien, long_bien_period())
    assert wards_state.as_dict()["completeness"] == 100.0
    assert len(wards_state.late) == len(LATE)

    district_type = ReportType.objects.get(code="district-quarterly")
    own = Report.objects.get(report_type=district_type, unit=district)
    assert own.status == Report.Status.SUBMITTED
    city = unit_at(Level.PROVINCE, "1", date(2025, 3, 31))
    city_state = selectors.completeness(
        district_type, selectors.version_for(city, long_bien_period()), long_bien_period()
    ).as_dict()
    assert city_state["received"] == city_state["on_time"] == 1
    assert city_state["expected"] > 20
    assert "004" not in city_state["missing"]


def long_bien_period() -> Period:
    return selectors.period_of(ReportType.objects.get(code="commune-quarterly"), "2025Q1")


def test_the_district_dashboard_shows_who_sent_the_quarter(
    client_for: Callable[[User], Client],
) -> None:
    report_types_load()
    calendar_days_load()
    load_demo()
    load_demo_register(scale=0.02)
    load_demo_reports()
    district = unit_at(Level.DISTRICT, "4", date(2025, 3, 31))
    page = client_for(User.objects.get(username="longbien")).get(
        f"/indicators/units/{district.pk}/?period=2025Q1"
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Báo cáo nhận được" in text
    # the wards' quarter: 13 of 13 received, 11 on time (two late)
    assert "Đã nhận 13/13 báo cáo" in text
    assert "11/13 báo cáo đúng hạn" in text
