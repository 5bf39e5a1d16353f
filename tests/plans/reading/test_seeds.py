"""The project's acceptance checks for reading plans: the five seed plans as .txt."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from danso.plans.document import PlanDocument, SectionKind, TargetKind, TargetSpec
from danso.plans.reading import allocations, allocations_by_unit, read_plan
from tests.plans.reading.builders import (
    CHIEN_THANG_2023,
    HANOI_2021,
    HANOI_2025,
    LONG_BIEN_2024,
    LONG_BIEN_2030,
    seed_bytes,
)


def read(name: str) -> PlanDocument:
    return read_plan(seed_bytes(name), name)


def targets(plan: PlanDocument) -> dict[str, TargetSpec]:
    return {target.indicator: target for target in plan.targets}


def errors(plan: PlanDocument) -> list[str]:
    return [f"{p.where}: {p.message}" for p in plan.problems if p.severity == "error"]


def test_hanoi_2025_header_and_targets() -> None:
    # given the 2025 city plan, not yet numbered
    # when it is read
    plan = read(HANOI_2025)
    # then
    assert plan.number == ""
    assert plan.problems == []
    assert (plan.place, plan.issued_on, plan.period_start, plan.period_end) == (
        "Hà Nội",
        None,
        2025,
        2025,
    )
    assert (
        plan.title == "Triển khai thực hiện công tác dân số và phát triển thành phố Hà Nội năm 2025"
    )
    assert plan.issuer == "UBND thành phố Hà Nội"
    found = targets(plan)
    assert (found["BIRTH3P"].kind, found["BIRTH3P"].value, found["BIRTH3P"].baseline_year) == (
        TargetKind.CHANGE,
        Decimal("-0.15"),
        2024,
    )
    assert (found["NEWBORN"].kind, found["NEWBORN"].value, found["NEWBORN"].unit) == (
        TargetKind.LEVEL_MIN,
        Decimal("90"),
        "%",
    )
    assert (found["SRB"].kind, found["SRB"].value, found["SRB"].unit) == (
        TargetKind.CEILING,
        Decimal("110"),
        "per100",
    )
    assert (found["NEWFP"].kind, found["NEWFP"].value, found["NEWFP"].unit) == (
        TargetKind.COUNT_MIN,
        Decimal("416950"),
        "persons",
    )
    assert found["PRENATAL"].value == Decimal("85")
    assert found["PREMARITAL"].value == Decimal("85")
    assert (found["ELDERLY"].kind, found["ELDERLY"].value) == (TargetKind.LEVEL_MIN, Decimal("89"))


def test_hanoi_2025_references_sections_and_reports() -> None:
    plan = read(HANOI_2025)
    assert [ref.number for ref in plan.references] == [
        "74-KH/TU",
        "08-Ctr/TU",
        "237/KH-UBND",
        "11/CT-UBND",
    ]
    assert plan.references[2].issued_on == date(2020, 12, 8)
    assert plan.references[0].issuer == "Thành ủy Hà Nội"
    agencies = [s.agency for s in plan.sections if s.kind is SectionKind.RESPONSIBILITY]
    assert len(agencies) == 20
    assert agencies[0] == "Sở Y tế"
    assert agencies[-1] == "UBND các quận, huyện, thị xã"
    quarterly, yearly = plan.report_rules
    assert (quarterly.period, quarterly.rule, quarterly.day, quarterly.recipient) == (
        "quarter",
        "before_day_next",
        10,
        "Sở Y tế",
    )
    assert (yearly.period, yearly.rule, yearly.day, yearly.month, yearly.recipient) == (
        "year",
        "fixed_date",
        15,
        12,
        "Sở Y tế",
    )
    assert plan.signer_title == "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"
    assert plan.signer_name == "Vũ Thu Hà"
    assert plan.recipients[0] == "Đồng chí Bí thư Thành ủy"
    assert plan.recipients[-1] == "Lưu: VT, KGVX (HUYỀN)"


def test_hanoi_2025_appendices() -> None:
    # given the 2025 city plan with its two appendices
    plan = read(HANOI_2025)
    # then thirty districts get new contraceptive users adding up to the city's target
    assert errors(plan) == []
    first, second = plan.appendices
    assert (first.number, first.title) == (1, "GIAO CHỈ TIÊU DÂN SỐ NĂM 2025")
    assert (second.number, second.title) == (2, "GIAO CHỈ TIÊU BIỆN PHÁP TRÁNH THAI NĂM 2025")
    districts = allocations(second)
    assert len(districts) == 30
    assert sum(d.indicators["NEWFP"].value or 0 for d in districts) == 416950
    long_bien = next(d for d in districts if d.unit_name == "Long Biên")
    assert long_bien.indicators["NEWFP"].value == 24971
    breakdown = long_bien.indicators["NEWFP"].breakdown
    assert breakdown == {
        "iud": Decimal(1050),
        "implant": Decimal(11),
        "injectable": Decimal(10),
        "pill": Decimal(5400),
        "condom": Decimal(18500),
    }
    assert long_bien.line == 324
    # and "Ứng Hòa" (appendix 1) and "Ứng Hoà" (appendix 2) are one district
    ung_hoa = allocations_by_unit(plan.appendices)["ung hoa"]
    assert ung_hoa.indicators["PREMARITAL"].value == 78
    assert ung_hoa.indicators["NEWFP"].value == 10806


def test_hanoi_2025_appendix_1_columns() -> None:
    plan = read(HANOI_2025)
    columns = {c.key: c for c in plan.appendices[0].columns}
    assert list(columns) == ["BIRTH3P", "PRENATAL", "NEWBORN", "PREMARITAL", "ELDERLY"]
    assert columns["BIRTH3P"].kind is TargetKind.CHANGE
    assert (
        columns["BIRTH3P"].header == "Kế hoạch năm 2025 / Chỉ tiêu giảm tỷ lệ sinh con thứ 3+ (%)"
    )
    soc_son = next(row for row in plan.appendices[0].rows if row.unit_name == "Sóc Sơn")
    assert soc_son.values["BIRTH3P"] == Decimal("-0.45")
    total = plan.appendices[0].rows[0]
    assert (total.unit_name, total.is_total, total.line) == ("Toàn Thành phố", True, 280)


def test_hanoi_2021_targets_from_the_body() -> None:
    plan = read(HANOI_2021)
    assert (plan.number, plan.issued_on, plan.period_start) == (
        "256/KH-UBND",
        date(2020, 12, 31),
        2021,
    )
    found = targets(plan)
    assert (
        found["CBR"].kind,
        found["CBR"].value,
        found["CBR"].unit,
        found["CBR"].baseline_year,
    ) == (
        TargetKind.CHANGE,
        Decimal("-0.1"),
        "‰",
        2020,
    )
    assert (found["BIRTH3P"].value, found["BIRTH3P"].baseline_year) == (Decimal("-0.1"), 2020)
    assert (found["ELDERLY"].kind, found["ELDERLY"].value, found["ELDERLY"].baseline_year) == (
        TargetKind.CHANGE,
        Decimal("2"),
        2020,
    )
    assert (found["SRB"].kind, found["SRB"].value) == (TargetKind.CEILING, Decimal("113"))
    assert found["PRENATAL"].value == Decimal("81")
    assert found["NEWBORN"].value == Decimal("85")
    assert found["NEWFP"].value == Decimal("380350")
    assert [ref.number for ref in plan.references] == ["5568/QĐ-UBND"]


def test_hanoi_2021_appendix_1_has_six_indicators_per_district() -> None:
    plan = read(HANOI_2021)
    appendix = plan.appendices[0]
    kinds = {c.key: (c.kind, c.unit) for c in appendix.columns}
    assert kinds == {
        "CBR": (TargetKind.CHANGE, "‰"),
        "BIRTH3P": (TargetKind.CHANGE, "%"),
        "PREG_COUNSEL": (TargetKind.LEVEL_MIN, "%"),
        "PRENATAL": (TargetKind.LEVEL_MIN, "%"),
        "NEWBORN": (TargetKind.LEVEL_MIN, "%"),
        "ELDERLY": (TargetKind.CHANGE, "%"),
    }
    districts = allocations(appendix)
    assert len(districts) == 30
    assert all(len(d.indicators) == 6 for d in districts)
    phu_xuyen = next(d for d in districts if d.unit_name == "Phú Xuyên")
    assert phu_xuyen.indicators["CBR"].value == Decimal("-0.20")
    assert phu_xuyen.indicators["ELDERLY"].value == Decimal("8")


def test_hanoi_2021_appendix_2_has_the_supply_split() -> None:
    plan = read(HANOI_2021)
    assert errors(plan) == []
    appendix = plan.appendices[1]
    assert appendix.number == 2
    districts = allocations(appendix)
    ba_vi = next(d for d in districts if d.unit_name == "Ba Vì").indicators["NEWFP"]
    assert ba_vi.breakdown is not None
    assert ba_vi.breakdown["iud"] == {
        "total": Decimal(2980),
        "free": Decimal(90),
        "social_marketing": Decimal(2890),
    }
    assert sum(d.indicators["NEWFP"].value or 0 for d in districts) == 380350
    column = next(c for c in appendix.columns if c.key == "NEWFP.iud.social_marketing")
    assert (column.method, column.supply) == ("iud", "social_marketing")
    assert column.header == "Dụng cụ tử cung / TĐ: Tiếp thị xã hội và XHH"


def test_hanoi_2021_tables_attached_to_other_numbers_are_reported() -> None:
    # the 2021 appendices say "Kèm theo Kế hoạch số 25/KH-UBND" and "156 /KH-UBND"
    plan = read(HANOI_2021)
    warnings = [p.message for p in plan.problems if p.severity == "warning"]
    assert any("25/KH-UBND" in message for message in warnings)
    assert any("156/KH-UBND" in message for message in warnings)


def test_long_bien_2024_headline_and_schedule() -> None:
    plan = read(LONG_BIEN_2024)
    assert (plan.number, plan.issued_on, plan.place) == (
        "128/KH-UBND",
        date(2024, 3, 5),
        "Long Biên",
    )
    assert [(t.indicator, t.kind, t.value) for t in plan.targets] == [
        ("SRB", TargetKind.CEILING, Decimal("109"))
    ]
    assert plan.references[0].number == "68/KH-UBND"
    assert plan.references[0].issued_on == date(2017, 2, 20)
    assert plan.references[0].issuer == "UBND quận Long Biên"
    assert plan.references[1].number == "792/KH-SYT"
    assert [s.agency for s in plan.sections if s.kind is SectionKind.RESPONSIBILITY][:2] == [
        "Trung tâm Y tế",
        "Phòng Y tế",
    ]
    assert any(s.kind is SectionKind.BUDGET for s in plan.sections)
    assert len(plan.activities) == 13
    first = plan.activities[0]
    assert (first.group, first.window, first.start, first.end, first.lead) == (
        "I. Công tác chỉ đạo điều hành",
        "Tháng 3/2024",
        date(2024, 3, 1),
        date(2024, 3, 31),
        "Trung tâm Y tế",
    )
    # the row cut by the page break gets its last word back
    printing = next(a for a in plan.activities if a.name.startswith("In ấn"))
    assert printing.coordinating == "BCĐ CT Dân số & Phát triển các phường"
    assert (printing.start, printing.end) == (date(2024, 1, 1), date(2024, 12, 31))
    inspection = next(a for a in plan.activities if a.name.startswith("Kiểm tra, giám sát"))
    assert (inspection.window, inspection.recurrence, inspection.lead, inspection.coordinating) == (
        "Hàng tháng",
        "monthly",
        "Phòng Y tế",
        "TTYT và các ngành liên quan",
    )
    assert errors(plan) == []


def test_long_bien_2030_replacement_fertility() -> None:
    plan = read(LONG_BIEN_2030)
    assert (plan.period_start, plan.period_end) == (2025, 2030)
    assert plan.issuer == "UBND quận Long Biên"
    tfr, every_ward = plan.targets
    assert (tfr.indicator, tfr.kind, tfr.value, tfr.unit, tfr.tolerance) == (
        "TFR",
        TargetKind.NEAR,
        Decimal("2.1"),
        "children_per_woman",
        Decimal("0.1"),
    )
    assert (every_ward.kind, every_ward.value, every_ward.unit, every_ward.condition) == (
        TargetKind.ALL_CHILDREN,
        Decimal("100"),
        "%",
        "TFR near 2.1",
    )
    assert plan.signer_name == "Nguyễn Thị Thanh Hằng"
    assert "Sở Y tế Hà Nội (để báo cáo)" in plan.recipients


def test_chien_thang_2023_targets() -> None:
    plan = read(CHIEN_THANG_2023)
    assert plan.issuer == "Ban chỉ đạo công tác Dân số và phát triển xã Chiến Thắng"
    assert plan.period_start == 2023
    found = targets(plan)
    assert (found["SRB"].kind, found["SRB"].value, found["SRB"].baseline_year) == (
        TargetKind.CHANGE,
        Decimal("-7.5"),
        2022,
    )
    assert (found["PRENATAL"].kind, found["PRENATAL"].value) == (
        TargetKind.LEVEL_MIN,
        Decimal("62"),
    )
    assert (found["ELDERLY"].kind, found["ELDERLY"].value) == (TargetKind.LEVEL_MIN, Decimal("70"))
    assert found["PREMARITAL"].value == Decimal("60")
    assert found["NEWBORN"].value == Decimal("65")
    assert (found["NEWFP"].kind, found["NEWFP"].value) == (TargetKind.COUNT_MIN, Decimal("234"))
    assert [ref.number for ref in plan.references] == ["158/KH-TTYT", "30/QĐ-UBND"]


def test_no_seed_has_an_error() -> None:
    for name in (HANOI_2021, HANOI_2025, LONG_BIEN_2030, CHIEN_THANG_2023, LONG_BIEN_2024):
        assert errors(read(name)) == [], name
