"""Reading households.csv and matching its households with those of danso (the same
content is unchanged, other content a conflict), and resolving the households that the
other files name."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.db import connection
from django.utils.translation import gettext as _

from danso.register import exchange
from danso.register.exchange import Row
from danso.register.importing.batch import BATCH, ImportBatch, chunks, json_value, select_in
from danso.register.importing.records import (
    BAD,
    DB,
    MISSING,
    NEVER,
    NEW,
    SAME,
    Commune,
    HouseholdRecord,
)
from danso.register.importing.rows import RowProblems, differing_extra_keys
from danso.register.importing.units import existing_village, parse_commune
from danso.register.models import Household, HouseholdPlacement
from danso.register.vocabulary import HouseholdType
from danso.units.scope import Action

HOUSEHOLD_TYPES = tuple(t.value for t in HouseholdType)


def read_households(batch: ImportBatch) -> None:
    """Read households.csv, a batch of rows at a time matched with danso."""
    total = batch.book.count("households") if batch.book.has("households") else 0
    with batch.open_table("households") as opened:
        if opened is None:
            return
        table, unknown = opened
        done = 0
        for chunk in chunks(table.rows, BATCH):
            parsed: list[tuple[int, HouseholdRecord]] = []
            for line, row in chunk:
                household = parse_household(batch, table.file, line, row, unknown)
                if household is not None:
                    parsed.append((line, household))
            existing = stored_households(batch, [h.source_id for _line, h in parsed])
            for line, household in parsed:
                add_household(batch, table.file, line, household, existing)
            done += len(chunk)
            batch.report_progress("households", done, total)


def parse_household(
    batch: ImportBatch, file: str, line: int, row: Row, unknown: Sequence[str]
) -> HouseholdRecord | None:
    """The household of a row (None, its problems reported, if it has any)."""
    problems = RowProblems()
    source_id = problems.required(row, "household_id", 64)
    commune, as_of = parse_commune(batch, row, problems)
    household_type = problems.choice(
        "household_type",
        row.get("household_type", "").lower(),
        HOUSEHOLD_TYPES,
    )
    address = exchange.text(row.get("address", ""))
    if len(address) > 300:
        problems.too_long("address", address, 300)
    number = row.get("number", "")
    if len(number) > 20:
        problems.too_long("number", number, 20)
    unit: tuple[int, str] | None = None
    village_code = row.get("village_code", "")
    if commune is not None and as_of is not None:
        if village_code:
            unit = household_village(batch, commune, village_code, as_of, problems)
        else:
            unit = (commune.unit_id, commune.path)
        if unit is not None and not batch.user_may(Action.EDIT_REGISTER, unit[1], as_of):
            problems.append(
                (
                    "village_code" if village_code else "commune_code",
                    _("%(name)s is outside the units where you may enter the register.")
                    % {"name": commune.name},
                )
            )
    if problems or unit is None:
        batch.add_row_problems(file, line, problems)
        if source_id and source_id not in batch.household_index:
            batch.household_index[source_id] = len(batch.households)
            batch.households.append(HouseholdRecord(source_id, BAD, line))
        return None
    return HouseholdRecord(
        source_id,
        NEW,
        line,
        unit_id=unit[0],
        scope_path=unit[1],
        address=address,
        household_type=household_type or HouseholdType.FAMILY.value,
        number=number,
        extra={c: row[c] for c in unknown if row.get(c)},
        as_of=as_of,
    )


def household_village(
    batch: ImportBatch, commune: Commune, village_code: str, as_of: date, problems: RowProblems
) -> tuple[int, str] | None:
    """The (unit, path) of a household's village: of units.csv or danso (else a problem)."""
    village = batch.villages.get((commune.unit_id, village_code))
    if village is not None:
        if village.state == BAD:
            problems.append(
                (
                    "village_code",
                    _("The village %(code)s has errors (line %(line)s of units.csv).")
                    % {"code": village_code, "line": village.line},
                )
            )
            return None
        return village.unit_id, village.path or commune.path
    found = existing_village(
        batch, commune, [f"{commune.code}-{village_code}", village_code], "", as_of
    )
    if found is None:
        problems.append(
            (
                "village_code",
                _("The village %(code)s is neither in units.csv nor in danso for %(commune)s.")
                % {"code": village_code, "commune": commune.name},
            )
        )
    return found


def add_household(
    batch: ImportBatch,
    file: str,
    line: int,
    household: HouseholdRecord,
    existing: dict[str, HouseholdRecord],
) -> None:
    """Remember a parsed household: a repeat, a conflict, unchanged or new."""
    h = batch.household_index.get(household.source_id)
    if h is not None:
        earlier = batch.households[h]
        if earlier.state != BAD and earlier.content() == household.content():
            batch.add_problem(
                file,
                line,
                "household_id",
                _("This row repeats line %(line)s; it is read once.") % {"line": earlier.line},
                "warning",
            )
        else:
            batch.add_problem(
                file,
                line,
                "household_id",
                _("The id %(id)s is also on line %(line)s, with different content.")
                % {"id": household.source_id, "line": earlier.line},
            )
            earlier.state = BAD
        return
    stored = existing.get(household.source_id)
    if stored is not None:
        assert household.as_of is not None
        differs = []
        if stored_household_unit_on(stored, household.as_of.toordinal()) != household.unit_id:
            differs.append(
                "village_code" if household.unit_id != stored.unit_id else "commune_code"
            )
        for column, ours, theirs in (
            ("address", household.address, stored.address),
            ("household_type", household.household_type, stored.household_type),
            ("number", household.number, stored.number),
        ):
            if ours != theirs:
                differs.append(column)
        differs += differing_extra_keys(household.extra, stored.extra)
        if differs:
            batch.report_conflict(file, line, household.source_id, differs)
            household.state = BAD
        else:
            household.state = SAME
        # a conflict keeps danso's household too: its members' stays name it
        household.pk = stored.pk
        household.placements = stored.placements
    h = len(batch.households)
    batch.households.append(household)
    batch.household_index[household.source_id] = h
    if household.pk:
        batch.household_by_pk[household.pk] = h


def stored_household_unit_on(stored: HouseholdRecord, day: int) -> int:
    """The unit a household of danso sat in on ``day``."""
    for start, end, unit_id in stored.placements or ():
        if start <= day <= end:
            return unit_id
    return stored.placements[0][2] if stored.placements else stored.unit_id


def stored_households(batch: ImportBatch, source_ids: Sequence[str]) -> dict[str, HouseholdRecord]:
    """Households of danso with these ids, with their placements."""
    if not batch.has_households or not source_ids:
        return {}
    found: dict[str, HouseholdRecord] = {}
    by_pk: dict[int, HouseholdRecord] = {}
    q = connection.ops.quote_name
    table, placement = q(Household._meta.db_table), q(HouseholdPlacement._meta.db_table)
    columns = "id, source_id, unit_id, address, household_type, number, extra"
    sql = f"SELECT {columns} FROM {table} WHERE {{where}}"  # noqa: S608 - our tables
    for pk, source_id, unit_id, address, household_type, number, extra in select_in(
        sql, "source_id", source_ids
    ):
        household = HouseholdRecord(
            source_id,
            DB,
            pk=pk,
            unit_id=unit_id,
            address=address,
            household_type=household_type,
            number=number,
            extra=json_value(extra) or {},
            placements=[],
        )
        found[source_id] = by_pk[pk] = household
    columns = "household_id, valid_from, valid_to, unit_id"
    order = "ORDER BY household_id, valid_from"
    sql = f"SELECT {columns} FROM {placement} WHERE {{where}} {order}"  # noqa: S608 - our tables
    for household_id, start, end, unit_id in select_in(sql, "household_id", sorted(by_pk)):
        stored = by_pk[household_id].placements
        assert stored is not None
        stored.append((start.toordinal(), end.toordinal() if end else NEVER, unit_id))
    return found


def resolve_households(batch: ImportBatch, source_ids: Iterable[str]) -> None:
    """Make every id a known household: from danso, or MISSING."""
    wanted = [s for s in set(source_ids) if s and s not in batch.household_index]
    if not wanted:
        return
    found = stored_households(batch, wanted)
    for source_id in wanted:
        household = found.get(source_id) or HouseholdRecord(source_id, MISSING)
        h = len(batch.households)
        batch.households.append(household)
        batch.household_index[source_id] = h
        if household.pk:
            batch.household_by_pk[household.pk] = h


def household_reference_problem(
    batch: ImportBatch, source_id: str, column: str
) -> tuple[str, str] | None:
    """The problem of a reference to household ``source_id`` (None if it can be used)."""
    h = batch.household_index.get(source_id)
    state = MISSING if h is None else batch.households[h].state
    if state == MISSING:
        return column, _(
            "The household %(id)s is neither in households.csv nor in the register."
        ) % {"id": source_id}
    if state == BAD:
        assert h is not None
        return column, _("The household %(id)s has errors (line %(line)s of households.csv).") % {
            "id": source_id,
            "line": batch.households[h].line,
        }
    return None
