"""The same appendix tables as .xlsx and .docx import to the same figures; tables whose
own arithmetic is wrong import as written, with the problems named by row."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from danso.plans.importing import PlanImportResult, plan_import
from danso.units.codes import Level
from tests.conftest import unit_at
from tests.plans.conftest import HANOI_2021, HANOI_2025, SEEDS
from tests.plans.reading.builders import (
    docx_bytes,
    seed_lines,
    seed_with,
    tables_2021,
    tables_2025,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


def imported(content: bytes, name: str, on: date, dry_run: bool = True) -> PlanImportResult:
    hanoi = unit_at(Level.PROVINCE, "1", max(on, date(2023, 5, 7)))
    return plan_import(content, file_name=name, unit=hanoi, on=on, dry_run=dry_run)


def figures(result: PlanImportResult) -> dict[tuple[str, str], Any]:
    return {(a.indicator, a.version.code): (a.value, a.breakdown) for a in result.allocations}


@pytest.mark.parametrize(
    ("seed", "body", "tables", "on"),
    [
        (HANOI_2025, (1, 272), tables_2025, date(2025, 1, 15)),
        (HANOI_2021, (1, 187), tables_2021, date(2021, 1, 15)),
    ],
)
def test_xlsx_and_docx_give_the_figures_of_the_text(
    seed: str, body: tuple[int, int], tables: Callable[[], Any], on: date
) -> None:
    text = imported((SEEDS / seed).read_bytes(), seed, on)
    workbook = imported(xlsx_bytes(tables()), "phu-luc.xlsx", on)
    document = imported(docx_bytes(seed, body, tables(), header_table=True), "ke-hoach.docx", on)
    assert workbook.errors == []
    assert document.errors == []
    assert figures(workbook) == figures(text)
    assert figures(document) == figures(text)
    assert len(figures(text)) > 150


def test_a_wrong_total_row_is_imported_as_written_and_named() -> None:
    # given the 2021 plan whose appendix 2 total says 42,001 IUDs instead of 42,000
    line = next(
        i
        for i, text in enumerate(seed_lines(HANOI_2021), start=1)
        if text.startswith("\tTổng\t42,000")
    )
    content = seed_with(HANOI_2021, line, "42,000", "42,001")
    # when it is imported
    result = imported(content, "sai-tong.txt", date(2021, 1, 15), dry_run=False)
    # then it is stored, and the problems (the column's sum, and the row's own free +
    # social marketing) name the total row
    assert result.plan is not None
    assert {p.where for p in result.problems if p.severity == "error"} == {
        f"Phụ lục 2, dòng {line}"
    }


def test_a_row_whose_total_is_not_free_plus_social_marketing_is_named() -> None:
    line = next(
        i
        for i, text in enumerate(seed_lines(HANOI_2021), start=1)
        if "Ba Vì\t2,980\t90\t2,890" in text
    )
    content = seed_with(HANOI_2021, line, "2,980\t90\t2,890", "2,980\t80\t2,890")
    result = imported(content, "sai-dong.txt", date(2021, 1, 15), dry_run=False)
    assert result.plan is not None
    wrong = [p for p in result.problems if p.severity == "error"]
    assert any(p.where == f"Phụ lục 2, dòng {line}" and "Ba Vì" in p.message for p in wrong)


def test_an_unknown_unit_stops_the_import_and_is_named() -> None:
    line = next(
        i
        for i, text in enumerate(seed_lines(HANOI_2025), start=1)
        if text.startswith("9\tLong Biên\t0,00")
    )
    content = seed_with(HANOI_2025, line, "Long Biên", "Long Biên Mới")
    result = imported(content, "sai-ten.txt", date(2025, 1, 15), dry_run=False)
    assert result.plan is None
    assert [p.message for p in result.errors if "Long Biên Mới" in p.message]
