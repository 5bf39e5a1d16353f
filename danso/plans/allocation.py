"""Allocation arithmetic (giao chỉ tiêu), with no Django import.

- ``split_proportionally``: a count split in proportion to weights, in whole persons,
  summing exactly to the total (largest remainder method).
- ``weighted_level``: the level that children's rate targets imply for their parent.
- ``count_problems``, ``level_problems``, ``change_problems``: the consistency checks of
  an allocation, as sentences with a severity.

Rates compare after rounding to ``RATE_DECIMALS`` so that a table written with two
decimals is not flagged for a difference in the third.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
RATE_DECIMALS = 2
SUPPLY_PARTS = ("free", "social_marketing")


class AllocationError(ValueError):
    """The numbers cannot be allocated as asked (no weights, a negative total…)."""


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" | "warning"
    code: str  # "count_total", "count_cell", "supply_split", "rate_aggregate", …
    where: str  # a unit name, a method, or "" for the whole table
    params: tuple[tuple[str, str], ...] = ()  # worded by the caller (plans.checks)

    def param(self, name: str) -> str:
        return dict(self.params)[name]


def split_proportionally(total: int, weights: Mapping[K, int | float | Decimal]) -> dict[K, int]:
    """``total`` split into whole numbers proportional to ``weights``, summing to ``total``.

    Largest remainder method: each key gets the floor of its exact share, then the units
    left over go to the largest remainders (ties: the larger weight, then the order of
    ``weights``).  Zero weights get zero.  Raises ``AllocationError`` for a negative total,
    a negative weight or weights that sum to zero.

    >>> split_proportionally(10, {"a": 1, "b": 1, "c": 1})
    {'a': 4, 'b': 3, 'c': 3}
    """
    if total < 0:
        raise AllocationError("the total is negative")
    exact = {key: Fraction(str(weight)) for key, weight in weights.items()}
    if any(weight < 0 for weight in exact.values()):
        raise AllocationError("a weight is negative")
    weight_sum = sum(exact.values(), Fraction(0))
    if weight_sum == 0:
        raise AllocationError("the weights sum to zero")
    shares = {key: total * weight / weight_sum for key, weight in exact.items()}
    result = {key: int(share) for key, share in shares.items()}  # floor: shares are ≥ 0
    left = total - sum(result.values())
    order = list(weights)
    ranked = sorted(
        order,
        key=lambda key: (shares[key] - result[key], exact[key], -order.index(key)),
        reverse=True,
    )
    for key in ranked[:left]:
        result[key] += 1
    return result


def weighted_level(
    values: Mapping[K, Decimal], weights: Mapping[K, int | float | Decimal]
) -> Decimal | None:
    """Σ value × weight / Σ weight over the keys of ``values``; None without weights."""
    total_weight = Decimal(0)
    total = Decimal(0)
    for key, value in values.items():
        weight = Decimal(str(weights[key]))
        total_weight += weight
        total += value * weight
    if total_weight == 0:
        return None
    return total / total_weight


def rounded(value: Decimal, decimals: int = RATE_DECIMALS) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- checks


@dataclass(frozen=True)
class CountCell:
    """A count target or allocation: a total and, per method, a total or a supply split
    ({"iud": 1050} or {"iud": {"total": 2980, "free": 90, "social_marketing": 2890}})."""

    total: Decimal | None
    breakdown: Mapping[str, object] | None = None

    def method_totals(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for method, cell in (self.breakdown or {}).items():
            value = cell.get("total") if isinstance(cell, Mapping) else cell
            if value is not None:
                out[method] = Decimal(str(value))
        return out

    def supply(self, method: str, part: str) -> Decimal | None:
        cell = (self.breakdown or {}).get(method)
        if isinstance(cell, Mapping) and cell.get(part) is not None:
            return Decimal(str(cell[part]))
        return None


def count_problems(parent: CountCell, children: Mapping[str, CountCell]) -> list[Finding]:
    """Counts must add up, cell by cell: every row's total = Σ its methods and each
    method's total = free + social marketing; every column sums to the parent's."""
    findings: list[Finding] = []
    for name, cell in [("", parent), *children.items()]:
        findings += _row_problems(name, cell)
    children_total = sum((c.total for c in children.values() if c.total is not None), Decimal(0))
    if parent.total is not None and children_total != parent.total:
        findings.append(
            _finding("error", "count_total", "", total=parent.total, children=children_total)
        )
    for method, parent_value in parent.method_totals().items():
        column = sum(
            (c.method_totals().get(method, Decimal(0)) for c in children.values()), Decimal(0)
        )
        if column != parent_value:
            findings.append(
                _finding(
                    "error",
                    "count_column",
                    method,
                    method=method,
                    total=parent_value,
                    children=column,
                )
            )
        for part in SUPPLY_PARTS:
            expected = parent.supply(method, part)
            if expected is None:
                continue
            column = sum(
                (c.supply(method, part) or Decimal(0) for c in children.values()), Decimal(0)
            )
            if column != expected:
                findings.append(
                    _finding(
                        "error",
                        "supply_column",
                        method,
                        method=method,
                        part=part,
                        total=expected,
                        children=column,
                    )
                )
    return findings


def _row_problems(name: str, cell: CountCell) -> list[Finding]:
    findings: list[Finding] = []
    methods = cell.method_totals()
    if methods and cell.total is not None and sum(methods.values()) != cell.total:
        findings.append(
            _finding("error", "count_row", name, total=cell.total, methods=sum(methods.values()))
        )
    for method in methods:
        free, social = cell.supply(method, "free"), cell.supply(method, "social_marketing")
        if free is not None and social is not None and free + social != methods[method]:
            findings.append(
                _finding(
                    "error",
                    "supply_split",
                    name,
                    method=method,
                    total=methods[method],
                    free=free,
                    social=social,
                )
            )
    return findings


def level_problems(
    kind: str,
    parent: Decimal,
    children: Mapping[str, Decimal],
    weights: Mapping[str, Decimal | None],
    *,
    tolerance: Decimal | None = None,
) -> list[Finding]:
    """Rate targets: the children's values weighted by their denominators must reach the
    parent's (``level_min``), stay under it (``ceiling``) or within ``tolerance`` of it
    (``near``).  A single child below the parent's level is normal and not reported.
    Units without a weight are named, and then nothing can be concluded."""
    missing = sorted(name for name in children if weights.get(name) is None)
    if missing:
        return [_finding("warning", "weights_missing", "", units=_names(missing, children))]
    known = {name: w for name, w in weights.items() if w is not None and name in children}
    level = weighted_level(children, known)
    if level is None:
        return [_finding("warning", "weights_missing", "", units=", ".join(sorted(children)))]
    level = rounded(level)
    failed = (
        (kind == "level_min" and level < rounded(parent))
        or (kind == "ceiling" and level > rounded(parent))
        or (kind == "near" and abs(level - parent) > (tolerance or Decimal(0)))
    )
    if failed:
        return [_finding("error", f"rate_{kind}", "", level=level, parent=parent)]
    return [_finding("ok", f"rate_{kind}_ok", "", level=level, parent=parent)]


def change_problems(
    parent_change: Decimal,
    parent_baseline: Decimal | None,
    children: Mapping[str, Decimal],
    baselines: Mapping[str, Decimal | None],
    weights: Mapping[str, Decimal | None],
) -> list[Finding]:
    """Change targets are checked on the levels they imply: baseline + change, for the
    parent and for each child; a reduction is a ceiling on the implied level, an increase
    a floor."""
    missing = sorted(name for name in children if baselines.get(name) is None)
    if parent_baseline is None or missing:
        names = _names(missing, children) if missing else ""
        return [_finding("warning", "baselines_missing", "", units=names)]
    implied = {name: Decimal(str(baselines[name])) + change for name, change in children.items()}
    kind = "ceiling" if parent_change < 0 else "level_min"
    findings = level_problems(kind, parent_baseline + parent_change, implied, weights)
    return [
        Finding(f.severity, f.code.replace("rate_", "change_"), f.where, f.params) for f in findings
    ]


ALL = "*"  # in a finding's "units": every unit


def _names(missing: list[str], children: Mapping[str, object]) -> str:
    """The names, or ALL when every unit is missing (a list of 30 says nothing more)."""
    return ALL if len(missing) == len(children) > 3 else ", ".join(missing)


def _finding(severity: str, code: str, where: str, **params: object) -> Finding:
    return Finding(severity, code, where, tuple((k, str(v)) for k, v in params.items()))
