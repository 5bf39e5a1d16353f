"""Format 1.1 (issue 14): a book that carries its villages' communes and its households'
placements over time, each code read on its own day, imports across the reform of
1/7/2025 (00118 is Ngọc Thụy before, Bồ Đề after); every unexpected state is a row
error, never a traceback."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from danso.register.importing import STAGE_LABELS
from danso.register.models import Event, Household, HouseholdPlacement
from danso.units.codes import Level
from danso.units.models import UnitVersion
from tests.conftest import unit_at
from tests.register.conftest import (
    Rows,
    counts,
    errors_at,
    import_book,
    small_book,
)

pytestmark = pytest.mark.django_db

OLD = date(2024, 6, 30)  # 00118: Phường Ngọc Thụy
NEW = date(2025, 7, 1)  # 00118: Phường Bồ Đề


def history_book() -> dict[str, Rows]:
    """The small book in format 1.1: its village in Ngọc Thụy, then in Bồ Đề; H2 sat in
    the ward itself until 2023, then in the village; and a check-up after the reform."""
    book = small_book()
    village = {"unit_code": "TDP01", "name": "Tổ dân phố 1", "village_id": "00118-TDP01"}
    book["units"] = [
        village
        | {
            "commune_code": "00118",
            "as_of": "2024-06-30",
            "valid_from": "2023-05-07",
            "valid_to": "2025-06-30",
        },
        village | {"commune_code": "00118", "as_of": "2025-07-01", "valid_from": "2025-07-01"},
    ]
    book["placements"] = [
        {
            "household_id": "H1",
            "commune_code": "00118",
            "village_code": "TDP01",
            "as_of": "2023-05-07",
            "valid_from": "2021-01-01",
            "valid_to": "2025-06-30",
        },
        {
            "household_id": "H1",
            "commune_code": "00118",
            "village_code": "TDP01",
            "as_of": "2025-07-01",
            "valid_from": "2025-07-01",
        },
        {
            "household_id": "H2",
            "commune_code": "00118",
            "village_code": "",
            "as_of": "2023-05-07",
            "valid_from": "2021-01-01",
            "valid_to": "2023-12-31",
        },
        {
            "household_id": "H2",
            "commune_code": "00118",
            "village_code": "TDP01",
            "as_of": "2024-01-01",
            "valid_from": "2024-01-01",
        },
    ]
    book["events"].append(
        {"event_id": "E6", "event_type": "elderly_checkup", "event_date": "2025-08-01"}
        | {"person_id": "P1"}
    )
    return book


def test_a_village_and_households_are_placed_as_the_book_says(tmp_path: Path) -> None:
    report = import_book(tmp_path, history_book())
    assert report.errors == []
    assert report.imported["units"] == 1
    ngoc_thuy, bo_de = unit_at(Level.COMMUNE, "118", OLD), unit_at(Level.COMMUNE, "118", NEW)
    versions = UnitVersion.objects.filter(code="00118-TDP01").order_by("valid_from")
    assert [(v.parent_id, v.valid_from, v.valid_to) for v in versions] == [
        (ngoc_thuy.pk, date(2023, 5, 7), date(2025, 6, 30)),
        (bo_de.pk, NEW, None),
    ]
    village = versions[0].unit_id
    assert list(
        HouseholdPlacement.objects.filter(household__source_id="H2")
        .order_by("valid_from")
        .values_list("unit_id", "valid_from", "valid_to")
    ) == [(ngoc_thuy.pk, date(2021, 1, 1), date(2023, 12, 31)), (village, date(2024, 1, 1), None)]
    assert Household.objects.get(source_id="H2").unit_id == village
    # each event counts where its household sat that day, in that day's tree
    assert Event.objects.get(source_id="E3").unit_id == village  # H2, 2024
    assert Event.objects.get(source_id="E3").path == versions[0].path
    assert Event.objects.get(source_id="E6").path == versions[1].path  # under Bồ Đề


def test_progress_goes_through_the_placements(tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    report = import_book(
        tmp_path,
        history_book(),
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )
    assert report.errors == []
    stages = list(dict.fromkeys(stage for stage, _done, _total in seen))
    assert stages == list(STAGE_LABELS)
    assert ("placements", 4, 4) in seen


def test_the_same_book_again_changes_nothing(tmp_path: Path) -> None:
    import_book(tmp_path / "one", history_book())
    before = counts()
    again = import_book(tmp_path / "two", history_book())
    assert again.errors == []
    assert sum(again.imported.values()) == 0
    assert again.unchanged["units"] == 1
    assert again.unchanged["households"] == 2
    assert counts() == before


def test_other_placements_than_danso_has_are_a_conflict(tmp_path: Path) -> None:
    import_book(tmp_path / "one", history_book())
    before = counts()
    book = history_book()
    book["placements"][3]["valid_from"] = "2024-02-01"
    book["placements"][2]["valid_to"] = "2024-01-31"
    report = import_book(tmp_path / "two", book)
    assert ("placements.csv", 4, "valid_from") in errors_at(report)
    assert sum(report.imported.values()) == 0
    assert counts() == before


def test_overlapping_placements_are_refused(tmp_path: Path) -> None:
    book = history_book()
    book["placements"][2]["valid_to"] = "2024-03-31"
    report = import_book(tmp_path, book)
    assert ("placements.csv", 5, "valid_from") in errors_at(report)
    assert not Household.objects.exists()


def test_a_placement_of_an_unknown_household_or_code_is_a_row_error(tmp_path: Path) -> None:
    book = history_book()
    book["placements"][0]["household_id"] = "H9"
    book["placements"][1]["commune_code"] = "99999"
    book["placements"][3]["valid_to"] = "2023-01-01"
    report = import_book(tmp_path, book)
    assert {
        ("placements.csv", 2, "household_id"),
        ("placements.csv", 3, "commune_code"),
        ("placements.csv", 5, "valid_to"),
    } <= errors_at(report)
    assert not Household.objects.exists()


def test_overlapping_village_rows_are_refused(tmp_path: Path) -> None:
    book = history_book()
    book["units"][1]["valid_from"] = "2025-06-01"
    book["units"][1]["as_of"] = "2025-07-01"
    report = import_book(tmp_path, book)
    assert ("units.csv", 3, "valid_from") in errors_at(report)
    assert not UnitVersion.objects.filter(code="00118-TDP01").exists()


def test_a_household_in_conflict_whose_members_are_in_danso_is_a_row_error(
    tmp_path: Path,
) -> None:
    """Issue 14: re-importing a book whose household differs from danso's crashed with
    a KeyError (the stored members' stays named a household the import had refused)."""
    import_book(tmp_path / "one", small_book())
    before = counts()
    book = small_book()
    book["households"][0]["address"] = "Số 7, ngõ 58 Ngọc Thụy"
    book["events"].append(
        {"event_id": "E7", "event_type": "elderly_checkup", "event_date": "2024-09-01"}
        | {"person_id": "P1"}
    )
    report = import_book(tmp_path / "two", book)
    assert ("households.csv", 2, "address") in errors_at(report)
    assert ("events.csv", 7, "person_id") in errors_at(report)  # a member of it
    assert counts() == before
