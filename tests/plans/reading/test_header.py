"""Header, references and agencies, on small made-up plans."""

from __future__ import annotations

from datetime import date

from danso.plans.document import DocumentRef, PlanDocument
from danso.plans.reading import read_plan
from danso.plans.reading.header import normalise_issuer, normalise_number
from danso.plans.reading.sections import agency_name

#: What ends every plan: a header alone would be read as a plan cut short.
TAIL = (
    *("", "I. MỤC ĐÍCH, YÊU CẦU", "Triển khai kế hoạch.", ""),
    *("Nơi nhận:", "- UBND phường;", "- Lưu: VT.", ""),
    *("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "", "Nguyễn Văn An"),
)


def plan_of(*lines: str) -> PlanDocument:
    return read_plan("\n".join((*lines, *TAIL)).encode(), "plan.txt")


def test_number_date_title_and_period() -> None:
    plan = plan_of(
        "ỦY BAN NHÂN DÂN",
        "HUYỆN ỨNG HÒA",
        "Số: 12 /KH - UBND",
        "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Ứng Hòa, ngày 05 tháng 3 năm 2024",
        "KẾ HOẠCH",
        "Kiểm soát mất cân bằng giới tính khi sinh",
        "giai đoạn 2016-2025",
        "Căn cứ Kế hoạch số 68/KH - UBND ngày 20/02/2017 của UBND huyện Ứng Hòa về kiểm soát "
        "mất cân bằng giới tính khi sinh; Quyết định 3370/QĐ-UBND của UBND Thành phố ngày "
        "16/09/2022 phê duyệt Đề án tầm soát, UBND huyện Ứng Hòa ban hành Kế hoạch như sau:",
        "I. MỤC TIÊU",
    )
    assert (plan.issuer, plan.number, plan.place, plan.issued_on) == (
        "UBND huyện Ứng Hòa",
        "12/KH-UBND",
        "Ứng Hòa",
        date(2024, 3, 5),
    )
    assert plan.title == "Kiểm soát mất cân bằng giới tính khi sinh giai đoạn 2016-2025"
    assert (plan.period_start, plan.period_end) == (2016, 2025)
    assert plan.references == [
        DocumentRef(
            number="68/KH-UBND",
            issued_on=date(2017, 2, 20),
            issuer="UBND huyện Ứng Hòa",
            title="kiểm soát mất cân bằng giới tính khi sinh",
            text="Kế hoạch số 68/KH - UBND ngày 20/02/2017 của UBND huyện Ứng Hòa về kiểm soát mất "
            "cân bằng giới tính khi sinh",
        ),
        DocumentRef(
            number="3370/QĐ-UBND",
            issued_on=date(2022, 9, 16),
            issuer="UBND Thành phố",
            title="Đề án tầm soát",
            text="Quyết định 3370/QĐ-UBND của UBND Thành phố ngày 16/09/2022 phê duyệt "
            "Đề án tầm soát",
        ),
    ]


def test_an_unnumbered_plan_with_an_undated_date_line() -> None:
    plan = plan_of(
        "Số:        /KH-UBND",
        "Long Biên, ngày       tháng        năm 2025",
        "KẾ HOẠCH",
        "Thực hiện đến năm 2030",
    )
    assert (plan.number, plan.issued_on, plan.period_start, plan.period_end) == (
        "",
        None,
        2025,
        2030,
    )
    assert plan.problems == []  # an unnumbered draft is normal


def test_an_impossible_date_is_a_warning() -> None:
    plan = plan_of("Số: 1/KH-UBND", "Hà Nội, ngày 31 tháng 2 năm 2025", "KẾ HOẠCH", "Năm 2025")
    assert plan.issued_on is None
    # the warning quotes the line, in whichever language the site speaks
    assert [p.severity for p in plan.problems] == ["warning"]
    assert "ngày 31 tháng 2 năm 2025" in plan.problems[0].message


def test_numbers_and_issuers_are_normalised() -> None:
    assert normalise_number("68/KH - UBND") == "68/KH-UBND"
    assert normalise_number("30/QĐ- UBND") == "30/QĐ-UBND"
    assert normalise_issuer("ỦY BAN NHÂN DÂN QUẬN LONG BIÊN") == "UBND quận Long Biên"
    assert normalise_issuer("Ủy ban nhân dân Thành phố") == "UBND Thành phố"


def test_agency_names() -> None:
    assert agency_name("Sở Y tế (cơ quan thường trực):") == "Sở Y tế"
    assert agency_name("Trung tâm Y tế Quận") == "Trung tâm Y tế"
    assert agency_name("Ủy ban nhân dân các phường") == "UBND các phường"
    assert agency_name("Đề nghị Ban Tuyên giáo Quận ủy") == "Ban Tuyên giáo Quận ủy"
    assert agency_name("UBND các quận, huyện, thị xã") == "UBND các quận, huyện, thị xã"
