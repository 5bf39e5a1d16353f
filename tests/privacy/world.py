"""A small Long Biên across the 1/7/2025 reform, with one household of distinctive people
in each of six residential groups, and one person per role of the demo.

Groups (created 01/06/2023) and where they went on 01/07/2025:

    NT1  Phường Ngọc Thụy (00118)   → Phường Bồ Đề (new, 00118)   collaborator ``ctv``
    NT2  Phường Ngọc Thụy           → Phường Hồng Hà (00097)
    TT1  Phường Thượng Thanh (00115) → Phường Việt Hưng (00127)
    NL1  Phường Ngọc Lâm (00133)    → Phường Bồ Đề  (Ngọc Lâm went wholly to Bồ Đề)
    CK1  Phường Cự Khối (00154)     → Phường Long Biên (00145)
    PT1  Phường Phúc Tân (00037, Quận Hoàn Kiếm) → its successor

Every person's name and ID number is unique, so that a response can be searched for the
names and numbers it must not carry (``Person.full_name`` and ``id_number``).

``REACH[role][day]`` is the oracle: the groups whose persons the role reaches on that day
and at which sight, written by hand from the rules of ``docs/privacy.md`` — never
computed by the code under test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from danso.accounts import services as accounts
from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.register import services
from danso.register.models import Household, Person
from danso.register.vocabulary import EventType
from danso.units import services as units
from danso.units.codes import Level
from danso.units.models import Unit, UnitSuccession, UnitVersion, valid_on
from tests.conftest import PASSWORD, unit_at

SINCE = date(2023, 6, 1)
REFORM = date(2025, 7, 1)
D2024 = date(2024, 6, 30)  # districts and the old wards
D2025 = date(2025, 3, 1)  # still the old wards (Sài Đồng gone)
TODAY = date(2026, 11, 23)  # the new wards, no districts
DAYS = (D2024, D2025, TODAY)

#: group -> (old ward code on 30/06/2024, new ward code from 01/07/2025 or None: the first
#: successor of the old ward)
GROUPS: dict[str, tuple[str, str | None]] = {
    "NT1": ("118", "118"),
    "NT2": ("118", "97"),
    "TT1": ("115", "127"),
    "NL1": ("133", "118"),
    "CK1": ("154", "145"),
    "PT1": ("37", None),
}
LONG_BIEN = ("NT1", "NT2", "TT1", "NL1", "CK1")
FULL, MASKED = "full", "masked"

#: role -> day -> {group: sight}; a group missing is not reached at all.
REACH: dict[str, dict[date, dict[str, str]]] = {
    "ctv": {day: {"NT1": FULL} for day in DAYS},
    "ngocthuy": {day: {"NT1": FULL, "NT2": FULL} for day in DAYS},
    "bode": {day: {"NT1": FULL, "NL1": FULL} for day in DAYS},
    "longbien": {day: dict.fromkeys(LONG_BIEN, MASKED) for day in DAYS},
    "hanoi": {day: dict.fromkeys(GROUPS, MASKED) for day in DAYS},
    "admin": {day: dict.fromkeys(GROUPS, MASKED) for day in DAYS},
    "xem": {day: {} for day in DAYS},
}
ROLES = tuple(REACH)


@dataclass
class World:
    groups: dict[str, Unit] = field(default_factory=dict)
    households: dict[str, Household] = field(default_factory=dict)
    persons: dict[str, list[Person]] = field(default_factory=dict)  # group -> its people
    users: dict[str, User] = field(default_factory=dict)
    wards: dict[str, Unit] = field(default_factory=dict)  # "old 118", "new 118", ...

    def people(self) -> list[Person]:
        return [p for group in self.persons.values() for p in group]

    def group_of(self, person: Person) -> str:
        return next(g for g, people in self.persons.items() if person in people)


def _new_ward(old: Unit, code: str | None) -> Unit:
    if code is not None:
        return unit_at(Level.COMMUNE, code, REFORM)
    link = UnitSuccession.objects.filter(predecessor=old).order_by("pk").first()
    assert link is not None, old
    return link.successor


def _id_number(index: int) -> str:
    return f"0011{index:08d}"


def build_world() -> World:
    world = World()
    index = 0
    for group, (old_code, new_code) in GROUPS.items():
        old = unit_at(Level.COMMUNE, old_code, D2024)
        new = _new_ward(old, new_code)
        world.wards[f"old {old_code}"] = old
        world.wards[f"new {new_code or old_code}"] = new
        village = units.village_create(
            commune=old,
            code=f"{UnitVersion.objects.get(valid_on(D2024), unit=old).code}-{group}",
            name=f"Tổ dân phố {group}",
            type="tổ dân phố",
            valid_from=SINCE,
        )
        after = UnitVersion.objects.filter(valid_on(REFORM), unit=village).first()
        if after is None or after.parent_id != new.pk:  # a whole merger takes it along
            units.unit_move(unit=village, parent=new, effective=REFORM)
        world.groups[group] = village
        household = services.household_create(
            unit=village, since=SINCE, number=group, address=f"Số 1 ngõ {group}"
        )
        world.households[group] = household
        people = []
        for given, sex, born, relation in (
            ("Chủ", "M", date(1980, 1, 1), "chu_ho"),
            ("Vợ", "F", date(1992, 2, 2), "vo_chong"),
        ):
            index += 1
            people.append(
                services.person_add(
                    household=household,
                    registered_on=SINCE,
                    data=services.PersonInput(
                        f"Khúc Thị {given} {group}",
                        sex,
                        born,
                        relation=relation,
                        id_number=_id_number(index),
                    ),
                )
            )
        wife = people[1]
        services.event_record(
            person=wife,
            data=services.EventInput(
                EventType.CONTRACEPTION_START,
                date(2024, 2, 2),
                method="iud",
                supply="free",
                new_acceptor=True,
                note=f"Ghi chú riêng {group}",
            ),
        )
        services.event_record(
            person=wife,
            data=services.EventInput(
                EventType.BIRTH,
                date(2024, 5, 10),
                child=services.PersonInput(f"Khúc Văn Con {group}", "M", date(2024, 5, 10)),
                birth_order=1,
            ),
        )
        people.append(Person.objects.get(full_name=f"Khúc Văn Con {group}"))
        world.persons[group] = people
    world.users = _users(world)
    return world


def _users(world: World) -> dict[str, User]:
    def make(name: str, role: Role, unit: Unit | None, since: date = date(2023, 5, 7)) -> User:
        user = accounts.user_create(
            username=name,
            password=PASSWORD,
            validate=False,
            is_superuser=role is Role.ADMIN,
        )
        accounts.role_assign(user=user, role=role, unit=unit, valid_from=since)
        return user

    hanoi = unit_at(Level.PROVINCE, "1", D2024)
    return {
        "admin": make("admin", Role.ADMIN, None),
        "hanoi": make("hanoi", Role.PROVINCE_OFFICER, hanoi),
        "xem": make("xem", Role.VIEWER, hanoi),
        "longbien": make("longbien", Role.DISTRICT_OFFICER, unit_at(Level.DISTRICT, "4", D2024)),
        "ngocthuy": make("ngocthuy", Role.COMMUNE_OFFICER, world.wards["old 118"]),
        "bode": make("bode", Role.COMMUNE_OFFICER, world.wards["new 118"], REFORM),
        "ctv": make("ctv", Role.COLLABORATOR, world.groups["NT1"], SINCE),
    }
