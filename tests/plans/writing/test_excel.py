from io import BytesIO

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from danso.plans.document import PlanDocument
from danso.plans.writing import appendices_xlsx
from tests.plans.writing.plans import hanoi_2021, hanoi_2025, long_bien_2024


def _open(doc: PlanDocument) -> Workbook:
    return load_workbook(BytesIO(appendices_xlsx(doc)))


def _row(sheet: Worksheet, row: int) -> list[object]:
    return [cell.value for cell in sheet[row]]


def test_there_is_one_sheet_per_appendix() -> None:
    assert _open(hanoi_2025()).sheetnames == ["Phụ lục 1", "Phụ lục 2"]


def test_a_sheet_opens_with_label_title_and_the_plan_it_belongs_to() -> None:
    sheet = _open(hanoi_2021())["Phụ lục 2"]
    assert [sheet.cell(row=r, column=1).value for r in range(1, 5)] == [
        "Phụ lục 2",
        "KẾ HOẠCH GIAO CHỈ TIÊU CÁC BIỆN PHÁP TRÁNH THAI NĂM 2021",
        "(Kèm theo Kế hoạch số 256/KH-UBND ngày 31/12/2020 của UBND thành phố Hà Nội)",
        None,
    ]
    assert sheet["A2"].font.bold
    assert sheet["A3"].font.italic
    assert "A1:Q1" in {str(r) for r in sheet.merged_cells.ranges}


def test_grouped_headers_are_merged_cells() -> None:
    # given the 2021 contraceptive appendix: five methods × three supply sources
    sheet = _open(hanoi_2021())["Phụ lục 2"]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    # then each method spans its three columns, and TT and the unit span both header rows
    assert {"A5:A6", "B5:B6", "C5:E5", "F5:H5", "I5:K5", "L5:N5", "O5:Q5"} <= merged
    assert _row(sheet, 5)[:6] == [
        "TT",
        "Tên đơn vị",
        "Dụng cụ tử cung",
        None,
        None,
        "Thuốc cấy tránh thai",
    ]
    assert _row(sheet, 6)[2:5] == ["Tổng số", "TĐ: Miễn phí", "TĐ: Tiếp thị xã hội và XHH"]


def test_numbers_are_real_numbers_with_a_count_format_and_the_total_row_bold() -> None:
    sheet = _open(hanoi_2021())["Phụ lục 2"]
    assert _row(sheet, 7)[:5] == [None, "Tổng", 42000, 550, 41450]
    assert _row(sheet, 9)[:5] == [18, "Ba Vì", 2980, 90, 2890]
    assert sheet["C7"].number_format == "#,##0"
    assert sheet["C7"].font.bold
    assert sheet["B7"].font.bold
    assert not sheet["C9"].font.bold


def test_rates_keep_their_decimals_and_falls_their_size() -> None:
    sheet = _open(hanoi_2025())["Phụ lục 1"]
    assert _row(sheet, 5)[2] == "Kế hoạch năm 2025"
    assert [sheet.cell(row=r, column=3).value for r in range(7, 12)] == [
        0.15,
        0,
        0.45,
        0.05,
        0.45,
    ]
    assert sheet["C7"].number_format == "0.00"
    assert sheet["D7"].number_format == "0"
    assert sheet["D8"].value == 89


def test_panes_are_frozen_below_the_header_and_right_of_the_unit() -> None:
    book = _open(hanoi_2021())
    assert book["Phụ lục 2"].freeze_panes == "C7"
    assert book["Phụ lục 2"].column_dimensions["B"].width == 24
    assert book["Phụ lục 1"].freeze_panes == "C7"


def test_the_activity_schedule_is_a_sheet_of_its_own() -> None:
    sheet = _open(long_bien_2024())["Biểu 1"]
    assert _row(sheet, 6) == [
        "TT",
        "Nội dung công việc",
        "Thời gian thực hiện",
        "Đơn vị thực hiện",
        "Đơn vị phối hợp",
    ]
    assert _row(sheet, 7)[:2] == ["I", "Công tác chỉ đạo điều hành"]
    assert sheet["B7"].font.bold
    assert _row(sheet, 8)[:3] == ["1", "Tham mưu xây dựng kế hoạch thực hiện", "Tháng 3/2024"]
    assert sheet.freeze_panes == "A7"


def test_a_plan_without_appendices_still_makes_a_workbook() -> None:
    assert _open(PlanDocument()).sheetnames == ["Phụ lục"]
