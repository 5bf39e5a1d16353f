"""Turn the official unit snapshots into one dated tree, with no Django import.

Inputs (see ``data/units/MANIFEST.json`` and ``data/units/PROVENANCE.md``): snapshots of
the national unit list, each treated as valid over a stated period, and conversion
tables that say which old commune went into which new one on a given date.

The rules, which ``docs/units.md`` explains for users:

* Within one coding *scheme* (``pre2025``: the lists before 1/7/2025; ``2025``: the list
  from 1/7/2025) a unit is identified by its level and code.  A unit present in two
  consecutive snapshots is one unit; if its name, type or parent changed, it gets a new
  version from the later snapshot's first day.
* Across schemes codes are reused with new meanings, so every unit of the new scheme is
  a new unit, except a province whose territory did not change (all its communes went
  to the new province of the same code, and that province received nothing else): it
  continues as the same unit, so that its history, plans and users carry on.
* A unit absent from the next snapshot is closed on the day before that snapshot.
* Successors come from conversion tables: commune to commune as the table says
  (``old_partly_merged`` = 1 marks a part); a closed province's successors are the new
  provinces that received its communes.  A successor is always of its predecessor's
  level: an abolished district has none (its level ended; each of its communes names its
  own), so that a ward formed in 2025 never stands for a whole former district.  A
  successor is "partial" when the old unit went to more than one unit.
* Rows that cannot be applied (an old commune that no longer existed the day before the
  conversion, a new commune not in the new list) are skipped and reported, never guessed.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

from danso.units.codes import COUNTRY_CODE, Level, normalize_code
from danso.units.naming import bare_name

EntityKey = tuple[str, Level, str]  # (scheme, level, code)

COUNTRY_KEY: EntityKey = ("", Level.COUNTRY, COUNTRY_CODE)
COUNTRY_NAME = "Việt Nam"
ONE_DAY = timedelta(days=1)

# Prefixes of official names, longest first, used only to fill an empty `type`.
_TYPE_BY_PREFIX = (
    ("thành phố", "thành phố"),
    ("thị xã", "thị xã"),
    ("thị trấn", "thị trấn"),
    ("đặc khu", "đặc khu"),
    ("huyện", "huyện"),
    ("quận", "quận"),
    ("phường", "phường"),
    ("tỉnh", "tỉnh"),
    ("xã", "xã"),
)


@dataclass(frozen=True)
class SnapshotSpec:
    path: Path
    scheme: str
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class ConversionSpec:
    path: Path
    effective: date
    decision: str

    def checksum(self) -> str:
        """SHA-256 over the file's name and content (a supplement's own checksum)."""
        digest = hashlib.sha256()
        digest.update(self.path.name.encode())
        digest.update(self.path.read_bytes())
        return digest.hexdigest()


@dataclass(frozen=True)
class GeometrySpec:
    path: Path
    level: Level
    code_property: str
    on: date
    source: str


@dataclass(frozen=True)
class Manifest:
    """What ``MANIFEST.json`` lists.

    ``supplements`` are conversion tables marked ``"supplement": true``: compiled
    additions (Hà Nội's successions of 1/1/2025) applied after the main data set by the
    loader's conversion import, each with its own checksum.  They are not part of
    ``checksum()``, so adding one leaves an installed main data set valid.
    """

    name: str
    snapshots: tuple[SnapshotSpec, ...]
    conversions: tuple[ConversionSpec, ...]
    geometries: tuple[GeometrySpec, ...]
    supplements: tuple[ConversionSpec, ...] = ()

    def files(self) -> list[Path]:
        specs: list[SnapshotSpec | ConversionSpec | GeometrySpec] = [
            *self.snapshots,
            *self.conversions,
            *self.supplements,
            *self.geometries,
        ]
        return [spec.path for spec in specs]

    def checksum(self, *, with_geometries: bool = False) -> str:
        """SHA-256 over the unit files (and optionally the geometry files); supplements
        are not included (see the class docstring)."""
        digest = hashlib.sha256()
        paths = [s.path for s in self.snapshots] + [c.path for c in self.conversions]
        if with_geometries:
            paths += [g.path for g in self.geometries]
        for path in paths:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()


def read_manifest(path: Path) -> Manifest:
    """Read ``MANIFEST.json``; file names in it are relative to its folder."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    folder = path.parent

    def day(text: str | None) -> date | None:
        return date.fromisoformat(text) if text else None

    snapshots = []
    for item in raw["snapshots"]:
        valid_from = day(item["valid_from"])
        assert valid_from is not None, f"{path}: a snapshot needs valid_from"
        snapshots.append(
            SnapshotSpec(folder / item["file"], item["scheme"], valid_from, day(item["valid_to"]))
        )
    conversions: list[ConversionSpec] = []
    supplements: list[ConversionSpec] = []
    for item in raw.get("conversions", []):
        effective = day(item["effective"])
        assert effective is not None, f"{path}: a conversion needs effective"
        spec = ConversionSpec(folder / item["file"], effective, item.get("decision", ""))
        (supplements if item.get("supplement") else conversions).append(spec)
    geometries = []
    for item in raw.get("geometries", []):
        on = day(item["date"])
        assert on is not None, f"{path}: a geometry needs a date"
        geometries.append(
            GeometrySpec(
                (folder / item["file"]).resolve(),
                Level(item["level"]),
                item["code_property"],
                on,
                item.get("source", ""),
            )
        )
    return Manifest(
        raw["name"], tuple(snapshots), tuple(conversions), tuple(geometries), tuple(supplements)
    )


@dataclass
class RefVersion:
    valid_from: date
    valid_to: date | None
    code: str
    name: str
    type: str
    parent: EntityKey | None

    def same_state(self, other: RefVersion) -> bool:
        return (self.code, self.name, self.type, self.parent) == (
            other.code,
            other.name,
            other.type,
            other.parent,
        )


@dataclass
class RefEntity:
    key: EntityKey
    versions: list[RefVersion] = field(default_factory=list)

    @property
    def level(self) -> Level:
        return self.key[1]

    @property
    def valid_from(self) -> date:
        return self.versions[0].valid_from

    @property
    def valid_to(self) -> date | None:
        return self.versions[-1].valid_to

    def exists_on(self, day: date) -> bool:
        return any(
            v.valid_from <= day and (v.valid_to is None or day <= v.valid_to) for v in self.versions
        )


@dataclass(frozen=True)
class RefSuccession:
    predecessor: EntityKey
    successor: EntityKey
    effective: date
    partial: bool
    decision: str


class NoteKind(StrEnum):
    """What the loader noticed in a source file (``Note``)."""

    #: a snapshot row without a type; the type was taken from the name
    EMPTY_TYPE = "empty_type"
    #: a conversion row whose old commune did not exist the day before; skipped
    OLD_MISSING = "old_missing"
    #: a conversion row whose new commune does not exist on the day; skipped
    NEW_MISSING = "new_missing"
    #: a conversion row whose old commune continues after the day before; skipped
    OLD_CONTINUES = "old_continues"
    #: a commune that closes the day before a conversion without a successor in it
    NO_SUCCESSOR = "no_successor"
    #: a commune that opens on a conversion's day without a predecessor in it
    NO_PREDECESSOR = "no_predecessor"


@dataclass(frozen=True)
class Note:
    """Something the loader noticed in a source file, kept as data so that it is worded
    in the reader's language where it is shown (``danso.units.imports.note_text``).

    ``params`` hold the words of the file (codes, names, the type) and days as ISO
    strings: ``code``, ``name``, ``day``, and for ``EMPTY_TYPE`` ``level`` and ``type``.
    """

    kind: NoteKind
    file: str
    line: int | None = None
    params: Mapping[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        """The form stored in ``ReferenceDataset.problems``."""
        return {
            "kind": self.kind.value,
            "file": self.file,
            "line": self.line,
            "params": dict(self.params),
        }

    @classmethod
    def from_stored(cls, stored: object) -> Note | None:
        """The note stored as ``as_json`` made it, or in the English sentence the loader
        wrote before notes were kept as data; None for any other text (shown as stored)."""
        if isinstance(stored, dict):
            try:
                line = stored.get("line")
                return cls(
                    NoteKind(stored["kind"]),
                    str(stored["file"]),
                    int(line) if line is not None else None,
                    {str(k): str(v) for k, v in dict(stored.get("params") or {}).items()},
                )
            except (KeyError, TypeError, ValueError):
                return None
        if isinstance(stored, str):
            for kind, pattern in _FORMER_SENTENCES:
                found = pattern.fullmatch(stored)
                if found is not None:
                    words = found.groupdict()
                    file, line = words.pop("file"), words.pop("line", None)
                    if "type" in words:
                        words["type"] = words["type"][1:-1]  # it was printed with repr()
                    return cls(kind, file, int(line) if line else None, words)
        return None


_ISO_DAY = r"(?P<day>\d{4}-\d{2}-\d{2})"
#: The English sentences the loader stored before notes were data (ReferenceDataset rows
#: of an installation loaded then), to be read back as notes.
_FORMER_SENTENCES = (
    (
        NoteKind.EMPTY_TYPE,
        re.compile(
            r"(?P<file>[^:]+):(?P<line>\d+): empty type for (?P<level>[a-z]+) (?P<code>\S+) "
            r"\((?P<name>.*)\); taken from the name: (?P<type>'.*'|\".*\")"
        ),
    ),
    (
        NoteKind.OLD_MISSING,
        re.compile(
            r"(?P<file>[^:]+):(?P<line>\d+): old commune (?P<code>\S+) did not exist on "
            + _ISO_DAY
            + "; row skipped"
        ),
    ),
    (
        NoteKind.NEW_MISSING,
        re.compile(
            r"(?P<file>[^:]+):(?P<line>\d+): new commune (?P<code>\S+) does not exist on "
            + _ISO_DAY
            + "; row skipped"
        ),
    ),
    (
        NoteKind.OLD_CONTINUES,
        re.compile(
            r"(?P<file>[^:]+):(?P<line>\d+): old commune (?P<code>\S+) continues after "
            + _ISO_DAY
            + "; row skipped"
        ),
    ),
    (
        NoteKind.NO_SUCCESSOR,
        re.compile(
            r"(?P<file>[^:]+): commune (?P<code>\S+) \((?P<name>.*)\) closes on "
            + _ISO_DAY
            + " but the table gives it no successor"
        ),
    ),
    (
        NoteKind.NO_PREDECESSOR,
        re.compile(
            r"(?P<file>[^:]+): commune (?P<code>\S+) \((?P<name>.*)\) opens on "
            + _ISO_DAY
            + " but the table gives it no predecessor"
        ),
    ),
)


@dataclass
class ReferencePlan:
    """Everything the loader writes: units with their versions, and successions, and
    what it noticed in the files."""

    entities: dict[EntityKey, RefEntity]
    successions: list[RefSuccession]
    problems: list[Note]

    def count_on(self, day: date, level: Level) -> int:
        return sum(1 for e in self.entities.values() if e.level is level and e.exists_on(day))


@dataclass(frozen=True)
class _Row:
    level: Level
    code: str
    name: str
    type: str
    parent_code: str


def _read_snapshot(spec: SnapshotSpec, problems: list[Note]) -> list[_Row]:
    rows = []
    with spec.path.open(encoding="utf-8", newline="") as handle:
        for line, raw in enumerate(csv.DictReader(handle), start=2):
            level = Level(raw["level"])
            name = raw["name"].strip()
            unit_type = raw["type"].strip() or _type_from_name(name)
            if not raw["type"].strip():
                problems.append(
                    Note(
                        NoteKind.EMPTY_TYPE,
                        spec.path.name,
                        line,
                        {
                            "level": level.value,
                            "code": raw["code"],
                            "name": name,
                            "type": unit_type,
                        },
                    )
                )
            rows.append(
                _Row(
                    level,
                    normalize_code(level, raw["code"]),
                    name,
                    unit_type,
                    _strip_padding(raw["parent_code"]),
                )
            )
    return rows


def _strip_padding(code: str) -> str:
    text = code.strip()
    return (text.lstrip("0") or "0") if text else ""


def _type_from_name(name: str) -> str:
    lowered = name.lower()
    for prefix, unit_type in _TYPE_BY_PREFIX:
        if lowered.startswith(prefix):
            return unit_type
    return ""


@dataclass(frozen=True)
class _ConversionRow:
    line: int
    old_commune: str
    old_province: str
    partial: bool
    new_commune: str
    new_province: str


def _read_conversion(spec: ConversionSpec) -> list[_ConversionRow]:
    rows = []
    with spec.path.open(encoding="utf-8", newline="") as handle:
        for line, raw in enumerate(csv.DictReader(handle), start=2):
            rows.append(
                _ConversionRow(
                    line,
                    normalize_code(Level.COMMUNE, raw["old_commune_code"]),
                    normalize_code(Level.PROVINCE, raw["old_province_code"]),
                    raw["old_partly_merged"].strip() == "1",
                    normalize_code(Level.COMMUNE, raw["new_commune_code"]),
                    normalize_code(Level.PROVINCE, raw["new_province_code"]),
                )
            )
    return rows


def _continuing_provinces(rows: list[_ConversionRow]) -> set[str]:
    """Province codes whose territory is the same before and after a conversion."""
    went_to: dict[str, set[str]] = defaultdict(set)
    came_from: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        went_to[row.old_province].add(row.new_province)
        came_from[row.new_province].add(row.old_province)
    return {code for code, targets in went_to.items() if targets == {code} == came_from[code]}


def build_plan(manifest: Manifest) -> ReferencePlan:
    """Build the dated tree described by ``manifest`` (see the module docstring)."""
    problems: list[Note] = []
    snapshots = sorted(manifest.snapshots, key=lambda s: s.valid_from)
    conversions = {c.effective: (c, _read_conversion(c)) for c in manifest.conversions}

    entities: dict[EntityKey, RefEntity] = {
        COUNTRY_KEY: RefEntity(
            COUNTRY_KEY,
            [
                RefVersion(
                    snapshots[0].valid_from, None, COUNTRY_CODE, COUNTRY_NAME, "quốc gia", None
                )
            ],
        )
    }
    # A continuing province keeps its key from the earlier scheme.
    carried: dict[EntityKey, EntityKey] = {}

    for spec in snapshots:
        conversion = conversions.get(spec.valid_from)
        if conversion is not None:
            previous_scheme = _scheme_on(snapshots, spec.valid_from - ONE_DAY)
            if previous_scheme is not None and previous_scheme != spec.scheme:
                for code in _continuing_provinces(conversion[1]):
                    carried[(spec.scheme, Level.PROVINCE, code)] = (
                        previous_scheme,
                        Level.PROVINCE,
                        code,
                    )
        rows = _read_snapshot(spec, problems)
        has_districts = any(row.level is Level.DISTRICT for row in rows)
        for row in rows:
            key = carried.get(
                (spec.scheme, row.level, row.code), (spec.scheme, row.level, row.code)
            )
            version = RefVersion(
                spec.valid_from,
                spec.valid_to,
                row.code,
                row.name,
                row.type,
                _parent_key(spec.scheme, row, has_districts, carried),
            )
            entity = entities.get(key)
            if entity is None:
                entities[key] = RefEntity(key, [version])
                continue
            last = entity.versions[-1]
            if (
                last.valid_to is not None
                and last.valid_to + ONE_DAY == spec.valid_from
                and (last.same_state(version))
            ):
                last.valid_to = spec.valid_to
            else:
                entity.versions.append(version)

    successions: list[RefSuccession] = []
    for conversion_spec, conversion_rows in conversions.values():
        successions += _successions(conversion_spec, conversion_rows, entities, problems)
    return ReferencePlan(entities, successions, problems)


def _scheme_on(snapshots: list[SnapshotSpec], day: date) -> str | None:
    for spec in snapshots:
        if spec.valid_from <= day and (spec.valid_to is None or day <= spec.valid_to):
            return spec.scheme
    return None


def _parent_key(
    scheme: str, row: _Row, has_districts: bool, carried: dict[EntityKey, EntityKey]
) -> EntityKey:
    if row.level is Level.PROVINCE:
        return COUNTRY_KEY
    if row.level is Level.DISTRICT:
        parent: EntityKey = (scheme, Level.PROVINCE, row.parent_code)
    else:
        # A commune's parent is its district while districts exist, its province after.
        parent_level = Level.DISTRICT if has_districts else Level.PROVINCE
        parent = (scheme, parent_level, row.parent_code)
    return carried.get(parent, parent)


def _successions(
    spec: ConversionSpec,
    rows: list[_ConversionRow],
    entities: dict[EntityKey, RefEntity],
    problems: list[Note],
) -> list[RefSuccession]:
    before = spec.effective - ONE_DAY
    on_day: dict[tuple[date, Level, str], EntityKey] = {}
    for key, entity in entities.items():
        for when in (before, spec.effective):
            if entity.exists_on(when):
                code = next(
                    v.code
                    for v in entity.versions
                    if v.valid_from <= when and (v.valid_to is None or when <= v.valid_to)
                )
                on_day[(when, entity.level, code)] = key

    commune_links: dict[tuple[EntityKey, EntityKey], bool] = {}
    for row in rows:
        old = on_day.get((before, Level.COMMUNE, row.old_commune))
        new = on_day.get((spec.effective, Level.COMMUNE, row.new_commune))
        if old is None:
            problems.append(
                Note(
                    NoteKind.OLD_MISSING,
                    spec.path.name,
                    row.line,
                    {"code": row.old_commune, "day": before.isoformat()},
                )
            )
            continue
        if new is None:
            problems.append(
                Note(
                    NoteKind.NEW_MISSING,
                    spec.path.name,
                    row.line,
                    {"code": row.new_commune, "day": spec.effective.isoformat()},
                )
            )
            continue
        if entities[old].valid_to != before:
            problems.append(
                Note(
                    NoteKind.OLD_CONTINUES,
                    spec.path.name,
                    row.line,
                    {"code": row.old_commune, "day": before.isoformat()},
                )
            )
            continue
        commune_links[(old, new)] = commune_links.get((old, new), False) or row.partial

    result = [
        RefSuccession(old, new, spec.effective, partial, spec.decision)
        for (old, new), partial in commune_links.items()
    ]

    # Closed provinces: successors derived from their communes (a province to the new
    # provinces; an abolished district gets none: no district follows it).
    parent_on_day: dict[EntityKey, EntityKey | None] = {}
    for key, entity in entities.items():
        for version in entity.versions:
            if version.valid_from <= before and (
                version.valid_to is None or before <= version.valid_to
            ):
                parent_on_day[key] = version.parent
    targets: dict[EntityKey, set[EntityKey]] = defaultdict(set)
    for old, new in commune_links:
        district = parent_on_day.get(old)
        province = parent_on_day.get(district) if district else None
        new_province = entities[new].versions[0].parent
        if province and new_province and entities[province].valid_to == before:
            targets[province].add(new_province)
    for old, news in targets.items():
        for new in sorted(news):
            result.append(RefSuccession(old, new, spec.effective, len(news) > 1, spec.decision))

    old_communes = {old for old, _ in commune_links}
    for key, entity in entities.items():
        if entity.level is Level.COMMUNE and entity.valid_to == before and key not in old_communes:
            last = entity.versions[-1]
            problems.append(
                Note(
                    NoteKind.NO_SUCCESSOR,
                    spec.path.name,
                    None,
                    {"code": last.code, "name": last.name, "day": before.isoformat()},
                )
            )
    new_communes = {new for _, new in commune_links}
    for key, entity in entities.items():
        if (
            entity.level is Level.COMMUNE
            and entity.valid_from == spec.effective
            and (key not in new_communes)
        ):
            first = entity.versions[0]
            problems.append(
                Note(
                    NoteKind.NO_PREDECESSOR,
                    spec.path.name,
                    None,
                    {"code": first.code, "name": first.name, "day": spec.effective.isoformat()},
                )
            )
    return result


# ---------------------------------------------------------------- inferred successions


class InferenceRule(StrEnum):
    """Why a link was inferred from two snapshots (``infer_successions``)."""

    #: a continuing commune of the same district took the closed commune's name
    TOOK_NAME = "took_name"
    #: a continuing commune of the same district was renamed to a name that adds the
    #: closed commune's name ("Văn Miếu" → "Văn Miếu - Quốc Tử Giám" for "Quốc Tử Giám")
    NAME_CONTAINS = "name_contains"
    #: the only commune of the district that closed, and the only one renamed
    ONLY_PAIR = "only_pair"


@dataclass(frozen=True)
class InferredLink:
    """A succession the snapshots suggest but no table states: to be confirmed."""

    predecessor: EntityKey
    successor: EntityKey
    effective: date
    partial: bool
    rule: InferenceRule
    #: what the rule saw: the successor's rename and the district, in the lists' words
    evidence: str


_WORD = re.compile(r"\w+")


def _words(name: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(bare_name(name)))


def _contains(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    n = len(part)
    return n > 0 and any(words[i : i + n] == part for i in range(len(words) - n + 1))


def _version_on(entity: RefEntity, day: date) -> RefVersion | None:
    for version in entity.versions:
        if version.valid_from <= day and (version.valid_to is None or day <= version.valid_to):
            return version
    return None


def infer_successions(
    entities: Mapping[EntityKey, RefEntity],
    *,
    last_day: date,
    succeeded: Collection[EntityKey] = (),
) -> list[InferredLink]:
    """Successors the snapshots suggest for the communes that close on ``last_day``
    without a recorded succession (those in ``succeeded`` have one and are skipped).

    Only communes of the same district (on ``last_day``) that continue on the next day
    are considered, and a link is offered only when the rules that apply all point to the
    same single commune:

    * ``TOOK_NAME``: a continuing commune was renamed to the closed commune's name;
    * ``NAME_CONTAINS``: a continuing commune was renamed to a name that adds the closed
      commune's whole name as words ("Văn Miếu - Quốc Tử Giám" for "Quốc Tử Giám");
    * ``ONLY_PAIR``: the closed commune is the only one of its district to close that
      day, and exactly one commune of the district was renamed.

    Names are compared without case, diacritics, tone-mark placement or the type word.
    Every link is whole (not partial): where a commune was split, no rule fires twice.
    The result is sorted by predecessor key; it is an offer for a person to confirm,
    never a succession by itself.
    """
    effective = last_day + ONE_DAY
    closed: dict[EntityKey, RefVersion] = {}
    # district -> continuing communes: (key, version on last_day, version on effective)
    continuing: dict[EntityKey | None, list[tuple[EntityKey, RefVersion, RefVersion]]] = (
        defaultdict(list)
    )
    closed_in: dict[EntityKey | None, int] = defaultdict(int)
    for key, entity in entities.items():
        if entity.level is not Level.COMMUNE:
            continue
        before = _version_on(entity, last_day)
        if before is None:
            continue
        after = _version_on(entity, effective)
        if after is None:
            if entity.valid_to == last_day:
                closed[key] = before
                closed_in[before.parent] += 1
        else:
            continuing[before.parent].append((key, before, after))

    links: list[InferredLink] = []
    for key in sorted(closed):
        if key in succeeded:
            continue
        version = closed[key]
        name = _words(version.name)
        renamed = [
            (other, old, new)
            for other, old, new in continuing[version.parent]
            if _words(old.name) != _words(new.name)
        ]
        found: dict[InferenceRule, set[EntityKey]] = defaultdict(set)
        for other, old, new in renamed:
            if _words(new.name) == name:
                found[InferenceRule.TOOK_NAME].add(other)
            elif _contains(_words(new.name), name) and not _contains(_words(old.name), name):
                found[InferenceRule.NAME_CONTAINS].add(other)
        if closed_in[version.parent] == 1 and len(renamed) == 1:
            found[InferenceRule.ONLY_PAIR].add(renamed[0][0])
        candidates = set().union(*found.values()) if found else set()
        if len(candidates) != 1:
            continue  # nothing points anywhere, or the rules disagree: offer nothing
        successor = candidates.pop()
        rule = next(r for r in InferenceRule if successor in found.get(r, set()))
        old, new = next((o, n) for k, o, n in renamed if k == successor)
        district = entities.get(version.parent) if version.parent else None
        district_version = _version_on(district, last_day) if district else None
        where = f" ({district_version.name})" if district_version else ""
        links.append(
            InferredLink(key, successor, effective, False, rule, f"{old.name} → {new.name}{where}")
        )
    return links
