"""The parts of a contraceptive target that are monitored on their own: the new users
of each method and of each supply (DOMAIN §4.3: the 2021 appendix 2 hands every district
its new users by method, each split into free and social marketing), against the
engine's ``NEWFP.<method>`` and ``NEWFP.<supply>`` (``indicators.values``).

A breakdown is stored as the plans store it (``allocation.CountCell``): ``{"iud": 120}``
or ``{"iud": {"total": 120, "free": 100, "social_marketing": 20}}``.  A method is
monitored when the breakdown gives its total; a supply when every method of the
breakdown gives its part of that supply (the register counts a supply over all the
methods, so a sum over some of them would be judged against the wrong count).

The plans' second supply column is "tiếp thị xã hội và xã hội hóa" (social marketing
and services paid for by the user): it is judged against the register's social
marketing and commercial starts together, so that free + the second column is every
start, as the appendix's totals are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal

from django.utils.translation import gettext as _

from danso.indicators.catalogue import METHOD_NAMES_VI, METHODS
from danso.indicators.engine import UnitFigures, Value
from danso.indicators.uncertainty import INTERVAL_METHODS, SMALL_NUMBERS, IntervalKind, poisson
from danso.plans.allocation import CountCell

#: The indicator whose targets are broken down by method and supply.
NEWFP = "NEWFP"
#: The plans' supply columns, and the register's supplies each one counts.
SUPPLIES: dict[str, tuple[str, ...]] = {
    "free": ("free",),
    "social_marketing": ("social_marketing", "commercial"),
}


def parts_of(breakdown: Mapping[str, object] | None) -> list[tuple[str, Decimal]]:
    """(part, its target) for each method whose total ``breakdown`` gives, in the plans'
    order, then each supply that every method splits (see the module docstring)."""
    cell = CountCell(None, breakdown)
    methods = cell.method_totals()
    found = [(method, methods[method]) for method in METHODS if method in methods]
    for supply in SUPPLIES:
        shares = [cell.supply(method, supply) for method in methods]
        if shares and all(share is not None for share in shares):
            found.append((supply, sum((s for s in shares if s is not None), Decimal(0))))
    return found


def part_value(figures: UnitFigures, part: str) -> Value | None:
    """The engine's count of new users of ``part`` (a method or a plans' supply column)
    in ``figures``; None when the engine has no such count."""
    counted = SUPPLIES.get(part, (part,))
    values = [v for v in figures.values if v.indicator in {f"{NEWFP}.{c}" for c in counted}]
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    total = int(sum(v.value or 0 for v in values))
    return replace(
        values[0],
        indicator=f"{NEWFP}.{part}",
        value=total,
        numerator=total,
        interval=poisson(total),
        interval_method=INTERVAL_METHODS[IntervalKind.POISSON],
        small_numbers=total < SMALL_NUMBERS[IntervalKind.POISSON],
        estimated=any(v.estimated for v in values),
    )


def part_label(part: str) -> str:
    """ "Dụng cụ tử cung", "Miễn phí" …: how the plans' tables name a part."""
    if part in METHOD_NAMES_VI:
        return METHOD_NAMES_VI[part]
    return {
        "free": _("Free supply"),
        "social_marketing": _("Social marketing and paid services"),
    }.get(part, part)
