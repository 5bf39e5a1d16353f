"""/api/v1/units/: dated, filtered, scoped; documented in the OpenAPI schema."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.units.codes import Level
from tests.conftest import BEFORE, unit_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(make_user: Callable[..., User]) -> Client:
    user = make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4")
    return Client(headers={"Authorization": f"Token {Token.objects.create(user=user)}"})


def get(client: Client, url: str, **params: Any) -> Any:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_list_filters_by_date_level_and_parent(api: Client) -> None:
    wards = get(api, "/api/v1/units/", date="2024-06-30", level="commune")
    assert wards["count"] == 14
    long_bien = unit_at(Level.DISTRICT, "4", BEFORE)
    children = get(api, "/api/v1/units/", date="2025-03-01", parent=long_bien.pk)
    assert children["count"] == 13
    assert children["results"][0]["code"] == "00115"


def test_search_ignores_diacritics(api: Client) -> None:
    found = get(api, "/api/v1/units/", date="2024-06-30", search="ngoc thuy")
    assert [r["name"] for r in found["results"]] == ["Phường Ngọc Thụy"]


def test_detail_has_parent_and_successors(api: Client) -> None:
    ward = unit_at(Level.COMMUNE, "118", BEFORE)
    body = get(api, f"/api/v1/units/{ward.pk}/", date="2024-06-30")
    assert body["name"] == "Phường Ngọc Thụy"
    assert body["parent"]["name"] == "Quận Long Biên"
    assert body["valid_to"] == "2025-06-30"
    assert {s["name"] for s in body["successors"]} >= {"Phường Bồ Đề"}
    assert all({"id", "effective", "partial"} <= set(s) for s in body["successors"])


def test_a_unit_on_a_day_it_did_not_exist_is_404(api: Client) -> None:
    ward = unit_at(Level.COMMUNE, "118", BEFORE)
    assert api.get(f"/api/v1/units/{ward.pk}/", {"date": "2025-08-01"}).status_code == 404


def test_bad_parameters_are_400(api: Client) -> None:
    assert api.get("/api/v1/units/", {"date": "30/06/2024"}).status_code == 400
    assert api.get("/api/v1/units/", {"level": "hamlet"}).status_code == 400


def test_session_authentication_works_too(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    client = client_for(make_user("hn", Role.PROVINCE_OFFICER, Level.PROVINCE, "1"))
    assert get(client, "/api/v1/units/", date="2024-06-30", level="district")["count"] == 30


def test_token_is_issued_for_a_password_and_refused_when_locked(
    make_user: Callable[..., User],
) -> None:
    make_user("tok", Role.PROVINCE_OFFICER, Level.PROVINCE, "1")
    client = Client()
    ok = client.post(
        "/api/v1/auth/token/", {"username": "tok", "password": "a-long-test-password-42"}
    )
    assert ok.status_code == 200
    assert ok.json()["token"]
    for _ in range(5):
        client.post("/api/v1/auth/token/", {"username": "tok", "password": "wrong"})
    locked = client.post(
        "/api/v1/auth/token/", {"username": "tok", "password": "a-long-test-password-42"}
    )
    assert locked.status_code == 400


def test_the_list_costs_a_fixed_number_of_queries(
    api: Client, django_assert_max_num_queries: Any
) -> None:
    # auth (token, user) + roles + the unit of each role + count + page: 6 whatever the size
    with django_assert_max_num_queries(8):
        get(api, "/api/v1/units/", date="2024-06-30")


def test_the_schema_documents_the_endpoints(api: Client) -> None:
    schema = api.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/units/", "/api/v1/units/{id}/", "/api/v1/population/"} <= set(paths)
    params = {p["name"] for p in paths["/api/v1/units/"]["get"]["parameters"]}
    assert {"date", "parent", "level", "search"} <= params
