"""The bounds of what a plan's targets and cells may hold (``danso.bounds`` applied to
targets and to the cells of the allocation grid), for every way a number comes in: the
grid, a pasted block, an imported plan, the API.  Messages are translated here, each
naming the cell it is about; callers add where (unit, line)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from danso import bounds
from danso.indicators.catalogue import METHOD_NAMES_VI, SUPPLY_NAMES_VI
from danso.plans.document import TargetKind
from danso.plans.models import Target
from danso.vietnamese import format_number

# The messages of ``danso.bounds`` the plans show, for makemessages to find.
gettext_noop("The value must be between %(low)s and %(high)s%(unit)s.")
gettext_noop("Not a number.")
#: How a unit of measure is written after a bound ("từ 0 đến 100 %").
_MEASURES = {"per100": "/100", "children_per_woman": "", "per_woman": "", "persons": ""}


def worded(problem: tuple[str, dict[str, object]]) -> str:
    """A ``danso.bounds`` problem in the reader's language, its numbers written the
    Vietnamese way (1.000, 0,15)."""
    message, params = problem
    shown: dict[str, object] = {}
    for key, value in params.items():
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            number = Decimal(value)
            places = max(0, -number.normalize().as_tuple().exponent)  # type: ignore[operator]
            shown[key] = format_number(number, min(places, 4))
        elif key == "unit" and isinstance(value, str):
            measure = value.strip()
            shown[key] = (" " + _MEASURES[measure]).rstrip() if measure in _MEASURES else value
        else:
            shown[key] = value
    return _(message) % shown


def target_value_problem(
    kind: TargetKind, value: Decimal, measure: str
) -> tuple[str, dict[str, object]] | None:
    """Why ``value`` cannot be a target of ``kind`` in ``measure`` (``danso.bounds``): a
    level within its unit's range, a change within that range's width up or down."""
    if kind is TargetKind.ALL_CHILDREN:
        return None
    if kind is TargetKind.CHANGE:
        return bounds.range_problem(value, bounds.change_range(measure), measure)
    if kind is TargetKind.COUNT_MIN:
        return bounds.range_problem(value, bounds.level_range("persons"))
    return bounds.range_problem(value, bounds.level_range(measure), measure)


def allocation_problems(
    target: Target, value: Decimal | None, breakdown: dict[str, Any] | None = None
) -> list[str]:
    """Why a cell of ``target``'s column cannot hold ``value`` and ``breakdown``
    (``cell_problems``)."""
    return cell_problems(TargetKind(target.kind), target.unit, value, breakdown)


def cell_problems(
    kind: TargetKind, measure: str, value: Decimal | None, breakdown: dict[str, Any] | None
) -> list[str]:
    """Why a cell of a target of ``kind`` in ``measure`` cannot hold ``value`` and
    ``breakdown`` (``danso.bounds``): a percentage between 0 and 100, a rate per 1,000
    or per 100 within its unit's range, a change within that range's width, a count (and
    each method's and supply's part of it) between 0 and ``bounds.MAX_COUNT``.  A problem
    about a method names it (and its supply).  Empty: none."""
    problems: list[str] = []
    if value is not None:
        if value < 0 and kind is not TargetKind.CHANGE:
            problems.append(_("Only a change can be negative."))
        else:
            problem = target_value_problem(kind, value, measure)
            if problem is not None:
                problems.append(worded(problem))
    for method, cell in (breakdown or {}).items():
        parts = cell.items() if isinstance(cell, dict) else [(None, cell)]
        for part, raw in parts:
            if raw is None:
                continue
            problem = bounds.range_problem(raw, bounds.level_range("persons"))
            if problem is not None:
                label = str(METHOD_NAMES_VI.get(method, method))
                if part not in (None, "total"):
                    label += f" · {SUPPLY_NAMES_VI.get(part, part)}"
                problems.append(f"{label}: {worded(problem)}")
    return problems
