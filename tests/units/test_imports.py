"""Conversion tables and boundaries imported from files."""

import json
from datetime import date

import pytest

from danso.units import selectors, services
from danso.units.codes import Level
from danso.units.imports import conversion_import, geojson_import
from danso.units.models import Unit, UnitGeometry, UnitSuccession, UnitVersion
from danso.units.scope import UnitScope
from tests.builders import build_tree

pytestmark = pytest.mark.django_db
HEADER = (
    "old_commune_code,old_district_code,old_province_code,old_partly_merged,"
    "new_commune_code,new_province_code\n"
)
EFFECTIVE = date(2026, 1, 1)


@pytest.fixture
def communes() -> dict[str, Unit]:
    tree = build_tree(
        {
            ("province", "99", "Tỉnh Thử", "tỉnh"): {
                ("commune", "99001", "Xã Cũ Một", "xã"): {},
                ("commune", "99002", "Xã Cũ Hai", "xã"): {},
            },
        },
        valid_from=date(2025, 7, 1),
    )
    # the new commune exists from 1/1/2026 (created by a user, e.g. from a new list)
    tree["99003"] = services.unit_create(
        level=Level.COMMUNE,
        parent=tree["99"],
        code="99003",
        name="Xã Mới",
        type="xã",
        valid_from=EFFECTIVE,
    )
    return tree


def test_a_conversion_table_closes_old_communes_and_records_successors(
    communes: dict[str, Unit],
) -> None:
    village = services.village_create(
        commune=communes["99001"],
        code="V1",
        name="Thôn Một",
        type="thôn",
        valid_from=date(2025, 8, 1),
    )
    table = HEADER + "99001,,99,0,99003,99\n99002,,99,0,99003,99\n"
    report = conversion_import(table.encode(), file_name="t.csv", effective=EFFECTIVE)
    assert report.errors == []
    assert report.created == {"successions": 2, "closed": 2}
    assert UnitSuccession.objects.filter(successor=communes["99003"]).count() == 2
    scope = UnitScope.system(EFFECTIVE)
    assert selectors.unit_on(village.pk, scope).parent_id == communes["99003"].pk
    assert services.check_tree() == []


def test_a_bad_row_is_reported_by_line_and_column_and_nothing_changes(
    communes: dict[str, Unit],
) -> None:
    before = (UnitSuccession.objects.count(), UnitVersion.objects.count())
    table = HEADER + "99001,,99,0,99003,99\n99009,,99,0,99003,99\n99002,,99,2,99003,99\n"
    report = conversion_import(table.encode(), file_name="t.csv", effective=EFFECTIVE)
    where = [(p.line, p.column) for p in report.errors]
    assert where == [(3, "old_commune_code"), (4, "old_partly_merged")]
    assert (UnitSuccession.objects.count(), UnitVersion.objects.count()) == before


def test_a_dry_run_writes_nothing(communes: dict[str, Unit]) -> None:
    before = UnitSuccession.objects.count()
    table = HEADER + "99001,,99,1,99003,99\n"
    report = conversion_import(table.encode(), file_name="t.csv", effective=EFFECTIVE, dry_run=True)
    assert report.created["successions"] == 1
    assert UnitSuccession.objects.count() == before


def test_missing_columns_are_named(communes: dict[str, Unit]) -> None:
    report = conversion_import(b"old,new\n1,2\n", file_name="t.csv", effective=EFFECTIVE)
    assert report.errors[0].line == 1
    assert "old_commune_code" in (report.errors[0].column or "")


def test_boundaries_are_imported_by_code(communes: dict[str, Unit]) -> None:
    square = {
        "type": "Polygon",
        "coordinates": [[[105, 21], [105.1, 21], [105.1, 21.1], [105, 21]]],
    }
    data = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"ma": "99001"}, "geometry": square},
            {"type": "Feature", "properties": {"ma": "99002"}, "geometry": square},
        ],
    }
    report = geojson_import(
        json.dumps(data).encode(),
        file_name="x.geojson",
        level=Level.COMMUNE,
        on=date(2025, 8, 1),
        code_property="ma",
        source="test",
    )
    assert report.created == {"boundaries": 2}
    again = geojson_import(
        json.dumps(data).encode(),
        file_name="x.geojson",
        level=Level.COMMUNE,
        on=date(2025, 8, 1),
        code_property="ma",
        source="test",
    )
    assert again.created == {"boundaries": 2}
    assert UnitGeometry.objects.filter(source="test").count() == 2  # replaced, not doubled


def test_a_boundary_with_an_unknown_code_stops_the_import(communes: dict[str, Unit]) -> None:
    data = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "99001"},
                "geometry": {"type": "Polygon", "coordinates": []},
            },
            {
                "type": "Feature",
                "properties": {"code": "98765"},
                "geometry": {"type": "Polygon", "coordinates": []},
            },
        ],
    }
    report = geojson_import(
        json.dumps(data).encode(),
        file_name="x.geojson",
        level=Level.COMMUNE,
        on=date(2025, 8, 1),
        source="bad",
    )
    assert [(p.line, p.column) for p in report.errors] == [(2, "code")]
    assert not UnitGeometry.objects.filter(source="bad").exists()
