"""``/api/v1/population/`` with a token: reads in the caller's scope, checked writes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from danso.accounts.models import User
from danso.population.models import PopulationFigure
from tests.population.conftest import (
    FEMALE,
    FEMALE_AGES,
    MALE,
    MALE_AGES,
    TOTAL,
    ba_dinh_2025,
    ngoc_thuy,
    save,
    thuong_thanh,
    truc_bach,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/population/"
ON = "?date=2024-06-30"


def api(user: User) -> Client:
    token, _created = Token.objects.get_or_create(user=user)
    return Client(headers={"Authorization": f"Token {token.key}"})


def body(unit_id: int, **changes: object) -> dict[str, Any]:
    data: dict[str, Any] = {
        "unit": unit_id,
        "year": 2024,
        "male": MALE,
        "female": FEMALE,
        "male_by_age": MALE_AGES,
        "female_by_age": FEMALE_AGES,
        "source": "API",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def post(client: Client, data: dict[str, Any], query: str = ON) -> Any:
    return client.post(URL + query, data, content_type="application/json")


@pytest.fixture
def figures() -> dict[str, PopulationFigure]:
    return {
        "thuong thanh 2024": save(thuong_thanh(), 2024),
        "thuong thanh 2023": save(thuong_thanh(), 2023),
        "ngoc thuy 2024": save(ngoc_thuy(), 2024),
        "truc bach 2024": save(truc_bach(), 2024),
    }


# ---------------------------------------------------------------- reads


def test_list_filters_by_year_and_unit(
    hanoi_officer: User, figures: dict[str, PopulationFigure]
) -> None:
    # given four figures in Hà Nội
    client = api(hanoi_officer)
    # when the province officer lists 2024, then one unit
    by_year = client.get(URL, {"date": "2024-06-30", "year": "2024"}).json()
    by_unit = client.get(URL, {"date": "2024-06-30", "unit": str(thuong_thanh().pk)}).json()
    # then each filter keeps what it says
    assert by_year["count"] == 3
    assert {row["year"] for row in by_year["results"]} == {2024}
    assert [(row["unit"], row["year"]) for row in by_unit["results"]] == [
        (thuong_thanh().pk, 2023),
        (thuong_thanh().pk, 2024),
    ]


def test_a_row_has_the_figure_and_its_age_groups(
    hanoi_officer: User, figures: dict[str, PopulationFigure]
) -> None:
    figure = figures["thuong thanh 2024"]
    row = api(hanoi_officer).get(f"{URL}{figure.pk}/", {"date": "2024-06-30"}).json()
    assert (row["unit"], row["total"], row["male"], row["female"]) == (
        thuong_thanh().pk,
        TOTAL,
        MALE,
        FEMALE,
    )
    assert row["age_groups"][0] == "0-4"
    assert row["age_groups"][-1] == "85+"
    assert row["male_by_age"] == MALE_AGES


def test_list_respects_the_scope(ward_officer: User, figures: dict[str, PopulationFigure]) -> None:
    # given figures of the officer's ward and of others
    client = api(ward_officer)
    # when the officer of Thượng Thanh lists everything
    listing = client.get(URL, {"date": "2024-06-30"}).json()
    # then only their ward's figures are there
    assert {row["unit"] for row in listing["results"]} == {thuong_thanh().pk}
    assert listing["count"] == 2
    # and another ward's figure is 404, filtered or fetched
    other = figures["ngoc thuy 2024"]
    assert client.get(URL, {"date": "2024-06-30", "unit": str(other.unit_id)}).json()["count"] == 0
    assert client.get(f"{URL}{other.pk}/", {"date": "2024-06-30"}).status_code == 404


def test_a_bad_filter_is_400(hanoi_officer: User) -> None:
    client = api(hanoi_officer)
    assert client.get(URL, {"year": "hai nghìn"}).status_code == 400
    assert client.get(URL, {"date": "30/06/2024"}).status_code == 400


def test_anonymous_is_refused() -> None:
    assert Client().get(URL).status_code in (401, 403)


# ---------------------------------------------------------------- writes


def test_post_creates_a_figure(ward_officer: User) -> None:
    # given the officer of Thượng Thanh
    # when they post a consistent figure without total
    response = post(api(ward_officer), body(thuong_thanh().pk))
    # then it is created with the total filled in, by them
    assert response.status_code == 201
    data = response.json()
    assert (data["unit"], data["year"], data["total"]) == (thuong_thanh().pk, 2024, TOTAL)
    figure = PopulationFigure.objects.get(pk=data["id"])
    assert (figure.total, figure.female_by_age, figure.updated_by_id) == (
        TOTAL,
        FEMALE_AGES,
        ward_officer.pk,
    )


def test_post_replaces_the_figure_of_the_same_year(ward_officer: User) -> None:
    # given a stored figure
    stored = save(thuong_thanh(), 2024)
    # when a new one for the same unit and year is posted
    response = post(
        api(ward_officer),
        body(thuong_thanh().pk, male=5, female=6, male_by_age=None, female_by_age=None),
    )
    # then it replaces the stored one, keeping the history
    assert response.status_code == 201
    assert response.json()["id"] == stored.pk
    stored.refresh_from_db()
    assert (stored.total, stored.male_by_age) == (11, None)
    assert stored.history.count() == 2


def test_post_with_inconsistent_totals_is_400(ward_officer: User) -> None:
    # when males + females is not the total
    response = post(api(ward_officer), body(thuong_thanh().pk, total=TOTAL + 1))
    # then the total is named, and nothing is stored
    assert response.status_code == 400
    assert list(response.json()) == ["total"]
    assert not PopulationFigure.objects.exists()


def test_post_with_wrong_age_groups_is_400(ward_officer: User) -> None:
    response = post(api(ward_officer), body(thuong_thanh().pk, male_by_age=MALE_AGES[:5]))
    assert response.status_code == 400
    assert "male_by_age" in response.json()
    assert not PopulationFigure.objects.exists()


def test_post_with_a_negative_total_is_400(ward_officer: User) -> None:
    response = post(api(ward_officer), {"unit": thuong_thanh().pk, "year": 2024, "total": -1})
    assert response.status_code == 400
    assert not PopulationFigure.objects.exists()


def test_post_for_a_unit_that_did_not_exist_that_year_is_400(hanoi_officer: User) -> None:
    # Phường Ba Đình, formed on 1/7/2025, looked at on 1/8/2025, for 2023
    response = post(
        api(hanoi_officer), body(ba_dinh_2025().pk, year=2023), query="?date=2025-08-01"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["year"]


def test_post_with_age_groups_that_are_not_numbers_is_400(ward_officer: User) -> None:
    # given an API client that answers server errors instead of raising them
    client = api(ward_officer)
    client.raise_request_exception = False
    # when age groups that are words, or a number instead of a list, are posted
    words = post(client, body(thuong_thanh().pk, male=None, male_by_age=["mười"] * 18))
    number = post(client, body(thuong_thanh().pk, female_by_age=5))
    # then both are refused as bad requests
    assert (words.status_code, number.status_code) == (400, 400)


def test_post_for_a_unit_outside_the_scope_is_404(ward_officer: User) -> None:
    # when the officer of Thượng Thanh posts for Ngọc Thụy, or for a unit that is not
    response = post(api(ward_officer), body(ngoc_thuy().pk))
    missing = post(api(ward_officer), body(10**9))
    # then both are 404, and nothing is stored
    assert (response.status_code, missing.status_code) == (404, 404)
    assert not PopulationFigure.objects.exists()


def test_post_by_a_viewer_is_403(hanoi_viewer: User) -> None:
    # given a viewer of Hà Nội, who sees Thượng Thanh
    client = api(hanoi_viewer)
    assert client.get(URL, {"date": "2024-06-30"}).status_code == 200
    # when they post a figure for it
    response = post(client, body(thuong_thanh().pk))
    # then it is forbidden
    assert response.status_code == 403
    assert not PopulationFigure.objects.exists()


def test_a_unit_number_too_large_for_the_database_is_400(hanoi_officer: User) -> None:
    # found by the schema fuzzer: a 30-digit unit id reached the database (OverflowError)
    response = post(api(hanoi_officer), body(10**30))
    assert response.status_code == 400
    assert "unit" in response.json()


def test_a_year_out_of_bounds_is_400(
    hanoi_officer: User, figures: dict[str, PopulationFigure]
) -> None:
    # found by the schema fuzzer: year 0 reached the date arithmetic (ValueError)
    unit_id = next(iter(figures.values())).unit_id
    response = post(api(hanoi_officer), body(unit_id, year=0))
    assert response.status_code == 400
    assert "year" in response.json()
