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
    Role.ADMIN: frozenset(Action),
    # The province records the structural decisions of the state (mergers, splits).
    Role.PROVINCE_OFFICER: _OFFICER | {Action.EDIT_STRUCTURE, Action.EDIT_INDICATORS},
    # A district enters the books of communes that keep them on paper; reading a person's
    # record from outside the commune is logged (no VIEW_PERSONS).
    Role.DISTRICT_OFFICER: _OFFICER | {Action.EDIT_REGISTER},
    Role.COMMUNE_OFFICER: _OFFICER
    | {Action.VIEW_PERSONS, Action.EDIT_REGISTER, Action.ACCEPT_COLLECTION},
    # A collaborator keeps the household book of their villages.
    Role.COLLABORATOR: frozenset({Action.VIEW, Action.VIEW_PERSONS, Action.EDIT_REGISTER}),
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
