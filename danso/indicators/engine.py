"""The indicator engine: the figures of any unit for any period, from the register.

The engine counts *tallies* — additive counts such as births, boys, women 25–29 on the
reference date, mothers screened before birth — per **leaf unit** (the village, or the
commune for households placed directly in it), then adds the tallies of the leaves under
the unit asked for and turns the sums into indicators (``indicators_from``).  Every
indicator of DOMAIN §4.1 is a ratio of such sums, so a district's value is exact, not an
average of its communes' values.

Definitions (``docs/indicators.md`` says them for users):

- the period's reference date and annualisation: ``periods.Period``;
- *registered in U on D*: a stay in a household (``Membership``, its end inclusive) on D,
  the household placed (``HouseholdPlacement``) on D in a leaf under U;
- an event counts where it was fixed when recorded (``Event.unit``: the household's unit
  on the event's day; for a birth, the mother's);
- the tree is taken on the ``tree_date`` (default: the period's last day); leaves are the
  communes and villages valid then.

The engine's parts, each in its module: ``leaves`` (which leaves count for a unit in a
period, with the shares of communes split by a reform), ``tallying`` (the register's
grouped queries that make each leaf's tally) and ``values`` (summed tallies → indicator
values).  This module adds the leaves' tallies up the tree (``compute``) and is where the
rest of danso imports the engine from.

Reads the register only; no Django model of its own is written here (the cache of
computed tallies is ``cache``'s business).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from datetime import date

from danso.indicators import tallies as keys
from danso.indicators.coverage import coverage_of
from danso.indicators.defined import add_values
from danso.indicators.leaves import (
    TREES,
    Link,
    Part,
    leaf_parts,
    leaves_under,
    predecessors_under,
    tree_key,
)
from danso.indicators.periods import Period
from danso.indicators.tallying import (
    MARRIAGE_AGE,
    NEWBORN_WINDOW,
    PREMARITAL_WINDOW,
    PRENATAL_WINDOW,
    PYRAMID_GROUPS,
    History,
    Memo,
    Tally,
    add_up,
    born_aged,
    registered_on,
    tallies_of,
    years_before,
)

# The bench (``bench/indicators_bench.py``) times each of ``tallies_of``'s queries by its
# name here.
from danso.indicators.tallying import _births as _births
from danso.indicators.tallying import _contraceptive_prevalence as _contraceptive_prevalence
from danso.indicators.tallying import _deaths_and_contraception as _deaths_and_contraception
from danso.indicators.tallying import _marriages as _marriages
from danso.indicators.tallying import _stock as _stock
from danso.indicators.values import NEWFP_METHODS, UnitFigures, Value, indicators_from, source_of
from danso.units.models import UnitVersion
from danso.units.reading import remembered

__all__ = [
    "MARRIAGE_AGE",
    "NEWBORN_WINDOW",
    "NEWFP_METHODS",
    "PREMARITAL_WINDOW",
    "PRENATAL_WINDOW",
    "PYRAMID_GROUPS",
    "BranchSums",
    "History",
    "Link",
    "Memo",
    "Part",
    "Tally",
    "UnitFigures",
    "Value",
    "add_up",
    "born_aged",
    "compute",
    "indicators_from",
    "leaves_under",
    "predecessors_under",
    "registered_on",
    "source_of",
    "tallies_of",
    "weighed",
    "years_before",
]

#: ``sums(period, branches)``: for each branch (a path prefix) the sum of its parts'
#: tallies, each leaf weighted by its share as ``weighed`` does (``cache.branch_sums``).
BranchSums = Callable[[Period, Mapping[str, list[Part]]], dict[str, Tally]]


def compute(
    version: UnitVersion,
    period: Period,
    *,
    tree_date: date | None = None,
    children: Iterable[UnitVersion] = (),
    tallies: Callable[[Period, Mapping[int, str]], dict[int, Tally]] = tallies_of,
    sums: BranchSums | None = None,
    coverage: bool = False,
) -> UnitFigures:
    """The figures of ``version``'s unit for ``period`` (and of the given child units),
    under the tree of ``tree_date`` (default: the period's last day, or the unit's last
    day if it closed before: Long Biên's 2025 is counted in its tree of 30/6/2025, its
    villages carrying the whole year).  ``tallies`` counts
    the leaves: straight from the register by default, or through ``cache``.

    With ``sums`` the leaves are added up a branch (a unit just below ``version``) at a
    time by ``sums``, which may keep each branch's sum while none of its leaves changes:
    after an event in one ward, the city adds up one district's leaves, not the
    province's.  A leaf counted in two branches (a commune split by a reform) is added
    where its shares meet, as without ``sums``.

    With ``coverage`` each figure says what it rests on (``coverage.coverage_of``: a few
    grouped queries more, so only the screens that show it ask)."""
    on = tree_date or min(period.end, version.valid_to or period.end)
    taken_over = predecessors_under(version, on, period)
    parts = [*leaf_parts(version, on), *taken_over]
    children = list(children)
    if sums is not None and all(
        _branch(child.path, version.path) == child.path for child in children
    ):
        tree = (*tree_key(version, on), tuple(taken_over))
        tally_of = _by_branches(version, period, parts, tallies, sums, tree)
    else:
        tally_of = _by_leaves(period, parts, tallies)
    figures = UnitFigures(version, period, tally_of(version.path), [])
    figures.values = indicators_from(figures.tally, period)
    for child in children:
        tally = tally_of(child.path)
        figures.children.append(UnitFigures(child, period, tally, indicators_from(tally, period)))
    add_values([figures, *figures.children], period, on)
    if coverage:
        measured = coverage_of(version, period, on, parts, tallies)
        for unit_figures in [figures, *figures.children]:
            persons = unit_figures.tally.get(keys.POPULATION, 0)
            unit_figures.coverage = measured(unit_figures.version.unit_id, persons)
    return figures


def weighed(parts: Iterable[Part], counted: Mapping[int, Tally]) -> Tally:
    """The sum of the parts' tallies, each leaf by its share of them; a split commune
    whose successors are all among the parts counts whole, not estimated."""
    shares: dict[int, float] = defaultdict(float)
    for part in parts:
        if part.unit in counted:
            shares[part.unit] += part.share
    return add_up(
        _shared(counted[unit], 1.0 if math.isclose(share, 1.0) else share)
        for unit, share in shares.items()
    )


def _by_leaves(
    period: Period,
    parts: list[Part],
    tallies: Callable[[Period, Mapping[int, str]], dict[int, Tally]],
) -> Callable[[str], Tally]:
    """The tally under a path prefix, from every leaf's tally."""
    counted = tallies(period, {part.unit: part.path for part in parts})
    return lambda prefix: weighed((p for p in parts if p.path.startswith(prefix)), counted)


def _branch(path: str, root: str) -> str:
    """The path of the unit just below ``root`` that ``path`` lies in (``root`` itself
    for ``root``)."""
    if len(path) <= len(root):
        return root
    return path[: path.index(".", len(root)) + 1]


def _by_branches(
    version: UnitVersion,
    period: Period,
    parts: list[Part],
    tallies: Callable[[Period, Mapping[int, str]], dict[int, Tally]],
    sums: BranchSums,
    tree: tuple[Hashable, ...],
) -> Callable[[str], Tally]:
    """The tally under a path prefix (``version``'s or a branch's), from the branches'
    sums and the leaves counted in more than one branch.  The parts are put in their
    branches once a page for each ``tree`` (what ``parts`` are a function of)."""
    branches, spread_parts = remembered(
        TREES, ("branches", *tree), lambda: _in_branches(version.path, parts)
    )
    summed = sums(period, branches)
    counted = tallies(period, {part.unit: part.path for part in spread_parts})

    def tally_of(prefix: str) -> Tally:
        total = add_up(tally for branch, tally in summed.items() if branch.startswith(prefix))
        total.update(
            weighed((part for part in spread_parts if part.path.startswith(prefix)), counted)
        )
        return total

    return tally_of


def _in_branches(root: str, parts: list[Part]) -> tuple[dict[str, list[Part]], list[Part]]:
    """``parts`` by the branch below ``root`` they lie in, and apart those of the leaves
    that lie in more than one (a commune split by a reform)."""
    where: dict[int, set[str]] = defaultdict(set)
    placed = [(part, _branch(part.path, root)) for part in parts]
    for part, branch in placed:
        where[part.unit].add(branch)
    spread = {unit for unit, branches in where.items() if len(branches) > 1}
    grouped: dict[str, list[Part]] = defaultdict(list)
    for part, branch in placed:
        if part.unit not in spread:
            grouped[branch].append(part)
    # each branch in the order of its leaves: its digest (``cache.branch_sums``) sorts
    # them again for every period, which costs little on rows already in order
    ordered = {branch: sorted(group, key=_by_unit) for branch, group in grouped.items()}
    return ordered, [part for part in parts if part.unit in spread]


def _by_unit(part: Part) -> tuple[int, str, float]:
    return part.unit, part.path, part.share


_MARKS = keys.MARKS


def _shared(tally: Tally, share: float) -> Tally:
    """A leaf's tally, or its share of it, marked estimated, when a reform split it."""
    if share == 1.0:
        return tally
    part: Tally = Counter(
        {key: value if key.startswith(_MARKS) else value * share for key, value in tally.items()}
    )
    part[keys.ESTIMATED] = 1
    return part
