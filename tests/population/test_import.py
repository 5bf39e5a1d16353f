"""``figures_import``: CSV and real .xlsx tables, English or Vietnamese headers; a report
that names file, line and column; all or nothing; dry runs; codes resolved by date."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from datetime import date

import pytest

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.population.agegroups import group_labels
from danso.population.models import PopulationFigure
from danso.population.services import figures_import
from danso.problems import ImportReport, Problem
from danso.units.codes import Level
from tests.conftest import AFTER, BEFORE, unit_at
from tests.population.conftest import (
    FEMALE,
    FEMALE_AGES,
    HEADERS,
    MALE,
    MALE_AGES,
    TOTAL,
    ba_dinh_2025,
    csv_bytes,
    ngoc_thuy,
    save,
    template_row,
    thuong_thanh,
    truc_bach,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db

LABELS = group_labels()

#: Vietnamese column names, with the age columns as in the template.
VI_HEADERS: list[object] = [
    "Cấp",
    "Mã",
    "Tên",
    "Năm",
    "Tổng",
    "Nam",
    "Nữ",
    *[f"m_{label}" for label in LABELS],
    *[f"f_{label}" for label in LABELS],
    "Nguồn",
]


def import_xlsx(
    rows: Sequence[Sequence[object]],
    user: User | None = None,
    name: str = "danso.xlsx",
    dry_run: bool = False,
) -> ImportReport:
    return figures_import(xlsx_bytes(rows), file_name=name, user=user, dry_run=dry_run)


def errors_at(report: ImportReport) -> list[tuple[str, int | None, str | None]]:
    return [(p.file, p.line, p.column) for p in report.errors]


def only_error(report: ImportReport) -> Problem:
    assert len(report.errors) == 1, [str(p) for p in report.problems]
    return report.errors[0]


def good_rows() -> list[list[object]]:
    return [
        HEADERS,
        template_row("115", "Phường Thượng Thanh"),
        template_row("00118", "Phường Ngọc Thụy"),
    ]


# ---------------------------------------------------------------- good files


def test_good_xlsx_with_english_headers_is_imported() -> None:
    # given a workbook in the template's layout with two wards of Long Biên
    rows = good_rows()
    # when it is imported
    report = import_xlsx(rows)
    # then both are created, with their age groups and source
    assert report.problems == []
    assert report.created == {"created": 2, "updated": 0, "unchanged": 0}
    for unit in (thuong_thanh(), ngoc_thuy()):
        figure = PopulationFigure.objects.get(unit=unit, year=2024)
        assert (figure.total, figure.male, figure.female) == (TOTAL, MALE, FEMALE)
        assert figure.male_by_age == MALE_AGES
        assert figure.female_by_age == FEMALE_AGES
        assert figure.open_age == 85
        assert figure.source == "Niên giám thống kê"


def test_good_xlsx_with_vietnamese_headers_is_imported() -> None:
    # given Vietnamese column names, level "xã" and numbers written the Vietnamese way
    rows: list[list[object]] = [
        VI_HEADERS,
        [
            "xã",
            "00115",
            "Thượng Thanh",
            2024,
            "416.950",
            "200.000",
            "216.950",
            *[str(v) for v in MALE_AGES[:-1]],
            str(200_000 - sum(MALE_AGES[:-1])),
            *FEMALE_AGES[:-1],
            216_950 - sum(FEMALE_AGES[:-1]),
            "Sổ A0",
        ],
    ]
    # when it is imported
    report = import_xlsx(rows, name="dan-so.xlsx")
    # then it is stored with the numbers read as thousands
    assert report.errors == []
    figure = PopulationFigure.objects.get(unit=thuong_thanh(), year=2024)
    assert (figure.total, figure.male, figure.female) == (416_950, 200_000, 216_950)
    assert figure.male_by_age is not None
    assert sum(figure.male_by_age) == 200_000
    assert figure.source == "Sổ A0"


def test_level_column_in_vietnamese_reads_districts_and_provinces() -> None:
    # given a district and a province row (cấp huyện / tỉnh), totals only
    rows: list[list[object]] = [
        ["cấp", "mã", "năm", "tổng"],
        ["huyện", "004", 2024, "322.549"],
        ["tỉnh", "01", 2024, "8.435.700"],
    ]
    # when imported
    report = import_xlsx(rows)
    # then Quận Long Biên and Thành phố Hà Nội get their totals
    assert report.errors == []
    names = {f.unit_id: f.total for f in PopulationFigure.objects.filter(year=2024)}
    assert names[unit_at(Level.DISTRICT, "4", BEFORE).pk] == 322_549
    assert names[unit_at(Level.PROVINCE, "1", BEFORE).pk] == 8_435_700


def test_csv_with_thousands_written_with_dots() -> None:
    # given a semicolon CSV as Vietnamese Excel writes it, numbers "416.950"
    content = csv_bytes(
        [["mã", "năm", "tổng", "nam", "nữ"], ["115", "2024", "416.950", "200.000", "216.950"]],
        delimiter=";",
    )
    # when it is imported
    report = figures_import(content, file_name="a.csv")
    # then the numbers are read as thousands
    assert report.errors == []
    figure = PopulationFigure.objects.get(unit=thuong_thanh(), year=2024)
    assert (figure.total, figure.male, figure.female) == (416_950, 200_000, 216_950)


def test_csv_with_thousands_written_with_commas() -> None:
    # given a comma CSV whose numbers "416,950" are quoted
    content = csv_bytes(
        [
            ["code", "year", "total", "male", "female"],
            ["115", "2024", "416,950", "200,000", "216,950"],
        ]
    )
    assert b'"416,950"' in content
    # when it is imported
    report = figures_import(content, file_name="a.csv")
    # then the numbers are read as thousands
    assert report.errors == []
    assert PopulationFigure.objects.get(unit=thuong_thanh(), year=2024).total == 416_950


def cp1258(text: str) -> bytes:
    """``text`` as Vietnamese Windows writes it: Windows-1258, tone marks combining."""
    out = b""
    for letter in unicodedata.normalize("NFC", text):
        try:
            out += letter.encode("cp1258")
        except UnicodeEncodeError:  # a base letter (ư, ơ, â …) then the tone mark
            parts = unicodedata.normalize("NFD", letter)
            base = unicodedata.normalize("NFC", parts[:-1])
            out += base.encode("cp1258") + parts[-1].encode("cp1258")
    return out


def test_csv_in_windows_1258() -> None:
    # given a CSV saved by Vietnamese Windows (not UTF-8, tone marks as combining marks)
    content = cp1258(
        "mã;tên;năm;tổng;nam;nữ\n115;Phường Thượng Thanh;2024;416.950;200.000;216.950\n"
    )
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    # when it is imported
    report = figures_import(content, file_name="a.csv")
    # then the Vietnamese headers and the name are recognised
    assert report.problems == []
    assert PopulationFigure.objects.get(unit=thuong_thanh(), year=2024).female == 216_950


def test_csv_with_age_columns_and_vietnamese_headers() -> None:
    # given a UTF-8 CSV with the full template and Vietnamese column names
    content = csv_bytes(
        [
            VI_HEADERS,
            [
                "xã",
                "118",
                "Phường Ngọc Thụy",
                2024,
                TOTAL,
                MALE,
                FEMALE,
                *MALE_AGES,
                *FEMALE_AGES,
                "",
            ],
        ]
    )
    # when it is imported
    report = figures_import(content, file_name="ngoc-thuy.csv")
    # then the age groups are stored
    assert report.errors == []
    assert PopulationFigure.objects.get(unit=ngoc_thuy(), year=2024).female_by_age == FEMALE_AGES


# ---------------------------------------------------------------- errors


BAD_ROWS: dict[str, tuple[list[object], str]] = {
    # case: (row on line 3, column the report must name)
    "unknown code on that date": (template_row("99999"), "code"),
    "male + female != total": (template_row("4", total=TOTAL + 10), "total"),
    "duplicate of line 2": (template_row("00115", "Phường Thượng Thanh"), "code"),
    "not a number": (template_row("4", male="nhiều"), "male"),
    "a fraction": (template_row("4", female="12,5"), "female"),
    "unknown level": (template_row("4", level="ấp"), "level"),
    "code with letters": (template_row("A4"), "code"),
    "missing year": (template_row("4", year=None), "year"),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_bad_row_is_reported_and_nothing_is_written(case: str, kind: str) -> None:
    # given a good row on line 2 and a bad one on line 3
    bad_row, column = BAD_ROWS[case]
    rows: list[list[object]] = [HEADERS, template_row("115", "Phường Thượng Thanh"), bad_row]
    content = xlsx_bytes(rows) if kind == "xlsx" else csv_bytes(rows)
    before = PopulationFigure.objects.count()
    # when it is imported
    report = figures_import(content, file_name=f"bad.{kind}")
    # then the one error names file, line 3 and the column; nothing is written, not
    # even the good row
    problem = only_error(report)
    assert (problem.file, problem.line, problem.column, problem.severity) == (
        f"bad.{kind}",
        3,
        column,
        "error",
    )
    assert PopulationFigure.objects.count() == before


def test_the_report_uses_the_column_names_of_the_file() -> None:
    # given Vietnamese headers and a row whose sexes do not add up
    rows: list[list[object]] = [["mã", "năm", "tổng", "nam", "nữ"], ["115", 2024, 100, 60, 50]]
    # when imported
    report = import_xlsx(rows, name="xa.xlsx")
    # then the column is named as in the file
    assert errors_at(report) == [("xa.xlsx", 2, "tổng")]
    assert "110" in report.errors[0].message


def test_unknown_code_names_the_day_it_was_looked_up() -> None:
    # given a district row for 2026, when there are no more districts
    rows: list[list[object]] = [["level", "code", "year", "total"], ["district", "004", 2026, 1000]]
    # when imported
    report = import_xlsx(rows)
    # then the problem says which code on which day
    problem = only_error(report)
    assert (problem.line, problem.column) == (2, "code")
    assert "004" in problem.message
    assert "01/07/2026" in problem.message


def test_a_code_outside_the_officers_scope_is_refused(ward_officer: User) -> None:
    # given the officer of Phường Thượng Thanh, and a file with their ward and the next one
    before = PopulationFigure.objects.count()
    # when they import it
    report = import_xlsx(good_rows(), user=ward_officer, name="long-bien.xlsx")
    # then the other ward (line 3) is refused by name, and nothing is written
    problem = only_error(report)
    assert (problem.file, problem.line, problem.column) == ("long-bien.xlsx", 3, "code")
    assert "Phường Ngọc Thụy" in problem.message
    assert PopulationFigure.objects.count() == before


def test_a_viewer_may_not_import_into_units_they_see(
    make_user: Callable[..., User],
) -> None:
    # given a viewer of all Hà Nội
    viewer = make_user("xem", Role.VIEWER, Level.PROVINCE, "1")
    # when they import a file of Hà Nội wards
    report = import_xlsx(good_rows(), user=viewer)
    # then every row is refused
    assert [p.line for p in report.errors] == [2, 3]
    assert not PopulationFigure.objects.exists()


def test_missing_code_column_is_reported_on_the_header_line() -> None:
    # given a file without a code column
    rows: list[list[object]] = [["name", "year", "total"], ["Phường Thượng Thanh", 2024, 1000]]
    # when imported
    report = import_xlsx(rows, name="no-code.xlsx")
    # then line 1 is named, with the missing column, and nothing is written
    assert errors_at(report) == [("no-code.xlsx", 1, "code")]
    assert not PopulationFigure.objects.exists()


def test_every_bad_row_is_reported_at_once() -> None:
    # given three bad rows among good ones
    rows: list[list[object]] = [
        HEADERS,
        template_row("115"),
        template_row("99999"),
        template_row("118", male="x"),
        template_row("4", total=1),
    ]
    # when imported
    report = import_xlsx(rows, name="many.xlsx")
    # then all three are reported, in order (line 5 also for each sex above the total)
    assert errors_at(report) == [
        ("many.xlsx", 3, "code"),
        ("many.xlsx", 4, "male"),
        ("many.xlsx", 5, "male"),
        ("many.xlsx", 5, "female"),
        ("many.xlsx", 5, "total"),
    ]
    assert not PopulationFigure.objects.exists()


def test_a_row_with_every_age_cell_empty_imports_the_totals() -> None:
    # given the template with one ward's age groups left empty
    rows: list[list[object]] = [
        HEADERS,
        template_row("115"),
        ["commune", "118", "", 2024, 1000, 400, 600, *([None] * 36), ""],
    ]
    # when imported
    report = import_xlsx(rows)
    # then both rows are stored, the second without age groups
    assert report.errors == []
    assert PopulationFigure.objects.get(unit=ngoc_thuy()).male_by_age is None


def test_a_row_with_some_age_cells_empty_is_refused() -> None:
    # given a row with one male age group left empty
    row = template_row("115")
    row[7] = None  # m_0-4
    # when imported
    report = import_xlsx([HEADERS, row], name="gaps.xlsx")
    # then that cell is reported
    assert errors_at(report) == [("gaps.xlsx", 2, "m_0-4")]


def test_age_columns_that_stop_early_are_refused() -> None:
    # given age columns up to 80-84 but no open group
    headers: list[object] = ["code", "year", *[f"m_{label}" for label in LABELS[:-1]]]
    rows: list[list[object]] = [headers, ["115", 2024, *MALE_AGES[:-1]]]
    # when imported
    report = import_xlsx(rows)
    # then the header line is reported
    assert [p.line for p in report.errors] == [1]
    assert not PopulationFigure.objects.exists()


def test_an_unreadable_file_is_reported() -> None:
    report = figures_import(b"not a workbook", file_name="x.xlsx")
    assert errors_at(report) == [("x.xlsx", None, None)]


def test_a_year_out_of_range_is_reported() -> None:
    # given one good row and one with the year 1800
    rows: list[list[object]] = [HEADERS, template_row("115"), template_row("118", year=1800)]
    # when imported
    report = import_xlsx(rows, name="y.xlsx")
    # then line 3 is reported and nothing is written
    assert errors_at(report) == [("y.xlsx", 3, "year")]
    assert not PopulationFigure.objects.exists()


def test_a_date_in_another_year_than_the_unit_is_reported() -> None:
    # given figures for 2023 whose code is resolved on 1/8/2025 (Phường Ba Đình, formed
    # on 1/7/2025, did not exist in 2023)
    rows: list[list[object]] = [["code", "year", "date", "total"], ["4", 2023, "01/08/2025", 1000]]
    assert len(import_xlsx(rows, dry_run=True).errors) == 1  # the check finds it already
    # when imported
    report = import_xlsx(rows, name="d.xlsx")
    # then line 2 is reported instead of an exception, and nothing is written
    assert [(p.file, p.line) for p in report.errors] == [("d.xlsx", 2)]
    assert not PopulationFigure.objects.exists()


# ---------------------------------------------------------------- dry runs, repeats, names


def test_dry_run_writes_nothing_but_counts() -> None:
    # given a stored figure for Thượng Thanh with other numbers
    save(thuong_thanh(), 2024, total=None, male=1, female=2, male_by_age=None, female_by_age=None)
    before = list(PopulationFigure.objects.values_list("pk", "total"))
    # when the good file is checked only
    report = import_xlsx(good_rows(), dry_run=True)
    # then it says what would happen, and nothing changed
    assert report.dry_run is True
    assert report.errors == []
    assert report.created == {"created": 1, "updated": 1, "unchanged": 0}
    assert list(PopulationFigure.objects.values_list("pk", "total")) == before


def test_importing_the_same_file_twice_changes_nothing_the_second_time() -> None:
    # given a file imported once
    rows = good_rows()
    first = import_xlsx(rows)
    assert first.created == {"created": 2, "updated": 0, "unchanged": 0}
    history = sum(f.history.count() for f in PopulationFigure.objects.all())
    # when it is imported again
    second = import_xlsx(rows)
    # then every row is unchanged and no history is written
    assert second.errors == []
    assert second.created == {"created": 0, "updated": 0, "unchanged": 2}
    assert sum(f.history.count() for f in PopulationFigure.objects.all()) == history


def test_a_changed_row_counts_as_updated() -> None:
    # given a file imported once
    import_xlsx(good_rows())
    # when the source of one row changes
    rows = good_rows()
    rows[2][-1] = "Điều tra 1/4/2024"
    report = import_xlsx(rows)
    # then that row is updated and the other unchanged
    assert report.created == {"created": 0, "updated": 1, "unchanged": 1}
    assert PopulationFigure.objects.get(unit=ngoc_thuy()).source == "Điều tra 1/4/2024"


def test_a_name_that_does_not_match_the_code_warns_but_imports() -> None:
    # given code 115 (Thượng Thanh) named as the neighbouring ward
    rows: list[list[object]] = [HEADERS, template_row("115", "Phường Ngọc Thụy")]
    # when imported
    report = import_xlsx(rows, name="w.xlsx")
    # then a warning names the line, the name column and the real name, and it is stored
    assert report.errors == []
    [warning] = report.problems
    assert (warning.file, warning.line, warning.column, warning.severity) == (
        "w.xlsx",
        2,
        "name",
        "warning",
    )
    assert "Phường Thượng Thanh" in warning.message
    assert PopulationFigure.objects.filter(unit=thuong_thanh(), year=2024).exists()


def test_a_name_without_diacritics_or_type_matches() -> None:
    rows: list[list[object]] = [HEADERS, template_row("115", "thuong thanh")]
    report = import_xlsx(rows)
    assert report.problems == []


def test_an_import_keeps_the_note_of_a_figure_it_corrects() -> None:
    # given a figure entered in the form with a note
    save(thuong_thanh(), 2024, note="Số liệu tạm, chờ rà soát")
    # when a table corrects its source
    import_xlsx([HEADERS, template_row("115", source="Cục Thống kê")])
    # then the note is still there
    figure = PopulationFigure.objects.get(unit=thuong_thanh(), year=2024)
    assert figure.source == "Cục Thống kê"
    assert figure.note == "Số liệu tạm, chờ rà soát"


# ---------------------------------------------------------------- codes by date


def test_codes_resolve_on_1_july_of_the_year() -> None:
    # given commune code 4 for 2024 (Phường Trúc Bạch on 1/7/2024)
    rows: list[list[object]] = [
        ["code", "name", "year", "total"],
        ["00004", "Trúc Bạch", 2024, 8000],
    ]
    # when imported
    report = import_xlsx(rows)
    # then the figure belongs to Trúc Bạch, without a name warning
    assert report.problems == []
    assert PopulationFigure.objects.get(year=2024).unit_id == truc_bach().pk


def test_codes_resolve_on_the_date_column() -> None:
    # given commune code 4 for 2025, looked up on 1/8/2025 (after the reform)
    rows: list[list[object]] = [
        ["mã", "tên", "năm", "ngày", "tổng"],
        ["4", "Phường Ba Đình", 2025, "01/08/2025", 120_000],
        ["4", "Phường Trúc Bạch", 2024, "2024-06-30", 8000],
    ]
    # when imported
    report = import_xlsx(rows)
    # then 2025 goes to the new Phường Ba Đình and 2024 to Trúc Bạch
    assert report.problems == []
    assert PopulationFigure.objects.get(year=2025).unit_id == ba_dinh_2025().pk
    assert PopulationFigure.objects.get(year=2024).unit_id == truc_bach().pk


def test_an_xlsx_date_cell_is_read_as_a_date() -> None:
    # given the date as a real spreadsheet date
    rows: list[list[object]] = [
        ["code", "year", "date", "total"],
        ["4", 2025, date(2025, 8, 1), 120_000],
    ]
    # when imported
    report = import_xlsx(rows)
    # then the code is resolved on that day
    assert report.errors == []
    assert PopulationFigure.objects.get(year=2025).unit_id == ba_dinh_2025().pk


def test_a_badly_written_date_is_reported() -> None:
    rows: list[list[object]] = [["code", "year", "date", "total"], ["4", 2025, "1.8.2025", 1]]
    report = import_xlsx(rows, name="d.xlsx")
    assert errors_at(report) == [("d.xlsx", 2, "date")]


def test_rows_are_checked_against_the_scope_of_their_own_date(
    make_user: Callable[..., User],
) -> None:
    # given the officer of the Phường Ba Đình formed on 1/7/2025
    officer = make_user("badinh", Role.COMMUNE_OFFICER, Level.COMMUNE, "4", on=AFTER)
    rows: list[list[object]] = [["code", "year", "total"], ["4", 2024, 8000]]
    # (their scope in 2024 covers Trúc Bạch, a predecessor)
    assert import_xlsx(rows, user=officer, dry_run=True).errors == []
    # when they import the 2024 figures of Trúc Bạch with today's scope
    report = import_xlsx(rows, user=officer)
    # then the row is accepted as well
    assert report.errors == []
