"""Long Biên's first quarter of 2025 goes up to the city in a real browser (acceptance of
issue 6): the wards submit their quarterly reports (two late, Ngọc Thụy's returned and
corrected), the district approves them and submits its 01-DSH, the city sees the
completeness and timeliness of its districts; on a desktop, then the key pages on a
phone.  Screenshots go to the artifacts directory (``reports-*.png``).

The other twelve wards' reports are made through the services; Ngọc Thụy's part, the
district's and the city's are done in the browser.  The live server runs in the test's
process, so the test moves its clock (``timezone.now``) to the days of the story: a
report is stamped with the day it is sent, as it would be in April 2025.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from unittest.mock import patch

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import (
    Browser,
    Locator,
    Page,
    Route,
    expect,
)
from pytest_django.live_server_helper import LiveServer

from danso.accounts.models import User
from danso.accounts.scope import SYSTEM
from danso.reports import selectors, services
from danso.reports.catalogue import RowKind
from danso.reports.models import Report, ReportFigure, ReportType
from danso.units.codes import Level
from danso.units.models import Unit, UnitVersion, valid_on
from danso.web.demo import DEMO_PASSWORD, load_demo, load_demo_register
from tests.browser.conftest import CHROMIUM, PHONE, logged_in_pages
from tests.browser.test_unit_pages import page_width
from tests.conftest import EARLY_2025, unit_at

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

PERIOD = "2025Q1"
WARD_TYPE = "commune-quarterly"
DISTRICT_TYPE = "district-quarterly"
WARD_REPORT = "Báo cáo thống kê dân số quý của xã"
DISTRICT_REPORT = "Báo cáo thống kê dân số quý của huyện"
QUARTER = "Quý 1/2025"
DUE = date(2025, 4, 8)  # 5 working days after 31/3/2025, Hùng Kings' day (7/4) off
#: Two of the other wards sent late (by their position among the twelve).
LATE = {2: date(2025, 4, 10), 8: date(2025, 4, 11)}
#: Hà Nội's districts in the first quarter of 2025.
CITY_DISTRICTS = 30
FIRST_REASON = "Bổ sung 1 trường hợp sinh con thứ ba ở tổ dân phố 5 ghi sổ muộn."
RETURN_COMMENT = (
    "Số sinh con thứ ba trở lên chưa khớp với sổ A0 của tổ dân phố 5; đề nghị kiểm tra lại."
)
SECOND_REASON = (
    "Bổ sung 2 trường hợp sinh con thứ ba ở tổ dân phố 5 ghi sổ muộn (đã đối chiếu sổ A0)."
)

DemoPage = Callable[..., Page]
#: The class htmx gives an element while its request is in flight.
IN_FLIGHT = re.compile(r"\bhtmx-request\b")


def at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


class Clock:
    """The server's ``timezone.now``, moved to a day of the story; it keeps running."""

    def __init__(self, real: Callable[[], datetime]) -> None:
        self.real = real
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return self.real() + self.offset

    def set(self, moment: datetime) -> None:
        self.offset = moment - self.real()


@pytest.fixture
def clock() -> Iterator[Clock]:
    found = Clock(timezone.now)
    with patch("django.utils.timezone.now", found.now):
        yield found


@dataclass
class Story:
    """Long Biên, its wards, and the wards' reports made through the services."""

    city: Unit
    district: UnitVersion
    ward: UnitVersion  # Phường Ngọc Thụy, done in the browser
    late: list[UnitVersion]  # two of the others, sent after the due date
    officer: User  # longbien


@pytest.fixture
def story(live_reference: LiveServer) -> Story:
    """The demo with a small register; every ward of Long Biên but Ngọc Thụy sends its
    2025Q1 report through the services, two of them after the due date."""
    services.report_types_load()
    services.calendar_days_load()
    load_demo()
    load_demo_register(scale=0.02)
    ward_type = ReportType.objects.get(code=WARD_TYPE)
    period = selectors.period_of(ward_type, PERIOD)
    assert selectors.due_date(ward_type, period) == DUE
    district = (
        UnitVersion.objects.filter(valid_on(period.end), unit__level=Level.DISTRICT, code="4")
        .select_related("unit")
        .get()
    )
    wards = selectors.expected_units(ward_type, district, period.end)
    assert len(wards) == 13
    ward = next(w for w in wards if w.code == "118")
    others = [w for w in wards if w != ward]
    for position, other in enumerate(others):
        report = services.report_open(
            actor=SYSTEM, report_type=ward_type, unit=other.unit, period=PERIOD
        )
        for figure in report.figures.filter(row__kind=RowKind.COUNT, value__isnull=True):
            services.report_figure_set(actor=SYSTEM, figure=figure, value=Decimal(0))
        services.report_submit(actor=SYSTEM, report=report)
        sent = LATE.get(position, date(2025, 4, 1 + position % 7))
        Report.objects.filter(pk=report.pk).update(submitted_at=at(sent))
    return Story(
        city=unit_at(Level.PROVINCE, "01", EARLY_2025),
        district=district,
        ward=ward,
        late=[others[position] for position in LATE],
        officer=User.objects.get(username="longbien"),
    )


@pytest.fixture
def demo_page(chromium: Browser, live_reference: LiveServer) -> Iterator[DemoPage]:
    """``demo_page("longbien", viewport=PHONE, is_mobile=True)``: a page in a fresh browser
    context, logged in through the login form with the demo's password."""
    with logged_in_pages(chromium, live_reference, DEMO_PASSWORD) as make:
        yield make


def go(page: Page, action: Callable[[], object]) -> None:
    """Do ``action`` (a click, a choice) and wait for the page it leads to."""
    with page.expect_navigation():
        action()


def save_figure(page: Page, figure: ReportFigure, text: str, field: str = "v") -> None:
    """Type a figure (``field`` "v") or the reason for correcting it ("r") as an officer
    does, and wait for the cell to be saved (htmx, when the field is left)."""
    saved = reverse("reports:figure", args=[figure.report_id, figure.pk])
    with page.expect_response(lambda r: r.url.endswith(saved)):
        page.fill(f"#{field}-{figure.pk}", text)
        page.press(f"#{field}-{figure.pk}", "Tab")
    # the response has come; htmx puts the new cell in its place just after, and until
    # then the old cell (marked as in flight) is still there to be typed into and lost
    expect(page.locator(f"#cell-{figure.pk}")).not_to_have_class(IN_FLIGHT)


def correct(page: Page, figure: ReportFigure, value: int, reason: str) -> None:
    """Change a computed figure and say why, and wait until the cell is saved."""
    save_figure(page, figure, str(value))
    save_figure(page, figure, reason, "r")
    expect(page.locator(f"#cell-{figure.pk} .saved")).to_be_visible()


def fill_blanks(page: Page, report: Report) -> int:
    """Enter 0 for every count the register could not give; how many there were."""
    blanks = list(report.figures.filter(row__kind=RowKind.COUNT, value__isnull=True))
    for figure in blanks:
        save_figure(page, figure, "0")
        expect(page.locator(f"#cell-{figure.pk} .saved")).to_have_text("đã lưu")
    return len(blanks)


def row_of(page: Page, text: str) -> Locator:
    return page.locator("tbody tr").filter(has_text=text)


def received(page: Page) -> Locator:
    """The inbox's list of the reports the units below send."""
    return page.locator("section.card").filter(
        has=page.get_by_role("heading", name="Báo cáo gửi đến")
    )


def shoot(page: Page, artifacts: Path, name: str) -> None:
    page.screenshot(path=artifacts / f"reports-{name}.png", full_page=True)


def test_long_bien_quarter_goes_up_to_the_city(
    demo_page: DemoPage, story: Story, clock: Clock, live_reference: LiveServer, artifacts: Path
) -> None:
    server = live_reference.url
    inbox = server + reverse("reports:inbox")
    ward_name = story.ward.name

    # 1. Monday 7/4/2025, the day before it is due: Ngọc Thụy starts its quarterly report
    clock.set(at(date(2025, 4, 7), 8))
    ward = demo_page("ngocthuy")
    ward.goto(inbox)
    expect(ward.get_by_role("heading", level=1)).to_have_text(f"Báo cáo: {ward_name}")
    own = row_of(ward, WARD_REPORT).filter(has_text=QUARTER)
    expect(own).to_contain_text("chưa lập")
    expect(own).to_contain_text("08/04/2025")
    expect(own).to_contain_text("còn 1 ngày")
    shoot(ward, artifacts, "inbox-ward-desktop")
    go(ward, own.get_by_role("button", name="Bắt đầu").click)

    report = Report.objects.get(report_type__code=WARD_TYPE, unit=story.ward.unit, period=PERIOD)
    assert ward.url == server + reverse("reports:detail", args=[report.pk])
    expect(ward.get_by_role("heading", level=1)).to_have_text(WARD_REPORT)
    expect(ward.locator(".report-header")).to_contain_text("dự thảo")
    assert fill_blanks(ward, report) > 0
    third = report.figures.get(row__key="births.order3p", column=None)
    assert third.computed is not None
    computed = int(third.computed)
    # a correction without a reason is refused beside the figure; with one it is kept
    save_figure(ward, third, str(computed + 1))
    cell = ward.locator(f"#cell-{third.pk}")
    expect(cell.locator(".errorlist")).to_have_text("Hãy nêu lý do điều chỉnh giá trị tính toán.")
    save_figure(ward, third, FIRST_REASON, "r")
    expect(cell.locator(".saved")).to_be_visible()
    expect(cell).to_have_class("fig corrected")
    expect(cell.locator(".computed")).to_have_text(f"giá trị tính toán: {computed}")
    # the third birth written in late is a birth too: the total goes up with it
    births = report.figures.get(row__key="births", column=None)
    born = int(births.computed or 0)
    correct(ward, births, born + 1, FIRST_REASON)
    # births no longer equal boys + girls: the editor says which rows, and sending is refused
    expect(ward.locator("#consistency")).to_contain_text("Dòng 4 “Số trẻ sinh ra trong kỳ”")
    go(ward, ward.get_by_role("button", name="Gửi lên Quận Long Biên").click)
    expect(ward.locator(".messages")).to_contain_text("Các số liệu không khớp nhau")
    expect(ward.locator(".messages")).to_contain_text("Dòng 4 “Số trẻ sinh ra trong kỳ”")
    # the child is a girl: the girls go up too, and the report adds up
    girls = report.figures.get(row__key="births.F", column=None)
    correct(ward, girls, int(girls.computed or 0) + 1, FIRST_REASON)
    shoot(ward, artifacts, "editor-ward-desktop")
    go(ward, ward.get_by_role("button", name="Gửi lên Quận Long Biên").click)
    expect(ward.locator(".messages")).to_have_text("Đã gửi báo cáo lên Quận Long Biên.")
    header = ward.locator(".report-header")
    expect(header).to_contain_text("đã nộp")
    expect(header).to_contain_text("07/04/2025")
    expect(header).to_contain_text("đúng hạn")
    expect(ward.locator(f"#v-{third.pk}")).to_have_count(0)  # read-only once sent

    # 2. Wednesday 9/4: the district reads what came in, and returns Ngọc Thụy's report
    clock.set(at(date(2025, 4, 9), 10))
    district = demo_page("longbien")
    district.goto(inbox)
    expect(district.get_by_role("heading", level=1)).to_have_text("Báo cáo: Quận Long Biên")
    go(district, lambda: district.select_option("#type", WARD_TYPE))
    go(district, lambda: district.select_option("#period", PERIOD))
    expect(district.locator("#type")).to_have_value(WARD_TYPE)
    expect(district.locator("#period")).to_have_value(PERIOD)
    rates = district.locator(".completeness")
    expect(rates).to_contain_text("Đã nhận 13/13 báo cáo")
    expect(rates).to_contain_text("11/13 báo cáo đúng hạn")
    expect(rates.locator(".kpi-value").first).to_have_text("100,0 %")
    expect(rates.locator(".kpi-value").nth(1)).to_have_text("84,6 %")
    mine = row_of(district, ward_name)
    expect(mine).to_contain_text("đã nộp")
    expect(mine).to_contain_text("07/04/2025")
    expect(mine).to_contain_text("đúng hạn")
    for late, days in zip(story.late, (2, 3), strict=True):
        expect(row_of(district, late.name)).to_contain_text(f"chậm {days} ngày")
        expect(rates).to_contain_text(late.display_code)
    expect(received(district).locator("tbody tr")).to_have_count(13)
    expect(received(district).locator("tbody .late")).to_have_count(2)
    shoot(district, artifacts, "inbox-district-desktop")
    go(district, mine.get_by_role("link", name="Xem xét").click)
    assert district.url == server + reverse("reports:review", args=[report.pk])
    expect(district.locator("ul.corrections")).to_contain_text(FIRST_REASON)
    shoot(district, artifacts, "review-ward-desktop")
    district.get_by_label("Trả lại để sửa, ghi rõ chỗ chưa đúng").fill(RETURN_COMMENT)
    go(district, district.get_by_role("button", name="Trả lại").click)
    expect(district.locator(".messages")).to_have_text(f"Đã trả lại báo cáo cho {ward_name}.")
    expect(district.locator(".report-header")).to_contain_text("trả lại")

    # 3. the same afternoon, Ngọc Thụy sees why, corrects the figure again and sends it
    clock.set(at(date(2025, 4, 9), 15))
    ward = demo_page("ngocthuy")  # a new day, a new session (sessions last a working day)
    ward.goto(inbox)
    own = row_of(ward, WARD_REPORT).filter(has_text=QUARTER)
    expect(own).to_contain_text("trả lại")
    go(ward, own.get_by_role("link", name="Sửa").click)
    expect(ward.locator(".report-header .notice")).to_have_text(
        f"Cấp trên trả lại: {RETURN_COMMENT}"
    )
    save_figure(ward, third, str(computed + 2))
    save_figure(ward, third, SECOND_REASON, "r")
    correct(ward, births, born + 2, SECOND_REASON)
    correct(ward, girls, int(girls.computed or 0) + 2, SECOND_REASON)  # a girl again
    cell = ward.locator(f"#cell-{third.pk}")
    expect(cell.locator(".saved")).to_be_visible()
    expect(ward.locator(f"#r-{third.pk}")).to_have_value(SECOND_REASON)
    ward_phone = demo_page("ngocthuy", viewport=PHONE, is_mobile=True, has_touch=True)
    ward_phone.goto(server + reverse("reports:detail", args=[report.pk]))
    expect(ward_phone.locator(".report-header .notice")).to_contain_text(RETURN_COMMENT)
    expect(ward_phone.locator(f"#v-{third.pk}")).to_have_value(str(computed + 2))
    assert page_width(ward_phone) <= PHONE["width"] + 1
    shoot(ward_phone, artifacts, "editor-ward-phone")
    go(ward, ward.get_by_role("button", name="Gửi lên Quận Long Biên").click)
    expect(ward.locator(".messages")).to_have_text("Đã gửi báo cáo lên Quận Long Biên.")
    expect(ward.locator(".report-header")).to_contain_text("07/04/2025")  # the first sending
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    assert timezone.localdate(report.submitted_at) == date(2025, 4, 7)

    # 4. Monday 14/4: the district approves every ward, then makes and sends its 01-DSH
    clock.set(at(date(2025, 4, 14), 8))
    for other in Report.objects.filter(report_type__code=WARD_TYPE, period=PERIOD).exclude(
        pk=report.pk
    ):
        services.report_approve(report=other, actor=story.officer)
    district = demo_page("longbien")
    district.goto(f"{inbox}?type={WARD_TYPE}&period={PERIOD}")
    go(district, row_of(district, ward_name).get_by_role("link", name="Xem xét").click)
    expect(district.locator("ul.corrections")).to_contain_text(SECOND_REASON)
    go(district, district.get_by_role("button", name="Duyệt").click)
    expect(district.locator(".messages")).to_have_text("Đã duyệt báo cáo.")
    expect(district.locator(".report-header")).to_contain_text("đã duyệt")

    district.goto(f"{inbox}?type={WARD_TYPE}&period={PERIOD}")
    expect(received(district).locator("tbody .state-approved")).to_have_count(13)
    dsh = row_of(district, DISTRICT_REPORT).filter(has_text=QUARTER)
    expect(dsh).to_contain_text("01-DSH")
    expect(dsh).to_contain_text("15/04/2025")
    go(district, dsh.get_by_role("button", name="Bắt đầu").click)
    own_report = Report.objects.get(
        report_type__code=DISTRICT_TYPE, unit=story.district.unit, period=PERIOD
    )
    expect(district.locator("table.figures thead th")).to_have_count(15)  # rows, district, 13
    children = district.locator("section.children")
    expect(children.get_by_role("heading")).to_have_text("Báo cáo của các đơn vị trực thuộc")
    expect(children.locator(".state-approved")).to_have_count(13)
    # each ward's column holds its approved report, Ngọc Thụy's correction included, and
    # the district's column their sums: what the register could not give is blank only
    # where a ward's report lacks it
    in_dsh = own_report.figures.get(row__key="births.order3p", column=story.ward.unit)
    expect(district.locator(f"#v-{in_dsh.pk}")).to_have_value(str(computed + 2))
    assert in_dsh.source == services.FROM_REPORT
    fill_blanks(district, own_report)
    shoot(district, artifacts, "editor-01-dsh-desktop")
    go(district, district.get_by_role("button", name="Gửi lên Thành phố Hà Nội").click)
    expect(district.locator(".messages")).to_have_text("Đã gửi báo cáo lên Thành phố Hà Nội.")
    expect(district.locator(".report-header")).to_contain_text("đúng hạn")
    pdf = district.get_by_role("link", name="Tải về PDF").get_attribute("href")
    assert pdf == reverse("reports:pdf", args=[own_report.pk])
    response = district.request.get(server + pdf)
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    # the district's own report has no review link (the city reviews it); it reads fine
    expect(district.get_by_role("link", name="Xem xét")).to_have_count(0)
    district.goto(server + reverse("reports:review", args=[own_report.pk]))
    side = district.locator("section.children table.side")
    expect(side.locator("thead th")).to_have_count(14)
    expect(side).to_contain_text(ward_name)
    shoot(district, artifacts, "review-01-dsh-desktop")

    # 5. Wednesday 16/4: the city sees one district of thirty, on time
    clock.set(at(date(2025, 4, 16), 9))
    city = demo_page("hanoi")
    city.goto(inbox)
    go(city, lambda: city.select_option("#type", DISTRICT_TYPE))
    go(city, lambda: city.select_option("#period", PERIOD))
    expect(city.locator("#type")).to_have_value(DISTRICT_TYPE)
    expect(city.locator("#period")).to_have_value(PERIOD)
    rates = city.locator(".completeness")
    expect(rates).to_contain_text(f"Đã nhận 1/{CITY_DISTRICTS} báo cáo")
    expect(rates).to_contain_text(f"1/{CITY_DISTRICTS} báo cáo đúng hạn")
    expect(rates.locator(".kpi-value").first).to_have_text("3,3 %")
    expect(rates.locator(".kpi-value").nth(1)).to_have_text("3,3 %")
    long_bien = row_of(city, "Quận Long Biên")
    expect(long_bien).to_contain_text("đã nộp")
    expect(long_bien).to_contain_text("14/04/2025")
    expect(long_bien).to_contain_text("đúng hạn")
    shoot(city, artifacts, "inbox-city-desktop")
    expect(received(city).locator("tbody tr")).to_have_count(CITY_DISTRICTS)
    expect(received(city).locator("tbody .state-missing")).to_have_count(CITY_DISTRICTS - 1)
    dashboard = f"{server}{reverse('indicators:unit', args=[story.city.pk])}?period={PERIOD}"
    city.goto(dashboard)
    panel = city.locator("section[aria-labelledby=h-reports]")
    expect(panel.get_by_role("heading", name="Báo cáo nhận được")).to_be_visible()
    expect(panel).to_contain_text(f"Đã nhận 1/{CITY_DISTRICTS} báo cáo")
    panel.screenshot(path=artifacts / "reports-city-dashboard-desktop.png")

    # the key pages on a phone
    phones = {
        "ward": demo_page("ngocthuy", viewport=PHONE, is_mobile=True, has_touch=True),
        "district": demo_page("longbien", viewport=PHONE, is_mobile=True, has_touch=True),
        "city": demo_page("hanoi", viewport=PHONE, is_mobile=True, has_touch=True),
    }
    pages = [
        ("ward", inbox, "inbox-ward-phone", "Báo cáo của đơn vị tôi"),
        (
            "district",
            f"{inbox}?type={WARD_TYPE}&period={PERIOD}",
            "inbox-district-phone",
            "Đã nhận 13/13 báo cáo",
        ),
        (
            "district",
            server + reverse("reports:review", args=[report.pk]),
            "review-ward-phone",
            SECOND_REASON,
        ),
        (
            "district",
            server + reverse("reports:review", args=[own_report.pk]),
            "review-01-dsh-phone",
            "Báo cáo của các đơn vị trực thuộc",
        ),
        (
            "district",
            server + reverse("reports:detail", args=[own_report.pk]),
            "editor-01-dsh-phone",
            "Tải về PDF",
        ),
        (
            "city",
            f"{inbox}?type={DISTRICT_TYPE}&period={PERIOD}",
            "inbox-city-phone",
            f"Đã nhận 1/{CITY_DISTRICTS} báo cáo",
        ),
    ]
    for who, url, name, text in pages:
        phone = phones[who]
        phone.goto(url)
        expect(phone.locator("main")).to_contain_text(text)
        shoot(phone, artifacts, name)
        assert page_width(phone) <= PHONE["width"] + 1, name
    city_phone = phones["city"]
    city_phone.goto(dashboard)
    panel = city_phone.locator("section[aria-labelledby=h-reports]")
    expect(panel).to_contain_text(f"Đã nhận 1/{CITY_DISTRICTS} báo cáo")
    assert page_width(city_phone) <= PHONE["width"] + 1
    panel.screenshot(path=artifacts / "reports-city-dashboard-phone.png")


def test_a_reason_typed_while_the_figure_is_on_its_way_is_kept(
    demo_page: DemoPage, story: Story, clock: Clock, live_reference: LiveServer
) -> None:
    """On a slow connection an officer changes a figure, tabs to the reason and types it
    before the server has answered; the answer (the cell again, asking for a reason) must
    not wipe what was typed, nor take the cursor away."""
    clock.set(at(date(2025, 4, 7), 8))
    ward_type = ReportType.objects.get(code=WARD_TYPE)
    report = services.report_open(
        actor=SYSTEM, report_type=ward_type, unit=story.ward.unit, period=PERIOD
    )
    births = report.figures.get(row__key="births", column=None)
    born = int(births.computed or 0)
    page = demo_page("ngocthuy")
    page.goto(live_reference.url + reverse("reports:detail", args=[report.pk]))
    saved = reverse("reports:figure", args=[report.pk, births.pk])
    held: list[Route] = []

    def hold(route: Route) -> None:  # the first save waits on the line
        held.append(route)

    page.route(f"**{saved}", hold)
    page.fill(f"#v-{births.pk}", str(born + 1))
    page.press(f"#v-{births.pk}", "Tab")
    reason = page.locator(f"#r-{births.pk}")
    expect(reason).to_be_focused()
    while not held:
        page.wait_for_timeout(20)
    page.keyboard.type(FIRST_REASON[:20])
    with page.expect_response(lambda r: r.url.endswith(saved)):
        held[0].continue_()
    cell = page.locator(f"#cell-{births.pk}")
    expect(cell).not_to_have_class(IN_FLIGHT)
    expect(cell.locator(".errorlist")).to_have_text("Hãy nêu lý do điều chỉnh giá trị tính toán.")
    expect(reason).to_have_value(FIRST_REASON[:20])
    expect(reason).to_be_focused()
    page.unroute(f"**{saved}")
    with page.expect_response(lambda r: r.url.endswith(saved)):
        page.keyboard.type(FIRST_REASON[20:])
        page.keyboard.press("Tab")
    expect(cell.locator(".saved")).to_be_visible()
    births.refresh_from_db()
    assert (births.value, births.reason) == (Decimal(born + 1), FIRST_REASON)
