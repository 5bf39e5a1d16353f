"""Every key of a tally has one name (``indicators.tallies``), shared by the engine, the
cache, the entered figures and the reports (issue 13, point 6)."""

from __future__ import annotations

from datetime import date

import pytest

from danso.indicators import tallies as keys
from danso.indicators.catalogue import ASFR_GROUPS, METHODS
from danso.indicators.entered import FIELDS, NEWFP_SUPPLIES
from danso.indicators.periods import Period
from danso.indicators.tallying import PYRAMID_GROUPS, tallies_of
from danso.register.models import Person
from danso.reports.catalogue import ENGINE_COUNTS, MANUAL_COUNTS
from danso.units.codes import Level
from tests.conftest import unit_at

pytestmark = pytest.mark.django_db


def named() -> set[str]:
    constants = {
        value for name, value in vars(keys).items() if name.isupper() and isinstance(value, str)
    }
    families = (
        {keys.women_aged(g) for g in ASFR_GROUPS}
        | {keys.births_to_mothers_aged(g) for g in ASFR_GROUPS}
        | {keys.births_of_sex(s) for s in ("M", "F")}
        | {keys.new_acceptors_by(m) for m in (*METHODS, *NEWFP_SUPPLIES)}
        | {keys.pyramid(s, g) for s in ("M", "F") for g in PYRAMID_GROUPS}
    )
    return constants | families


def test_every_key_the_engine_counts_is_named(book: dict[str, Person]) -> None:
    village = unit_at(Level.VILLAGE, "00118-T1", date(2024, 12, 31))
    counted = tallies_of(Period.parse("2024"), [village.pk])[village.pk]
    assert counted  # the book's year has births, deaths, marriages, users …
    assert set(counted) - named() == set()


def test_the_entered_figures_and_the_reports_use_the_same_keys() -> None:
    known = named()
    assert {field.key for field in FIELDS} - known == set()
    assert set(ENGINE_COUNTS) - known == set()
    assert set(MANUAL_COUNTS) - known == set()
