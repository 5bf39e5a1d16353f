"""A plan's report duties configured by hand (issue 18, point 6): added, changed and
deleted on the plan's page by whoever may edit the plan, each rule with the numbers it
needs, recorded in the history; an issued plan gets the report type of a new period."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.accounts.scope import SYSTEM
from danso.plans.duties import Duty, duty_problems, duty_save
from danso.plans.models import Plan, ReportObligation
from danso.plans.services import plan_create
from danso.reports.models import ReportType
from danso.units.codes import Level
from tests.conftest import unit_at

pytestmark = pytest.mark.django_db
ON = date(2024, 3, 5)
QUARTERLY = {
    "period": "quarter",
    "rule": "before_day_next",
    "day": "10",
    "month": "",
    "days": "",
    "recipient": "UBND quận",
    "text": "",
}


def _plan(issued: bool = False) -> Plan:
    return plan_create(
        unit=unit_at(Level.DISTRICT, "4", ON),
        title="Kế hoạch công tác dân số năm 2024",
        period_start=2024,
        number="15/KH-UBND" if issued else "",
        issued_on=date(2024, 1, 15) if issued else None,
    )


@pytest.fixture
def officer(make_user: Callable[..., User], client_for: Callable[[User], Client]) -> Any:
    user = make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4", ON)
    return user, client_for(user)


def test_a_duty_is_added_changed_and_deleted_by_hand(officer: Any) -> None:
    # given a plan typed on screen: no duty, and its page offers to add one
    user, client = officer
    plan = _plan()
    assert f"/plans/{plan.pk}/duties/new/" in client.get(f"/plans/{plan.pk}/").content.decode()

    # when the officer adds "quarterly, before the 10th of the next month"
    added = client.post(f"/plans/{plan.pk}/duties/new/", QUARTERLY)

    # then it is the plan's, in its history under their name
    assert added.status_code == 302
    duty = plan.obligations.get()
    assert (duty.period, duty.rule, duty.day, duty.month, duty.days) == (
        "quarter",
        "before_day_next",
        10,
        None,
        None,
    )
    assert duty.recipient == "UBND quận"
    assert duty.history.get().history_user == user
    assert (
        f"/plans/{plan.pk}/duties/{duty.pk}/" in client.get(f"/plans/{plan.pk}/").content.decode()
    )

    # when it becomes "within 5 working days", the day it no longer reads is cleared
    changed = {**QUARTERLY, "rule": "working_days_after", "days": "5"}
    assert client.post(f"/plans/{plan.pk}/duties/{duty.pk}/", changed).status_code == 302
    duty.refresh_from_db()
    assert (duty.rule, duty.day, duty.days) == ("working_days_after", None, 5)

    # and when it is deleted (asked first), the history keeps it and who deleted it
    assert client.get(f"/plans/{plan.pk}/duties/{duty.pk}/delete/").status_code == 200
    assert client.post(f"/plans/{plan.pk}/duties/{duty.pk}/delete/").status_code == 302
    assert not plan.obligations.exists()
    last = ReportObligation.history.filter(id=duty.pk).order_by("history_date").last()
    assert last is not None
    assert (last.history_type, last.history_user) == ("-", user)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"day": ""}, "day"),  # before day D without D
        ({"day": "31"}, "day"),  # not in every month
        ({"rule": "fixed_date", "day": "15", "month": ""}, "day"),
        ({"period": "year", "rule": "fixed_date", "day": "31", "month": "2"}, "day"),
        ({"rule": "fixed_date", "day": "15", "month": "12"}, "rule"),  # quarterly on 15/12
        ({"rule": "days_after", "day": "", "days": ""}, "days"),
        ({"rule": "working_days_after", "days": "500"}, "days"),
    ],
)
def test_a_rule_without_its_numbers_is_refused(
    officer: Any, change: dict[str, str], field: str
) -> None:
    _user, client = officer
    plan = _plan()

    answer = client.post(f"/plans/{plan.pk}/duties/new/", {**QUARTERLY, **change})

    assert answer.status_code == 200
    assert answer.context["form"].errors.get(field)
    assert not plan.obligations.exists()


def test_a_yearly_fixed_date_is_kept() -> None:
    plan = _plan()
    duty = Duty(period="year", rule="fixed_date", day=15, month=12, days=3)
    assert duty_problems(duty) == {}

    row = duty_save(plan=plan, duty=duty, actor=SYSTEM)

    assert (row.day, row.month, row.days) == (15, 12, None)  # days: not the rule's
    assert row.history.get().history_user.username == "he-thong"


def test_only_who_may_edit_the_plan_changes_its_duties(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    # given an issued plan with a duty, seen by a ward officer below and a viewer
    plan = _plan(issued=True)
    duty = duty_save(plan=plan, duty=Duty("quarter", "before_day_next", day=10), actor=SYSTEM)
    ward = client_for(make_user("nt", Role.COMMUNE_OFFICER, Level.COMMUNE, "118", ON))
    viewer = client_for(make_user("v", Role.VIEWER, Level.DISTRICT, "4", ON))
    for client in (ward, viewer):
        page = client.get(f"/plans/{plan.pk}/").content.decode()
        assert f"/duties/{duty.pk}/" not in page  # no edit link
        for url, data in (
            (f"/plans/{plan.pk}/duties/new/", QUARTERLY),
            (f"/plans/{plan.pk}/duties/{duty.pk}/", QUARTERLY),
            (f"/plans/{plan.pk}/duties/{duty.pk}/delete/", {}),
        ):
            assert client.get(url).status_code == 403
            assert client.post(url, data).status_code == 403
    assert plan.obligations.get().rule == "before_day_next"
    with pytest.raises(PermissionError):
        duty_save(plan=plan, duty=Duty("year", "fixed_date", day=15, month=12), actor=None)
    with pytest.raises(ValidationError):
        duty_save(plan=plan, duty=Duty("month", "days_after"), actor=SYSTEM)


def test_an_issued_plan_gets_the_report_type_of_a_duty_added_by_hand(
    officer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given an issued plan without duties
    _user, client = officer
    plan = _plan(issued=True)
    assert not ReportType.objects.filter(plan=plan).exists()

    # when a yearly duty is added on screen
    yearly = {**QUARTERLY, "period": "year", "rule": "fixed_date", "day": "15", "month": "12"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/plans/{plan.pk}/duties/new/", yearly)

    # then the plan's annual implementation report is due on it
    report_type = ReportType.objects.get(plan=plan)
    assert report_type.code == f"plan-{plan.pk}-annual"
    assert report_type.deadline == {"kind": "fixed_date", "month": 12, "day": 15}
