"""A register small enough to count by hand, in two villages of Phường Ngọc Thụy
(commune 118, Quận Long Biên), opened on 1/6/2023; projections start on 1/1/2025.

Village T1, household 1 (registered on 1/1/2025):
  Lan  F born 10/03/1995 (29: group 25–29), gave birth to Nam on 10/05/2024
  Hùng M born 01/01/1990 (35 on 1/1/2025: group 35–39)
  Cúc  F born 05/05/1950 (74: group 70–74)
  Bin  M born 02/02/2020 (4: group 0–4)
  Nam  M born 10/05/2024 (0: group 0–4)
Village T2, household 2:
  Mai F born 01/07/1996, Hoa F born 01/08/1996 and Thu F born 01/09/1990 (births: a girl
  on 01/09/2023 to Mai, a boy on 15/03/2024 to Hoa, a girl on 20/06/2024 to Thu);
  Tâm M born 01/01/1940 died on 01/09/2024; Đức M born 01/01/1985 moved out on
  01/10/2024; Vy F born 01/01/2000 moved in on 01/03/2024.

So T1 has 1 birth in the pooled years (2023–2024 are the years the register covers) and
T2 has 3; with ``MIN_BIRTHS`` lowered to 3, T1 borrows from the commune (4 births).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.projections import services as projections
from danso.register import services
from danso.register.models import Household, Person
from danso.register.vocabulary import EventType
from danso.units import services as units
from danso.units.codes import Level
from danso.units.models import Unit, UnitVersion, valid_on
from tests.conftest import unit_at

SINCE = date(2023, 6, 1)
BASE = date(2025, 1, 1)
#: The handmade register: the villages "T1", "T2" (Unit) and the persons by name.
Register = dict[str, Any]


def person(household: Household, name: str, sex: str, born: date) -> Person:
    return services.person_add(
        household=household, registered_on=SINCE, data=services.PersonInput(name, sex, born)
    )


def birth(mother: Person, day: date, name: str, sex: str) -> Person:
    services.event_record(
        person=mother,
        data=services.EventInput(
            EventType.BIRTH, day, child=services.PersonInput(name, sex, day), birth_order=1
        ),
    )
    return Person.objects.get(full_name=name)


def ngoc_thuy() -> Unit:
    return unit_at(Level.COMMUNE, "118", BASE)


def version_of(unit: Unit, on: date = BASE) -> UnitVersion:
    return UnitVersion.objects.filter(valid_on(on), unit=unit).select_related("unit").get()


def make_register() -> Register:
    """The register of the module docstring (the browser tests make it too)."""
    commune = ngoc_thuy()
    villages = {
        code: units.village_create(
            commune=commune, code=f"00118-{code}", name=name, type="tổ dân phố", valid_from=SINCE
        )
        for code, name in (("T1", "Tổ dân phố 1"), ("T2", "Tổ dân phố 2"))
    }
    h1 = services.household_create(unit=villages["T1"], since=SINCE, number="1")
    h2 = services.household_create(unit=villages["T2"], since=SINCE, number="2")
    p: Register = {"T1": villages["T1"], "T2": villages["T2"]}
    p["Lan"] = person(h1, "Lan", "F", date(1995, 3, 10))
    p["Hùng"] = person(h1, "Hùng", "M", date(1990, 1, 1))
    p["Cúc"] = person(h1, "Cúc", "F", date(1950, 5, 5))
    p["Bin"] = person(h1, "Bin", "M", date(2020, 2, 2))
    p["Nam"] = birth(p["Lan"], date(2024, 5, 10), "Nam", "M")
    p["Mai"] = person(h2, "Mai", "F", date(1996, 7, 1))
    p["Hoa"] = person(h2, "Hoa", "F", date(1996, 8, 1))
    p["Thu"] = person(h2, "Thu", "F", date(1990, 9, 1))
    p["Tâm"] = person(h2, "Tâm", "M", date(1940, 1, 1))
    p["Đức"] = person(h2, "Đức", "M", date(1985, 1, 1))
    birth(p["Mai"], date(2023, 9, 1), "Mai con", "F")
    birth(p["Hoa"], date(2024, 3, 15), "Hoa con", "M")
    birth(p["Thu"], date(2024, 6, 20), "Thu con", "F")
    services.event_record(
        person=p["Tâm"], data=services.EventInput(EventType.DEATH, date(2024, 9, 1))
    )
    services.event_record(
        person=p["Đức"], data=services.EventInput(EventType.MOVE_OUT, date(2024, 10, 1))
    )
    vy = services.person_new(
        data=services.PersonInput("Vy", "F", date(2000, 1, 1)), registered_on=date(2024, 3, 1)
    )
    services.event_record(
        person=vy, data=services.EventInput(EventType.MOVE_IN, date(2024, 3, 1), household=h2)
    )
    p["Vy"] = vy
    return p


@pytest.fixture
def register(db: None) -> Register:
    return make_register()


@pytest.fixture
def few_births(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fertility threshold small enough for the handmade register: 3 births."""
    monkeypatch.setattr(projections, "MIN_BIRTHS", 3)


@pytest.fixture
def ngoc_thuy_officer(make_user: Callable[..., User]) -> User:
    return make_user("ngocthuy", Role.COMMUNE_OFFICER, Level.COMMUNE, "118")


@pytest.fixture
def thuong_thanh_officer(make_user: Callable[..., User]) -> User:
    """Commune officer of Phường Thượng Thanh (115), another ward of Long Biên."""
    return make_user("thuongthanh", Role.COMMUNE_OFFICER, Level.COMMUNE, "115")
