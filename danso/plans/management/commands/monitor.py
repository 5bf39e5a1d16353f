"""``danso monitor``: a plan's targets against the register's figures.

    danso monitor --plan PLAN_ID --period 2024-YTD-06 [--user U] --format json

prints ``{"plan": {...}, "period": "...", "rows": [{"unit_code", "indicator", "target",
"actual", "status", ...}]}``; statuses and their rules: ``indicators.achievement``.  A
contraceptive target broken down by method and supply is followed by a row per part
(``"indicator": "NEWFP.iud"``, ``"part": "iud"``; ``plans.breakdowns``); a change
target's row says its baseline (``"baseline": {"year", "value", "entered", "source"}``).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from danso.commandline import DansoCommand
from danso.indicators.achievement import STATUS_VI
from danso.indicators.periods import Period, PeriodError
from danso.plans.models import Plan
from danso.plans.monitoring import MonitorRow, monitor
from danso.plans.selectors import Access, plan_access
from danso.vietnamese import format_number


class Command(DansoCommand):
    help = "Achievement of a plan's targets, from the register."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--plan", type=int, required=True, help="the plan's id")
        parser.add_argument("--period", required=True, help="2024, 2024Q2, 2024-YTD-06 …")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--user", metavar="USERNAME", help="act as this user, in their scope")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = Period.parse(options["period"])
        except PeriodError as error:
            raise CommandError(str(error)) from error
        plan = Plan.objects.filter(pk=options["plan"]).select_related("unit").first()
        user = self.actor(options)
        if plan is None or plan_access(user, plan) is Access.NONE:
            raise CommandError(f"no plan {options['plan']} in your scope")
        rows = monitor(plan, period, user, parts=True)
        data = {
            "plan": {"id": plan.pk, "number": plan.number, "title": plan.title},
            "period": str(period),
            "rows": [row.as_dict() for row in rows],
        }
        self.emit(options, data, lambda: _text(plan, period, rows))


def _text(plan: Plan, period: Period, rows: list[MonitorRow]) -> str:
    def n(x: float | None) -> str:
        return "—" if x is None else format_number(x, 2)

    lines = [f"{plan.title} · {period.label_vi}"]
    for row in rows:
        actual = row.as_dict()["actual"]  # no data is no figure, never 0
        lines.append(
            f"  {row.version.display_code:<6} {row.code:<18} "
            f"chỉ tiêu {n(row.target_value):>10}  thực hiện {n(actual):>10}  "
            f"{STATUS_VI[row.judgement.status]}"
        )
    return "\n".join(lines)
