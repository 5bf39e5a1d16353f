"""The reference data in the database, checked against the acceptance figures."""

from datetime import date

import pytest
from django.conf import settings

from danso.units import selectors
from danso.units.codes import Level
from danso.units.imports import reference_load
from danso.units.models import Unit, UnitVersion
from danso.units.scope import UnitScope
from danso.units.services import check_tree
from tests.conftest import AFTER, BEFORE, EARLY_2025

pytestmark = pytest.mark.django_db


def counts(code: str, level: Level, on: date) -> dict[str, dict[str, int]]:
    scope = UnitScope.system(on)
    root = selectors.resolve_code(level, code, scope)
    return selectors.level_counts(root, scope)


@pytest.mark.parametrize(
    ("on", "districts", "communes", "long_bien"),
    [(BEFORE, 30, 579, 14), (EARLY_2025, 30, 526, 13)],
)
def test_hanoi_before_the_reform(on: date, districts: int, communes: int, long_bien: int) -> None:
    hanoi = counts("01", Level.PROVINCE, on)
    assert hanoi["district"]["total"] == districts
    assert hanoi["commune"]["total"] == communes
    assert counts("004", Level.DISTRICT, on)["commune"]["total"] == long_bien


def test_hanoi_and_vietnam_after_the_reform() -> None:
    hanoi = counts("01", Level.PROVINCE, AFTER)
    assert "district" not in hanoi
    assert hanoi["commune"] == {"total": 126, "phường": 51, "xã": 75}
    scope = UnitScope.system(AFTER)
    country = selectors.versions_on(AFTER).get(unit__level=Level.COUNTRY)
    vietnam = selectors.level_counts(country, scope)
    assert vietnam["province"]["total"] == 34
    assert vietnam["commune"]["total"] == 3321


def test_a_code_means_what_it_meant_on_the_day() -> None:
    before = selectors.resolve_code(Level.COMMUNE, "4", UnitScope.system(BEFORE))
    after = selectors.resolve_code(Level.COMMUNE, "00004", UnitScope.system(AFTER))
    assert before.name == "Phường Trúc Bạch"
    assert after.name == "Phường Ba Đình"
    assert before.unit_id != after.unit_id


def test_a_code_that_did_not_exist_says_when_it_did() -> None:
    with pytest.raises(selectors.UnitNotFound) as error:
        selectors.resolve_code(Level.COMMUNE, "19", UnitScope.system(AFTER))
    assert "07/05/2023–30/06/2025" in str(error.value)
    assert "Phường Điện Biên" in str(error.value)


def test_split_commune_successors_and_predecessors() -> None:
    dien_bien = selectors.resolve_code(Level.COMMUNE, "19", UnitScope.system(date(2025, 6, 30)))
    links = selectors.successors(dien_bien.unit)
    assert [(link.version.display_code, link.succession.partial) for link in links] == [
        ("00004", True),
        ("00070", True),
        ("00190", True),
        ("00226", True),
    ]
    ba_dinh = links[0].version.unit
    assert dien_bien.unit_id in {link.version.unit_id for link in selectors.predecessors(ba_dinh)}


def test_the_loaded_tree_keeps_its_invariants() -> None:
    assert check_tree() == []


def test_loading_again_changes_nothing() -> None:
    units, versions = Unit.objects.count(), UnitVersion.objects.count()
    result = reference_load(settings.REFERENCE_MANIFEST)
    assert not result.loaded
    assert (Unit.objects.count(), UnitVersion.objects.count()) == (units, versions)


def test_hanoi_districts_have_their_boundaries() -> None:
    scope = UnitScope.system(BEFORE)
    hanoi = selectors.resolve_code(Level.PROVINCE, "1", scope)
    geo = selectors.geometries_of_children(hanoi, scope)
    assert len(geo["features"]) == 30
    assert {f["properties"]["name"] for f in geo["features"]} >= {"Quận Long Biên", "Huyện Ứng Hòa"}
    # After the reform Hà Nội's children are communes, which have no boundaries offline.
    after = selectors.resolve_code(Level.PROVINCE, "1", UnitScope.system(AFTER))
    assert selectors.geometries_of_children(after, UnitScope.system(AFTER))["features"] == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("long bien", "Quận Long Biên"),
        ("ung hoa", "Huyện Ứng Hòa"),
        ("ỨNG HOÀ", "Huyện Ứng Hòa"),
        ("004", "Quận Long Biên"),
    ],
)
def test_search_ignores_diacritics_and_tone_position(query: str, expected: str) -> None:
    found = selectors.search_units(query, UnitScope.system(BEFORE), level=Level.DISTRICT)
    assert found[0].name == expected
