"""A file cut short, a row that stops early, a NUL in a cell (issue 12): an error that
names the file and the line, never a figure guessed from what is left, and nothing
written.  On PostgreSQL too (CI runs the suite on both), where a NUL in a text field
was a traceback."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from danso.indicators.importing import entered_import
from danso.indicators.models import EnteredFigures
from danso.plans.importing import plan_import
from danso.plans.models import Plan
from danso.plans.reading import read_plan
from danso.population.models import PopulationFigure
from danso.population.services import figures_import
from danso.register.importing import register_import
from danso.register.models import Household, Person
from danso.units.codes import Level
from danso.units.imports import conversion_import
from danso.units.models import UnitSuccession
from tests.conftest import unit_at
from tests.plans.conftest import (
    CHIEN_THANG_2023,
    HANOI_2021,
    HANOI_2025,
    LONG_BIEN_2024,
    LONG_BIEN_2030,
    SEEDS,
    WHERE,
)
from tests.security.hostile import SMALL_TABLES

pytestmark = pytest.mark.django_db

ENTERED = "code,period,births,deaths,P\n121,2024,132,40,40000\n"


# ---------------------------------------------------------------- tables


def test_a_truncated_entered_figures_row_is_an_error_not_births_13() -> None:
    # the file: the last row cut after "13" of 132, its other counts lost
    cut = ENTERED[: ENTERED.index("132") + 2]
    report = entered_import(cut.encode(), "so-lieu.csv", Level.COMMUNE)
    [error] = report.errors
    assert (error.file, error.line) == ("so-lieu.csv", 2)
    assert "dòng 2 có 3 ô trong khi dòng tiêu đề có 5 ô" in error.message
    assert not EnteredFigures.objects.exists()
    # the whole file is read as it should be
    whole = entered_import(ENTERED.encode(), "so-lieu.csv", Level.COMMUNE)
    assert whole.errors == []
    assert EnteredFigures.objects.get().counts["births"] == 132


def test_a_row_longer_than_its_header_is_an_error_and_a_trailing_separator_is_not() -> None:
    longer = entered_import((ENTERED.rstrip("\n") + ",7\n").encode(), "a.csv", Level.COMMUNE)
    [error] = longer.errors
    assert error.line == 2
    assert "dòng 2 có 6 ô trong khi dòng tiêu đề có 5 ô" in error.message
    trailing = entered_import((ENTERED.rstrip("\n") + ",\n").encode(), "a.csv", Level.COMMUNE)
    assert trailing.errors == []


@pytest.mark.parametrize("where", ["name", "number"])
def test_a_nul_in_a_table_is_an_error_on_every_database(where: str) -> None:
    content = (
        "code,name,year,population\n121,Bồ\x00 Đề,2024,40000\n"
        if where == "name"
        else "code,name,year,population\n121,Bồ Đề,2024,40\x00000\n"
    )
    report = figures_import(content.encode(), file_name="dan-so.csv")
    [error] = report.errors
    assert error.line == 2
    assert "Trong tệp dan-so.csv, dòng 2 chứa ký tự NUL" in error.message
    assert not PopulationFigure.objects.exists()


def test_a_truncated_population_row_is_an_error() -> None:
    content = "code,name,year,population,male,female\n121,Bồ Đề,2024,40000,19800\n"
    report = figures_import(content.encode(), file_name="dan-so.csv")
    [error] = report.errors
    assert error.line == 2
    assert not PopulationFigure.objects.exists()


def test_a_conversion_table_row_cut_short_is_an_error() -> None:
    header = "old_commune_code,old_district_code,old_province_code,old_partly_merged,"
    content = f"{header}new_commune_code,new_province_code\n00118,004,01,0,00118,01\n00121,004\n"
    before = UnitSuccession.objects.count()
    report = conversion_import(
        content.encode(), file_name="chuyen-doi.csv", effective=date(2025, 7, 1)
    )
    assert [(e.line, e.column) for e in report.errors] == [(3, None)]
    assert "dòng 3 có 2 ô trong khi dòng tiêu đề có 6 ô" in report.errors[0].message
    assert UnitSuccession.objects.count() == before


# ---------------------------------------------------------------- register books


def _book(folder: Path, persons: str) -> Path:
    folder.mkdir()
    for name, text in SMALL_TABLES.items():
        (folder / name).write_text(persons if name == "persons.csv" else text, encoding="utf-8")
    return folder


def test_a_register_row_cut_short_is_an_error_and_nothing_is_written(tmp_path: Path) -> None:
    whole = SMALL_TABLES["persons.csv"]
    cut = whole + "P2,H1,Trần Thị Bình,F,1985-0"  # the copy stopped mid-row
    report = register_import(_book(tmp_path / "book", cut))
    [error] = report.errors
    assert (error.file, error.line) == ("persons.csv", 3)
    assert "dòng 3 có 5 ô trong khi dòng tiêu đề có 6 ô" in error.message
    assert not Person.objects.exists()
    assert not Household.objects.exists()


def test_a_nul_in_a_register_name_is_an_error_and_nothing_is_written(tmp_path: Path) -> None:
    persons = SMALL_TABLES["persons.csv"].replace("Nguyễn Văn An", "Nguyễn\x00 Văn An")
    report = register_import(_book(tmp_path / "book", persons))
    [error] = report.errors
    assert (error.file, error.line) == ("persons.csv", 2)
    assert "NUL" in error.message
    assert not Person.objects.exists()


# ---------------------------------------------------------------- plans


@pytest.mark.parametrize(
    "seed", [HANOI_2021, HANOI_2025, LONG_BIEN_2030, CHIEN_THANG_2023, LONG_BIEN_2024]
)
@pytest.mark.parametrize("fraction", [0.5, 0.9])
def test_a_plan_cut_short_is_refused_with_an_error(seed: str, fraction: float) -> None:
    level, code, on = WHERE[seed]
    unit = unit_at(level, code, max(on, date(2023, 5, 7)))
    text = (SEEDS / seed).read_text(encoding="utf-8")
    cut = text[: int(len(text) * fraction)].encode()
    result = plan_import(cut, file_name=seed, unit=unit, on=on)
    assert result.errors, f"{seed} cut at {fraction:.0%} was read without an error"
    assert result.plan is None
    assert not Plan.objects.exists()
    # the whole plan is read without one
    assert plan_import((SEEDS / seed).read_bytes(), file_name=seed, unit=unit, on=on).errors == []


def test_each_way_a_plan_can_be_cut_is_named() -> None:
    text = (SEEDS / HANOI_2021).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)

    def problems(content: str) -> list[str]:
        return [
            p.message
            for p in read_plan(content.encode(), HANOI_2021).problems
            if p.severity == "error"
        ]

    # before the signature: the tail is missing
    assert any("Nơi nhận" in m for m in problems(text[: len(text) // 2]))
    # after the first appendix, before the second one named in the body
    second = next(i for i, line in enumerate(lines) if line.startswith("KẾ HOẠCH GIAO CHỈ TIÊU"))
    assert any("Phụ lục 2" in m for m in problems("".join(lines[:second])))
    # in the middle of a row of the second appendix
    assert any("cut short" in m or "cắt" in m for m in problems(text[:-10]))
    # a NUL anywhere
    nul = text[:100] + "\x00" + text[100:]
    assert any("NUL" in m for m in problems(nul))
