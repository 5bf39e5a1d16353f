from decimal import Decimal

from danso.plans.document import AllocationColumn, TargetKind
from danso.plans.writing.tables import (
    HeaderCell,
    appendix_layout,
    cell_text,
    column_format,
    column_header,
    header_grid,
    schedule_rows,
)
from tests.plans.writing.plans import hanoi_2021, hanoi_2025, long_bien_2024

D = Decimal


def test_each_method_heads_its_three_supply_columns() -> None:
    # given the 2021 contraceptive appendix
    layout = appendix_layout(hanoi_2021().appendices[1])
    # then there are two header rows: methods over "Tổng số / TĐ: Miễn phí / TĐ: Tiếp thị…"
    assert layout.depth == 2
    top = [c for c in layout.header_cells if c.row == 0]
    assert top[:3] == [
        HeaderCell(0, 0, "TT", rowspan=2),
        HeaderCell(0, 1, "Tên đơn vị", rowspan=2),
        HeaderCell(0, 2, "Dụng cụ tử cung", colspan=3),
    ]
    assert [c.text for c in top[2:]] == [
        "Dụng cụ tử cung",
        "Thuốc cấy tránh thai",
        "Thuốc tiêm tránh thai",
        "Viên uống tránh thai",
        "Bao cao su",
    ]
    assert [c.text for c in layout.header_cells if c.row == 1][:3] == [
        "Tổng số",
        "TĐ: Miễn phí",
        "TĐ: Tiếp thị xã hội và XHH",
    ]


def test_a_shared_first_header_spans_all_its_columns() -> None:
    depth, cells = header_grid(["TT", "Tên đơn vị", "KH 2025 / A (%)", "KH 2025 / B (%)", "C"])
    assert depth == 2
    assert HeaderCell(0, 2, "KH 2025", colspan=2) in cells
    assert HeaderCell(0, 4, "C", rowspan=2) in cells


def test_a_fall_is_printed_as_its_size_with_the_decimals_it_was_written_with() -> None:
    # given the 2025 appendix 1, whose first column holds falls (−0,45) and a −0,00
    appendix = hanoi_2025().appendices[0]
    layout = appendix_layout(appendix)
    # when
    column = [cell_text(row.values[0], layout.formats[0]) for row in layout.rows]
    rates = [cell_text(row.values[1], layout.formats[1]) for row in layout.rows]
    # then
    assert column == ["0,15", "0,00", "0,45", "0,05", "0,45"]
    assert rates == ["85", "89", "85", "82", "83"]


def test_a_column_is_printed_with_one_number_of_decimals() -> None:
    # given the 2021 elderly column: "2.0" for the city, whole numbers for the districts
    layout = appendix_layout(hanoi_2021().appendices[0])
    texts = [cell_text(row.values[2], layout.formats[2]) for row in layout.rows]
    assert texts == ["2,0", "1,0", "3,0", "8,0"]


def test_counts_are_printed_with_thousands_dots() -> None:
    layout = appendix_layout(hanoi_2025().appendices[1])
    assert [
        cell_text(v, f) for v, f in zip(layout.rows[0].values, layout.formats, strict=True)
    ] == [
        "416.950",
        "35.600",
        "300",
        "1.100",
        "99.250",
        "280.700",
    ]


def test_decimals_are_capped_at_the_indicators_own() -> None:
    # given values as a database stores them, with four decimals
    column = AllocationColumn("BIRTH3P", "BIRTH3P", TargetKind.CHANGE, "%", "Giảm (%)")
    values: list[Decimal | None] = [D("-0.4500"), None]
    fmt = column_format(column, values)
    assert (fmt.decimals, cell_text(values[0], fmt), cell_text(None, fmt)) == (2, "0,45", "")


def test_an_unsigned_fall_column_is_printed_as_it_is() -> None:
    column = AllocationColumn("BIRTH3P", "BIRTH3P", TargetKind.CHANGE, "%", "Chỉ tiêu giảm (%)")
    values: list[Decimal | None] = [D("0.15"), D("0.00")]
    fmt = column_format(column, values)
    assert [cell_text(v, fmt) for v in values] == ["0,15", "0,00"]


def test_a_column_without_a_header_is_named_from_the_catalogue() -> None:
    supply = AllocationColumn(
        "NEWFP.iud.free", "NEWFP", TargetKind.COUNT_MIN, "persons", "", "iud", "free"
    )
    total = AllocationColumn("NEWFP", "NEWFP", TargetKind.COUNT_MIN, "persons", "")
    fall = AllocationColumn("BIRTH3P", "BIRTH3P", TargetKind.CHANGE, "%", "")
    assert column_header(supply, []) == "Dụng cụ tử cung / TĐ: Miễn phí"
    assert column_header(total, []) == "Tổng số"
    assert column_header(fall, [D("-0.15")]) == "Chỉ tiêu giảm tỷ lệ sinh con thứ 3 trở lên (%)"


def test_the_schedule_has_a_row_for_each_group_then_its_activities() -> None:
    rows = schedule_rows(long_bien_2024().activities)
    assert [(r.cells[:3], r.is_group) for r in rows] == [
        (("I", "Công tác chỉ đạo điều hành", ""), True),
        (("1", "Tham mưu xây dựng kế hoạch thực hiện", "Tháng 3/2024"), False),
        (("II", "Truyền thông nâng cao nhận thức", ""), True),
        (("1", "Truyền thông cho lãnh đạo Đảng, chính quyền", "Tháng 3 - 10/2024"), False),
        (
            (
                "2",
                "Lồng ghép nội dung về mất cân bằng giới tính khi sinh trong hội nghị",
                "Hàng tháng",
            ),
            False,
        ),
    ]
