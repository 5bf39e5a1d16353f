"""Branch sums: a unit's figures add up the units just below it, each branch's sum kept
while none of its leaves changes.  After a birth in a ward of Long Biên the city adds up
Long Biên's leaves again and takes Ba Đình's sum as it was; every read still equals a
count straight from the register.

These tests commit (sums are kept only outside a transaction), so the database is
emptied after each; the reference data is put back after the module."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from danso.indicators import cache
from danso.indicators.engine import UnitFigures, compute
from danso.indicators.models import BranchSum, LeafTally
from danso.indicators.periods import Period
from danso.indicators.services import entered_save
from danso.register import services
from danso.register.vocabulary import EventType
from danso.units import services as units
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from tests.conftest import unit_at
from tests.indicators.conftest import SINCE, event, person

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_restored"),
]
END = date(2024, 12, 31)
PERIOD = Period.parse("2024")


class Recorder:
    """Django's cache, with the keys of the branch sums asked for, found and kept."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.found: list[str] = []
        self.kept: list[str] = []

    def get_many(self, keys: list[str]) -> dict[str, Any]:
        found: dict[str, Any] = self.real.get_many(keys)
        self.found += list(found)
        return found

    def set_many(self, values: dict[str, Any], timeout: int) -> Any:
        self.kept += list(values)
        return self.real.set_many(values, timeout)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def branches(self, keys: list[str]) -> set[str]:
        return {key.split(":")[4] for key in keys}

    def clear(self) -> None:
        self.found.clear()
        self.kept.clear()


def version(level: Level, code: str) -> UnitVersion:
    return UnitVersion.objects.select_related("unit").get(
        valid_on(END), unit=unit_at(level, code, END)
    )


def household(commune: str, village: str) -> Any:
    place = units.village_create(
        commune=unit_at(Level.COMMUNE, commune, SINCE),
        code=village,
        name=f"Tổ dân phố {village}",
        type="tổ dân phố",
        valid_from=SINCE,
    )
    return services.household_create(unit=place, since=SINCE, number="1")


def a_mother_in_ngoc_thuy() -> tuple[Any, Any]:
    """A household of Ngọc Thụy and its mother, who gave birth on 03/03/2024."""
    home = household("118", "00118-T9")
    mother = person(home, "Trần Thị Lan", "F", date(1994, 4, 4), "co_vo_chong")
    event(
        mother,
        EventType.BIRTH,
        date(2024, 3, 3),
        child=services.PersonInput("Nguyễn Thị Hoa", "F", date(2024, 3, 3)),
        birth_order=1,
    )
    return home, mother


def through_branches(city: UnitVersion, children: list[UnitVersion]) -> UnitFigures:
    return compute(
        city,
        PERIOD,
        children=children,
        tallies=cache.register_and_entered,
        sums=cache.branch_sums,
    )


def straight(city: UnitVersion, children: list[UnitVersion]) -> UnitFigures:
    return compute(city, PERIOD, children=children)


def same(one: UnitFigures, other: UnitFigures) -> bool:
    def values(figures: UnitFigures) -> list[Any]:
        return [
            [v.as_dict() for v in figures.values],
            *([v.as_dict() for v in child.values] for child in figures.children),
        ]

    return values(one) == values(other)


def test_a_birth_in_one_ward_adds_up_its_district_again_and_no_other(
    committed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    mothers = {}
    for commune, village, name in (("118", "00118-T9", "Ngọc Thụy"), ("1", "00001-T9", "Phúc Xá")):
        home = household(commune, village)
        mothers[commune] = person(home, f"Trần Thị {name}", "F", date(1994, 4, 4), "co_vo_chong")
        person(home, f"Nguyễn Văn {name}", "M", date(1990, 1, 1), "co_vo_chong")
        event(
            mothers[commune],
            EventType.BIRTH,
            date(2024, 3, 3),
            child=services.PersonInput(f"Nguyễn Thị {name}", "F", date(2024, 3, 3)),
            birth_order=1,
        )
    city = version(Level.PROVINCE, "01")
    long_bien, ba_dinh = version(Level.DISTRICT, "004"), version(Level.DISTRICT, "001")
    children = list(
        UnitVersion.objects.filter(valid_on(END), parent_id=city.unit_id).select_related("unit")
    )
    recorder = Recorder(cache.shared_cache)
    monkeypatch.setattr(cache, "shared_cache", recorder)

    # the first read counts the leaves; the second adds them up and keeps each branch
    assert same(through_branches(city, children), straight(city, children))
    assert same(through_branches(city, children), straight(city, children))
    assert {long_bien.path, ba_dinh.path} <= recorder.branches(recorder.kept)

    # nothing changed: every branch is taken whole
    recorder.clear()
    figures = through_branches(city, children)
    assert same(figures, straight(city, children))
    assert recorder.kept == []
    assert {long_bien.path, ba_dinh.path} <= recorder.branches(recorder.found)
    births = figures.tally["births"]

    # a birth in Ngọc Thụy: Long Biên is counted and added up again, Ba Đình is not
    event(
        mothers["118"],
        EventType.BIRTH,
        date(2024, 11, 11),
        child=services.PersonInput("Nguyễn Văn Thụy", "M", date(2024, 11, 11)),
        birth_order=2,
    )
    recorder.clear()
    figures = through_branches(city, children)
    assert figures.tally["births"] == births + 1
    assert same(figures, straight(city, children))
    assert ba_dinh.path in recorder.branches(recorder.found)
    assert long_bien.path not in recorder.branches(recorder.found)
    recorder.clear()
    assert same(through_branches(city, children), straight(city, children))
    assert recorder.branches(recorder.kept) == {long_bien.path}


def test_entered_figures_are_added_up_afresh_every_time(committed: None) -> None:
    a_mother_in_ngoc_thuy()
    ward = version(Level.COMMUNE, "118")
    paper = unit_at(Level.COMMUNE, "121", END)  # another ward of Long Biên, on paper
    district = version(Level.DISTRICT, "004")
    children = list(
        UnitVersion.objects.filter(valid_on(END), parent_id=district.unit_id).select_related("unit")
    )
    through_branches(district, children)
    through_branches(district, children)  # Long Biên's wards' sums kept
    for births in (5, 7):
        entered_save(unit=paper, period="2024", counts={"P": 1000, "births": births})
        figures = through_branches(district, children)
        assert same(figures, straight_with_entered(district, children))
        assert figures.tally["births"] == births + 1
    # the ward itself entered, above its own village that keeps a register: the
    # register wins, and the disagreement is marked once
    entered_save(unit=ward.unit, period="2024", counts={"P": 1000, "births": 9})
    figures = through_branches(ward, [])
    assert same(figures, straight_with_entered(ward, []))
    assert figures.tally["births"] == 1
    assert figures.disagreements == 1


def straight_with_entered(unit: UnitVersion, children: list[UnitVersion]) -> UnitFigures:
    return compute(unit, PERIOD, children=children, tallies=cache.register_and_entered)


def test_a_new_process_takes_the_sums_kept_in_the_database(committed: None) -> None:
    """The sums are kept in the database too (``BranchSum``): a server process started
    afresh (its memory empty) takes them instead of reading the province's leaf rows
    again; a changed branch's sum replaces its earlier one; inside a transaction none is
    written."""
    home, mother = a_mother_in_ngoc_thuy()
    city = version(Level.PROVINCE, "01")
    long_bien = version(Level.DISTRICT, "004")
    children = list(
        UnitVersion.objects.filter(valid_on(END), parent_id=city.unit_id).select_related("unit")
    )
    through_branches(city, children)  # counts the leaves
    through_branches(city, children)  # adds them up and keeps each branch
    kept = dict(BranchSum.objects.filter(period="2024").values_list("branch", "key"))
    assert long_bien.path in kept

    cache.shared_cache.clear()  # a new process
    with CaptureQueriesContext(connection) as queries:
        figures = through_branches(city, children)
    assert same(figures, straight(city, children))
    read = " ".join(q["sql"] for q in queries)
    assert BranchSum._meta.db_table in read
    assert not any(
        LeafTally._meta.db_table in q["sql"] and '"tally"' in q["sql"] for q in queries
    ), "a leaf's tally was read again"

    # a birth in Ngọc Thụy: Long Biên's sum is replaced, the others stay
    event(
        mother,
        EventType.BIRTH,
        date(2024, 11, 11),
        child=services.PersonInput("Nguyễn Văn Thụy", "M", date(2024, 11, 11)),
        birth_order=2,
    )
    through_branches(city, children)
    figures = through_branches(city, children)
    assert figures.tally["births"] == 2
    now = dict(BranchSum.objects.filter(period="2024").values_list("branch", "key"))
    assert now.keys() == kept.keys()
    assert [b for b in now if now[b] != kept[b]] == [long_bien.path]

    # inside a transaction: read, never written
    cache.shared_cache.clear()
    LeafTally.objects.filter(period="2024", unit__in=[home.unit_id]).delete()
    before = BranchSum.objects.count()
    with transaction.atomic():
        assert same(through_branches(city, children), straight(city, children))
        assert BranchSum.objects.count() == before


def test_a_bulk_warm_up_keeps_the_provinces_sums(
    committed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a bulk change the warm-up counts the leaves and also adds up each province
    with a register, a district at a time, for every period of the year, in the tree its
    dashboard shows: the first dashboard of the city in a new process reads no leaf's
    tally.  Provinces without a register are not added up."""
    a_mother_in_ngoc_thuy()
    monkeypatch.setattr(cache, "WARM_STEP", 1)  # this little register stands for a bulk one
    BranchSum.objects.all().delete()
    cache.warm(2024)
    city = version(Level.PROVINCE, "01")
    long_bien = version(Level.DISTRICT, "004")
    periods = {str(period) for period in cache.periods_of(2024)}
    kept = set(BranchSum.objects.values_list("period", "branch"))
    assert {(period, long_bien.path) for period in periods} <= kept
    assert {branch for _period, branch in kept} <= {
        v.path for v in UnitVersion.objects.filter(parent_id=city.unit_id)
    }, "only Hà Nội's districts: no other province has a register"

    cache.shared_cache.clear()  # a new process
    children = list(
        UnitVersion.objects.filter(valid_on(END), parent_id=city.unit_id).select_related("unit")
    )
    with CaptureQueriesContext(connection) as queries:
        figures = through_branches(city, children)
    assert figures.tally["births"] == 1
    assert same(figures, straight(city, children))
    assert not any(
        LeafTally._meta.db_table in q["sql"] and '"tally"' in q["sql"] for q in queries
    ), "a leaf's tally was read again"


def test_a_warm_up_inside_a_transaction_keeps_the_sums_once_committed(
    committed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bulk change's warm-up run inside a transaction (a command's, a task's) keeps the
    provinces' sums once its leaf rows are committed, not before."""
    a_mother_in_ngoc_thuy()
    monkeypatch.setattr(cache, "WARM_STEP", 1)
    BranchSum.objects.all().delete()
    long_bien = version(Level.DISTRICT, "004")
    with transaction.atomic():
        cache.warm(2024)
        assert not BranchSum.objects.exists()
    assert BranchSum.objects.filter(period="2024", branch=long_bien.path).exists()
