"""Fixtures of the facilities' tests: officers of Long Biên (district 004) and of two of
its wards, Ngọc Thụy (118) and Thượng Thanh (115), as the tree stood in 2024, and a
facility registered through the service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.facilities.models import Facility, Service
from danso.facilities.services import FacilityInput, InspectionInput, facility_save
from danso.units.codes import Level
from danso.units.models import Unit
from tests.conftest import unit_at

ON = date(2024, 3, 5)  # the day the 2024 tree is looked at (the plan's date)
MakeUser = Callable[..., User]


def ward(code: str) -> Unit:
    return unit_at(Level.COMMUNE, code, ON)


def clinic(name: str = "Phòng khám siêu âm Hồng Phúc") -> FacilityInput:
    return FacilityInput(
        name=name,
        address="Số 12 phố Ngọc Thụy",
        services=(Service.ULTRASOUND, Service.ABORTION),
        licence_number="01234/HNO-GPHĐ",
        licence_date=date(2020, 5, 4),
    )


def visit(day: date, *, violation: bool = False) -> InspectionInput:
    """An inspection on ``day``; with a violation, the sex of a foetus was revealed."""
    return InspectionInput(
        date=day,
        team="Đoàn kiểm tra liên ngành quận Long Biên",
        agencies="Phòng Y tế, Trung tâm Y tế quận",
        checklist={"notice_posted": True, "no_disclosure": not violation, "records_kept": True},
        findings="Đã kiểm tra sổ siêu âm.",
        violation=violation,
        violation_kind="disclosure" if violation else "",
        sanction="Phạt tiền" if violation else "",
    )


@pytest.fixture
def district_officer(make_user: MakeUser) -> User:
    return make_user("longbien", Role.DISTRICT_OFFICER, Level.DISTRICT, "004", ON)


@pytest.fixture
def ward_officer(make_user: MakeUser) -> User:
    return make_user("ngocthuy", Role.COMMUNE_OFFICER, Level.COMMUNE, "118", ON)


@pytest.fixture
def facility(district_officer: User) -> Facility:
    return facility_save(actor=district_officer, data=clinic(), on=ON, unit=ward("118"))
