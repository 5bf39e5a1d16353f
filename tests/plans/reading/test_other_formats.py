"""The appendix tables of the 2025 and 2021 plans as .xlsx and .docx read to the same
figures as the .txt seeds."""

from __future__ import annotations

from decimal import Decimal

from danso.plans.document import Appendix, PlanDocument
from danso.plans.reading import allocations_by_unit, read_plan
from danso.plans.reading.allocations import Breakdown
from tests.plans.reading.builders import (
    HANOI_2021,
    HANOI_2025,
    docx_bytes,
    seed_bytes,
    tables_2021,
    tables_2025,
    xlsx_bytes,
)

Figures = dict[str, dict[str, tuple[Decimal | None, Breakdown | None]]]


def figures(appendices: list[Appendix]) -> Figures:
    """Each unit's figures, without where they were in the file."""
    return {
        name: {code: (a.value, a.breakdown) for code, a in unit.indicators.items()}
        for name, unit in allocations_by_unit(appendices).items()
    }


def from_txt(name: str) -> PlanDocument:
    return read_plan(seed_bytes(name), name)


def errors(plan: PlanDocument) -> list[str]:
    return [f"{p.where}: {p.message}" for p in plan.problems if p.severity == "error"]


def test_xlsx_2025_reads_as_the_txt() -> None:
    # given the 2025 appendices in a workbook, one sheet each, with merged headers,
    # a title row, and the total rows typed as text ("0,15", "416.950")
    content = xlsx_bytes(tables_2025())
    # when it is read
    plan = read_plan(content, "giao-chi-tieu-2025.xlsx")
    # then it gives the figures of the text file
    assert errors(plan) == []
    assert [a.number for a in plan.appendices] == [1, 2]
    assert plan.appendices[1].title == "GIAO CHỈ TIÊU BIỆN PHÁP TRÁNH THAI NĂM 2025"
    assert figures(plan.appendices) == figures(from_txt(HANOI_2025).appendices)
    assert plan.appendices[1].source.endswith(" PL2")  # "sheet PL2", in the site's language
    long_bien = next(row for row in plan.appendices[1].rows if row.unit_name == "Long Biên")
    assert long_bien.line == 12  # title row, header, total row, then Ba Đình on row 4


def test_xlsx_2021_reads_as_the_txt() -> None:
    # given the 2021 appendices with "Dụng cụ tử cung" merged over its three supply
    # columns and the total row written "42,000"
    plan = read_plan(xlsx_bytes(tables_2021()), "phu-luc-2021.xlsx")
    # then
    assert errors(plan) == []
    assert [a.number for a in plan.appendices] == [1, 2]
    assert [c.key for c in plan.appendices[1].columns][:3] == [
        "NEWFP.iud",
        "NEWFP.iud.free",
        "NEWFP.iud.social_marketing",
    ]
    assert figures(plan.appendices) == figures(from_txt(HANOI_2021).appendices)


def test_xlsx_with_all_figures_as_numbers() -> None:
    plan = read_plan(xlsx_bytes(tables_2021(), text_figures=0), "phu-luc-2021.xlsx")
    assert errors(plan) == []
    assert figures(plan.appendices) == figures(from_txt(HANOI_2021).appendices)


def test_docx_2025_reads_as_the_txt() -> None:
    # given the 2025 plan as Word: the body paragraphs (bold targets), the number and
    # date in a layout table beside the motto, and the two appendix tables
    content = docx_bytes(HANOI_2025, (1, 272), tables_2025(), header_table=True)
    # when it is read
    plan = read_plan(content, "ke-hoach-2025.docx")
    txt = from_txt(HANOI_2025)
    # then body and tables read as the text file
    assert errors(plan) == []
    assert (plan.issuer, plan.title, plan.place, plan.period_start) == (
        txt.issuer,
        txt.title,
        txt.place,
        2025,
    )
    assert [(t.indicator, t.kind, t.value, t.baseline_year) for t in plan.targets] == [
        (t.indicator, t.kind, t.value, t.baseline_year) for t in txt.targets
    ]
    assert [r.number for r in plan.references] == [r.number for r in txt.references]
    assert [(s.kind, s.agency) for s in plan.sections] == [(s.kind, s.agency) for s in txt.sections]
    assert plan.report_rules == txt.report_rules
    assert (plan.signer_name, plan.recipients) == (txt.signer_name, txt.recipients)
    assert figures(plan.appendices) == figures(txt.appendices)
    # "table 2", in the site's language: table 1 lays out the header
    assert plan.appendices[0].source.endswith(" 2")


def test_docx_2021_reads_as_the_txt() -> None:
    content = docx_bytes(HANOI_2021, (1, 187), tables_2021())
    plan = read_plan(content, "ke-hoach-2021.docx")
    txt = from_txt(HANOI_2021)
    assert errors(plan) == []
    assert (plan.number, plan.issued_on) == ("256/KH-UBND", txt.issued_on)
    assert [(t.indicator, t.value) for t in plan.targets] == [
        (t.indicator, t.value) for t in txt.targets
    ]
    assert figures(plan.appendices) == figures(txt.appendices)
