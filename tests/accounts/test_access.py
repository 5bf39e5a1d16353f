"""A commune officer of one Long Biên ward reaches neither another ward nor Hoàn Kiếm:
not through the screens, not through the API, not through the CLI."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import CommandError
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.units.codes import Level
from tests.conftest import BEFORE, unit_at

pytestmark = pytest.mark.django_db

UNIT_PAGES = [
    "detail",
    "children",
    "children_geojson",
    "village_create",
    "rename",
    "move",
    "merge",
    "split",
    "close",
]


@pytest.fixture
def ward_officer(make_user: Callable[..., User]) -> User:
    return make_user("thuongthanh", Role.COMMUNE_OFFICER, Level.COMMUNE, "115")  # Thượng Thanh


@pytest.fixture
def others() -> dict[str, int]:
    return {
        "other ward": unit_at(Level.COMMUNE, "118", BEFORE).pk,  # Ngọc Thụy, same district
        "Hoàn Kiếm": unit_at(Level.DISTRICT, "2", BEFORE).pk,
        "Long Biên": unit_at(Level.DISTRICT, "4", BEFORE).pk,  # their own district: above them
    }


@pytest.mark.parametrize("page", UNIT_PAGES)
def test_screens_refuse_other_units(
    ward_officer: User, others: dict[str, int], client_for: Callable[[User], Client], page: str
) -> None:
    client = client_for(ward_officer)
    for unit_id in others.values():
        response = client.get(reverse(f"units:{page}", args=[unit_id]), {"date": "2024-06-30"})
        assert response.status_code == 403, (page, unit_id)
    own = unit_at(Level.COMMUNE, "115", BEFORE).pk
    assert (
        client.get(reverse("units:detail", args=[own]), {"date": "2024-06-30"}).status_code == 200
    )


def test_population_screens_refuse_other_units(
    ward_officer: User, others: dict[str, int], client_for: Callable[[User], Client]
) -> None:
    client = client_for(ward_officer)
    for unit_id in others.values():
        response = client.get(reverse("population:edit", args=[unit_id]), {"date": "2024-06-30"})
        assert response.status_code == 403


def test_search_and_tree_show_only_their_ward(
    ward_officer: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(ward_officer)
    found = client.get(reverse("units:search"), {"q": "phuong", "date": "2024-06-30"})
    assert "Phường Thượng Thanh" in found.content.decode()
    assert "Phường Ngọc Thụy" not in found.content.decode()
    assert (
        "Hoàn Kiếm"
        not in client.get(
            reverse("units:search"), {"q": "hoan kiem", "date": "2024-06-30"}
        ).content.decode()
    )
    tree = client.get(reverse("units:tree"), {"date": "2024-06-30"}).content.decode()
    assert "Phường Thượng Thanh" in tree
    assert "Phường Ngọc Thụy" not in tree


def test_api_answers_404_for_other_units(ward_officer: User, others: dict[str, int]) -> None:
    client = Client(headers={"Authorization": f"Token {Token.objects.create(user=ward_officer)}"})
    for unit_id in others.values():
        assert client.get(f"/api/v1/units/{unit_id}/", {"date": "2024-06-30"}).status_code == 404
    listing = client.get("/api/v1/units/", {"date": "2024-06-30", "level": "commune"}).json()
    assert [row["name"] for row in listing["results"]] == ["Phường Thượng Thanh"]
    figures = client.get("/api/v1/population/", {"date": "2024-06-30"}).json()
    assert figures["count"] == 0


def test_cli_refuses_other_units(ward_officer: User, run_cli: Callable[..., Any]) -> None:
    for code, level in (("118", "commune"), ("2", "district"), ("4", "district")):
        with pytest.raises(CommandError, match="ngoài phạm vi"):
            run_cli(
                "units",
                "resolve",
                code,
                "--level",
                level,
                "--date",
                "2024-06-30",
                "--user",
                ward_officer.username,
            )
    own = run_cli(
        "units",
        "resolve",
        "115",
        "--level",
        "commune",
        "--date",
        "2024-06-30",
        "--user",
        ward_officer.username,
    )
    assert own["name"] == "Phường Thượng Thanh"
    with pytest.raises(CommandError, match="ngoài phạm vi"):
        run_cli(
            "units",
            "tree",
            "--root",
            "4",
            "--level",
            "district",
            "--date",
            "2024-06-30",
            "--user",
            ward_officer.username,
        )


def test_anonymous_requests_are_sent_to_login_or_refused(client: Client) -> None:
    hanoi = unit_at(Level.PROVINCE, "1", BEFORE).pk
    for url in [
        "/",
        reverse("units:tree"),
        reverse("units:detail", args=[hanoi]),
        reverse("units:search") + "?q=ha",
        reverse("population:list"),
        reverse("population:export"),
        reverse("accounts:users"),
        reverse("units:reference"),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), url
    for url in ["/api/v1/units/", f"/api/v1/units/{hanoi}/", "/api/v1/population/", "/api/schema/"]:
        assert client.get(url).status_code in (401, 403), url
    assert client.get(reverse("login")).status_code == 200
