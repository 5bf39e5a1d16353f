"""Targets follow a reform without anyone asking: a change of the tree enqueues the carry
on the task queue, once a transaction (issue 16, point 4)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django_tasks import task_backends

from danso.accounts.scope import SYSTEM
from danso.indicators.periods import Period
from danso.plans.monitoring import targets_of
from danso.plans.tasks import plans_carry
from danso.units import services as units
from tests.plans.reform import REFORM, long_bien_plan, new_ward, old_ward, version, village

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_tasks_yet() -> None:
    task_backends["default"].clear()  # type: ignore[attr-defined]


BO_DE, NGOC_THUY = "118", "118"


def _carries() -> int:
    backend: Any = task_backends["default"]
    return sum(1 for r in backend.results if r.task.func is plans_carry.func)


def test_placing_groups_enqueues_one_carry_after_commit_and_the_task_carries(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        long_bien_plan()
        ngoc_thuy = old_ward(NGOC_THUY)
        # two groups made and moved, in one transaction: one task
        for group in [village(ngoc_thuy, f"NT-{n}", 3) for n in "AB"]:
            units.unit_move(unit=group, parent=new_ward(BO_DE), effective=REFORM)
    assert _carries() == 1

    bo_de = version(new_ward(BO_DE), date(2025, 12, 31))
    assert targets_of(bo_de, Period.year_of(2025), SYSTEM)[0] == []
    assert plans_carry.func() == {"created": 3 * 7, "updated": 0, "removed": 0}
    own = {t.code: t for t in targets_of(bo_de, Period.year_of(2025), SYSTEM)[0]}
    assert set(own) == {"NEWFP", "PRENATAL", "SRB"}
    # the dashboard says what of the year's count falls after the reform
    newfp = own["NEWFP"].plan
    rest = newfp.carried_cell.rest_of_year
    assert rest is not None
    shown = f"{rest:,.0f}".replace(",", ".")
    assert newfp.carried_rest == f"6 tháng cuối năm (01/07–31/12/2025): {shown}"
    assert own["SRB"].plan.carried_rest == ""  # a ratio has no part of the year
