"""Loading reference data and importing files into the dated tree.

* ``reference_load``: the official snapshots and conversion tables (``data/units``),
  loaded once by ``danso setup``; a second call with the same files does nothing.  Then
  the supplementary tables (``supplements_load``: compiled tables such as Hà Nội's
  successions of 1/1/2025, each applied once through ``conversion_import``) and the
  successions inferred from the snapshots (``inferred.inferred_propose``).
* ``conversion_import``: a further conversion table in the columns of the official one,
  from a CSV a user supplies.
* ``geojson_import``: boundaries keyed by unit code.

Every import validates the whole file first and writes in one transaction; problems
name the file, the line and the column.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from danso import uploads
from danso.audit import recorded_user
from danso.problems import ImportReport, Problem
from danso.spreadsheets import LimitError, Limits, check_csv, check_size, row_problem
from danso.units import services
from danso.units.codes import CodeError, Level, normalize_code
from danso.units.inferred import inferred_propose
from danso.units.models import (
    ReferenceDataset,
    Unit,
    UnitChange,
    UnitGeometry,
    UnitSuccession,
    UnitVersion,
    level_label,
    valid_on,
)
from danso.units.reference import (
    ConversionSpec,
    EntityKey,
    Manifest,
    Note,
    NoteKind,
    RefEntity,
    build_plan,
    read_manifest,
)
from danso.units.selectors import CODE_ORDER
from danso.vietnamese import fold

ONE_DAY = services.ONE_DAY
UNITS_DATASET = "units"


# ---------------------------------------------------------------- reference units


@dataclass(frozen=True)
class ReferenceLoadResult:
    loaded: bool
    seconds: float
    units: int
    versions: int
    successions: int
    #: what the loader noticed in the files, as stored (``note_text`` words one)
    problems: list[object]
    #: supplementary tables applied now (file names), and the successions they added
    supplements: tuple[str, ...] = ()
    supplement_successions: int = 0
    #: inferred successions offered now for an administrator to confirm
    proposals: int = 0


def reference_load(manifest_path: Path) -> ReferenceLoadResult:
    """Load the official unit lists named in ``manifest_path`` unless already loaded, then
    the supplementary tables not loaded yet (``supplements_load``), then offer the
    successions the snapshots suggest (``inferred.inferred_propose``).  Each step is
    done once: an installation loaded before a supplement existed gets it on its next
    ``danso setup``.

    Raises ``ValidationError`` if a different version of the files was loaded before:
    changing reference data under existing records needs a migration, not a reload.
    """
    started = time.perf_counter()
    manifest = read_manifest(manifest_path)
    checksum = manifest.checksum()
    existing = ReferenceDataset.objects.filter(name=UNITS_DATASET).first()
    if existing is not None:
        if existing.checksum != checksum:
            raise ValidationError(
                _(
                    "Different reference unit files were loaded before (checksum %(old)s); "
                    "the files now give %(new)s. Write a data migration instead of reloading."
                )
                % {"old": existing.checksum[:12], "new": checksum[:12]}
            )
        loaded: tuple[bool, float, int, int, int, list[object]] = (
            False,
            0.0,
            0,
            0,
            0,
            list(existing.problems),
        )
    else:
        plan = build_plan(manifest)
        with transaction.atomic():
            counts = _write_plan(manifest, plan.entities, plan.successions)
            seconds = time.perf_counter() - started
            notes: list[object] = [note.as_json() for note in plan.problems]
            ReferenceDataset.objects.create(
                name=UNITS_DATASET, checksum=checksum, seconds=seconds, problems=notes
            )
        loaded = (True, seconds, *counts, notes)
    supplements, linked = supplements_load(manifest)
    return ReferenceLoadResult(*loaded, supplements, linked, inferred_propose(manifest_path))


def _day(iso: str) -> str:
    try:
        return f"{date.fromisoformat(iso):%d/%m/%Y}"
    except ValueError:
        return iso


def _empty_type_sentence(level: str) -> str:
    if level == Level.PROVINCE:
        return _("Province %(code)s (%(name)s) has no type; taken from its name: “%(type)s”.")
    if level == Level.DISTRICT:
        return _("District %(code)s (%(name)s) has no type; taken from its name: “%(type)s”.")
    if level == Level.VILLAGE:
        return _("Village %(code)s (%(name)s) has no type; taken from its name: “%(type)s”.")
    return _("Commune %(code)s (%(name)s) has no type; taken from its name: “%(type)s”.")


def note_text(stored: object) -> str:
    """A note of ``ReferenceDataset.problems`` in the reader's language, with days as
    dd/mm/yyyy: a ``reference.Note`` stored as data, or one stored as an English
    sentence by an earlier version of the loader, is worded now; any other text (what
    ``conversion_import`` reported, worded when the table was applied) is shown as
    stored."""
    note = Note.from_stored(stored)
    if note is None:
        return str(stored)
    params = {key: str(value) for key, value in note.params.items()}
    params.setdefault("code", "")
    params.setdefault("name", "")
    params["day"] = _day(params.get("day", ""))
    sentence = {
        NoteKind.OLD_MISSING: _("Old commune %(code)s did not exist on %(day)s; row skipped."),
        NoteKind.NEW_MISSING: _("New commune %(code)s does not exist on %(day)s; row skipped."),
        NoteKind.OLD_CONTINUES: _("Old commune %(code)s continues after %(day)s; row skipped."),
        NoteKind.NO_SUCCESSOR: _(
            "%(name)s (%(code)s) closes on %(day)s but the table gives it no successor."
        ),
        NoteKind.NO_PREDECESSOR: _(
            "%(name)s (%(code)s) opens on %(day)s but the table gives it no predecessor."
        ),
    }.get(note.kind)
    if sentence is None:  # NoteKind.EMPTY_TYPE
        params.setdefault("type", "")
        sentence = _empty_type_sentence(params.get("level", ""))
    words = sentence % params
    if note.line is None:
        return f"{note.file}: {words}"
    return _("%(file)s, line %(line)s: %(note)s") % {
        "file": note.file,
        "line": note.line,
        "note": words,
    }


def supplement_dataset_name(spec: ConversionSpec) -> str:
    """The ``ReferenceDataset`` that records a supplementary table (one per file)."""
    return f"conversion:{spec.path.name}"


def supplements_load(manifest: Manifest) -> tuple[tuple[str, ...], int]:
    """Apply the manifest's supplementary conversion tables not applied yet, each through
    ``conversion_import`` (communes still open close; communes already closed get their
    successors; villages follow a whole successor) and recorded by its own
    ``ReferenceDataset`` with its checksum and what the import reported.

    Returns the files applied now and the successions they added.  Raises
    ``ValidationError`` if a table was applied before with other contents (correct a
    shipped table with a new file, or, on one installation, with ``import-conversion``
    at the same date), or if a row cannot be applied (nothing of that table is written).
    """
    applied: list[str] = []
    linked = 0
    for spec in manifest.supplements:
        name = supplement_dataset_name(spec)
        checksum = spec.checksum()
        existing = ReferenceDataset.objects.filter(name=name).first()
        if existing is not None:
            if existing.checksum != checksum:
                raise ValidationError(
                    _(
                        "The supplementary table %(file)s was applied before with other "
                        "contents (checksum %(old)s, now %(new)s): add corrections as a new "
                        "file or with import-conversion."
                    )
                    % {"file": spec.path.name, "old": existing.checksum[:12], "new": checksum[:12]}
                )
            continue
        started = time.perf_counter()
        with transaction.atomic():
            report = conversion_import(
                spec.path.read_bytes(),
                file_name=spec.path.name,
                effective=spec.effective,
                decision=spec.decision,
            )
            if report.errors:
                raise ValidationError([str(problem) for problem in report.errors])
            ReferenceDataset.objects.create(
                name=name,
                checksum=checksum,
                seconds=time.perf_counter() - started,
                problems=[str(problem) for problem in report.problems],
            )
        applied.append(spec.path.name)
        linked += report.created.get("successions", 0)
    return tuple(applied), linked


def _write_plan(
    manifest: Manifest, entities: dict[EntityKey, RefEntity], successions: list[Any]
) -> tuple[int, int, int]:
    first_day = min(e.valid_from for e in entities.values())
    change = UnitChange.objects.create(
        kind=UnitChange.Kind.REFERENCE,
        effective=first_day,
        description=_("Official unit lists loaded: %(files)s")
        % {"files": ", ".join(s.path.name for s in manifest.snapshots)},
        decision="GSO/NSO Danh mục đơn vị hành chính",
    )
    ordered = sorted(entities.values(), key=lambda e: list(Level).index(e.level))
    units = [
        Unit(
            level=e.level,
            valid_from=e.valid_from,
            valid_to=e.valid_to,
            origin=Unit.Origin.REFERENCE,
        )
        for e in ordered
    ]
    Unit.objects.bulk_create(units, batch_size=2000)
    unit_id = {e.key: u.pk for e, u in zip(ordered, units, strict=True)}

    # Paths: parents are written before children (ordered by level), so the parent's
    # paths over time are known when a child's version is placed.
    paths: dict[EntityKey, list[tuple[date, date | None, str]]] = {}
    versions: list[UnitVersion] = []
    for entity in ordered:
        own = f"{unit_id[entity.key]}."
        spans: list[tuple[date, date | None, str]] = []
        for v in entity.versions:
            if v.parent is None:
                pieces = [(v.valid_from, v.valid_to, own)]
            else:
                pieces = _pieces_under(paths[v.parent], v.valid_from, v.valid_to, own)
            for start, end, path in pieces:
                spans.append((start, end, path))
                versions.append(
                    UnitVersion(
                        unit_id=unit_id[entity.key],
                        valid_from=start,
                        valid_to=end,
                        code=v.code,
                        name=v.name,
                        type=v.type,
                        parent_id=unit_id[v.parent] if v.parent else None,
                        path=path,
                        name_folded=fold(v.name),
                        change=change,
                    )
                )
        paths[entity.key] = spans
    UnitVersion.objects.bulk_create(versions, batch_size=2000)

    changes: dict[tuple[date, str], UnitChange] = {}
    links = []
    for s in successions:
        key = (s.effective, s.decision)
        if key not in changes:
            changes[key] = UnitChange.objects.create(
                kind=UnitChange.Kind.CONVERSION,
                effective=s.effective,
                description=_("Official conversion table of %(day)s")
                % {"day": f"{s.effective:%d/%m/%Y}"},
                decision=s.decision,
            )
        links.append(
            UnitSuccession(
                predecessor_id=unit_id[s.predecessor],
                successor_id=unit_id[s.successor],
                effective=s.effective,
                partial=s.partial,
                change=changes[key],
            )
        )
    UnitSuccession.objects.bulk_create(links, batch_size=2000)
    return len(units), len(versions), len(links)


def _pieces_under(
    parent_spans: list[tuple[date, date | None, str]], start: date, end: date | None, own: str
) -> list[tuple[date, date | None, str]]:
    """Split ``start``..``end`` where the parent's path changes."""
    pieces: list[tuple[date, date | None, str]] = []
    for p_start, p_end, p_path in parent_spans:
        lo = max(start, p_start)
        hi = p_end if end is None else (end if p_end is None else min(end, p_end))
        if hi is not None and hi < lo:
            continue
        path = p_path + own
        if (
            pieces
            and pieces[-1][2] == path
            and pieces[-1][1] is not None
            and (pieces[-1][1] + ONE_DAY == lo)
        ):
            pieces[-1] = (pieces[-1][0], hi, path)
        else:
            pieces.append((lo, hi, path))
    covered_to = pieces[-1][1] if pieces else start - ONE_DAY
    if (
        not pieces
        or pieces[0][0] != start
        or (covered_to is not None and (end is None or covered_to < end))
    ):
        raise ValidationError(f"reference data: parent does not cover {start}..{end} for {own}")
    return pieces


# ---------------------------------------------------------------- boundaries


def geometries_load(manifest_path: Path) -> int:
    """Load the boundary files named in the manifest, once; returns features stored."""
    manifest = read_manifest(manifest_path)
    stored = 0
    for spec in manifest.geometries:
        name = f"geo:{spec.path.name}"
        checksum = Manifest(name, (), (), (spec,)).checksum(with_geometries=True)
        if ReferenceDataset.objects.filter(name=name, checksum=checksum).exists():
            continue
        report = geojson_import(
            spec.path.read_bytes(),
            file_name=spec.path.name,
            level=spec.level,
            on=spec.on,
            code_property=spec.code_property,
            source=f"{spec.source} ({spec.path.name})",
        )
        if report.errors:
            raise ValidationError("; ".join(str(p) for p in report.errors))
        stored += report.created.get("boundaries", 0)
        ReferenceDataset.objects.update_or_create(
            name=name,
            defaults={"checksum": checksum, "problems": [str(p) for p in report.problems]},
        )
    return stored


@transaction.atomic
def geojson_import(
    content: bytes,
    *,
    file_name: str,
    level: Level,
    on: date,
    code_property: str = "code",
    source: str = "",
    dry_run: bool = False,
) -> ImportReport:
    """Store the boundaries of a GeoJSON FeatureCollection whose features carry the unit
    code in ``properties[code_property]``, resolving codes on ``on``.  A unit's earlier
    boundary from the same source is replaced; features whose code is unknown are
    reported, and nothing is stored if any feature is wrong."""
    report = ImportReport(dry_run=dry_run)
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        report.problems.append(Problem(file_name, None, None, _("Not GeoJSON: %s") % error))
        return report
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        report.problems.append(Problem(file_name, None, None, _("No 'features' list.")))
        return report
    resolved: list[tuple[int, dict[str, Any]]] = []
    by_code = {
        v.code: v.unit_id for v in UnitVersion.objects.filter(valid_on(on), unit__level=level)
    }
    for number, feature in enumerate(features, start=1):
        where = f"feature {number}"
        properties = feature.get("properties") or {}
        geometry = feature.get("geometry")
        raw = properties.get(code_property)
        if raw is None:
            report.problems.append(
                Problem(file_name, number, code_property, _("%s has no code.") % where)
            )
            continue
        try:
            code = normalize_code(level, str(raw))
        except CodeError as error:
            report.problems.append(Problem(file_name, number, code_property, str(error)))
            continue
        if code not in by_code:
            report.problems.append(
                Problem(
                    file_name,
                    number,
                    code_property,
                    _("No %(level)s has code %(code)s on %(day)s.")
                    % {"level": level_label(level), "code": raw, "day": f"{on:%d/%m/%Y}"},
                )
            )
            continue
        if not isinstance(geometry, dict) or geometry.get("type") not in (
            "Polygon",
            "MultiPolygon",
        ):
            report.problems.append(
                Problem(file_name, number, "geometry", _("Only Polygon and MultiPolygon."))
            )
            continue
        resolved.append((by_code[code], geometry))
    if report.errors or dry_run:
        report.created["boundaries"] = 0 if report.errors else len(resolved)
        return report
    for unit_id, geometry in resolved:
        UnitGeometry.objects.filter(unit_id=unit_id, source=source).delete()
        UnitGeometry.objects.create(unit_id=unit_id, geometry=geometry, source=source)
    report.created["boundaries"] = len(resolved)
    return report


# ---------------------------------------------------------------- conversion tables

CONVERSION_COLUMNS = (
    "old_commune_code",
    "old_district_code",
    "old_province_code",
    "old_partly_merged",
    "new_commune_code",
    "new_province_code",
)


@dataclass(frozen=True)
class _Link:
    line: int
    old: UnitVersion
    new: UnitVersion
    partial: bool


def conversion_import(
    content: bytes,
    *,
    file_name: str,
    effective: date,
    user: Any = None,
    decision: str = "",
    dry_run: bool = False,
    limits: Limits | None = None,
) -> ImportReport:
    """Apply a commune conversion table effective ``effective``.

    Each row says old commune (valid on ``effective`` − 1) → new commune (valid on
    ``effective``).  Old communes that are still open close on ``effective`` − 1.  Their
    villages follow them when they went wholly to one new commune; otherwise the villages
    close and are listed, to be moved by hand.  An old commune already closed on
    ``effective`` − 1 (the mergers of 1/1/2025, which the snapshots close) only gets its
    successors, and the villages that closed with it follow a whole successor.  The
    report warns (without refusing) about the communes of the provinces the table covers
    that close or open that day without a link (``_unlinked_in_covered_provinces``).
    All rows are checked before anything is written; with errors nothing is written.  A
    table over ``limits`` (else the site's for conversion tables) is refused before it is
    read.
    """
    report = ImportReport(dry_run=dry_run)
    try:
        table_limits = limits or uploads.limits(uploads.Kind.CONVERSION)
        check_size(file_name, len(content), table_limits)
        check_csv(content.decode("utf-8-sig"), file_name, table_limits)
    except UnicodeDecodeError:
        pass  # said when the rows are read
    except LimitError as error:
        report.problems.append(Problem(file_name, None, None, uploads.limit_message(error)))
        return report
    links = _read_conversion_rows(content, file_name, effective, report)
    if report.errors:
        return report
    by_old: dict[int, list[_Link]] = defaultdict(list)
    for link in links:
        by_old[link.old.unit_id].append(link)
    report.created = {
        "successions": len({(l.old.unit_id, l.new.unit_id) for l in links}),  # noqa: E741
        "closed": sum(
            1
            for rows in by_old.values()
            if rows[0].old.unit.valid_to is None or rows[0].old.unit.valid_to >= effective
        ),
    }
    _unlinked_in_covered_provinces(links, file_name, effective, report)
    if dry_run:
        return report
    with transaction.atomic():
        change = UnitChange.objects.create(
            kind=UnitChange.Kind.CONVERSION,
            effective=effective,
            decision=decision,
            description=_("Conversion table %(file)s") % {"file": file_name},
            created_by=recorded_user(user),
        )
        before = effective - ONE_DAY
        for rows in by_old.values():
            old_unit = rows[0].old.unit
            whole = [r for r in rows if not r.partial]
            single = whole[0].new.unit if len(rows) == 1 and whole else None
            still_open = old_unit.valid_to is None or old_unit.valid_to >= effective
            if still_open:
                for child in (
                    UnitVersion.objects.filter(parent=old_unit)
                    .filter(valid_on(effective))
                    .select_related("unit")
                ):
                    if single is not None:
                        services._set_parent(child.unit, single, effective, change)
                    else:
                        services._retire(child.unit, before)
                        report.problems.append(
                            Problem(
                                file_name,
                                rows[0].line,
                                "old_commune_code",
                                _("%(village)s closed with %(old)s: move it to its new commune.")
                                % {"village": child.name, "old": rows[0].old.name},
                                "warning",
                            )
                        )
                services._retire(old_unit, before)
            for row in rows:
                UnitSuccession.objects.get_or_create(
                    predecessor=old_unit,
                    successor=row.new.unit,
                    effective=effective,
                    defaults={"partial": row.partial, "change": change},
                )
            if not still_open:
                # closed before this table said where it went: its villages closed with
                # it, and follow it now if it went wholly to one commune
                followed, stuck = services.villages_follow(old_unit, change)
                if followed:
                    report.created["villages_followed"] = report.created.get(
                        "villages_followed", 0
                    ) + len(followed)
                for sentence in stuck:
                    report.problems.append(
                        Problem(file_name, rows[0].line, "old_commune_code", sentence, "warning")
                    )
    return report


def _unlinked_in_covered_provinces(
    links: list[_Link], file_name: str, effective: date, report: ImportReport
) -> None:
    """Warn about the communes of the provinces the table covers (those of its old
    communes) that close the day before ``effective`` and get no successor from it or from
    earlier records, or open on ``effective`` without a predecessor; other provinces are
    not the table's business and are not listed."""
    before = effective - ONE_DAY
    ancestors = {i for link in links for i in link.old.ancestor_ids()}
    provinces = Unit.objects.filter(pk__in=ancestors, level=Level.PROVINCE)
    old_ids = {link.old.unit_id for link in links}
    new_ids = {link.new.unit_id for link in links}
    closing = (
        UnitVersion.objects.filter(
            _under(provinces, before), unit__level=Level.COMMUNE, valid_to=before
        )
        .filter(unit__valid_to=before)
        .exclude(unit_id__in=old_ids)
        .exclude(unit__successions_out__isnull=False)
        .order_by(*CODE_ORDER)
    )
    for version in closing:
        report.problems.append(
            Problem(
                file_name,
                None,
                "old_commune_code",
                _("%(name)s (%(code)s) closes on %(day)s but no row gives it a successor.")
                % {"name": version.name, "code": version.display_code, "day": f"{before:%d/%m/%Y}"},
                "warning",
            )
        )
    opening = (
        UnitVersion.objects.filter(
            _under(provinces, effective), valid_on(effective), unit__level=Level.COMMUNE
        )
        .filter(unit__valid_from=effective)
        .exclude(unit_id__in=new_ids)
        .exclude(unit__successions_in__isnull=False)
        .order_by(*CODE_ORDER)
    )
    for version in opening:
        report.problems.append(
            Problem(
                file_name,
                None,
                "new_commune_code",
                _("%(name)s (%(code)s) opens on %(day)s but no row gives it a predecessor.")
                % {
                    "name": version.name,
                    "code": version.display_code,
                    "day": f"{effective:%d/%m/%Y}",
                },
                "warning",
            )
        )


def _read_conversion_rows(
    content: bytes, file_name: str, effective: date, report: ImportReport
) -> list[_Link]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.problems.append(Problem(file_name, None, None, _("The file is not UTF-8 text.")))
        return []
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CONVERSION_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        report.problems.append(
            Problem(file_name, 1, ", ".join(missing), _("Missing columns: %s") % ", ".join(missing))
        )
        return []
    before = effective - ONE_DAY
    communes_before = {
        v.code: v
        for v in UnitVersion.objects.filter(
            valid_on(before), unit__level=Level.COMMUNE
        ).select_related("unit")
    }
    communes_after = {
        v.code: v
        for v in UnitVersion.objects.filter(
            valid_on(effective), unit__level=Level.COMMUNE
        ).select_related("unit")
    }
    links = []
    width = len(reader.fieldnames or [])
    for line, row in enumerate(reader, start=2):
        cells = [v for k, v in row.items() if k is not None and v is not None]
        cells += row.get(None) or []  # DictReader's restkey
        wrong = row_problem(file_name, line, [str(c) for c in cells], width)
        if wrong is not None:
            report.problems.append(Problem(file_name, line, None, uploads.limit_message(wrong)))
            continue
        found: dict[str, UnitVersion] = {}
        for column, table, day in (
            ("old_commune_code", communes_before, before),
            ("new_commune_code", communes_after, effective),
        ):
            try:
                code = normalize_code(Level.COMMUNE, row[column] or "")
            except CodeError as error:
                report.problems.append(Problem(file_name, line, column, str(error)))
                continue
            if code not in table:
                report.problems.append(
                    Problem(
                        file_name,
                        line,
                        column,
                        _("No commune has code %(code)s on %(day)s.")
                        % {"code": row[column], "day": f"{day:%d/%m/%Y}"},
                    )
                )
                continue
            found[column] = table[code]
        flag = (row.get("old_partly_merged") or "0").strip()
        if flag not in ("0", "1"):
            report.problems.append(
                Problem(file_name, line, "old_partly_merged", _("Must be 0 or 1."))
            )
            continue
        if len(found) < 2:
            continue
        old, new = found["old_commune_code"], found["new_commune_code"]
        if old.unit_id == new.unit_id:
            continue  # the commune continues under the same identity: nothing to record
        links.append(_Link(line, old, new, flag == "1"))
    return links


def _under(provinces: Any, day: date) -> Q:
    """Versions below ``provinces`` as they stood on ``day`` (nothing if none stood)."""
    paths = UnitVersion.objects.filter(valid_on(day), unit__in=provinces).values_list(
        "path", flat=True
    )
    under = Q(pk__in=[])
    for path in paths:
        under |= Q(path__startswith=path)
    return under
