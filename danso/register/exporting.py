"""Exporting the register of a unit's subtree in the exchange format (docs/REGISTER-FORMAT.md).

``register_export(root, on, folder)`` writes ``units.csv``, ``households.csv``,
``persons.csv`` and ``events.csv`` such that importing them into an empty register
(``importing.register_import``) gives the same register: the same households, persons,
memberships and events, with the same typed fields and extra attributes.

What is written:

- the households that sat in the subtree on ``on``, and every person who ever belonged
  to one of them (and the children born to those persons), with all their events;
- the other households those persons belonged to (a move within the commune from a
  village outside the subtree), so that every reference in the files resolves;
- the villages those households ever sat in (``units.csv``): a row for each commune a
  village belonged to (format 1.1: ``village_id``, ``valid_from``, ``valid_to``), its
  commune's code read on the ``as_of`` day written with it;
- every placement of those households (``placements.csv``, 1.1), the codes of each read
  on a day of the placement: the same code names another commune before and after the
  2025 reform (00118: Ngọc Thụy, then Bồ Đề), so a code is never read on another day.

Each household is written in ``households.csv`` with the unit it sat in on ``on`` (or,
if it had left the tree's units by then, its last placement).  Imported into an empty
register the files give the same villages (with their moves), placements, persons,
memberships and events, so the same figures for every period; imported into the same
register they change nothing.

Personal data leave danso here, so every export is logged (``privacy.log_export``), with
the communes and villages it holds.  A person (not ``accounts.scope.SYSTEM``) needs the right to see
persons whole (``Action.VIEW_PERSONS``) on the root unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from danso.accounts.scope import SYSTEM, actor_scope, unit_scope
from danso.register import exchange, privacy
from danso.register.models import Event, Household, HouseholdPlacement, Membership, Person
from danso.register.vocabulary import EventType
from danso.units.codes import Level
from danso.units.models import Unit, UnitVersion, valid_on
from danso.units.scope import Action

BATCH = 900  # ids in one ``__in`` lookup (SQLite before 3.32 takes 999 values)

#: Keys of ``Event.extra`` that are columns of the format.
EVENT_COLUMNS = set(exchange.KNOWN["events"])


def register_export(
    root_unit: Unit,
    on: date,
    out_dir: Path,
    *,
    user: Any,
    where: str = privacy.Where.EXPORT_COMMAND,
    path: str = "",
) -> dict[str, Any]:
    """Write the register of ``root_unit``'s subtree, as of ``on``, into ``out_dir``.

    Returns what was written: ``{"unit", "date", "output", "format", "rows": {table: n}}``.  Raises
    ``ValueError`` if the unit does not exist on ``on`` and ``PermissionDenied`` if
    ``user`` may not see the persons of it (``accounts.scope.SYSTEM``, a command run
    without ``--user``, sees every unit; None sees none).
    """
    root = (
        UnitVersion.objects.filter(unit=root_unit)
        .filter(valid_on(on))
        .select_related("unit")
        .first()
    )
    if root is None:
        raise ValueError(f"{root_unit} does not exist on {on:%d/%m/%Y}")
    if not actor_scope(user, on).allows(Action.VIEW_PERSONS, root):
        raise PermissionDenied(f"{root.name} is outside the units whose persons you may see")
    out_dir.mkdir(parents=True, exist_ok=True)
    subtree = UnitVersion.objects.filter(valid_on(on), path__startswith=root.path).values("unit_id")
    inside = HouseholdPlacement.objects.filter(valid_on(on), unit_id__in=subtree).values(
        "household_id"
    )
    members = Membership.objects.filter(household_id__in=inside).values("person_id")
    children = Event.objects.filter(event_type=EventType.BIRTH, person_id__in=members).values(
        "child_id"
    )
    persons = Person.objects.filter(Q(pk__in=members) | Q(pk__in=children))
    kept: set[int] | None = None  # the households whose address the user may read
    person = user is not SYSTEM
    if person:
        # A person who moved out of the user's units left their reach with their history
        # (register.privacy): the export holds the persons the user keeps, no others.
        scope = unit_scope(user, on)
        persons = persons.filter(
            pk__in=privacy.persons_visible(scope, user, Action.VIEW_PERSONS).values("pk")
        )
        kept = set(
            privacy.households_visible(scope, user, Action.VIEW_PERSONS).values_list(
                "pk", flat=True
            )
        )
    households = Household.objects.filter(
        Q(pk__in=inside)
        | Q(
            pk__in=Membership.objects.filter(person_id__in=persons.values("pk")).values(
                "household_id"
            )
        )
    )
    places = _Places(households, on)
    source_ids = dict(households.values_list("pk", "source_id"))
    rows = {
        "units": exchange.write_table(
            out_dir,
            "units",
            [*exchange.UNITS_REQUIRED, *exchange.UNITS_OPTIONAL],
            places.village_rows(),
        ),
        "households": _write_households(out_dir, households, places, kept),
        "placements": exchange.write_table(
            out_dir,
            "placements",
            [*exchange.PLACEMENTS_REQUIRED, *exchange.PLACEMENTS_OPTIONAL],
            places.placement_rows(source_ids),
        ),
        "persons": _write_persons(out_dir, persons),
        "events": _write_events(
            out_dir,
            Event.objects.filter(person_id__in=persons.values("pk")),
            set(persons.values_list("pk", flat=True)) if person else None,
        ),
    }
    # The log is written in Vietnamese whatever the reader's language: it is a record.
    privacy.log_export(
        user=user,
        units=privacy.units_placed_under([root_unit.pk], on) | set(places.unit_ids()),
        where=where,
        path=path,
        description=(
            f"Xuất sổ hộ {root.name} ngày {on:%d/%m/%Y}: {rows['households']} hộ, "
            f"{rows['persons']} người, {rows['events']} sự kiện"
        ),
        rows=sum(rows.values()),
    )
    return {
        "unit": root.as_node(),
        "date": on.isoformat(),
        "output": str(out_dir),
        "format": exchange.FORMAT_VERSION,
        "rows": rows,
    }


# ---------------------------------------------------------------- units and households


class _Places:
    """Where each exported household sits (unit, as_of day) and what that unit's and its
    commune's codes were on that day; with every placement of the households and every
    version of the villages they were placed in (format 1.1)."""

    def __init__(self, households: QuerySet[Household], on: date) -> None:
        self.on = on
        self.placements: dict[int, list[tuple[date, date | None, int]]] = {}
        fallback: dict[int, int] = {}
        for pk, unit_id in households.values_list("pk", "unit_id"):
            fallback[pk] = unit_id
            self.placements[pk] = []
        placements = (
            HouseholdPlacement.objects.filter(household__in=households)
            .order_by("household_id", "valid_from")
            .values_list("household_id", "valid_from", "valid_to", "unit_id")
        )
        for household_id, start, end, unit_id in placements:
            self.placements[household_id].append((start, end, unit_id))
        self.unit: dict[int, int] = {pk: self._unit(pk, fallback[pk]) for pk in fallback}
        self.versions: dict[int, list[UnitVersion]] = {}
        placed = set(self.unit.values())
        placed |= {unit for rows in self.placements.values() for _s, _e, unit in rows}
        self.placed = placed
        self._load(placed)
        parents = {v.parent_id for vs in self.versions.values() for v in vs if v.parent_id}
        self._load(parents)
        self.villages: dict[tuple[str, str], tuple[str, str, str]] = {}
        self.rows = {pk: self._row(pk) for pk in self.unit}

    def _unit(self, household_id: int, fallback: int) -> int:
        placements = self.placements[household_id]
        for start, end, unit_id in placements:
            if start <= self.on and (end is None or self.on <= end):
                return unit_id
        before = [p for p in placements if p[0] <= self.on]
        if before:
            return before[-1][2]
        return placements[0][2] if placements else fallback

    def _load(self, unit_ids: Iterable[int]) -> None:
        wanted = [u for u in unit_ids if u not in self.versions]
        for unit_id in wanted:
            self.versions[unit_id] = []
        for version in (
            UnitVersion.objects.filter(unit_id__in=wanted)
            .select_related("unit")
            .order_by("unit_id", "valid_from")
        ):
            self.versions[version.unit_id].append(version)

    def version(self, unit_id: int, day: date) -> UnitVersion:
        """The unit's version on ``day``, or the nearest one."""
        versions = self.versions[unit_id]
        for version in versions:
            if version.covers(day):
                return version
        before = [v for v in versions if v.valid_from <= day]
        return before[-1] if before else versions[0]

    def day_within(self, unit_id: int, start: date, end: date | None) -> date:
        """A day of ``start``–``end`` on which the unit exists (the first), else the
        nearest day it exists: the day its codes are read on."""
        versions = self.versions[unit_id]
        for version in versions:
            if version.covers(start):
                return start
            if start < version.valid_from and (end is None or version.valid_from <= end):
                return version.valid_from
        version = self.version(unit_id, start)
        return version.valid_from if start < version.valid_from else (version.valid_to or start)

    def codes(self, unit_id: int, day: date) -> tuple[str, str, str]:
        """(commune_code, village_code, village_id) of the unit on ``day``."""
        version = self.version(unit_id, day)
        if version.unit.level != Level.VILLAGE:
            return exchange.format_code(Level.COMMUNE, version.code), "", ""
        assert version.parent_id is not None
        commune = self.version(version.parent_id, self.day_within(version.parent_id, day, day))
        commune_code = exchange.format_code(Level.COMMUNE, commune.code)
        return commune_code, version.code.removeprefix(f"{commune_code}-"), version.code

    def _row(self, household_id: int) -> tuple[str, str, str]:
        """(commune_code, village_code, as_of) of the household."""
        unit_id = self.unit[household_id]
        version = self.version(unit_id, self.on)
        as_of = self.on if version.covers(self.on) else (version.valid_to or version.valid_from)
        commune_code, village_code, _village_id = self.codes(unit_id, as_of)
        return commune_code, village_code, as_of.isoformat()

    def unit_ids(self) -> set[int]:
        """The communes and villages the exported households are or were placed in."""
        return set(self.placed)

    def village_rows(self) -> Iterator[list[str]]:
        """A row per village and commune it belonged to (1.1): the village's versions
        under one commune, its codes read on a day of them."""
        rows: list[list[str]] = []
        for unit_id, versions in self.versions.items():
            if not versions or versions[0].unit.level != Level.VILLAGE:
                continue
            for version in versions:
                assert version.parent_id is not None
                as_of = max(
                    version.valid_from,
                    self.day_within(version.parent_id, version.valid_from, version.valid_to),
                )
                commune_code, village_code, village_id = self.codes(unit_id, as_of)
                rows.append(
                    [
                        village_code,
                        version.name,
                        commune_code,
                        as_of.isoformat(),
                        village_id,
                        exchange.format_date(version.valid_from),
                        exchange.format_date(version.valid_to),
                    ]
                )
        rows.sort(key=lambda row: (row[4], row[5]))
        yield from _merged(rows)

    def placement_rows(self, source_ids: dict[int, str]) -> Iterator[list[str]]:
        """A row per placement of the households (1.1), codes read on a day of it."""
        for pk in sorted(self.placements, key=lambda pk: source_ids[pk]):
            for start, end, unit_id in self.placements[pk]:
                as_of = self.day_within(unit_id, start, end)
                commune_code, village_code, _village_id = self.codes(unit_id, as_of)
                yield [
                    source_ids[pk],
                    commune_code,
                    as_of.isoformat(),
                    exchange.format_date(start),
                    village_code,
                    exchange.format_date(end),
                ]


def _merged(rows: list[list[str]]) -> Iterator[list[str]]:
    """Consecutive rows of one village under the same commune and code (a version
    changed by a rename or a move of the commune) as one row each: the commune held the
    village throughout."""
    last: list[str] | None = None
    for row in rows:
        if (
            last is not None
            and last[4] == row[4]
            and last[0] == row[0]
            and last[2] == row[2]
            and last[1] == row[1]
            and last[6]
            and date.fromisoformat(last[6]).toordinal() + 1
            == date.fromisoformat(row[5]).toordinal()
        ):
            last[6] = row[6]
            continue
        if last is not None:
            yield last
        last = row
    if last is not None:
        yield last


def _extra_keys(rows: Iterable[dict[str, Any] | None], known: Iterable[str]) -> list[str]:
    keys: set[str] = set()
    for extra in rows:
        if extra:
            keys.update(extra)
    return sorted(keys - set(known))


def _write_households(
    folder: Path, households: QuerySet[Household], places: _Places, kept: set[int] | None
) -> int:
    """The households; ``kept`` (when the export is a user's): those whose address the
    user may read: another household a person once belonged to is written without it."""
    headers = [*exchange.HOUSEHOLDS_REQUIRED, *exchange.HOUSEHOLDS_OPTIONAL]
    extra = _extra_keys(households.values_list("extra", flat=True).iterator(), headers)
    ordered = households.order_by("source_id").values_list(
        "pk", "source_id", "address", "household_type", "number", "extra"
    )

    def rows() -> Iterator[list[str]]:
        for pk, source_id, address, household_type, number, values in ordered.iterator(BATCH):
            commune_code, village_code, as_of = places.rows[pk]
            fields = {
                "household_id": source_id,
                "commune_code": commune_code,
                "village_code": village_code,
                "as_of": as_of,
                "address": address if kept is None or pk in kept else "",
                "household_type": household_type,
                "number": number,
            }
            yield [fields[h] for h in headers] + [
                exchange.format_value((values or {}).get(k)) for k in extra
            ]

    return exchange.write_table(folder, "households", [*headers, *extra], rows())


# ---------------------------------------------------------------- persons and events


def _chunked(queryset: QuerySet[Any, Any]) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in queryset.iterator(BATCH):
        chunk.append(row)
        if len(chunk) == BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _write_persons(folder: Path, persons: QuerySet[Person]) -> int:
    headers = [*exchange.PERSONS_REQUIRED, *exchange.PERSONS_OPTIONAL]
    extra = _extra_keys(persons.values_list("extra", flat=True).iterator(), headers)
    ordered = persons.order_by("source_id").values_list(
        "pk",
        "source_id",
        "full_name",
        "sex",
        "birth_date",
        "birth_precision",
        "marital_status",
        "residence_status",
        "ethnicity",
        "id_number",
        "registered_on",
        "extra",
    )

    def rows() -> Iterator[list[str]]:
        for chunk in _chunked(ordered):
            first: dict[int, tuple[str, str]] = {}
            memberships = (
                Membership.objects.filter(person_id__in=[row[0] for row in chunk])
                .order_by("person_id", "-valid_from", "-pk")
                .values_list("person_id", "household__source_id", "relation")
            )
            for person_id, household, relation in memberships:
                first[person_id] = (household, relation)  # the earliest comes last
            for (
                pk,
                source_id,
                full_name,
                sex,
                birth_date,
                precision,
                marital,
                residence,
                ethnicity,
                id_number,
                registered_on,
                values,
            ) in chunk:
                household, relation = first.get(pk, ("", ""))
                fields = {
                    "person_id": source_id,
                    "household_id": household,
                    "full_name": full_name,
                    "sex": sex,
                    "birth_date": exchange.format_birth(birth_date, precision),
                    "registered_on": exchange.format_date(registered_on),
                    "relation_to_head": relation,
                    "marital_status": marital,
                    "residence_status": residence,
                    "ethnicity": ethnicity,
                    "id_number": id_number,
                }
                yield [fields[h] for h in headers] + [
                    exchange.format_value((values or {}).get(k)) for k in extra
                ]

    return exchange.write_table(folder, "persons", [*headers, *extra], rows())


EVENT_FIELDS = (
    "pk",
    "source_id",
    "event_type",
    "event_date",
    "person_id",
    "person__source_id",
    "note",
    "child_id",
    "child__source_id",
    "child_sex",
    "birth_order",
    "method",
    "supply",
    "new_acceptor",
    "spouse_id",
    "spouse__source_id",
    "extra",
)


def _write_events(folder: Path, events: QuerySet[Event], written: set[int] | None) -> int:
    """The events; ``written`` (when the export is a user's): the persons in the files,
    so that a child or spouse who is not (they left the user's units) is not named."""
    headers = [*exchange.EVENTS_REQUIRED, *exchange.EVENTS_OPTIONAL]
    extra = _extra_keys(events.values_list("extra", flat=True).iterator(), EVENT_COLUMNS)
    ordered = events.order_by("event_date", "source_id").values_list(*EVENT_FIELDS)

    def rows() -> Iterator[list[str]]:
        for chunk in _chunked(ordered):
            joined = _households_joined(chunk)
            for row in chunk:
                fields = dict(zip(EVENT_FIELDS, row, strict=True))
                if written is not None:
                    for key in ("child", "spouse"):
                        if fields[f"{key}_id"] not in written:
                            fields[f"{key}__source_id"] = ""
                yield _event_row(fields, headers, extra, joined)

    return exchange.write_table(folder, "events", [*headers, *extra], rows())


def _households_joined(chunk: Sequence[tuple[Any, ...]]) -> dict[tuple[int, date], str]:
    """For the moves in of ``chunk``: the household each person joined that day."""
    moves = [(row[4], row[3]) for row in chunk if row[2] == EventType.MOVE_IN]
    if not moves:
        return {}
    memberships = Membership.objects.filter(
        person_id__in={p for p, _d in moves}, valid_from__in={d for _p, d in moves}
    ).values_list("person_id", "valid_from", "household__source_id")
    return {(person, day): household for person, day, household in memberships}


def _event_row(
    row: dict[str, Any],
    headers: Sequence[str],
    extra: Sequence[str],
    joined: dict[tuple[int, date], str],
) -> list[str]:
    values: dict[str, Any] = dict(row["extra"] or {})
    typed = {
        "event_id": row["source_id"],
        "event_type": row["event_type"],
        "event_date": exchange.format_date(row["event_date"]),
        "person_id": row["person__source_id"],
        "note": row["note"],
        "child_person_id": row["child__source_id"] or "",
        "child_sex": row["child_sex"],
        "birth_order": "" if row["birth_order"] is None else str(row["birth_order"]),
        "method": row["method"],
        "supply": row["supply"],
        "new_acceptor": exchange.format_flag(row["new_acceptor"]),
        "spouse_person_id": row["spouse__source_id"] or "",
    }
    if row["event_type"] == EventType.MOVE_IN:
        typed["household_id"] = joined.get((row["person_id"], row["event_date"]), "")
    cells = []
    for column in headers:
        value = typed.get(column, "")
        cells.append(value if value else exchange.format_value(values.get(column)))
    return cells + [exchange.format_value(values.get(k)) for k in extra]
