"""A report printed: the .xlsx workbook and the PDF in the form's layout, the shipped
font embedded, and the ``danso reports export`` command.

The PDF checks read the file back with poppler (``pdftotext``, ``pdffonts``,
``pdftoppm``) and are skipped where it is absent.  The first pages rendered at 60 dpi are
saved to ``test-artifacts/`` (``report-commune.png``, ``report-district-01-dsh.png``,
with the PDFs next to them) for a person to look at."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zlib
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO, StringIO
from pathlib import Path
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # WeasyPrint's dependency
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from PIL import Image  # WeasyPrint's own dependency

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.accounts.scope import SYSTEM
from danso.indicators.periods import Period
from danso.indicators.services import entered_save
from danso.plans.models import Plan
from danso.plans.services import plan_update
from danso.reports.models import Report, ReportFigure, ReportType
from danso.reports.output import (
    period_words,
    place_name,
    report_filename,
    report_pdf,
    report_xlsx,
)
from danso.reports.services import (
    plan_report_types_from,
    report_figure_set,
    report_open,
    report_submit,
    report_text_set,
)
from danso.units.codes import Level
from danso.units.models import Unit, UnitVersion
from tests.conftest import unit_at
from tests.plans.conftest import HANOI_2025, seed_plan  # noqa: F401 - a fixture used here
from tests.reports.conftest import EARLY_2025, GIANG_BIEN_Q1, filled

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
POPPLER = all(shutil.which(tool) for tool in ("pdftotext", "pdffonts", "pdftoppm"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils are not installed")
#: Long Biên's wards in 2025Q1, by code.
LONG_BIEN_WARDS = (
    "115", "118", "121", "124", "127", "130", "133", "136", "139", "145", "148", "151", "154",
)  # fmt: skip
ASSESSMENT = (
    "Dân số tăng chậm; tỷ số giới tính khi sinh còn cao.\n"
    "Đề nghị tăng cường truyền thông <b>ngay</b>.\n"
    '<img src="http://example.invalid/x.png">'  # markup someone typed is printed as typed
)


def figure(report: Report, key: str, column: Unit | None = None) -> ReportFigure:
    return report.figures.get(row__key=key, column=column)


@pytest.fixture
def sent(types: dict[str, ReportType], ward: Unit) -> Report:
    """Giang Biên's 2025Q1 report: filled, its deaths corrected with a reason, the
    assessment written, submitted on 5/4/2025."""
    report = filled(
        report_open(
            actor=SYSTEM, report_type=types["commune-quarterly"], unit=ward, period="2025Q1"
        )
    )
    report_figure_set(
        actor=SYSTEM,
        figure=figure(report, "deaths"),
        value=Decimal(53),
        reason="Bổ sung 1 trường hợp tử vong",
    )
    report_text_set(actor=SYSTEM, report=report, key="assessment", text=ASSESSMENT)
    with patch("django.utils.timezone.now", return_value=datetime(2025, 4, 5, 9, tzinfo=HANOI)):
        report_submit(actor=SYSTEM, report=report)
    report.refresh_from_db()
    return report


@pytest.fixture
def district(types: dict[str, ReportType]) -> Report:
    """Long Biên's 01-DSH for 2025Q1, a draft, every ward having entered its counts
    (Giang Biên's, plus 7 more births and deaths for each ward further down the list)."""
    for index, code in enumerate(LONG_BIEN_WARDS):
        counts = {key: value + 7 * index for key, value in GIANG_BIEN_Q1.items()}
        counts["births.M"] = counts["births"] - counts["births.F"]
        entered_save(unit=unit_at(Level.COMMUNE, code, EARLY_2025), period="2025Q1", counts=counts)
    long_bien = unit_at(Level.DISTRICT, "4", EARLY_2025)
    return report_open(
        actor=SYSTEM, report_type=types["district-quarterly"], unit=long_bien, period="2025Q1"
    )


@pytest.fixture
def plan_report(seed_plan: Callable[[str], Plan]) -> Report:  # noqa: F811 - the fixture above
    """Hà Nội's 2025Q1 report on its 2025 plan, Giang Biên's figures the only ones."""
    plan = seed_plan(HANOI_2025)
    plan_update(
        plan=plan, status=Plan.Status.ISSUED, number="15/KH-UBND", issued_on=date(2025, 1, 15)
    )
    quarterly, _annual = plan_report_types_from(plan)
    counts = GIANG_BIEN_Q1 | {"newfp": 110_000, "newfp.pill": 110_000, "newfp.free": 110_000}
    giang_bien = unit_at(Level.COMMUNE, "121", EARLY_2025)
    entered_save(unit=giang_bien, period="2025-YTD-03", counts=counts)
    return report_open(actor=SYSTEM, report_type=quarterly, unit=plan.unit, period="2025Q1")


# ----------------------------------------------------------------------------- words


def test_periods_and_places_are_written_as_in_administrative_documents() -> None:
    assert period_words(Period.parse("2025-01")) == "Tháng 01 năm 2025"
    assert period_words(Period.parse("2025Q1")) == "Quý I năm 2025"
    assert period_words(Period.parse("2025Q4")) == "Quý IV năm 2025"
    assert period_words(Period.parse("2025")) == "Năm 2025"
    # the place is the unit's name without its type word, unless it is a number
    assert place_name(UnitVersion(name="Phường Ngọc Thụy", type="phường")) == "Ngọc Thụy"
    assert place_name(UnitVersion(name="Thành phố Hà Nội", type="thành phố trung ương")) == (
        "Hà Nội"
    )
    assert place_name(UnitVersion(name="Phường 3", type="phường")) == "Phường 3"


@pytest.mark.django_db
def test_file_names_are_ascii(sent: Report, district: Report) -> None:
    assert report_filename(sent, "pdf") == "bao-cao-quy-2025Q1-phuong-giang-bien.pdf"
    assert report_filename(district, "xlsx") == "bao-cao-quy-2025Q1-01-dsh-quan-long-bien.xlsx"


# ----------------------------------------------------------------------------- xlsx


def opened(content: bytes) -> Worksheet:
    sheet = load_workbook(BytesIO(content)).active
    assert isinstance(sheet, Worksheet)
    return sheet


def where(sheet: Worksheet, text: str) -> tuple[int, int]:
    """The (row, column) of the cell holding exactly ``text``."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell.row, cell.column
    raise AssertionError(f"{text!r} is not on the sheet")


def texts(sheet: Worksheet) -> list[str]:
    return [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]


@pytest.mark.django_db
def test_the_workbook_is_laid_out_as_the_form(sent: Report) -> None:
    # when Giang Biên's report is written as a workbook
    sheet = opened(report_xlsx(sent))

    # then the masthead, title and period come first, Vietnamese
    assert sheet.title == "Báo cáo Quý I năm 2025"
    assert sheet["A2"].value == "UBND PHƯỜNG GIANG BIÊN"
    assert sheet["A3"].value == "TRẠM Y TẾ"
    assert sheet["C2"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert sheet["C3"].value == "Độc lập - Tự do - Hạnh phúc"
    assert sheet["A5"].value == "BÁO CÁO THỐNG KÊ DÂN SỐ QUÝ CỦA XÃ"
    assert sheet["A6"].value == "Quý I năm 2025"
    assert sheet["A7"].value == "Đơn vị báo cáo: Trạm Y tế phường Giang Biên"
    assert sheet["A8"].value == "Đơn vị nhận báo cáo: Trung tâm Y tế quận Long Biên"
    assert sheet["A9"].value == "(Đã gửi ngày 05/04/2025)"
    assert "A5:E5" in {str(r) for r in sheet.merged_cells.ranges}

    # and the figures are numbers in the value column, with their source
    header, _ = where(sheet, "STT")
    assert [sheet.cell(header, c).value for c in range(1, 6)] == [
        "STT", "Chỉ tiêu", "Đơn vị tính", "Số liệu", "Nguồn số liệu",
    ]  # fmt: skip
    births, _ = where(sheet, "Số trẻ sinh ra trong kỳ")
    assert [sheet.cell(births, c).value for c in (1, 3, 4, 5)] == [4, "Người", 130, "Nhập tay"]
    assert sheet.cell(births, 4).number_format == "[$-42A]#,##0"
    households, _ = where(sheet, "Số hộ dân cư")
    assert sheet.cell(households, 4).value == 9_800
    assert sheet.cell(households, 5).value == "Nhập vào báo cáo"
    srb, _ = where(sheet, "Tỷ số giới tính khi sinh")
    assert sheet.cell(srb, 3).value == "Trai/100 gái"
    assert sheet.cell(srb, 4).value == pytest.approx(116.6667)
    assert sheet.cell(srb, 4).number_format == "[$-42A]#,##0.0"
    assert sheet.freeze_panes == f"D{header + 2}"  # under the header and its numbering

    # the corrected figure is marked, with the reason under the table
    deaths, _ = where(sheet, "Số người chết")
    corrected = sheet.cell(deaths, 4)
    assert corrected.value == 53
    assert sheet.cell(deaths, 5).value == "Nhập tay; đã sửa (1)"
    assert corrected.comment is not None
    assert "Bổ sung 1 trường hợp tử vong" in corrected.comment.text
    note = "(1) Số người chết: số tính được 52, sửa thành 53. Lý do: Bổ sung 1 trường hợp tử vong."
    assert where(sheet, note)[0] > deaths

    # then the assessment, and the signatures with the day it was sent
    assert "II. ĐÁNH GIÁ KẾT QUẢ, KHÓ KHĂN VÀ KIẾN NGHỊ" in texts(sheet)
    assert "Dân số tăng chậm; tỷ số giới tính khi sinh còn cao." in texts(sheet)
    signed, right = where(sheet, "Giang Biên, ngày 05 tháng 4 năm 2025")
    assert where(sheet, "NGƯỜI LẬP BIỂU") == (signed + 1, 1)
    assert where(sheet, "THỦ TRƯỞNG ĐƠN VỊ") == (signed + 1, right)

    # printed on A4 portrait, one page wide
    assert sheet.page_setup.orientation == "portrait"
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
    assert sheet.page_setup.fitToWidth == 1


@pytest.mark.django_db
def test_the_district_workbook_has_a_column_per_ward(district: Report) -> None:
    sheet = opened(report_xlsx(district))

    assert sheet.title == "01-DSH Quý I năm 2025"
    assert "Biểu: 01-DSH" in texts(sheet)
    assert "(Bản nháp, chưa gửi)" in texts(sheet)
    assert "Đơn vị nhận báo cáo: Sở Y tế thành phố Hà Nội" in texts(sheet)
    header, _ = where(sheet, "STT")
    # the district's own column, then the wards under a merged header
    assert sheet.cell(header, 4).value == "Toàn quận"
    assert sheet.cell(header, 5).value == "Chia theo phường"
    assert f"E{header}:Q{header}" in {str(r) for r in sheet.merged_cells.ranges}
    giang_bien = where(sheet, "Phường Giang Biên")[1]
    births, _ = where(sheet, "Số trẻ sinh ra trong kỳ")
    ward = unit_at(Level.COMMUNE, "121", EARLY_2025)
    assert sheet.cell(births, giang_bien).value == figure(district, "births", ward).value == 144
    assert sheet.cell(births, 4).value == figure(district, "births").value
    assert sheet.page_setup.orientation == "landscape"


@pytest.mark.django_db
def test_a_plan_report_sets_each_target_against_what_is_due(plan_report: Report) -> None:
    sheet = opened(report_xlsx(plan_report))

    assert sheet["A2"].value == "UBND THÀNH PHỐ HÀ NỘI"
    assert sheet["A3"].value == "SỞ Y TẾ"
    assert "Đơn vị nhận báo cáo: Bộ Y tế" in texts(sheet)
    header, _ = where(sheet, "STT")
    assert [sheet.cell(header, c).value for c in range(4, 9)] == [
        "Chỉ tiêu năm", "Yêu cầu đến kỳ báo cáo", "Thực hiện", "Đánh giá", "Nguồn số liệu",
    ]  # fmt: skip
    newfp, _ = where(sheet, "Số người mới sử dụng biện pháp tránh thai")
    assert [sheet.cell(newfp, c).value for c in range(3, 9)] == [
        "Người", 416_950, 104_237.5, 110_000, "Đúng tiến độ", "Nhập tay",
    ]  # fmt: skip
    assert "Hà Nội, ngày" in " ".join(texts(sheet))


# ----------------------------------------------------------------------------- PDF


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text, its white space made single spaces."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    found = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(found.split())


def embedded_fonts(pdf: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    """(name, embedded) of each font of the PDF, as ``pdffonts`` lists them."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    ).stdout
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    return [(row[0], row[-5]) for row in rows]


def font_programs(pdf: bytes) -> list[TTFont]:
    """The TrueType programs embedded in the PDF (its ``FontFile2`` streams)."""
    found = []
    for match in re.finditer(rb"<<([^<>]*/Length1 \d+[^<>]*)>>\s*stream\r?\n", pdf):
        length = re.search(rb"/Length (\d+)", match.group(1))
        assert length is not None
        raw = pdf[match.end() : match.end() + int(length.group(1))]
        if b"/FlateDecode" in match.group(1):
            raw = zlib.decompress(raw)
        found.append(TTFont(io.BytesIO(raw)))
    return found


def render(pdf: bytes, tmp_path: Path, page: int, name: str = "") -> Image.Image:
    """Page ``page`` at 60 dpi, in greys; saved to the artifacts under ``name``."""
    path = tmp_path / "render.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", str(page), "-l", str(page), "-singlefile",
         str(path), str(tmp_path / "page")],
        check=True,
    )  # fmt: skip
    if name:
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copyfile(tmp_path / "page.png", ARTIFACTS / name)
        shutil.copyfile(path, ARTIFACTS / name.replace(".png", ".pdf"))
    return Image.open(tmp_path / "page.png").convert("L")


def looks_printed(page: Image.Image, right_margin_px: int) -> None:
    """Ink on the page but not too much, a table rule across most of the width, and
    nothing in the right margin (no overflow)."""
    width, height = page.size
    grey = page.tobytes()  # one byte a pixel, row after row
    dark = [[level < 128 for level in grey[y * width : (y + 1) * width]] for y in range(height)]
    ink = sum(map(sum, dark)) / (width * height)
    assert 0.01 < ink < 0.3, ink
    assert max(sum(row) for row in dark) > 0.6 * width  # a border of the table
    margin = [row[width - right_margin_px :] for row in dark]
    assert not any(map(any, margin)), "something crosses the right margin"


@needs_poppler
@pytest.mark.django_db
def test_the_commune_pdf_speaks_vietnamese_in_the_shipped_font(
    sent: Report, tmp_path: Path
) -> None:
    pdf = report_pdf(sent)

    text = pdf_text(pdf, tmp_path)
    for words in (
        "UBND PHƯỜNG GIANG BIÊN TRẠM Y TẾ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BÁO CÁO THỐNG KÊ DÂN SỐ QUÝ CỦA XÃ Quý I năm 2025",
        "Đơn vị báo cáo: Trạm Y tế phường Giang Biên",
        "Số trẻ sinh ra trong kỳ",
        "40.000",  # numbers the Vietnamese way
        "116,7",
        "Số người chết: số tính được 52, sửa thành 53. Lý do: Bổ sung 1 trường hợp tử vong.",
        "Dân số tăng chậm; tỷ số giới tính khi sinh còn cao.",
        "Đề nghị tăng cường truyền thông <b>ngay</b>.",
        '<img src="http://example.invalid/x.png">',
        "Giang Biên, ngày 05 tháng 4 năm 2025",
        "NGƯỜI LẬP BIỂU",
        "THỦ TRƯỞNG ĐƠN VỊ",
    ):
        assert words in text, words

    # every font is embedded, and is Liberation Serif from danso/reports/fonts (named
    # after the CSS family, so no system font stood in for a missing letter)
    fonts = embedded_fonts(pdf, tmp_path)
    assert fonts
    assert all(re.fullmatch(r"[A-Z]{6}\+danso-serif(-\w+)?", name) for name, _ in fonts)
    assert {embedded for _, embedded in fonts} == {"yes"}
    programs = font_programs(pdf)
    assert len(programs) == len(fonts)
    assert {p["name"].getDebugName(1) for p in programs} == {"Liberation Serif"}
    assert all("Red Hat" in str(p["name"].getDebugName(0)) for p in programs)


@needs_poppler
@pytest.mark.django_db
def test_the_commune_report_prints_on_a4_portrait(sent: Report, tmp_path: Path) -> None:
    page = render(report_pdf(sent), tmp_path, 1, "report-commune.png")

    assert page.size == (497, 702)  # A4 (210 × 297 mm) at 60 dpi
    looks_printed(page, right_margin_px=30)  # of 15 mm, 35 px


@needs_poppler
@pytest.mark.django_db
def test_the_district_form_prints_on_a4_landscape(district: Report, tmp_path: Path) -> None:
    pdf = report_pdf(district)

    page = render(pdf, tmp_path, 1, "report-district-01-dsh.png")
    assert page.size == (702, 497)
    looks_printed(page, right_margin_px=20)  # of 10 mm, 23 px
    text = pdf_text(pdf, tmp_path)
    assert "Biểu: 01-DSH" in text
    assert "Toàn quận" in text
    assert "Phường Giang Biên" in text
    assert "(Bản nháp, chưa gửi)" in text
    assert "Long Biên, ngày" in text
    assert "NGƯỜI LẬP BIỂU" in text


@needs_poppler
@pytest.mark.django_db
def test_the_plan_report_prints_on_a4_portrait(plan_report: Report, tmp_path: Path) -> None:
    pdf = report_pdf(plan_report)

    looks_printed(render(pdf, tmp_path, 1, "report-plan.png"), right_margin_px=30)
    text = pdf_text(pdf, tmp_path)
    assert "Yêu cầu đến kỳ báo cáo" in text
    for figure_text in ("416.950", "104.238", "110.000"):  # a count shows no decimals
        assert figure_text in text
    assert "Đúng tiến độ" in text


@needs_poppler
@pytest.mark.django_db
def test_a_district_of_many_communes_prints_its_table_in_parts(
    types: dict[str, ReportType], tmp_path: Path
) -> None:
    # given Ba Vì, 29 communes and towns in 2025Q1
    ba_vi = unit_at(Level.DISTRICT, "271", EARLY_2025)
    report = report_open(
        actor=SYSTEM, report_type=types["district-quarterly"], unit=ba_vi, period="2025Q1"
    )

    pdf = report_pdf(report)

    # then the columns go on two pages, each table fitting the page's width
    text = pdf_text(pdf, tmp_path)
    assert "(tiếp theo)" in text
    assert "Toàn huyện" in text
    looks_printed(render(pdf, tmp_path, 1), right_margin_px=20)
    looks_printed(render(pdf, tmp_path, 2), right_margin_px=20)


# ----------------------------------------------------------------------------- command


@pytest.mark.django_db
def test_the_command_exports_a_report_by_id_or_by_unit(
    sent: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = StringIO()

    # by id, as a workbook
    target = tmp_path / "giang-bien.xlsx"
    call_command("reports", "export", "--report", str(sent.pk), "--output", str(target), stdout=out)
    assert out.getvalue().strip() == str(target)
    assert opened(target.read_bytes())["A6"].value == "Quý I năm 2025"

    # by type, period and unit, as a PDF named after the report in the current directory
    monkeypatch.chdir(tmp_path)
    call_command(
        "reports", "export", "--type", "commune-quarterly", "--period", "2025Q1",
        "--unit", "121", "--level", "commune", "--format", "pdf",
    )  # fmt: skip
    pdf = tmp_path / "bao-cao-quy-2025Q1-phuong-giang-bien.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")


@pytest.mark.django_db
def test_the_command_refuses_what_it_cannot_export(
    sent: Report, make_user: Callable[..., User], tmp_path: Path
) -> None:
    target = str(tmp_path / "x.pdf")
    with pytest.raises(CommandError, match="no report 999999"):
        call_command("reports", "export", "--report", "999999", "--output", target)
    with pytest.raises(CommandError, match="give --report, or --unit, --level"):
        call_command(
            "reports", "export", "--type", "commune-quarterly", "--period", "2025Q1",
            "--output", target,
        )  # fmt: skip
    with pytest.raises(CommandError, match="has no commune-quarterly report for 2025Q1"):
        call_command(
            "reports", "export", "--type", "commune-quarterly", "--period", "2025Q1",
            "--unit", "00118", "--level", "commune", "--output", target,
        )  # fmt: skip
    # an officer of another ward does not see Giang Biên's report
    make_user("other", Role.COMMUNE_OFFICER, Level.COMMUNE, "118", EARLY_2025)
    with pytest.raises(CommandError, match="outside your scope"):
        call_command(
            "reports", "export", "--report", str(sent.pk), "--output", target, "--user", "other"
        )
    assert not Path(target).exists()
