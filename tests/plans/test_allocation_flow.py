"""A Long Biên district officer hands Long Biên's 2025 targets down to its wards and sees
the checks; a ward officer sees only their ward's targets."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.accounts.scope import SYSTEM
from danso.plans.models import Allocation, Plan
from danso.plans.selectors import Access, allocations_visible, plan_access, plans_visible
from danso.plans.services import allocation_set, plan_create_from_allocation
from danso.population.services import FigureInput, figure_save
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from tests.plans.conftest import HANOI_2025, issue

pytestmark = pytest.mark.django_db
JAN_2025 = date(2025, 1, 15)


def long_bien_wards() -> list[UnitVersion]:
    return list(
        UnitVersion.objects.filter(
            valid_on(JAN_2025), parent__versions__code="4", parent__level=Level.DISTRICT
        )
        .select_related("unit")
        .order_by("code")
        .distinct()
    )


def with_population() -> None:
    """2024 figures for every Long Biên ward: 4,000 women 15–49 each, 8,000 for the last."""
    wards = long_bien_wards()
    for index, ward in enumerate(wards):
        women = 8000 if index == len(wards) - 1 else 4000
        ages = [0] * 18
        ages[3:10] = [women // 7] * 6 + [women - 6 * (women // 7)]
        figure_save(
            unit=ward.unit,
            figure=FigureInput(
                year=2024,
                total=sum(ages) * 2,
                male=sum(ages),
                female=sum(ages),
                male_by_age=ages,
                female_by_age=ages,
            ),
        )


@pytest.fixture
def city_plan(seed_plan: Callable[[str], Plan]) -> Plan:
    """The city's 2025 plan, issued (the seed is the draft sent for signature; the
    districts see it once it is issued)."""
    return issue(seed_plan(HANOI_2025))


def test_the_district_allocates_its_targets_and_sees_the_checks(
    city_plan: Plan, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    with_population()
    officer = client_for(make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4", JAN_2025))
    wards = long_bien_wards()
    assert len(wards) == 13
    # given the city's plan, the officer makes Long Biên's from what it was given
    page = officer.get(reverse("plans:detail", args=[city_plan.pk]))
    assert page.status_code == 200
    long_bien = UnitVersion.objects.filter(
        valid_on(JAN_2025), code="4", unit__level=Level.DISTRICT
    ).get()
    response = officer.post(
        reverse("plans:derive", args=[city_plan.pk]), {"unit": long_bien.unit_id}
    )
    assert response.status_code == 302
    plan = Plan.objects.get(implements=city_plan, unit=long_bien.unit)
    newfp = plan.targets.get(indicator__code="NEWFP")
    assert newfp.value == 24971
    # when it proposes the contraceptive split by women 15–49, looks at it and saves it
    preview = officer.post(
        reverse("plans:allocation", args=[plan.pk]),
        {"action": "propose", "target": newfp.pk, "basis": "women_15_49"},
    )
    assert not Allocation.objects.filter(target=newfp).exists()  # shown, not saved
    officer.post(
        reverse("plans:allocation", args=[plan.pk]),
        {
            "action": "propose_save",
            "target": newfp.pk,
            "basis": "women_15_49",
            "digest": preview.context["proposal"]["digest"],
        },
    )
    split = {a.unit_id: a for a in Allocation.objects.filter(target=newfp)}
    assert len(split) == 13
    assert sum(a.value or 0 for a in split.values()) == 24971
    iud = sum(a.breakdown["iud"] for a in split.values() if a.breakdown)
    assert iud == 1050
    # and gives every ward 80 % prenatal screening (the district was given 87 %)
    prenatal = plan.targets.get(indicator__code="PRENATAL")
    grid = officer.get(reverse("plans:allocation", args=[plan.pk]))
    form = {"action": "save"}
    for ward in wards:
        form[f"c-{prenatal.pk}-{ward.unit_id}"] = "80"
    response = officer.post(reverse("plans:allocation", args=[plan.pk]), form)
    assert response.status_code == 302
    # then the checks beside the grid say what does not hold
    html = officer.get(reverse("plans:allocation", args=[plan.pk])).content.decode()
    assert grid.status_code == 200
    assert "24.971" in html
    assert "80,00" in html  # the weighted level of the wards' prenatal targets
    assert "87" in html
    checks = officer.get(reverse("plans:checks", args=[plan.pk])).content.decode()
    assert "check-error" in checks


def test_a_ward_officer_sees_only_their_wards_targets(
    city_plan: Plan, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    long_bien = UnitVersion.objects.filter(
        valid_on(JAN_2025), code="4", unit__level=Level.DISTRICT
    ).get()
    plan = plan_create_from_allocation(parent=city_plan, unit=long_bien.unit)
    wards = long_bien_wards()
    prenatal = plan.targets.get(indicator__code="PRENATAL")
    for ward in wards:
        allocation_set(target=prenatal, unit=ward.unit, value=Decimal(88))
    issue(plan, "30/KH-UBND (thử)")  # the wards see it once it is issued
    own = wards[0]
    ward_officer = make_user("ward", Role.COMMUNE_OFFICER, Level.COMMUNE, own.code, JAN_2025)
    client = client_for(ward_officer)
    html = client.get(reverse("plans:allocation", args=[plan.pk])).content.decode()
    assert own.name in html
    assert wards[1].name not in html
    assert "check-" not in html  # the checks are for the district, not for a ward
    assert (
        client.post(reverse("plans:allocation", args=[plan.pk]), {"action": "save"}).status_code
        == 403
    )
    assert client.get(reverse("plans:edit", args=[plan.pk])).status_code == 403
    assert client.get(reverse("plans:checks", args=[plan.pk])).status_code == 403
    # the API gives the same rows
    api = Client(headers={"Authorization": f"Token {Token.objects.create(user=ward_officer)}"})
    rows = api.get(f"/api/v1/plans/{plan.pk}/allocations/").json()
    assert {r["unit"] for r in rows} == {own.unit_id}
    # and an officer of Hoàn Kiếm sees nothing of it
    other = client_for(make_user("hk", Role.DISTRICT_OFFICER, Level.DISTRICT, "2", JAN_2025))
    assert other.get(reverse("plans:detail", args=[plan.pk])).status_code == 403
    hoan_kiem = Token.objects.create(user=User.objects.get(username="hk"))
    listed = Client(headers={"Authorization": f"Token {hoan_kiem}"}).get("/api/v1/plans/")
    assert plan.pk not in [p["id"] for p in listed.json()["results"]]


def test_a_unit_below_that_has_not_handed_its_targets_down_is_flagged_above(
    city_plan: Plan, run_cli: Callable[..., Any]
) -> None:
    long_bien = UnitVersion.objects.filter(
        valid_on(JAN_2025), code="4", unit__level=Level.DISTRICT
    ).get()
    own = plan_create_from_allocation(parent=city_plan, unit=long_bien.unit)
    assert own.allocation_due == date(2025, 1, 31)  # districts hand down by 31 January
    problems = run_cli("plans", "check", str(city_plan.pk))["problems"]
    late = [p for p in problems if p["where"] == "Quận Long Biên"]
    assert [p["severity"] for p in late] == ["error"]
    assert "31/01/2025" in late[0]["message"]


def test_a_grid_with_one_refused_cell_saves_nothing(
    city_plan: Plan, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    # issue 13: the grid was saved cell by cell, so a refused cell left the ones before it
    officer = client_for(make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4", JAN_2025))
    long_bien = UnitVersion.objects.filter(
        valid_on(JAN_2025), code="4", unit__level=Level.DISTRICT
    ).get()
    officer.post(reverse("plans:derive", args=[city_plan.pk]), {"unit": long_bien.unit_id})
    plan = Plan.objects.get(implements=city_plan, unit=long_bien.unit)
    prenatal = plan.targets.get(indicator__code="PRENATAL")
    wards = long_bien_wards()
    form = {"action": "save"} | {f"c-{prenatal.pk}-{w.unit_id}": "80" for w in wards}
    form[f"c-{prenatal.pk}-{wards[-1].unit_id}"] = "180"  # a share over 100 %
    response = officer.post(reverse("plans:allocation", args=[plan.pk]), form, follow=True)
    assert not Allocation.objects.filter(target=prenatal).exists()
    html = response.content.decode()
    assert wards[-1].name in html
    assert "PRENATAL" in html


def test_a_plan_is_read_by_someone_named(seed_plan: Callable[[str], Plan]) -> None:
    # None is no one (a caller that forgot the reader); the system is named: SYSTEM
    plan = seed_plan(HANOI_2025)
    assert plan_access(None, plan) is Access.NONE
    assert plans_visible(None) == []
    assert not allocations_visible(None, plan).exists()
    assert plan_access(SYSTEM, plan) is Access.EDIT
    assert (
        allocations_visible(SYSTEM, plan).count()
        == Allocation.objects.filter(target__plan=plan).count()
    )
