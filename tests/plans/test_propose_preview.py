"""Proposing a split (đề xuất phân bổ, issue 17 point 5) shows it in the grid, marked as
not saved, and writes nothing; the officer saves it; an issued plan is not overwritten by
a proposal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.plans.models import Allocation, Plan, Target
from danso.plans.services import allocation_proposal, plan_create_from_allocation
from danso.plans.weights import Basis
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from tests.plans.conftest import HANOI_2025, issue
from tests.plans.test_allocation_flow import long_bien_wards, with_population

pytestmark = pytest.mark.django_db
JAN_2025 = date(2025, 1, 15)


@pytest.fixture
def plan(seed_plan: Callable[[str], Plan]) -> Plan:
    """Long Biên's draft 2025 plan made from the city's, with the wards' population."""
    with_population()
    city = issue(seed_plan(HANOI_2025))
    district = UnitVersion.objects.get(valid_on(JAN_2025), code="4", unit__level=Level.DISTRICT)
    return plan_create_from_allocation(parent=city, unit=district.unit)


@pytest.fixture
def officer(make_user: Callable[..., User], client_for: Callable[[User], Client]) -> Client:
    return client_for(make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4", JAN_2025))


def propose(officer: Client, plan: Plan, target: Target, **extra: str) -> str:
    response = officer.post(
        reverse("plans:allocation", args=[plan.pk]),
        {"action": "propose", "target": str(target.pk), "basis": "women_15_49", **extra},
    )
    assert response.status_code == 200
    return response.content.decode()


def test_a_proposal_is_shown_then_saved_when_the_officer_saves_it(
    plan: Plan, officer: Client
) -> None:
    newfp = plan.targets.get(indicator__code="NEWFP")
    # when the officer proposes the split by women 15–49
    html = propose(officer, plan, newfp)
    # then it is shown in the grid, marked as not saved, and nothing is written
    assert "Đề xuất, chưa lưu" in html
    assert "đề xuất, chưa lưu" in html
    assert not Allocation.objects.filter(target=newfp).exists()
    cells = allocation_proposal(target=newfp, basis=Basis.WOMEN_15_49)
    largest = max(c.value for c in cells)
    assert f"{int(largest):,}".replace(",", ".") in html  # 416.950-style numbers
    assert 'value="propose_save"' in html
    assert 'value="save"' not in html  # the grid's own save waits while a proposal shows
    # when it saves the proposal it saw
    digest = html.split('name="digest" value="')[1].split('"')[0]
    response = officer.post(
        reverse("plans:allocation", args=[plan.pk]),
        {
            "action": "propose_save",
            "target": str(newfp.pk),
            "basis": "women_15_49",
            "digest": digest,
        },
    )
    # then the cells hold it, adding up to the target, methods included
    assert response.status_code == 302
    split = Allocation.objects.filter(target=newfp)
    assert split.count() == len(long_bien_wards()) == 13
    assert sum(a.value or 0 for a in split) == newfp.value
    assert {a.source for a in split} == {Allocation.Source.PROPOSED}
    assert sum(a.breakdown["iud"] for a in split if a.breakdown) == 1050


def test_a_proposal_whose_figures_changed_is_not_saved(plan: Plan, officer: Client) -> None:
    newfp = plan.targets.get(indicator__code="NEWFP")
    response = officer.post(
        reverse("plans:allocation", args=[plan.pk]),
        {
            "action": "propose_save",
            "target": str(newfp.pk),
            "basis": "women_15_49",
            "digest": "not-what-was-shown",
        },
        follow=True,
    )
    assert "Số liệu đã thay đổi kể từ khi hiển thị đề xuất" in response.content.decode()
    assert not Allocation.objects.filter(target=newfp).exists()


def test_a_proposal_is_not_written_into_an_issued_plan(plan: Plan, officer: Client) -> None:
    # given Long Biên's plan issued with its wards' contraceptive targets
    newfp = plan.targets.get(indicator__code="NEWFP")
    ward = long_bien_wards()[0]
    Allocation.objects.create(target=newfp, unit=ward.unit, value=500)
    issue(plan, "30/KH-UBND (thử)")
    # when the officer proposes a split: it is shown, with no way to save it
    html = propose(officer, plan, newfp)
    assert "Đề xuất, chưa lưu" in html
    assert 'value="propose_save"' not in html
    assert "không ghi đề xuất vào kế hoạch" in html
    # and saving it anyway is refused, the issued cells untouched
    digest = "x"
    response = officer.post(
        reverse("plans:allocation", args=[plan.pk]),
        {
            "action": "propose_save",
            "target": str(newfp.pk),
            "basis": "women_15_49",
            "digest": digest,
        },
        follow=True,
    )
    assert "không ghi đề xuất vào kế hoạch này" in response.content.decode()
    assert list(Allocation.objects.filter(target=newfp).values_list("unit_id", "value")) == [
        (ward.unit_id, Decimal(500))
    ]
