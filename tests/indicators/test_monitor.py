"""Achievement against targets: the rules, and a plan monitored from the register."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.indicators.achievement import Actual, Status, judge
from danso.plans.document import TargetKind, TargetSpec
from danso.plans.models import Plan
from danso.plans.services import allocation_set, target_save
from danso.register.models import Person
from danso.units.codes import Level
from tests.conftest import unit_at
from tests.plans.conftest import LONG_BIEN_2024


def test_a_count_is_judged_against_its_share_of_the_year() -> None:
    assert judge("count_min", 1200, Actual(600), months=6).status is Status.ON_TRACK
    assert judge("count_min", 1200, Actual(560), months=6).status is Status.AT_RISK
    assert judge("count_min", 1200, Actual(500), months=6).status is Status.OFF_TRACK
    assert judge("count_min", 1200, Actual(1200), months=6).status is Status.ACHIEVED
    assert judge("count_min", 1200, Actual(None)).status is Status.CANNOT_JUDGE


def test_a_ceiling_is_off_track_only_when_the_whole_interval_is_above() -> None:
    assert judge("ceiling", 109, Actual(108, 104, 112)).status is Status.ACHIEVED
    assert judge("ceiling", 109, Actual(108, 104, 112), months=6).status is Status.ON_TRACK
    assert judge("ceiling", 109, Actual(113, 107, 119)).status is Status.AT_RISK
    off = judge("ceiling", 109, Actual(118, 111, 125))
    assert off.status is Status.OFF_TRACK
    assert "hoàn toàn trên mức trần 109" in off.reason
    assert judge("ceiling", 109, Actual(125, 90, 170, small_numbers=True)).status is (
        Status.CANNOT_JUDGE
    )


def test_levels_changes_and_bands() -> None:
    assert judge("level_min", 90, Actual(91, 88, 93)).status is Status.ACHIEVED
    assert judge("level_min", 90, Actual(87, 85, 91)).status is Status.AT_RISK
    assert judge("level_min", 90, Actual(80, 77, 83)).status is Status.OFF_TRACK
    # "giảm 0,15 điểm so với 2024": from 6,5 % the level to reach is at most 6,35 %
    assert judge("change", -0.15, Actual(6.3, 6.1, 6.5), baseline=6.5).status is Status.ACHIEVED
    assert judge("change", -0.15, Actual(6.3), baseline=None).status is Status.CANNOT_JUDGE
    assert judge("near", 2.1, Actual(2.05, 1.9, 2.2), tolerance=0.1).status is Status.ACHIEVED
    assert judge("near", 2.1, Actual(1.9, 1.7, 2.1), tolerance=0.1).status is Status.AT_RISK
    assert judge("near", 2.1, Actual(1.6, 1.5, 1.7), tolerance=0.1).status is Status.OFF_TRACK
    children = [Status.ACHIEVED, Status.AT_RISK]
    assert judge("all_children", 0, Actual(None), children=children).status is Status.AT_RISK


@pytest.mark.django_db
def test_a_plan_is_monitored_from_the_register(
    book: dict[str, Person],
    seed_plan: Callable[[str], Plan],
    run_cli: Callable[..., Any],
    make_user: Callable[..., User],
) -> None:
    plan = seed_plan(LONG_BIEN_2024)  # SRB ≤ 109 for Long Biên in 2024
    newfp = target_save(
        plan=plan,
        spec=TargetSpec(
            indicator="NEWFP", kind=TargetKind.COUNT_MIN, value=Decimal(4), unit="persons"
        ),
        order=9,
    )
    ngoc_thuy = unit_at(Level.COMMUNE, "118", date(2024, 3, 5))
    allocation_set(target=newfp, unit=ngoc_thuy, value=Decimal(2))
    allocation_set(
        target=newfp, unit=unit_at(Level.COMMUNE, "115", date(2024, 3, 5)), value=Decimal(2)
    )

    data = run_cli("monitor", "--plan", str(plan.pk), "--period", "2024-YTD-06")
    rows = {(r["unit_code"], r["indicator"]): r for r in data["rows"]}
    assert rows[("004", "SRB")]["status"] == "cannot_judge"  # one birth
    # by 30/06 the book has F's IUD (February): 1, the half-year's share of 2
    assert (rows[("00118", "NEWFP")]["actual"], rows[("00118", "NEWFP")]["expected_to_date"]) == (
        1,
        1.0,
    )
    assert rows[("00118", "NEWFP")]["status"] == "on_track"
    year = {
        (r["unit_code"], r["indicator"]): r
        for r in run_cli("monitor", "--plan", str(plan.pk), "--period", "2024")["rows"]
    }
    assert year[("00118", "NEWFP")]["status"] == "achieved"  # the pill in August: 2 of 2
    # the ward 00115 keeps no register: no data is no figure, and is not judged (issue 14)
    assert year[("00115", "NEWFP")]["status"] == "cannot_judge"
    assert year[("00115", "NEWFP")]["actual"] is None
    assert year[("004", "NEWFP")]["actual"] == 2

    # a ward officer sees only the rows of the ward
    make_user("nt", Role.COMMUNE_OFFICER, Level.COMMUNE, "118", date(2024, 3, 5))
    mine = run_cli("monitor", "--plan", str(plan.pk), "--period", "2024", "--user", "nt")
    assert {r["unit_code"] for r in mine["rows"]} == {"00118"}
