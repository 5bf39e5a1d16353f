"""Text rules shared by .txt and .docx: markup, and lines that continue a paragraph."""

from __future__ import annotations

from danso.plans.reading.blocks import SourceLine, clean_markup, join_lines


def paragraphs(lines: list[str], width: int | None = None) -> list[str]:
    source = [SourceLine(number, line) for number, line in enumerate(lines, start=1)]
    return [p.text for p in join_lines(source, place_word="line", width=width)]


def test_markup_is_dropped_and_bold_parts_kept() -> None:
    text, strong, marked = clean_markup("- Tỷ lệ sàng lọc sơ sinh: **90%**.")
    assert (text, strong, marked) == ("- Tỷ lệ sàng lọc sơ sinh: 90%.", ("90%",), False)
    assert clean_markup("*Phụ lục 2***GIAO CHỈ TIÊU****(Kèm theo Kế hoạch)**")[0] == (
        "Phụ lục 2 GIAO CHỈ TIÊU (Kèm theo Kế hoạch)"
    )
    assert clean_markup("## **2. Xây dựng các chính sách**") == (
        "2. Xây dựng các chính sách",
        ("2. Xây dựng các chính sách",),
        True,
    )
    assert clean_markup("<b>I</b>")[0] == "I"
    assert clean_markup("(Trung tâm: [a@b.vn](mailto:a@b.vn)).")[0] == "(Trung tâm: a@b.vn)."
    assert clean_markup("* Các hoạt động chủ yếu: ")[0] == "* Các hoạt động chủ yếu:"


def test_a_line_after_a_page_break_continues_its_paragraph() -> None:
    assert paragraphs(
        ["- Thực hiện Đề án giai đoạn 2017-", "2025 trên địa bàn", "- Tiếp", "đoạn sau."]
    ) == [
        "- Thực hiện Đề án giai đoạn 2017- 2025 trên địa bàn",
        "- Tiếp đoạn sau.",
    ]


def test_hard_wrapped_lines_are_joined_but_headings_and_bullets_are_not() -> None:
    lines = [
        "địa bàn quận Long Biên. UBND quận Long Biên xây dựng Kế hoạch thực hiện ",
        "",
        "Chương trình điều chỉnh mức sinh trên địa bàn quận như sau:  ",
        "I. MỤC TIÊU  ",
        "1. Mục tiêu chung  ",
        "- Tuyên truyền, vận động các cặp vợ chồng trong độ tuổi sinh đẻ giảm sinh con thứ ",
        "3 trở lên. ",
        "16",
    ]
    assert paragraphs(lines, width=80) == [
        "địa bàn quận Long Biên. UBND quận Long Biên xây dựng Kế hoạch thực hiện Chương trình "
        "điều chỉnh mức sinh trên địa bàn quận như sau:",
        "I. MỤC TIÊU",
        "1. Mục tiêu chung",
        "- Tuyên truyền, vận động các cặp vợ chồng trong độ tuổi sinh đẻ giảm sinh con thứ "
        "3 trở lên.",
    ]


def test_text_that_is_not_wrapped_keeps_its_lines() -> None:
    lines = [
        "Tiêu đề dài dài dài dài dài dài dài dài dài dài dài dài dài dài dài dài dài",
        "Thực hiện Kế hoạch số 1/KH",
    ]
    assert paragraphs(lines) == lines
