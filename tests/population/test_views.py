"""The screens through the test client: list, form, detail and import, in the reader's
scope, on the working date given by ``?date=``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from danso.accounts.models import User
from danso.population.models import PopulationFigure
from danso.population.views import UPLOAD_KEY
from tests.population.conftest import (
    FEMALE,
    FEMALE_AGES,
    GROUPS,
    HEADERS,
    MALE,
    MALE_AGES,
    TOTAL,
    ngoc_thuy,
    save,
    template_row,
    thuong_thanh,
    truc_bach,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db

ON = {"date": "2024-06-30"}


def form_data(**changes: object) -> dict[str, Any]:
    """A consistent POST of the figure form for 2024, with ``changes`` applied."""
    data: dict[str, Any] = {
        "year": 2024,
        "total": TOTAL,
        "male": MALE,
        "female": FEMALE,
        "open_age": 85,
        "source": "Sổ A0",
        "note": "nhập tay",
    }
    for index in range(GROUPS):
        data[f"m_{index}"] = MALE_AGES[index]
        data[f"f_{index}"] = FEMALE_AGES[index]
    data.update(changes)
    return data


def edit_url(unit_id: int) -> str:
    return reverse("population:edit", args=[unit_id]) + "?date=2024-06-30"


@pytest.fixture
def uploads(settings: Settings, tmp_path: Path) -> Path:
    """Uploads waiting for confirmation go to a temporary folder, not to var/."""
    settings.DATA_DIR = tmp_path
    return tmp_path / "uploads"


# ---------------------------------------------------------------- list


def test_list_shows_the_figures_of_the_year_in_scope(
    hanoi_officer: User, client_for: Callable[[User], Client]
) -> None:
    # given figures of two wards for 2024 and one for 2023
    save(thuong_thanh(), 2024)
    save(ngoc_thuy(), 2024, total=None, male=1, female=2, male_by_age=None, female_by_age=None)
    save(truc_bach(), 2023)
    # when the province officer opens the list for 2024
    response = client_for(hanoi_officer).get(reverse("population:list"), {**ON, "year": "2024"})
    # then both 2024 wards are listed with Vietnamese number formatting, not 2023's
    assert response.status_code == 200
    page = response.content.decode()
    assert "Phường Thượng Thanh" in page
    assert "Phường Ngọc Thụy" in page
    assert "Phường Trúc Bạch" not in page
    assert "38.106" in page
    assert response.context["year"] == 2024
    assert response.context["years"] == [2024, 2023]
    assert response.context["can_edit"] is True


def test_list_defaults_to_the_newest_year_and_filters_by_level(
    hanoi_officer: User, client_for: Callable[[User], Client]
) -> None:
    # given a ward figure for 2023 and 2024
    save(thuong_thanh(), 2023)
    save(thuong_thanh(), 2024, source="mới")
    client = client_for(hanoi_officer)
    # when the list is opened without a year
    response = client.get(reverse("population:list"), ON)
    # then it shows 2024
    assert response.context["year"] == 2024
    assert [f.source for f in response.context["page"]] == ["mới"]
    # and filtering on districts shows nothing
    districts = client.get(reverse("population:list"), {**ON, "level": "district"})
    assert list(districts.context["page"]) == []


def test_list_shows_a_ward_officer_only_their_ward(
    ward_officer: User, client_for: Callable[[User], Client]
) -> None:
    # given figures for the officer's ward and the next one
    save(thuong_thanh(), 2024)
    save(ngoc_thuy(), 2024)
    # when the officer of Thượng Thanh opens the list
    response = client_for(ward_officer).get(reverse("population:list"), ON)
    # then only their ward is shown
    page = response.content.decode()
    assert [f.unit_id for f in response.context["page"]] == [thuong_thanh().pk]
    assert "Phường Ngọc Thụy" not in page


def test_viewer_sees_the_list_without_the_import_link(
    hanoi_viewer: User, client_for: Callable[[User], Client]
) -> None:
    save(thuong_thanh(), 2024)
    response = client_for(hanoi_viewer).get(reverse("population:list"), ON)
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    assert reverse("population:import") not in response.content.decode()


# ---------------------------------------------------------------- edit form


def test_edit_form_is_prefilled_with_the_stored_figure(
    ward_officer: User, client_for: Callable[[User], Client]
) -> None:
    # given a stored 2024 figure of the officer's ward
    save(thuong_thanh(), 2024, source="Niên giám", note="ghi chú")
    # when the officer opens the form for 2024
    response = client_for(ward_officer).get(
        reverse("population:edit", args=[thuong_thanh().pk]), {**ON, "year": "2024"}
    )
    # then the form holds the stored numbers, age groups included
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert (initial["year"], initial["total"], initial["male"], initial["female"]) == (
        2024,
        TOTAL,
        MALE,
        FEMALE,
    )
    assert (initial["source"], initial["note"]) == ("Niên giám", "ghi chú")
    assert [initial[f"m_{i}"] for i in range(GROUPS)] == MALE_AGES
    assert [initial[f"f_{i}"] for i in range(GROUPS)] == FEMALE_AGES
    page = response.content.decode()
    assert f'value="{TOTAL}"' in page
    assert "Phường Thượng Thanh" in page


def test_edit_form_for_a_new_year_is_empty(
    ward_officer: User, client_for: Callable[[User], Client]
) -> None:
    response = client_for(ward_officer).get(
        reverse("population:edit", args=[thuong_thanh().pk]), ON
    )
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert initial == {"year": 2024, "open_age": 85}


def test_posting_the_form_saves_and_goes_to_the_detail(
    ward_officer: User, client_for: Callable[[User], Client]
) -> None:
    # given the officer of Thượng Thanh
    client = client_for(ward_officer)
    # when they post consistent figures
    response = client.post(edit_url(thuong_thanh().pk), form_data())
    # then the figure is stored, by them, and they land on its page
    figure = PopulationFigure.objects.get(unit=thuong_thanh(), year=2024)
    assert response.status_code == 302
    assert response["Location"] == reverse("population:detail", args=[figure.pk])
    assert (figure.total, figure.male_by_age, figure.female_by_age) == (
        TOTAL,
        MALE_AGES,
        FEMALE_AGES,
    )
    assert (figure.source, figure.note, figure.updated_by_id) == (
        "Sổ A0",
        "nhập tay",
        ward_officer.pk,
    )


def test_posting_only_the_sexes_fills_the_total(
    ward_officer: User, client_for: Callable[[User], Client]
) -> None:
    # given a form with males and females, no total and no age groups
    data = {"year": 2024, "male": 10, "female": 12, "open_age": 85, "source": "", "note": ""}
    # when posted
    response = client_for(ward_officer).post(edit_url(thuong_thanh().pk), data)
    # then the total is their sum
    assert response.status_code == 302
    figure = PopulationFigure.objects.get(unit=thuong_thanh())
    assert (figure.total, figure.male_by_age) == (22, None)


def test_posting_inconsistent_totals_rerenders_with_errors(
    ward_officer: User, client_for: Callable[[User], Client]
) -> None:
    # given a stored figure
    stored = save(thuong_thanh(), 2024)
    # when the form is posted with a total that is not males + females
    response = client_for(ward_officer).post(
        edit_url(thuong_thanh().pk), form_data(total=TOTAL + 1, source="sai")
    )
    # then the form comes back with an error on the total, and nothing is saved
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["total"]
    assert str(TOTAL + 1) in form.errors["total"][0]
    stored.refresh_from_db()
    assert (stored.total, stored.source) == (TOTAL, "Niên giám thống kê")
    assert stored.history.count() == 1


def test_posting_age_groups_that_do_not_add_up_rerenders_with_errors(
    ward_officer: User, client_for: Callable[[User], Client]
) -> None:
    response = client_for(ward_officer).post(
        edit_url(thuong_thanh().pk), form_data(m_0=MALE_AGES[0] + 1)
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not PopulationFigure.objects.exists()


def test_posting_some_age_groups_only_rerenders_with_errors(
    ward_officer: User, client_for: Callable[[User], Client]
) -> None:
    response = client_for(ward_officer).post(edit_url(thuong_thanh().pk), form_data(f_3=""))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not PopulationFigure.objects.exists()


def test_posting_a_negative_number_is_refused_by_the_form(
    ward_officer: User, client_for: Callable[[User], Client]
) -> None:
    response = client_for(ward_officer).post(edit_url(thuong_thanh().pk), form_data(male=-1))
    assert response.status_code == 200
    assert "male" in response.context["form"].errors
    assert not PopulationFigure.objects.exists()


def test_ward_officer_gets_403_for_another_wards_form(
    ward_officer: User, client_for: Callable[[User], Client]
) -> None:
    # given the officer of Thượng Thanh
    client = client_for(ward_officer)
    # when they open or post the form of Ngọc Thụy
    opened = client.get(edit_url(ngoc_thuy().pk))
    posted = client.post(edit_url(ngoc_thuy().pk), form_data())
    # then both are refused and nothing is saved
    assert (opened.status_code, posted.status_code) == (403, 403)
    assert not PopulationFigure.objects.exists()


def test_viewer_gets_403_for_the_form(
    hanoi_viewer: User, client_for: Callable[[User], Client]
) -> None:
    response = client_for(hanoi_viewer).get(edit_url(thuong_thanh().pk))
    assert response.status_code == 403


def test_edit_form_of_a_unit_that_does_not_exist_on_the_date_is_404(
    hanoi_officer: User, client_for: Callable[[User], Client]
) -> None:
    # Phường Trúc Bạch closed on 30/6/2025
    response = client_for(hanoi_officer).get(
        reverse("population:edit", args=[truc_bach().pk]), {"date": "2025-08-01"}
    )
    assert response.status_code == 404


# ---------------------------------------------------------------- detail


def test_detail_shows_the_figure_its_age_groups_and_history(
    ward_officer: User, client_for: Callable[[User], Client]
) -> None:
    # given a figure saved, then corrected
    figure = save(thuong_thanh(), 2024)
    save(thuong_thanh(), 2024, source="Điều tra")
    # when the officer opens it
    response = client_for(ward_officer).get(reverse("population:detail", args=[figure.pk]), ON)
    # then it shows the unit, the formatted total, the age groups and both versions
    assert response.status_code == 200
    page = response.content.decode()
    assert "Phường Thượng Thanh" in page
    assert "38.106" in page
    assert "85+" in page
    assert response.context["has_ages"] is True
    assert response.context["pyramid"]["male"] == MALE_AGES
    assert len(response.context["history"]) == 2
    assert response.context["can_edit"] is True


def test_detail_of_another_ward_is_403(
    ward_officer: User, client_for: Callable[[User], Client]
) -> None:
    figure = save(ngoc_thuy(), 2024)
    response = client_for(ward_officer).get(reverse("population:detail", args=[figure.pk]), ON)
    assert response.status_code == 403


def test_detail_for_a_viewer_offers_no_correction(
    hanoi_viewer: User, client_for: Callable[[User], Client]
) -> None:
    figure = save(thuong_thanh(), 2024)
    response = client_for(hanoi_viewer).get(reverse("population:detail", args=[figure.pk]), ON)
    assert response.status_code == 200
    assert response.context["can_edit"] is False


# ---------------------------------------------------------------- import


def upload(rows: list[list[object]], name: str = "dan-so.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx_bytes(rows))


def test_import_check_then_confirm(
    ward_officer: User, client_for: Callable[[User], Client], uploads: Path
) -> None:
    # given the officer of Thượng Thanh and a file with their ward
    client = client_for(ward_officer)
    url = reverse("population:import") + "?date=2024-06-30"
    assert client.get(url).status_code == 200
    # when they check it (dry run)
    checked = client.post(url, {"file": upload([HEADERS, template_row("115")]), "dry_run": "on"})
    # then the report says one would be created, nothing is written, and the
    # confirm button is offered
    assert checked.status_code == 200
    report = checked.context["report"]
    assert (report.dry_run, report.errors) == (True, [])
    assert report.created == {"created": 1, "updated": 0, "unchanged": 0}
    assert 'name="confirm"' in checked.content.decode()
    assert not PopulationFigure.objects.exists()
    assert len(list(uploads.iterdir())) == 1
    # when they confirm
    confirmed = client.post(url, {"confirm": "1"})
    # then the figure is written, the upload removed, and they go to the list
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("population:list")
    figure = PopulationFigure.objects.get(unit=thuong_thanh(), year=2024)
    assert (figure.total, figure.updated_by_id) == (TOTAL, ward_officer.pk)
    assert list(uploads.iterdir()) == []
    assert UPLOAD_KEY not in client.session


def test_import_with_errors_shows_where_and_offers_no_confirm(
    ward_officer: User, client_for: Callable[[User], Client], uploads: Path
) -> None:
    # given a file with the officer's ward and the next one (outside their scope)
    client = client_for(ward_officer)
    url = reverse("population:import") + "?date=2024-06-30"
    rows: list[list[object]] = [HEADERS, template_row("115"), template_row("118")]
    # when they check it
    checked = client.post(url, {"file": upload(rows, "long-bien.xlsx"), "dry_run": "on"})
    # then line 3 is reported by file, line and column, and no confirm is offered
    page = checked.content.decode()
    assert [(p.file, p.line, p.column) for p in checked.context["report"].errors] == [
        ("long-bien.xlsx", 3, "code")
    ]
    assert "Phường Ngọc Thụy" in page
    assert 'name="confirm"' not in page
    assert UPLOAD_KEY not in client.session
    # and a confirm without a pending upload writes nothing
    client.post(url, {"confirm": "1"})
    assert not PopulationFigure.objects.exists()


def test_import_without_dry_run_writes_at_once(
    ward_officer: User, client_for: Callable[[User], Client], uploads: Path
) -> None:
    response = client_for(ward_officer).post(
        reverse("population:import") + "?date=2024-06-30",
        {"file": upload([HEADERS, template_row("115")])},
    )
    assert response.status_code == 302
    assert PopulationFigure.objects.filter(unit=thuong_thanh()).count() == 1


def test_viewer_cannot_import(
    hanoi_viewer: User, client_for: Callable[[User], Client], uploads: Path
) -> None:
    # given a viewer of Hà Nội
    client = client_for(hanoi_viewer)
    url = reverse("population:import") + "?date=2024-06-30"
    # when they open the page or post a file
    opened = client.get(url)
    posted = client.post(url, {"file": upload([HEADERS, template_row("115")])})
    # then both are refused and nothing is written
    assert (opened.status_code, posted.status_code) == (403, 403)
    assert not PopulationFigure.objects.exists()
