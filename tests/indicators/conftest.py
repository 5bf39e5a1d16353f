"""A register small enough to count by hand (see test_engine.py for the counts)."""

from __future__ import annotations

from datetime import date

import pytest

from danso.register import services
from danso.register.models import Household, Person
from danso.register.vocabulary import EventType
from danso.units import services as units
from danso.units.codes import Level
from tests.conftest import unit_at
from tests.plans.conftest import seed_plan

SINCE = date(2023, 6, 1)


def person(household: Household, name: str, sex: str, born: date, status: str = "") -> Person:
    return services.person_add(
        household=household,
        registered_on=SINCE,
        data=services.PersonInput(name, sex, born, marital_status=status),
    )


def event(who: Person, kind: EventType, day: date, **data: object) -> None:
    services.event_record(person=who, data=services.EventInput(kind, day, **data))  # type: ignore[arg-type]


@pytest.fixture
def book() -> dict[str, Person]:
    village = units.village_create(
        commune=unit_at(Level.COMMUNE, "118", SINCE),
        code="00118-T1",
        name="Tổ dân phố 1",
        type="tổ dân phố",
        valid_from=SINCE,
    )
    h1 = services.household_create(unit=village, since=SINCE, number="1")
    h2 = services.household_create(unit=village, since=SINCE, number="2")
    p = {
        "A": person(h1, "Nguyễn Văn An", "M", date(1980, 1, 1), "co_vo_chong"),
        "B": person(h1, "Trần Thị Bình", "F", date(1995, 3, 10), "co_vo_chong"),
        "C": person(h1, "Lê Thị Cúc", "F", date(1950, 5, 5), "goa"),
        "D": person(h2, "Phạm Thị Dung", "F", date(2000, 8, 20), "chua_ket_hon"),
        "E": person(h2, "Phạm Văn Em", "M", date(1960, 1, 1), "co_vo_chong"),
        "F": person(h2, "Đỗ Thị Phương", "F", date(1975, 2, 1), "co_vo_chong"),
    }
    event(p["B"], EventType.PRENATAL_SCREENING, date(2024, 2, 1))
    event(
        p["B"],
        EventType.BIRTH,
        date(2024, 5, 10),
        child=services.PersonInput("Nguyễn Văn Giang", "M", date(2024, 5, 10)),
        birth_order=2,
    )
    p["G"] = Person.objects.get(full_name="Nguyễn Văn Giang")
    event(p["G"], EventType.NEWBORN_SCREENING, date(2024, 5, 20))
    event(p["D"], EventType.PREMARITAL_CHECK, date(2023, 12, 1))
    event(p["D"], EventType.MARRIAGE, date(2024, 4, 1))
    event(p["C"], EventType.ELDERLY_CHECKUP, date(2024, 3, 3))
    event(p["E"], EventType.DEATH, date(2024, 9, 1))
    event(
        p["F"],
        EventType.CONTRACEPTION_START,
        date(2024, 2, 2),
        method="iud",
        supply="free",
        new_acceptor=True,
    )
    event(
        p["B"],
        EventType.CONTRACEPTION_START,
        date(2024, 8, 1),
        method="pill",
        supply="social_marketing",
        new_acceptor=True,
    )
    return p


__all__ = ["SINCE", "book", "event", "person", "seed_plan"]  # seed_plan: the seed plans
