"""The pure reference builder, on the real official files (no database)."""

from datetime import date
from pathlib import Path

import pytest

from danso.units.codes import Level
from danso.units.reference import NoteKind, ReferencePlan, build_plan, read_manifest

MANIFEST = Path(__file__).resolve().parents[2] / "data" / "units" / "MANIFEST.json"


@pytest.fixture(scope="module")
def plan() -> ReferencePlan:
    return build_plan(read_manifest(MANIFEST))


@pytest.mark.parametrize(
    ("day", "provinces", "districts", "communes"),
    [
        (date(2024, 6, 30), 63, 705, 10598),
        (date(2025, 3, 1), 63, 696, 10051),
        (date(2025, 8, 1), 34, 0, 3321),
        (date(2023, 5, 6), 0, 0, 0),  # before the first snapshot: nothing is claimed
    ],
)
def test_each_snapshot_is_a_dated_version_of_the_tree(
    plan: ReferencePlan, day: date, provinces: int, districts: int, communes: int
) -> None:
    assert plan.count_on(day, Level.PROVINCE) == provinces
    assert plan.count_on(day, Level.DISTRICT) == districts
    assert plan.count_on(day, Level.COMMUNE) == communes


def test_provinces_with_unchanged_territory_keep_their_identity(plan: ReferencePlan) -> None:
    hanoi = plan.entities[("pre2025", Level.PROVINCE, "1")]
    assert hanoi.valid_from == date(2023, 5, 7)
    assert hanoi.valid_to is None  # one unit from 2023 on, through the 2025 reform
    assert ("2025", Level.PROVINCE, "1") not in plan.entities


def test_merged_provinces_close_and_name_their_successor(plan: ReferencePlan) -> None:
    # Hà Giang (02) merged into Tuyên Quang (08) on 1/7/2025.
    ha_giang = plan.entities[("pre2025", Level.PROVINCE, "2")]
    assert ha_giang.valid_to == date(2025, 6, 30)
    successors = [s for s in plan.successions if s.predecessor == ha_giang.key]
    assert [(s.successor, s.partial) for s in successors] == [
        (("2025", Level.PROVINCE, "8"), False)
    ]


def test_a_rename_between_snapshots_is_a_new_version_of_the_same_unit(
    plan: ReferencePlan,
) -> None:
    hue = plan.entities[("pre2025", Level.PROVINCE, "46")]
    assert [(v.name, v.valid_from) for v in hue.versions[:2]] == [
        ("Tỉnh Thừa Thiên Huế", date(2023, 5, 7)),
        ("Thành phố Huế", date(2025, 1, 1)),
    ]


def test_split_commune_has_four_partial_successors(plan: ReferencePlan) -> None:
    dien_bien = ("pre2025", Level.COMMUNE, "19")
    successors = sorted(
        (s.successor[2], s.partial) for s in plan.successions if s.predecessor == dien_bien
    )
    assert successors == [("190", True), ("226", True), ("4", True), ("70", True)]


def test_codes_reused_after_the_reform_are_different_units(plan: ReferencePlan) -> None:
    old = plan.entities[("pre2025", Level.COMMUNE, "4")]
    new = plan.entities[("2025", Level.COMMUNE, "4")]
    assert (old.versions[-1].name, old.valid_to) == ("Phường Trúc Bạch", date(2025, 6, 30))
    assert (new.versions[0].name, new.valid_from) == ("Phường Ba Đình", date(2025, 7, 1))


def test_rows_that_cannot_be_applied_are_reported_not_guessed(plan: ReferencePlan) -> None:
    assert any(
        n.kind is NoteKind.OLD_MISSING and n.params == {"code": "3980", "day": "2025-06-30"}
        for n in plan.problems
    )
    assert any(
        n.kind is NoteKind.NO_PREDECESSOR and n.params["name"] == "Đặc khu Côn Đảo"
        for n in plan.problems
    )
