"""A page that reads works out each scope once (``units.reading``, by
``ReadingMiddleware``): the dashboard asked it thirteen times, 79 ms of a page of 180.  A role
saved or ended within the block is seen at once; a request that writes remembers
nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from danso.accounts import services as accounts
from danso.accounts.policy import Role
from danso.accounts.scope import unit_scope
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from danso.units.reading import reading
from danso.units.scope import Action
from tests.conftest import unit_at

pytestmark = pytest.mark.django_db

ON = date(2024, 6, 30)


def test_a_scope_is_worked_out_once_while_reading_and_a_role_change_is_seen() -> None:
    ward = unit_at(Level.COMMUNE, "118", ON)
    path = UnitVersion.objects.get(valid_on(ON), unit=ward).path
    user = accounts.user_create(username="phuong", password="x", validate=False)
    with reading():
        assert not unit_scope(user, ON).allows_anywhere(Action.VIEW)
        assignment = accounts.role_assign(
            user=user, role=Role.COMMUNE_OFFICER, unit=ward, valid_from=ON
        )
        first = unit_scope(user, ON)
        assert first.allows(Action.VIEW, path)
        with CaptureQueriesContext(connection) as queries:
            assert unit_scope(user, ON) is first
        assert len(queries) == 0
        # ended before today: the same user, day and today, asked again, reach nothing
        accounts.role_end(assignment=assignment, last_day=date(2025, 1, 1))
        assert not unit_scope(user, ON).allows_anywhere(Action.VIEW)
    # outside the block every call works it out
    with CaptureQueriesContext(connection) as queries:
        unit_scope(user, ON)
    assert len(queries) > 0
