"""Reads of the dated tree.  Every function that returns units takes the reader's scope.

All dates are days (``datetime.date``); "on day D" means the version valid on D.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import F, QuerySet
from django.db.models.functions import Length
from django.utils.translation import gettext as _

from danso.units.codes import CodeError, Level, display_code, normalize_code
from danso.units.models import (
    InferredSuccession,
    Unit,
    UnitChange,
    UnitGeometry,
    UnitSuccession,
    UnitVersion,
    level_label,
    valid_on,
)
from danso.units.scope import Action, UnitScope
from danso.vietnamese import fold

_ONE_DAY = timedelta(days=1)
#: Order units by their code as a number ("2" before "16"), then by name (villages).
CODE_ORDER = (Length("code"), "code", "name")


class UnitNotFound(LookupError):
    """No unit with that id or code exists on that day (the message says when it does)."""


class UnitOutOfScope(PermissionError):
    """The unit exists but the reader may not see it."""


def villages_closed_with(commune_ids: Sequence[int] | None = None) -> QuerySet[UnitVersion]:
    """The last versions of the villages that closed only because their commune did: the
    village's last day is its commune's last day, and no successor was recorded for the
    village itself (``None``: of every commune).  Moving one reopens it (``unit_move``)."""
    rows = UnitVersion.objects.filter(
        unit__level=Level.VILLAGE,
        parent__level=Level.COMMUNE,
        valid_to=F("unit__valid_to"),
        parent__valid_to=F("valid_to"),
    ).exclude(unit__successions_out__isnull=False)
    if commune_ids is not None:
        rows = rows.filter(parent_id__in=list(commune_ids))
    return rows.select_related("unit")


def versions_on(day: date) -> QuerySet[UnitVersion]:
    return UnitVersion.objects.filter(valid_on(day)).select_related("unit")


def visible_versions(scope: UnitScope, action: Action = Action.VIEW) -> QuerySet[UnitVersion]:
    """Versions valid on ``scope.on`` that the scope allows ``action`` on."""
    return versions_on(scope.on).filter(scope.q(action))


def _checked(version: UnitVersion, scope: UnitScope, action: Action) -> UnitVersion:
    if not scope.allows(action, version):
        raise UnitOutOfScope(_("%(name)s is outside your units.") % {"name": version.name})
    return version


def unit_on(unit_id: int, scope: UnitScope, action: Action = Action.VIEW) -> UnitVersion:
    """The version of unit ``unit_id`` on ``scope.on``; checks the scope."""
    version = versions_on(scope.on).filter(unit_id=unit_id).first()
    if version is None:
        unit = Unit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise UnitNotFound(_("No unit has the number %(id)s.") % {"id": unit_id})
        raise UnitNotFound(
            _("%(name)s does not exist on %(day)s; it exists %(ranges)s.")
            % {"name": str(unit), "day": f"{scope.on:%d/%m/%Y}", "ranges": _ranges_text(unit)}
        )
    return _checked(version, scope, action)


def resolve_code(
    level: Level | str, code: str, scope: UnitScope, action: Action = Action.VIEW
) -> UnitVersion:
    """The unit of ``level`` that ``code`` meant on ``scope.on``; checks the scope.

    Raises ``UnitNotFound`` naming the date ranges in which the code does exist.
    """
    level = Level(level)
    try:
        stored = normalize_code(level, code)
    except CodeError as error:
        raise UnitNotFound(str(error)) from error
    candidates = UnitVersion.objects.filter(code=stored, unit__level=level).select_related("unit")
    found = candidates.filter(valid_on(scope.on)).first()
    if found is not None:
        return _checked(found, scope, action)
    shown = display_code(level, stored)
    spans = code_validity(level, stored)
    if not spans:
        raise UnitNotFound(
            _("No %(level)s has the code %(code)s.") % {"level": level_label(level), "code": shown}
        )
    ranges = "; ".join(
        f"{start:%d/%m/%Y}–{end:%d/%m/%Y} ({name})" if end else f"{start:%d/%m/%Y}– ({name})"
        for start, end, name in spans
    )
    raise UnitNotFound(
        _("%(level)s code %(code)s does not exist on %(day)s. It exists: %(ranges)s.")
        % {
            "level": level_label(level),
            "code": shown,
            "day": f"{scope.on:%d/%m/%Y}",
            "ranges": ranges,
        }
    )


def code_validity(level: Level, code: str) -> list[tuple[date, date | None, str]]:
    """The date ranges in which ``code`` names a unit of ``level`` (adjacent ranges of one
    unit joined), with the name at the start of each range."""
    versions = UnitVersion.objects.filter(code=code, unit__level=level).order_by("valid_from")
    spans: list[tuple[date, date | None, str, int]] = []
    for v in versions:
        if (
            spans
            and spans[-1][3] == v.unit_id
            and spans[-1][1] is not None
            and ((v.valid_from - spans[-1][1]).days == 1)
        ):
            start, _end, name, unit_id = spans[-1]
            spans[-1] = (start, v.valid_to, name, unit_id)
        else:
            spans.append((v.valid_from, v.valid_to, v.name, v.unit_id))
    return [(start, end, name) for start, end, name, _unit in spans]


def _ranges_text(unit: Unit) -> str:
    end = f"{unit.valid_to:%d/%m/%Y}" if unit.valid_to else "…"
    return f"{unit.valid_from:%d/%m/%Y}–{end}"


def children_on(parent: UnitVersion, scope: UnitScope) -> QuerySet[UnitVersion]:
    """The units directly under ``parent`` on ``scope.on`` that the scope lets one see."""
    return visible_versions(scope).filter(parent_id=parent.unit_id).order_by(*CODE_ORDER)


def ancestors(version: UnitVersion) -> list[UnitVersion]:
    """The versions of the units above ``version`` on its first day, root first.

    Names of parent units are public (they are in the official lists), so this is not
    scope-checked; links to them are (see ``UnitScope.allows``).
    """
    ids = version.ancestor_ids()
    found = {
        v.unit_id: v
        for v in UnitVersion.objects.filter(unit_id__in=ids)
        .filter(valid_on(version.valid_from))
        .select_related("unit")
    }
    return [found[i] for i in ids if i in found]


@dataclass
class TreeNode:
    version: UnitVersion
    children: list[TreeNode] = field(default_factory=list)

    def as_dict(self, depth: int) -> dict[str, Any]:
        node = self.version.as_node()
        if depth > 0:
            node["children"] = [child.as_dict(depth - 1) for child in self.children]
        return node


def subtree(root: UnitVersion, scope: UnitScope, depth: int | None = 1) -> TreeNode:
    """``root`` and the units below it on ``scope.on``, ``depth`` levels down (None: all).

    One query: the versions whose path starts with the root's path.
    """
    _checked(root, scope, Action.VIEW)
    root_depth = root.path.count(".")
    rows = visible_versions(scope).filter(path__startswith=root.path).exclude(pk=root.pk)
    by_parent: dict[int, list[UnitVersion]] = defaultdict(list)
    for version in rows.order_by(*CODE_ORDER):
        if depth is None or version.path.count(".") - root_depth <= depth:
            by_parent[version.parent_id or 0].append(version)

    def build(version: UnitVersion) -> TreeNode:
        return TreeNode(version, [build(child) for child in by_parent.get(version.unit_id, [])])

    return build(root)


def level_counts(root: UnitVersion, scope: UnitScope) -> dict[str, dict[str, int]]:
    """Counts of units below ``root`` on ``scope.on``, by level and by type (none below a
    village: not asked of the database, which would scan the tree's paths for it)."""
    if root.unit.level == Level.VILLAGE:
        return {}
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        visible_versions(scope)
        .filter(path__startswith=root.path)
        .exclude(pk=root.pk)
        .values_list("unit__level", "type")
    )
    for level, unit_type in rows:
        counts[level]["total"] += 1
        counts[level][unit_type] += 1
    return {level: dict(by_type) for level, by_type in counts.items()}


def search_units(
    query: str,
    scope: UnitScope,
    *,
    level: Level | None = None,
    parent: UnitVersion | None = None,
    limit: int = 50,
) -> list[UnitVersion]:
    """Units on ``scope.on`` whose name contains every word of ``query``, ignoring case,
    diacritics and tone-mark placement ("ung hoa" finds "Ứng Hòa" and "Ứng Hoà"); a query
    of digits also matches the code.  Higher levels come first."""
    words = fold(query).split()
    rows = visible_versions(scope)
    if level is not None:
        rows = rows.filter(unit__level=level)
    if parent is not None:
        rows = rows.filter(path__startswith=parent.path).exclude(pk=parent.pk)
    text = "".join(words)
    if text.isdigit():
        by_code = list(rows.filter(code=text.lstrip("0") or "0")[:limit])
        if by_code:
            return by_code
    for word in words:
        rows = rows.filter(name_folded__contains=word)
    order = {lvl.value: i for i, lvl in enumerate(Level)}
    found = list(rows[: limit * 4]) if words else []
    found.sort(key=lambda v: (order[v.unit.level], len(v.name), v.name))
    return found[:limit]


@dataclass(frozen=True)
class Link:
    """A predecessor or successor, as it was on the day of the change."""

    succession: UnitSuccession
    version: UnitVersion  # the other unit's version next to the change

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.version.display_code,
            "name": self.version.name,
            "level": self.version.unit.level,
            "valid_from": self.version.unit.valid_from.isoformat(),
            "valid_to": (
                self.version.unit.valid_to.isoformat() if self.version.unit.valid_to else None
            ),
            "effective": self.succession.effective.isoformat(),
            "partial": self.succession.partial,
        }


def successors(unit: Unit) -> list[Link]:
    """The units that took over ``unit`` (all or part), each as it was on its first day."""
    rows = UnitSuccession.objects.filter(predecessor=unit).select_related("change")
    return _links(rows, other="successor", on_day=lambda s: s.effective)


def predecessors(unit: Unit) -> list[Link]:
    """The units ``unit`` took over, each as it was on its last day."""
    rows = UnitSuccession.objects.filter(successor=unit).select_related("change")
    return _links(rows, other="predecessor", on_day=lambda s: s.effective - _ONE_DAY)


def _links(rows: Iterable[UnitSuccession], *, other: str, on_day: Any) -> list[Link]:
    links = []
    for succession in rows:
        other_id = getattr(succession, f"{other}_id")
        version = (
            UnitVersion.objects.filter(unit_id=other_id)
            .filter(valid_on(on_day(succession)))
            .select_related("unit")
            .first()
        ) or UnitVersion.objects.filter(unit_id=other_id).select_related("unit").first()
        assert version is not None, f"unit {other_id} has no versions"
        links.append(Link(succession, version))
    order = {lvl.value: i for i, lvl in enumerate(Level)}
    links.sort(key=lambda link: (order[link.version.unit.level], link.version.code.zfill(8)))
    return links


def unit_versions(unit: Unit) -> QuerySet[UnitVersion]:
    """Every version of ``unit``, oldest first, with the change that began it."""
    return unit.versions.select_related("change", "change__created_by").order_by("valid_from")


def geometries_of_children(parent: UnitVersion, scope: UnitScope) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the visible children of ``parent`` that have a
    boundary valid on ``scope.on``; features carry ``id``, ``code`` and ``name``."""
    children = {v.unit_id: v for v in children_on(parent, scope)}
    shapes = UnitGeometry.objects.filter(unit_id__in=children).order_by("unit_id", "-valid_from")
    features = []
    seen: set[int] = set()
    for shape in shapes:
        if shape.unit_id in seen:
            continue
        if shape.valid_from and shape.valid_from > scope.on:
            continue
        if shape.valid_to and shape.valid_to < scope.on:
            continue
        seen.add(shape.unit_id)
        version = children[shape.unit_id]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "id": version.unit_id,
                    "code": version.display_code,
                    "name": version.name,
                },
                "geometry": shape.geometry,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def scope_roots(scope: UnitScope) -> list[UnitVersion]:
    """The top units of ``scope`` on ``scope.on``: the units the person's roles are at
    (the country for a system administrator), highest level first."""
    paths = scope.paths(Action.VIEW)
    if "" in paths:
        return list(versions_on(scope.on).filter(unit__level=Level.COUNTRY))
    ids = [int(p.rstrip(".").rsplit(".", 1)[-1]) for p in paths]
    found = list(versions_on(scope.on).filter(unit_id__in=ids))
    order = {lvl.value: i for i, lvl in enumerate(Level)}
    found.sort(key=lambda v: (order[v.unit.level], v.name))
    return found


def ancestor_names(versions: Iterable[UnitVersion], on: date) -> dict[int, list[str]]:
    """For each version, the names of the units above it on ``on`` (nearest first,
    without the country), in one query."""
    versions = list(versions)
    wanted = {i for v in versions for i in v.ancestor_ids()}
    names = dict(
        UnitVersion.objects.filter(unit_id__in=wanted)
        .filter(valid_on(on))
        .exclude(unit__level=Level.COUNTRY)
        .values_list("unit_id", "name")
    )
    return {
        v.unit_id: [names[i] for i in reversed(v.ancestor_ids()) if i in names] for v in versions
    }


def recent_changes(scope: UnitScope, limit: int = 8) -> list[UnitChange]:
    """Structural changes made in danso (not the reference load) that touched a unit while
    it stood inside the scope's subtrees, newest first."""
    # The changes made in danso are few beside the tree's versions: the newest are read
    # first, then which of them touched the scope (by the versions they wrote), rather
    # than every version of the scope scanned for its change.
    newest = list(
        UnitChange.objects.exclude(kind=UnitChange.Kind.REFERENCE)
        .exclude(kind=UnitChange.Kind.CONVERSION, created_by__isnull=True)
        .select_related("created_by")
        .order_by("-created_at", "-pk")[:RECENT_READ]
    )
    touched = set(
        UnitVersion.objects.filter(change_id__in=[c.pk for c in newest])
        .filter(scope.q(Action.VIEW))
        .values_list("change_id", flat=True)
    )
    return [c for c in newest if c.pk in touched][:limit]


#: The newest changes ``recent_changes`` looks among for those of a reader's units.
RECENT_READ = 500


# ---------------------------------------------------------------- villages to place

#: The reader's scope on a given day (e.g. ``functools.partial(unit_scope, user)``).
ScopeOn = Callable[[date], UnitScope]


@dataclass(frozen=True)
class SuccessorOption:
    """A commune that took over (all or, when ``partial``, part of) a closed commune, as
    it stood on ``effective``, its first day as successor."""

    version: UnitVersion
    partial: bool
    effective: date


@dataclass(frozen=True)
class VillageToPlace:
    """A village or residential group that closed only because its commune did, and was
    not placed again: where it stood, and where it may go."""

    village: UnitVersion  # its last version (under ``commune``)
    commune: UnitVersion  # the closed commune on the village's last day
    successors: list[SuccessorOption]  # the commune's successors (may be empty)

    @property
    def last_day(self) -> date:
        assert self.village.valid_to is not None
        return self.village.valid_to

    @property
    def effective(self) -> date:
        """The day it would stand again: the day after its commune closed."""
        return self.last_day + _ONE_DAY

    def command(self, successor: SuccessorOption) -> str:
        """The ``danso units move`` that places the village under ``successor``."""
        return (
            f"danso units move {self.village.display_code} --level village "
            f"--parent {successor.version.display_code} --parent-level commune "
            f"--date {self.effective.isoformat()}"
        )

    @property
    def commands(self) -> list[str]:
        """One suggested command per successor, in the order of ``successors``."""
        return [self.command(option) for option in self.successors]

    def as_dict(self) -> dict[str, Any]:
        return {
            "village": {**self.village.as_node(), "last_day": self.last_day.isoformat()},
            "commune": self.commune.as_node(),
            "effective": self.effective.isoformat(),
            "successors": [
                {**option.version.as_node(), "partial": option.partial, "command": command}
                for option, command in zip(self.successors, self.commands, strict=True)
            ],
        }


def villages_to_place(
    *,
    commune_ids: Iterable[int] | None = None,
    village_ids: Iterable[int] | None = None,
    scope: ScopeOn | None = None,
) -> list[VillageToPlace]:
    """The villages still to place after a reform: each closed together with its commune
    (the commune went to several communes, or to none, or only in part, so the village
    could not follow it: ``services._place``) and was not reopened since.

    * ``commune_ids``: only villages that closed with one of these communes, or whose
      commune went (wholly or in part) to one of them;
    * ``village_ids``: only these villages;
    * ``scope``: the reader's scope on a given day; a village is listed when the reader
      may see it on its last day, or may see one of the successors on the day after
      (``None``: every village, for the system).

    For each: the village's last version, its closed commune's version on that day, and
    the commune's successors as they stood on their first day, partial links marked,
    with the ``danso units move`` command that places the village under each
    (``VillageToPlace.commands``).  Ordered by commune code, then village name.
    Moving the village (``services.unit_move`` on ``VillageToPlace.effective``, or
    later) reopens it with its history; who may do that is the caller's to check.
    """
    wanted: list[int] | None = None
    if commune_ids is not None:
        ids = set(commune_ids)
        ids |= set(
            UnitSuccession.objects.filter(successor_id__in=ids).values_list(
                "predecessor_id", flat=True
            )
        )
        wanted = sorted(ids)
    rows = villages_closed_with(wanted)
    if village_ids is not None:
        rows = rows.filter(unit_id__in=list(village_ids))
    villages = list(rows.select_related("parent"))
    if not villages:
        return []
    commune_versions = {
        (v.unit_id, v.valid_to): v
        for v in UnitVersion.objects.filter(
            unit_id__in={v.parent_id for v in villages},
            valid_to__in={v.valid_to for v in villages},
        ).select_related("unit")
    }
    links: dict[int, list[UnitSuccession]] = defaultdict(list)
    for link in UnitSuccession.objects.filter(
        predecessor_id__in={v.parent_id for v in villages}
    ).order_by("successor_id"):
        links[link.predecessor_id].append(link)
    firsts = _versions_at({(s.successor_id, s.effective) for ls in links.values() for s in ls})
    scopes: dict[date, UnitScope] = {}

    def scope_of(day: date) -> UnitScope:
        assert scope is not None
        if day not in scopes:
            scopes[day] = scope(day)
        return scopes[day]

    found = []
    for village in villages:
        commune = commune_versions.get((village.parent_id or 0, village.valid_to))
        if commune is None:
            continue
        options = [
            SuccessorOption(firsts[(s.successor_id, s.effective)], s.partial, s.effective)
            for s in links.get(commune.unit_id, [])
            if (s.successor_id, s.effective) in firsts
        ]
        options.sort(key=lambda o: (len(o.version.code), o.version.code))
        assert village.valid_to is not None
        if scope is not None and not (
            scope_of(village.valid_to).allows(Action.VIEW, village)
            or any(scope_of(o.effective).allows(Action.VIEW, o.version) for o in options)
        ):
            continue
        found.append(VillageToPlace(village, commune, options))
    found.sort(key=lambda p: (len(p.commune.code), p.commune.code, p.village.name))
    return found


def _versions_at(wanted: set[tuple[int, date]]) -> dict[tuple[int, date], UnitVersion]:
    """The version of each unit on each day asked, in one query per day."""
    by_day: dict[date, set[int]] = defaultdict(set)
    for unit_id, day in wanted:
        by_day[day].add(unit_id)
    found: dict[tuple[int, date], UnitVersion] = {}
    for day, ids in by_day.items():
        for version in versions_on(day).filter(unit_id__in=ids):
            found[(version.unit_id, day)] = version
    return found


# ---------------------------------------------------------------- inferred successions


@dataclass(frozen=True)
class InferredRow:
    """An inferred succession with the units as they stood: the closed commune on its
    last day (and its district and province then), the successor on its first day."""

    proposal: InferredSuccession
    predecessor: UnitVersion
    successor: UnitVersion
    district: UnitVersion | None
    province: UnitVersion | None

    def as_dict(self) -> dict[str, Any]:
        p = self.proposal
        return {
            "id": p.pk,
            "status": p.status,
            "rule": p.rule,
            "rule_text": p.get_rule_display(),
            "evidence": p.evidence,
            "effective": p.effective.isoformat(),
            "partial": p.partial,
            "province": self.province.display_code if self.province else None,
            "predecessor": self.predecessor.as_node(),
            "successor": self.successor.as_node(),
            "decided_by": p.decided_by.username if p.decided_by else None,
            "decided_at": p.decided_at.isoformat() if p.decided_at else None,
            "reason": p.reason,
        }


def inferred_successions(
    scope: UnitScope, *, province: str | None = None, status: str | None = None
) -> list[InferredRow]:
    """The inferred successions (``InferredSuccession``), for an administrator only:
    raises ``UnitOutOfScope`` unless ``scope`` may import reference data everywhere.

    ``province``: a province code ("01"), the province of the closed commune on its last
    day; ``status``: one of ``InferredSuccession.Status`` (None: all).  Ordered by
    province, district and commune code."""
    if not scope.is_everything(Action.IMPORT_REFERENCE):
        raise UnitOutOfScope(_("Only a system administrator decides on inferred successions."))
    rows = InferredSuccession.objects.select_related("decided_by")
    if status:
        rows = rows.filter(status=status)
    proposals = list(rows)
    befores = _versions_at({(p.predecessor_id, p.effective - _ONE_DAY) for p in proposals})
    afters = _versions_at({(p.successor_id, p.effective) for p in proposals})
    above = _versions_at(
        {
            (unit_id, p.effective - _ONE_DAY)
            for p in proposals
            if (p.predecessor_id, p.effective - _ONE_DAY) in befores
            for unit_id in befores[(p.predecessor_id, p.effective - _ONE_DAY)].ancestor_ids()
        }
    )
    try:
        wanted = normalize_code(Level.PROVINCE, province) if province else None
    except CodeError as error:
        raise UnitNotFound(str(error)) from error
    found = []
    for p in proposals:
        last_day = p.effective - _ONE_DAY
        before = befores.get((p.predecessor_id, last_day))
        after = afters.get((p.successor_id, p.effective))
        if before is None or after is None:
            continue  # the units changed in danso since: nothing to decide on
        ancestors = [above[(i, last_day)] for i in before.ancestor_ids() if (i, last_day) in above]
        levels = {v.unit.level: v for v in ancestors}
        row = InferredRow(p, before, after, levels.get(Level.DISTRICT), levels.get(Level.PROVINCE))
        if wanted is not None and (row.province is None or row.province.code != wanted):
            continue
        found.append(row)
    found.sort(
        key=lambda r: (
            int(r.province.code) if r.province else 0,
            r.district.code.zfill(8) if r.district else "",
            r.predecessor.code.zfill(8),
        )
    )
    return found
