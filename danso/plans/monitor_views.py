"""The monitoring screen of a plan (theo dõi thực hiện chỉ tiêu): each target of the plan
against the register for a period, for the plan's unit and the units it allocated to
(``plans.monitoring.monitor``, which keeps to what the reader may see), a contraceptive
target followed by its methods and supplies, a change target saying the baseline it
rests on, or linking to the baselines screen where it has none."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from danso.accounts.context import working_date
from danso.accounts.scope import actor_scope
from danso.indicators.achievement import STATUS_VI
from danso.indicators.periods import Period, PeriodError
from danso.plans.breakdowns import part_label
from danso.plans.models import Plan
from danso.plans.monitoring import MonitorRow, monitor
from danso.plans.selectors import Access, plan_access, units_day
from danso.units.models import UnitVersion
from danso.units.scope import Action, UnitScope


def plan_monitoring(request: HttpRequest, plan_id: int) -> HttpResponse:
    """``?period=2024`` (or ``2024Q2``, ``2024-YTD-06``; default: the year to date of the
    working date within the plan's years, else its first year)."""
    plan = get_object_or_404(Plan.objects.select_related("unit"), pk=plan_id)
    access = plan_access(request.user, plan)
    if access is Access.NONE:
        raise PermissionDenied(_("This plan is outside the units you may see or change."))
    period, problem = _period(request, plan)
    rows = monitor(plan, period, request.user, parts=True)
    scopes: dict[date, UnitScope] = {}
    shown = [_shown(request, plan, row, scopes) for row in rows]
    return render(
        request,
        "plans/monitoring.html",
        {
            "nav": "plans",
            "plan": plan,
            "period": period,
            "problem": problem,
            "years": list(range(plan.period_start, plan.period_end + 1)),
            "rows": shown,
        },
    )


def _period(request: HttpRequest, plan: Plan) -> tuple[Period, str]:
    """The period asked for, else the default, with why the one asked was refused."""
    asked = request.GET.get("period", "").strip()
    if asked:
        try:
            return Period.parse(asked), ""
        except PeriodError as error:
            problem = str(error)
    else:
        problem = ""
    day = working_date(request)
    if plan.period_start <= day.year <= plan.period_end:
        return Period.parse(f"{day.year}-YTD-{day.month:02d}"), problem
    return Period.year_of(plan.period_start), problem


def _shown(
    request: HttpRequest, plan: Plan, row: MonitorRow, scopes: dict[date, UnitScope]
) -> dict[str, Any]:
    """What the table shows of ``row``: its label, and for a change target without a
    baseline the link to enter it, when the reader may."""
    label = row.target.indicator.name_vi if row.part is None else part_label(row.part)
    baseline_url = ""
    target = row.target
    if target.kind == "change" and row.baseline is None and target.baseline_year:
        day = _day_of(row.version, units_day(plan))
        if day not in scopes:
            scopes[day] = actor_scope(request.user, day)
        if scopes[day].allows(Action.EDIT_PLANS, row.version):
            query = urlencode(
                {
                    "indicator": target.indicator.code,
                    "year": str(target.baseline_year),
                    "plan": str(plan.pk),
                    "date": day.isoformat(),
                }
            )
            baseline_url = reverse("plans:baselines", args=[row.version.unit_id]) + f"?{query}"
    return {
        "row": row,
        "label": label,
        "status_label": STATUS_VI[row.judgement.status],
        "actual": row.as_dict()["actual"],
        "baseline_url": baseline_url,
    }


def _day_of(version: UnitVersion, day: date) -> date:
    """``day`` if ``version`` was valid then, else the version's first day."""
    if version.valid_from <= day and (version.valid_to is None or day <= version.valid_to):
        return day
    return version.valid_from
