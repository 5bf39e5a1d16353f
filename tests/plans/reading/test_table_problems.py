"""Allocation tables whose figures do not add up, or cannot be read, are reported with
the row and the column; nothing is dropped silently."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from danso.plans.document import PlanDocument
from danso.plans.reading import read_plan
from tests.plans.reading.builders import HANOI_2021, HANOI_2025, seed_lines, seed_with


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The messages as the code writes them, whatever language the site speaks."""
    with translation.override("en"):
        yield


def errors(plan: PlanDocument) -> list[tuple[str, str]]:
    return [(p.where, p.message) for p in plan.problems if p.severity == "error"]


def test_a_total_row_that_is_not_the_sum_names_the_column_and_both_numbers() -> None:
    # given the 2025 contraceptive table with the city's IUD total raised by 100
    content = seed_with(HANOI_2025, 315, "35.600", "35.700")
    # when it is read
    plan = read_plan(content, "wrong-total.txt")
    # then the total row is reported, with the column and both figures
    found = errors(plan)
    assert (
        "Appendix 2, line 315",
        "Column 'Dụng cụ tử cung': the total row 'Tổng' says 35700, the 30 rows add up to 35600.",
    ) in found
    # and the row's "Tổng số" no longer matches its methods either
    assert any(
        where == "Appendix 2, line 315" and "the methods add up to 417050" in message
        for where, message in found
    )


def test_a_method_total_that_is_not_free_plus_social_marketing_names_the_row() -> None:
    # given the 2021 table where Ba Vì's free IUDs read 80 instead of 90
    content = seed_with(HANOI_2021, 254, "\t2,980\t90\t", "\t2,980\t80\t")
    plan = read_plan(content, "wrong-split.txt")
    found = errors(plan)
    assert (
        "Appendix 2, line 254",
        "Ba Vì: Dụng cụ tử cung total 2980 ≠ free 80 + social marketing 2890 (= 2970).",
    ) in found
    # and the free column no longer adds up to the city's total
    assert any("TĐ: Miễn phí" in message and "550" in message for _, message in found)


def test_a_cell_that_cannot_be_read_is_an_error() -> None:
    content = seed_with(HANOI_2025, 324, "\t1.050\t", "\tmột nghìn\t")
    plan = read_plan(content, "bad-cell.txt")
    assert (
        "Appendix 2, line 324",
        "Long Biên: cannot read 'một nghìn' in column 'Dụng cụ tử cung'.",
    ) in errors(plan)


def test_a_count_with_a_decimal_is_not_read() -> None:
    content = seed_with(HANOI_2025, 324, "\t1.050\t", "\t1.05\t")
    plan = read_plan(content, "bad-count.txt")
    assert any(
        where == "Appendix 2, line 324" and "'1.05'" in message for where, message in errors(plan)
    )


def test_an_unknown_column_header_is_named() -> None:
    content = seed_with(HANOI_2025, 314, "Bao cao su", "Que thử thai")
    plan = read_plan(content, "bad-header.txt")
    assert (
        "Appendix 2, line 314",
        "Column header not recognised: 'Que thử thai'; its figures are not read.",
    ) in errors(plan)


def test_a_table_whose_header_names_nothing_is_an_error() -> None:
    lines = seed_lines(HANOI_2025)[:273]
    lines += [
        "Phụ lục 3",
        "TT\tTên đơn vị\tGhi nhận\tKhác",
        "1\tBa Đình\t5\t6",
        "2\tHoàn Kiếm\t7\t8",
    ]
    plan = read_plan("\n".join(lines).encode(), "unknown-table.txt")
    assert (
        "Appendix 3, line 275",
        "Table header not recognised: 'TT | Tên đơn vị | Ghi nhận | Khác'.",
    ) in errors(plan)
    assert plan.appendices == []


def test_a_row_without_a_unit_name_is_an_error_and_an_empty_cell_a_warning() -> None:
    content = seed_with(HANOI_2025, 316, "1\tBa Đình\t18.700", "1\t\t18.700")
    content = content.replace(
        b"2\tHo\xc3\xa0n Ki\xe1\xba\xbfm\t15.050\t550", "2\tHoàn Kiếm\t15.050\t".encode()
    )
    plan = read_plan(content, "holes.txt")
    assert ("Appendix 2, line 316", "A row without a unit name (TT '1'): not read.") in errors(plan)
    warnings = [(p.where, p.message) for p in plan.problems if p.severity == "warning"]
    assert ("Appendix 2, line 317", "Hoàn Kiếm: no figure for 'Dụng cụ tử cung'.") in warnings
