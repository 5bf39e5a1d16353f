"""What a unit's figures rest on (its *coverage*): the share of its population that lives
in communes with a register in danso or with entered figures for the period, the
register's count of persons, the unit's official population figure and the units just
below it that have no data at all.  ``docs/indicators.md`` says it for users.

**Which parts have data.**  A leaf (village, or commune holding households directly) has
data for a period when a household was placed in it during the period (it keeps its
book here), or when figures were entered for it for the period.  A commune has data
when one of its leaves has; the commune is the grain of coverage (a ward keeping its
book here covers the ward).  Leaves closed by a reform during the period count for the
commune they went to, as the engine counts them.

**The share.**  The covered population of a unit is its official population when every
commune under it has data, nothing when none has, and otherwise the sum of its
children's covered population, down to the communes (a covered commune without an
official figure counts the persons in its register).  The share is the covered
population over the unit's official population (at most 1); without an official figure
of the unit it is 1 when every commune under it has data, 0 when none has and unknown
(None) otherwise.  The official figure is that of the period's year, else the latest
year before, else the earliest after.

**Achievement** (``judged``).  Below ``THRESHOLD`` (95 %) of the population covered, a
target is not judged: "chưa đủ số liệu".  From there up to a whole unit, it is judged on
what is covered and says so (a count target is then pro-rated by the share).  With no
official figure to weigh the parts, it is judged on what is covered and says that the
share is unknown.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from danso.indicators import tallies as keys
from danso.indicators.achievement import Actual, Judgement, Status, judge
from danso.indicators.leaves import Part
from danso.indicators.models import EnteredFigures
from danso.indicators.periods import Period
from danso.listed import in_values
from danso.population.labels import official_population
from danso.population.models import PopulationFigure
from danso.register.models import HouseholdPlacement
from danso.units.codes import Level, display_code
from danso.units.models import Unit, UnitVersion, valid_on
from danso.vietnamese import format_number

#: Below this share of the population covered, a target is not judged.
THRESHOLD = 0.95
_LEAVES = (Level.COMMUNE, Level.VILLAGE)


@dataclass(frozen=True)
class Official:
    """A unit's official population figure (``population.PopulationFigure``)."""

    total: int
    year: int
    source: str


@dataclass(frozen=True)
class Coverage:
    """What a unit's figures rest on (see the module docstring)."""

    share: float | None  # of the official population covered; None: unknown
    persons: int  # in the register (and entered figures) on the reference date
    official: Official | None
    without_data: tuple[tuple[str, str], ...] = ()  # units just below: (code, name)
    entered: bool = False  # some of the data are entered figures

    @property
    def has_data(self) -> bool:
        return self.share != 0.0

    @property
    def complete(self) -> bool:
        return self.share is not None and math.isclose(self.share, 1.0)

    @property
    def population(self) -> int | None:
        return self.official.total if self.official else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "share": None if self.share is None else round(self.share, 4),
            "persons": self.persons,
            "population": self.population,
            "population_year": self.official.year if self.official else None,
            "population_source": self.official.source if self.official else None,
            "units_without_data": [{"code": c, "name": n} for c, n in self.without_data],
        }


# ----------------------------------------------------------------------------- pure


@dataclass
class Node:
    """A unit of the tree under the one asked for, on the tree's day."""

    unit: int
    path: str
    parent: int | None
    level: str
    code: str
    name: str
    children: list[Node] = field(default_factory=list)


def _prefixes(path: str) -> Iterable[str]:
    """``"1.2.3."`` → ``"1."``, ``"1.2."``, ``"1.2.3."``."""
    start = 0
    while (dot := path.find(".", start)) >= 0:
        yield path[: dot + 1]
        start = dot + 1


def measure(
    root: Node,
    nodes: Iterable[Node],
    data_paths: Iterable[str],
    official: Mapping[int, Official],
    persons_of: Callable[[list[Node]], Mapping[int, int]],
) -> Callable[[int, int], Coverage]:
    """A function giving the coverage of ``root`` or a node under it (its unit id, and
    its persons on the reference date), given where the data lie (``data_paths``: the
    paths of the leaves with data), the official figures by unit, and ``persons_of``:
    the register's persons of covered communes without an official figure (asked once,
    for all of them)."""
    by_path = {node.path: node for node in nodes}
    by_path[root.path] = root
    by_unit = {node.unit: node for node in by_path.values()}
    for node in by_path.values():
        node.children = []
    for node in by_path.values():
        parent = by_unit.get(node.parent) if node.parent is not None else None
        if parent is not None and node is not root:
            parent.children.append(node)
    with_data = {prefix for path in data_paths for prefix in _prefixes(path)}
    communes: dict[str, int] = defaultdict(int)  # path → communes under it (itself too)
    covered: dict[str, int] = defaultdict(int)  # … of which with data
    for node in by_path.values():
        if node.level != Level.COMMUNE:
            continue
        for prefix in _prefixes(node.path):
            communes[prefix] += 1
            if node.path in with_data:
                covered[prefix] += 1

    def has_data(node: Node) -> bool:
        return node.path in with_data

    def whole(node: Node) -> bool:
        if not has_data(node):
            return False
        if node.level in _LEAVES:
            return True
        return communes[node.path] > 0 and covered[node.path] == communes[node.path]

    # the covered communes without an official figure, whose register counts instead:
    # asked once, and only when a share is weighed (a unit with an official figure)
    needing = [
        node
        for node in by_path.values()
        if node.level == Level.COMMUNE and has_data(node) and node.unit not in official
    ]
    fallbacks: list[Mapping[int, int]] = []

    def fallback(unit: int) -> int:
        if not fallbacks:
            fallbacks.append(persons_of(needing) if needing else {})
        return fallbacks[0].get(unit, 0)

    memo: dict[int, float] = {}

    def covered_population(node: Node) -> float:
        if node.unit in memo:
            return memo[node.unit]
        if not has_data(node):
            result = 0.0
        elif whole(node) and node.unit in official:
            result = float(official[node.unit].total)
        elif node.level == Level.COMMUNE or not node.children:
            result = float(fallback(node.unit))
        else:
            result = sum(covered_population(child) for child in node.children)
        memo[node.unit] = result
        return result

    def coverage(unit: int, persons: int) -> Coverage:
        node = by_unit[unit]
        figure = official.get(unit)
        if not has_data(node):
            share: float | None = 0.0
        elif whole(node):
            share = 1.0
        elif figure is not None and figure.total > 0:
            share = min(1.0, covered_population(node) / figure.total)
        else:
            share = None
        lacking = tuple(
            (child.code, child.name)
            for child in sorted(node.children, key=lambda c: (len(c.code), c.code))
            if not has_data(child)
        )
        return Coverage(share, persons, figure, lacking)

    return coverage


def pick_official(rows: Iterable[tuple[int, int, int, str]], year: int) -> dict[int, Official]:
    """From (unit, year, total, source) rows, each unit's figure of ``year``, else the
    latest before, else the earliest after."""
    best: dict[int, Official] = {}
    for unit, figure_year, total, source in rows:
        found = best.get(unit)
        candidate = Official(total, figure_year, source)
        if found is None or _closer(candidate.year, found.year, year):
            best[unit] = candidate
    return best


def _closer(candidate: int, found: int, year: int) -> bool:
    def rank(y: int) -> tuple[int, int]:
        return (0, year - y) if y <= year else (1, y - year)

    return rank(candidate) < rank(found)


# ----------------------------------------------------------------------------- reads


def _with_data(leaves: list[int], period: Period) -> tuple[set[int], set[int]]:
    """Among ``leaves``: those where a household was placed in ``period`` (each asked for
    one placement, the first found) and those with figures entered for it.  Two
    statements whatever the number of leaves, each bound as one list (``listed``: a
    city's 8,027 ids bound one by one took longer than the queries)."""
    ops = connection.ops
    placements = ops.quote_name(HouseholdPlacement._meta.db_table)
    units = ops.quote_name(Unit._meta.db_table)
    figures = ops.quote_name(EnteredFigures._meta.db_table)
    with connection.cursor() as cursor:
        where, params = in_values("u.id", leaves)
        cursor.execute(
            f"SELECT u.id FROM {units} u WHERE {where} AND EXISTS (SELECT 1 FROM {placements} p "  # noqa: S608 - ours
            "WHERE p.unit_id = u.id AND p.valid_from <= %s "
            "AND (p.valid_to IS NULL OR p.valid_to >= %s))",
            [
                *params,
                ops.adapt_datefield_value(period.end),
                ops.adapt_datefield_value(period.start),
            ],
        )
        placed = {unit for (unit,) in cursor.fetchall()}
        where, params = in_values("unit_id", leaves)
        cursor.execute(
            f"SELECT DISTINCT unit_id FROM {figures} WHERE period = %s AND {where}",  # noqa: S608 - ours
            [str(period), *params],
        )
        entered = {unit for (unit,) in cursor.fetchall()}
    return placed, entered


def coverage_of(
    version: UnitVersion,
    period: Period,
    on: date,
    parts: list[Part],
    tallies: Callable[[Period, Mapping[int, str]], Mapping[int, Mapping[str, int]]],
) -> Callable[[int, int], Coverage]:
    """``measure`` for ``version``'s unit and the units under it, in the tree of ``on``:
    four grouped queries (the tree under the unit, the leaves with households placed in
    the period, those with entered figures, the official figures), whatever the number
    of units; a fifth only when a covered commune has no official figure."""
    under = UnitVersion.objects.filter(valid_on(on), path__startswith=version.path)
    nodes = [
        Node(unit, path, parent, level, code, name)
        for unit, path, parent, level, code, name in under.values_list(
            "unit_id", "path", "parent_id", "unit__level", "code", "name"
        )
    ]
    root = next((n for n in nodes if n.unit == version.unit_id), None)
    if root is None:  # the unit asked for on a day it did not stand: as it was
        root = Node(
            version.unit_id,
            version.path,
            version.parent_id,
            version.unit.level,
            version.code,
            version.name,
        )
    for node in nodes:
        node.code = _display(node)
    paths: dict[int, set[str]] = defaultdict(set)
    for part in parts:
        paths[part.unit].add(part.path)
    # the parts hold every leaf under the unit on ``on`` (and those it took over); each
    # is asked whether a household was placed there in the period: the first one found
    leaves = sorted({part.unit for part in parts})
    placed, entered = _with_data(leaves, period)
    data_paths = [path for unit in placed | entered for path in paths.get(unit, ())]
    figures = PopulationFigure.objects.filter(
        Q(unit_id__in=under.exclude(unit__level=Level.VILLAGE).values("unit_id"))
        | Q(unit_id=version.unit_id)
    ).values_list("unit_id", "year", "total", "source")
    official = pick_official(figures, period.year)

    def persons_of(communes: list[Node]) -> dict[int, int]:
        found: dict[int, int] = {}
        wanted = {
            part.unit: part.path
            for part in parts
            if any(part.path.startswith(c.path) for c in communes) and part.unit in placed | entered
        }
        counted = tallies(period, wanted)
        for commune in communes:
            found[commune.unit] = round(
                sum(
                    counted.get(part.unit, {}).get(keys.POPULATION, 0) * part.share
                    for part in parts
                    if part.path.startswith(commune.path) and part.unit in wanted
                )
            )
        return found

    measured = measure(root, nodes, data_paths, official, persons_of)
    uses_entered = {path for unit in entered for path in paths.get(unit, ())}

    def coverage(unit: int, persons: int) -> Coverage:
        found = measured(unit, persons)
        node_path = next((n.path for n in nodes if n.unit == unit), root.path)
        if any(path.startswith(node_path) for path in uses_entered):
            found = replace(found, entered=True)
        return found

    return coverage


def _display(node: Node) -> str:
    """The code as officers write it (``UnitVersion.display_code``)."""
    return display_code(node.level, node.code)


# ----------------------------------------------------------------------------- text


def percent(share: float) -> str:
    """A share as Vietnamese write it: 0,3 %; 95 %; 100 %."""
    value = share * 100
    decimals = 0 if value >= 10 or value == 0 else 1
    if 0 < value < 0.1:
        decimals = 2
    text = format_number(value, decimals)
    return f"{text} %"


def coverage_text(coverage: Coverage, day: date) -> str:
    """What a unit's figures rest on, in a sentence (the dashboard, the command), such as
    «Dựa trên 24.564 người trong sổ ngày 01/07/2024, 0,3 % dân số — Dân số chính thức năm
    2024 (nguồn: …): 8.587.100.»"""
    persons = format_number(coverage.persons, 0)
    when = f"{day:%d/%m/%Y}"
    lacking = ", ".join(name for _code, name in coverage.without_data)
    if not coverage.has_data:
        return _("No data: no register and no entered figures for this period.")
    if coverage.complete:
        text = _("Rests on the whole unit: %(persons)s persons in the register on %(day)s.") % {
            "persons": persons,
            "day": when,
        }
    elif coverage.share is None:
        text = _(
            "Rests on part of the unit only: %(persons)s persons in the register on %(day)s; "
            "their share of the population is unknown (no official population figure)."
        ) % {"persons": persons, "day": when}
    else:
        assert coverage.official is not None
        text = _(
            "Rests on %(persons)s persons in the register on %(day)s, %(share)s of the "
            "population — %(official)s: %(population)s."
        ) % {
            "persons": persons,
            "day": when,
            "share": percent(coverage.share),
            "official": official_population(coverage.official.year, coverage.official.source),
            "population": format_number(coverage.official.total, 0),
        }
    if lacking:
        text += " " + _("No data: %(units)s.") % {"units": lacking}
    return text


def judged(
    kind: str,
    target: float,
    actual: Actual,
    coverage: Coverage | None,
    **options: Any,
) -> Judgement:
    """``achievement.judge`` on what the figures rest on (the module docstring)."""
    if coverage is None or coverage.complete or kind == "all_children":
        return judge(kind, target, actual, **options)
    if coverage.share is not None and coverage.share < THRESHOLD:
        return Judgement(
            Status.CANNOT_JUDGE,
            None,
            f"Chưa đủ số liệu: số liệu chỉ phủ {percent(coverage.share)} dân số "
            f"(cần từ {percent(THRESHOLD)}).",
        )
    if coverage.share is None:
        found = judge(kind, target, actual, **options)
        return replace(
            found,
            reason=f"{found.reason} Đánh giá trên phần có số liệu "
            "(không rõ tỷ lệ dân số được phủ: đơn vị chưa có số dân chính thức).",
        )
    scaled = target * coverage.share if kind == "count_min" else target
    found = judge(kind, scaled, actual, **options)
    return replace(
        found,
        reason=f"{found.reason} Đánh giá trên phần có số liệu ({percent(coverage.share)} dân số).",
    )
