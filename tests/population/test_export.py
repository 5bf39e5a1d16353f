"""The .xlsx export: the template's columns, one row per unit in the reader's scope, and a
file that imports back unchanged."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.population.exports import figures_workbook
from danso.population.models import PopulationFigure
from danso.population.services import figures_import, template_headers
from danso.units import selectors
from danso.units.codes import Level
from danso.units.models import UnitVersion
from danso.units.scope import UnitScope
from tests.conftest import BEFORE
from tests.population.conftest import FEMALE_AGES, MALE_AGES, TOTAL, save

pytestmark = pytest.mark.django_db


def sheet_rows(content: bytes) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return rows


def long_bien_wards() -> list[UnitVersion]:
    district = selectors.resolve_code(Level.DISTRICT, "4", UnitScope.system(BEFORE))
    return list(
        selectors.visible_versions(UnitScope.system(BEFORE))
        .filter(parent_id=district.unit_id, unit__level=Level.COMMUNE)
        .order_by("path")
    )


@pytest.fixture
def long_bien_officer(make_user: Callable[..., User]) -> User:
    return make_user("longbien", Role.DISTRICT_OFFICER, Level.DISTRICT, "4")


def test_workbook_has_the_template_headers_and_one_row_per_unit() -> None:
    # given two wards, one with a figure
    first, second = long_bien_wards()[:2]
    figure = save(first.unit, 2024, source="Sổ A0")
    # when they are written to a workbook
    rows = sheet_rows(figures_workbook([(first, figure), (second, None)]))
    # then the header is the template's, the first ward is filled and the second empty
    assert list(rows[0]) == template_headers()
    assert list(rows[1]) == [
        "commune",
        first.display_code,
        first.name,
        2024,
        TOTAL,
        figure.male,
        figure.female,
        *MALE_AGES,
        *FEMALE_AGES,
        "Sổ A0",
    ]
    assert list(rows[2][:3]) == ["commune", second.display_code, second.name]
    assert all(value is None for value in rows[2][3:])


def test_export_view_answers_an_xlsx_of_the_readers_communes(
    long_bien_officer: User, client_for: Callable[[User], Client]
) -> None:
    # given the officer of Quận Long Biên
    client = client_for(long_bien_officer)
    # when they export the communes for 2024 on 30/6/2024
    response = client.get(
        reverse("population:export"), {"date": "2024-06-30", "year": "2024", "level": "commune"}
    )
    # then they get a workbook of exactly the wards of Long Biên, codes zero-padded
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "danso-dan-so-2024-commune.xlsx" in response["Content-Disposition"]
    rows = sheet_rows(response.content)
    assert list(rows[0]) == template_headers()
    wards = long_bien_wards()
    assert [row[1] for row in rows[1:]] == [v.display_code for v in wards]
    assert "00115" in [row[1] for row in rows[1:]]
    assert "Phường Thượng Thanh" in [row[2] for row in rows[1:]]


def export_and_import(officer: User, client: Client) -> Any:
    content = client.get(
        reverse("population:export"), {"date": "2024-06-30", "year": "2024"}
    ).content
    return figures_import(content, file_name="export.xlsx", user=officer)


def test_an_exported_file_imports_back_unchanged(
    long_bien_officer: User, client_for: Callable[[User], Client]
) -> None:
    # given figures with age groups for every ward of Long Biên
    wards = long_bien_wards()
    for index, ward in enumerate(wards):
        save(ward.unit, 2024, source=f"Nguồn {index}")
    stored = list(PopulationFigure.objects.order_by("pk").values())
    # when the officer exports them and imports the file again
    report = export_and_import(long_bien_officer, client_for(long_bien_officer))
    # then every row is unchanged and nothing was written
    assert report.problems == []
    assert report.created == {"created": 0, "updated": 0, "unchanged": len(wards)}
    assert list(PopulationFigure.objects.order_by("pk").values()) == stored


def test_an_exported_file_with_totals_only_imports_back_unchanged(
    long_bien_officer: User, client_for: Callable[[User], Client]
) -> None:
    # given every ward of Long Biên with a figure, every other one without age groups
    wards = long_bien_wards()
    for index, ward in enumerate(wards):
        if index % 2:
            save(
                ward.unit,
                2024,
                total=1000 + index,
                male=None,
                female=None,
                male_by_age=None,
                female_by_age=None,
            )
        else:
            save(ward.unit, 2024)
    # when the officer exports them and imports the file again
    report = export_and_import(long_bien_officer, client_for(long_bien_officer))
    # then every row is unchanged
    assert report.errors == []
    assert report.created == {"created": 0, "updated": 0, "unchanged": len(wards)}


def test_an_export_with_units_lacking_figures_imports_back(
    long_bien_officer: User, client_for: Callable[[User], Client]
) -> None:
    # given figures for only one ward of Long Biên
    save(long_bien_wards()[0].unit, 2024)
    # when the export is imported back without filling the other rows
    report = export_and_import(long_bien_officer, client_for(long_bien_officer))
    # then the filled row is unchanged and the empty rows are no errors
    assert report.errors == []
    assert report.created["unchanged"] == 1


def test_export_shows_only_the_readers_scope(
    ward_officer: User, client_for: Callable[[User], Client]
) -> None:
    # given the officer of Phường Thượng Thanh
    # when they export the communes
    response = client_for(ward_officer).get(
        reverse("population:export"), {"date": "2024-06-30", "level": "commune"}
    )
    # then only their ward is in it
    rows = sheet_rows(response.content)
    assert [row[:3] for row in rows[1:]] == [("commune", "00115", "Phường Thượng Thanh")]
