"""Books in the exchange format for the register tests.

``small_book()`` is a valid book of two households of Phường Ngọc Thụy (commune 00118 as
of 30/06/2024) that a test changes to break one rule; ``write_book`` writes it as CSV
files.  Line numbers in a file are the row's index + 2 (the header is line 1).
``HANDMADE`` is the larger hand-made book of ``data/`` (see ``data/make_book.py``).
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from danso.register.importing import RegisterImportReport, register_import
from danso.register.models import Event, Household, HouseholdPlacement, Membership, Person
from danso.units.codes import Level
from danso.units.models import Unit

HANDMADE = Path(__file__).parent / "data" / "book"
Rows = list[dict[str, str]]
TABLES = ("units", "households", "persons", "events")


def small_book() -> dict[str, Rows]:
    """Two households, six persons, a birth, a screening, a check-up, contraception and
    a death: everything valid."""
    return {
        "units": [
            {
                "unit_code": "TDP01",
                "name": "Tổ dân phố 1",
                "commune_code": "00118",
                "as_of": "2024-06-30",
            },
        ],
        "households": [
            {
                "household_id": "H1",
                "commune_code": "00118",
                "village_code": "TDP01",
                "as_of": "2024-06-30",
                "address": "Số 5, ngõ 58 Ngọc Thụy",
            },
            {
                "household_id": "H2",
                "commune_code": "118",
                "village_code": "TDP01",
                "as_of": "30/06/2024",
                "address": "Số 9, ngõ 58 Ngọc Thụy",
            },
        ],
        "persons": [
            _person("P1", "H1", "Nguyễn Văn An", "M", "1980-03-12", "chu_ho", "co_vo_chong"),
            _person("P2", "H1", "Trần Thị Bình", "nữ", "1985-07-20", "vo_chong", "co_vo_chong"),
            _person("P3", "H1", "Nguyễn Thị Cúc", "F", "2010-05-01", "con", "chua_ket_hon"),
            _person("P4", "H2", "Lê Văn Dũng", "nam", "1950", "chu_ho", "goa"),
            _person(
                "P5",
                "H1",
                "Nguyễn Minh Đức",
                "M",
                "2024-03-10",
                "con",
                "chua_ket_hon",
                "2024-03-10",
            ),
            _person("P6", "H2", "Lê Thị Hoa", "F", "1998-11", "con", "chua_ket_hon"),
        ],
        "events": [
            _event(
                "E1",
                "birth",
                "2024-03-10",
                "P2",
                child_person_id="P5",
                child_sex="M",
                birth_order="2",
            ),
            _event("E2", "newborn_screening", "2024-03-12", "P5", result="bình thường"),
            _event("E3", "elderly_checkup", "2024-05-01", "P4"),
            _event(
                "E4",
                "contraception_start",
                "2024-06-01",
                "P2",
                method="iud",
                supply="free",
                new_acceptor="1",
            ),
            _event("E5", "death", "2024-08-01", "P4"),
        ],
    }


def _person(
    pid: str,
    household: str,
    name: str,
    sex: str,
    born: str,
    relation: str,
    marital: str,
    registered: str = "2021-01-01",
) -> dict[str, str]:
    return {
        "person_id": pid,
        "household_id": household,
        "full_name": name,
        "sex": sex,
        "birth_date": born,
        "relation_to_head": relation,
        "marital_status": marital,
        "registered_on": registered,
    }


def _event(eid: str, kind: str, day: str, pid: str, **columns: str) -> dict[str, str]:
    return {"event_id": eid, "event_type": kind, "event_date": day, "person_id": pid, **columns}


def write_book(folder: Path, book: dict[str, Rows]) -> Path:
    """Write each table with the union of its rows' columns (in first-seen order)."""
    folder.mkdir(parents=True, exist_ok=True)
    for table, rows in book.items():
        headers = list(dict.fromkeys(key for row in rows for key in row))
        with (folder / f"{table}.csv").open("w", encoding="utf-8", newline="") as stream:
            writer = csv.DictWriter(stream, headers, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return folder


def read_table(folder: Path, table: str) -> Rows:
    with (folder / f"{table}.csv").open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def copy_handmade(folder: Path) -> Path:
    shutil.copytree(HANDMADE, folder)
    return folder


def counts() -> dict[str, int]:
    """Rows of the register (and villages), to see that a failed import wrote nothing."""
    return {
        "villages": Unit.objects.filter(level=Level.VILLAGE).count(),
        "households": Household.objects.count(),
        "placements": HouseholdPlacement.objects.count(),
        "persons": Person.objects.count(),
        "memberships": Membership.objects.count(),
        "events": Event.objects.count(),
        "history": Event.history.count() + Person.history.count(),
    }


def errors_at(report: RegisterImportReport) -> set[tuple[str, int | None, str | None]]:
    return {(p.file, p.line, p.column) for p in report.errors}


def warnings_at(report: RegisterImportReport) -> set[tuple[str, int | None, str | None]]:
    return {(p.file, p.line, p.column) for p in report.problems if p.severity == "warning"}


def import_book(folder: Path, book: dict[str, Rows], **options: Any) -> RegisterImportReport:
    return register_import(write_book(folder, book), **options)


def only(rows: Iterable[dict[str, str]], **match: str) -> dict[str, str]:
    found = [r for r in rows if all(r.get(k) == v for k, v in match.items())]
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def small() -> dict[str, Rows]:
    """A fresh ``small_book()``, for a test to change."""
    return small_book()
