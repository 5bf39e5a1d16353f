"""The screens beside the dashboards: entering a paper commune's counts, and the
definitions of the indicators."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.indicators.models import EnteredFigures
from danso.register.models import Person
from danso.units.codes import Level
from tests.conftest import unit_at

pytestmark = pytest.mark.django_db
ON = date(2024, 12, 31)


def test_a_commune_officer_enters_the_years_counts(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    officer = make_user("bode", Role.COMMUNE_OFFICER, Level.COMMUNE, "121", ON)
    ward = unit_at(Level.COMMUNE, "121", ON)
    url = reverse("indicators:entered", args=[ward.pk]) + "?period=2024&date=2024-12-31"
    client = client_for(officer)

    assert client.get(url).status_code == 200
    wrong = client.post(url, {"period": "2024", "births": "10", "births.M": "12", "P": "1.000"})
    assert wrong.status_code == 200  # shown again with the problem beside the field
    assert not EnteredFigures.objects.exists()

    saved = client.post(
        url, {"period": "2024", "births": "10", "births.M": "6", "births.F": "4", "P": "1.000"}
    )

    assert saved.status_code == 302
    row = EnteredFigures.objects.get(unit=ward, period="2024")
    assert row.counts == {"births": 10, "births.M": 6, "births.F": 4, "P": 1000}
    assert row.entered_by == officer
    assert row.history.count() == 1


def test_only_units_in_scope_and_below_the_district(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    officer = make_user("bode", Role.COMMUNE_OFFICER, Level.COMMUNE, "121", ON)
    client = client_for(officer)
    other = unit_at(Level.COMMUNE, "118", ON)
    district = unit_at(Level.DISTRICT, "004", ON)
    day = "?date=2024-12-31"

    assert client.get(reverse("indicators:entered", args=[other.pk]) + day).status_code == 403
    district_officer = make_user("longbien", Role.DISTRICT_OFFICER, Level.DISTRICT, "004", ON)
    response = client_for(district_officer).get(
        reverse("indicators:entered", args=[district.pk]) + day
    )
    assert response.status_code == 404


def test_a_ward_with_a_register_shows_its_register_beside(
    book: dict[str, Person],
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    officer = make_user("ngocthuy", Role.COMMUNE_OFFICER, Level.COMMUNE, "118", ON)
    ward = unit_at(Level.COMMUNE, "118", ON)
    url = reverse("indicators:entered", args=[ward.pk]) + "?period=2024&date=2024-12-31"

    page = client_for(officer).get(url)

    assert page.status_code == 200
    assert page.context["has_register"]
    births = next(row for row in page.context["rows"] if row["key"] == "births")
    assert births["register"] == 1  # Giang, 10/05/2024


def test_the_definitions_page_lists_the_catalogue(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    reader = make_user("xem", Role.VIEWER, Level.PROVINCE, "01", ON)
    page = client_for(reader).get(reverse("indicators:definitions"), {"year": "2025"})
    assert page.status_code == 200
    codes = {i.code for i in page.context["indicators"]}
    assert {"CBR", "TFR", "SRB", "CPR", "NEWFP"} <= codes
    assert "NEWFP.iud" not in codes  # breakdowns are listed under their indicator
