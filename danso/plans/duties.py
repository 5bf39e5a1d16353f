"""A plan's report duties (chế độ báo cáo, ``ReportObligation``) written by hand: added,
changed and deleted by whoever may edit the plan, each rule with the numbers it needs,
and recorded in the plan's history.

A plan import reads its duties from the text (``plans.reading.reports``); a plan typed
on screen, or one whose text said it loosely, gets them here.  Every write touches the
plan (``updated_at``), so that an issued plan's implementation report types are made
for a new period as when it was issued (``reports.signals``: the reports app listens to
the plans, never the other way); a deleted duty's report type stays with its reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from danso.audit import account_of, acting_as
from danso.plans.models import Plan, ReportObligation
from danso.plans.selectors import Access, plan_access

Rule = ReportObligation.Rule
Period = ReportObligation.Period
#: The longest span a rule counts, in days (as ``reports.deadlines.MAX_DAYS``: a quarter
#: and a little; beyond it a number is more likely a typing error than a deadline).
MAX_DAYS = 120
#: The last day of the month a "before day D" rule may name: every month has a 28th.
LAST_DAY_EVERY_MONTH = 28
RECIPIENT_LENGTH = 200


@dataclass(frozen=True)
class Duty:
    """What a report duty says: how often (``period``), due when (``rule`` with the
    numbers it needs: ``day`` for before day D of the month after the period, ``day``
    and ``month`` for a fixed date, ``days`` for N (working) days after the period), to
    whom, and the words of the plan."""

    period: str
    rule: str
    day: int | None = None
    month: int | None = None
    days: int | None = None
    recipient: str = ""
    text: str = ""


def duty_problems(duty: Duty) -> dict[str, list[str]]:
    """Why ``duty`` cannot be kept, by field (empty: it can).  The numbers a rule does
    not use are not looked at (``duty_save`` clears them)."""
    found: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        found.setdefault(field, []).append(message)

    if duty.period not in Period.values:
        add("period", _("Choose how often the report is due."))
    if duty.rule not in Rule.values:
        add("rule", _("Choose when the report is due."))
    elif duty.rule == Rule.BEFORE_DAY_NEXT:
        if duty.day is None or not 1 <= duty.day <= LAST_DAY_EVERY_MONTH:
            add(
                "day",
                _("Give the day of the month (1 to %(last)s) before which the report is due.")
                % {"last": LAST_DAY_EVERY_MONTH},
            )
    elif duty.rule == Rule.FIXED_DATE:
        if duty.day is None or duty.month is None:
            add("day", _("Give the day and the month of the fixed date."))
        else:
            try:
                date(2001, duty.month, duty.day)  # a common year: 29/02 is missing in most
            except ValueError:
                add(
                    "day",
                    _("%(day)s/%(month)s is not a day of every year.")
                    % {"day": duty.day, "month": duty.month},
                )
        if duty.period not in (Period.YEAR, Period.ONCE):
            add("rule", _("A fixed date suits a yearly or a one-off report."))
    elif duty.days is None or not 1 <= duty.days <= MAX_DAYS:
        add("days", _("Give the number of days (1 to %(max)s).") % {"max": MAX_DAYS})
    if len(duty.recipient) > RECIPIENT_LENGTH:
        add(
            "recipient",
            _("The recipient is longer than %(n)s characters.") % {"n": RECIPIENT_LENGTH},
        )
    return found


def duty_of(duty: ReportObligation) -> Duty:
    return Duty(duty.period, duty.rule, duty.day, duty.month, duty.days, duty.recipient, duty.text)


def _may_edit(actor: Any, plan: Plan) -> None:
    if plan_access(actor, plan) is not Access.EDIT:
        raise PermissionError(_("You may not change the report duties of this plan."))


@transaction.atomic
def duty_save(
    *, plan: Plan, duty: Duty, actor: Any, row: ReportObligation | None = None
) -> ReportObligation:
    """Add ``duty`` to ``plan`` (or, given ``row``, one of its duties, change it).
    ``actor`` (a person, or ``accounts.scope.SYSTEM``) must be allowed to edit the plan,
    else ``PermissionError``; a duty without the numbers its rule needs raises
    ``ValidationError`` by field and nothing is written."""
    _may_edit(actor, plan)
    if row is not None and row.plan_id != plan.pk:
        raise PermissionError(_("You may not change the report duties of this plan."))
    problems = duty_problems(duty)
    if problems:
        raise ValidationError(problems)
    if row is None:
        last = plan.obligations.order_by("-order").values_list("order", flat=True).first()
        row = ReportObligation(plan=plan, order=0 if last is None else last + 1)
    row.period = duty.period
    row.rule = duty.rule
    # only the numbers the rule reads are kept: a stale day must not look like a rule
    row.day = duty.day if duty.rule in (Rule.BEFORE_DAY_NEXT, Rule.FIXED_DATE) else None
    row.month = duty.month if duty.rule == Rule.FIXED_DATE else None
    row.days = duty.days if duty.rule in (Rule.WORKING_DAYS_AFTER, Rule.DAYS_AFTER) else None
    row.recipient = " ".join(duty.recipient.split())
    row.text = duty.text.strip()
    with acting_as(account_of(actor)):
        row.save()
        plan.save(update_fields=["updated_at"])
    return row


@transaction.atomic
def duty_delete(*, row: ReportObligation, actor: Any) -> None:
    """Delete one report duty of its plan (``actor``: as for ``duty_save``); its history
    keeps what it was and who deleted it."""
    plan = Plan.objects.get(pk=row.plan_id)
    _may_edit(actor, plan)
    with acting_as(account_of(actor)):
        row.delete()
        plan.save(update_fields=["updated_at"])
