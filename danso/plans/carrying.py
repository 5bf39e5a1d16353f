"""Carrying a closed unit's allocation to its successors, with no Django import.

When a unit that a plan handed targets to closes during the plan's years (the 2025
reform closed every ward of Long Biên on 30/6/2025), what its cells asked of it is carried
to the units that took it over (``plans.carried`` finds them and the shares, and stores
the result).  This module is the arithmetic, on plain numbers:

- each *predecessor* brings its cell's value (and, for counts, its breakdown by method
  and supply) and the share of it that went to each successor (the share of its
  population that went there; a predecessor's shares add up to 1);
- **counts** (``count_min``) are split by share in whole persons, each predecessor's
  value (and each method, and each supply of a method) keeping its exact total
  (``allocation.split_proportionally``); a successor's value is the sum of its parts;
- **rates and levels** (``level_min``, ``ceiling``, ``near``, ``change``) are the mean of
  the predecessors' values weighted by the population each brought (share × the
  predecessor's population; by share alone when a population is unknown);
- ``all_children`` ("every unit below meets a condition") is not carried cell by cell.

**The split year.**  A count is an annual-equivalent value: the successor's year is judged
as the predecessors' part before the reform plus its own after it (the indicator engine
counts the predecessors' leaves for the successor over the whole year), so the
successor's annual target for the split year is the sum of its shares of its
predecessors' annual cells.  The part of it due after the effective date
(``rest_of_year``) is each predecessor's value × remaining months ÷ 12 in whole persons,
split by the same shares (kept exact too); it is shown, not judged.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, Generic, TypeVar, cast

from danso.plans.allocation import AllocationError, split_proportionally

K = TypeVar("K", bound=Hashable)

COUNT_KINDS = frozenset({"count_min"})
LEVEL_KINDS = frozenset({"level_min", "ceiling", "near", "change"})
#: Rates are carried with at least this many decimals, at most ``MAX_DECIMALS``.
MIN_DECIMALS = 2
MAX_DECIMALS = 4
SUPPLY_PARTS = ("free", "social_marketing")
#: How far a predecessor's shares may add up from 1 (shares are population ratios).
TOLERANCE = 1e-6


class CarryError(ValueError):
    """The shares cannot be carried (they do not add up to 1, one is negative…)."""


@dataclass(frozen=True)
class Predecessor(Generic[K]):
    """A closed unit's cell: its ``value`` (None: the cell was left empty), the
    ``breakdown`` of a count by method ({"iud": 120} or {"iud": {"total": 120, "free":
    100, "social_marketing": 20}}), its ``population`` (the weight of a rate; None when
    unknown) and the share of it that went to each successor."""

    value: Decimal | None
    shares: Mapping[K, float | Fraction | Decimal]
    breakdown: Mapping[str, Any] | None = None
    population: int | None = None


@dataclass(frozen=True)
class Carried:
    """What a successor carries: its value (and breakdown), and for a count the part of
    the value due after the effective date."""

    value: Decimal
    breakdown: dict[str, Any] | None = None
    rest_of_year: Decimal | None = None
    #: the predecessors (by their position in the list given) whose value reached it
    sources: tuple[int, ...] = field(default=())


def remaining_months(month: int, day: int) -> int:
    """The whole months of the year from an effective date: from 1/7 six (July to
    December); a date inside a month leaves that month to the predecessor."""
    if not 1 <= month <= 12:
        raise CarryError("a month is 1–12")
    return 13 - month if day == 1 else 12 - month


def carry(
    kind: str, predecessors: Sequence[Predecessor[K]], *, months: int = 12
) -> dict[K, Carried]:
    """What each successor carries from ``predecessors`` for a target of ``kind``
    (``document.TargetKind`` values); ``months``: the months of the year left from the
    effective date (``remaining_months``).  A successor that no share with a value
    reaches carries nothing (it is absent from the result); so does every successor of
    an ``all_children`` target."""
    for predecessor in predecessors:
        _check_shares(predecessor.shares)
    if not 0 <= months <= 12:
        raise CarryError("the months left are 0–12")
    if kind in COUNT_KINDS:
        return _carry_counts(predecessors, months)
    if kind in LEVEL_KINDS:
        return _carry_levels(predecessors)
    return {}


def _check_shares(shares: Mapping[Any, float | Fraction | Decimal]) -> None:
    if any(share < 0 for share in shares.values()):
        raise CarryError("a share is negative")
    if shares and abs(float(sum(Fraction(str(s)) for s in shares.values())) - 1) > TOLERANCE:
        raise CarryError("a predecessor's shares do not add up to 1")


def _reached(predecessor: Predecessor[K]) -> list[K]:
    return [key for key, share in predecessor.shares.items() if share > 0]


# ----------------------------------------------------------------------------- counts


def _whole(value: Decimal | int | float) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _split(total: int, shares: Mapping[K, float | Fraction | Decimal]) -> dict[K, int]:
    # split_proportionally reads each weight exactly (Fraction(str(weight))), fractions too
    weights = cast(Mapping[K, float], shares)
    try:
        return split_proportionally(total, weights)
    except AllocationError as error:
        raise CarryError(str(error)) from error


def _method_total(cell: Any) -> int | None:
    raw = cell.get("total") if isinstance(cell, Mapping) else cell
    return None if raw is None else _whole(raw)


def _split_breakdown(
    breakdown: Mapping[str, Any], shares: Mapping[K, float | Fraction | Decimal]
) -> dict[K, dict[str, Any]]:
    """Each method (and each supply of a method) split by ``shares``, exactly; a
    method's total is its supplies' sum when they added up to it."""
    out: dict[K, dict[str, Any]] = {key: {} for key in shares}
    for method, cell in breakdown.items():
        if not isinstance(cell, Mapping):
            if cell is None:
                continue
            for key, part in _split(_whole(cell), shares).items():
                out[key][method] = part
            continue
        parts: dict[str, dict[K, int]] = {}
        for part_name in SUPPLY_PARTS:
            if cell.get(part_name) is not None:
                parts[part_name] = _split(_whole(cell[part_name]), shares)
        total = _method_total(cell)
        adds_up = (
            total is not None
            and len(parts) == len(SUPPLY_PARTS)
            and sum(_whole(cell[p]) for p in SUPPLY_PARTS) == total
        )
        if total is not None and not adds_up:
            parts["total"] = _split(total, shares)
        for key in shares:
            split = {name: by_key[key] for name, by_key in parts.items()}
            if adds_up:
                split["total"] = sum(split[p] for p in SUPPLY_PARTS)
            if split:
                out[key][method] = split
    return out


def _breakdown_sum(breakdown: Mapping[str, Any]) -> int:
    return sum(_method_total(cell) or 0 for cell in breakdown.values())


def _add_breakdowns(into: dict[str, Any], more: Mapping[str, Any]) -> None:
    for method, cell in more.items():
        if isinstance(cell, Mapping):
            mine = into.setdefault(method, {})
            if not isinstance(mine, dict):  # one predecessor split by supply, one not
                mine = into[method] = {"total": mine}
            for part, value in cell.items():
                mine[part] = mine.get(part, 0) + value
        elif isinstance(into.get(method), dict):
            into[method]["total"] = into[method].get("total", 0) + cell
        else:
            into[method] = into.get(method, 0) + cell


def _carry_counts(predecessors: Sequence[Predecessor[K]], months: int) -> dict[K, Carried]:
    values: dict[K, int] = {}
    rests: dict[K, int] = {}
    breakdowns: dict[K, dict[str, Any]] = {}
    sources: dict[K, list[int]] = {}
    for index, predecessor in enumerate(predecessors):
        reached = _reached(predecessor)
        if predecessor.value is None or not reached:
            continue
        shares = {key: predecessor.shares[key] for key in reached}
        total = _whole(predecessor.value)
        methods = predecessor.breakdown or {}
        split_methods = _split_breakdown(methods, shares) if methods else {}
        if methods and _breakdown_sum(methods) == total:
            # the row adds up: each part's value is the sum of its methods (exact too)
            parts = {key: _breakdown_sum(split_methods[key]) for key in shares}
        else:
            parts = _split(total, shares)
        rest = _split(_whole(Decimal(total) * months / 12), shares)
        for key in shares:
            values[key] = values.get(key, 0) + parts[key]
            rests[key] = rests.get(key, 0) + rest[key]
            sources.setdefault(key, []).append(index)
            if methods:
                _add_breakdowns(breakdowns.setdefault(key, {}), split_methods[key])
    return {
        key: Carried(
            Decimal(values[key]),
            breakdowns.get(key) or None,
            Decimal(rests[key]),
            tuple(sources[key]),
        )
        for key in values
    }


# ----------------------------------------------------------------------------- levels


def _decimals(values: Sequence[Decimal]) -> int:
    """The decimals a carried rate keeps: those of the most precise value given, at
    least ``MIN_DECIMALS``, at most ``MAX_DECIMALS`` (so the mean, rounded, stays between
    the smallest and the largest value)."""
    places = [-int(value.normalize().as_tuple().exponent) for value in values]
    return min(MAX_DECIMALS, max([MIN_DECIMALS, *places]))


def _carry_levels(predecessors: Sequence[Predecessor[K]]) -> dict[K, Carried]:
    # weighted by population when every predecessor's is known, else by share alone
    known = all(p.population for p in predecessors if p.value is not None)
    sums: dict[K, tuple[Fraction, Fraction]] = {}
    sources: dict[K, list[int]] = {}
    used: list[Decimal] = []
    for index, predecessor in enumerate(predecessors):
        if predecessor.value is None:
            continue
        population = Fraction(predecessor.population or 0) if known else Fraction(1)
        for key in _reached(predecessor):
            weight = Fraction(str(predecessor.shares[key])) * population
            if weight == 0:
                continue
            total, weights = sums.get(key, (Fraction(0), Fraction(0)))
            sums[key] = (total + weight * Fraction(predecessor.value), weights + weight)
            sources.setdefault(key, []).append(index)
            used.append(predecessor.value)
    if not sums:
        return {}
    places = Decimal(1).scaleb(-_decimals(used))
    found: dict[K, Carried] = {}
    for key, (total, weights) in sums.items():
        mean = total / weights
        value = (Decimal(mean.numerator) / Decimal(mean.denominator)).quantize(
            places, rounding=ROUND_HALF_UP
        )
        found[key] = Carried(value, sources=tuple(sources[key]))
    return found
