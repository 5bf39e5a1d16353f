"""The reports' screens through the test client, in Vietnamese (the pages' default):
a ward officer opens, fills, corrects with a reason and submits; the district returns and
approves; the 01-DSH's review shows the wards side by side; the inbox and its workbook;
reminders; the administrator's calendar."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pytest_django import DjangoAssertNumQueries

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.reports.models import CalendarDay, Reminder, Report, ReportType, ReportWaiver
from danso.reports.services import (
    report_figure_set,
    report_open,
    report_return,
    report_submit,
)
from danso.units.codes import Level
from danso.units.models import Unit
from tests.conftest import unit_at
from tests.reports.conftest import EARLY_2025, filled

pytestmark = pytest.mark.django_db
Login = Callable[[User], Client]
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
#: The day looked at: 2025Q1 is the last quarter ended, due on 8/4/2025.
ON = "date=2025-04-01"


def opened(types: dict[str, ReportType], unit: Unit, actor: User) -> Report:
    return report_open(
        report_type=types["commune-quarterly"], unit=unit, period="2025Q1", actor=actor
    )


def sent(types: dict[str, ReportType], unit: Unit, actor: User) -> Report:
    """The unit's 2025Q1 report, filled and submitted on the due date."""
    report = filled(opened(types, unit, actor), actor)
    with patch("django.utils.timezone.now", return_value=datetime(2025, 4, 8, 9, tzinfo=HANOI)):
        return report_submit(report=report, actor=actor)


def test_a_ward_officer_opens_corrects_with_a_reason_and_submits(
    types: dict[str, ReportType], ward: Unit, people: dict[str, User], client_for: Login
) -> None:
    client = client_for(people["ward"])
    # given the inbox offers the ward's quarterly report, not started, 7 days before it is due
    inbox = client.get(f"{reverse('reports:inbox')}?{ON}")
    html = inbox.content.decode()
    assert inbox.status_code == 200
    assert "Báo cáo của đơn vị tôi" in html
    assert "08/04/2025" in html
    assert "còn 7 ngày" in html
    assert f'action="{reverse("reports:open")}"' in html
    start = {"type": "commune-quarterly", "unit": str(ward.pk), "period": "2025Q1"}

    # a GET only asks to start it (a GET never writes)
    asked = client.get(reverse("reports:open"), start)
    assert asked.status_code == 200
    assert not Report.objects.filter(unit=ward, period="2025Q1").exists()

    # when the officer starts it, the report is made and its editor shown
    response = client.post(reverse("reports:open"), start)
    report = Report.objects.get(unit=ward, period="2025Q1")
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", args=[report.pk])
    editor = client.get(response["Location"])
    assert editor.status_code == 200
    births = report.figures.get(row__key="births")
    assert births.computed == Decimal(130)
    assert f'name="v-{births.pk}" value="130"' in editor.content.decode()

    # a correction without a reason is refused beside the field, with a reason it is kept
    url = reverse("reports:detail", args=[report.pk])
    refused = client.post(url, {f"v-{births.pk}": "132", f"r-{births.pk}": ""})
    assert refused.status_code == 400
    assert "Hãy nêu lý do điều chỉnh giá trị tính toán." in refused.content.decode()
    births.refresh_from_db()
    assert births.value == Decimal(130)
    # (the two births are boys: births = boys + girls, issue 14)
    boys = report.figures.get(row__key="births.M")
    saved = client.post(
        url,
        {
            f"v-{births.pk}": "132",
            f"r-{births.pk}": "2 trẻ sinh ghi sổ muộn",
            f"v-{boys.pk}": "72",
            f"r-{boys.pk}": "2 trẻ sinh ghi sổ muộn",
        },
    )
    assert saved.status_code == 302
    births.refresh_from_db()
    assert (births.value, births.reason) == (Decimal(132), "2 trẻ sinh ghi sổ muộn")

    # a figure the engine cannot give is entered on its own (htmx), in Vietnamese writing
    households = report.figures.get(row__key="households")
    cell = client.post(
        reverse("reports:figure", args=[report.pk, households.pk]),
        {f"v-{households.pk}": "9.800"},
        headers={"HX-Request": "true"},
    )
    assert cell.status_code == 200
    assert 'value="9.800"' in cell.content.decode()
    households.refresh_from_db()
    assert households.value == Decimal(9800)

    # sending with empty counts is refused with the service's message; filled, it goes
    client.post(reverse("reports:submit", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == "draft"
    filled(report, people["ward"])
    response = client.post(reverse("reports:submit", args=[report.pk]), follow=True)
    report.refresh_from_db()
    assert report.status == "submitted"
    page = response.content.decode()
    assert "Quận Long Biên" in page
    assert f'name="v-{births.pk}"' not in page  # read-only once sent


def test_the_district_returns_with_a_comment_then_approves(
    types: dict[str, ReportType], ward: Unit, people: dict[str, User], client_for: Login
) -> None:
    report = sent(types, ward, people["ward"])
    births = report.figures.get(row__key="births")
    client = client_for(people["district"])
    review_url = reverse("reports:review", args=[report.pk])

    # the review shows the corrected figures with their reasons
    report_return(report=report, comment="Xem lại", actor=people["district"])
    report_figure_set(
        figure=births, value=Decimal(132), reason="2 trẻ ghi sổ muộn", actor=people["ward"]
    )
    report_figure_set(  # the two are boys: births = boys + girls (issue 14)
        figure=report.figures.get(row__key="births.M"),
        value=Decimal(72),
        reason="2 trẻ ghi sổ muộn",
        actor=people["ward"],
    )
    report_submit(report=report, actor=people["ward"])
    review = client.get(review_url)
    html = review.content.decode()
    assert review.status_code == 200
    assert "2 trẻ ghi sổ muộn" in html
    assert reverse("reports:approve", args=[report.pk]) in html

    # returning needs a comment
    client.post(reverse("reports:return", args=[report.pk]), {"comment": " "})
    report.refresh_from_db()
    assert report.status == "submitted"
    client.post(reverse("reports:return", args=[report.pk]), {"comment": "Thiếu số hộ"})
    report.refresh_from_db()
    assert (report.status, report.comment) == ("returned", "Thiếu số hộ")
    assert (
        "Thiếu số hộ"
        in client_for(people["ward"])
        .get(reverse("reports:detail", args=[report.pk]))
        .content.decode()
    )

    # sent again and approved
    report_submit(report=report, actor=people["ward"])
    response = client.post(reverse("reports:approve", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "approved"


def test_a_ward_officer_neither_approves_nor_sees_another_ward(
    types: dict[str, ReportType], ward: Unit, people: dict[str, User], client_for: Login
) -> None:
    own = sent(types, ward, people["ward"])
    other = opened(types, unit_at(Level.COMMUNE, "118", EARLY_2025), people["district"])
    client = client_for(people["ward"])

    assert client.post(reverse("reports:approve", args=[own.pk])).status_code == 403
    own.refresh_from_db()
    assert own.status == "submitted"
    # the review page is readable, without the decision's buttons
    review = client.get(reverse("reports:review", args=[own.pk])).content.decode()
    assert reverse("reports:approve", args=[own.pk]) not in review
    for name in ("detail", "review", "xlsx"):
        assert client.get(reverse(f"reports:{name}", args=[other.pk])).status_code == 403
    assert client.post(reverse("reports:submit", args=[other.pk])).status_code == 403
    assert client.get(reverse("reports:detail", args=[999_999])).status_code == 404


def test_the_inbox_of_the_district_lists_its_wards_with_the_rates(
    types: dict[str, ReportType], ward: Unit, people: dict[str, User], client_for: Login
) -> None:
    # given Giang Biên sent on the due date, Ngọc Thụy is being written, the rest nothing
    sent(types, ward, people["ward"])
    opened(types, unit_at(Level.COMMUNE, "118", EARLY_2025), people["district"])
    client = client_for(people["district"])
    query = f"type=commune-quarterly&period=2025Q1&{ON}"

    page = client.get(f"{reverse('reports:inbox')}?{query}")

    html = page.content.decode()
    assert page.status_code == 200
    assert "Báo cáo gửi đến" in html
    found = page.context["found"]
    assert found.status["received"] == 1
    assert found.status["expected"] == 13
    assert "7,7" in html  # completeness and timeliness: 1 of 13
    states = {row.version.display_code: row.state for row in found.rows}
    assert states["00121"] == "submitted"
    assert states["00118"] == "draft"
    assert states["00115"] == "missing"
    # the district's own 01-DSH is among its own reports
    assert any(row.report_type.code == "district-quarterly" for row in page.context["own"])

    workbook = client.get(f"{reverse('reports:inbox_xlsx')}?{query}")

    assert workbook.status_code == 200
    assert workbook["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in workbook["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True) if r and r[0]}
    assert rows["00121"][2] == "đã nộp"
    assert rows["00121"][4] == 0  # on time
    assert rows["00115"][2] == "chưa gửi"
    assert sum(1 for code in rows if str(code).startswith("00")) == 13


def test_the_inbox_query_count_does_not_grow_with_the_reports(
    types: dict[str, ReportType],
    ward: Unit,
    people: dict[str, User],
    client_for: Login,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client = client_for(people["district"])
    url = f"{reverse('reports:inbox')}?type=commune-quarterly&period=2025Q1&{ON}"
    client.get(url)  # warm the session and the caches
    for code in ("121", "118", "115", "124"):
        opened(types, unit_at(Level.COMMUNE, code, EARLY_2025), people["district"])
    with django_assert_max_num_queries(21):
        assert client.get(url).status_code == 200


def test_the_01_dsh_review_shows_the_wards_side_by_side_and_waives_one(
    types: dict[str, ReportType], ward: Unit, people: dict[str, User], client_for: Login
) -> None:
    # given Giang Biên's report sent and the district's 01-DSH opened
    sent(types, ward, people["ward"])
    long_bien = unit_at(Level.DISTRICT, "4", EARLY_2025)
    district = report_open(
        report_type=types["district-quarterly"],
        unit=long_bien,
        period="2025Q1",
        actor=people["district"],
    )
    client = client_for(people["district"])

    # the editor's table has a column per ward and scrolls sideways
    editor = client.get(reverse("reports:detail", args=[district.pk]))
    html = editor.content.decode()
    assert editor.status_code == 200
    assert editor.context["table"].wide
    assert len(editor.context["table"].columns) == 14  # the district and its 13 wards
    assert 'class="tablewrap report-table"' in html
    # the review puts each ward's own report beside it
    review = client.get(reverse("reports:review", args=[district.pk]))
    side = review.context["side"]
    assert [c.state for c in side.columns].count("submitted") == 1
    assert len(side.columns) == 13
    assert "Phường Giang Biên" in review.content.decode()

    # when the district waives Ngọc Thụy's report
    ngoc_thuy = unit_at(Level.COMMUNE, "118", EARLY_2025)
    client.post(
        reverse("reports:waive"),
        {
            "type": "commune-quarterly",
            "unit": ngoc_thuy.pk,
            "period": "2025Q1",
            "reason": "Sáp nhập",
            "next": reverse("reports:review", args=[district.pk]),
        },
    )

    # then it is excused, and the waiver can be withdrawn
    waiver = ReportWaiver.objects.get(unit=ngoc_thuy, period="2025Q1")
    assert waiver.reason == "Sáp nhập"
    review = client.get(reverse("reports:review", args=[district.pk]))
    assert "miễn" in review.content.decode().lower()
    client.post(reverse("reports:waiver_remove", args=[waiver.pk]))
    assert not ReportWaiver.objects.exists()


def test_reminders_are_shown_and_marked_read(
    types: dict[str, ReportType], ward: Unit, people: dict[str, User], client_for: Login
) -> None:
    reminder = Reminder.objects.create(
        user=people["ward"],
        report_type=types["commune-quarterly"],
        unit=ward,
        period="2025Q1",
        kind=Reminder.Kind.BEFORE,
        due=date(2025, 4, 8),
        message="Nhắc hạn báo cáo quý 1/2025",
        sent_at=datetime(2025, 4, 5, tzinfo=HANOI),
    )
    # in April 2025, when the ward still stood (its role reaches nothing of it today)
    client = client_for(people["ward"])
    inbox = client.get(reverse("reports:inbox"), {"date": "2025-04-05"}).content.decode()
    assert "Nhắc hạn báo cáo quý 1/2025" in inbox
    # someone else cannot mark it
    other = client_for(people["district"])
    assert other.post(reverse("reports:reminder_read", args=[reminder.pk])).status_code == 404

    response = client.post(
        reverse("reports:reminder_read", args=[reminder.pk]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    reminder.refresh_from_db()
    assert reminder.read_at is not None
    assert "Nhắc hạn" not in client.get(reverse("reports:inbox")).content.decode()


def remove_url(day: date) -> str:
    return reverse("reports:calendar_day_remove", args=[day.isoformat()])


def test_only_the_administrator_sets_the_working_calendar(
    make_user: Callable[..., User], people: dict[str, User], client_for: Login
) -> None:
    admin = client_for(make_user("quantri", Role.ADMIN))
    url = reverse("reports:calendar")

    page = admin.get(f"{url}?year=2026")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Quốc khánh" in html
    assert "02/09/2026" in html
    response = admin.post(url, {"day": "02/01/2026", "kind": "day_off", "note": "12729/VPCP-KGVX"})
    assert response.status_code == 302
    day = CalendarDay.objects.get(day=date(2026, 1, 2))
    assert (day.kind, day.note) == ("day_off", "12729/VPCP-KGVX")
    assert "12729/VPCP-KGVX" in admin.get(f"{url}?year=2026").content.decode()

    # an officer reads the calendar that their deadlines are counted on (issue 17), and
    # is offered nothing to change in it
    seen = client_for(people["district"]).get(f"{url}?year=2026")
    assert seen.status_code == 200
    assert "12729/VPCP-KGVX" in seen.content.decode()
    assert 'name="kind"' not in seen.content.decode()
    assert remove_url(date(2026, 1, 2)) not in seen.content.decode()
    refused = client_for(people["district"]).post(url, {"day": "03/01/2026", "kind": "day_off"})
    assert refused.status_code == 403
    assert not CalendarDay.objects.filter(day=date(2026, 1, 3)).exists()

    remove = reverse("reports:calendar_day_remove", args=["2026-01-02"])
    assert client_for(people["district"]).post(remove).status_code == 403
    assert CalendarDay.objects.filter(day=date(2026, 1, 2)).exists()
    assert admin.post(remove).status_code == 302
    assert not CalendarDay.objects.filter(day=date(2026, 1, 2)).exists()
    assert CalendarDay.history.filter(day=date(2026, 1, 2), history_type="-").exists()


def test_the_menu_offers_the_reports(people: dict[str, User], client_for: Login) -> None:
    html = client_for(people["ward"]).get(reverse("home")).content.decode()
    assert f'href="{reverse("reports:inbox")}"' in html


def test_an_officer_finds_the_calendar_from_the_inbox(
    people: dict[str, User], client_for: Login
) -> None:
    inbox = client_for(people["ward"]).get(reverse("reports:inbox"), {"date": "2025-03-01"})
    assert f'href="{reverse("reports:calendar")}"' in inbox.content.decode()


def test_a_viewer_is_offered_no_report_to_start_or_enter(
    types: dict[str, ReportType],
    make_user: Callable[..., User],
    people: dict[str, User],
    client_for: Login,
) -> None:
    """A viewer reads the inbox; the buttons that start a report or enter a paper unit's
    would only answer 403 (issue 17: "viewers see buttons that only lead to 403")."""
    viewer = make_user("xem", Role.VIEWER, Level.DISTRICT, "4", EARLY_2025)
    url = reverse("reports:inbox")
    seen = client_for(viewer).get(url, {"date": "2025-03-01"})
    assert seen.status_code == 200
    assert reverse("reports:open") not in seen.content.decode()
    # the district officer is offered them
    officer = client_for(people["district"]).get(url, {"date": "2025-03-01"})
    assert reverse("reports:open") in officer.content.decode()
