"""Query counts of the list screen, the API list and the export do not grow with the
number of figures: an N+1 (a query per row for its unit or version) would be caught."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries
from rest_framework.authtoken.models import Token

from danso.accounts.models import User
from danso.population.models import PopulationFigure
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from tests.conftest import BEFORE, unit_at

pytestmark = pytest.mark.django_db

ON = {"date": "2024-06-30", "year": "2024"}


def hanoi_figures(count: int) -> None:
    """``count`` figures for 2024 of communes of Hà Nội (with age groups, as in real use)."""
    hanoi = UnitVersion.objects.filter(valid_on(BEFORE), unit=unit_at(Level.PROVINCE, "1", BEFORE))
    communes = (
        UnitVersion.objects.filter(valid_on(BEFORE), unit__level=Level.COMMUNE)
        .filter(path__startswith=hanoi.get().path)
        .order_by("path")[:count]
    )
    PopulationFigure.objects.bulk_create(
        PopulationFigure(
            unit_id=v.unit_id,
            year=2024,
            total=180,
            male=90,
            female=90,
            male_by_age=[5] * 18,
            female_by_age=[5] * 18,
        )
        for v in communes
    )
    assert PopulationFigure.objects.count() == count


def token_client(user: User) -> Client:
    token, _created = Token.objects.get_or_create(user=user)
    return Client(headers={"Authorization": f"Token {token.key}"})


@pytest.mark.parametrize("count", [1, 30])
def test_list_screen_queries_do_not_grow_with_the_figures(
    count: int,
    hanoi_officer: User,
    client_for: Callable[[User], Client],
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    # given 1 or 30 figures of Hà Nội communes and the province officer
    hanoi_figures(count)
    client = client_for(hanoi_officer)
    # when the list is opened
    # then it takes at most 12 queries, whatever the number of rows.  Measured: 8 —
    # session, user, role assignments, the scope's unit version, the years, the versions
    # of the listed units, the page count and the page (with its units joined) — plus 2
    # to store the ?date= of the link as the session's working date (the first time
    # only).  Two spare for a new constant query; an N+1 over 30 rows would add 30.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("population:list"), ON)
    assert len(response.context["page"]) == count


@pytest.mark.parametrize("count", [1, 30])
def test_api_list_queries_do_not_grow_with_the_figures(
    count: int,
    hanoi_officer: User,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    # given 1 or 30 figures and a token of the province officer
    hanoi_figures(count)
    client = token_client(hanoi_officer)
    # when the API lists them
    # then at most 7 queries.  Measured: 5 — token with its user, role assignments, the
    # scope's unit version, the count and the page.  Two spare; a query per row would
    # add 30.
    with django_assert_max_num_queries(7):
        response = client.get("/api/v1/population/", {"date": "2024-06-30"})
    assert response.json()["count"] == count


def test_list_and_api_cost_the_same_for_1_and_30_figures(
    hanoi_officer: User, client_for: Callable[[User], Client]
) -> None:
    # given the number of queries with one figure
    hanoi_figures(1)
    screen, api = client_for(hanoi_officer), token_client(hanoi_officer)

    def cost() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as on_screen:
            screen.get(reverse("population:list"), ON)
        with CaptureQueriesContext(connection) as on_api:
            api.get("/api/v1/population/", {"date": "2024-06-30"})
        return len(on_screen), len(on_api)

    screen.get(reverse("population:list"), ON)  # the session now holds the working date
    one = cost()
    # when 29 more are added
    PopulationFigure.objects.all().delete()
    hanoi_figures(30)
    # then both cost exactly as many queries as before
    assert cost() == one


def test_export_queries_do_not_grow_with_the_units(
    hanoi_officer: User,
    client_for: Callable[[User], Client],
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    # given 30 figures, exported with the 579 communes of Hà Nội on 30/6/2024
    hanoi_figures(30)
    client = client_for(hanoi_officer)
    # then at most 10 queries (measured 6: session, user, roles, scope version, the
    # versions with their units, the figures; plus 2 to store the ?date= as the working
    # date of the session); a query per unit would add 579.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("population:export"), {**ON, "level": "commune"})
    assert response.status_code == 200
