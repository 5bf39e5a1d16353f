"""Problems with the file itself are said in words a commune officer can act on
(issue 17, point 8): a CSV saved in Windows-1258 instead of UTF-8, and a table whose
column names are not on its first line (a title above it), in CSV and in .xlsx."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook

from danso.register.importing import RegisterImportReport, register_import
from tests.register.conftest import TABLES, small_book, write_book

pytestmark = pytest.mark.django_db


def _messages(report: RegisterImportReport) -> list[str]:
    return [p.message for p in report.problems if p.severity == "error"]


def test_a_csv_in_windows_1258_says_how_to_save_it_as_utf_8(tmp_path: Path) -> None:
    folder = write_book(tmp_path / "book", small_book())
    persons = folder / "persons.csv"
    persons.write_bytes(persons.read_text(encoding="utf-8").encode("cp1258", errors="replace"))
    (message,) = _messages(register_import(folder, dry_run=True))
    assert message.startswith("Tệp persons.csv không phải văn bản UTF-8 (dòng ")
    assert "CSV UTF-8" in message
    assert "codec" not in message
    assert "byte" not in message


def test_a_title_above_the_column_names_is_pointed_at(tmp_path: Path) -> None:
    folder = write_book(tmp_path / "book", small_book())
    households = folder / "households.csv"
    lines = households.read_text(encoding="utf-8")
    households.write_text("DANH SÁCH HỘ GIA ĐÌNH,,,,\n,,,,\n" + lines, encoding="utf-8")
    (message,) = _messages(register_import(folder, dry_run=True))
    assert message == (
        "Trong tệp households.csv, tên các cột phải ở dòng đầu tiên; dòng 3 giống dòng tên "
        "cột: hãy xóa các dòng phía trên (tiêu đề, dòng trống) rồi nhập lại."
    )


def test_a_title_above_the_column_names_in_a_workbook_is_pointed_at(tmp_path: Path) -> None:
    book = small_book()
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for table in TABLES:
        sheet = workbook.create_sheet(table)
        rows = book[table]
        headers = list(dict.fromkeys(key for row in rows for key in row))
        if table == "events":
            sheet.append(["Sự kiện tháng 3/2024"])
        sheet.append(headers)
        for row in rows:
            sheet.append([row.get(h, "") for h in headers])
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    (message,) = _messages(register_import(path, dry_run=True))
    assert "book.xlsx:events" in message
    assert "dòng 2 giống dòng tên cột" in message


def test_a_table_with_its_column_names_on_line_1_reads_as_before(tmp_path: Path) -> None:
    folder = write_book(tmp_path / "book", small_book())
    with (folder / "units.csv").open(encoding="utf-8") as stream:
        assert next(csv.reader(stream))[0] == "unit_code"
    assert _messages(register_import(folder, dry_run=True)) == []
