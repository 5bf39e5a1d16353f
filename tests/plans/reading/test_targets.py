"""Headline target sentences, one by one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from danso.plans.document import TargetKind
from danso.plans.reading.blocks import Paragraph, clean_markup
from danso.plans.reading.targets import read_target


def sentence(line: str) -> Paragraph:
    text, strong, marked = clean_markup(line)
    return Paragraph(text, 1, "line 1", strong, marked)


@pytest.mark.parametrize(
    ("line", "indicator", "kind", "value", "unit", "baseline"),
    [
        (
            "- Tỷ lệ sàng lọc sơ sinh (% số trẻ sơ sinh): **90%**.",
            "NEWBORN",
            TargetKind.LEVEL_MIN,
            "90",
            "%",
            None,
        ),
        (
            "- Tỷ số giới tính khi sinh (số trẻ trai/100 trẻ gái): **không quá 110/100**",
            "SRB",
            TargetKind.CEILING,
            "110",
            "per100",
            None,
        ),
        (
            "- Không chế tốc độ gia tăng tỷ số giới tính khi sinh năm 2024 của quận không vượt "
            "quá 109 trẻ trai/100 trẻ gái.",
            "SRB",
            TargetKind.CEILING,
            "109",
            "per100",
            None,
        ),
        (
            "- Giảm tỷ lệ sinh con thứ 03 trở lên: **0,15 %** so với năm 2024.",
            "BIRTH3P",
            TargetKind.CHANGE,
            "-0.15",
            "%",
            2024,
        ),
        (
            "Giảm tỷ lệ sinh con thứ 03 trở lên 0,15% so với năm 2024",
            "BIRTH3P",
            TargetKind.CHANGE,
            "-0.15",
            "%",
            2024,
        ),
        ("- Giảm tỷ suất sinh thô 0,1", "CBR", TargetKind.CHANGE, "-0.1", "‰", 2024),
        (
            "Tỷ lệ NCT được khám sức khỏe định kỳ tăng thêm 2%",
            "ELDERLY",
            TargetKind.CHANGE,
            "2",
            "%",
            2024,
        ),
        (
            "- Số người áp dụng biện pháp tránh thai (BPTT) mới: **416.950** người.",
            "NEWFP",
            TargetKind.COUNT_MIN,
            "416950",
            "persons",
            None,
        ),
        (
            "- Mức giảm tỷ số giới tính khi sinh: -7.5 (điểm %).",
            "SRB",
            TargetKind.CHANGE,
            "-7.5",
            "per100",
            2024,
        ),
        (
            "- Tỷ lệ phụ nữ mang thai được sàng lọc trước sinh: 62%.",
            "PRENATAL",
            TargetKind.LEVEL_MIN,
            "62",
            "%",
            None,
        ),
        (
            "Tỷ lệ sàng lọc trước sinh 4 bệnh: 85%",
            "PRENATAL",
            TargetKind.LEVEL_MIN,
            "85",
            "%",
            None,
        ),
    ],
)
def test_a_target_sentence(
    line: str, indicator: str, kind: TargetKind, value: str, unit: str, baseline: int | None
) -> None:
    # given a plan of 2025 (the baseline of a change, unless stated, is 2024)
    target = read_target(sentence(line), 2025)
    assert target is not None
    assert (target.indicator, target.kind, target.value, target.unit, target.baseline_year) == (
        indicator,
        kind,
        Decimal(value),
        unit,
        baseline,
    )


def test_total_fertility_at_a_level_is_near_it() -> None:
    target = read_target(sentence("- Tổng tỷ suất sinh toàn quận đạt mức 2,1 con/01 phụ nữ."), 2025)
    assert target is not None
    assert (target.indicator, target.kind, target.value, target.tolerance, target.unit) == (
        "TFR",
        TargetKind.NEAR,
        Decimal("2.1"),
        Decimal("0.1"),
        "children_per_woman",
    )


def test_every_ward_at_replacement_level() -> None:
    target = read_target(sentence("- 100% các phường đạt mức sinh thay thế."), 2025)
    assert target is not None
    assert (target.indicator, target.kind, target.value, target.unit, target.condition) == (
        "TFR",
        TargetKind.ALL_CHILDREN,
        Decimal("100"),
        "%",
        "TFR near 2.1",
    )


@pytest.mark.parametrize(
    "line",
    [
        "Duy trì vững chắc mức sinh thay thế; giảm thiểu mất cân bằng giới tính khi sinh",
        "(Chi tiết theo Phụ lục số 1,2)",
        "- Vị thành niên, thanh niên.",
    ],
)
def test_sentences_without_a_target(line: str) -> None:
    assert read_target(sentence(line), 2025) is None
