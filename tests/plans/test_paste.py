"""Pasting the allocation grid from Excel (issue 17, point 5): every column of the grid is
kept (a count's methods too), units are matched by name as people write them or by code,
a row-number column and a header line are skipped, each pasted line says which unit it
was read as or why not, and values outside their bounds are refused, naming line, unit
and cell — in the grid's own save too."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.plans.grid import columns_of
from danso.plans.models import Allocation, Plan, Target
from danso.plans.services import plan_create_from_allocation
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from tests.plans.conftest import HANOI_2025, issue

pytestmark = pytest.mark.django_db
JAN_2025 = date(2025, 1, 15)


@pytest.fixture
def plan(seed_plan: Callable[[str], Plan]) -> Plan:
    city = issue(seed_plan(HANOI_2025))
    district = UnitVersion.objects.get(valid_on(JAN_2025), code="4", unit__level=Level.DISTRICT)
    return plan_create_from_allocation(parent=city, unit=district.unit)


@pytest.fixture
def officer(make_user: Callable[..., User], client_for: Callable[[User], Client]) -> Client:
    return client_for(make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4", JAN_2025))


def targets_of(plan: Plan) -> list[Target]:
    return [t for t in plan.targets.select_related("indicator") if t.kind != "all_children"]


def row(plan: Plan, *lead: str, cells: dict[tuple[str, str | None], str]) -> str:
    """A copied Excel line: ``lead`` (row number, unit), then one cell per grid column."""
    columns = columns_of(targets_of(plan))
    return "\t".join(
        [*lead, *(cells.get((c.target.indicator.code, c.method), "") for c in columns)]
    )


def header(plan: Plan) -> str:
    return "\t".join(["TT", "Đơn vị", *(c.label for c in columns_of(targets_of(plan)))])


def paste(officer: Client, plan: Plan, text: str) -> str:
    response = officer.post(
        reverse("plans:allocation", args=[plan.pk]), {"action": "paste", "paste": text}, follow=True
    )
    assert response.status_code == 200
    return response.content.decode()


def cell(plan: Plan, code: str, ward: str) -> Allocation:
    return Allocation.objects.get(
        target__plan=plan, target__indicator__code=code, unit__versions__name=ward
    )


def test_a_copied_table_keeps_its_methods_and_says_which_unit_each_line_is(
    plan: Plan, officer: Client
) -> None:
    methods = {("NEWFP", None): "2.000", ("NEWFP", "iud"): "120", ("NEWFP", "pill"): "1.880"}
    block = [
        header(plan),
        row(plan, "1", "thuong thanh", cells=methods | {("PRENATAL", None): "87,5%"}),
        row(plan, "2", "Phúc Lợj", cells={("NEWFP", None): "1.000"}),
        row(plan, "3", "P. Ngọc Thụy", cells={("NEWFP", None): "1.500"}),
    ]
    # when the block has a unit that is not there
    html = paste(officer, plan, "\n".join(block))
    # then each line is reported, and nothing is saved
    assert "Dòng 1: dòng tiêu đề, bỏ qua." in html
    assert "Dòng 2: Phường Thượng Thanh" in html
    assert "Dòng 3: không tìm thấy đơn vị &#x27;Phúc Lợj&#x27; trực thuộc Quận Long Biên" in html
    assert "Dòng 4: Phường Ngọc Thụy" in html
    assert not Allocation.objects.filter(target__plan=plan).exists()
    # when the name is corrected (no type word, no diacritics: still the ward)
    block[2] = row(plan, "2", "Phuc Loi", cells={("NEWFP", None): "1.000"})
    html = paste(officer, plan, "\n".join(block))
    # then every column is kept, the row number is not read as a unit
    assert "Đã lưu các dòng đã dán" in html
    thuong_thanh = cell(plan, "NEWFP", "Phường Thượng Thanh")
    assert thuong_thanh.value == 2000
    assert thuong_thanh.breakdown == {"iud": 120, "pill": 1880}
    assert thuong_thanh.source == Allocation.Source.PASTE
    assert cell(plan, "PRENATAL", "Phường Thượng Thanh").value == 87.5
    assert cell(plan, "NEWFP", "Phường Phúc Lợi").value == 1000
    assert cell(plan, "NEWFP", "Phường Ngọc Thụy").value == 1500


def test_a_line_by_code_and_a_total_line(plan: Plan, officer: Client) -> None:
    ward = UnitVersion.objects.filter(
        valid_on(JAN_2025), parent__versions__code="4", parent__level=Level.DISTRICT
    ).order_by("code")[1]
    block = [
        row(plan, "1", ward.code, ward.name, cells={("NEWFP", None): "700"}),
        row(plan, "", "Tổng số", cells={("NEWFP", None): "700"}),
    ]
    html = paste(officer, plan, "\n".join(block))
    assert "Dòng 2: dòng tổng, bỏ qua." in html
    assert Allocation.objects.get(target__plan=plan, unit=ward.unit).value == 700  # NEWFP only


def test_values_outside_their_bounds_are_refused_naming_line_unit_and_cell(
    plan: Plan, officer: Client
) -> None:
    # a share over 100 % pasted
    html = paste(officer, plan, row(plan, "1", "Thượng Thanh", cells={("PRENATAL", None): "180"}))
    assert "Dòng 1, Phường Thượng Thanh, Tỷ lệ sàng lọc trước sinh:" in html
    assert "Giá trị phải từ 0 đến 100 %" in html
    # a method's count below zero typed in the grid
    newfp = plan.targets.get(indicator__code="NEWFP")
    prenatal = plan.targets.get(indicator__code="PRENATAL")
    ward = UnitVersion.objects.filter(
        valid_on(JAN_2025), parent__versions__code="4", parent__level=Level.DISTRICT
    ).order_by("code")[0]
    url = reverse("plans:allocation", args=[plan.pk])
    response = officer.post(
        url,
        {
            "action": "save",
            f"c-{newfp.pk}-{ward.unit_id}": "10",
            f"c-{newfp.pk}-iud-{ward.unit_id}": "-5",
        },
        follow=True,
    )
    html = response.content.decode()
    assert ward.name in html
    assert "Số người mới sử dụng" in html or "NEWFP" in html
    assert "Dụng cụ tử cung" in html or "DCTC" in html
    response = officer.post(
        url, {"action": "save", f"c-{prenatal.pk}-{ward.unit_id}": "100,5"}, follow=True
    )
    assert "Tỷ lệ sàng lọc trước sinh (PRENATAL)" in response.content.decode()
    assert not Allocation.objects.filter(target__plan=plan).exists()
