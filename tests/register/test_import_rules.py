"""One consistency rule per test: a book that breaks it is reported at its file, line and
column, and nothing is written (all or nothing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from danso.register.importing import register_import
from danso.register.models import Household
from danso.register.services import book_close
from danso.units.codes import Level
from danso.units.services import village_create
from tests.conftest import BEFORE, unit_at
from tests.register.conftest import (
    Rows,
    _event,
    _person,
    counts,
    errors_at,
    import_book,
    only,
    warnings_at,
)

pytestmark = pytest.mark.django_db

Book = dict[str, Rows]


def rejected(tmp_path: Path, book: Book) -> set[tuple[str, int | None, str | None]]:
    """Import ``book``; check that it wrote nothing; the places of its errors."""
    before = counts()
    report = import_book(tmp_path / "book", book)
    assert counts() == before
    assert report.imported == dict.fromkeys(report.imported, 0)
    assert report.errors
    return errors_at(report)


def test_the_small_book_is_valid(tmp_path: Path, small: Book) -> None:
    report = import_book(tmp_path / "book", small)
    assert report.problems == []
    assert report.imported == {"units": 1, "households": 2, "persons": 6, "events": 5}


# ---------------------------------------------------------------- events and persons


def test_the_person_of_an_event_must_exist(tmp_path: Path, small: Book) -> None:
    small["events"].append(_event("E6", "elderly_checkup", "2024-05-01", "P404"))
    assert ("events.csv", 7, "person_id") in rejected(tmp_path, small)


def test_an_event_cannot_come_before_the_birth(tmp_path: Path, small: Book) -> None:
    small["events"].append(_event("E6", "newborn_screening", "2024-03-01", "P5"))
    assert ("events.csv", 7, "event_date") in rejected(tmp_path, small)


def test_an_event_cannot_come_after_the_death(tmp_path: Path, small: Book) -> None:
    small["events"].append(_event("E6", "elderly_checkup", "2024-09-01", "P4"))
    assert ("events.csv", 7, "event_date") in rejected(tmp_path, small)


def test_a_mother_is_female(tmp_path: Path, small: Book) -> None:
    small["persons"].append(
        _person("P7", "H1", "Nguyễn Văn Em", "M", "2024-04-02", "con", "", "2024-04-02")
    )
    small["events"].append(
        _event("E6", "birth", "2024-04-02", "P1", child_person_id="P7", birth_order="1")
    )
    assert ("events.csv", 7, "person_id") in rejected(tmp_path, small)


def test_a_mother_is_between_10_and_60(tmp_path: Path, small: Book) -> None:
    small["persons"].append(_person("P7", "H2", "Lê Thị Nhỏ", "F", "2015-01-01", "chau", ""))
    small["persons"].append(
        _person("P8", "H2", "Lê Văn Bé", "M", "2024-04-02", "chau", "", "2024-04-02")
    )
    small["events"].append(
        _event("E6", "birth", "2024-04-02", "P7", child_person_id="P8", birth_order="1")
    )
    assert ("events.csv", 7, "person_id") in rejected(tmp_path, small)


def test_a_birth_order_is_at_least_1(tmp_path: Path, small: Book) -> None:
    small["events"][0]["birth_order"] = "0"
    assert ("events.csv", 2, "birth_order") in rejected(tmp_path, small)


def test_the_child_is_born_on_the_day_of_the_birth(tmp_path: Path, small: Book) -> None:
    child = only(small["persons"], person_id="P5")
    child["birth_date"] = child["registered_on"] = "2024-03-11"
    assert ("events.csv", 2, "child_person_id") in rejected(tmp_path, small)


def test_the_child_is_registered_in_the_mothers_household(tmp_path: Path, small: Book) -> None:
    only(small["persons"], person_id="P5")["household_id"] = "H2"
    assert ("events.csv", 2, "child_person_id") in rejected(tmp_path, small)


def test_no_event_while_registered_elsewhere(tmp_path: Path, small: Book) -> None:
    small["events"].append(_event("E6", "move_out", "2024-05-01", "P1", to_place="Bắc Ninh"))
    small["events"].append(_event("E7", "premarital_check", "2024-07-01", "P1"))
    assert ("events.csv", 8, "person_id") in rejected(tmp_path, small)


def test_no_event_before_moving_in(tmp_path: Path, small: Book) -> None:
    small["persons"].append(
        _person("P7", "H2", "Phạm Thị Gấm", "F", "1990-02-02", "khac", "", "2024-06-01")
    )
    small["events"].append(_event("E6", "move_in", "2024-06-01", "P7", from_place="Hải Dương"))
    small["events"].append(_event("E7", "contraception_start", "2024-05-01", "P7", method="pill"))
    assert ("events.csv", 8, "person_id") in rejected(tmp_path, small)


def test_a_move_within_goes_to_another_household(tmp_path: Path, small: Book) -> None:
    small["events"].append(_event("E6", "move_within", "2024-05-01", "P3", to_household_id="H404"))
    assert ("events.csv", 7, "to_household_id") in rejected(tmp_path, small)


def test_duplicate_event_ids_with_different_content_conflict(tmp_path: Path, small: Book) -> None:
    small["events"].append(_event("E3", "elderly_checkup", "2024-05-02", "P4"))
    found = rejected(tmp_path, small)
    assert {("events.csv", 4, "event_id"), ("events.csv", 7, "event_id")} <= found


def test_a_repeated_event_row_is_read_once(tmp_path: Path, small: Book) -> None:
    small["events"].append(dict(small["events"][2]))
    report = import_book(tmp_path / "book", small)
    assert not report.errors
    assert ("events.csv", 7, "event_id") in warnings_at(report)
    assert report.imported["events"] == 5


def test_duplicate_person_ids_with_different_content_conflict(tmp_path: Path, small: Book) -> None:
    small["persons"].append(_person("P3", "H1", "Nguyễn Thị Cúc", "F", "2010-05-02", "con", ""))
    assert ("persons.csv", 8, "person_id") in rejected(tmp_path, small)


def test_duplicate_household_ids_conflict(tmp_path: Path, small: Book) -> None:
    small["households"].append(dict(small["households"][0], address="Số 7"))
    assert ("households.csv", 4, "household_id") in rejected(tmp_path, small)


def test_unknown_event_types_are_reported(tmp_path: Path, small: Book) -> None:
    small["events"][2]["event_type"] = "tiem_chung"
    assert ("events.csv", 4, "event_type") in rejected(tmp_path, small)


def test_a_contraception_start_says_which_method(tmp_path: Path, small: Book) -> None:
    small["events"][3]["method"] = ""
    assert ("events.csv", 5, "method") in rejected(tmp_path, small)


# ---------------------------------------------------------------- columns and values


def test_required_columns_must_be_present(tmp_path: Path, small: Book) -> None:
    for person in small["persons"]:
        del person["sex"]
    assert ("persons.csv", 1, "sex") in rejected(tmp_path, small)


@pytest.mark.parametrize(
    ("table", "index", "column", "value"),
    [
        ("persons", 2, "birth_date", "31/02/2010"),
        ("persons", 2, "sex", "X"),
        ("persons", 2, "registered_on", "2021"),
        ("persons", 2, "relation_to_head", "hàng xóm"),
        ("events", 2, "event_date", "2024-13-01"),
        ("events", 3, "new_acceptor", "có"),
        ("events", 3, "method", "vòng"),
        ("households", 1, "household_type", "ho_lon"),
    ],
)
def test_values_must_parse(
    tmp_path: Path, small: Book, table: str, index: int, column: str, value: str
) -> None:
    small[table][index][column] = value
    assert (f"{table}.csv", index + 2, column) in rejected(tmp_path, small)


def test_a_required_value_must_be_given(tmp_path: Path, small: Book) -> None:
    small["persons"][0]["full_name"] = ""
    assert ("persons.csv", 2, "full_name") in rejected(tmp_path, small)


def test_a_person_is_born_before_being_registered(tmp_path: Path, small: Book) -> None:
    small["persons"][2]["registered_on"] = "2009-01-01"
    assert ("persons.csv", 4, "birth_date") in rejected(tmp_path, small)


def test_commune_codes_resolve_on_their_as_of_day(tmp_path: Path, small: Book) -> None:
    small["households"][1]["as_of"] = "2020-01-01"  # before the reference lists
    small["units"][0]["commune_code"] = "99999"
    found = rejected(tmp_path, small)
    assert {("households.csv", 3, "commune_code"), ("units.csv", 2, "commune_code")} <= found


def test_a_village_is_in_units_csv_or_in_danso(tmp_path: Path, small: Book) -> None:
    small["households"][1]["village_code"] = "TDP09"
    assert ("households.csv", 3, "village_code") in rejected(tmp_path, small)


def test_the_household_of_a_person_must_exist(tmp_path: Path, small: Book) -> None:
    small["persons"][3]["household_id"] = "H404"
    assert ("persons.csv", 5, "household_id") in rejected(tmp_path, small)


def test_unknown_columns_are_kept_and_said(tmp_path: Path, small: Book) -> None:
    small["households"][0]["ghi_chu"] = "nhà có người khuyết tật"
    small["events"][2]["dia_diem"] = "trạm y tế"
    report = import_book(tmp_path / "book", small)
    assert not report.errors
    assert {("households.csv", 1, "ghi_chu"), ("events.csv", 1, "dia_diem")} <= warnings_at(report)
    assert Household.objects.get(source_id="H1").extra == {"ghi_chu": "nhà có người khuyết tật"}


def test_a_column_of_another_event_type_is_kept_and_said(tmp_path: Path, small: Book) -> None:
    small["events"][4]["place"] = "Bệnh viện Đức Giang"  # the place of a death
    report = import_book(tmp_path / "book", small)
    assert not report.errors
    assert ("events.csv", 6, "place") in warnings_at(report)


# ---------------------------------------------------------------- the register already there


def test_an_id_already_in_the_register_with_other_content_conflicts(
    tmp_path: Path, small: Book
) -> None:
    import_book(tmp_path / "first", small)
    small["persons"][0]["full_name"] = "Nguyễn Văn Ân"
    small["events"][2]["event_date"] = "2024-05-02"
    found = rejected(tmp_path, small)
    assert {("persons.csv", 2, "full_name"), ("events.csv", 4, "event_date")} <= found


def test_events_for_persons_already_in_the_register(tmp_path: Path, small: Book) -> None:
    import_book(tmp_path / "first", small)
    later = {
        "events": [
            _event("E6", "elderly_checkup", "2024-06-15", "P4"),
            _event("E7", "move_out", "2024-09-01", "P3", to_place="Bắc Ninh"),
            _event("E8", "elderly_checkup", "2024-09-15", "P4"),
        ]
    }
    before = counts()
    report = import_book(tmp_path / "later", later)
    assert errors_at(report) == {("events.csv", 4, "event_date"), ("events.csv", 4, "person_id")}
    assert counts() == before
    del later["events"][2]
    report = import_book(tmp_path / "later", later)
    assert report.imported["events"] == 2
    assert not report.errors


def test_nothing_to_import(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    report = register_import(tmp_path / "empty")
    assert [(p.file, p.line) for p in report.errors] == [("empty", None)]


# ---------------------------------------------------------------- villages


def test_a_village_already_in_danso_is_reused_by_name(tmp_path: Path, small: Book) -> None:
    ngoc_thuy = unit_at(Level.COMMUNE, "118", BEFORE)
    # The village exists since its commune's first day, before the book's events (a
    # village created on 30/06/2024 could not hold the households' events of March).
    village = village_create(
        commune=ngoc_thuy,
        code="NT-1",
        name="Tổ dân phố 1",
        type="tổ dân phố",
        valid_from=ngoc_thuy.versions.earliest("valid_from").valid_from,
    )
    report = import_book(tmp_path / "book", small)
    assert report.errors == []
    assert (report.imported["units"], report.unchanged["units"]) == (0, 1)
    assert set(Household.objects.values_list("unit", flat=True)) == {village.pk}


def test_a_village_already_in_danso_keeps_its_name(tmp_path: Path, small: Book) -> None:
    import_book(tmp_path / "first", small)
    small["units"][0]["name"] = "Tổ dân phố số 1"
    report = import_book(tmp_path / "again", small)
    assert report.errors == []
    assert ("units.csv", 2, "name") in warnings_at(report)
    assert report.unchanged["units"] == 1


# ---------------------------------------------------------------- closed books


def test_no_event_enters_a_closed_book(tmp_path: Path, small: Book) -> None:
    """After khóa sổ, events of the closed year come in only through an amendment."""
    book_close(commune=unit_at(Level.COMMUNE, "118", BEFORE), year=2024)
    places = rejected(tmp_path, small)
    assert ("events.csv", 2, "event_date") in places
    assert len(places) == len(small["events"])
    report = import_book(tmp_path / "book", small, dry_run=True)
    assert all("Sổ năm 2024 đã khóa" in p.message for p in report.errors)


def test_a_closed_book_can_be_imported_again_unchanged(tmp_path: Path, small: Book) -> None:
    import_book(tmp_path / "first", small)
    book_close(commune=unit_at(Level.COMMUNE, "118", BEFORE), year=2024)
    report = import_book(tmp_path / "again", small)
    assert report.errors == []
    assert report.unchanged["events"] == len(small["events"])

    small["events"].append(_event("E9", "elderly_checkup", "2024-11-15", "P4"))
    assert ("events.csv", 7, "event_date") in rejected(tmp_path, small)
