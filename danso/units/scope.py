"""What a unit scope is: the subtrees a person may see or act on, on one day.

This module only describes a scope and applies it to queries.  Which scope a person has
is decided in exactly one place, ``danso.accounts.scope.unit_scope``; every view, API
endpoint, export and CLI command asks it and passes the result to the selectors here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db.models import Q

if TYPE_CHECKING:
    from danso.units.models import UnitVersion


class Action(StrEnum):
    """Things a person may do inside a subtree (see ``danso.accounts.policy``)."""

    VIEW = "view"
    EDIT_VILLAGES = "edit_villages"  # create, rename, move villages and residential groups
    EDIT_STRUCTURE = "edit_structure"  # rename, merge, split, close communes and districts
    EDIT_POPULATION = "edit_population"  # enter and import population figures
    EDIT_PLANS = "edit_plans"  # write plans, targets and allocations to the units below
    EDIT_INDICATORS = "edit_indicators"  # the indicator catalogue
    VIEW_RECORDS = "view_records"  # person-level records (households, persons, events)
    VIEW_PERSONS = "view_persons"  # their names and ID numbers in full, as the keeper
    REVEAL_PERSONS = "reveal_persons"  # one person's full record, for a stated reason (logged)
    VIEW_ACCESS_LOG = "view_access_log"  # who read or exported the persons of the unit
    EDIT_REGISTER = "edit_register"  # households, persons, events of the book
    ACCEPT_COLLECTION = "accept_collection"  # accept the monthly forms; close the book
    SUBMIT_REPORTS = "submit_reports"  # write and submit the unit's reports
    APPROVE_REPORTS = "approve_reports"  # approve, return, unlock and waive the reports below
    MANAGE_USERS = "manage_users"
    IMPORT_REFERENCE = "import_reference"  # conversion tables, boundaries


@dataclass(frozen=True)
class Grant:
    """``actions`` are allowed on the unit whose path is ``path`` and on all below it.

    The empty path grants the whole country.
    """

    path: str
    actions: frozenset[Action]


@dataclass(frozen=True)
class UnitScope:
    on: date
    grants: tuple[Grant, ...]

    @classmethod
    def system(cls, on: date) -> UnitScope:
        """Everything, for batch jobs run without ``--user``."""
        return cls(on, (Grant("", frozenset(Action)),))

    def paths(self, action: Action = Action.VIEW) -> list[str]:
        return [g.path for g in self.grants if action in g.actions]

    def allows(self, action: Action, version: UnitVersion | str) -> bool:
        """May ``action`` be done on ``version`` (a version valid on ``self.on``, or a path)?"""
        path = version if isinstance(version, str) else version.path
        return any(path.startswith(prefix) for prefix in self.paths(action))

    def allows_anywhere(self, action: Action) -> bool:
        return bool(self.paths(action))

    def is_everything(self, action: Action = Action.VIEW) -> bool:
        return "" in self.paths(action)

    def q(self, action: Action = Action.VIEW, prefix: str = "") -> Q:
        """A filter on ``UnitVersion`` (or, with ``prefix``, a relation to it)."""
        paths = self.paths(action)
        if "" in paths:
            return Q()
        if not paths:
            return Q(pk__in=[])
        q = Q()
        for path in paths:
            q |= Q(**{f"{prefix}path__startswith": path})
        return q
