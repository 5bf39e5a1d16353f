"""A province officer edits a report type's rows (``type_editing``, ``type_views``): adds
an indicator (one defined by expressions too), a count and a section, renames, reorders
and removes rows; a commune officer may not; a row a report holds figures for stays; an
unknown code is refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.accounts.scope import SYSTEM
from danso.indicators.services import indicator_define
from danso.reports.models import ReportRow, ReportType
from danso.reports.services import report_open
from danso.reports.type_editing import (
    report_row_add,
    report_row_change,
    report_row_remove,
)
from danso.units.codes import Level
from tests.conftest import unit_at

pytestmark = pytest.mark.django_db
Login = Callable[[User], Client]
ON = date(2024, 3, 5)


@pytest.fixture
def city(make_user: Callable[..., User]) -> User:
    return make_user("city", Role.PROVINCE_OFFICER, Level.PROVINCE, "01", ON)


@pytest.fixture
def monthly(types: dict[str, ReportType]) -> ReportType:
    return types["commune-monthly"]


def rows_url(report_type: ReportType) -> str:
    return reverse("reports:type_rows", args=[report_type.code])


def keys(report_type: ReportType) -> list[str]:
    return list(report_type.rows.order_by("position").values_list("key", flat=True))


def positions(report_type: ReportType) -> list[int]:
    return list(report_type.rows.order_by("position").values_list("position", flat=True))


def test_the_list_shows_every_report_type_to_anyone_logged_in(
    types: dict[str, ReportType], make_user: Callable[..., User], client_for: Login
) -> None:
    # given a commune officer
    ward = make_user("ward", Role.COMMUNE_OFFICER, Level.COMMUNE, "118", ON)
    # when they open the list
    page = client_for(ward).get(reverse("reports:types"))
    # then every type is there, without the link to edit it
    assert page.status_code == 200
    text = page.content.decode()
    assert all(code in text for code in types)
    assert rows_url(types["commune-monthly"]) not in text


def test_a_province_officer_adds_an_indicator_and_a_count_row(
    monthly: ReportType, city: User, client_for: Login
) -> None:
    client = client_for(city)
    before = monthly.rows.count()
    indicator_define(
        code="CBR_X",
        name="Tỷ suất sinh thô (biểu thức)",
        name_en="Crude birth rate (expression)",
        numerator="births",
        denominator="population",
        factor=Decimal(1000),
        actor=SYSTEM,
    )
    # given the edit screen offers the indicators, those defined by expressions too
    page = client.get(rows_url(monthly))
    assert page.status_code == 200
    assert "CBR_X" in page.content.decode()
    # when the officer adds SRB with the indicator's name, the expression one and a count
    for data in (
        {"kind": "indicator", "indicator": "SRB"},
        {"kind": "indicator", "indicator": "CBR_X"},
        {"kind": "count", "count": "E60", "label_vi": "Người cao tuổi", "label_en": ""},
    ):
        response = client.post(rows_url(monthly), data)
        assert response.status_code == 302, response.content.decode()
    # then they follow the last row, labelled, and the history names the officer
    added = list(monthly.rows.order_by("position"))[before:]
    assert [(r.kind, r.key, r.position) for r in added] == [
        ("indicator", "SRB", before + 1),
        ("indicator", "CBR_X", before + 2),
        ("count", "E60", before + 3),
    ]
    assert added[1].label_vi == "Tỷ suất sinh thô (biểu thức)"
    assert (added[2].label_vi, added[2].label_en) == ("Người cao tuổi", "People aged 60 and over")
    assert added[0].history.get().history_user == city


def test_a_province_officer_renames_reorders_and_removes_a_row(
    monthly: ReportType, city: User, client_for: Login
) -> None:
    client = client_for(city)
    section = report_row_add(report_type=monthly, kind="section", label_vi="Kiến nghị", actor=city)
    last = section.position
    # when the officer renames the section and moves it to the top
    response = client.post(
        reverse("reports:type_row", args=[monthly.code, section.pk]),
        {"label_vi": "Đề xuất, kiến nghị", "label_en": "Proposals", "position": "1"},
    )
    # then it is first, the others moved down by one, no position is skipped
    assert response.status_code == 302
    section.refresh_from_db()
    assert (section.position, section.label_vi, section.label_en) == (
        1,
        "Đề xuất, kiến nghị",
        "Proposals",
    )
    assert positions(monthly) == list(range(1, last + 1))
    assert keys(monthly)[0] == section.key
    # when they remove it
    response = client.post(reverse("reports:type_row_remove", args=[monthly.code, section.pk]))
    # then it is gone and the rows close up
    assert response.status_code == 302
    assert not ReportRow.objects.filter(pk=section.pk).exists()
    assert positions(monthly) == list(range(1, last))


def test_a_commune_officer_may_not_edit(
    monthly: ReportType, make_user: Callable[..., User], client_for: Login
) -> None:
    ward = make_user("ward", Role.COMMUNE_OFFICER, Level.COMMUNE, "118", ON)
    client = client_for(ward)
    row = monthly.rows.first()
    assert row is not None
    before = keys(monthly)
    # when a commune officer opens the screen or posts to it, then 403 and nothing changes
    assert client.get(rows_url(monthly)).status_code == 403
    assert (
        client.post(rows_url(monthly), {"kind": "indicator", "indicator": "SRB"}).status_code == 403
    )
    assert (
        client.post(
            reverse("reports:type_row", args=[monthly.code, row.pk]),
            {"label_vi": "x", "label_en": "x", "position": "2"},
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("reports:type_row_remove", args=[monthly.code, row.pk])).status_code
        == 403
    )
    assert keys(monthly) == before
    with pytest.raises(PermissionDenied):
        report_row_remove(row=row, actor=ward)


def test_a_row_a_report_holds_figures_for_cannot_be_removed(
    monthly: ReportType, city: User, client_for: Login
) -> None:
    # given a ward's report of February 2024 with its figures
    ward = unit_at(Level.COMMUNE, "118", ON)
    report_open(report_type=monthly, unit=ward, period="2024-02", actor=SYSTEM)
    row = monthly.rows.get(key="births")
    # when the province officer removes the births row
    response = client_for(city).post(
        reverse("reports:type_row_remove", args=[monthly.code, row.pk]), follow=True
    )
    # then it stays, and the page says why
    assert ReportRow.objects.filter(pk=row.pk).exists()
    assert "đã có 1 báo cáo có số liệu hoặc nội dung" in response.content.decode()
    with pytest.raises(ValidationError, match="Không thể xóa dòng"):
        report_row_remove(row=row, actor=city)
    # and its label and position still change
    report_row_change(row=row, label_vi="Số trẻ sinh", label_en="Births", position=1, actor=city)
    assert keys(monthly)[0] == "births"


def test_an_unknown_code_or_a_duplicate_is_refused(
    monthly: ReportType, city: User, client_for: Login
) -> None:
    before = keys(monthly)
    # when the officer posts an indicator code that does not exist
    response = client_for(city).post(rows_url(monthly), {"kind": "indicator", "indicator": "NOPE"})
    # then the page says so and nothing is added
    assert response.status_code == 400
    assert "Không có chỉ báo nào mã NOPE." in response.content.decode()
    assert keys(monthly) == before
    with pytest.raises(ValidationError, match="Không có mục số liệu"):
        report_row_add(report_type=monthly, kind="count", key="src.register", actor=city)
    with pytest.raises(ValidationError, match="đã có một dòng cho births"):
        report_row_add(report_type=monthly, kind="count", key="births", actor=city)
    with pytest.raises(ValidationError, match="Chưa có nhãn tiếng Việt"):
        report_row_add(report_type=monthly, kind="section", actor=city)
    with pytest.raises(ValidationError, match="Thứ tự phải từ 1 đến"):
        report_row_change(
            row=monthly.rows.get(key="births"),
            label_vi="Sinh",
            label_en="Births",
            position=len(before) + 1,
            actor=city,
        )
