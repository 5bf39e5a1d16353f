"""Figures across the 2025 reform: a commune of the new tree combines the data of the old
communes it took over — exactly through villages that moved with their history, and by
population share (marked estimated) for the part of a split commune without villages."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from danso.indicators import cache
from danso.indicators.engine import UnitFigures, leaves_under, predecessors_under
from danso.indicators.periods import Period
from danso.register import services
from danso.register.models import Person
from danso.register.vocabulary import EventType
from danso.units import services as units
from danso.units.codes import Level
from danso.units.models import Unit, UnitSuccession, UnitVersion, valid_on
from danso.units.reading import reading
from tests.conftest import unit_at
from tests.indicators.conftest import event, person

pytestmark = pytest.mark.django_db
REFORM = date(2025, 7, 1)
AFTER = date(2025, 8, 1)


def figures(unit: Unit, period: str, on: date) -> UnitFigures:
    version = UnitVersion.objects.select_related("unit").get(valid_on(on), unit=unit)
    return cache.figures(version, Period.parse(period), tree_date=on)


def birth(mother: Person, day: date, name: str) -> None:
    event(
        mother,
        EventType.BIRTH,
        day,
        child=services.PersonInput(name, "F", day),
        birth_order=1,
    )


def test_a_village_that_moved_brings_its_whole_year_exactly(book: dict[str, Person]) -> None:
    old_ward = unit_at(Level.COMMUNE, "118", date(2024, 12, 31))
    successor = UnitSuccession.objects.filter(predecessor=old_ward, effective=REFORM).first()
    assert successor is not None
    village = book["D"].memberships.get().household.unit
    units.unit_move(unit=village, parent=successor.successor, effective=REFORM)
    birth(book["D"], date(2025, 3, 3), "Phạm Thị Xuân")  # before the reform
    birth(book["B"], date(2025, 9, 9), "Nguyễn Thị Thu")  # after it

    new_ward = figures(successor.successor, "2025", date(2025, 12, 31))

    cbr = new_ward.value("CBR")
    assert cbr.numerator == 2
    assert not cbr.estimated
    assert new_ward.value("NEWBORN").denominator == 2


def test_a_split_commune_is_apportioned_and_marked_estimated() -> None:
    hanoi = unit_at(Level.PROVINCE, "01", date(2024, 12, 31))
    hanoi_path = UnitVersion.objects.get(valid_on(date(2024, 12, 31)), unit=hanoi).path
    split = (
        UnitSuccession.objects.filter(
            partial=True,
            effective=REFORM,
            predecessor__level=Level.COMMUNE,
            predecessor__versions__path__startswith=hanoi_path,
        )
        .select_related("predecessor")
        .first()
    )
    assert split is not None, "the 2025 table splits some of Hà Nội's communes"
    old = split.predecessor
    successors = [
        link.successor for link in UnitSuccession.objects.filter(predecessor=old, effective=REFORM)
    ]
    assert len(successors) >= 2
    household = services.household_create(unit=old, since=date(2023, 6, 1), number="1")
    mothers = [
        person(household, f"Bà mẹ {n}", "F", date(1995, 1, n), "co_vo_chong") for n in (1, 2)
    ]
    birth(mothers[0], date(2024, 4, 4), "Con một")
    birth(mothers[1], date(2024, 10, 10), "Con hai")

    # 2024 as the old tree saw it: exact
    assert figures(old, "2024", date(2024, 12, 31)).value("CBR").numerator == 2
    # 2024 in the new tree: shared among the successors, adding up to the whole
    shares = [figures(s, "2024", AFTER).value("CBR") for s in successors]
    assert all(v.estimated for v in shares)
    assert sum(v.numerator or 0 for v in shares) == pytest.approx(2)
    # the city holds every successor: its figure is whole again, and exact
    city = figures(unit_at(Level.PROVINCE, "01", AFTER), "2024", AFTER).value("CBR")
    assert city.numerator == 2
    assert not city.estimated


def test_a_district_abolished_mid_year_is_counted_in_its_last_tree(
    book: dict[str, Person],
) -> None:
    birth(book["D"], date(2025, 5, 5), "Phạm Thị Thu")  # in the district's last half-year
    out = StringIO()
    call_command(
        "indicators", "compute", "--unit", "004", "--level", "district", "--period", "2025",
        "--format", "json", stdout=out,
    )  # fmt: skip
    data = json.loads(out.getvalue())
    assert data["unit"]["name"] == "Quận Long Biên"
    cbr = next(v for v in data["values"] if v["indicator"] == "CBR")
    assert cbr["numerator"] == 1
    assert cbr["estimated"] is False


def test_a_village_of_a_split_commune_counts_only_where_it_went() -> None:
    split = UnitSuccession.objects.filter(
        partial=True, effective=REFORM, predecessor__level=Level.COMMUNE
    ).first()
    assert split is not None
    old = split.predecessor
    heirs = [s.successor for s in UnitSuccession.objects.filter(predecessor=old, effective=REFORM)]
    village = units.village_create(
        commune=old, code="X-T1", name="Thôn 1", type="thôn", valid_from=date(2023, 6, 1)
    )
    units.unit_move(unit=village, parent=heirs[0], effective=REFORM)
    household = services.household_create(unit=village, since=date(2023, 6, 1), number="1")
    mother = person(household, "Bà mẹ", "F", date(1995, 1, 1), "co_vo_chong")
    birth(mother, date(2024, 4, 4), "Con")

    where_it_went = figures(heirs[0], "2024", AFTER).value("CBR")
    elsewhere = figures(heirs[1], "2024", AFTER).value("CBR")

    assert (where_it_went.numerator, where_it_went.estimated) == (1, False)
    assert elsewhere.numerator == 0


def test_a_page_reads_the_leaves_once_a_stretch_of_the_tree_and_a_reform_starts_another() -> None:
    """Within a page (``units.reading``) the leaves under a unit are read once for the
    days on which its tree stands the same (Hà Nội's twelve months of 2024: two queries,
    the days the tree changed and the leaves, where there were twelve), and the same as
    read alone; the 2025 reform starts another stretch, with its own leaves."""
    hanoi = unit_at(Level.PROVINCE, "01", date(2024, 12, 31))
    months = [date(2024, month, 28) for month in range(1, 13)]
    reform = [REFORM - timedelta(days=1), REFORM, AFTER]

    def tree(day: date) -> UnitVersion:
        return UnitVersion.objects.get(valid_on(day), unit=hanoi)

    alone = {day: leaves_under(tree(day), day) for day in months + reform}
    versions = {day: tree(day) for day in months + reform}
    with reading():
        with CaptureQueriesContext(connection) as queries:
            seen = {day: leaves_under(versions[day], day) for day in months}
        assert len(queries) == 2
        assert seen == {day: alone[day] for day in months}
        around = {day: leaves_under(versions[day], day) for day in reform}
    assert around == {day: alone[day] for day in reform}
    assert around[REFORM - timedelta(days=1)] != around[REFORM]


def test_a_year_without_successions_takes_nothing_over_in_one_look() -> None:
    """Before the 2025 reforms no succession took effect in 2024: the city's tree took
    nothing over, said by one query instead of reading its 579 communes (twice a page);
    in 2025 the communes merged into Hà Nội's new wards are still found."""
    city = UnitVersion.objects.get(
        valid_on(date(2024, 12, 31)), unit=unit_at(Level.PROVINCE, "01", date(2024, 12, 31))
    )
    assert not UnitSuccession.objects.filter(
        effective__gte=date(2024, 1, 1), effective__lte=date(2024, 12, 31)
    ).exists()
    with CaptureQueriesContext(connection) as queries:
        assert predecessors_under(city, date(2024, 12, 31), Period.parse("2024")) == []
    assert len(queries) == 1
    later = UnitVersion.objects.get(valid_on(date(2025, 12, 31)), unit=city.unit)
    assert predecessors_under(later, date(2025, 12, 31), Period.parse("2025"))
