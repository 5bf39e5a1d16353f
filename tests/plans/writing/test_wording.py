from datetime import date
from decimal import Decimal

import pytest

from danso.plans.document import (
    DocumentRef,
    PlanDocument,
    ReportRule,
    Section,
    SectionKind,
    TargetKind,
    TargetSpec,
)
from danso.plans.writing.wording import (
    Style,
    attached_line,
    date_line,
    issuer_lines,
    number_line,
    outline,
    recipient_lines,
    reference_sentence,
    report_rule_sentence,
    target_sentence,
)
from tests.plans.writing.plans import hanoi_2021, hanoi_2025, long_bien_2024

D = Decimal


@pytest.mark.parametrize(
    ("target", "sentence"),
    [
        (
            TargetSpec("NEWBORN", TargetKind.LEVEL_MIN, D("90"), "%"),
            "- Tỷ lệ sàng lọc sơ sinh: 90%.",
        ),
        (
            TargetSpec("SRB", TargetKind.CEILING, D("110"), "per100"),
            "- Tỷ số giới tính khi sinh: không quá 110/100.",
        ),
        (
            TargetSpec("BIRTH3P", TargetKind.CHANGE, D("-0.15"), "%", baseline_year=2024),
            "- Giảm tỷ lệ sinh con thứ 3 trở lên 0,15% so với năm 2024.",
        ),
        (
            TargetSpec("ELDERLY", TargetKind.CHANGE, D("2"), "%", baseline_year=2020),
            "- Tỷ lệ người cao tuổi được khám sức khỏe định kỳ tăng thêm 2% so với năm 2020.",
        ),
        (
            TargetSpec("NEWFP", TargetKind.COUNT_MIN, D("416950"), "persons"),
            "- Số người mới sử dụng biện pháp tránh thai: 416.950 người.",
        ),
        (
            TargetSpec("TFR", TargetKind.NEAR, D("2.1"), "children_per_woman"),
            "- Tổng tỷ suất sinh đạt mức 2,1 con/phụ nữ.",
        ),
        (
            TargetSpec(
                "TFR",
                TargetKind.ALL_CHILDREN,
                D("100"),
                "%",
                condition="TFR near 2.1",
                text="- **100% các phường đạt mức sinh thay thế**",
            ),
            "- 100% các phường đạt mức sinh thay thế.",
        ),
        (
            TargetSpec("TFR", TargetKind.ALL_CHILDREN, D("100"), "%", condition="TFR near 2.1"),
            "- 100% các đơn vị trực thuộc có tổng tỷ suất sinh đạt mức 2,1 con/phụ nữ.",
        ),
    ],
)
def test_a_target_is_written_back_as_a_vietnamese_sentence(
    target: TargetSpec, sentence: str
) -> None:
    assert target_sentence(target) == sentence


def test_the_number_line_leaves_room_for_the_number_of_an_unnumbered_plan() -> None:
    # given an unnumbered people's committee plan and a numbered one
    draft, issued = hanoi_2025(), hanoi_2021()
    # then
    assert number_line(draft) == "Số:      /KH-UBND"
    assert number_line(issued) == "Số: 256/KH-UBND"


@pytest.mark.parametrize(
    ("on", "line"),
    [
        (date(2024, 3, 5), "Hà Nội, ngày 05 tháng 3 năm 2024"),
        (date(2025, 1, 21), "Hà Nội, ngày 21 tháng 01 năm 2025"),
        (date(2020, 12, 31), "Hà Nội, ngày 31 tháng 12 năm 2020"),
        (None, "Hà Nội, ngày      tháng      năm 2025"),
    ],
)
def test_the_date_line_follows_decree_30(on: date | None, line: str) -> None:
    doc = PlanDocument(place="Hà Nội", issued_on=on, period_start=2025)
    assert date_line(doc) == line


def test_a_peoples_committee_is_printed_on_two_bold_lines() -> None:
    lines = issuer_lines("UBND thành phố Hà Nội")
    assert [(line.text, line.bold) for line in lines] == [
        ("ỦY BAN NHÂN DÂN", True),
        ("THÀNH PHỐ HÀ NỘI", True),
    ]


def test_a_managing_body_is_printed_plain_above_the_issuing_body() -> None:
    lines = issuer_lines("UBND thành phố Hà Nội\nSở Y tế")
    assert [(line.text, line.bold) for line in lines] == [
        ("UBND THÀNH PHỐ HÀ NỘI", False),
        ("SỞ Y TẾ", True),
    ]


def test_the_attached_line_names_the_plan_and_its_issuer() -> None:
    assert attached_line(hanoi_2021()) == (
        "(Kèm theo Kế hoạch số 256/KH-UBND ngày 31/12/2020 của UBND thành phố Hà Nội)"
    )
    assert attached_line(hanoi_2025()) == (
        "(Kèm theo Kế hoạch số      /KH-UBND ngày       /      /2025 của UBND thành phố Hà Nội)"
    )


def test_parts_come_in_the_order_of_a_plan_and_are_numbered_in_roman() -> None:
    # given the Long Biên plan, whose sections are purpose, requirement, task, budget…
    blocks = outline(long_bien_2024())
    # when
    parts = [b.text for b in blocks if b.style == Style.PART]
    # then
    assert parts == [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. MỤC TIÊU, CHỈ TIÊU",
        "III. NHIỆM VỤ, HOẠT ĐỘNG CHỦ YẾU",
        "IV. KINH PHÍ THỰC HIỆN",
        "V. TỔ CHỨC THỰC HIỆN",
    ]


def test_targets_follow_the_objectives_with_a_pointer_to_the_appendices() -> None:
    texts = [b.text for b in outline(hanoi_2025())]
    at = texts.index("2. Chỉ tiêu")
    assert texts[at - 2 : at] == [
        "1. Mục tiêu",
        "Duy trì vững chắc mức sinh thay thế; giảm thiểu tình trạng mất cân bằng giới tính "
        "khi sinh; nâng cao chất lượng dân số.",
    ]
    assert texts[at + 1] == "- Giảm tỷ lệ sinh con thứ 3 trở lên 0,15% so với năm 2024."
    assert texts[at + 6] == "(Chi tiết theo Phụ lục số 1, 2)"


def test_a_section_headed_chi_tieu_takes_the_targets_in_its_place() -> None:
    # given a "Chỉ tiêu" section whose body is the target list as read
    doc = PlanDocument(
        targets=[TargetSpec("NEWBORN", TargetKind.LEVEL_MIN, D("90"), "%")],
        sections=[
            Section(
                SectionKind.OBJECTIVE, "Chỉ tiêu", "- Tỷ lệ sàng lọc sơ sinh: **90%**.", number="2"
            ),
        ],
    )
    # when
    texts = [b.text for b in outline(doc)]
    # then the targets are written once, from the data
    assert texts[:3] == ["I. MỤC TIÊU, CHỈ TIÊU", "2. Chỉ tiêu", "- Tỷ lệ sàng lọc sơ sinh: 90%."]


def test_a_roman_numbered_section_is_a_part_of_its_own() -> None:
    doc = PlanDocument(
        sections=[
            Section(SectionKind.OBJECTIVE, "Mục tiêu chung", "Ổn định.", number="1"),
            Section(SectionKind.OTHER, "Đối tượng, phạm vi", "Toàn quận.", number="II"),
            Section(SectionKind.TASK, "Truyền thông", "- Tuyên truyền.", number="1"),
        ],
    )
    parts = [b.text for b in outline(doc) if b.style == Style.PART]
    assert parts == ["I. MỤC TIÊU", "II. ĐỐI TƯỢNG, PHẠM VI", "III. NHIỆM VỤ, HOẠT ĐỘNG CHỦ YẾU"]


def test_agencies_are_bold_headings_of_the_responsibility_part() -> None:
    blocks = outline(hanoi_2025())
    start = next(i for i, b in enumerate(blocks) if b.text == "III. TỔ CHỨC THỰC HIỆN")
    headings = [b.text for b in blocks[start:] if b.style == Style.HEADING]
    assert headings == [
        "1. Sở Y tế (cơ quan thường trực)",
        "2. Sở Tài chính",
        "3. UBND các quận, huyện, thị xã",
    ]


def test_a_report_rule_ending_the_plan_is_its_closing_line() -> None:
    # given the 2025 plan, whose report rule ends with "./."
    blocks = outline(hanoi_2025())
    # then nothing is added after it
    assert blocks[-1].text.startswith("Báo cáo kết quả thực hiện định kỳ hàng quý")
    assert blocks[-1].text.endswith("theo quy định./.")


def test_a_plan_without_a_closing_line_gets_one() -> None:
    last = outline(hanoi_2021())[-1].text
    assert last.startswith("Trên đây là Kế hoạch triển khai thực hiện công tác dân số")
    assert last.endswith("./.")


def test_a_report_rule_without_words_is_written_from_its_parts() -> None:
    rule = ReportRule("", "quarter", "before_day_next", day=10, recipient="Sở Y tế")
    assert report_rule_sentence(rule) == (
        "Báo cáo kết quả thực hiện định kỳ hằng quý trước ngày 10 tháng đầu tiên của quý "
        "tiếp theo, gửi về Sở Y tế."
    )


def test_a_reference_without_words_is_written_from_its_parts() -> None:
    ref = DocumentRef("68/KH-UBND", date(2017, 2, 20), "UBND quận Long Biên", "kiểm soát")
    assert reference_sentence(ref) == (
        "Căn cứ Kế hoạch số 68/KH-UBND ngày 20/02/2017 của UBND quận Long Biên về kiểm soát;"
    )


def test_references_already_quoted_by_the_preamble_are_not_repeated() -> None:
    texts = [b.text for b in outline(hanoi_2025())]
    assert sum("237/KH-UBND" in t for t in texts) == 1


def test_recipients_end_with_the_archive_line() -> None:
    assert recipient_lines(["Sở Y tế Hà Nội;", "UBND các phường"]) == [
        "- Sở Y tế Hà Nội;",
        "- UBND các phường;",
        "- Lưu: VT.",
    ]
    assert recipient_lines(["- Sở Y tế;", "- Lưu: VT, KGVX."])[-1] == "- Lưu: VT, KGVX."
    assert recipient_lines(["Sở Y tế Hà Nội; (để b/cáo)", "Lưu: VT"]) == [
        "- Sở Y tế Hà Nội; (để b/cáo)",
        "- Lưu: VT.",
    ]
