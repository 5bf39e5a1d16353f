"""Structural changes: villages, renames, moves, merges, splits, closures."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from danso.units import selectors, services
from danso.units.codes import Level
from danso.units.models import Unit, UnitChange, UnitSuccession, UnitVersion
from danso.units.scope import UnitScope
from tests.builders import build_tree
from tests.conftest import AFTER, BEFORE, unit_at

pytestmark = pytest.mark.django_db

JAN_2024 = date(2024, 1, 1)


@pytest.fixture
def district() -> dict[str, Unit]:
    return build_tree(
        {
            ("province", "99", "Tỉnh Thử Nghiệm", "tỉnh"): {
                ("district", "991", "Huyện Một", "huyện"): {
                    ("commune", "90001", "Xã An", "xã"): {},
                    ("commune", "90002", "Xã Bình", "xã"): {},
                    ("commune", "90003", "Xã Cường", "xã"): {},
                },
                ("district", "992", "Huyện Hai", "huyện"): {},
            },
        }
    )


def name_on(unit: Unit, on: date) -> str:
    return selectors.unit_on(unit.pk, UnitScope.system(on)).name


def children_on(unit: Unit, on: date) -> list[str]:
    scope = UnitScope.system(on)
    return [v.name for v in selectors.children_on(selectors.unit_on(unit.pk, scope), scope)]


def test_structural_changes_keep_every_earlier_date_as_it_was(district: dict[str, Unit]) -> None:
    # given a district of three communes on 1/6/2023
    rows_before = UnitVersion.objects.count()
    an, binh, cuong = district["90001"], district["90002"], district["90003"]

    # when a user adds a village, renames, merges and splits on later dates
    village = services.village_create(
        commune=an, code="90001-01", name="Thôn Đông", type="thôn", valid_from=JAN_2024
    )
    services.unit_rename(unit=an, effective=date(2024, 3, 1), name="Xã An Hòa", decision="NQ thử 1")
    merged = services.units_merge(units=[an, binh], effective=date(2024, 7, 1), into=an)
    parts = services.unit_split(
        unit=cuong,
        effective=date(2024, 9, 1),
        parts=[
            services.NewUnit("90004", "Xã Cường Bắc", "xã"),
            services.NewUnit("90005", "Xã Cường Nam", "xã"),
        ],
    )

    # then each date shows the structure of its time
    assert children_on(district["991"], date(2023, 12, 31)) == ["Xã An", "Xã Bình", "Xã Cường"]
    assert children_on(district["991"], date(2024, 3, 1)) == ["Xã An Hòa", "Xã Bình", "Xã Cường"]
    assert children_on(district["991"], date(2024, 7, 1)) == ["Xã An Hòa", "Xã Cường"]
    assert children_on(district["991"], date(2024, 9, 1)) == [
        "Xã An Hòa",
        "Xã Cường Bắc",
        "Xã Cường Nam",
    ]
    assert name_on(an, date(2024, 2, 29)) == "Xã An"
    assert children_on(an, date(2024, 2, 1)) == ["Thôn Đông"]
    assert merged == an
    assert selectors.successors(binh)[0].version.unit_id == an.pk
    assert [link.succession.partial for link in selectors.successors(cuong)] == [True, True]
    assert {link.version.unit_id for link in selectors.successors(cuong)} == {p.pk for p in parts}
    # and nothing was deleted: every version that existed still does, only shortened
    assert UnitVersion.objects.count() > rows_before
    binh.refresh_from_db()
    assert binh.valid_to == date(2024, 6, 30)
    assert village.versions.count() == 1
    assert services.check_tree() == []


def test_merge_into_a_new_unit_moves_the_villages(district: dict[str, Unit]) -> None:
    an, binh = district["90001"], district["90002"]
    thon = services.village_create(
        commune=binh, code="90002-01", name="Thôn Bến", type="thôn", valid_from=JAN_2024
    )
    new = services.units_merge(
        units=[an, binh],
        effective=date(2025, 1, 1),
        new=services.NewUnit("90009", "Xã An Bình", "xã"),
    )
    assert children_on(new, date(2025, 1, 1)) == ["Thôn Bến"]
    assert children_on(binh, date(2024, 12, 31)) == ["Thôn Bến"]
    assert [v.parent_id for v in thon.versions.order_by("valid_from")] == [binh.pk, new.pk]
    assert UnitChange.objects.filter(kind=UnitChange.Kind.MERGE).count() == 1
    assert services.check_tree() == []


def test_split_sends_each_village_where_it_is_told(district: dict[str, Unit]) -> None:
    cuong = district["90003"]
    first = services.village_create(
        commune=cuong, code="C1", name="Thôn 1", type="thôn", valid_from=JAN_2024
    )
    second = services.village_create(
        commune=cuong, code="C2", name="Thôn 2", type="thôn", valid_from=JAN_2024
    )
    north, south = services.unit_split(
        unit=cuong,
        effective=date(2024, 9, 1),
        parts=[
            services.NewUnit("90004", "Xã Cường Bắc", "xã"),
            services.NewUnit("90005", "Xã Cường Nam", "xã"),
        ],
        children={first.pk: 0, second.pk: 1},
    )
    assert children_on(north, date(2024, 9, 1)) == ["Thôn 1"]
    assert children_on(south, date(2024, 9, 1)) == ["Thôn 2"]


def test_split_refuses_to_leave_a_village_without_a_commune(district: dict[str, Unit]) -> None:
    cuong = district["90003"]
    services.village_create(
        commune=cuong, code="C1", name="Thôn 1", type="thôn", valid_from=JAN_2024
    )
    with pytest.raises(ValidationError, match="Thôn 1"):
        services.unit_split(
            unit=cuong,
            effective=date(2024, 9, 1),
            parts=[
                services.NewUnit("90004", "Xã Bắc", "xã"),
                services.NewUnit("90005", "Xã Nam", "xã"),
            ],
        )
    assert Unit.objects.filter(versions__code="90004").count() == 0  # rolled back


def test_a_rename_entered_late_holds_until_the_next_rename(district: dict[str, Unit]) -> None:
    an = district["90001"]
    services.unit_rename(unit=an, effective=date(2024, 6, 1), name="Xã An Lạc")
    services.unit_rename(unit=an, effective=date(2024, 3, 1), name="Xã An Khang")
    assert name_on(an, date(2024, 2, 1)) == "Xã An"
    assert name_on(an, date(2024, 4, 1)) == "Xã An Khang"
    assert name_on(an, date(2024, 6, 1)) == "Xã An Lạc"


def test_moving_a_commune_carries_its_villages(district: dict[str, Unit]) -> None:
    an = district["90001"]
    village = services.village_create(
        commune=an, code="A1", name="Thôn A", type="thôn", valid_from=JAN_2024
    )
    services.unit_move(unit=an, parent=district["992"], effective=date(2024, 5, 1))
    scope = UnitScope.system(date(2024, 5, 1))
    moved = selectors.unit_on(village.pk, scope)
    two = selectors.unit_on(district["992"].pk, scope)
    assert moved.path.startswith(two.path)
    old = selectors.unit_on(village.pk, UnitScope.system(date(2024, 4, 30)))
    assert not old.path.startswith(two.path)
    assert services.check_tree() == []


def test_codes_are_unique_within_a_level_at_any_time(district: dict[str, Unit]) -> None:
    services.village_create(
        commune=district["90001"], code="T1", name="Thôn 1", type="thôn", valid_from=JAN_2024
    )
    with pytest.raises(ValidationError, match=r"đã được .* sử dụng"):
        services.village_create(
            commune=district["90002"], code="T1", name="Thôn 1", type="thôn", valid_from=JAN_2024
        )
    with pytest.raises(ValidationError, match=r"đã được .* sử dụng"):
        services.unit_create(
            level=Level.COMMUNE,
            parent=district["991"],
            code="90002",
            name="Xã Trùng",
            type="xã",
            valid_from=JAN_2024,
        )


def test_levels_must_fit(district: dict[str, Unit]) -> None:
    with pytest.raises(ValidationError, match="không thể trực thuộc"):
        services.unit_create(
            level=Level.DISTRICT,
            parent=district["991"],
            code="999",
            name="Huyện Sai",
            type="huyện",
            valid_from=JAN_2024,
        )
    with pytest.raises(ValidationError, match="chỉ được tạo trực thuộc xã"):
        services.village_create(
            commune=district["991"], code="X", name="Thôn X", type="thôn", valid_from=JAN_2024
        )


def test_structural_changes_come_after_the_last_recorded_one(district: dict[str, Unit]) -> None:
    an, binh = district["90001"], district["90002"]
    services.units_merge(units=[an, binh], effective=date(2024, 7, 1), into=an)
    with pytest.raises(ValidationError):
        services.unit_move(unit=binh, parent=district["992"], effective=date(2024, 8, 1))


# ------------------------------------------------------------------ on the real 2025 reform


def test_a_village_keeps_its_history_across_the_2025_reform() -> None:
    # given a residential group of Phường Ngọc Thụy (Long Biên), created in 2023
    ngoc_thuy = unit_at(Level.COMMUNE, "118", BEFORE)
    village = services.village_create(
        commune=ngoc_thuy,
        code="T-NT-1",
        name="Tổ dân phố 1",
        type="tổ dân phố",
        valid_from=date(2023, 6, 1),
    )
    # Ngọc Thụy was split in the reform, so the village closes with it ...
    village.refresh_from_db()
    assert village.valid_to == date(2025, 6, 30)
    # when it is moved to its new ward on 1/7/2025
    bo_de = unit_at(Level.COMMUNE, "118", AFTER)  # the same code now means Phường Bồ Đề
    services.unit_move(unit=village, parent=bo_de, effective=date(2025, 7, 1))
    # then it is one village with its whole history under both wards
    village.refresh_from_db()
    assert village.valid_from == date(2023, 6, 1)
    assert village.valid_to is None
    assert children_on(ngoc_thuy, BEFORE) == ["Tổ dân phố 1"]
    assert children_on(bo_de, AFTER) == ["Tổ dân phố 1"]
    long_bien_2024 = selectors.resolve_code(Level.DISTRICT, "4", UnitScope.system(BEFORE))
    assert selectors.unit_on(village.pk, UnitScope.system(BEFORE)).path.startswith(
        long_bien_2024.path
    )


def test_a_village_of_a_wholly_merged_commune_follows_it() -> None:
    # Phường Trúc Bạch (4) went wholly into Phường Ba Đình (new 4) on 1/7/2025.
    truc_bach = unit_at(Level.COMMUNE, "4", BEFORE)
    links = selectors.successors(truc_bach)
    assert [(link.version.name, link.succession.partial) for link in links] == [
        ("Phường Ba Đình", False)
    ]
    village = services.village_create(
        commune=truc_bach,
        code="TB-1",
        name="Tổ dân phố 1",
        type="tổ dân phố",
        valid_from=date(2024, 1, 1),
    )
    assert (
        selectors.unit_on(village.pk, UnitScope.system(AFTER)).parent_id == links[0].version.unit_id
    )
    assert UnitSuccession.objects.filter(predecessor=village).count() == 0
