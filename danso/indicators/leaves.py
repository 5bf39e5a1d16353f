"""Which leaves count for a unit in a period: the communes and villages under it on the
tree's day (``leaves_under``), and those it took over during the period
(``predecessors_under``: villages that moved count exactly, the rest of a split commune by
its successors' population shares, marked estimated).

Part of the indicator engine (``engine`` says what is counted where); reads the tree of
units and the population figures only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q

from danso.indicators.periods import Period
from danso.population.models import PopulationFigure
from danso.units import reading
from danso.units.codes import Level
from danso.units.models import UnitSuccession, UnitVersion, valid_on
from danso.units.reading import remembered

#: The kind of answer remembered while a page is read (``units.reading``).
TREES = "tree"


def leaves_under(version: UnitVersion, on: date) -> dict[int, str]:
    """The communes and villages under ``version`` (itself included) on ``on``: unit id to
    path (read once a page: ``units.reading``)."""

    def read() -> dict[int, str]:
        rows = UnitVersion.objects.filter(
            valid_on(on),
            path__startswith=version.path,
            unit__level__in=[Level.COMMUNE, Level.VILLAGE],
        ).values_list("unit_id", "path")
        return dict(rows)

    if not reading.active():
        return read()
    return dict(remembered(TREES, ("leaves", *tree_key(version, on)), read))


def leaf_parts(version: UnitVersion, on: date) -> list[Part]:
    """``leaves_under`` as parts counted wholly, made once a page for each tree (a city's
    8,027; a page asks for them in each of its figures).  The list is shared: not to be
    changed."""

    def make() -> list[Part]:
        return [Part(unit, path) for unit, path in leaves_under(version, on).items()]

    if not reading.active():
        return make()
    return remembered(TREES, ("parts", *tree_key(version, on)), make)


def tree_key(version: UnitVersion, on: date) -> tuple[str, date]:
    """What the leaves under ``version`` on ``on`` are a function of: its path and the
    day its tree has stood since."""
    return version.path, _standing_since(version, on)


def _standing_since(version: UnitVersion, on: date) -> date:
    """The first day of the stretch of days around ``on`` on which the tree under
    ``version`` stands as it does on ``on``: the last day, on or before ``on``, on which a
    unit version under it began or the day after one ended (``date.min`` if none).  The
    leaves under a unit are the same on every day of a stretch, so a page reads them once
    for its twelve months of a year without a reform, not once a month (8,027 villages a
    month for Hà Nội)."""

    def changes() -> list[date]:
        rows = UnitVersion.objects.filter(path__startswith=version.path).values_list(
            "valid_from", "valid_to"
        )
        days = set()
        for start, end in rows.order_by().distinct():
            days.add(start)
            if end is not None:
                days.add(end + timedelta(days=1))
        return sorted(days)

    found = remembered(TREES, ("changes", version.path), changes)
    return max((day for day in found if day <= on), default=date.min)


@dataclass(frozen=True)
class Part:
    """A leaf counted for a unit: wholly (``share`` 1) or, for a commune split by a
    reform, the share of it that went to ``path``'s commune (an estimate)."""

    unit: int
    path: str  # where it counts in the tree of the day asked
    share: float = 1.0


def predecessors_under(
    version: UnitVersion, on: date, period: Period, current: Mapping[int, str] | None = None
) -> list[Part]:
    """The leaves that held part of the period under ``version`` but were closed by ``on``
    (communes merged or split by a reform, with their villages that did not move): each
    counted for the commune it went to, wholly, or — when only part of it went there —
    by that commune's share of the population of all its successors.  ``current``: the
    leaves under ``version`` on ``on`` (``leaves_under``), when the caller has read them.
    Read once a page for the same unit, day and span (``units.reading``)."""
    year_start = date(period.start.year, 1, 1)
    last = min(period.end, on)
    key = ("predecessors", version.path, on, year_start, last)
    return list(remembered(TREES, key, lambda: _predecessors(version, on, period, current)))


def _predecessors(
    version: UnitVersion, on: date, period: Period, current: Mapping[int, str] | None
) -> list[Part]:
    year_start = date(period.start.year, 1, 1)
    # a year without any succession up to ``on`` (in the country) took nothing over: one
    # look says so before the communes are read (a city's 579, twice a page); asking
    # for successions into units under ``version`` is planned worse than reading them
    if not UnitSuccession.objects.filter(effective__gte=year_start, effective__lte=on).exists():
        return []
    if current is None:
        current = leaves_under(version, on)
    # the communes among ``current`` (a city's 579 of its 8,027 leaves), read by the path
    # that ``current`` was read by and not by its ids
    communes = {
        unit: path
        for unit, path in UnitVersion.objects.filter(
            valid_on(on), path__startswith=version.path, unit__level=Level.COMMUNE
        ).values_list("unit_id", "path")
        if unit in current
    }
    # The successions of the period's year up to ``on`` that lead to these communes, one
    # query a step back in time (a reform is one step; a merge followed by a reform two):
    # a group not yet moved after a reform counts, by share, in every period of the
    # reform's year — also when the reform fell on 1 January (the arrangement of
    # 1/1/2025), or before the period began (a month after 1/7/2025).
    links: dict[int, list[Link]] = defaultdict(list)
    wanted = set(communes)
    while wanted:
        rows = UnitSuccession.objects.filter(
            successor_id__in=sorted(wanted), effective__gte=year_start, effective__lte=on
        ).values_list("predecessor_id", "successor_id", "partial")
        found = [Link(*row) for row in rows]
        for link in found:
            links[link.successor].append(link)
        wanted = {link.predecessor for link in found} - set(links)
    if not links:
        return []
    shares = _population_shares(links, period)
    # Walk back from each commune of today to the units it took over during the period.
    olds: dict[tuple[int, str], float] = {}
    frontier = [(commune, path, 1.0) for commune, path in communes.items()]
    while frontier:
        successor, path, share = frontier.pop()
        for link in links.get(successor, []):
            key = (link.predecessor, path)
            if key in olds:
                continue
            part = share * (shares[link.predecessor, successor] if link.partial else 1.0)
            olds[key] = part
            frontier.append((link.predecessor, path, part))
    old_ids = {old for old, _ in olds}
    held: dict[int, set[int]] = defaultdict(set)  # old commune -> itself and its villages
    for unit, parent in UnitVersion.objects.filter(
        Q(unit_id__in=old_ids) | Q(parent_id__in=old_ids),
        Q(valid_to__isnull=True) | Q(valid_to__gte=year_start - timedelta(days=1)),
        valid_from__lte=min(period.end, on),
        unit__level__in=[Level.COMMUNE, Level.VILLAGE],
    ).values_list("unit_id", "parent_id"):
        held[unit if unit in old_ids else parent].add(unit)
    # a unit still standing on ``on`` counts where it stands (a village that moved)
    standing = set(
        UnitVersion.objects.filter(
            valid_on(on), unit_id__in=set().union(*held.values())
        ).values_list("unit_id", flat=True)
    )
    parts: dict[tuple[int, str], Part] = {}
    for (old, path), share in olds.items():
        for unit in sorted(held.get(old, ())):
            if unit not in current and unit not in standing and (unit, path) not in parts:
                parts[unit, path] = Part(unit, path, share)
    return list(parts.values())


def successor_shares(predecessor: int, successors: Iterable[int], year: int) -> dict[int, float]:
    """The share of ``predecessor``'s counts the engine gives each of ``successors`` for
    a period of ``year`` when it was split among them (``predecessors_under``: each
    successor's population among theirs, equal shares without figures), adding up to 1;
    1 for a single successor.  For the plans, which carry a closed unit's targets by the
    same shares (``plans.carried``)."""
    heirs = sorted(set(successors))
    if len(heirs) <= 1:
        return dict.fromkeys(heirs, 1.0)
    links = {heir: [Link(predecessor, heir, True)] for heir in heirs}
    shares = _population_shares(links, Period.year_of(year))
    whole = sum(shares[predecessor, heir] for heir in heirs)
    return {heir: shares[predecessor, heir] / whole for heir in heirs}


@dataclass(frozen=True)
class Link:
    """A succession: ``successor`` took over ``predecessor`` (only part of it if
    ``partial``)."""

    predecessor: int
    successor: int
    partial: bool


def _population_shares(
    links: Mapping[int, list[Link]], period: Period
) -> dict[tuple[int, int], float]:
    """For each split (partial) succession, the share of the old unit's counts that went
    to the successor: its population among all the old unit's successors (the latest
    figures up to the year after the period; equal shares when a successor has none)."""
    heirs: dict[int, set[int]] = defaultdict(set)
    for group in links.values():
        for link in group:
            if link.partial:
                heirs[link.predecessor].add(link.successor)
    if not heirs:
        return {}
    # a split's other successors may lie outside the links read (another date): ask
    for old, successor in UnitSuccession.objects.filter(
        predecessor_id__in=list(heirs), partial=True
    ).values_list("predecessor_id", "successor_id"):
        heirs[old].add(successor)
    sizes: dict[int, int] = {}
    everyone = sorted(set().union(*heirs.values()))
    for unit, total in (
        PopulationFigure.objects.filter(unit_id__in=everyone, year__lte=period.year + 1)
        .order_by("unit_id", "year")
        .values_list("unit_id", "total")
    ):
        sizes[unit] = total  # the latest year wins
    shares: dict[tuple[int, int], float] = {}
    for old, successors in heirs.items():
        known = [sizes.get(unit) for unit in successors]
        whole = sum(n for n in known if n)
        for unit in successors:
            if all(known) and whole:
                shares[old, unit] = sizes[unit] / whole
            else:
                shares[old, unit] = 1 / len(successors)
    return shares
