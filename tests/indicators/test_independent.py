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

from danso.register.exporting import register_export
from danso.register.generation import generate
from danso.register.models import Person
from danso.units.codes import Level
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
        written = register_export(long_bien, EXPORT_DAY, folder)
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
