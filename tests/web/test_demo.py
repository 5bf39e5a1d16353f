"""The demo that ``make run`` serves: accounts, seed plans and Long Biên's register."""

from __future__ import annotations

import pytest

from danso.accounts.models import User
from danso.register.models import Household, Person
from danso.units.codes import Level
from danso.web.demo import ACCOUNTS, load_demo, load_demo_register
from tests.conftest import BEFORE, unit_at

pytestmark = pytest.mark.django_db


def test_the_demo_is_loaded_once_with_a_small_register() -> None:
    created = load_demo()
    assert {a.username for a in ACCOUNTS} <= set(User.objects.values_list("username", flat=True))
    assert any(item.startswith("plan ") for item in created)

    summary = load_demo_register(scale=0.02)
    assert summary is not None
    assert summary.root == "Quận Long Biên"
    assert summary.communes == 14  # Long Biên's wards on 31/12/2024, Sài Đồng among them
    assert summary.persons == Person.objects.count() > 1_000
    # the collaborator's village (NT-TDP01, made by the demo) is one of the book's villages
    village = unit_at(Level.VILLAGE, "NT-TDP01", BEFORE)
    assert Household.objects.filter(unit=village).exists()

    assert load_demo() == []
    assert load_demo_register(scale=0.02) is None
    assert Person.objects.count() == summary.persons
