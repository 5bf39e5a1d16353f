"""The screens and the API through the test client, in the reader's scope."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from danso.accounts.models import User
from danso.projections.method import BUILTIN_SCENARIOS, ProjectionResult
from danso.projections.models import LifeTable, Projection
from danso.projections.services import projection_create
from tests.projections.conftest import BASE, Register, ngoc_thuy, version_of

pytestmark = pytest.mark.django_db
Login = Callable[[User], Client]


def form(unit_id: int, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "unit": unit_id,
        "base_date": "01/01/2025",
        "to_year": 2030,
        "scenarios": ["constant", "tfr-2.1-2030"],
        "mortality": "default",
    }
    data.update(changes)
    return data


def made(user: User | None = None) -> Projection:
    return projection_create(
        version=version_of(ngoc_thuy()),
        base_date=BASE,
        to_year=2030,
        scenarios=[BUILTIN_SCENARIOS["constant"], BUILTIN_SCENARIOS["tfr-2.1-2030"]],
        user=user,
    )


def test_a_ward_officer_projects_the_ward_and_sees_two_scenarios_side_by_side(
    register: Register, ngoc_thuy_officer: User, client_for: Login
) -> None:
    client = client_for(ngoc_thuy_officer)
    # given the form on 1/3/2025 offers the officer's ward
    page = client.get(reverse("projections:new") + "?date=2025-03-01")
    assert page.status_code == 200
    assert "Phường Ngọc Thụy" in page.content.decode()
    # when the officer projects it under two scenarios
    response = client.post(reverse("projections:new"), form(ngoc_thuy().pk))
    # then the projection is stored and its page shows both, with where the inputs came from
    projection = Projection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("projections:detail", args=[projection.pk])
    detail = client.get(response["Location"])
    html = detail.content.decode()
    assert detail.status_code == 200
    assert html.count('class="sub num"') == 2 * 4  # four columns per scenario
    assert 'id="projection-data"' in html
    assert "Coale" in html  # the model life table is named
    assert [s.name for s in projection.scenarios.all()] == ["constant", "tfr-2.1-2030"]


def test_a_ward_officer_cannot_project_another_ward(
    register: Register, thuong_thanh_officer: User, client_for: Login
) -> None:
    # given the officer of Thượng Thanh
    client = client_for(thuong_thanh_officer)
    # when the form is opened, it does not offer Ngọc Thụy
    page = client.get(reverse("projections:new") + "?date=2025-03-01").content.decode()
    assert "Phường Thượng Thanh" in page
    assert "Phường Ngọc Thụy" not in page
    # and when they post a projection of Ngọc Thụy anyway, it is forbidden
    response = client.post(reverse("projections:new"), form(ngoc_thuy().pk))
    assert response.status_code == 403
    assert not Projection.objects.exists()
    # and they cannot open nor export Ngọc Thụy's projections
    projection = made()
    assert client.get(reverse("projections:detail", args=[projection.pk])).status_code == 403
    assert client.get(reverse("projections:export", args=[projection.pk])).status_code == 403
    assert projection.pk not in [
        p.pk for p in client.get(reverse("projections:list")).context["page"]
    ]


def test_the_api_lists_reads_and_makes_projections_in_scope(
    register: Register, ngoc_thuy_officer: User, thuong_thanh_officer: User, client_for: Login
) -> None:
    url = reverse("projection-list")
    own = client_for(ngoc_thuy_officer)
    created = own.post(
        url,
        {
            "unit": ngoc_thuy().pk,
            "base_date": "2025-01-01",
            "to_year": 2030,
            "scenarios": ["constant"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["scenarios"][0]["results"]["years"][-1]["year"] == 2030
    assert [p["id"] for p in own.get(url).json()["results"]] == [body["id"]]
    # a scenario of one's own is added through the API too
    added = own.post(
        reverse("projection-scenarios", args=[body["id"]]),
        {"name": "tfr-1.5", "tfr_target": 1.5, "tfr_year": 2028},
        content_type="application/json",
    )
    assert added.status_code == 201, added.content
    # the other ward's officer neither sees it nor projects Ngọc Thụy
    other = client_for(thuong_thanh_officer)
    assert other.get(url).json()["results"] == []
    assert other.get(reverse("projection-detail", args=[body["id"]])).status_code == 403
    refused = other.post(
        url,
        {"unit": ngoc_thuy().pk, "base_date": "2025-01-01", "to_year": 2030},
        content_type="application/json",
    )
    assert refused.status_code == 403


def test_the_xlsx_export_holds_the_figures(
    register: Register, ngoc_thuy_officer: User, client_for: Login
) -> None:
    # given a projection with two scenarios
    projection = made(ngoc_thuy_officer)
    # when it is exported
    response = client_for(ngoc_thuy_officer).get(
        reverse("projections:export", args=[projection.pk])
    )
    # then openpyxl opens it and the summary holds each scenario's 2030 figures
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    summary = book.worksheets[0]
    rows = list(summary.iter_rows(min_row=3, values_only=True))
    for scenario in projection.scenarios.all():
        year = ProjectionResult.from_dict(scenario.results).year(2030)
        row = next(r for r in rows if str(r[0]).startswith(scenario.name) and r[1] == 2030)
        assert row[2] == pytest.approx(round(year.total, 1))
        assert row[5] == pytest.approx(year.births)
        assert row[7] == pytest.approx(year.women_15_49)
        assert row[8] == pytest.approx(year.aged_60_plus)
    by_age = book.worksheets[1]
    assert [c.value for c in by_age[1]][3:5] == ["0-4", "5-9"]
    assert by_age.max_row == 1 + 2 * 2 * 6  # two scenarios, two sexes, 2025–2030


def test_scenarios_of_two_projections_of_a_unit_are_compared(
    register: Register, ngoc_thuy_officer: User, client_for: Login
) -> None:
    first, second = made(), made()
    ids = [first.scenarios.get(name="constant").pk, second.scenarios.get(name="tfr-2.1-2030").pk]
    client = client_for(ngoc_thuy_officer)
    page = client.get(reverse("projections:compare"), {"s": ids})
    assert page.status_code == 200
    assert len(page.context["chart"]["series"]) == 2
    export = client.get(reverse("projections:compare_export"), {"s": ids})
    assert load_workbook(io.BytesIO(export.content)).worksheets[0].max_row == 2 + 2 * 6


def test_a_scenario_of_one_s_own_is_added_on_screen(
    register: Register, ngoc_thuy_officer: User, client_for: Login
) -> None:
    projection = made()
    response = client_for(ngoc_thuy_officer).post(
        reverse("projections:detail", args=[projection.pk]),
        {"name": "tfr-1.8", "tfr_target": "1.8", "tfr_year": "2030", "migration": "zero",
         "migration_factor": "1"},
    )  # fmt: skip
    assert response.status_code == 302
    assert projection.scenarios.filter(name="tfr-1.8", migration="zero").exists()


def test_a_life_table_is_entered_and_chosen(
    register: Register, ngoc_thuy_officer: User, client_for: Login
) -> None:
    client = client_for(ngoc_thuy_officer)
    client.get("/", {"date": "2024-06-30"})  # working in 2024, when the ward stood
    male = " ".join(["0,02", "0,004", *["0,005"] * 15, "0,2", "6"])
    female = " ".join(["0,015", "0,003", *["0,004"] * 15, "0,15", "7"])
    response = client.post(
        reverse("projections:lifetable_new"),
        {"name": "Bảng sống thử", "kind": "nqx", "open_age": 85, "male": male, "female": female},
    )
    assert response.status_code == 302, response.content
    table = LifeTable.objects.get()
    assert "Bảng sống thử" in client.get(reverse("projections:lifetables")).content.decode()
    client.post(
        reverse("projections:new"),
        form(ngoc_thuy().pk, mortality="table", life_table=table.pk, scenarios=["constant"]),
    )
    projection = Projection.objects.get()
    assert projection.sources["mortality"]["kind"] == "table"
    assert projection.life_table == table
