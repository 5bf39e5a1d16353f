"""Reminders of deadlines, by mail and in the application: before the due date once,
after it once, only to the people of the unit that has not sent its report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from danso.accounts.models import User
from danso.accounts.scope import SYSTEM
from danso.reports import selectors
from danso.reports.models import Reminder, ReportType
from danso.reports.services import (
    reminder_read,
    reminders_send,
    report_open,
    report_submit,
    report_waive,
)
from danso.reports.tasks import reminders_daily
from danso.units.codes import Level
from danso.units.models import Unit
from tests.conftest import unit_at
from tests.reports.conftest import EARLY_2025, filled

pytestmark = pytest.mark.django_db

# Giang Biên's monthly report of March 2025 and its quarterly report of 2025Q1 are both
# due on Tuesday 8/4/2025 (Hùng Kings' day, Monday 7/4, is a holiday); Long Biên's 01-DSH
# on 15/4/2025.
THREE_DAYS_BEFORE = date(2025, 4, 5)
DAY_AFTER = date(2025, 4, 9)


@pytest.fixture
def mailed(types: dict[str, ReportType], people: dict[str, User]) -> dict[str, User]:
    """The people of Giang Biên, Long Biên and Hà Nội, the ward's officer with an address."""
    people["ward"].email = "giangbien@example.vn"
    people["ward"].save(update_fields=["email"])
    return people


def test_three_days_before_the_ward_is_reminded_of_both_reports(
    mailed: dict[str, User],
) -> None:
    # when the reminders go out on Saturday 5/4/2025
    sent = reminders_send(THREE_DAYS_BEFORE)

    # then the ward's officer, and only them, is reminded of March and of 2025Q1
    assert sent == 2
    reminders = Reminder.objects.order_by("report_type__code")
    assert [(r.user, r.report_type.code, r.period, r.kind) for r in reminders] == [
        (mailed["ward"], "commune-monthly", "2025-03", "before"),
        (mailed["ward"], "commune-quarterly", "2025Q1", "before"),
    ]
    assert {m.to[0] for m in mail.outbox} == {"giangbien@example.vn"}
    quarterly = next(m for m in mail.outbox if "Quý 1/2025" in m.subject)
    assert quarterly.subject.startswith("Nhắc hạn báo cáo: Báo cáo thống kê dân số quý của xã")
    assert "Phường Giang Biên" in quarterly.body
    assert "chậm nhất ngày 08/04/2025 (còn 3 ngày)" in quarterly.body
    assert reminders[1].emailed_to == "giangbien@example.vn"


def test_the_daily_task_of_the_worker_sends_them(mailed: dict[str, User]) -> None:
    # the schedule enqueues it every morning; the worker runs it
    assert reminders_daily.call(THREE_DAYS_BEFORE.isoformat()) == 2
    assert {m.to[0] for m in mail.outbox} == {"giangbien@example.vn"}
    assert reminders_daily.call(THREE_DAYS_BEFORE.isoformat()) == 0


def test_a_reminder_is_sent_once(mailed: dict[str, User]) -> None:
    reminders_send(THREE_DAYS_BEFORE)

    # the same day again, and the next days up to the due date
    assert reminders_send(THREE_DAYS_BEFORE) == 0
    assert reminders_send(date(2025, 4, 7)) == 0
    assert len(mail.outbox) == 2


def test_a_missed_run_still_reminds_before_the_due_date(mailed: dict[str, User]) -> None:
    assert reminders_send(date(2025, 4, 8)) == 2
    assert "hôm nay là hạn cuối" in mail.outbox[0].body


def test_the_day_after_only_the_report_not_sent_is_overdue(
    types: dict[str, ReportType], ward: Unit, mailed: dict[str, User]
) -> None:
    # given the quarterly report sent on time, the monthly one not
    report = report_open(
        actor=SYSTEM, report_type=types["commune-quarterly"], unit=ward, period="2025Q1"
    )
    report_submit(actor=SYSTEM, report=filled(report))

    # when the reminders go out on 9/4/2025
    sent = reminders_send(DAY_AFTER)

    # then
    assert sent == 1
    overdue = Reminder.objects.get()
    assert (overdue.report_type.code, overdue.kind) == ("commune-monthly", "after")
    assert mail.outbox[0].subject.startswith("Báo cáo quá hạn:")
    assert "đã quá hạn ngày 08/04/2025" in overdue.message


def test_a_waived_report_is_not_reminded(
    types: dict[str, ReportType], ward: Unit, mailed: dict[str, User]
) -> None:
    report_waive(
        report_type=types["commune-quarterly"],
        unit=ward,
        period="2025Q1",
        reason="Sáp nhập",
        actor=mailed["district"],
    )

    reminders_send(THREE_DAYS_BEFORE)

    assert list(Reminder.objects.values_list("report_type__code", flat=True)) == ["commune-monthly"]


def test_zero_days_switches_a_reminder_off(
    types: dict[str, ReportType], mailed: dict[str, User]
) -> None:
    for report_type in types.values():
        report_type.remind_before = 0
        report_type.save(update_fields=["remind_before"])

    assert reminders_send(THREE_DAYS_BEFORE) == 0
    assert reminders_send(DAY_AFTER) == 2


def test_the_district_is_reminded_of_its_01_dsh(mailed: dict[str, User]) -> None:
    # due on Tuesday 15/4/2025, so reminded on Saturday 12/4 (with the ward's two overdue
    # reports, caught up since 9/4 as the job had not run)
    assert reminders_send(date(2025, 4, 12)) == 3

    reminder = Reminder.objects.get(user=mailed["district"])
    assert (reminder.report_type.code, reminder.unit, reminder.kind) == (
        "district-quarterly",
        unit_at(Level.DISTRICT, "4", EARLY_2025),
        "before",
    )
    assert "15/04/2025" in reminder.message
    # the district's officer has no address: in the application only
    assert reminder.emailed_to == ""
    assert {m.to[0] for m in mail.outbox} == {"giangbien@example.vn"}


def test_unread_reminders_and_reading_them(mailed: dict[str, User]) -> None:
    reminders_send(THREE_DAYS_BEFORE)
    unread = selectors.reminders_for(mailed["ward"])
    assert len(unread) == 2
    assert selectors.reminders_for(mailed["district"]) == []

    with pytest.raises(PermissionDenied):
        reminder_read(unread[0], mailed["district"])
    reminder_read(unread[0], mailed["ward"])

    assert selectors.reminders_for(mailed["ward"]) == [unread[1]]


def test_the_remind_command(mailed: dict[str, User], run_cli: Callable[..., Any]) -> None:
    assert run_cli("reports", "remind", "--date", "2025-04-05") == {
        "date": "2025-04-05",
        "sent": 2,
    }
    assert run_cli("reports", "remind", "--date", "05/04/2025")["sent"] == 0
