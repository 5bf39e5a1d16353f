"""Bounds on every number a person or a file can store (issue 12, point 2): one stored
number must never break the city's figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from danso import bounds
from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.indicators.services import entered_save
from danso.plans.document import TargetKind, TargetSpec
from danso.plans.models import Plan, Target
from danso.plans.services import plan_create, target_save
from danso.population.models import PopulationFigure
from danso.population.services import FigureInput, figure_save
from danso.units.codes import Level
from tests.conftest import unit_at

pytestmark = pytest.mark.django_db
BEFORE = date(2024, 6, 30)
HUGE = 9223372036854775808  # 2**63: the number that broke Hà Nội's dashboard


def test_a_huge_entered_count_is_refused_and_the_city_still_answers(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    ward = unit_at(Level.COMMUNE, "121", BEFORE)
    with pytest.raises(ValidationError, match="births"):
        entered_save(unit=ward, period="2024", counts={"births": HUGE})
    officer = make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4")
    page = client_for(officer).post(
        reverse("indicators:entered", args=[ward.pk]) + "?date=2024-06-30",
        {"period": "2024", "births": str(HUGE)},
    )
    assert page.status_code == 200  # the form again, with the problem beside the field
    assert str(bounds.MAX_COUNT) in page.content.decode().replace(".", "")
    city = make_user("hn", Role.PROVINCE_OFFICER, Level.PROVINCE, "1")
    hanoi = unit_at(Level.PROVINCE, "1", BEFORE)
    dashboard = client_for(city).get(
        reverse("indicators:unit", args=[hanoi.pk]), {"date": "2024-06-30"}
    )
    assert dashboard.status_code == 200


def _plan() -> Plan:
    return plan_create(
        unit=unit_at(Level.DISTRICT, "4", BEFORE), title="Kế hoạch 2024", period_start=2024
    )


@pytest.mark.parametrize(
    ("kind", "value", "measure"),
    [
        (TargetKind.LEVEL_MIN, Decimal("-89"), "%"),  # a level below 0 %
        (TargetKind.LEVEL_MIN, Decimal("140"), "%"),  # above 100 %
        (TargetKind.CEILING, Decimal("-1"), "per100"),
        (TargetKind.CHANGE, Decimal("-250"), "%"),  # a change of more than the whole range
        (TargetKind.COUNT_MIN, Decimal(HUGE), "persons"),
    ],
)
def test_a_target_out_of_its_units_range_is_refused(
    kind: TargetKind, value: Decimal, measure: str
) -> None:
    indicator = "NEWFP" if kind is TargetKind.COUNT_MIN else "SRB" if measure == "per100" else "CPR"
    spec = TargetSpec(
        indicator=indicator,
        kind=kind,
        value=value,
        unit=measure,
        baseline_year=2024 if kind is TargetKind.CHANGE else None,
    )
    with pytest.raises(ValidationError):
        target_save(plan=_plan(), spec=spec)
    assert not Target.objects.exists()


def test_a_zero_or_negative_change_is_a_target_like_any_other() -> None:
    spec = TargetSpec(
        indicator="CPR",
        kind=TargetKind.CHANGE,
        value=Decimal("-0.15"),
        unit="%",
        baseline_year=2024,
    )
    assert target_save(plan=_plan(), spec=spec).value == Decimal("-0.15")


def test_population_figures_are_bounded_by_the_services_and_the_database() -> None:
    ward = unit_at(Level.COMMUNE, "121", BEFORE)
    with pytest.raises(ValidationError):
        figure_save(
            unit=ward,
            figure=FigureInput(
                year=2024, total=bounds.MAX_COUNT + 2, male=bounds.MAX_COUNT + 1, female=1
            ),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        PopulationFigure.objects.create(unit=ward, year=2024, total=bounds.MAX_COUNT + 1)


def test_the_bounds_of_each_kind_of_quantity() -> None:
    assert bounds.count_problem(13) is None
    assert bounds.count_problem(-1) is not None
    assert bounds.count_problem(bounds.MAX_COUNT + 1) is not None
    assert bounds.count_problem(True) is not None  # a yes/no is no count
    assert bounds.range_problem("85", bounds.level_range("%")) is None
    assert bounds.range_problem("nan", bounds.level_range("%")) is not None
    assert bounds.change_range("%") == (Decimal(-100), Decimal(100))
