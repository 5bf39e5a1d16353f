from collections.abc import Callable

import pytest
from django.test import Client

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.units.codes import Level

pytestmark = pytest.mark.django_db


def test_home_lists_the_persons_units_and_roles(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    client = client_for(make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4"))
    html = client.get("/", {"date": "2024-06-30"}).content.decode()
    assert "Quận Long Biên" in html
    assert "14" in html  # wards below


def test_home_after_the_district_closed_says_what_its_role_still_reaches(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    # A role at a closed district reaches only what was under it (here, no village moved),
    # never the wards that took it over (issue 11); the page says so.
    client = client_for(make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4"))
    html = client.get("/", {"date": "2025-08-01"}).content.decode()
    assert "Quận Long Biên không còn tồn tại sau ngày 30/06/2025" in html
    assert "Phường Bồ Đề" not in html
    assert "Phường Việt Hưng" not in html


def test_a_user_without_roles_is_told_what_to_do(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    html = client_for(make_user("nobody")).get("/").content.decode()
    assert "quản trị" in html.lower()


def test_recent_changes_are_those_of_the_persons_units(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    from datetime import date

    from danso.units import services
    from tests.conftest import BEFORE, unit_at

    services.village_create(
        commune=unit_at(Level.COMMUNE, "115", BEFORE),
        code="TT-A",
        name="Tổ dân phố A",
        type="tổ dân phố",
        valid_from=date(2024, 1, 1),
    )
    services.village_create(
        commune=unit_at(Level.COMMUNE, "118", BEFORE),
        code="NT-A",
        name="Tổ dân phố B",
        type="tổ dân phố",
        valid_from=date(2024, 1, 1),
    )
    client = client_for(make_user("tt", Role.COMMUNE_OFFICER, Level.COMMUNE, "115"))
    html = client.get("/", {"date": "2024-06-30"}).content.decode()
    assert "Tổ dân phố A" in html
    assert "Tổ dân phố B" not in html
