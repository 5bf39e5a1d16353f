"""Importing a register in the exchange format (docs/REGISTER-FORMAT.md).

``register_import`` checks everything before it writes anything:

1. units.csv: each village's commune is resolved on its ``as_of`` day; a village already
   in danso under that commune (code ``<commune code>-<unit_code>``, or the same name) is
   reused, the others are created (``units.services.village_create``) when the import is
   written, from the first day the book needs them.
2. households.csv and persons.csv: values parsed, references resolved, each row compared
   by id with what the register holds: the same content is "unchanged", different content
   a conflict (reported, never overwritten).
3. events.csv is read once and never held in memory.  The first pass indexes it:
   duplicate ids, events already in the register (one still as a row of the same hash
   made it, ``Event.import_hash``, is unchanged without being read back; the others are
   compared field by field), and the events that change where a person lives (death,
   moves); the new rows are kept parsed in a temporary file for the later passes.  Then
   each person's stays are settled in date order, each change checked with
   ``rules.event_findings`` against the facts known so far.  The second pass checks
   every other new event with the same rules, against facts built from the files and the
   register, and finds where it counts: the household's unit on the event's day and that
   unit's path on that day (what ``services.household_unit_on`` and
   ``services.unit_path_on`` do one event at a time).
4. Unless this is a dry run, the import is written in one transaction: villages,
   households and their placements, persons, memberships, events (a third pass over the
   kept rows), with their history, by bulk inserts of ``BATCH`` rows (a binary ``COPY``
   on PostgreSQL); a table filled from empty is indexed once filled.

All or nothing by default: with any error nothing is written.  With ``partial`` the rows
without errors are written; a row that depends on a row with errors (a person of such a
household, an event of such a person) is reported and left out too.

Memory holds maps of ids and a few numbers per person (sex, dates, household, stays),
never the rows: a district of 300,000 persons and a million events fits in a few
hundred megabytes.  The validation reads in autocommit mode, so that on SQLite the
database is locked only while the checked rows are written.

The package, in the order of the stages: ``pipeline`` (``register_import``: check,
count, write), ``units``, ``households``, ``persons``, ``events`` (the first pass),
``stays``, ``checking`` (the second pass) and ``writing`` (with ``bulk``, the inserts).
They share ``batch`` (the book being imported, its report and its maps of ids),
``records`` (what is remembered of each row), ``rows`` (a row's problems), ``places``
(where an event counts) and ``report``.
"""

from danso.register.importing.batch import BATCH
from danso.register.importing.pipeline import register_import
from danso.register.importing.report import (
    KIND_LABELS,
    KINDS,
    MAX_PROBLEMS,
    STAGE_LABELS,
    Progress,
    RegisterImportReport,
)

__all__ = [
    "BATCH",
    "KINDS",
    "KIND_LABELS",
    "MAX_PROBLEMS",
    "STAGE_LABELS",
    "Progress",
    "RegisterImportReport",
    "register_import",
]
