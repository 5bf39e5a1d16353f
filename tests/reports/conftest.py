"""Report types loaded as ``danso setup`` loads them, people at each level of Long Biên,
and a commune's entered figures to fill reports from."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.accounts.scope import SYSTEM, System
from danso.indicators.services import entered_save
from danso.reports.models import Report, ReportType
from danso.reports.services import report_figure_set, report_types_load
from danso.units.codes import Level
from danso.units.models import Unit
from tests.conftest import unit_at
from tests.indicators.conftest import book  # noqa: F401 - a fixture used by test_filling

EARLY_2025 = date(2025, 3, 1)  # Long Biên: 13 wards under district 004
#: What Phường Giang Biên (121), a ward without a register here, reported for 2025Q1.
GIANG_BIEN_Q1 = {
    "P": 40_000,
    "W": 10_500,
    "births": 130,
    "births.M": 70,
    "births.F": 60,
    "births.order_known": 125,
    "births.order3p": 9,
    "deaths": 52,
}


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """Messages are checked in English, whatever the translators make of them."""
    with translation.override("en"):
        yield


@pytest.fixture
def types(db: None) -> dict[str, ReportType]:
    report_types_load()
    return {t.code: t for t in ReportType.objects.all()}


@pytest.fixture
def ward(db: None) -> Unit:
    """Phường Giang Biên, with its 2025Q1 figures entered."""
    unit = unit_at(Level.COMMUNE, "121", EARLY_2025)
    entered_save(unit=unit, period="2025Q1", counts=GIANG_BIEN_Q1)
    return unit


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    """An officer of the ward, of Long Biên and of Hà Nội."""
    return {
        "ward": make_user("ward", Role.COMMUNE_OFFICER, Level.COMMUNE, "121", EARLY_2025),
        "district": make_user("district", Role.DISTRICT_OFFICER, Level.DISTRICT, "4", EARLY_2025),
        "city": make_user("city", Role.PROVINCE_OFFICER, Level.PROVINCE, "1", EARLY_2025),
    }


def filled(report: Report, actor: User | System = SYSTEM) -> Report:
    """Enter every count the engine left empty (0, and 9,800 households)."""
    for figure in report.figures.filter(row__kind="count", value__isnull=True):
        value = Decimal(9_800) if figure.row.key == "households" else Decimal(0)
        report_figure_set(figure=figure, value=value, actor=actor)
    return report
