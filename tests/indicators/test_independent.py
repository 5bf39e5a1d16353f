"""Acceptance check of the indicator engine against figures worked out independently.

A synthetic register of Quận Long Biên (2024, 3 % of its households) is generated and
exported in the exchange format; ``tests.indicators.independent`` reads the files with
nothing but the standard library and computes every indicator of each ward and of the
district; ``danso indicators compute`` must give the same numerators, denominators and
values for a year, a quarter and a month.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from danso.accounts.scope import SYSTEM
from danso.indicators import cache
from danso.indicators.periods import Period
from danso.register.exporting import register_export
from danso.register.generation import generate
from danso.register.models import Person
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from tests.conftest import unit_at
from tests.indicators import independent

pytestmark = pytest.mark.django_db

MID = date(2024, 7, 1)
LONG_BIEN = "004"
WARDS = 14
# The export takes the households that sit in the district on its day: the last day of
# 2024, so that the households that arrive or are set up in the second half of the year
# are in the files too (the engine reads the whole register).
EXPORT_DAY = date(2024, 12, 31)
PERIODS = ("2024", "2024Q2", "2024-03")
RELATIVE = 1e-9


@pytest.fixture(scope="module")
def book(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Path]:
    """Long Biên 2024 generated and exported once for the module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        long_bien = unit_at(Level.DISTRICT, LONG_BIEN, MID)
        generate(long_bien, 2024, seed=7, scale=0.03)
        folder: Path = tmp_path_factory.mktemp("long-bien")
        written = register_export(long_bien, EXPORT_DAY, folder, user=SYSTEM)
        # the files hold the whole register the engine reads
        assert written["rows"]["persons"] == Person.objects.count()
        yield folder
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def register(book: Path) -> independent.Register:
    return independent.Register(book)


def _engine(period: str) -> dict[str | None, dict[str, dict[str, Any]]]:
    """The engine's figures of the district (key None) and of each ward, by indicator."""
    out = StringIO()
    call_command(
        "indicators", "compute", "--unit", LONG_BIEN, "--level", "district", "--period", period,
        "--children", "--format", "json", stdout=out,
    )  # fmt: skip
    data = json.loads(out.getvalue())
    assert data["unit"]["level"] == "district"
    figures: dict[str | None, dict[str, dict[str, Any]]] = {
        None: {v["indicator"]: v for v in data["values"]}
    }
    for child in data["children"]:
        figures[child["unit"]["code"]] = {v["indicator"]: v for v in child["values"]}
    return figures


def _same_value(engine: Any, mine: float | None) -> bool:
    if mine is None:  # nothing to divide by: the engine gives no number
        return engine is None or (isinstance(engine, float) and not math.isfinite(engine))
    if not isinstance(engine, int | float) or isinstance(engine, bool):
        return False
    return math.isclose(engine, mine, rel_tol=RELATIVE, abs_tol=1e-12)


def _differences(
    unit: str, engine: dict[str, dict[str, Any]], mine: dict[str, independent.Figure]
) -> list[str]:
    lines = []
    for code in independent.CODES:
        figure = mine[code]
        value = engine.get(code)
        if value is None:
            lines.append(f"{unit:<8} {code:<24} missing from the engine; independent {figure}")
            continue
        got = (value["value"], value["numerator"], value["denominator"])
        if (
            not _same_value(got[0], figure.value)
            or got[1] != figure.numerator
            or got[2] != figure.denominator
        ):
            lines.append(
                f"{unit:<8} {code:<24} engine {got[0]!r} = {got[1]!r} / {got[2]!r}"
                f"   independent {figure.value!r} = {figure.numerator} / {figure.denominator}"
            )
    return lines


@pytest.mark.parametrize("period", PERIODS)
def test_every_indicator_matches_the_independent_figures(
    register: independent.Register, period: str
) -> None:
    engine = _engine(period)
    wards = sorted(code for code in engine if code is not None)
    assert len(wards) == WARDS
    assert set(wards) == set(register.commune.values())
    mine = independent.compute(register, period, [None, *wards])
    assert mine[None]["CBR"].denominator, "nobody registered: the comparison would be empty"
    differences = []
    for unit in [None, *wards]:
        differences += _differences(unit or "district", engine[unit], mine[unit])
    if differences:
        print(f"\n{period}: {len(differences)} differences\n" + "\n".join(differences))
    assert not differences, f"{period}: engine ≠ independent\n" + "\n".join(differences)


#: The counts of the report forms the engine tallies besides its indicators' parts.
FORM_COUNTS = (
    "households",
    "births.order2",
    "births.mother_under20",
    "married",
    "married.child",
    "divorced",
    "moved_in",
    "moved_out",
    "pregnancies",
)


@pytest.mark.parametrize("period", PERIODS)
def test_the_report_forms_counts_match_the_independent_counts(
    register: independent.Register, period: str
) -> None:
    parsed = Period.parse(period)
    district = (
        UnitVersion.objects.filter(valid_on(parsed.end), unit__level="district", code="4")
        .select_related("unit")
        .get()
    )
    wards = list(
        UnitVersion.objects.filter(valid_on(parsed.end), parent_id=district.unit_id)
        .select_related("unit")
        .order_by("code")
    )
    figures = cache.figures(district, parsed, children=wards)
    mine = independent.counts(register, independent.period(period))
    assert sum(mine[w.display_code]["households"] for w in wards) > 0
    differences = [
        f"{ward.display_code} {key}: engine {got.tally.get(key, 0)}, independent "
        f"{mine[ward.display_code][key]}"
        for ward, got in zip(wards, figures.children, strict=True)
        for key in FORM_COUNTS
        if got.tally.get(key, 0) != mine[ward.display_code][key]
    ]
    assert not differences, f"{period}: engine ≠ independent\n" + "\n".join(differences)
    for key in FORM_COUNTS:
        assert figures.tally.get(key, 0) == sum(mine[w.display_code][key] for w in wards), key
    if period == "2024":  # a year of the generated register has some of each
        assert all(figures.tally.get(key, 0) > 0 for key in FORM_COUNTS)
