"""Next year's projected women 15–49, births and people 60+ as allocation weights."""

from __future__ import annotations

from decimal import Decimal

import pytest

from danso.plans.weights import BASIS_LABELS, Basis, weights
from danso.projections.method import BUILTIN_SCENARIOS, project
from danso.projections.services import inputs_gather
from danso.units.codes import Level
from tests.conftest import unit_at
from tests.projections.conftest import BASE, Register, version_of

pytestmark = pytest.mark.django_db


def test_projected_bases_weigh_each_unit_by_its_projection_for_the_year(register: Register) -> None:
    # given two villages with a register and a ward with neither register nor figures
    t1, t2 = register["T1"], register["T2"]
    empty = unit_at(Level.COMMUNE, "115", BASE)
    ids = [t1.pk, t2.pk, empty.pk]
    # when the plans ask for 2025's projected weights
    women = weights(ids, Basis.PROJECTED_WOMEN_15_49, 2025)
    births = weights(ids, Basis.PROJECTED_BIRTHS, 2025)
    elderly = weights(ids, Basis.PROJECTED_AGED_60_PLUS, 2025)
    # then each is the constant-rates projection from 1/1/2025: women and people 60+ at
    # mid-year, births in 2025; the unit that cannot be projected has no weight
    result = project(
        inputs_gather(version_of(t1), BASE).inputs, BUILTIN_SCENARIOS["constant"], BASE, 2026
    )
    now, then = result.year(2025), result.year(2026)
    assert women[t1.pk] == Decimal(str(round((now.women_15_49 + then.women_15_49) / 2, 1)))
    assert elderly[t1.pk] == Decimal(str(round((now.aged_60_plus + then.aged_60_plus) / 2, 1)))
    assert births[t1.pk] == Decimal(str(round(now.births, 1)))
    mine, theirs = women[t1.pk], women[t2.pk]
    assert mine is not None
    assert theirs is not None
    assert theirs > mine  # four women of 15–49 against one
    assert women[empty.pk] is None
    assert all(basis in BASIS_LABELS for basis in Basis)
