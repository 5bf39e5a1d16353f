"""Long Biên's 2025 plan across the 1/7/2025 reform, for the tests of carried cells: the
district's plan (issued 1/3/2025) hands targets to its 13 wards; on 1/7/2025 the wards
close and the new wards (Phường Bồ Đề, code 118 after the reform, among them) take
them over, wholly or in part (the official conversion table)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from danso.plans.document import TargetKind, TargetSpec
from danso.plans.models import Plan, ReportObligation, Target
from danso.plans.services import allocation_set, plan_create, target_save
from danso.register import services as register
from danso.units import services as units
from danso.units.codes import Level
from danso.units.models import Unit, UnitVersion, valid_on
from tests.conftest import unit_at

ISSUED = date(2025, 3, 1)
EVE = date(2025, 6, 30)
REFORM = date(2025, 7, 1)
AFTER = date(2025, 8, 1)
SINCE = date(2023, 6, 1)
#: The old wards (codes until 30/6/2025) whose cells the new Phường Bồ Đề carries.
INTO_BO_DE = ("115", "118", "124", "130", "133", "139", "145", "151")
NGOC_THUY, OLD_BO_DE, NGOC_LAM = "118", "139", "133"


def old_ward(code: str) -> Unit:
    return unit_at(Level.COMMUNE, code, ISSUED)


def new_ward(code: str) -> Unit:
    return unit_at(Level.COMMUNE, code, AFTER)


def version(unit: Unit, on: date) -> UnitVersion:
    return UnitVersion.objects.select_related("unit").get(valid_on(on), unit=unit)


def long_bien_wards() -> list[UnitVersion]:
    district = unit_at(Level.DISTRICT, "4", ISSUED)
    return list(
        UnitVersion.objects.filter(valid_on(ISSUED), parent=district)
        .select_related("unit")
        .order_by("code")
    )


def long_bien_plan(*, prenatal: dict[str, Decimal] | None = None) -> Plan:
    """Long Biên's 2025 plan, issued on 1/3/2025 (30/KH-UBND): 1,000 new contraceptive
    users per ward (an IUD split of 100 free and 300 social marketing), prenatal
    screening 80 % (or ``prenatal`` by ward code), the sex ratio at birth at most 110;
    the annual summary due before 15/12."""
    plan = plan_create(
        unit=unit_at(Level.DISTRICT, "4", ISSUED),
        title="Kế hoạch công tác dân số năm 2025",
        period_start=2025,
        number="30/KH-UBND",
        issued_on=ISSUED,
    )
    assert plan.status == Plan.Status.ISSUED
    wards = long_bien_wards()
    newfp = target_save(
        plan=plan,
        order=0,
        spec=TargetSpec(
            "NEWFP",
            TargetKind.COUNT_MIN,
            Decimal(1000 * len(wards)),
            "persons",
            breakdown={
                "iud": {"total": 400 * len(wards), "free": 100 * len(wards),
                        "social_marketing": 300 * len(wards)},
                "pill": 600 * len(wards),
            },
        ),
    )  # fmt: skip
    prenatal_target = target_save(
        plan=plan, order=1, spec=TargetSpec("PRENATAL", TargetKind.LEVEL_MIN, Decimal(85), "%")
    )
    srb = target_save(
        plan=plan, order=2, spec=TargetSpec("SRB", TargetKind.CEILING, Decimal(110), "per100")
    )
    for ward in wards:
        allocation_set(
            target=newfp,
            unit=ward.unit,
            value=Decimal(1000),
            breakdown={"iud": {"total": 400, "free": 100, "social_marketing": 300}, "pill": 600},
        )
        level = (prenatal or {}).get(ward.code, Decimal(80))
        allocation_set(target=prenatal_target, unit=ward.unit, value=level)
        allocation_set(target=srb, unit=ward.unit, value=Decimal(110))
    ReportObligation.objects.create(
        plan=plan,
        text="báo cáo tổng kết năm gửi trước ngày 15/12",
        period=ReportObligation.Period.YEAR,
        rule=ReportObligation.Rule.FIXED_DATE,
        month=12,
        day=15,
    )
    return plan


def target(plan: Plan, code: str) -> Target:
    return plan.targets.get(indicator__code=code)


def village(ward: Unit, code: str, people: int, *, moves_to: Unit | None = None) -> Unit:
    """A residential group of ``ward`` with one household of ``people`` persons
    registered since 2023, moved on 1/7/2025 to ``moves_to`` (with its history)."""
    group = units.village_create(
        commune=ward, code=code, name=f"Tổ dân phố {code}", type="tổ dân phố", valid_from=SINCE
    )
    household = register.household_create(unit=group, since=SINCE, number=code)
    for n in range(people):
        register.person_add(
            household=household,
            registered_on=SINCE,
            data=register.PersonInput(f"Người {code} {n}", "F" if n % 2 else "M", date(1990, 1, 1)),
        )
    if moves_to is not None:
        units.unit_move(unit=group, parent=moves_to, effective=REFORM)
    return group
