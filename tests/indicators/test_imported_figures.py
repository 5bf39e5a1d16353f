"""A register imported into an empty danso (its villages made by the import) is counted:
every indicator of its ward equals the independent reading of the same files (before,
the persons of the villages the import made had no spells, and every figure of an
imported district but the event counts read zero)."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from danso.register.importing import register_import
from tests.indicators import independent
from tests.indicators.test_independent import _differences
from tests.register.conftest import HANDMADE

pytestmark = pytest.mark.django_db

WARD = "00118"


def _ward_figures(period: str) -> dict[str, dict[str, Any]]:
    out = StringIO()
    call_command(
        "indicators", "compute", "--unit", WARD, "--level", "commune", "--period", period,
        "--format", "json", stdout=out,
    )  # fmt: skip
    return {v["indicator"]: v for v in json.loads(out.getvalue())["values"]}


@pytest.mark.parametrize("period", ["2024", "2024Q2"])
def test_an_imported_wards_figures_match_the_independent_figures(period: str) -> None:
    report = register_import(HANDMADE)
    assert report.errors == []
    assert report.imported["units"] > 0  # the import made the villages
    mine = independent.compute(independent.Register(HANDMADE), period, [WARD])[WARD]
    assert mine["CBR"].denominator, "nobody registered: the comparison would be empty"
    engine = _ward_figures(period)
    assert engine["CBR"]["denominator"] == mine["CBR"].denominator
    differences = _differences(WARD, engine, mine)
    assert not differences, f"{period}: engine ≠ independent\n" + "\n".join(differences)
