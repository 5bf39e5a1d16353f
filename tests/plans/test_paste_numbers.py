"""Pasting the allocation grid from Excel (issue 14, point 8; issue 17): a Vietnamese
Excel copies "416.950" and "0,15", an English one "416,950" and "0.15"; the whole block
tells the convention, a block that mixes them is refused, and so is a number that reads
two ways in a block that does not tell.  A leading row-number column (TT) is not a unit,
and the methods' cells are kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.plans.grid import Column, columns_of
from danso.plans.models import Allocation, Plan, Target
from danso.plans.services import allocations_paste
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from tests.plans.conftest import HANOI_2025, issue

pytestmark = pytest.mark.django_db
JAN_2025 = date(2025, 1, 15)


@pytest.fixture
def plan(
    seed_plan: Callable[[str], Plan],
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> Plan:
    """Long Biên's 2025 plan, made from the city's."""
    city_plan = issue(seed_plan(HANOI_2025))
    officer = client_for(make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4", JAN_2025))
    long_bien = UnitVersion.objects.filter(
        valid_on(JAN_2025), code="4", unit__level=Level.DISTRICT
    ).get()
    officer.post(reverse("plans:derive", args=[city_plan.pk]), {"unit": long_bien.unit_id})
    return Plan.objects.get(implements=city_plan, unit=long_bien.unit)


def targets_of(plan: Plan) -> list[Target]:
    return [t for t in plan.targets.select_related("indicator") if t.kind != "all_children"]


def ward_names() -> list[str]:
    return list(
        UnitVersion.objects.filter(
            valid_on(JAN_2025), parent__versions__code="4", parent__level=Level.DISTRICT
        )
        .order_by("code")
        .distinct()
        .values_list("name", flat=True)
    )


Cells = dict[tuple[str, str | None], str]


def line(columns: list[Column], name: str, cells: Cells) -> str:
    """A pasted line: the ward's name, then one cell per column of the grid."""
    row = [cells.get((c.target.indicator.code, c.method), "") for c in columns]
    return "\t".join([name, *row])


def pasted(plan: Plan, code: str, method: str | None = None) -> Decimal | None:
    allocation = Allocation.objects.filter(target__plan=plan, target__indicator__code=code).first()
    if allocation is None:
        return None
    if method is None:
        return allocation.value
    return Decimal((allocation.breakdown or {})[method])


def test_a_vietnamese_block_is_read_the_vietnamese_way(plan: Plan) -> None:
    targets = targets_of(plan)
    columns = columns_of(targets)
    name = ward_names()[0]
    cells: Cells = {("NEWFP", None): "2.497", ("NEWFP", "iud"): "1.050", ("PRENATAL", None): "87,5"}
    assert allocations_paste(plan=plan, text=line(columns, name, cells), targets=targets) == []
    assert pasted(plan, "NEWFP") == 2497
    assert pasted(plan, "NEWFP", "iud") == 1050  # the method's cell is kept (issue 17)
    assert pasted(plan, "PRENATAL") == Decimal("87.5")


def test_an_english_block_is_read_the_english_way(plan: Plan) -> None:
    targets = targets_of(plan)
    columns = columns_of(targets)
    name = ward_names()[0]
    cells: Cells = {("NEWFP", None): "2,497", ("PRENATAL", None): "87.5"}
    assert allocations_paste(plan=plan, text=line(columns, name, cells), targets=targets) == []
    assert pasted(plan, "NEWFP") == 2497
    assert pasted(plan, "PRENATAL") == Decimal("87.5")


def test_a_row_number_column_is_not_read_as_a_unit(plan: Plan) -> None:
    targets = targets_of(plan)
    columns = columns_of(targets)
    names = ward_names()
    text = "\n".join(
        f"{number}\t" + line(columns, name, {("NEWFP", None): "100"})
        for number, name in enumerate(names[:2], start=1)
    )
    assert allocations_paste(plan=plan, text=text, targets=targets) == []
    assert (
        Allocation.objects.filter(target__plan=plan, target__indicator__code="NEWFP").count() == 2
    )


def test_a_block_mixing_both_ways_is_refused(plan: Plan) -> None:
    targets = targets_of(plan)
    columns = columns_of(targets)
    name = ward_names()[0]
    cells: Cells = {("NEWFP", None): "2.497", ("PRENATAL", None): "87.5", ("BIRTH3P", None): "0,15"}
    [problem] = allocations_paste(plan=plan, text=line(columns, name, cells), targets=targets)
    assert "viết theo cả hai kiểu" in problem
    assert not Allocation.objects.filter(target__plan=plan).exists()


def test_a_number_that_reads_two_ways_in_a_block_that_does_not_tell_is_refused(
    plan: Plan,
) -> None:
    targets = targets_of(plan)
    columns = columns_of(targets)
    name = ward_names()[0]
    cells: Cells = {("PRENATAL", None): "87,500"}  # 87.5 % or 87,500 %?
    [problem] = allocations_paste(plan=plan, text=line(columns, name, cells), targets=targets)
    assert "Dòng 1" in problem
    assert "87,500 có thể hiểu theo hai cách" in problem
    assert not Allocation.objects.filter(target__plan=plan).exists()


def test_the_grid_reads_a_vietnamese_count(
    plan: Plan, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    officer = client_for(make_user("lb2", Role.DISTRICT_OFFICER, Level.DISTRICT, "4", JAN_2025))
    newfp = plan.targets.get(indicator__code="NEWFP")
    ward = UnitVersion.objects.filter(
        valid_on(JAN_2025), parent__versions__code="4", parent__level=Level.DISTRICT
    ).order_by("code")[0]
    url = reverse("plans:allocation", args=[plan.pk])
    officer.post(url, {"action": "save", f"c-{newfp.pk}-{ward.unit_id}": "2.497"})
    assert Allocation.objects.get(target=newfp, unit=ward.unit).value == 2497
