"""Fixtures for plan tests: seed plans imported through the real importer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from danso.plans.importing import plan_import
from danso.plans.models import Plan
from danso.units.codes import Level
from tests.conftest import unit_at

SEEDS = Path(__file__).resolve().parents[2] / "data" / "seeds"
HANOI_2021 = "000_23875aab0c3b34d2.txt"
HANOI_2025 = "001_c4f65c01576ce68f.txt"
LONG_BIEN_2030 = "002_5867d12833a004cd.txt"
CHIEN_THANG_2023 = "003_94f7bf58c3aa8773.txt"
LONG_BIEN_2024 = "004_b9a09b820d694809.txt"
WHERE = {
    HANOI_2021: (Level.PROVINCE, "1", date(2021, 1, 15)),
    HANOI_2025: (Level.PROVINCE, "1", date(2025, 1, 15)),
    LONG_BIEN_2024: (Level.DISTRICT, "4", date(2024, 3, 5)),
    LONG_BIEN_2030: (Level.DISTRICT, "4", date(2025, 3, 1)),
    CHIEN_THANG_2023: (Level.COMMUNE, "11671", date(2023, 4, 1)),
}


@pytest.fixture
def seed_plan(db: None) -> Callable[[str], Plan]:
    """Import a seed plan as danso setup --demo does, and return it."""

    def make(name: str) -> Plan:
        level, code, on = WHERE[name]
        unit = unit_at(level, code, max(on, date(2023, 5, 7)))
        result = plan_import((SEEDS / name).read_bytes(), file_name=name, unit=unit, on=on)
        assert result.plan is not None, result.errors
        return result.plan

    return make


def issue(plan: Plan, number: str = "15/KH-UBND (thử)") -> Plan:
    """Issue ``plan`` on its own date, as the demo issues the city's 2025 draft: the units
    below see a plan of the level above only once it is issued."""
    from danso.plans.services import plan_update

    return plan_update(
        plan=plan, status=Plan.Status.ISSUED, number=number, issued_on=plan.reference_date
    )
