"""Reading placements.csv (format 1.1): where each household of households.csv sat, day
by day, each row's codes read on its own ``as_of`` (the same code names another commune
before and after the 2025 reform).  A new household is placed as the rows say; one of
danso must have had the same placements (else a conflict, nothing changed)."""

from __future__ import annotations

from itertools import pairwise

from django.utils.translation import gettext as _

from danso.register.importing.batch import ImportBatch
from danso.register.importing.households import household_village
from danso.register.importing.records import BAD, NEVER, NEW, SAME, HouseholdRecord, day_text
from danso.register.importing.rows import RowProblems
from danso.register.importing.units import parse_commune
from danso.units.scope import Action


def read_placements(batch: ImportBatch) -> None:
    """Read placements.csv and settle each household's placements."""
    total = batch.book.count("placements") if batch.book.has("placements") else 0
    with batch.open_table("placements") as opened:
        if opened is None:
            return
        table, unknown = opened
        for column in unknown:  # a placement has no other attributes
            batch.add_problem(
                table.file,
                1,
                column,
                _("The column %(column)s is not part of the format; its values are not kept.")
                % {"column": column},
                "warning",
            )
        done = 0
        for line, row in table.rows:
            done += 1
            read_placement(batch, table.file, line, row)
        batch.report_progress("placements", done, total)
        households_file = batch.book.file_name("households")
        for household in batch.households:
            if household.book_placements is not None and household.state in (NEW, SAME):
                settle_placements(batch, table.file, households_file, household)


def read_placement(batch: ImportBatch, file: str, line: int, row: dict[str, str]) -> None:
    problems = RowProblems()
    source_id = problems.required(row, "household_id", 64)
    commune, as_of = parse_commune(batch, row, problems)
    start = problems.date_value(row, "valid_from")
    end = problems.date_value(row, "valid_to", required=False)
    if start and end and end < start:
        problems.append(("valid_to", _("valid_to is before valid_from.")))
    h = batch.household_index.get(source_id) if source_id else None
    household = None if h is None else batch.households[h]
    if source_id and household is None:
        problems.append(
            (
                "household_id",
                _("The household %(id)s is not in households.csv.") % {"id": source_id},
            )
        )
    elif household is not None and household.state == BAD:
        problems.append(
            (
                "household_id",
                _("The household %(id)s has errors (line %(line)s of households.csv).")
                % {"id": source_id, "line": household.line},
            )
        )
    unit: tuple[int, str] | None = None
    village_code = row.get("village_code", "")
    if commune is not None and as_of is not None and not problems:
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
    if problems or unit is None or household is None or start is None:
        batch.add_row_problems(file, line, problems)
        if household is not None and household.state != BAD:
            household.state = BAD
        return
    if household.book_placements is None:
        household.book_placements = []
    household.book_placements.append(
        (start.toordinal(), end.toordinal() if end else NEVER, unit[0], line)
    )


def settle_placements(
    batch: ImportBatch, file: str, households_file: str, household: HouseholdRecord
) -> None:
    """Check one household's placements: no two on one day, the unit of households.csv
    on its ``as_of``; then place a new household by them, or compare them with danso's."""
    rows = sorted(household.book_placements or [])
    for (_start, end, _unit, line), (start, _end, _unit2, later) in pairwise(rows):
        if start <= end:
            batch.add_problem(
                file,
                later,
                "valid_from",
                _("The household %(id)s is placed elsewhere on %(day)s (line %(line)s).")
                % {"id": household.source_id, "day": day_text(start), "line": line},
            )
            household.state = BAD
            return
    placements = [(start, end, unit) for start, end, unit, _line in rows]
    assert household.as_of is not None
    on = household.as_of.toordinal()
    covering = next((p for p in placements if p[0] <= on <= p[1]), None)
    if covering is not None and covering[2] != household.unit_id:
        line = next(r[3] for r in rows if r[0] == covering[0])
        batch.add_problem(
            households_file,
            household.line,
            "village_code",
            _("On %(day)s the household sits in another unit in placements.csv (line %(line)s).")
            % {"day": day_text(on), "line": line},
        )
        household.state = BAD
        return
    if household.state == NEW:
        household.book_placements = rows
        household.placements = placements
        household.start = placements[0][0]
        return
    stored = household.placements or []
    if stored != placements:
        differing = next(
            (r for r, s in zip(rows, stored, strict=False) if r[:3] != s),
            rows[min(len(rows), len(stored)) - 1],
        )
        batch.report_conflict(file, differing[3], household.source_id, ["valid_from"])
        household.state = BAD
