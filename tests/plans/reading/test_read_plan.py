"""``read_plan`` by file type, and files it cannot open."""

from __future__ import annotations

import pytest

from danso.plans.reading import read_plan
from tests.plans.reading.builders import HANOI_2025, seed_bytes


def test_a_file_type_it_does_not_read() -> None:
    with pytest.raises(ValueError, match=r"\.pdf"):
        read_plan(b"%PDF-1.7", "plan.pdf")


@pytest.mark.parametrize("name", ["broken.docx", "broken.xlsx"])
def test_a_broken_office_file_is_an_error(name: str) -> None:
    plan = read_plan(b"not a zip file", name)
    assert [(p.severity, p.where) for p in plan.problems] == [("error", name)]


def test_text_that_is_not_utf8_is_an_error_but_is_read() -> None:
    content = seed_bytes(HANOI_2025).replace("Hà Nội, ngày".encode(), b"H\xe0 N\xf4i, ng\xe0y")
    plan = read_plan(content, "latin.txt")
    assert plan.problems[0].severity == "error"
    assert len(plan.appendices) == 2


def test_utf8_with_a_byte_order_mark() -> None:
    plan = read_plan(b"\xef\xbb\xbf" + seed_bytes(HANOI_2025), "bom.txt")
    assert plan.title.startswith("Triển khai")
