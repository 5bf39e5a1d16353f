"""The screens: the list of a unit, a facility, the forms; 200 inside the reader's units,
403 outside, 404 for what is not there; the list's queries pinned."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.datasets.models import DataValue
from danso.facilities.models import Facility, Inspection
from danso.facilities.services import facility_save, inspection_save
from danso.units.codes import Level
from tests.conftest import unit_at
from tests.facilities.conftest import ON, MakeUser, clinic, visit, ward

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


def at(url: str) -> str:
    return f"{url}?date={ON.isoformat()}"


@pytest.fixture
def other(district_officer: User) -> Facility:
    """A clinic of Thượng Thanh (115), outside Ngọc Thụy's officer's reach."""
    return facility_save(
        actor=district_officer, data=clinic("Phòng khám Thượng Thanh"), on=ON, unit=ward("115")
    )


def test_the_district_lists_its_wards_facilities_with_the_years_counts(
    facility: Facility,
    other: Facility,
    district_officer: User,
    client_for: ClientFor,
    django_assert_max_num_queries: Any,
) -> None:
    # given two inspections of 2024 in Ngọc Thụy, one finding a violation
    inspection_save(actor=district_officer, data=visit(date(2024, 2, 1)), facility=facility)
    inspection_save(
        actor=district_officer, data=visit(date(2024, 3, 1), violation=True), facility=facility
    )
    client = client_for(district_officer)
    district = unit_at(Level.DISTRICT, "004", ON)
    url = at(reverse("facilities:unit", args=[district.pk])) + "&year=2024"
    client.get(url)  # the session's working date and caches settle
    # 9 today (session, user, roles, the unit, the tree, communes, facilities …),
    # whatever the number of facilities
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert facility.name in text
    assert other.name in text
    rows = response.context["rows"]
    counts = {r.facility.name: (r.inspections, r.violations) for r in rows}
    assert counts == {facility.name: (2, 1), other.name: (0, 0)}
    assert response.context["totals"].violations == 1
    # another year counts nothing
    response = client.get(at(reverse("facilities:unit", args=[district.pk])) + "&year=2023")
    assert response.context["totals"].inspections == 0


def test_a_ward_officer_sees_only_their_ward(
    facility: Facility, other: Facility, ward_officer: User, client_for: ClientFor
) -> None:
    client = client_for(ward_officer)
    mine = client.get(at(reverse("facilities:unit", args=[ward("118").pk])))
    assert mine.status_code == 200
    assert other.name not in mine.content.decode()
    assert client.get(at(reverse("facilities:unit", args=[ward("115").pk]))).status_code == 403
    district = unit_at(Level.DISTRICT, "004", ON)
    assert client.get(at(reverse("facilities:unit", args=[district.pk]))).status_code == 403
    assert client.get(at(reverse("facilities:detail", args=[facility.pk]))).status_code == 200
    for name in ("detail", "edit", "inspect"):
        response = client.get(at(reverse(f"facilities:{name}", args=[other.pk])))
        assert response.status_code == 403, name
    assert client.get(at(reverse("facilities:create", args=[ward("115").pk]))).status_code == 403
    # what is not there is 404
    assert client.get(at(reverse("facilities:detail", args=[other.pk + 999]))).status_code == 404
    assert client.get(at(reverse("facilities:unit", args=[10**9]))).status_code == 404
    # the home page goes straight to the ward
    home = client.get(at(reverse("facilities:home")))
    assert home.status_code == 302
    assert home["Location"] == reverse("facilities:unit", args=[ward("118").pk])


def test_a_viewer_reads_but_registers_nothing(
    facility: Facility, make_user: MakeUser, client_for: ClientFor
) -> None:
    viewer = make_user("xem", Role.VIEWER, Level.DISTRICT, "004", ON)
    client = client_for(viewer)
    assert client.get(at(reverse("facilities:detail", args=[facility.pk]))).status_code == 200
    assert client.get(at(reverse("facilities:create", args=[ward("118").pk]))).status_code == 403
    assert client.get(at(reverse("facilities:inspect", args=[facility.pk]))).status_code == 403
    response = client.post(
        at(reverse("facilities:inspect", args=[facility.pk])),
        {"date": "02/04/2024", "team": "Đoàn"},
    )
    assert response.status_code == 403
    assert Inspection.objects.count() == 0


def test_anonymous_is_sent_to_the_login_page(facility: Facility) -> None:
    response = Client().get(reverse("facilities:detail", args=[facility.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_registering_and_inspecting_through_the_forms(
    district_officer: User, client_for: ClientFor
) -> None:
    client = client_for(district_officer)
    district = unit_at(Level.DISTRICT, "004", ON)
    form = client.get(at(reverse("facilities:create", args=[district.pk])))
    assert form.status_code == 200
    response = client.post(
        at(reverse("facilities:create", args=[district.pk])),
        {
            "commune": ward("115").pk,
            "name": "Phòng khám siêu âm Bình An",
            "address": "Số 3 ngõ 12 Thượng Thanh",
            "ownership": "private",
            "services": ["ultrasound", "ivf"],
            "licence_number": "",
            "licence_date": "04/05/2021",
            "latitude": "21.0615",
            "longitude": "105,8942",
            "active": "on",
            "note": "",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    facility = Facility.objects.get(name="Phòng khám siêu âm Bình An")
    assert (facility.unit, facility.services) == (ward("115"), ["ultrasound", "ivf"])
    assert str(facility.longitude) == "105.894200"
    assert facility.licence_date == date(2021, 5, 4)
    # a commune outside the district is refused by the form
    refused = client.post(
        at(reverse("facilities:create", args=[district.pk])),
        {"commune": unit_at(Level.COMMUNE, "37", ON).pk, "name": "X", "ownership": "private"},
    )
    assert refused.status_code == 200
    assert "commune" in refused.context["form"].errors
    # an inspection with its checklist as checkboxes
    response = client.post(
        at(reverse("facilities:inspect", args=[facility.pk])),
        {
            "date": "15/04/2024",
            "team": "Đoàn kiểm tra liên ngành quận",
            "agencies": "Phòng Y tế",
            "checklist": ["notice_posted", "records_kept"],
            "findings": "Nhân viên tiết lộ giới tính thai nhi.",
            "violation": "on",
            "violation_kind": "disclosure",
            "sanction": "Phạt tiền",
            "fine": "15.000.000",
            "follow_up": "Kiểm tra lại",
            "follow_up_on": "15/05/2024",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    inspection = Inspection.objects.get()
    assert inspection.fine == 15_000_000
    assert inspection.checklist["notice_posted"] is True
    assert inspection.checklist["no_disclosure"] is False
    assert DataValue.objects.filter(period="2024-04", unit=ward("115")).count() == 2
    # a form error is shown, not raised
    wrong = client.post(
        at(reverse("facilities:inspect", args=[facility.pk])),
        {"date": "15/04/2024", "team": "Đoàn", "violation": "on"},
    )
    assert wrong.status_code == 200
    assert "violation_kind" in wrong.context["form"].errors
    # the detail shows it; the edit form opens with it; delete needs a POST
    detail = client.get(at(reverse("facilities:detail", args=[facility.pk])))
    assert "15/04/2024" in detail.content.decode()
    edit = client.get(at(reverse("facilities:inspection_edit", args=[inspection.pk])))
    assert edit.status_code == 200
    delete = reverse("facilities:inspection_delete", args=[inspection.pk])
    assert client.get(at(delete)).status_code == 405
    assert client.post(at(delete)).status_code == 302
    assert Inspection.objects.count() == 0


def test_a_ward_officer_cannot_delete_another_wards_inspection(
    other: Facility, district_officer: User, ward_officer: User, client_for: ClientFor
) -> None:
    inspection = inspection_save(
        actor=district_officer, data=visit(date(2024, 4, 2)), facility=other
    )
    client = client_for(ward_officer)
    delete = reverse("facilities:inspection_delete", args=[inspection.pk])
    assert client.post(at(delete)).status_code == 403
    assert Inspection.objects.filter(pk=inspection.pk).exists()
