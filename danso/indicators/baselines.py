"""Baselines entered by hand (số liệu năm gốc): the value of an indicator for a unit in
a year, with its source, for the change targets whose baseline year the register does
not cover ("giảm 0,15 % so với năm 2024" when the unit's book starts in 2025).

A baseline is an ``IndicatorValue`` of a whole year (period ``"2024"``).  The plans'
monitoring takes the register's figure of the baseline year first and this one only
where the register has none (``plans.monitoring``); the allocation checks read it too
(``plans.checks``).  A baseline is always a number someone wrote with its source: a
missing one is never taken as 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from danso import bounds
from danso.accounts.scope import actor_scope
from danso.audit import account_of, acting_as
from danso.indicators.models import Indicator, IndicatorValue
from danso.indicators.services import indicator_value_save
from danso.units.models import Unit, UnitVersion, valid_on
from danso.units.scope import Action
from danso.vietnamese import format_number

#: The longest source a baseline keeps (``IndicatorValue.source``).
SOURCE_LENGTH = 300


@dataclass(frozen=True)
class Baseline:
    """The value a change target is measured from: the register's figure of the
    baseline year (``entered`` False) or one entered by hand with its ``source``."""

    year: int
    value: float
    entered: bool = False
    source: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "value": self.value,
            "entered": self.entered,
            "source": self.source if self.entered else "register",
        }

    @property
    def text(self) -> str:
        """ "Năm gốc 2024: 6,5 (nhập tay; nguồn: Báo cáo thống kê năm 2024)"."""
        if self.entered:
            return _("Baseline %(year)s: %(value)s (entered; source: %(source)s).") % {
                "year": self.year,
                "value": shown(self.value),
                "source": self.source,
            }
        return _("Baseline %(year)s: %(value)s (from the register).") % {
            "year": self.year,
            "value": shown(self.value),
        }


def shown(value: float | Decimal) -> str:
    """A number as written in Vietnamese, without useless decimals (6,5; 109)."""
    text = format_number(value, 4)
    return text.rstrip("0").rstrip(",") if "," in text else text


def entered_baselines(unit_ids: Iterable[int], code: str, year: int) -> dict[int, Baseline]:
    """The baselines entered for ``year`` of indicator ``code``, by unit id (units
    without one are missing, never 0)."""
    rows = IndicatorValue.objects.filter(
        unit_id__in=list(unit_ids), indicator__code=code, period=str(year)
    ).values_list("unit_id", "value", "source")
    return {
        unit_id: Baseline(year, float(value), entered=True, source=source)
        for unit_id, value, source in rows
    }


def baselines_of(unit: Unit) -> list[IndicatorValue]:
    """The yearly values entered for ``unit``, newest year first."""
    return list(
        IndicatorValue.objects.filter(unit=unit, period__regex=r"^[0-9]{4}$")
        .select_related("indicator", "updated_by")
        .order_by("-period", "indicator__code")
    )


def standing_day(unit: Unit, year: int) -> date:
    """The day ``unit`` is taken as it stood for a baseline of ``year``: the year's last
    day, or the nearest day the unit existed (a ward that opened later, one that closed
    earlier)."""
    day = date(year, 12, 31)
    if unit.valid_to is not None and unit.valid_to < day:
        day = unit.valid_to
    return max(day, unit.valid_from)


@transaction.atomic
def baseline_enter(
    *,
    unit: Unit,
    indicator: Indicator,
    year: int,
    value: Decimal | None,
    source: str,
    actor: Any,
    on: date | None = None,
) -> IndicatorValue:
    """Enter (or replace) the baseline of ``indicator`` for ``unit`` in ``year``.

    ``actor`` (a person, or ``accounts.scope.SYSTEM``) must be allowed to edit plans on
    the unit as it stood on ``on`` (default: ``standing_day``); else ``PermissionError``.
    ``value`` is in the indicator's unit (%, ‰, …) within its range, ``source`` says
    where it comes from; a missing value, source or a year out of range raises
    ``ValidationError`` by field, and nothing is written.  The change is recorded
    against ``actor`` (the system actor for ``SYSTEM``)."""
    day = on or standing_day(unit, year)
    version = UnitVersion.objects.filter(valid_on(day), unit=unit).first()
    if version is None or not actor_scope(actor, day).allows(Action.EDIT_PLANS, version):
        raise PermissionError(
            _("You may not enter baselines for %(unit)s.")
            % {"unit": version.name if version else str(unit)}
        )
    problems: dict[str, list[str]] = {}
    low, high = bounds.YEARS
    if not low <= year <= high:
        problems["year"] = [
            _("The year must be from %(low)s to %(high)s.") % {"low": low, "high": high}
        ]
    if value is None:
        problems["value"] = [_("Write the baseline value: a missing baseline is never taken as 0.")]
    else:
        problem = bounds.range_problem(value, bounds.level_range(indicator.unit), indicator.unit)
        if problem is not None:
            message, params = problem
            problems["value"] = [_(message) % params if params else _(message)]
    source = " ".join(source.split())
    if not source:
        problems["source"] = [_("Say where the baseline comes from (a report, a survey …).")]
    elif len(source) > SOURCE_LENGTH:
        problems["source"] = [
            _("The source is longer than %(n)s characters.") % {"n": SOURCE_LENGTH}
        ]
    if problems:
        raise ValidationError(problems)
    assert value is not None
    user = account_of(actor)
    with acting_as(user):
        return indicator_value_save(
            unit=unit,
            indicator=indicator,
            period=str(year),
            value=value,
            source=source,
            user=user,
        )
