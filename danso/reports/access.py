"""The checks a write of a report makes before anything else: whose scope the actor
acts in, whether they may write the reports of a unit, whether the unit sends that type
of report at all, and whether the report can still be changed.

Deciding on a report (approve, return, unlock, waive) is checked by
``danso.reports.services._may_decide``, next to the decisions themselves (see that
module's docstring).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from danso.accounts.scope import actor_scope
from danso.indicators.periods import Period
from danso.plans.carried import carried_of, carriers_of
from danso.reports import selectors
from danso.reports.models import Report, ReportType
from danso.units.models import Unit, UnitVersion
from danso.units.scope import Action, UnitScope


def scope_of(actor: Any, on: date) -> UnitScope:
    """The units ``actor`` acts on, on day ``on``; everything when the system acts
    (``actor`` is ``accounts.scope.SYSTEM``), nothing for None."""
    return actor_scope(actor, on)


def may_write(report_type: ReportType, unit: Unit, period: Period, actor: Any) -> UnitVersion:
    """Check that ``actor`` writes ``unit``'s reports for ``period``
    (``SUBMIT_REPORTS`` on the unit, on the report's tree day).  Returns the unit as it
    stood then."""
    version = selectors.version_for(unit, period)
    day = selectors.tree_day(unit, period)
    if not scope_of(actor, day).allows(Action.SUBMIT_REPORTS, version):
        raise PermissionDenied(_("You may not write the reports of this unit."))
    return version


def check_reporting_unit(report_type: ReportType, unit: Unit, period: Period | None = None) -> None:
    """Refuse a unit that does not send ``report_type`` (for ``period``, when given).

    A plan's implementation report is sent by the plan's unit; and, for the periods
    ending after that unit closed, by the units that carry the plan's cells by then
    (``plans.carried``: the new wards that took over the wards of a district abolished on
    1/7/2025 send its plan's 2025 annual summary), whatever their level."""
    plan = report_type.plan
    if plan is not None and period is not None and carries_plan(report_type, unit, period):
        return
    if unit.level != report_type.reporting_level:
        raise ValidationError(
            _("%(type)s is reported by units of level %(level)s.")
            % {"type": report_type.code, "level": report_type.get_reporting_level_display()}
        )
    if plan is not None and unit.pk != plan.unit_id:
        raise ValidationError(
            _("%(type)s reports on a plan: only the unit that issued it sends it.")
            % {"type": report_type.code}
        )


def carries_plan(report_type: ReportType, unit: Unit, period: Period) -> bool:
    """Whether ``unit`` sends ``report_type``, a plan's implementation report, for
    ``period`` in place of the plan's unit: the plan's unit closed before the period's
    last day and ``unit`` carries cells of the plan by then."""
    return carries_plan_on(report_type, unit.pk, period.end)


def carries_plan_on(report_type: ReportType, unit_id: int, day: date) -> bool:
    """Whether ``unit_id`` sends ``report_type`` in place of its plan's unit on ``day``
    (``carries_plan`` for a period ending on ``day``)."""
    plan = report_type.plan
    if plan is None or unit_id == plan.unit_id:
        return False
    closed = plan.unit.valid_to
    return closed is not None and closed < day and bool(carried_of(plan, unit_id, day))


def carriers(report_type: ReportType, day: date) -> set[int]:
    """The units that send ``report_type`` (a plan's implementation report) in place of
    its plan's unit on ``day``: none while that unit stands."""
    plan = report_type.plan
    if plan is None or plan.unit.valid_to is None or plan.unit.valid_to >= day:
        return set()
    return carriers_of(plan, day)


def check_editable(report: Report) -> None:
    """Refuse a report that is no longer a draft or returned."""
    if not report.editable:
        raise ValidationError(
            _("A %(status)s report cannot be changed.") % {"status": report.get_status_display()}
        )
