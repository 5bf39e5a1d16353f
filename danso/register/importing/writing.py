"""Writing a checked import in one transaction: villages, households and their
placements, persons, memberships and events (a third pass over events.csv)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from danso.register import exchange
from danso.register.importing.batch import BATCH, ImportBatch, chunks, lookup_size
from danso.register.importing.bulk import BulkWriter, indexes_rebuilt
from danso.register.importing.checking import write_flags
from danso.register.importing.persons import parse_person, person_household_on
from danso.register.importing.places import event_unit, load_versions
from danso.register.importing.records import (
    BIRTH,
    DB,
    MARITAL,
    MISSING,
    NEVER,
    NEW,
    RELATIONS,
    SAME,
    Commune,
    EventRow,
)
from danso.register.models import Event, Household, HouseholdPlacement, Membership, Person
from danso.units.models import Unit, UnitVersion, valid_on
from danso.units.services import unit_move, village_create
from danso.vietnamese import fold

#: An empty table that receives at least this many rows is indexed once filled.
FILL_ROWS = 10_000

#: SQLite's page cache while an import writes, in KiB: a bulk insert updates a dozen
#: indexes of each table, and the default cache (2 MB) reads their pages again and again.
SQLITE_CACHE_KIB = 128 * 1024


def write_import(batch: ImportBatch) -> None:
    """Write everything checked, in one transaction."""
    now = timezone.now()
    with large_cache(), transaction.atomic():
        with indexes_rebuilt(tables_to_fill(batch)):
            write_villages(batch)
            write_households(batch, now)
            write_persons(batch, now)
            write_memberships(batch, now)
            write_events(batch, now)
        write_flags(batch)


def tables_to_fill(batch: ImportBatch) -> list[type[Model]]:
    """The register's tables that this import fills from empty with many rows: indexed
    once filled (``bulk.indexes_rebuilt``) rather than row by row."""
    imported = batch.report.imported
    wanted: list[tuple[type[Model], int]] = [
        (Household, imported["households"]),
        (HouseholdPlacement, imported["households"]),
        (Person, imported["persons"]),
        (Membership, imported["persons"]),
        (Event, imported["events"]),
    ]
    return [
        model for model, rows in wanted if rows >= FILL_ROWS and not model._default_manager.exists()
    ]


@contextmanager
def large_cache() -> Iterator[None]:
    """On SQLite, a larger page cache for the connection while the import writes."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before}")


def bulk_writer(batch: ImportBatch, model: type[Model], now: datetime) -> BulkWriter:
    """A bulk writer of ``model``, its history rows by the user with the import as reason."""
    return BulkWriter(model, now=now, user=batch.user, reason=batch.reason)


def write_villages(batch: ImportBatch) -> None:
    """Create the new villages from the first day a household needs them."""
    created: dict[int, int] = {}
    starts: dict[int, int] = {}
    for household in batch.households:
        if household.state == NEW and household.unit_id < 0:
            starts[household.unit_id] = min(starts.get(household.unit_id, NEVER), household.start)
    new = [v for v in batch.villages.values() if v.state == NEW and not v.later]
    for done, village in enumerate(new, start=1):
        commune = village.commune
        if village.valid_from is not None:  # 1.1: from the first day of its history
            start = village.valid_from
        else:
            first = min(starts.get(village.unit_id, NEVER), village.as_of.toordinal())
            start = date.fromordinal(first)
        start = max(start, commune.unit_from)
        unit = village_create(
            commune=Unit.objects.get(pk=commune.unit_id),
            code=village.village_id or f"{commune.code}-{village.unit_code}",
            name=village.name,
            type=village_type(village.name, commune.type),
            valid_from=start,
            user=batch.user,
            decision=batch.reason,
        )
        move_village(batch, unit, village.moves)
        created[village.unit_id] = unit.pk
        batch.report_progress("write_units", done, len(new))
    for household in batch.households:
        if household.unit_id in created:
            household.unit_id = created[household.unit_id]
        if household.state == NEW and household.placements:
            household.placements = [
                (start, end, created.get(unit, unit)) for start, end, unit in household.placements
            ]
    batch.created_villages = sorted(created.values())
    load_versions(batch, created.values())


def move_village(batch: ImportBatch, unit: Unit, moves: list[tuple[date, Commune]]) -> None:
    """Move a village just created to the communes of its later rows (1.1), on their
    first days; one that followed its commune there already stays."""
    for day, commune in moves:
        version = UnitVersion.objects.filter(valid_on(day), unit=unit).first()
        if version is not None and version.parent_id == commune.unit_id:
            continue
        unit_move(
            unit=unit,
            parent=Unit.objects.get(pk=commune.unit_id),
            effective=day,
            user=batch.user,
            decision=batch.reason,
        )


def write_households(batch: ImportBatch, now: datetime) -> None:
    """Insert the new households and their first placements."""
    new = [h for h in batch.households if h.state == NEW]
    households = bulk_writer(batch, Household, now)
    placements = bulk_writer(batch, HouseholdPlacement, now)
    for done, chunk in enumerate(chunks(new, BATCH), start=1):
        ids = households.write(
            {
                "source_id": h.source_id,
                "number": h.number,
                "address": h.address,
                "household_type": h.household_type,
                "unit_id": h.placements[-1][2] if h.placements else h.unit_id,
                "extra": h.extra,
            }
            for h in chunk
        )
        for household, pk in zip(chunk, ids, strict=True):
            household.pk = pk
        placements.write(
            {
                "household_id": h.pk,
                "unit_id": unit,
                "valid_from": date.fromordinal(start),
                "valid_to": None if end == NEVER else date.fromordinal(end),
            }
            for h in chunk
            for start, end, unit in (h.placements or [(h.start, NEVER, h.unit_id)])
        )
        batch.report_progress("write_households", min(done * BATCH, len(new)), len(new))


def final_marital_status(batch: ImportBatch, i: int) -> str:
    """Person ``i``'s marital status once the new marriages and divorces are applied."""
    status = batch.db_marital.get(i, MARITAL[batch.people.marital[i]])
    if batch.people.state[i] == NEW:
        status = MARITAL[batch.people.marital[i]]
        if batch.status_is_current:  # 1.1: the file's status is after its events
            return status
    for _when, _line, new in sorted(batch.marital_new.get(i, ())):
        status = new
    return status


def write_persons(batch: ImportBatch, now: datetime) -> None:
    """Insert the new persons (a pass over persons.csv); update the marital status of others."""
    people = batch.people
    total = people.state.count(NEW)
    if total:
        writer = bulk_writer(batch, Person, now)
        with batch.book.read("persons") as table:
            unknown = [c for c in table.headers if c not in exchange.KNOWN["persons"]]
            done = 0
            for chunk in chunks(table.rows, BATCH):
                rows: list[dict[str, Any]] = []
                indexes: list[int] = []
                for line, row in chunk:
                    i = people.index.get(row.get("person_id", ""), -1)
                    if i < 0 or people.state[i] != NEW or people.line[i] != line:
                        continue
                    person, _problems = parse_person(row, unknown)
                    assert person is not None
                    rows.append(
                        {
                            "source_id": person.person_id,
                            "full_name": person.full_name,
                            "name_folded": fold(person.full_name),
                            "sex": person.sex,
                            "birth_date": person.birth,
                            "birth_precision": person.precision,
                            "ethnicity": person.ethnicity,
                            "id_number": person.id_number,
                            "marital_status": final_marital_status(batch, i),
                            "residence_status": person.residence,
                            "registered_on": person.registered_on,
                            "extra": person.extra,
                        }
                    )
                    indexes.append(i)
                for i, pk in zip(indexes, writer.write(rows), strict=True):
                    people.pk[i] = pk
                done += len(rows)
                batch.report_progress("write_persons", done, total)
    changed = {
        people.pk[i]: status
        for i in batch.marital_new
        if people.state[i] in (SAME, DB)
        and (status := final_marital_status(batch, i)) != batch.db_marital.get(i)
    }
    for pks in chunks(sorted(changed), lookup_size()):
        persons = list(Person.objects.filter(pk__in=pks))
        for stored in persons:
            stored.marital_status = changed[stored.pk]
            stored.updated_at = now
        bulk_update_with_history(
            persons,
            Person,
            ["marital_status", "updated_at"],
            batch_size=BATCH,
            default_date=now,
            default_user=batch.user,
            default_change_reason=batch.reason,
        )


def write_memberships(batch: ImportBatch, now: datetime) -> None:
    """Insert the new stays and end those of danso that the moves and deaths ended."""
    people = batch.people
    households = batch.households
    writer = bulk_writer(batch, Membership, now)
    new: list[dict[str, Any]] = []
    ended: dict[int, date | None] = {}
    total = len(people.state)
    for i in range(total):
        state = people.state[i]
        if state not in (NEW, SAME, DB):
            continue
        stays = batch.stays.get(i)
        if stays is None:
            if state == NEW:
                new.append(
                    {
                        "person_id": people.pk[i],
                        "household_id": households[people.household[i]].pk,
                        "relation": RELATIONS[people.relation[i]],
                        "valid_from": date.fromordinal(people.registered[i]),
                    }
                )
        else:
            for stay in stays:
                end = date.fromordinal(stay.end) if stay.end is not None else None
                if stay.pk == 0:
                    new.append(
                        {
                            "person_id": people.pk[i],
                            "household_id": households[stay.household].pk,
                            "relation": stay.relation,
                            "valid_from": date.fromordinal(stay.start),
                            "valid_to": end,
                        }
                    )
                elif stay.changed:
                    ended[stay.pk] = end
        if len(new) >= BATCH:
            writer.write(new)
            new.clear()
            batch.report_progress("write_memberships", i, total)
    writer.write(new)
    for pks in chunks(sorted(ended), lookup_size()):
        memberships = list(Membership.objects.filter(pk__in=pks))
        for membership in memberships:
            membership.valid_to = ended[membership.pk]
        bulk_update_with_history(
            memberships,
            Membership,
            ["valid_to"],
            batch_size=BATCH,
            default_date=now,
            default_user=batch.user,
            default_change_reason=batch.reason,
        )
    batch.report_progress("write_memberships", total, total)


def write_events(batch: ImportBatch, now: datetime) -> None:
    """Insert the new events: the third pass, over the rows of events.csv kept parsed."""
    total = batch.ev_state.count(NEW)
    if not total:
        return
    writer = bulk_writer(batch, Event, now)
    user_id = batch.user.pk if batch.user is not None else None
    done = 0
    rows: list[dict[str, Any]] = []
    for ordinal, _line, event in batch.spooled_events():
        if batch.ev_state[ordinal] != NEW:
            continue
        values = event_insert_values(batch, ordinal, event, user_id)
        values["import_hash"] = batch.ev_digest[ordinal]  # events.row_hash of its row
        rows.append(values)
        if len(rows) >= BATCH:
            writer.write(rows)
            done += len(rows)
            rows = []
            batch.report_progress("write_events", done, total)
    writer.write(rows)
    batch.report_progress("write_events", total, total)


def event_insert_values(
    batch: ImportBatch, ordinal: int, event: EventRow, user_id: int | None
) -> dict[str, Any]:
    """The column values of a new event, with the unit and path where it counts."""
    people = batch.people
    i = people.index[event.person]
    day = event.day.toordinal()
    h = batch.event_household.get(ordinal)
    if h is None:
        h = person_household_on(batch, i, day)
    assert h is not None
    unit_id, path = event_unit(batch, h, day)
    if unit_id is None:
        raise ValidationError(path)
    extra = event.extra
    child_id = spouse_id = None
    child_sex = event.child_sex
    if event.kind is BIRTH:
        c = people.index[event.child]
        child_id = people.pk[c]
        child_sex = child_sex or chr(people.sex[c])
    if event.spouse:
        s = people.index[event.spouse]
        if people.state[s] == MISSING:
            extra = {**extra, "spouse_person_id": event.spouse}
        else:
            spouse_id = people.pk[s]
    return {
        "source_id": event.event_id,
        "event_type": event.kind.value,
        "event_date": event.day,
        "person_id": people.pk[i],
        "unit_id": unit_id,
        "path": path,
        "child_id": child_id,
        "child_sex": child_sex,
        "birth_order": event.birth_order,
        "method": event.method,
        "supply": event.supply,
        "new_acceptor": event.new_acceptor,
        "spouse_id": spouse_id,
        "extra": extra,
        "note": event.note,
        "recorded_by_id": user_id,
    }


_VILLAGE_WORDS = ("tổ dân phố", "khu phố", "thôn", "xóm", "ấp", "bản", "làng", "buôn", "khu", "tổ")


def village_type(name: str, commune_type: str) -> str:
    """The type of a village from its name ("Tổ dân phố 5" is a tổ dân phố); else what a
    village of the commune's type usually is."""
    lowered = name.lower()
    for word in _VILLAGE_WORDS:
        if lowered.startswith(word + " "):
            return "tổ dân phố" if word == "tổ" else word
    return "tổ dân phố" if commune_type.lower() in ("phường", "thị trấn") else "thôn"
