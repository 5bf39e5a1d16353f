"""Registering facilities and recording inspections: checks, scope, the trail, and the
monthly counts stored as data values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from danso.accounts.models import User
from danso.accounts.scope import SYSTEM
from danso.datasets.models import DataSet, DataValue
from danso.facilities import services
from danso.facilities.models import Facility, Inspection
from danso.facilities.services import (
    DATA_SET,
    INSPECTIONS,
    VIOLATIONS,
    FacilityInput,
    NotAllowed,
    ensure_definitions,
    facility_save,
    inspection_delete,
    inspection_save,
)
from tests.facilities.conftest import ON, clinic, visit, ward

pytestmark = pytest.mark.django_db


def values(unit_id: int, period: str) -> dict[str, Decimal | None]:
    rows = DataValue.objects.filter(unit_id=unit_id, period=period).select_related("element")
    return {row.element.code: row.number for row in rows}


def test_a_district_officer_registers_a_clinic_of_a_ward(district_officer: User) -> None:
    # given a district officer of Long Biên
    # when they register a clinic of Ngọc Thụy
    facility = facility_save(actor=district_officer, data=clinic(), on=ON, unit=ward("118"))
    # then it is stored under the ward, services in the catalogue's order, with its trail
    assert facility.unit == ward("118")
    assert facility.services == ["ultrasound", "abortion"]
    assert facility.history.get().history_user == district_officer


def test_a_facility_is_checked_before_it_is_written(district_officer: User) -> None:
    wrong = FacilityInput(
        name=" ",
        ownership="state",
        services=("ultrasound", "x-ray"),
        licence_date=date(2099, 1, 1),
        latitude=Decimal("21.05"),
    )
    with pytest.raises(ValidationError) as caught:
        facility_save(actor=district_officer, data=wrong, on=ON, unit=ward("118"))
    assert set(caught.value.message_dict) == {
        "name",
        "ownership",
        "services",
        "licence_date",
        "longitude",
    }
    assert Facility.objects.count() == 0


def test_a_facility_belongs_to_a_commune(district_officer: User) -> None:
    from tests.conftest import unit_at

    with pytest.raises(ValidationError, match="xã, phường"):
        facility_save(
            actor=district_officer, data=clinic(), on=ON, unit=unit_at("district", "004", ON)
        )


def test_a_ward_officer_registers_only_in_their_ward(ward_officer: User) -> None:
    facility_save(actor=ward_officer, data=clinic(), on=ON, unit=ward("118"))
    with pytest.raises(NotAllowed):
        facility_save(actor=ward_officer, data=clinic(), on=ON, unit=ward("115"))
    with pytest.raises(NotAllowed):
        facility_save(actor=None, data=clinic(), on=ON, unit=ward("118"))


def test_a_commune_officer_cannot_record_an_inspection_in_another_commune(
    ward_officer: User, district_officer: User
) -> None:
    # given a clinic of Thượng Thanh (115), registered by the district
    other = facility_save(
        actor=district_officer, data=clinic("Phòng khám Thượng Thanh"), on=ON, unit=ward("115")
    )
    # when the officer of Ngọc Thụy (118) records an inspection of it
    with pytest.raises(NotAllowed, match="Thượng Thanh"):
        inspection_save(actor=ward_officer, data=visit(date(2024, 4, 2)), facility=other)
    # then nothing is written, neither the inspection nor a count
    assert Inspection.objects.count() == 0
    assert DataValue.objects.count() == 0


def test_an_inspection_is_checked_before_it_is_written(
    facility: Facility, ward_officer: User
) -> None:
    wrong = services.InspectionInput(
        date=date(2099, 1, 1),
        team="",
        checklist={"bribes_refused": True},
        violation=False,
        violation_kind="disclosure",
        fine=Decimal(-5),
        follow_up_on=date(2098, 1, 1),
    )
    with pytest.raises(ValidationError) as caught:
        inspection_save(actor=ward_officer, data=wrong, facility=facility)
    assert set(caught.value.message_dict) == {
        "date",
        "team",
        "checklist",
        "violation_kind",
        "sanction",
        "fine",
        "follow_up_on",
    }
    no_kind = services.InspectionInput(date=date(2024, 4, 2), team="Đoàn", violation=True)
    with pytest.raises(ValidationError) as caught:
        inspection_save(actor=ward_officer, data=no_kind, facility=facility)
    assert set(caught.value.message_dict) == {"violation_kind"}


def test_the_month_is_counted_into_the_data_set(facility: Facility, ward_officer: User) -> None:
    # given a second clinic of the ward
    second = facility_save(
        actor=ward_officer, data=clinic("Phòng khám Sản phụ khoa An Bình"), on=ON, unit=ward("118")
    )
    # when three inspections are recorded in April, one of them finding a violation
    inspection_save(actor=ward_officer, data=visit(date(2024, 4, 2)), facility=facility)
    found = inspection_save(
        actor=ward_officer, data=visit(date(2024, 4, 9), violation=True), facility=facility
    )
    inspection_save(actor=ward_officer, data=visit(date(2024, 4, 20)), facility=second)
    # then the ward's April holds 3 inspections and 1 facility in violation
    unit_id = ward("118").pk
    assert values(unit_id, "2024-04") == {INSPECTIONS: 3, VIOLATIONS: 1}
    # recorded as the officer, with the reason
    value = DataValue.objects.get(unit_id=unit_id, period="2024-04", element__code=INSPECTIONS)
    assert value.entered_by == ward_officer
    assert value.reason == services.RECOUNT_REASON
    assert DataSet.objects.get(code=DATA_SET).level == "commune"
    # the checklist holds every item, the ones left out as not complied
    assert found.checklist["no_disclosure"] is False
    assert found.checklist["staff_committed"] is False
    assert found.inspected_by == ward_officer

    # when the inspection with the violation moves to May, then is deleted
    inspection_save(
        actor=ward_officer, data=visit(date(2024, 5, 3), violation=True), inspection=found
    )
    assert values(unit_id, "2024-04") == {INSPECTIONS: 2, VIOLATIONS: 0}
    assert values(unit_id, "2024-05") == {INSPECTIONS: 1, VIOLATIONS: 1}
    found_id = found.pk
    inspection_delete(actor=ward_officer, inspection=found, reason="Ghi nhầm cơ sở")
    # then both months are counted again (a month emptied holds 0, not nothing)
    assert values(unit_id, "2024-05") == {INSPECTIONS: 0, VIOLATIONS: 0}
    assert values(unit_id, "2024-04") == {INSPECTIONS: 2, VIOLATIONS: 0}
    gone = Inspection.history.filter(id=found_id, history_type="-").get()
    assert gone.history_user == ward_officer
    assert gone.history_change_reason == "Ghi nhầm cơ sở"


def test_two_violations_of_one_facility_in_a_month_count_one_facility(
    facility: Facility, ward_officer: User
) -> None:
    for day in (2, 16):
        inspection_save(
            actor=ward_officer, data=visit(date(2024, 6, day), violation=True), facility=facility
        )
    assert values(ward("118").pk, "2024-06") == {INSPECTIONS: 2, VIOLATIONS: 1}


def test_the_definitions_are_made_once_and_kept(district_officer: User) -> None:
    # a district officer may not define data sets
    with pytest.raises(NotAllowed):
        ensure_definitions(district_officer)
    assert ensure_definitions(SYSTEM) is True
    data_set = DataSet.objects.get(code=DATA_SET)
    assert [m.element.code for m in data_set.members.all()] == [INSPECTIONS, VIOLATIONS]
    assert data_set.period_type == "month"
    # a second call writes nothing (a province's renaming is kept)
    DataSet.objects.filter(pk=data_set.pk).update(name_vi="Tên tỉnh đặt")
    assert ensure_definitions(SYSTEM) is False
    assert DataSet.objects.get(pk=data_set.pk).name_vi == "Tên tỉnh đặt"
