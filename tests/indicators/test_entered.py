"""Figures entered for units that keep no register: checked like a report, added up the
tree with the register's, each value saying where it came from, and the register winning
(with a warning) where a commune has both."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from danso.indicators import cache
from danso.indicators.entered import problems
from danso.indicators.importing import entered_import
from danso.indicators.models import EnteredFigures
from danso.indicators.periods import Period
from danso.indicators.services import entered_save
from danso.register.models import Person
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from tests.conftest import unit_at

pytestmark = pytest.mark.django_db
END = date(2024, 12, 31)
# Phường Bồ Đề (121) reports on paper: 2024, its annual statistical report.
BO_DE = {
    "P": 40_000,
    "W": 10_500,
    "births": 520,
    "births.M": 275,
    "births.F": 245,
    "births.order_known": 500,
    "births.order3p": 40,
    "deaths": 210,
}


def figures(level: Level, code: str, period: str = "2024") -> Any:
    version = UnitVersion.objects.select_related("unit").get(
        valid_on(END), unit=unit_at(level, code, END)
    )
    return cache.figures(version, Period.parse(period))


def test_a_paper_commune_counts_from_its_entered_figures() -> None:
    entered_save(unit=unit_at(Level.COMMUNE, "121", END), period="2024", counts=BO_DE)

    ward = figures(Level.COMMUNE, "121")

    assert ward.source == "entered"
    cbr = ward.value("CBR")
    assert (cbr.numerator, cbr.denominator, cbr.source) == (520, 40_000, "entered")
    assert cbr.value == pytest.approx(13.0)
    assert ward.value("SRB").value == pytest.approx(275 / 245 * 100)
    assert ward.value("BIRTH3P").value == pytest.approx(8.0)
    assert figures(Level.COMMUNE, "121", "2024Q1").source == "register"  # nothing entered


def test_entered_and_register_add_up_the_tree(book: dict[str, Person]) -> None:
    entered_save(unit=unit_at(Level.COMMUNE, "121", END), period="2024", counts=BO_DE)
    register = figures(Level.COMMUNE, "118").value("CBR")

    district = figures(Level.DISTRICT, "004")

    assert district.source == "register+entered"
    cbr = district.value("CBR")
    assert cbr.numerator == register.numerator + 520
    assert cbr.denominator == register.denominator + 40_000
    assert cbr.source == "register+entered"
    assert figures(Level.COMMUNE, "118").source == "register"


def test_the_register_wins_and_a_disagreement_is_shown(book: dict[str, Person]) -> None:
    ward = unit_at(Level.COMMUNE, "118", END)
    before = figures(Level.COMMUNE, "118").value("CBR")
    agreeing = {"P": int(before.denominator or 0), "births": int(before.numerator or 0)}
    entered_save(unit=ward, period="2024", counts=agreeing)
    assert figures(Level.COMMUNE, "118").disagreements == 0

    entered_save(unit=ward, period="2024", counts={**agreeing, "births": 30})
    after = figures(Level.COMMUNE, "118")

    assert after.value("CBR").numerator == before.numerator  # the register's
    assert after.source == "register"
    assert after.disagreements == 1
    assert figures(Level.PROVINCE, "01").disagreements == 1
    assert "warnings" in after.as_dict()


def test_figures_are_checked_like_a_report() -> None:
    assert problems(BO_DE) == {}
    wrong = {**BO_DE, "births.M": 600, "births.order3p": 501, "deaths": -1, "babies": 3}
    found = problems(wrong)
    assert set(found) == {"births.M", "births.order3p", "deaths", "babies", "births"}
    with pytest.raises(ValidationError) as caught:
        entered_save(unit=unit_at(Level.COMMUNE, "121", END), period="2024", counts=wrong)
    assert "births.M" in caught.value.message_dict
    assert not EnteredFigures.objects.exists()
    with pytest.raises(ValidationError):
        entered_save(unit=unit_at(Level.DISTRICT, "004", END), period="2024", counts=BO_DE)


def _enter(path: Path, *args: str) -> dict[str, Any]:
    out = StringIO()
    call_command(
        "indicators", "enter", "--level", "commune", "--file", str(path), *args,
        "--format", "json", stdout=out,
    )  # fmt: skip
    return dict(json.loads(out.getvalue()))


def test_the_command_imports_a_table_all_or_nothing(tmp_path: Path) -> None:
    good = tmp_path / "bao-cao-2024.csv"
    good.write_text(
        "code,period,births,births.M,births.F,deaths,P\n"
        "121,2024,520,275,245,210,40000\n"
        "121,2024Q1,130,70,60,50,39900\n",
        encoding="utf-8",
    )
    bad = tmp_path / "sai.csv"
    bad.write_text(
        "code,period,births,births.M,births.F,deaths,P\n"
        "121,2024-05,40,20,20,15,40000\n"
        "121,2024Q5,40,20,20,15,40000\n"
        "121,2024-06,40,30,20,1x,40000\n",
        encoding="utf-8",
    )

    with pytest.raises(CommandError):
        _enter(bad)
    assert not EnteredFigures.objects.exists()

    assert _enter(good)["created"] == {"entered_figures": 2}
    assert figures(Level.COMMUNE, "121").value("CDR").numerator == 210
    assert figures(Level.COMMUNE, "121", "2024Q1").value("CBR").numerator == 130


def test_a_bad_table_is_reported_by_line_and_column(tmp_path: Path) -> None:
    report = entered_import(
        b"code,period,births,births.M,births.F,deaths\n"
        b"121,2024Q5,40,20,20,15\n"
        b"121,2024-06,40,30,20,1x\n"
        b"99999,2024,1,1,0,0\n",
        "sai.csv",
        Level.COMMUNE,
    )

    where = sorted((p.line, p.column) for p in report.errors)
    assert where == [(2, "period"), (3, "births"), (3, "deaths"), (4, "code")]
    assert all(p.file == "sai.csv" for p in report.errors)
