"""The demo's register crosses both 2025 reforms (issue 16, point 5).

Long Biên's 14 wards are filled from 2021; Phường Sài Đồng's residential groups move on
1/1/2025 to Phúc Lợi and Phúc Đồng (Nghị quyết 1286/NQ-UBTVQH15), every group on
1/7/2025 to its ward's successor.  Sài Đồng's 2024 figures are its own; Phúc Lợi's 2025
figures include the groups it received, exactly (nothing apportioned).
"""

from __future__ import annotations

from datetime import date

import pytest

from danso.indicators import cache
from danso.indicators.periods import Period
from danso.indicators.tallies import POPULATION
from danso.register.models import Event, HouseholdPlacement
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from danso.web.demo import load_demo, load_demo_register

pytestmark = pytest.mark.django_db

EVE = date(2024, 12, 31)
ARRANGEMENT = date(2025, 1, 1)


def _commune(code: str, on: date) -> UnitVersion:
    return UnitVersion.objects.select_related("unit").get(
        valid_on(on), unit__level=Level.COMMUNE, code=code
    )


def _population(version: UnitVersion, period: Period, on: date) -> tuple[float, bool]:
    figures = cache.figures(version, period, tree_date=on)
    return figures.tally[POPULATION], any(v.estimated for v in figures.values)


def test_sai_dong_groups_cross_the_arrangement_of_1_1_2025_with_their_history() -> None:
    load_demo()
    summary = load_demo_register(scale=0.02)
    assert summary is not None
    assert summary.communes == 14

    sai_dong = _commune("142", EVE)
    groups = list(
        UnitVersion.objects.filter(
            valid_on(EVE), parent_id=sai_dong.unit_id, unit__level=Level.VILLAGE
        )
    )
    assert groups, "Sài Đồng has residential groups in 2024"
    assert HouseholdPlacement.objects.filter(unit_id__in=[g.unit_id for g in groups]).exists()

    phuc_loi, phuc_dong = _commune("136", ARRANGEMENT), _commune("151", ARRANGEMENT)
    went = {
        UnitVersion.objects.get(valid_on(ARRANGEMENT), unit_id=g.unit_id).parent_id for g in groups
    }
    # the larger part to Phúc Lợi; Phúc Đồng takes a group when there are several
    expected = {phuc_loi.unit_id, phuc_dong.unit_id} if len(groups) > 1 else {phuc_loi.unit_id}
    assert went == expected

    # 2024: Sài Đồng's figures are its own, counted from its groups
    population_2024, estimated = _population(sai_dong, Period.year_of(2024), EVE)
    assert population_2024 > 0
    assert not estimated

    # 2025: Phúc Lợi holds the groups it received; its figures are exactly its groups'
    march = Period.month_of(2025, 3)
    received = [
        g
        for g in groups
        if UnitVersion.objects.get(valid_on(ARRANGEMENT), unit_id=g.unit_id).parent_id
        == phuc_loi.unit_id
    ]
    whole, estimated = _population(phuc_loi, march, march.end)
    assert not estimated
    children = list(UnitVersion.objects.filter(valid_on(march.end), parent_id=phuc_loi.unit_id))
    assert {g.unit_id for g in received} <= {c.unit_id for c in children}
    by_group = cache.figures(phuc_loi, march, tree_date=march.end, children=children)
    assert sum(child.tally[POPULATION] for child in by_group.children) == whole
    from_sai_dong = sum(
        child.tally[POPULATION]
        for child in by_group.children
        if child.version.unit_id in {g.unit_id for g in received}
    )
    assert from_sai_dong > 0

    # the events of 2025 in a moved group lie under the ward it moved to
    moved_events = Event.objects.filter(
        unit_id__in=[g.unit_id for g in received],
        event_date__range=(ARRANGEMENT, date(2025, 6, 30)),
    )
    assert moved_events.exists()
    assert not moved_events.exclude(path__startswith=phuc_loi.path).exists()
