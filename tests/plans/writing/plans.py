"""Plan documents built in code, mirroring the seed plans (shortened): the Hà Nội 2025
plan (two appendices), the Hà Nội 2021 plan (appendix 2 split by supply source) and the
Long Biên 2024 plan (an activity schedule)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from danso.indicators.catalogue import METHOD_NAMES_VI, METHODS, SUPPLIES, SUPPLY_NAMES_VI
from danso.plans.document import (
    ActivitySpec,
    AllocationColumn,
    AllocationRow,
    Appendix,
    DocumentRef,
    PlanDocument,
    ReportRule,
    Section,
    SectionKind,
    TargetKind,
    TargetSpec,
)

D = Decimal
HA_NOI = "UBND thành phố Hà Nội"
SIGNER = "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"


def _rows(table: list[tuple[str, str, list[str]]], keys: list[str]) -> list[AllocationRow]:
    return [
        AllocationRow(
            line=line,
            unit_name=name,
            values={key: D(v) for key, v in zip(keys, values, strict=True)},
            is_total=number == "",
            number=number,
        )
        for line, (number, name, values) in enumerate(table, start=1)
    ]


def hanoi_2025() -> PlanDocument:
    """Unnumbered and undated, as the draft in seed 001."""
    rates = [
        AllocationColumn(
            "BIRTH3P",
            "BIRTH3P",
            TargetKind.CHANGE,
            "%",
            "Kế hoạch năm 2025 / Chỉ tiêu giảm tỷ lệ sinh con thứ 3+ (%)",
        ),
        AllocationColumn(
            "PRENATAL",
            "PRENATAL",
            TargetKind.LEVEL_MIN,
            "%",
            "Kế hoạch năm 2025 / Tỷ lệ sàng lọc trước sinh 4 bệnh (%)",
        ),
        AllocationColumn(
            "NEWBORN",
            "NEWBORN",
            TargetKind.LEVEL_MIN,
            "%",
            "Kế hoạch năm 2025 / Tỷ lệ sàng lọc sơ sinh 5 bệnh (%)",
        ),
    ]
    first = Appendix(
        number=1,
        title="GIAO CHỈ TIÊU DÂN SỐ NĂM 2025",
        columns=rates,
        rows=_rows(
            [
                ("", "Toàn Thành phố", ["-0.15", "85", "90"]),
                ("1", "Ba Đình", ["-0.00", "89", "91"]),
                ("12", "Sóc Sơn", ["-0.45", "85", "90"]),
                ("14", "Gia Lâm", ["-0.05", "82", "90"]),
                ("27", "Ứng Hòa", ["-0.45", "83", "91"]),
            ],
            [c.key for c in rates],
        ),
    )
    methods = ["iud", "implant", "injectable", "pill", "condom"]
    counts = [AllocationColumn("NEWFP", "NEWFP", TargetKind.COUNT_MIN, "persons", "Tổng số")]
    counts += [
        AllocationColumn(
            f"NEWFP.{m}", "NEWFP", TargetKind.COUNT_MIN, "persons", METHOD_NAMES_VI[m], m
        )
        for m in methods
    ]
    second = Appendix(
        number=2,
        title="GIAO CHỈ TIÊU BIỆN PHÁP TRÁNH THAI NĂM 2025",
        columns=counts,
        rows=_rows(
            [
                ("", "Tổng", ["416950", "35600", "300", "1100", "99250", "280700"]),
                ("1", "Ba Đình", ["18700", "750", "0", "0", "2450", "15500"]),
                ("9", "Long Biên", ["24971", "1050", "11", "10", "5400", "18500"]),
                ("27", "Ứng Hoà", ["10806", "750", "11", "45", "4200", "5800"]),
            ],
            [c.key for c in counts],
        ),
    )
    return PlanDocument(
        issuer=HA_NOI,
        number="",
        issued_on=None,
        place="Hà Nội",
        title="Triển khai thực hiện công tác dân số và phát triển\nthành phố Hà Nội năm 2025",
        period_start=2025,
        period_end=2025,
        preamble=(
            "Thực hiện Kế hoạch số 237/KH-UBND ngày 08/12/2020 của UBND Thành phố về thực "
            "hiện Chiến lược Dân số Việt Nam đến năm 2030 trên địa bàn thành phố Hà Nội; "
            "Chỉ thị số 11/CT-UBND ngày 22/10/2024 của UBND Thành phố, UBND thành phố Hà "
            "Nội ban hành Kế hoạch triển khai thực hiện công tác Dân số và Phát triển thành "
            "phố Hà Nội năm 2025 như sau:"
        ),
        references=[
            DocumentRef("237/KH-UBND", date(2020, 12, 8), "UBND Thành phố", "Chiến lược Dân số"),
        ],
        targets=[
            TargetSpec("BIRTH3P", TargetKind.CHANGE, D("-0.15"), "%", baseline_year=2024),
            TargetSpec("ELDERLY", TargetKind.LEVEL_MIN, D("89"), "%"),
            TargetSpec("NEWBORN", TargetKind.LEVEL_MIN, D("90"), "%"),
            TargetSpec("SRB", TargetKind.CEILING, D("110"), "per100"),
            TargetSpec("NEWFP", TargetKind.COUNT_MIN, D("416950"), "persons"),
        ],
        sections=[
            Section(
                SectionKind.OBJECTIVE,
                "Mục tiêu",
                "Duy trì vững chắc mức sinh thay thế; giảm thiểu tình trạng mất cân bằng giới "
                "tính khi sinh; nâng cao chất lượng dân số.",
                number="1",
            ),
            Section(
                SectionKind.TASK,
                "Công tác tham mưu, lãnh đạo, chỉ đạo và điều hành",
                "- Tăng cường sự lãnh đạo, chỉ đạo của các cấp ủy đảng, chính quyền.\n\n"
                "- Các quận, huyện, thị xã hoàn thành việc giao chỉ tiêu kế hoạch.",
                number="1",
            ),
            Section(SectionKind.TASK, "Triển khai các hoạt động chuyên môn", "", number="2"),
            Section(
                SectionKind.TASK,
                "Về quy mô dân số và kế hoạch hóa gia đình",
                "- Đảm bảo cung ứng các phương tiện tránh thai miễn phí.\n\n"
                "+ Tư vấn và cung cấp dịch vụ tại địa bàn Chiến dịch.",
                number="2.1",
            ),
            Section(
                SectionKind.RESPONSIBILITY,
                "Sở Y tế (cơ quan thường trực)",
                "Tham mưu Ban chỉ đạo công tác Dân số và Phát triển Thành phố.",
                number="1",
                agency="Sở Y tế",
            ),
            Section(
                SectionKind.RESPONSIBILITY,
                "Sở Tài chính",
                "Tham mưu cân đối, bố trí kinh phí cho công tác Dân số.",
                number="2",
                agency="Sở Tài chính",
            ),
            Section(
                SectionKind.RESPONSIBILITY,
                "UBND các quận, huyện, thị xã",
                "Hoàn thành công tác giao chỉ tiêu kế hoạch cho các xã, phường, thị trấn.",
                number="3",
                agency="UBND các quận, huyện, thị xã",
            ),
        ],
        report_rules=[
            ReportRule(
                "Báo cáo kết quả thực hiện định kỳ hàng quý (hạn gửi báo cáo trước ngày 10 "
                "tháng đầu tiên của quý tiếp theo), báo cáo tổng kết năm gửi trước ngày 15/12, "
                "gửi về Sở Y tế tổng hợp báo cáo UBND Thành phố theo quy định./.",
                "quarter",
                "before_day_next",
                day=10,
                recipient="Sở Y tế",
            ),
        ],
        appendices=[first, second],
        signer_title=SIGNER,
        signer_name="Vũ Thu Hà",
        recipients=["Chủ tịch UBND Thành phố;", "Sở Y tế Hà Nội;", "Lưu: VT, KGVX."],
    )


def hanoi_2021() -> PlanDocument:
    """Numbered and dated; appendix 2 splits every method by supply source."""
    columns = [
        AllocationColumn(
            f"NEWFP.{m}.{s}",
            "NEWFP",
            TargetKind.COUNT_MIN,
            "persons",
            f"{METHOD_NAMES_VI[m]} / {SUPPLY_NAMES_VI[s]}",
            m,
            s,
        )
        for m in METHODS[:5]
        for s in SUPPLIES
    ]
    figures = [
        (
            "",
            "Tổng",
            [42000, 550, 41450, 240, 0, 240, 1000, 10, 990, 89110, 1160, 87950, 248000, 0, 248000],
        ),
        ("1", "Ba Đình", [800, 0, 800, 4, 0, 4, 0, 0, 0, 2200, 0, 2200, 14800, 0, 14800]),
        ("18", "Ba Vì", [2980, 90, 2890, 10, 0, 10, 110, 2, 108, 2570, 129, 2441, 4300, 0, 4300]),
        ("27", "Ứng Hoà", [950, 30, 920, 5, 0, 5, 28, 0, 28, 3470, 100, 3370, 4800, 0, 4800]),
    ]
    second = Appendix(
        number=2,
        title="KẾ HOẠCH GIAO CHỈ TIÊU CÁC BIỆN PHÁP TRÁNH THAI NĂM 2021",
        columns=columns,
        rows=_rows(
            [(n, name, [str(v) for v in values]) for n, name, values in figures],
            [c.key for c in columns],
        ),
    )
    rates = [
        AllocationColumn(
            "CBR",
            "CBR",
            TargetKind.CHANGE,
            "‰",
            "Kế hoạch năm 2021 / Chỉ tiêu giảm tỷ suất sinh (%)",
        ),
        AllocationColumn(
            "BIRTH3P",
            "BIRTH3P",
            TargetKind.CHANGE,
            "%",
            "Kế hoạch năm 2021 / Chỉ tiêu giảm tỷ lệ sinh con thứ 3+ (%)",
        ),
        AllocationColumn(
            "ELDERLY",
            "ELDERLY",
            TargetKind.CHANGE,
            "%",
            "Kế hoạch năm 2021 / Tỷ lệ NCT được khám sức khỏe định kỳ tăng thêm tối thiểu "
            "trong năm (%)",
        ),
    ]
    first = Appendix(
        number=1,
        title="KẾ HOẠCH GIAO CHỈ TIÊU DÂN SỐ THÀNH PHỐ NĂM 2021",
        columns=rates,
        rows=_rows(
            [
                ("", "Toàn Thành phố", ["-0.10", "-0.10", "2.0"]),
                ("1", "Ba Đình", ["-0.02", "-0.01", "1"]),
                ("21", "Thạch Thất", ["-0.20", "-0.20", "3"]),
                ("28", "Phú Xuyên", ["-0.20", "-0.15", "8"]),
            ],
            [c.key for c in rates],
        ),
    )
    return PlanDocument(
        issuer=HA_NOI,
        number="256/KH-UBND",
        issued_on=date(2020, 12, 31),
        place="Hà Nội",
        title="Triển khai thực hiện công tác dân số thành phố Hà Nội năm 2021",
        period_start=2021,
        period_end=2021,
        preamble=(
            "Căn cứ Quyết định số 5568/QĐ-UBND ngày 09/12/2020 của Ủy ban nhân dân Thành "
            "phố về việc giao chỉ tiêu Kế hoạch kinh tế - xã hội năm 2021, UBND Thành phố "
            "ban hành Kế hoạch triển khai thực hiện công tác dân số năm 2021 như sau:"
        ),
        targets=[
            TargetSpec("CBR", TargetKind.CHANGE, D("-0.1"), "‰", baseline_year=2020),
            TargetSpec("ELDERLY", TargetKind.CHANGE, D("2"), "%", baseline_year=2020),
            TargetSpec("PRENATAL", TargetKind.LEVEL_MIN, D("81"), "%"),
            TargetSpec("SRB", TargetKind.CEILING, D("113"), "per100"),
            TargetSpec("NEWFP", TargetKind.COUNT_MIN, D("380350"), "persons"),
        ],
        sections=[
            Section(
                SectionKind.OBJECTIVE,
                "Mục tiêu",
                "Nhằm ổn định quy mô dân số, duy trì vững chắc mức sinh thay thế.",
                number="1",
            ),
            Section(
                SectionKind.TASK,
                "Công tác phối hợp liên ngành",
                "- Sở Y tế tham mưu Ban Chỉ đạo công tác Dân số Thành phố.",
                number="1",
            ),
            Section(
                SectionKind.RESPONSIBILITY,
                "Sở Y tế",
                "- Cơ quan Thường trực triển khai Kế hoạch của Thành phố.",
                number="1",
                agency="Sở Y tế",
            ),
        ],
        appendices=[first, second],
        signer_title="TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
        signer_name="Chử Xuân Dũng",
        recipients=["Thường trực Thành ủy", "Các Sở, ban, ngành Thành phố", "Lưu: VT, KGVX"],
    )


def long_bien_2024() -> PlanDocument:
    """A district plan with no appendix but an activity schedule (seed 004)."""
    return PlanDocument(
        issuer="UBND quận Long Biên",
        number="128/KH-UBND",
        issued_on=date(2024, 3, 5),
        place="Long Biên",
        title=(
            "Thực hiện hoạt động kiểm soát mất cân bằng giới tính khi sinh trên địa bàn "
            "quận Long Biên năm 2024"
        ),
        period_start=2024,
        period_end=2024,
        preamble=(
            "Ủy ban nhân dân quận Long Biên xây dựng kế hoạch thực hiện các hoạt động kiểm "
            "soát mất cân bằng giới tính khi sinh năm 2024 cụ thể như sau:"
        ),
        references=[
            DocumentRef(
                "68/KH-UBND",
                date(2017, 2, 20),
                "UBND quận Long Biên",
                "kiểm soát mất cân bằng giới tính khi sinh giai đoạn 2016 - 2025",
            ),
            DocumentRef(
                "792/KH-SYT",
                date(2024, 2, 23),
                "Sở Y tế Hà Nội",
                "",
                text="Theo hướng dẫn tại Kế hoạch số 792/KH-SYT ngày 23/02/2024 của Sở Y tế "
                "Hà Nội,",
            ),
        ],
        targets=[TargetSpec("SRB", TargetKind.CEILING, D("109"), "per100")],
        sections=[
            Section(
                SectionKind.PURPOSE,
                "Mục đích",
                "- Từng bước khống chế tốc độ gia tăng.",
                number="1",
            ),
            Section(SectionKind.REQUIREMENT, "Yêu cầu", "- Làm rõ thực trạng.", number="2"),
            Section(
                SectionKind.TASK, "Truyền thông nâng cao nhận thức", "- Tuyên truyền.", number="1"
            ),
            Section(SectionKind.BUDGET, "", "Sử dụng nguồn kinh phí Thành phố giao."),
            Section(
                SectionKind.RESPONSIBILITY,
                "Trung tâm Y tế Quận",
                "- Là cơ quan thường trực.",
                number="1",
                agency="Trung tâm Y tế Quận",
            ),
        ],
        activities=[
            ActivitySpec(
                "I. Công tác chỉ đạo điều hành",
                "1",
                "Tham mưu xây dựng kế hoạch thực hiện",
                "Tháng 3/2024",
                date(2024, 3, 1),
                date(2024, 3, 31),
                None,
                "Trung tâm Y tế",
                "Phòng Y tế, các ngành thành viên BCĐ CT Dân số & Phát triển",
            ),
            ActivitySpec(
                "II. Truyền thông nâng cao nhận thức",
                "1",
                "Truyền thông cho lãnh đạo Đảng, chính quyền",
                "Tháng 3 - 10/2024",
                date(2024, 3, 1),
                date(2024, 10, 31),
                None,
                "Trung tâm Y tế",
                "BCĐ CT Dân số & Phát triển các phường",
            ),
            ActivitySpec(
                "II. Truyền thông nâng cao nhận thức",
                "2",
                "Lồng ghép nội dung về mất cân bằng giới tính khi sinh trong hội nghị",
                "Hàng tháng",
                None,
                None,
                "monthly",
                "Các ngành thành viên BCĐ",
                "Trung tâm Y tế",
            ),
        ],
        signer_title=SIGNER,
        signer_name="Đinh Thị Thu Hương",
        recipients=[
            "Sở Y tế Hà Nội; (để b/cáo)",
            "UBND 14 phường; (để t/hiện)",
            "Lưu: VT, YT (04).",
        ],
    )
