"""Where an event counts: a household's unit on a day, that unit's path on that day, and
whether the user may enter the register there and the book of that year is still open."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.utils.translation import gettext as _

from danso.register.importing.batch import ImportBatch, chunks, lookup_size
from danso.register.importing.records import BAD, DB, NEVER, HouseholdRecord
from danso.register.importing.reforms import closed_unit_reason
from danso.register.rules import closed_year
from danso.units.models import UnitVersion
from danso.units.scope import Action


def load_versions(batch: ImportBatch, unit_ids: Iterable[int]) -> None:
    """Load the versions (from, to, path) of these units that are not loaded yet."""
    wanted = {u for u in unit_ids if u > 0 and u not in batch.versions}
    for chunk in chunks(sorted(wanted), lookup_size()):
        for unit_id in chunk:
            batch.versions[unit_id] = []
        rows = UnitVersion.objects.filter(unit_id__in=chunk).values_list(
            "unit_id", "valid_from", "valid_to", "path"
        )
        for unit_id, start, end, path in rows:
            batch.versions[unit_id].append(
                (start.toordinal(), end.toordinal() if end else NEVER, path)
            )


def path_on(batch: ImportBatch, unit_id: int, day: int) -> str | None:
    """The unit's path on ``day`` (None if it does not exist then).

    The reference tree starts on the day of its first list (7 May 2023) while books
    were opened before (1 January 2021): a unit that exists from the tree's first
    day is taken to have existed, with that first path, on the days before it —
    as ``register.generation`` does — so that a book's first years import."""
    if unit_id < 0:
        segments = batch.segments.get(unit_id, [])
        if segments and day < segments[0][0] <= batch.tree_start:
            day = segments[0][0]
        for start, end, parent in segments:
            if start <= day <= end:
                parent_path = path_on(batch, parent, day)
                return None if parent_path is None else f"{parent_path}{unit_id}."
        return None
    if unit_id not in batch.versions:
        load_versions(batch, [unit_id])
    versions = batch.versions[unit_id]
    for start, end, path in versions:
        if start <= day <= end:
            return path
    if versions:
        start, _end, path = min(versions)
        if day < start <= batch.tree_start:
            return path
    return None


def household_unit_on(batch: ImportBatch, h: int, day: int) -> int:
    """The unit household ``h`` sat in on ``day`` (``services.household_unit_on``)."""
    household = batch.households[h]
    if household.placements is None:
        return household.unit_id
    for start, end, unit_id in household.placements:
        if start <= day <= end:
            return unit_id
    if household.placements:
        return household.placements[0][2]
    return household.unit_id


def event_unit(batch: ImportBatch, h: int, day: int) -> tuple[int, str] | tuple[None, str]:
    """(unit, path) where an event of a member of ``h`` on ``day`` counts, or (None,
    the reason)."""
    household = batch.households[h]
    if household.state == BAD:
        return None, _("The household %(id)s has errors (line %(line)s of households.csv).") % {
            "id": household.source_id,
            "line": household.line,
        }
    if household.state == DB and not household_allowed(batch, household):
        return None, _(
            "The household %(id)s is outside the units where you may enter the register."
        ) % {"id": household.source_id}
    unit_id = household_unit_on(batch, h, day)
    path = path_on(batch, unit_id, day)
    if path is None:
        return None, closed_unit_reason(batch, unit_id, day)
    if batch.closed:
        year = date.fromordinal(day).year
        # the household's unit at the year's end too (rules.closed_year: the 2025 reform)
        year_end = date(year, 12, 31).toordinal()
        later = path_on(batch, household_unit_on(batch, h, year_end), year_end)
        if closed_year(year, [path, later or ""], batch.closed):
            return None, _("The book of %(year)s is closed: change it through an amendment.") % {
                "year": year
            }
    return unit_id, path


def household_allowed(batch: ImportBatch, household: HouseholdRecord) -> bool:
    """Whether the user may enter the register in the unit of a household of danso today."""
    if batch.user is None:
        return True
    if household.allowed is None:
        today = batch.today.toordinal()
        path = path_on(batch, household.unit_id, today)
        if path is None:
            versions = batch.versions.get(household.unit_id) or [(0, 0, "-")]
            path = max(versions)[2]
        household.allowed = batch.user_may(Action.EDIT_REGISTER, path, batch.today)
    return household.allowed


def event_unit_problems(batch: ImportBatch, h: int, day: int) -> list[tuple[str, str]]:
    """No problem if an event of household ``h`` on ``day`` can count somewhere, else why not."""
    unit_id, found = event_unit(batch, h, day)
    return [] if unit_id is not None else [("event_date", found)]
