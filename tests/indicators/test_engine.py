"""The indicator engine against a register small enough to count by hand.

Tổ dân phố 1 of Phường Ngọc Thụy (Quận Long Biên), 2024: six persons registered since
June 2023 in two households, then a birth, a death, a marriage, screenings, check-ups and
two contraception starts.  Every expected figure below is worked out in the comments.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from danso.indicators import cache, engine
from danso.indicators.engine import compute
from danso.indicators.leaves import Part
from danso.indicators.periods import Period
from danso.register import services
from danso.register.models import Person
from danso.register.vocabulary import EventType
from danso.units import services as units
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from danso.units.reading import reading
from tests.conftest import unit_at
from tests.indicators.conftest import SINCE, event, person

pytestmark = pytest.mark.django_db


def version(level: Level, code: str, on: date = date(2024, 12, 31)) -> UnitVersion:
    return UnitVersion.objects.select_related("unit").get(
        valid_on(on), unit=unit_at(level, code, on)
    )


def values(level: Level, code: str, period: str) -> dict[str, tuple[object, ...]]:
    figures = compute(version(level, code), Period.parse(period))
    return {v.indicator: (v.value, v.numerator, v.denominator) for v in figures.values}


@pytest.mark.usefixtures("book")
def test_a_year_counted_by_hand() -> None:
    v = values(Level.COMMUNE, "118", "2024")
    # on 1 July: A B C D E F and the newborn G are registered; E dies in September
    assert v["CBR"] == pytest.approx((1000 / 7, 1, 7))
    assert v["CDR"] == pytest.approx((1000 / 7, 1, 7))
    # women 15–49 on 1 July: B (29), D (23), F (49); C is 74
    assert v["GFR"] == pytest.approx((1000 / 3, 1, 3))
    # B was 29 at the birth: ASFR 25–29 = 1 birth / 1 woman
    assert v["ASFR.25-29"] == pytest.approx((1.0, 1, 1))
    assert v["ASFR.20-24"] == pytest.approx((0.0, 0, 1))
    assert v["TFR"] == pytest.approx((5.0, 1, 3))
    assert v["BIRTH3P"] == pytest.approx((0.0, 0, 1))
    assert v["SRB"] == (None, 1, 0)  # a boy and no girl: no ratio
    assert v["PRENATAL"] == pytest.approx((100.0, 1, 1))  # screened 99 days before
    assert v["NEWBORN"] == pytest.approx((100.0, 1, 1))  # screened at 10 days
    assert v["PREMARITAL"] == pytest.approx((100.0, 1, 1))  # checked 4 months before
    # 60+ on 1 July: C (74) and E (64); C had a check-up
    assert v["ELDERLY"] == pytest.approx((50.0, 1, 2))
    assert v["NEWFP"] == (2, 2, None)
    assert (v["NEWFP.iud"][0], v["NEWFP.pill"][0], v["NEWFP.condom"][0]) == (1, 1, 0)
    assert (v["NEWFP.free"][0], v["NEWFP.social_marketing"][0]) == (1, 1)
    # married women 15–49 on 31/12: B (pill), D (married in April, no method), F (IUD)
    assert v["CPR"] == pytest.approx((200 / 3, 2, 3))


@pytest.mark.usefixtures("book")
def test_a_month_and_a_quarter_are_annualised() -> None:
    may = values(Level.COMMUNE, "118", "2024-05")
    assert may["CBR"] == pytest.approx((1000 / 7 * 365 / 31, 1, 7))  # G born 10/05, counted 15/05
    q3 = values(Level.COMMUNE, "118", "2024Q3")
    assert q3["CDR"] == pytest.approx((1000 / 7 * 365 / 92, 1, 7))  # counted on 15/08
    assert q3["NEWFP"][0] == 1
    assert q3["CBR"][1] == 0
    # CPR is counted on the period's last day: on 31/03, D is not yet married, B uses
    # nothing yet, F has her IUD
    march = values(Level.COMMUNE, "118", "2024-03")
    assert march["CPR"] == pytest.approx((50.0, 1, 2))
    ytd = Period.parse("2024-YTD-06")
    assert (ytd.start, ytd.end, ytd.reference) == (
        date(2024, 1, 1),
        date(2024, 6, 30),
        date(2024, 3, 31),
    )


@pytest.mark.usefixtures("book")
def test_units_above_add_up_and_others_do_not_see_it() -> None:
    other = units.village_create(
        commune=unit_at(Level.COMMUNE, "115", SINCE),
        code="00115-T1",
        name="Tổ dân phố 1",
        type="tổ dân phố",
        valid_from=SINCE,
    )
    household = services.household_create(unit=other, since=SINCE, number="9")
    mother = person(household, "Vũ Thị Hạnh", "F", date(1990, 1, 1), "co_vo_chong")
    event(
        mother,
        EventType.BIRTH,
        date(2024, 6, 1),
        child=services.PersonInput("Vũ Thị Hoa", "F", date(2024, 6, 1)),
        birth_order=3,
    )
    district = values(Level.DISTRICT, "004", "2024")
    assert district["CBR"][1:] == (2, 9)
    assert district["SRB"] == pytest.approx((100.0, 1, 1))
    assert district["BIRTH3P"] == pytest.approx((50.0, 1, 2))
    city = values(Level.PROVINCE, "01", "2024")
    assert city["CBR"][1:] == (2, 9)
    assert values(Level.COMMUNE, "118", "2024")["CBR"][1:] == (1, 7)
    assert values(Level.COMMUNE, "121", "2024")["CBR"][1:] == (0, 0)


def test_a_birth_recorded_changes_the_ward_district_and_city_at_once(
    book: dict[str, Person],
) -> None:
    before = [values(level, code, "2024")["CBR"][1] for level, code in CHAIN]
    event(
        book["D"],
        EventType.BIRTH,
        date(2024, 11, 2),
        child=services.PersonInput("Phạm Thị Hà", "F", date(2024, 11, 2)),
        birth_order=1,
    )
    after = [values(level, code, "2024")["CBR"][1] for level, code in CHAIN]
    assert after == [b + 1 for b in before]  # type: ignore[operator]


CHAIN = [(Level.COMMUNE, "118"), (Level.DISTRICT, "004"), (Level.PROVINCE, "01")]


def test_periods_are_read_and_written_back() -> None:
    for text in ["2025", "2025Q1", "2025-03", "2025-YTD-06"]:
        assert str(Period.parse(text)) == text
    q1 = Period.parse("2025Q1")
    assert (q1.start, q1.end, q1.reference, q1.days) == (
        date(2025, 1, 1),
        date(2025, 3, 31),
        date(2025, 2, 15),
        90,
    )
    assert Period.parse("2024").annualisation == 1.0
    assert Period.parse("2024-02").annualisation == pytest.approx(365 / 29)
    with pytest.raises(ValueError, match="not a period"):
        Period.parse("2025-Q5")


@pytest.mark.usefixtures("book")
def test_the_pyramid_counts_persons_by_sex_and_age_on_the_reference_date() -> None:
    # 1 July 2024 in Tổ dân phố 1: An 44, Bình 29, Cúc 74, Dung 23, Em 64, Phương 49, and
    # Giang, born 10/05/2024, aged 0; nobody has died or moved yet.
    tally = compute(version(Level.COMMUNE, "118"), Period.parse("2024")).tally
    pyramid = {key: n for key, n in tally.items() if key.startswith("PYR.")}
    assert pyramid == {
        "PYR.M.0-4": 1,
        "PYR.M.40-44": 1,
        "PYR.M.60-64": 1,
        "PYR.F.20-24": 1,
        "PYR.F.25-29": 1,
        "PYR.F.45-49": 1,
        "PYR.F.70-74": 1,
    }
    assert sum(pyramid.values()) == tally["P"]


def test_a_page_puts_a_trees_leaves_in_branches_once(
    book: dict[str, Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a page is read, the city's leaves are made parts and put in their branches
    once for the twelve months of a year (their tree is the same), not once a month; the
    figures are those counted without remembering anything."""
    city = UnitVersion.objects.select_related("unit").get(
        valid_on(date(2024, 12, 31)), unit=unit_at(Level.PROVINCE, "01", date(2024, 12, 31))
    )
    months = [Period.parse(f"2024-{month:02d}") for month in range(1, 13)]

    def figures(period: Period) -> list[object]:
        counted = compute(city, period, tallies=cache.register_and_entered, sums=cache.branch_sums)
        return [v.as_dict() for v in counted.values]

    alone = [figures(month) for month in months]
    grouped: list[str] = []
    real = engine._in_branches

    def spy(root: str, parts: list[Part]) -> Any:
        grouped.append(root)
        return real(root, parts)

    monkeypatch.setattr(engine, "_in_branches", spy)
    with reading():
        assert [figures(month) for month in months] == alone
    assert grouped == [city.path]
    assert any(value["numerator"] for month in alone for value in month)  # type: ignore[index]
