"""Who may do what: the one declarative map from role to actions.

A role is held at a unit for a period (``RoleAssignment``); its actions apply to that
unit and every unit below it.  ``danso.accounts.scope.unit_scope`` turns a person's
roles into a ``UnitScope`` for a given day.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from danso.units.codes import Level
from danso.units.scope import Action


class Role(models.TextChoices):
    ADMIN = "admin", _("System administrator")
    PROVINCE_OFFICER = "province_officer", _("Province / city officer")
    DISTRICT_OFFICER = "district_officer", _("District officer")
    COMMUNE_OFFICER = "commune_officer", _("Commune officer")
    COLLABORATOR = "collaborator", _("Population collaborator")
    VIEWER = "viewer", _("Viewer")


# Reports: an officer writes and submits the reports of the units in their scope (a
# district enters those of its paper communes) and decides on the reports sent to a unit
# in their scope.  Deciding is checked on the receiving unit (``danso.reports.services``),
# so a commune officer, whose scope holds no unit that receives reports, only submits.
_OFFICER = frozenset(
    {
        Action.VIEW,
        Action.EDIT_VILLAGES,
        Action.EDIT_POPULATION,
        Action.EDIT_PLANS,
        Action.SUBMIT_REPORTS,
        Action.APPROVE_REPORTS,
    }
)

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    # The administrator (the data-protection officer) reads the whole access log but
    # reads a person's name only as an officer above the commune does: with a reason.
    Role.ADMIN: frozenset(Action) - {Action.VIEW_PERSONS},
    # The province records the structural decisions of the state (mergers, splits).
    # Above the commune, person-level records are masked (initials, year of birth, ID
    # number cut); one person's full record opens for a stated reason, and is logged.
    Role.PROVINCE_OFFICER: _OFFICER
    | {
        Action.EDIT_STRUCTURE,
        Action.EDIT_INDICATORS,
        Action.VIEW_RECORDS,
        Action.REVEAL_PERSONS,
    },
    # A district enters the books of communes that keep them on paper.
    Role.DISTRICT_OFFICER: _OFFICER
    | {Action.EDIT_REGISTER, Action.VIEW_RECORDS, Action.REVEAL_PERSONS},
    # The commune keeps its people's records: it sees them whole, and sees who else did.
    Role.COMMUNE_OFFICER: _OFFICER
    | {
        Action.VIEW_RECORDS,
        Action.VIEW_PERSONS,
        Action.EDIT_REGISTER,
        Action.ACCEPT_COLLECTION,
        Action.VIEW_ACCESS_LOG,
    },
    # A collaborator keeps the household book of their villages.
    Role.COLLABORATOR: frozenset(
        {Action.VIEW, Action.VIEW_RECORDS, Action.VIEW_PERSONS, Action.EDIT_REGISTER}
    ),
    # A leader reads figures: no person-level record at all.
    Role.VIEWER: frozenset({Action.VIEW}),
}

#: The level of unit a role is held at (None: the whole country; any: every level).
ROLE_LEVELS: dict[Role, frozenset[Level] | None] = {
    Role.ADMIN: None,
    Role.PROVINCE_OFFICER: frozenset({Level.PROVINCE}),
    Role.DISTRICT_OFFICER: frozenset({Level.DISTRICT}),
    Role.COMMUNE_OFFICER: frozenset({Level.COMMUNE}),
    Role.COLLABORATOR: frozenset({Level.VILLAGE}),
    Role.VIEWER: frozenset({Level.PROVINCE, Level.DISTRICT, Level.COMMUNE, Level.VILLAGE}),
}
