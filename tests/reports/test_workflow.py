"""A report's life: submitted by its unit, approved or returned by the level above,
locked when the report it is part of is approved, reopened only from above."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from danso.accounts.models import User
from danso.reports.catalogue import MANUAL_COUNTS
from danso.reports.models import Report, ReportType
from danso.reports.services import (
    report_approve,
    report_figure_set,
    report_open,
    report_return,
    report_submit,
    report_unlock,
    report_waive,
)
from danso.units.codes import Level
from danso.units.models import Unit, UnitVersion, valid_on
from tests.conftest import unit_at
from tests.reports.conftest import EARLY_2025, GIANG_BIEN_Q1, filled

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(types: dict[str, ReportType], ward: Unit, people: dict[str, User]) -> Report:
    report = report_open(
        report_type=types["commune-quarterly"], unit=ward, period="2025Q1", actor=people["ward"]
    )
    return report_submit(report=filled(report, people["ward"]), actor=people["ward"])


def test_a_report_with_empty_counts_cannot_be_sent(
    types: dict[str, ReportType], ward: Unit, people: dict[str, User]
) -> None:
    report = report_open(
        report_type=types["commune-quarterly"], unit=ward, period="2025Q1", actor=people["ward"]
    )

    # a paper ward: every count of the form its entered figures lack (consanguineous
    # marriages among them, which only people give)
    counts = set(types["commune-quarterly"].rows.filter(kind="count").values_list("key", flat=True))
    lacking = counts - set(GIANG_BIEN_Q1)
    assert set(MANUAL_COUNTS) <= lacking
    with pytest.raises(ValidationError, match=f"^\\['{len(lacking)} counts"):
        report_submit(report=report, actor=people["ward"])


def test_a_ward_writes_its_own_reports_and_its_district_may_write_them_too(
    types: dict[str, ReportType], ward: Unit, people: dict[str, User]
) -> None:
    quarterly = types["commune-quarterly"]
    other = unit_at(Level.COMMUNE, "118", EARLY_2025)

    with pytest.raises(PermissionDenied):
        report_open(report_type=quarterly, unit=other, period="2025Q1", actor=people["ward"])
    # a district enters the reports of communes that keep their books on paper
    report = report_open(
        report_type=quarterly, unit=other, period="2025Q1", actor=people["district"]
    )

    assert report.created_by == people["district"]


def test_submitted_then_approved_by_the_district(
    submitted: Report, people: dict[str, User]
) -> None:
    assert submitted.status == "submitted"
    assert submitted.submitted_at is not None

    # a ward officer neither approves their own report nor changes it once sent
    with pytest.raises(PermissionDenied):
        report_approve(report=submitted, actor=people["ward"])
    with pytest.raises(ValidationError, match="cannot be changed"):
        report_figure_set(
            figure=submitted.figures.get(row__key="households"),
            value=Decimal(1),
            actor=people["ward"],
        )

    report_approve(report=submitted, actor=people["district"])

    assert submitted.status == "approved"
    assert submitted.history.first().history_user == people["district"]


def test_returned_with_a_comment_corrected_and_sent_again(
    submitted: Report, people: dict[str, User]
) -> None:
    first = submitted.submitted_at
    with pytest.raises(ValidationError, match="corrected"):
        report_return(report=submitted, comment=" ", actor=people["district"])

    report_return(report=submitted, comment="Kiểm tra lại số hộ", actor=people["district"])
    assert (submitted.status, submitted.comment) == ("returned", "Kiểm tra lại số hộ")

    report_figure_set(
        figure=submitted.figures.get(row__key="households"),
        value=Decimal(9_750),
        actor=people["ward"],
    )
    report_submit(report=submitted, actor=people["ward"])

    # timeliness stays judged on the first submission
    assert (submitted.status, submitted.submitted_at) == ("submitted", first)


def test_an_approved_report_reopens_only_from_above_with_a_reason(
    submitted: Report, people: dict[str, User]
) -> None:
    report_approve(report=submitted, actor=people["district"])

    with pytest.raises(ValidationError, match="cannot be approved"):
        report_approve(report=submitted, actor=people["district"])
    with pytest.raises(PermissionDenied):
        report_unlock(report=submitted, reason="Sửa số chết", actor=people["ward"])
    with pytest.raises(ValidationError, match="cannot be sent back"):
        report_return(report=submitted, comment="x", actor=people["district"])

    report_unlock(report=submitted, reason="Sửa số chết", actor=people["district"])

    assert (submitted.status, submitted.comment) == ("returned", "Sửa số chết")


def test_the_districts_approved_01_dsh_locks_its_wards_reports(
    types: dict[str, ReportType], submitted: Report, people: dict[str, User]
) -> None:
    # given the ward's approved report and the district's 01-DSH sent to the city
    report_approve(report=submitted, actor=people["district"])
    long_bien = unit_at(Level.DISTRICT, "4", EARLY_2025)
    district = report_open(
        report_type=types["district-quarterly"],
        unit=long_bien,
        period="2025Q1",
        actor=people["district"],
    )
    report_submit(report=filled(district, people["district"]), actor=people["district"])
    with pytest.raises(PermissionDenied):
        report_approve(report=district, actor=people["district"])
    # the twelve other wards sent nothing: the district excuses them
    wards = UnitVersion.objects.filter(valid_on(EARLY_2025), parent=long_bien)
    for version in wards.exclude(unit=submitted.unit):
        report_waive(
            report_type=types["commune-quarterly"],
            unit=version.unit,
            period="2025Q1",
            reason="Sổ giấy, báo cáo riêng",
            actor=people["district"],
        )

    # when the city approves it
    report_approve(report=district, actor=people["city"])

    # then the ward's report is locked until the city reopens the district's
    submitted.refresh_from_db()
    assert submitted.status == "locked"
    with pytest.raises(ValidationError, match="unlock that first"):
        report_unlock(report=submitted, reason="x", actor=people["district"])
    report_unlock(report=district, reason="Sai số hộ", actor=people["city"])
    submitted.refresh_from_db()
    assert submitted.status == "approved"


def test_the_01_dsh_takes_each_wards_approved_figures_corrections_included(
    types: dict[str, ReportType], ward: Unit, people: dict[str, User]
) -> None:
    # given the ward's report, a count corrected with a reason, approved by the district
    report = filled(
        report_open(
            report_type=types["commune-quarterly"], unit=ward, period="2025Q1", actor=people["ward"]
        ),
        people["ward"],
    )
    deaths = report.figures.get(row__key="deaths", column=None)
    assert deaths.computed == Decimal(52)
    report_figure_set(
        figure=deaths, value=Decimal(53), reason="Một ca tử vong ghi sổ muộn", actor=people["ward"]
    )
    report_approve(
        report=report_submit(report=report, actor=people["ward"]), actor=people["district"]
    )

    # when the district opens its 01-DSH
    long_bien = unit_at(Level.DISTRICT, "4", EARLY_2025)
    district = report_open(
        report_type=types["district-quarterly"],
        unit=long_bien,
        period="2025Q1",
        actor=people["district"],
    )

    # then the ward's column is the approved report's, marked as such
    column = district.figures.get(row__key="deaths", column=ward)
    assert (column.computed, column.value, column.source) == (Decimal(53), Decimal(53), "report")
    births = district.figures.get(row__key="births", column=ward)
    assert (births.value, births.source) == (Decimal(130), "report")
    # the other wards sent nothing: their columns and the district's total stay the engine's
    other = district.figures.exclude(column=ward).filter(row__key="deaths").exclude(column=None)
    assert all(f.source != "report" for f in other)
    total = district.figures.get(row__key="deaths", column=None)
    assert total.source != "report"


def test_an_of_which_row_above_its_total_is_refused(
    types: dict[str, ReportType], ward: Unit, people: dict[str, User]
) -> None:
    # given Giang Biên's report: 130 births, 9 of them third or higher
    report = filled(
        report_open(
            report_type=types["commune-quarterly"], unit=ward, period="2025Q1", actor=people["ward"]
        ),
        people["ward"],
    )
    second = report.figures.get(row__key="births.order2", column=None)
    report_figure_set(figure=second, value=Decimal(122), actor=people["ward"])

    # when second and third-or-higher births add up to more than the births
    with pytest.raises(ValidationError) as refused:
        report_submit(report=report, actor=people["ward"])

    # then the report stays a draft, and the message names the rows (as the form numbers
    # them) and the figures
    message = " ".join(refused.value.messages)
    assert "Row 4 “Births in the period” is 130, less than" in message
    assert "“— second child” under row 4 (122) + “— third or higher child” under row 4 (9)" in (
        message
    )
    assert "(131)" in message
    report.refresh_from_db()
    assert report.status == "draft"
    report_figure_set(figure=second, value=Decimal(121), actor=people["ward"])
    assert report_submit(report=report, actor=people["ward"]).status == "submitted"
