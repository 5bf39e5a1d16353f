"""``{% completeness_panels version day %}``: the reports a unit receives, who sent them
and who was on time, for a page of another app (the dashboards) that should not import
the reports app (the reports depend on the indicators, not the other way)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import template
from django.utils import timezone

from danso.reports import inbox
from danso.units.models import UnitVersion

register = template.Library()


@register.inclusion_tag("reports/_completeness_panels.html")
def completeness_panels(version: UnitVersion, day: date) -> dict[str, Any]:
    """The completeness of every type ``version``'s unit receives, for the last period of
    each that ended by ``day`` (never after today).  ``version`` is valid on ``day`` and
    already checked against the reader's scope by the page."""
    on = min(day + timedelta(days=1), timezone.localdate())
    return {"panels": inbox.completeness_panels(version, on), "version": version}
