"""Writes to the dated tree.  Every structural change goes through a function here.

Each public function runs in one transaction, validates everything before it writes,
records a ``UnitChange`` (what, from when, on what legal basis, by whom) and leaves the
tree's invariants true (``danso units check`` verifies them):

* the versions of a unit never overlap; ``Unit.valid_from``/``valid_to`` span them;
* a version's parent exists on every day of the version, one level up, and the
  version's path is the parent's path on those days plus the unit's own id;
* no two units of one level share a code on the same day.

Nothing is deleted.  "Effective E" means the new state holds from day E; the old state
ends on E − 1.  Structural changes (move, merge, split, close) are appended after the
last recorded change of the units involved; a rename may also correct the past.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import combinations, pairwise
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from danso.audit import recorded_user
from danso.units import selectors
from danso.units.codes import ALLOWED_PARENT_LEVELS, CodeError, Level, display_code, normalize_code
from danso.units.models import (
    Unit,
    UnitChange,
    UnitSuccession,
    UnitVersion,
    level_label,
    overlapping,
    valid_on,
)
from danso.vietnamese import fold

ONE_DAY = timedelta(days=1)


def _fmt(day: date) -> str:
    return f"{day:%d/%m/%Y}"


# ---------------------------------------------------------------- low-level helpers


def refresh_span(unit: Unit) -> None:
    """Set ``unit.valid_from``/``valid_to`` to the span of its versions."""
    versions = list(unit.versions.order_by("valid_from"))
    unit.valid_from = versions[0].valid_from
    unit.valid_to = None if any(v.valid_to is None for v in versions) else versions[-1].valid_to
    unit.save(update_fields=["valid_from", "valid_to", "updated_at"])


def _version_on(unit: Unit, day: date) -> UnitVersion | None:
    return unit.versions.filter(valid_on(day)).first()


def _split(version: UnitVersion, day: date) -> UnitVersion:
    """Make ``day`` the first day of a version; return the version that starts on it."""
    if version.valid_from == day:
        return version
    assert version.covers(day), f"{version} does not cover {day}"
    later = UnitVersion(
        unit_id=version.unit_id,
        valid_from=day,
        valid_to=version.valid_to,
        code=version.code,
        name=version.name,
        type=version.type,
        parent_id=version.parent_id,
        path=version.path,
        name_folded=version.name_folded,
        change_id=version.change_id,
    )
    version.valid_to = day - ONE_DAY
    version.save(update_fields=["valid_to", "updated_at"])
    later.save()
    return later


def _latest_open(unit: Unit, day: date, what: str) -> UnitVersion:
    """The version covering ``day`` when it is the unit's last, open-ended version."""
    version = _version_on(unit, day)
    if version is None:
        raise ValidationError(
            _("%(name)s does not exist on %(day)s.") % {"name": str(unit), "day": _fmt(day)}
        )
    if version.valid_to is not None or unit.versions.filter(valid_from__gt=day).exists():
        raise ValidationError(
            _(
                "%(name)s already has changes recorded after %(day)s; %(what)s must come "
                "after its last recorded change."
            )
            % {"name": version.name, "day": _fmt(day), "what": what}
        )
    return version


def _check_parent_level(level: Level, parent: Unit | None) -> None:
    allowed = ALLOWED_PARENT_LEVELS[level]
    if parent is None:
        if allowed:
            raise ValidationError(
                _("A %(level)s needs a parent unit.") % {"level": level_label(level)}
            )
        return
    if Level(parent.level) not in allowed:
        raise ValidationError(
            _("A %(level)s cannot be placed under a %(parent)s.")
            % {"level": level_label(level), "parent": level_label(parent.level)}
        )


def _check_code_free(
    level: Level, code: str, start: date, end: date | None, *, exclude: Sequence[int] = ()
) -> None:
    clash = (
        UnitVersion.objects.filter(code=code, unit__level=level)
        .filter(overlapping(start, end))
        .exclude(unit_id__in=exclude)
        .first()
    )
    if clash is not None:
        raise ValidationError(
            _("The code %(code)s is already used by %(name)s from %(day)s.")
            % {
                "code": display_code(level, code),
                "name": clash.name,
                "day": _fmt(max(clash.valid_from, start)),
            }
        )


def _normalized(level: Level, code: str) -> str:
    try:
        return normalize_code(level, code)
    except CodeError as error:
        raise ValidationError(str(error)) from error


def rebuild_paths(unit: Unit, from_day: date) -> None:
    """Recompute the paths of ``unit``'s versions that reach ``from_day`` or later, splitting
    a version where its parent's path changes, then do the same for the units below."""
    versions = list(unit.versions.filter(overlapping(from_day, None)).order_by("valid_from"))
    for version in versions:
        _repath_version(unit, version)
    child_ids = (
        UnitVersion.objects.filter(parent=unit)
        .filter(overlapping(from_day, None))
        .order_by()
        .values_list("unit_id", flat=True)
        .distinct()
    )
    for child in Unit.objects.filter(pk__in=list(child_ids)):
        rebuild_paths(child, from_day)


def _repath_version(unit: Unit, version: UnitVersion) -> None:
    own = f"{unit.pk}."
    if version.parent_id is None:
        if version.path != own:
            version.path = own
            version.save(update_fields=["path", "updated_at"])
        return
    segments = list(
        UnitVersion.objects.filter(unit_id=version.parent_id)
        .filter(overlapping(version.valid_from, version.valid_to))
        .order_by("valid_from")
    )
    _check_covered(version, segments)
    piece = version
    for segment in segments:
        start = max(segment.valid_from, version.valid_from)
        wanted = segment.path + own
        if start > piece.valid_from and wanted != piece.path:
            piece = _split(piece, start)
        if piece.path != wanted:
            piece.path = wanted
            piece.save(update_fields=["path", "updated_at"])


def _check_covered(version: UnitVersion, segments: list[UnitVersion]) -> None:
    """The parent's versions must cover every day of ``version``."""
    cursor: date | None = version.valid_from
    for segment in segments:
        if cursor is None:
            break
        if segment.valid_from > cursor:
            break
        cursor = None if segment.valid_to is None else segment.valid_to + ONE_DAY
        if version.valid_to is not None and cursor is not None and cursor > version.valid_to:
            cursor = None
    if cursor is not None and (version.valid_to is None or cursor <= version.valid_to):
        raise ValidationError(
            _("%(name)s would have no parent unit from %(day)s.")
            % {"name": version.name, "day": _fmt(cursor)}
        )


def _single_full_successor(unit: Unit) -> Unit | None:
    links = list(UnitSuccession.objects.filter(predecessor=unit).select_related("successor"))
    if len(links) == 1 and not links[0].partial and links[0].successor.level == unit.level:
        return links[0].successor
    return None


def _place(
    unit: Unit,
    parent: Unit,
    start: date,
    change: UnitChange,
    *,
    code: str,
    name: str,
    unit_type: str,
) -> list[UnitVersion]:
    """Give ``unit`` a new version under ``parent`` from ``start``.

    The version ends when the parent does; if the parent then passed wholly to a single
    successor (a merge, or a commune that was not split in the 2025 reform) the unit
    follows it, otherwise it closes with its parent and can later be moved.
    """
    parent_version = _version_on(parent, start)
    if parent_version is None:
        raise ValidationError(
            _("%(name)s does not exist on %(day)s.") % {"name": str(parent), "day": _fmt(start)}
        )
    version = UnitVersion.objects.create(
        unit=unit,
        valid_from=start,
        valid_to=parent.valid_to,
        code=code,
        name=name,
        type=unit_type,
        parent=parent,
        path=parent_version.path + f"{unit.pk}.",
        name_folded=fold(name),
        change=change,
    )
    placed = [version]
    if parent.valid_to is not None:
        successor = _single_full_successor(parent)
        if successor is not None:
            placed += _place(
                unit,
                successor,
                parent.valid_to + ONE_DAY,
                change,
                code=code,
                name=name,
                unit_type=unit_type,
            )
    return placed


def _new_change(
    kind: UnitChange.Kind, effective: date, user: Any, decision: str, description: str
) -> UnitChange:
    return UnitChange.objects.create(
        kind=kind,
        effective=effective,
        decision=decision,
        description=description,
        created_by=recorded_user(user),
    )


@dataclass(frozen=True)
class NewUnit:
    """A unit to be created by a merge or a split."""

    code: str
    name: str
    type: str
    parent: Unit | None = None  # default: the parent of the unit(s) it replaces


def _create_unit(
    spec: NewUnit, level: Level, parent: Unit, start: date, change: UnitChange
) -> Unit:
    """Create a unit and place it; callers run inside a transaction, so a code clash
    found once the unit's real span is known rolls everything back."""
    code = _normalized(level, spec.code)
    _check_parent_level(level, parent)
    if not spec.name.strip():
        raise ValidationError(_("A unit needs a name."))
    unit = Unit.objects.create(
        level=level, valid_from=start, valid_to=None, origin=Unit.Origin.USER
    )
    _place_checked(
        unit, parent, start, change, code=code, name=spec.name.strip(), unit_type=spec.type
    )
    return unit


def _place_checked(
    unit: Unit,
    parent: Unit,
    start: date,
    change: UnitChange,
    *,
    code: str,
    name: str,
    unit_type: str,
) -> None:
    """``_place`` the unit, then refuse it if its code is another unit's of its level on
    any day it now stands, and set its span."""
    for version in _place(unit, parent, start, change, code=code, name=name, unit_type=unit_type):
        _check_code_free(
            Level(unit.level), code, version.valid_from, version.valid_to, exclude=[unit.pk]
        )
    refresh_span(unit)


def _move_children(
    old_parent: Unit, effective: date, destination: Mapping[int, Unit], change: UnitChange
) -> None:
    """Move every unit under ``old_parent`` on ``effective`` to its destination."""
    children = list(
        UnitVersion.objects.filter(parent=old_parent)
        .filter(valid_on(effective))
        .select_related("unit")
    )
    missing = [v.name for v in children if v.unit_id not in destination]
    if missing:
        raise ValidationError(
            _("Say where these units go: %(names)s.") % {"names": ", ".join(sorted(missing))}
        )
    for version in children:
        target = destination[version.unit_id]
        if target.pk == old_parent.pk:
            continue
        _set_parent(version.unit, target, effective, change)


def _set_parent(unit: Unit, parent: Unit, effective: date, change: UnitChange) -> None:
    _check_parent_level(Level(unit.level), parent)
    current = _version_on(unit, effective)
    if current is None:
        raise ValidationError(
            _("%(name)s does not exist on %(day)s.") % {"name": str(unit), "day": _fmt(effective)}
        )
    later = _split(current, effective)
    UnitVersion.objects.filter(unit=unit, valid_from__gt=effective).update(parent=parent)
    later.parent = parent
    later.change = change
    later.save(update_fields=["parent", "change", "updated_at"])
    _bound_by_parent(unit, parent)
    rebuild_paths(unit, effective)
    refresh_span(unit)


def _bound_by_parent(unit: Unit, parent: Unit) -> None:
    """End ``unit``'s open version when ``parent`` ends (it cannot outlive its parent)."""
    if parent.valid_to is None:
        return
    open_version = unit.versions.filter(valid_to__isnull=True).first()
    if open_version is not None and open_version.parent_id == parent.pk:
        open_version.valid_to = parent.valid_to
        open_version.save(update_fields=["valid_to", "updated_at"])


def _retire(unit: Unit, last_day: date) -> None:
    """Close ``unit`` on ``last_day``; nothing may still sit under it after that."""
    remaining = UnitVersion.objects.filter(parent=unit).filter(
        overlapping(last_day + ONE_DAY, None)
    )
    if remaining.exists():
        names = ", ".join(sorted({v.name for v in remaining[:20]}))
        raise ValidationError(
            _("%(name)s still has units under it after %(day)s: %(names)s.")
            % {"name": str(unit), "day": _fmt(last_day), "names": names}
        )
    version = _version_on(unit, last_day)
    assert version is not None
    version.valid_to = last_day
    version.save(update_fields=["valid_to", "updated_at"])
    refresh_span(unit)


def _link(
    predecessor: Unit, successor: Unit, effective: date, partial: bool, change: UnitChange
) -> None:
    # A successor is of its predecessor's level (docs/units.md): the scope of a role at
    # the successor reaches back through these links.
    assert predecessor.level == successor.level, "successions link units of one level"
    UnitSuccession.objects.get_or_create(
        predecessor=predecessor,
        successor=successor,
        effective=effective,
        defaults={"partial": partial, "change": change},
    )


def villages_follow(commune: Unit, change: UnitChange) -> tuple[list[Unit], list[str]]:
    """Reopen, under the single whole successor of the closed ``commune``, the villages that
    closed with it (a succession recorded after they closed: a supplementary table, an
    inferred link confirmed).  Returns the villages placed, and a sentence for each that
    could not be (its code taken meanwhile); does nothing when the commune has no single
    whole successor (the villages are then placed by hand)."""
    successor = _single_full_successor(commune)
    if successor is None or commune.valid_to is None:
        return [], []
    effective = commune.valid_to + ONE_DAY
    placed: list[Unit] = []
    problems: list[str] = []
    for last in selectors.villages_closed_with([commune.pk]):
        village = last.unit
        try:
            with transaction.atomic():
                _place_checked(
                    village,
                    successor,
                    effective,
                    change,
                    code=last.code,
                    name=last.name,
                    unit_type=last.type,
                )
        except ValidationError as error:
            problems.append(f"{last.name}: {'; '.join(error.messages)}")
            continue
        placed.append(village)
    return placed, problems


# ---------------------------------------------------------------- public services


@transaction.atomic
def unit_create(
    *,
    level: Level,
    parent: Unit,
    code: str,
    name: str,
    type: str,
    valid_from: date,
    user: Any = None,
    decision: str = "",
) -> Unit:
    """Create a unit under ``parent`` from ``valid_from``.

    The unit lasts as long as its parent; when the parent passes wholly to a single
    successor (a merge, or a commune that was not split in the 2025 reform) the unit
    follows it, otherwise it closes with the parent and can later be moved.  Codes must
    be unique within their level at any one time.
    """
    change = _new_change(
        UnitChange.Kind.CREATE,
        valid_from,
        user,
        decision,
        _("%(name)s created") % {"name": name.strip()},
    )
    return _create_unit(NewUnit(code, name, type), Level(level), parent, valid_from, change)


def village_create(
    *,
    commune: Unit,
    code: str,
    name: str,
    type: str,
    valid_from: date,
    user: Any = None,
    decision: str = "",
) -> Unit:
    """Create a village or residential group (thôn, tổ dân phố, ấp, bản) under ``commune``.

    Village codes are chosen locally (not in the national lists) and must be unique among
    villages at any one time; see ``unit_create`` for how long the village lasts.
    """
    if Level(commune.level) is not Level.COMMUNE:
        raise ValidationError(_("Villages are created under a commune or ward."))
    return unit_create(
        level=Level.VILLAGE,
        parent=commune,
        code=code,
        name=name,
        type=type,
        valid_from=valid_from,
        user=user,
        decision=decision,
    )


@transaction.atomic
def unit_rename(
    *,
    unit: Unit,
    effective: date,
    name: str,
    type: str | None = None,
    code: str | None = None,
    user: Any = None,
    decision: str = "",
) -> UnitChange:
    """Give ``unit`` a new name (and optionally type or code) from ``effective``.

    The new name holds until the next recorded rename, so a rename found late can be
    entered with its true date.
    """
    if not name.strip():
        raise ValidationError(_("A unit needs a name."))
    current = _version_on(unit, effective)
    if current is None:
        raise ValidationError(
            _("%(name)s does not exist on %(day)s.") % {"name": str(unit), "day": _fmt(effective)}
        )
    level = Level(unit.level)
    new_code = _normalized(level, code) if code else current.code
    if new_code != current.code:
        _check_code_free(level, new_code, effective, None, exclude=[unit.pk])
    change = _new_change(
        UnitChange.Kind.RENAME,
        effective,
        user,
        decision,
        _("%(old)s renamed %(new)s") % {"old": current.name, "new": name.strip()},
    )
    old_state = (current.name, current.type, current.code)
    first = _split(current, effective)
    for version in unit.versions.filter(valid_from__gte=effective).order_by("valid_from"):
        if version.pk != first.pk and (version.name, version.type, version.code) != old_state:
            break  # a later rename: it stands
        version.name = name.strip()
        version.name_folded = fold(version.name)
        version.type = type if type is not None else version.type
        version.code = new_code
        if version.pk == first.pk:
            version.change = change
        version.save()
    return change


@transaction.atomic
def unit_move(
    *, unit: Unit, parent: Unit, effective: date, user: Any = None, decision: str = ""
) -> UnitChange:
    """Place ``unit`` (with everything under it) under ``parent`` from ``effective``.

    A village whose commune closed without a single successor (a commune split in the
    2025 reform) is closed too; moving it to its new commune reopens it with its history.
    """
    parent_version = _version_on(parent, effective)
    if parent_version is None:
        raise ValidationError(
            _("%(name)s does not exist on %(day)s.") % {"name": str(parent), "day": _fmt(effective)}
        )
    if parent_version.path.startswith(f"{unit.pk}.") or f".{unit.pk}." in parent_version.path:
        raise ValidationError(_("A unit cannot be placed under itself or a unit below it."))
    _check_parent_level(Level(unit.level), parent)
    change = _new_change(
        UnitChange.Kind.MOVE,
        effective,
        user,
        decision,
        _("%(name)s moved to %(parent)s") % {"name": str(unit), "parent": parent_version.name},
    )
    current = _version_on(unit, effective)
    if current is None:
        last = unit.versions.order_by("-valid_from").first()
        assert last is not None
        if last.valid_to is None or last.valid_to >= effective:
            raise ValidationError(_("Moves must come after the unit's last recorded change."))
        old_parent = Unit.objects.filter(pk=last.parent_id or 0).first()
        closed_with_parent = old_parent is not None and old_parent.valid_to == last.valid_to
        if not closed_with_parent or UnitSuccession.objects.filter(predecessor=unit).exists():
            raise ValidationError(
                _("%(name)s was closed on %(day)s and cannot be moved after that.")
                % {"name": last.name, "day": _fmt(last.valid_to)}
            )
        # Reopen: the unit had closed only because its old parent did.
        _place(unit, parent, effective, change, code=last.code, name=last.name, unit_type=last.type)
        refresh_span(unit)
        return change
    if current.parent_id == parent.pk:
        raise ValidationError(
            _("%(name)s is already under %(parent)s on %(day)s.")
            % {"name": current.name, "parent": parent_version.name, "day": _fmt(effective)}
        )
    _latest_open(unit, effective, _("a move"))
    _set_parent(unit, parent, effective, change)
    return change


@transaction.atomic
def units_merge(
    *,
    units: Sequence[Unit],
    effective: date,
    into: Unit | None = None,
    new: NewUnit | None = None,
    user: Any = None,
    decision: str = "",
) -> Unit:
    """Merge ``units`` from ``effective``: either all into ``into`` (one of them, which
    continues) or into a ``new`` unit.  The others close on ``effective`` − 1, with the
    target as their whole successor; the units under them move to the target."""
    if (into is None) == (new is None):
        raise ValidationError(_("Merge into one of the units or into a new unit, not both."))
    if len({u.pk for u in units}) < (2 if new is None else 1):
        raise ValidationError(_("Choose at least two units to merge."))
    levels = {u.level for u in units}
    if len(levels) != 1:
        raise ValidationError(_("Only units of the same level can be merged."))
    level = Level(levels.pop())
    before = effective - ONE_DAY
    versions = {u.pk: _latest_open(u, before, _("a merge")) for u in units}
    names = ", ".join(v.name for v in versions.values())
    change = _new_change(
        UnitChange.Kind.MERGE, effective, user, decision, _("Merged: %(names)s") % {"names": names}
    )
    if into is not None:
        if into.pk not in versions:
            raise ValidationError(_("The unit merged into must be one of the units merged."))
        target = into
    else:
        assert new is not None
        parents = {v.parent_id for v in versions.values()}
        common = parents.pop() if len(parents) == 1 else None
        parent = new.parent or (Unit.objects.get(pk=common) if common is not None else None)
        if parent is None:
            raise ValidationError(_("The units have different parents: choose the new parent."))
        target = _create_unit(new, level, parent, effective, change)
    for unit in units:
        if unit.pk == target.pk:
            continue
        _move_children(unit, effective, _all_to(unit, effective, target), change)
        _retire(unit, before)
        _link(unit, target, effective, False, change)
    return target


def _all_to(parent: Unit, day: date, target: Unit) -> dict[int, Unit]:
    ids = (
        UnitVersion.objects.filter(parent=parent)
        .filter(valid_on(day))
        .values_list("unit_id", flat=True)
    )
    return dict.fromkeys(ids, target)


KEEP = -1  # in a split's children mapping: the child stays in the original unit


@transaction.atomic
def unit_split(
    *,
    unit: Unit,
    effective: date,
    parts: Sequence[NewUnit | Unit],
    children: Mapping[int, int] | None = None,
    keep_original: bool = False,
    user: Any = None,
    decision: str = "",
) -> list[Unit]:
    """Split ``unit`` from ``effective`` into ``parts``: new units, or existing units of the
    same level that receive a part.  Unless ``keep_original`` (a part is split off and the
    unit continues), the unit closes on ``effective`` − 1.  ``children`` maps each unit
    under it (by id) to the index of the part it goes to, or ``KEEP``.  Every part is
    recorded as a partial successor."""
    if not parts or (len(parts) < 2 and not keep_original):
        raise ValidationError(_("A split needs at least two parts (or one part split off)."))
    level = Level(unit.level)
    before = effective - ONE_DAY
    current = _latest_open(unit, before, _("a split"))
    change = _new_change(
        UnitChange.Kind.SPLIT,
        effective,
        user,
        decision,
        _("%(name)s split") % {"name": current.name},
    )
    parent = Unit.objects.get(pk=current.parent_id) if current.parent_id else None
    targets: list[Unit] = []
    for part in parts:
        if isinstance(part, Unit):
            if part.level != unit.level or part.pk == unit.pk:
                raise ValidationError(_("A receiving unit must be another unit of the same level."))
            _latest_open(part, effective, _("a split"))
            targets.append(part)
        else:
            part_parent = part.parent or parent
            assert part_parent is not None
            targets.append(_create_unit(part, level, part_parent, effective, change))
    mapping = dict(children or {})
    destination: dict[int, Unit] = {}
    for child_id, index in mapping.items():
        if index == KEEP:
            if not keep_original:
                raise ValidationError(_("The unit closes: every unit under it needs a new place."))
            destination[child_id] = unit
        elif 0 <= index < len(targets):
            destination[child_id] = targets[index]
        else:
            raise ValidationError(_("A unit under it is sent to a part that does not exist."))
    if keep_original:
        for child_id in _all_to(unit, effective, unit):
            destination.setdefault(child_id, unit)
    _move_children(unit, effective, destination, change)
    if not keep_original:
        _retire(unit, before)
    for target in targets:
        _link(unit, target, effective, True, change)
    return targets


@transaction.atomic
def unit_close(
    *,
    unit: Unit,
    effective: date,
    successors: Sequence[tuple[Unit, bool]] = (),
    children: Mapping[int, Unit] | None = None,
    user: Any = None,
    decision: str = "",
) -> UnitChange:
    """Close ``unit`` on ``effective`` − 1 and record who took it over (``partial`` when
    only part went there).  Units under it move as ``children`` says (id -> new parent)."""
    before = effective - ONE_DAY
    current = _latest_open(unit, before, _("a closure"))
    change = _new_change(
        UnitChange.Kind.CLOSE,
        effective,
        user,
        decision,
        _("%(name)s closed") % {"name": current.name},
    )
    for successor, _partial in successors:
        if successor.level != unit.level:
            raise ValidationError(
                _("A successor must be of the same level as %(name)s.") % {"name": current.name}
            )
        if _version_on(successor, effective) is None:
            raise ValidationError(
                _("%(name)s does not exist on %(day)s.")
                % {"name": str(successor), "day": _fmt(effective)}
            )
    _move_children(unit, effective, dict(children or {}), change)
    _retire(unit, before)
    for successor, partial in successors:
        _link(unit, successor, effective, partial, change)
    return change


# ---------------------------------------------------------------- checks


def check_tree(prefix: str = "") -> list[str]:
    """Every broken invariant of the tree, as sentences (empty when all is well).

    ``prefix`` limits the check to versions whose path starts with it (a subtree whose
    root never moved); the parents just above are read too."""
    problems: list[str] = []
    selected = (
        UnitVersion.objects.filter(path__startswith=prefix)
        if prefix
        else (UnitVersion.objects.all())
    )
    by_unit: dict[int, list[UnitVersion]] = {}
    for version in selected.select_related("unit").order_by("unit_id", "valid_from"):
        by_unit.setdefault(version.unit_id, []).append(version)
    checked = list(by_unit)
    outside = {v.parent_id for rows in by_unit.values() for v in rows if v.parent_id} - set(by_unit)
    for version in UnitVersion.objects.filter(unit_id__in=outside).select_related("unit"):
        by_unit.setdefault(version.unit_id, []).append(version)
    units = Unit.objects.filter(pk__in=checked).order_by()
    spans = {
        pk: (start, end) for pk, start, end in units.values_list("pk", "valid_from", "valid_to")
    }
    for unit_id in checked:
        rows = by_unit[unit_id]
        for earlier, later in pairwise(rows):
            if earlier.valid_to is None or earlier.valid_to >= later.valid_from:
                problems.append(f"unit {unit_id}: versions overlap at {later.valid_from}")
        if spans.get(unit_id) != (rows[0].valid_from, rows[-1].valid_to):
            problems.append(f"unit {unit_id}: span differs from its versions")
        for version in rows:
            if version.parent_id is None:
                if version.path != f"{unit_id}.":
                    problems.append(f"unit {unit_id}: root path {version.path!r}")
                continue
            parents = by_unit.get(version.parent_id, [])
            covering = [
                p
                for p in parents
                if p.valid_from <= (version.valid_to or date.max)
                and (p.valid_to is None or p.valid_to >= version.valid_from)
            ]
            try:
                _check_covered(version, covering)
            except ValidationError:
                problems.append(f"unit {unit_id}: parent missing during {version}")
            for parent in covering:
                if parent.path + f"{unit_id}." != version.path:
                    problems.append(f"unit {unit_id}: path {version.path!r} != parent's")
                    break
            parent_level = Level(covering[0].unit.level) if covering else None
            if parent_level not in ALLOWED_PARENT_LEVELS[Level(version.unit.level)]:
                problems.append(f"unit {unit_id}: parent level {parent_level}")
    # Codes: no two units of a level share one on the same day.
    by_code: dict[tuple[str, str], list[UnitVersion]] = {}
    candidates = UnitVersion.objects.filter(code__in=selected.values("code")).select_related("unit")
    for version in candidates.order_by("valid_from"):
        by_code.setdefault((version.unit.level, version.code), []).append(version)
    for (level, code), rows in by_code.items():
        for a, b in combinations(rows, 2):
            if a.unit_id != b.unit_id and (a.valid_to is None or a.valid_to >= b.valid_from):
                problems.append(f"{level} code {code}: units {a.unit_id} and {b.unit_id} overlap")
    return problems
