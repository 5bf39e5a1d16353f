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


def check_reporting_unit(report_type: ReportType, unit: Unit) -> None:
    """Refuse a unit that does not send ``report_type``."""
    if unit.level != report_type.reporting_level:
        raise ValidationError(
            _("%(type)s is reported by units of level %(level)s.")
            % {"type": report_type.code, "level": report_type.get_reporting_level_display()}
        )
    plan = report_type.plan
    if plan is not None and unit.pk != plan.unit_id:
        raise ValidationError(
            _("%(type)s reports on a plan: only the unit that issued it sends it.")
            % {"type": report_type.code}
        )


def check_editable(report: Report) -> None:
    """Refuse a report that is no longer a draft or returned."""
    if not report.editable:
        raise ValidationError(
            _("A %(status)s report cannot be changed.") % {"status": report.get_status_display()}
        )
