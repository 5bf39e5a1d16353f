"""A district makes its own plan from the targets the city handed it (issue 17, point 5):
the derive form is offered where the district officer reads the city's plan — its page,
the plans list and the allocation grid — to those who may write plans at the district
only; the units below see a plan of the level above only once it is issued."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.plans.models import Plan
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from tests.plans.conftest import HANOI_2025, issue

pytestmark = pytest.mark.django_db
JAN_2025 = date(2025, 1, 15)
DERIVE = "Lập kế hoạch của Quận Long Biên"


def long_bien() -> UnitVersion:
    return UnitVersion.objects.filter(
        valid_on(JAN_2025), code="4", unit__level=Level.DISTRICT
    ).get()


@pytest.fixture
def officer(make_user: Callable[..., User], client_for: Callable[[User], Client]) -> Client:
    return client_for(make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4", JAN_2025))


def test_the_district_is_offered_to_make_its_plan_where_it_reads_the_citys(
    seed_plan: Callable[[str], Plan], officer: Client
) -> None:
    # given the city's 2025 plan, issued
    city = issue(seed_plan(HANOI_2025))
    # when the district officer reads it, the form to make Long Biên's plan is there
    detail = officer.get(reverse("plans:detail", args=[city.pk])).content.decode()
    grid = officer.get(reverse("plans:allocation", args=[city.pk])).content.decode()
    listing = officer.get(reverse("plans:list")).content.decode()
    derive = reverse("plans:derive", args=[city.pk])
    for page in (detail, grid, listing):
        assert derive in page
        assert "Long Biên" in page
    assert DERIVE in grid
    # and it makes the plan from what it was given
    response = officer.post(derive, {"unit": long_bien().unit_id})
    plan = Plan.objects.get(implements=city, unit=long_bien().unit)
    assert response["Location"] == reverse("plans:allocation", args=[plan.pk])
    assert plan.status == Plan.Status.DRAFT
    assert plan.targets.get(indicator__code="NEWFP").value == 24971
    # then the offer gives way to a link to that plan, and a second one is refused
    grid = officer.get(reverse("plans:allocation", args=[city.pk])).content.decode()
    assert DERIVE not in grid
    assert reverse("plans:detail", args=[plan.pk]) in grid
    assert derive not in officer.get(reverse("plans:detail", args=[city.pk])).content.decode()
    again = officer.post(derive, {"unit": long_bien().unit_id}, follow=True)
    assert "đã có kế hoạch lập từ các chỉ tiêu này" in again.content.decode()
    assert Plan.objects.filter(implements=city, unit=long_bien().unit).count() == 1


def test_a_viewer_is_offered_nothing_that_would_be_refused(
    seed_plan: Callable[[str], Plan],
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    # given a leader who reads Long Biên's figures, and the city's issued plan
    city = issue(seed_plan(HANOI_2025))
    viewer = client_for(make_user("lbv", Role.VIEWER, Level.DISTRICT, "4", JAN_2025))
    derive = reverse("plans:derive", args=[city.pk])
    # when they read the plan, its grid and the list
    for url in (
        reverse("plans:detail", args=[city.pk]),
        reverse("plans:allocation", args=[city.pk]),
        reverse("plans:list"),
    ):
        page = viewer.get(url)
        assert page.status_code == 200
        # then no form leads to the derive (a 403 for them)
        assert derive not in page.content.decode()
    assert viewer.post(derive, {"unit": long_bien().unit_id}).status_code == 403


def test_the_district_does_not_see_the_citys_draft(
    seed_plan: Callable[[str], Plan],
    officer: Client,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    # given the city's 2025 plan as a draft (the seed is the draft sent for signature)
    city = seed_plan(HANOI_2025)
    assert city.status == Plan.Status.DRAFT
    # when the district looks for it: not listed, not readable, not in the API
    assert city.title not in officer.get(reverse("plans:list")).content.decode()
    assert officer.get(reverse("plans:detail", args=[city.pk])).status_code == 403
    assert officer.get(reverse("plans:allocation", args=[city.pk])).status_code == 403
    assert officer.post(reverse("plans:derive", args=[city.pk]), {"unit": 1}).status_code == 403
    token = Token.objects.create(user=User.objects.get(username="lb"))
    api = Client(headers={"Authorization": f"Token {token}"})
    assert city.pk not in [p["id"] for p in api.get("/api/v1/plans/").json()["results"]]
    assert api.get(f"/api/v1/plans/{city.pk}/allocations/").status_code in (403, 404)
    # while the city works on it
    city_officer = client_for(make_user("hn", Role.PROVINCE_OFFICER, Level.PROVINCE, "1"))
    assert city_officer.get(reverse("plans:detail", args=[city.pk])).status_code == 200
    # then, once issued, the district sees it
    issue(city)
    assert city.title in officer.get(reverse("plans:list")).content.decode()
    assert officer.get(reverse("plans:detail", args=[city.pk])).status_code == 200
