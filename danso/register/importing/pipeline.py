"""``register_import``: the order of the stages (check, count, write) and what a failure
of each means for the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _

from danso.register import exchange
from danso.register.exchange import BookError
from danso.register.importing.batch import ImportBatch
from danso.register.importing.checking import check_events
from danso.register.importing.events import read_events
from danso.register.importing.households import read_households
from danso.register.importing.persons import read_persons
from danso.register.importing.placements import read_placements
from danso.register.importing.records import NEW, SAME
from danso.register.importing.report import KINDS, Progress, RegisterImportReport
from danso.register.importing.stays import (
    apply_stay_changes,
    check_stored_marital_status,
    set_household_starts,
)
from danso.register.importing.units import changed_leaf_units, read_units
from danso.register.importing.writing import write_import
from danso.register.planner import BULK_ROWS, analyze_register
from danso.register.signals import register_changed
from danso.spreadsheets import LimitError, Limits
from danso.uploads import Kind, limit_message, limits


def register_import(
    path: Path,
    *,
    user: Any = None,
    dry_run: bool = False,
    partial: bool = False,
    progress: Progress | None = None,
    book_limits: Limits | None = None,
) -> RegisterImportReport:
    """Import the book at ``path`` (a folder of CSV files, a .zip of them or an .xlsx).

    Checks every row first; writes in one transaction unless ``dry_run``.  Without
    ``partial`` any error means nothing is written; with it the rows without errors are.
    With a ``user``, their scope applies: households only in units where they may edit
    the register, villages only where they may edit villages.  ``progress`` is called as
    ``progress(stage, done, total)`` (stages: ``STAGE_LABELS``).  A book over its limits
    (``book_limits``, else the site's for register books) is refused with one error,
    before anything is written.
    """
    report = RegisterImportReport(dry_run=dry_run, partial=partial)
    try:
        book = exchange.open_book(Path(path), book_limits or limits(Kind.REGISTER))
    except BookError as error:
        report.add(error.file, None, None, limit_message(error))
        return report
    except LimitError as error:
        report.add(error.file, None, None, limit_message(error))
        return report
    batch = ImportBatch(book, user=user, report=report, progress=progress)
    try:
        return check_and_write(batch, dry_run=dry_run, partial=partial)
    finally:
        batch.close()


def check_and_write(batch: ImportBatch, *, dry_run: bool, partial: bool) -> RegisterImportReport:
    """Check the book of ``batch``, then write it unless told not to (``register_import``)."""
    report, book = batch.report, batch.book
    try:
        check_book(batch)
    except BookError as error:
        report.add(error.file, None, None, limit_message(error))
        return report
    except LimitError as error:
        report.add(error.file, None, None, limit_message(error))
        return report
    if report.has_errors and not partial:
        return report
    fill_report_counts(batch)
    if not dry_run and any(report.imported.values()):
        try:
            write_import(batch)
            # the planner's statistics first: the readers of the change (the indicators'
            # spells) query the new rows at once
            if sum(report.imported.values()) >= BULK_ROWS:
                analyze_register()
            register_changed.send(
                sender=register_import, units=changed_leaf_units(batch), since=None
            )
        except IntegrityError:
            # Someone wrote the same ids between the check and the write.
            report.add(
                book.name,
                None,
                None,
                _("The register changed while the files were checked; import them again."),
            )
            report.imported = dict.fromkeys(KINDS, 0)
        except (ValidationError, BookError, LimitError) as error:
            if isinstance(error, ValidationError):
                messages = error.messages
            else:
                messages = [limit_message(error)]
            for message in messages:
                report.add(book.name, None, None, message)
            report.imported = dict.fromkeys(KINDS, 0)
    return report


def check_book(batch: ImportBatch) -> None:
    """Read and check every file of the book, in the order of the package docstring."""
    present = [t for t in exchange.TABLES if batch.book.has(t)]
    if not present:
        batch.add_problem(
            batch.book.name,
            None,
            None,
            _(
                "No file of the register (units.csv, households.csv, placements.csv, "
                "persons.csv, events.csv) was found."
            ),
        )
        return
    read_units(batch)
    read_households(batch)
    read_placements(batch)
    read_persons(batch)
    read_events(batch)
    check_stored_marital_status(batch)
    apply_stay_changes(batch)
    check_events(batch)
    set_household_starts(batch)


def fill_report_counts(batch: ImportBatch) -> None:
    """Fill the report's counts from the states."""
    imported, unchanged = batch.report.imported, batch.report.unchanged
    # a village of 1.1 has a row (and a key) for each commune it belonged to: once
    imported["units"] = len({v.unit_id for v in batch.villages.values() if v.state == NEW})
    unchanged["units"] = len({v.unit_id for v in batch.villages.values() if v.state == SAME})
    for household in batch.households:
        if household.state == NEW:
            imported["households"] += 1
        elif household.state == SAME:
            unchanged["households"] += 1
    people = batch.people
    imported["persons"] = people.state.count(NEW)
    unchanged["persons"] = people.state.count(SAME)
    imported["events"] = batch.ev_state.count(NEW)
    unchanged["events"] = batch.ev_state.count(SAME)
