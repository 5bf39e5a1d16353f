"""The round trip of issue 14: a ward's book exported after the 2025 reforms imports
back unchanged into the same danso, and into a fresh one with the same figures for every
period (format 1.1: the villages' and households' history).

The demo's register of Long Biên (scale 0.05) is built once for the module and rolled
back at its end; each test works in a savepoint.  "A fresh danso" is this one with the
register and the villages deleted (the reference tree, which every danso has, is kept).
"""

from __future__ import annotations

import csv
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils.translation import gettext

from danso.accounts.scope import SYSTEM
from danso.indicators import engine
from danso.indicators.periods import Period
from danso.register import exchange, privacy
from danso.register.exporting import register_export
from danso.register.importing import register_import
from danso.register.importing.report import RegisterImportReport
from danso.register.models import (
    Correction,
    Event,
    Flag,
    Household,
    HouseholdPlacement,
    Membership,
    Person,
)
from danso.units.codes import Level
from danso.units.models import Unit, UnitSuccession, UnitVersion, valid_on
from danso.web.demo import load_demo_register
from tests.conftest import unit_at

ON = date(2025, 12, 31)  # the day of the export, and of the tree the figures are read in
PERIODS = ("2024", "2025", "2025Q1")
BO_DE = "118"  # Phường Bồ Đề after 1/7/2025 (Ngọc Thụy's code before)
TIMINGS: dict[str, float] = {}


class Rollback(Exception):
    pass


@contextmanager
def undone() -> Iterator[None]:
    with suppress(Rollback), transaction.atomic():
        yield
        raise Rollback


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        started = time.perf_counter()
        load_demo_register(scale=0.05)
        TIMINGS["demo"] = time.perf_counter() - started
        yield
        transaction.set_rollback(True)


def counts() -> dict[str, int]:
    return {
        "villages": Unit.objects.filter(level=Level.VILLAGE).count(),
        "village_versions": UnitVersion.objects.filter(unit__level=Level.VILLAGE).count(),
        "households": Household.objects.count(),
        "placements": HouseholdPlacement.objects.count(),
        "persons": Person.objects.count(),
        "memberships": Membership.objects.count(),
        "events": Event.objects.count(),
    }


def figures() -> dict[str, tuple[dict[str, int], dict[str, Any]]]:
    """Every tally and indicator of Bồ Đề for the periods, in the tree of 31/12/2025."""
    version = UnitVersion.objects.filter(valid_on(ON)).get(unit=unit_at(Level.COMMUNE, BO_DE, ON))
    found = {}
    for text in PERIODS:
        computed = engine.compute(version, Period.parse(text), tree_date=ON)
        values = {value.indicator: value.as_dict() for value in computed.values}
        found[text] = (dict(computed.tally), values)
    return found


def export(folder: Path, monkeypatch: pytest.MonkeyPatch | None = None) -> dict[str, Any]:
    if monkeypatch is not None:  # no log naming the villages, which the test deletes
        monkeypatch.setattr(privacy, "log_export", lambda **_kw: None)
    started = time.perf_counter()
    result = register_export(unit_at(Level.COMMUNE, BO_DE, ON), ON, folder, user=SYSTEM)
    TIMINGS["export"] = time.perf_counter() - started
    return result


def imported(folder: Path, label: str) -> RegisterImportReport:
    started = time.perf_counter()
    report = register_import(folder)
    TIMINGS[label] = time.perf_counter() - started
    return report


def wipe_register_and_villages() -> None:
    """What a fresh danso lacks: the register and the villages (made by users).  Rows
    are deleted in SQL (Django's collector takes minutes over the register)."""
    Event.objects.update(child=None, spouse=None)
    Person.objects.update(merged_into=None)
    for model in (Flag, Correction, Event, Membership, Person, HouseholdPlacement, Household):
        model.objects.all()._raw_delete(connection.alias)
    villages = Unit.objects.filter(level=Level.VILLAGE)
    UnitSuccession.objects.filter(predecessor__in=villages).delete()
    UnitSuccession.objects.filter(successor__in=villages).delete()
    UnitVersion.objects.filter(unit__in=villages)._raw_delete(connection.alias)
    villages.delete()


def as_version_1_0(folder: Path, to: Path) -> Path:
    """The book as format 1.0 had it: no placements.csv, each village once, in the
    commune it is in at the end (as the exporter of 1.0 wrote it)."""
    to.mkdir()
    for name in ("households", "persons", "events"):
        shutil.copy(folder / f"{name}.csv", to / f"{name}.csv")
    with (folder / "units.csv").open(encoding="utf-8") as stream:
        rows = [row for row in csv.DictReader(stream) if not row["valid_to"]]
    with (to / "units.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(exchange.UNITS_REQUIRED)
        writer.writerows([row[c] for c in exchange.UNITS_REQUIRED] for row in rows)
    return to


def problems(report: RegisterImportReport) -> list[str]:
    return [f"{p.file}:{p.line}:{p.column}: {p.message}" for p in report.errors][:10]


@pytest.mark.django_db
def test_the_export_of_bo_de_imports_into_the_same_danso_unchanged(
    demo: None, tmp_path: Path
) -> None:
    with undone():
        written = export(tmp_path / "book")
        before = counts()
        report = imported(tmp_path / "book", "same")
        assert not report.has_errors, problems(report)
        assert sum(report.imported.values()) == 0
        assert report.unchanged["households"] == written["rows"]["households"]
        assert report.unchanged["persons"] == written["rows"]["persons"]
        assert report.unchanged["events"] == written["rows"]["events"]
        assert counts() == before


@pytest.mark.django_db
def test_the_export_of_bo_de_imports_into_a_fresh_danso_with_the_same_figures(
    demo: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with undone():
        written = export(tmp_path / "book", monkeypatch)
        started = time.perf_counter()
        before = figures()
        TIMINGS["figures"] = time.perf_counter() - started
        assert before["2024"][0]["P"] > 0
        started = time.perf_counter()
        wipe_register_and_villages()
        TIMINGS["wipe"] = time.perf_counter() - started
        assert figures()["2024"][0].get("P", 0) == 0

        # format 1.0 carried today's codes only: the households' units before the reform
        # are lost, and every event before 1/7/2025 is refused, each row named
        old = register_import(as_version_1_0(tmp_path / "book", tmp_path / "v1"), dry_run=True)
        lost = gettext("The household's unit does not exist on %(day)s.").split("%")[0]
        refused = [p for p in old.errors if p.message.startswith(lost)]
        assert len(refused) > 1_000
        assert all(p.file == "events.csv" and p.line and p.column for p in refused)

        report = imported(tmp_path / "book", "fresh")
        assert not report.has_errors, problems(report)
        assert report.imported["households"] == written["rows"]["households"]
        assert report.imported["persons"] == written["rows"]["persons"]
        assert report.imported["events"] == written["rows"]["events"]
        after = figures()
        for period in PERIODS:
            assert after[period][0] == before[period][0], period
            assert after[period][1] == before[period][1], period

        # and again: nothing changes
        again = counts()
        report = imported(tmp_path / "book", "again")
        assert not report.has_errors, problems(report)
        assert sum(report.imported.values()) == 0
        assert counts() == again
        assert figures() == after
    rows = sum(written["rows"].values())
    print(  # measured, for the report (pytest -s)
        f"\nBồ Đề at scale 0.05: {rows} rows; "
        + ", ".join(f"{k} {v:.1f} s" for k, v in TIMINGS.items())
    )
