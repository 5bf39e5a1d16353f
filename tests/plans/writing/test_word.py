from collections.abc import Callable
from io import BytesIO

import pytest
from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from danso.plans.document import PlanDocument
from danso.plans.writing import plan_docx
from tests.plans.writing.plans import hanoi_2021, hanoi_2025, long_bien_2024


def _open(doc: PlanDocument) -> WordDocument:
    return Document(BytesIO(plan_docx(doc)))


def _mm(*lengths: Length | None) -> tuple[int, ...]:
    """Lengths in whole millimetres (Word stores them in twentieths of a point)."""
    return tuple(round(length.mm) if length is not None else -1 for length in lengths)


def _texts(paragraphs: list[Paragraph]) -> list[str]:
    return [p.text for p in paragraphs if p.text.strip()]


def _paragraph(word: WordDocument, text: str) -> Paragraph:
    return next(p for p in word.paragraphs if p.text == text)


def _following(word: WordDocument, text: str, count: int) -> list[Paragraph]:
    """The paragraph whose text is ``text`` and the ``count`` paragraphs after it."""
    paragraphs = word.paragraphs
    index = [p.text for p in paragraphs].index(text)
    return paragraphs[index : index + 1 + count]


def _tables_by_section(word: WordDocument) -> list[list[Table]]:
    """The top-level tables of each section, in order."""
    sections: list[list[Table]] = [[]]
    tables = iter(word.tables)
    for child in word.element.body.iterchildren():
        if child.tag == qn("w:tbl"):
            sections[-1].append(next(tables))
        elif child.tag == qn("w:p") and child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
            sections.append([])
    return sections


def test_the_page_is_a4_with_the_decrees_margins() -> None:
    section = _open(hanoi_2025()).sections[0]
    assert _mm(section.page_width, section.page_height) == (210, 297)
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert _mm(section.top_margin, section.bottom_margin) == (20, 20)
    assert _mm(section.left_margin, section.right_margin) == (30, 15)


def test_the_body_is_times_new_roman_14_justified_with_a_first_line_indent() -> None:
    word = _open(hanoi_2025())
    normal = word.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size == Pt(14)
    body = _paragraph(word, "- Tỷ lệ sàng lọc sơ sinh: 90%.")
    assert body.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert body.paragraph_format.first_line_indent == Mm(12.7)
    assert body.paragraph_format.space_after == Pt(6)


def test_the_header_names_the_issuer_the_nation_the_number_and_the_date() -> None:
    # given a numbered, dated plan
    header = _open(hanoi_2021()).tables[0]
    issuer, nation = header.rows[0].cells
    number, when = header.rows[1].cells
    # then
    assert _texts(issuer.paragraphs) == ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ HÀ NỘI"]
    assert all(p.runs[0].bold for p in issuer.paragraphs if p.text)
    assert _texts(nation.paragraphs) == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    assert all(p.runs[0].bold for p in nation.paragraphs if p.text)
    assert nation.paragraphs[0].runs[0].font.size == Pt(12.5)
    assert number.text == "Số: 256/KH-UBND"
    assert when.text == "Hà Nội, ngày 31 tháng 12 năm 2020"
    assert when.paragraphs[0].runs[0].italic


def test_the_header_table_has_no_borders_and_rules_under_issuer_and_motto() -> None:
    header = _open(hanoi_2021()).tables[0]
    borders = header._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None
    assert {edge.get(qn("w:val")) for edge in borders} == {"nil"}
    for cell in header.rows[0].cells:
        rule = cell.paragraphs[-1]
        assert rule.text == ""
        assert rule._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:bottom')}") is not None


def test_an_unnumbered_undated_plan_leaves_blanks() -> None:
    header = _open(hanoi_2025()).tables[0]
    assert header.rows[1].cells[0].text == "Số:      /KH-UBND"
    assert header.rows[1].cells[1].text == "Hà Nội, ngày      tháng      năm 2025"


def test_the_title_follows_ke_hoach_in_bold_and_centred() -> None:
    word = _open(hanoi_2025())
    heading, title = _following(word, "KẾ HOẠCH", 1)
    assert title.text == (
        "Triển khai thực hiện công tác dân số và phát triển\nthành phố Hà Nội năm 2025"
    )
    for paragraph in (heading, title):
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert all(run.bold for run in paragraph.runs)


def test_the_body_lists_parts_targets_and_agencies_in_order() -> None:
    texts = [p.text for p in _open(hanoi_2025()).paragraphs]
    wanted = [
        "I. MỤC TIÊU, CHỈ TIÊU",
        "2. Chỉ tiêu",
        "- Giảm tỷ lệ sinh con thứ 3 trở lên 0,15% so với năm 2024.",
        "- Tỷ lệ sàng lọc sơ sinh: 90%.",
        "- Tỷ số giới tính khi sinh: không quá 110/100.",
        "- Số người mới sử dụng biện pháp tránh thai: 416.950 người.",
        "II. NHIỆM VỤ, HOẠT ĐỘNG CHỦ YẾU",
        "2.1. Về quy mô dân số và kế hoạch hóa gia đình",
        "III. TỔ CHỨC THỰC HIỆN",
        "1. Sở Y tế (cơ quan thường trực)",
    ]
    positions = [texts.index(text) for text in wanted]
    assert positions == sorted(positions)


def test_agency_headings_are_bold() -> None:
    heading = _paragraph(_open(hanoi_2025()), "2. Sở Tài chính")
    assert heading.runs[0].bold


def test_the_signature_block_has_recipients_left_and_the_signer_right() -> None:
    signature = _open(hanoi_2025()).tables[1]
    recipients, signer = signature.rows[0].cells
    assert _texts(recipients.paragraphs) == [
        "Nơi nhận:",
        "- Chủ tịch UBND Thành phố;",
        "- Sở Y tế Hà Nội;",
        "- Lưu: VT, KGVX.",
    ]
    first = recipients.paragraphs[0].runs[0]
    assert (first.bold, first.italic, first.font.size) == (True, True, Pt(12))
    assert recipients.paragraphs[1].runs[0].font.size == Pt(11)
    assert _texts(signer.paragraphs) == [
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Vũ Thu Hà",
    ]
    assert all(p.runs[0].bold for p in signer.paragraphs if p.text)


def test_each_appendix_is_a_landscape_section_of_its_own() -> None:
    # given the 2025 plan with two appendices
    word = _open(hanoi_2025())
    # then the plan is followed by two landscape sections, each with one table
    assert [s.orientation for s in word.sections] == [
        WD_ORIENT.PORTRAIT,
        WD_ORIENT.LANDSCAPE,
        WD_ORIENT.LANDSCAPE,
    ]
    assert _mm(word.sections[1].page_width, word.sections[1].page_height) == (297, 210)
    assert [len(tables) for tables in _tables_by_section(word)] == [2, 1, 1]


def test_an_appendix_opens_with_its_number_title_and_the_plan_it_belongs_to() -> None:
    word = _open(hanoi_2021())
    label, title, attached = _following(word, "Phụ lục 2", 2)
    assert label.runs[0].bold
    assert title.text == "KẾ HOẠCH GIAO CHỈ TIÊU CÁC BIỆN PHÁP TRÁNH THAI NĂM 2021"
    assert title.runs[0].bold
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert attached.text == (
        "(Kèm theo Kế hoạch số 256/KH-UBND ngày 31/12/2020 của UBND thành phố Hà Nội)"
    )
    assert attached.runs[0].italic


def test_a_method_is_one_merged_cell_over_its_three_supply_columns() -> None:
    # given the 2021 contraceptive appendix
    table = _open(hanoi_2021()).tables[3]
    first, second = table.rows[0]._tr.tc_lst, table.rows[1]._tr.tc_lst
    # then the first header row has TT, the unit and one cell per method, each 3 wide
    assert [tc.grid_span for tc in first] == [1, 1, 3, 3, 3, 3, 3]
    assert [tc.vMerge for tc in first[:2]] == ["restart", "restart"]
    assert [tc.vMerge for tc in second[:2]] == ["continue", "continue"]
    assert table.rows[0].cells[2].text == "Dụng cụ tử cung"
    assert [c.text for c in table.rows[1].cells[2:5]] == [
        "Tổng số",
        "TĐ: Miễn phí",
        "TĐ: Tiếp thị xã hội và XHH",
    ]


def test_numbers_are_vietnamese_right_aligned_and_the_total_row_bold() -> None:
    table = _open(hanoi_2021()).tables[3]
    total = table.rows[2].cells
    assert [c.text for c in total[:5]] == ["", "Tổng", "42.000", "550", "41.450"]
    assert total[2].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert all(c.paragraphs[0].runs[0].bold for c in total[1:])
    district = table.rows[4].cells
    assert [c.text for c in district[:5]] == ["18", "Ba Vì", "2.980", "90", "2.890"]
    assert not district[2].paragraphs[0].runs[0].bold


def test_falls_show_their_size_with_two_decimals() -> None:
    table = _open(hanoi_2025()).tables[2]
    assert table.rows[0].cells[2].text == "Kế hoạch năm 2025"
    assert [row.cells[1].text for row in table.rows[2:]] == [
        "Toàn Thành phố",
        "Ba Đình",
        "Sóc Sơn",
        "Gia Lâm",
        "Ứng Hòa",
    ]
    assert [row.cells[2].text for row in table.rows[2:]] == [
        "0,15",
        "0,00",
        "0,45",
        "0,05",
        "0,45",
    ]


def test_header_rows_repeat_on_every_page() -> None:
    table = _open(hanoi_2021()).tables[3]
    repeated = [row._tr.trPr.find(qn("w:tblHeader")) is not None for row in table.rows]
    assert repeated == [True, True, False, False, False, False]


def test_the_activity_schedule_is_a_landscape_table_with_bold_group_rows() -> None:
    # given the Long Biên plan, with a schedule and no appendix
    word = _open(long_bien_2024())
    # then
    assert [s.orientation for s in word.sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE]
    table = _tables_by_section(word)[1][0]
    assert [c.text for c in table.rows[0].cells] == [
        "TT",
        "Nội dung công việc",
        "Thời gian thực hiện",
        "Đơn vị thực hiện",
        "Đơn vị phối hợp",
    ]
    group, activity = table.rows[1].cells, table.rows[2].cells
    assert [c.text for c in group[:2]] == ["I", "Công tác chỉ đạo điều hành"]
    assert group[1].paragraphs[0].runs[0].bold
    assert [c.text for c in activity] == [
        "1",
        "Tham mưu xây dựng kế hoạch thực hiện",
        "Tháng 3/2024",
        "Trung tâm Y tế",
        "Phòng Y tế, các ngành thành viên BCĐ CT Dân số & Phát triển",
    ]
    assert not activity[1].paragraphs[0].runs[0].bold


@pytest.mark.parametrize("build", [hanoi_2025, hanoi_2021, long_bien_2024])
def test_the_body_ends_with_the_closing_mark(build: Callable[[], PlanDocument]) -> None:
    word = _open(build())
    last = [p.text for p in word.paragraphs if p.text.strip().endswith("/.")]
    assert len(last) == 1


def test_an_empty_plan_still_makes_a_document() -> None:
    word = _open(PlanDocument())
    assert word.tables[0].rows[1].cells[0].text == "Số:      /KH"
    assert len(word.sections) == 1
