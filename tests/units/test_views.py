"""The unit screens, through the HTTP interface."""

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.units import selectors, services
from danso.units.codes import Level
from danso.units.models import Unit, UnitVersion
from danso.units.scope import UnitScope
from tests.conftest import AFTER, BEFORE, unit_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def province(make_user: Callable[..., User], client_for: Callable[[User], Client]) -> Client:
    return client_for(make_user("hn", Role.PROVINCE_OFFICER, Level.PROVINCE, "1"))


def page(client: Client, name: str, unit: Unit, on: date = BEFORE, **params: str) -> str:
    response = client.get(reverse(name, args=[unit.pk]), {"date": on.isoformat(), **params})
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_unit_page_shows_everything_about_a_unit(province: Client) -> None:
    html = page(province, "units:detail", unit_at(Level.COMMUNE, "19", BEFORE))
    assert "Phường Điện Biên" in html
    assert "00019" in html
    assert "Quận Ba Đình" in html  # parent, in the breadcrumb
    assert "07/05/2023 – 30/06/2025" in html
    for successor in (
        "Phường Ba Đình",
        "Phường Hoàn Kiếm",
        "Phường Ô Chợ Dừa",
        "Phường Văn Miếu - Quốc Tử Giám",
    ):
        assert successor in html


def test_hanoi_before_2025_has_a_map_of_its_30_districts(province: Client) -> None:
    hanoi = unit_at(Level.PROVINCE, "1", BEFORE)
    html = page(province, "units:detail", hanoi)
    assert 'id="unit-map"' in html
    assert "echarts-5.6.0.min.js" in html
    geo = province.get(reverse("units:children_geojson", args=[hanoi.pk]), {"date": "2024-06-30"})
    assert len(geo.json()["features"]) == 30
    after = page(province, "units:detail", hanoi, AFTER)
    assert 'id="unit-map"' not in after


def test_a_unit_that_did_not_exist_says_when_it_did(province: Client) -> None:
    old = unit_at(Level.COMMUNE, "19", BEFORE)
    response = province.get(reverse("units:detail", args=[old.pk]), {"date": "2025-08-01"})
    assert response.status_code == 404
    assert "07/05/2023 – 30/06/2025" in response.content.decode()


def test_search_ignores_diacritics(province: Client) -> None:
    html = province.get(reverse("units:search"), {"q": "ung hoa", "date": "2024-06-30"})
    assert "Huyện Ứng Hòa" in html.content.decode()
    picker = province.get(
        reverse("units:search"), {"q": "long bien", "picker": "1", "date": "2024-06-30"}
    )
    assert "Quận Long Biên" in picker.content.decode()
    assert "<html" not in picker.content.decode()  # a fragment for htmx


def test_tree_fragments_expand_one_level(province: Client) -> None:
    html = page(province, "units:children", unit_at(Level.DISTRICT, "4", BEFORE))
    assert html.count("<li>") == 14


def test_a_commune_officer_adds_a_village_through_the_form(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    client = client_for(make_user("w", Role.COMMUNE_OFFICER, Level.COMMUNE, "115"))
    ward = unit_at(Level.COMMUNE, "115", BEFORE)
    response = client.post(
        reverse("units:village_create", args=[ward.pk]) + "?date=2024-06-30",
        {
            "name": "Tổ dân phố 5",
            "type": "tổ dân phố",
            "code": "00115-05",
            "valid_from": "01/01/2024",
            "decision": "",
        },
    )
    assert response.status_code == 302
    village = UnitVersion.objects.get(code="00115-05")
    assert village.valid_from == date(2024, 1, 1)
    assert village.change is not None
    assert village.change.created_by is not None
    assert village.change.created_by.username == "w"


def test_form_errors_are_shown_and_nothing_is_written(province: Client) -> None:
    ward = unit_at(Level.COMMUNE, "115", BEFORE)
    before = UnitVersion.objects.count()
    response = province.post(
        reverse("units:village_create", args=[ward.pk]) + "?date=2024-06-30",
        {"name": "Tổ 1", "type": "tổ dân phố", "code": "X1", "valid_from": "01/01/2020"},
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert UnitVersion.objects.count() == before


def test_rename_merge_and_split_through_the_forms(province: Client) -> None:
    an, binh, cuong = (unit_at(Level.COMMUNE, code, AFTER) for code in ("4", "8", "70"))
    response = province.post(
        reverse("units:rename", args=[an.pk]) + "?date=2025-08-01",
        {
            "name": "Phường Ba Đình Mới",
            "type": "phường",
            "code": "00004",
            "effective": "01/01/2026",
            "decision": "NQ thử",
        },
    )
    assert response.status_code == 302
    response = province.post(
        reverse("units:merge", args=[an.pk]) + "?date=2026-01-15",
        {
            "others": [UnitVersion.objects.get(unit=binh).pk],
            "mode": "this",
            "effective": "01/02/2026",
            "decision": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    response = province.post(
        reverse("units:split", args=[cuong.pk]) + "?date=2026-01-15",
        {
            "parts": "99101 | Phường Hoàn Kiếm Bắc | phường\n99102 | Phường Hoàn Kiếm Nam | phường",
            "effective": "01/03/2026",
            "decision": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    scope = UnitScope.system(date(2026, 3, 1))
    hanoi = selectors.resolve_code(Level.PROVINCE, "1", scope)
    names = {v.name for v in selectors.children_on(hanoi, scope)}
    assert {"Phường Ba Đình Mới", "Phường Hoàn Kiếm Bắc", "Phường Hoàn Kiếm Nam"} <= names
    assert "Phường Hoàn Kiếm" not in names
    assert len(names) == 126 - 1 - 1 + 2
    # and the city as it stood on 1/8/2025 is untouched
    old = UnitScope.system(AFTER)
    assert (
        len(list(selectors.children_on(selectors.resolve_code(Level.PROVINCE, "1", old), old)))
        == 126
    )


def test_the_reference_page_lists_the_source_notes(province: Client) -> None:
    html = province.get(reverse("units:reference")).content.decode()
    assert "3980" in html  # an unknown old commune in the official conversion table


def test_a_village_is_moved_to_its_new_ward_through_the_form(province: Client) -> None:
    # given a residential group of Phường Ngọc Thụy, which was split on 1/7/2025
    village = services.village_create(
        commune=unit_at(Level.COMMUNE, "118", BEFORE),
        code="NT-9",
        name="Tổ dân phố 9",
        type="tổ dân phố",
        valid_from=date(2024, 1, 1),
    )
    # when the province officer opens "move" on its last day, the form proposes 1/7/2025
    page = province.get(reverse("units:move", args=[village.pk]), {"date": "2025-06-30"})
    assert 'value="01/07/2025"' in page.content.decode()
    bo_de = UnitVersion.objects.get(unit=unit_at(Level.COMMUNE, "118", AFTER))
    response = province.post(
        reverse("units:move", args=[village.pk]) + "?date=2025-06-30",
        {"parent": bo_de.pk, "effective": "01/07/2025", "decision": "QĐ của UBND phường"},
    )
    # then the village continues under Phường Bồ Đề, with one history
    assert response.status_code == 302, response.content.decode()[:1500]
    moved = selectors.unit_on(village.pk, UnitScope.system(AFTER))
    assert moved.parent_id == bo_de.unit_id
    assert Unit.objects.get(pk=village.pk).valid_to is None
