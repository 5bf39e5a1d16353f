"""The hand-made book (``data/book``): it imports with no error, writes what the services
would write, imports again with nothing changed, and reads the same from a workbook or a
.zip; ``partial`` imports the good rows of a book with errors."""

from __future__ import annotations

import shutil
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

from danso.register import services
from danso.register.exchange import copy_folder_to_workbook, parse_birth
from danso.register.importing import STAGE_LABELS, register_import
from danso.register.models import Event, Household, HouseholdPlacement, Membership, Person
from danso.register.vocabulary import EventType
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from tests.conftest import BEFORE, unit_at
from tests.register.conftest import (
    HANDMADE,
    Rows,
    _event,
    counts,
    errors_at,
    import_book,
    read_table,
    warnings_at,
)

pytestmark = pytest.mark.django_db

SIZES = {
    "units": len(read_table(HANDMADE, "units")),
    "households": len(read_table(HANDMADE, "households")),
    "persons": len(read_table(HANDMADE, "persons")),
    "events": len(read_table(HANDMADE, "events")),
}


def test_the_handmade_book_imports_with_no_error() -> None:
    report = register_import(HANDMADE)
    assert report.errors == []
    assert warnings_at(report) == {("persons.csv", 1, "nghe_nghiep")}  # kept as extra
    assert report.imported == SIZES
    ngoc_thuy = unit_at(Level.COMMUNE, "118", BEFORE)
    villages = UnitVersion.objects.filter(valid_on(BEFORE), parent=ngoc_thuy)
    assert sorted(villages.values_list("code", "name", "type")) == [
        ("00118-TDP01", "Tổ dân phố 1", "tổ dân phố"),
        ("00118-TDP02", "Tổ dân phố 2", "tổ dân phố"),
    ]
    assert Person.objects.exclude(extra={}).count() > 0


def test_households_sit_in_their_village_from_the_opening_of_the_book() -> None:
    register_import(HANDMADE)
    assert set(HouseholdPlacement.objects.values_list("valid_from", flat=True)) == {
        date(2021, 1, 1)
    }
    household = Household.objects.get(source_id="NT-H002")
    assert household.unit.versions.get().code == "00118-TDP02"


def test_events_count_where_the_services_would_count_them() -> None:
    register_import(HANDMADE)
    events = Event.objects.select_related("person")
    assert events.count() == SIZES["events"]
    for event in events:
        day = event.event_date
        if event.event_type == EventType.MOVE_WITHIN:
            stay = services.membership_on(event.person, day - timedelta(days=1))
        else:
            stay = services.membership_on(event.person, day)
        assert stay is not None, event.source_id
        unit_id = services.household_unit_on(stay.household, day)
        assert (event.unit_id, event.path) == (unit_id, services.unit_path_on(unit_id, day))


def test_memberships_follow_births_deaths_and_moves() -> None:
    register_import(HANDMADE)
    stays: dict[str, list[tuple[str, date, date | None]]] = defaultdict(list)
    for person, household, start, end in Membership.objects.order_by("valid_from").values_list(
        "person__source_id", "household__source_id", "valid_from", "valid_to"
    ):
        stays[person].append((household, start, end))
    persons = {row["person_id"]: row for row in read_table(HANDMADE, "persons")}
    seen = set()
    for row in read_table(HANDMADE, "events"):
        day = date.fromisoformat(row["event_date"])
        kind, person = row["event_type"], row["person_id"]
        if kind in ("death", "move_out"):
            assert stays[person][-1][2] == day
        elif kind == "move_within":
            assert stays[person][-2][2] == day - timedelta(days=1)
            assert stays[person][-1] == (row["to_household_id"], day, None)
        elif kind == "move_in":
            assert stays[person][0][1] == day
        elif kind == "birth":
            child = row["child_person_id"]
            mother = [s for s in stays[person] if s[1] <= day and (s[2] is None or day <= s[2])]
            assert stays[child][0][:2] == (mother[0][0], day)
            assert parse_birth(persons[child]["birth_date"]) == (day, "day")
        seen.add(kind)
    assert {"death", "move_out", "move_within", "move_in", "birth"} <= seen


def test_the_marital_status_follows_marriages_and_divorces() -> None:
    register_import(HANDMADE)
    last: dict[str, str] = {}
    for row in sorted(read_table(HANDMADE, "events"), key=lambda r: r["event_date"]):
        if row["event_type"] in ("marriage", "divorce"):
            last[row["person_id"]] = "co_vo_chong" if row["event_type"] == "marriage" else "ly_hon"
    assert len(last) > 5
    statuses = dict(Person.objects.values_list("source_id", "marital_status"))
    assert {pid: statuses[pid] for pid in last} == last


def test_importing_again_changes_nothing() -> None:
    register_import(HANDMADE)
    before = counts()
    again = register_import(HANDMADE)
    assert again.errors == []
    assert again.imported == dict.fromkeys(SIZES, 0)
    assert again.unchanged == SIZES
    assert counts() == before


def test_a_dry_run_writes_nothing() -> None:
    before = counts()
    report = register_import(HANDMADE, dry_run=True)
    assert report.imported == SIZES
    assert counts() == before


def test_the_workbook_reads_like_the_folder(tmp_path: Path) -> None:
    copy_folder_to_workbook(HANDMADE, tmp_path / "book.xlsx")
    report = register_import(tmp_path / "book.xlsx")
    assert report.errors == []
    assert report.imported == SIZES
    assert warnings_at(report) == {("book.xlsx:persons", 1, "nghe_nghiep")}


def test_a_zip_reads_like_the_folder(tmp_path: Path) -> None:
    archive = shutil.make_archive(str(tmp_path / "book"), "zip", HANDMADE)
    report = register_import(Path(archive))
    assert report.errors == []
    assert report.imported == SIZES


def test_progress_goes_through_every_stage() -> None:
    seen: list[tuple[str, int, int]] = []
    register_import(HANDMADE, progress=lambda stage, done, total: seen.append((stage, done, total)))
    stages = list(dict.fromkeys(stage for stage, _done, _total in seen))
    # the handmade book is of format 1.0: no placements.csv (test_exchange_history)
    assert stages == [stage for stage in STAGE_LABELS if stage != "placements"]
    assert all(0 <= done <= total for _stage, done, total in seen)
    assert seen[-1] == ("write_events", SIZES["events"], SIZES["events"])


def test_partial_imports_the_good_rows(tmp_path: Path, small: dict[str, Rows]) -> None:
    small["persons"][2]["birth_date"] = "31/02/2010"  # P3, line 4
    small["events"].append(_event("E6", "premarital_check", "2024-05-01", "P3"))  # line 7
    small["events"][2]["event_type"] = "tiem_chung"  # E3, line 4
    before = counts()
    report = import_book(tmp_path / "book", small, partial=True)
    assert errors_at(report) == {
        ("persons.csv", 4, "birth_date"),
        ("events.csv", 4, "event_type"),
        ("events.csv", 7, "person_id"),
    }
    assert report.imported == {"units": 1, "households": 2, "persons": 5, "events": 4}
    after = counts()
    assert (after["persons"] - before["persons"], after["events"] - before["events"]) == (5, 4)
    assert not Person.objects.filter(source_id="P3").exists()
    assert not Event.objects.filter(source_id__in=["E3", "E6"]).exists()


def test_without_partial_the_same_book_writes_nothing(
    tmp_path: Path, small: dict[str, Rows]
) -> None:
    small["events"][2]["event_type"] = "tiem_chung"
    before = counts()
    report = import_book(tmp_path / "book", small)
    assert report.imported == dict.fromkeys(SIZES, 0)
    assert counts() == before
