"""The world of the scope matrix: ``world.build_world()`` and, around it, one object of
every kind an endpoint takes, placed so that each role has some inside its reach and
some outside; and the hand-written oracle that says which.

Units are named by short keys (the oracle speaks in keys, never in ids)::

    HN   Thành phố Hà Nội (province, both sides of the 1/7/2025 reform)
    LB   Quận Long Biên (district, until 30/06/2025)      HK  Quận Hoàn Kiếm (district)
    NT   Phường Ngọc Thụy (old 118)   TT Thượng Thanh (115)   NL Ngọc Lâm (133)
    CK   Phường Cự Khối (154)         PT Phúc Tân (37, Hoàn Kiếm)
    BD   Phường Bồ Đề (new 118)   HH Hồng Hà (97)   VH Việt Hưng (127)   LBW Phường Long Biên (145)
    CB   Tỉnh Cao Bằng; CBD one of its districts; CBc a commune of it (old); CBn its successor
    NT1 NT2 TT1 NL1 CK1 PT1   the residential groups of ``world``; CB1 a group in CBc → CBn

The seventh group, CB1, lies outside Hà Nội: nobody but the administrator reaches it.
Besides ``world``'s households: a woman who moved from NT1 to NT2 on 01/03/2024 (she is
NT2's now; her move counted in NT1, her later event in NT2), a second record of every
wife (a duplicate to merge), a handed-in month of every group, reports, waivers,
reminders, import jobs, plans with targets, allocations and activities, projections,
population and entered figures, a life table, a calendar day, a user without a role.

The oracle (``UNIT_REACH``, ``RIGHTS``, ``SIGHT``, ``CHILDREN``) is written by hand from
the rules of issue 11 and ``docs/privacy.md``: a role reaches its unit's subtree as the
unit stood on the day looked at; before its unit existed, only what became part of it
(a ward wholly merged into it, the groups that moved into it); after its unit closed,
only what was under it; reports, plans, projections and figures are judged on their own
date.  Nothing here asks the code under test who may see what.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from danso.accounts.scope import SYSTEM
from danso.accounts.services import user_create as create_user
from danso.accounts.tokens import api_token_issue
from danso.indicators.services import entered_save
from danso.plans.document import TargetKind, TargetSpec
from danso.plans.models import Activity, Plan, Target
from danso.plans.services import allocation_set, plan_create, target_save
from danso.population.models import PopulationFigure
from danso.population.services import FigureInput, figure_save
from danso.projections.method import BUILTIN_SCENARIOS
from danso.projections.models import LifeTable, Projection
from danso.projections.services import lifetable_save, projection_create
from danso.register import services as register
from danso.register.exports import export_file
from danso.register.models import (
    Collection,
    Event,
    ExportJob,
    Household,
    ImportJob,
    Membership,
    Person,
)
from danso.register.vocabulary import EventType
from danso.reports.models import CalendarDay, Reminder, Report, ReportType, ReportWaiver
from danso.reports.services import (
    calendar_day_set,
    report_figure_set,
    report_open,
    report_submit,
    report_types_load,
    report_waive,
)
from danso.units import services as units
from danso.units.codes import Level
from danso.units.models import Unit, UnitSuccession, UnitVersion, valid_on
from tests.conftest import unit_at
from tests.privacy.world import (
    D2024,
    D2025,
    FULL,
    MASKED,
    REACH,
    REFORM,
    SINCE,
    TODAY,
    World,
    build_world,
)
from tests.privacy.world import DAYS as WORLD_DAYS

BEFORE, AFTER = "before", "after"
#: The days every request is made on (``?date=``): the old tree, and "today" of the world;
#: listings also on 01/03/2025 (after the January 2025 mergers, before the reform).
DAYS = (D2024, TODAY)
LISTING_DAYS = (D2024, D2025, TODAY)


def era(day: date) -> str:
    return BEFORE if day < REFORM else AFTER


# ------------------------------------------------------------------------ the oracle

#: Unit key -> (level, eras in which it exists).
UNIT_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "HN": ("province", (BEFORE, AFTER)),
    "CB": ("province", (BEFORE, AFTER)),
    "LB": ("district", (BEFORE,)),
    "HK": ("district", (BEFORE,)),
    "CBD": ("district", (BEFORE,)),
    "NT": ("commune", (BEFORE,)),
    "TT": ("commune", (BEFORE,)),
    "NL": ("commune", (BEFORE,)),
    "CK": ("commune", (BEFORE,)),
    "PT": ("commune", (BEFORE,)),
    "CBc": ("commune", (BEFORE,)),
    "BD": ("commune", (AFTER,)),
    "HH": ("commune", (AFTER,)),
    "VH": ("commune", (AFTER,)),
    "LBW": ("commune", (AFTER,)),
    "CBn": ("commune", (AFTER,)),
    **dict.fromkeys(("NT1", "NT2", "TT1", "NL1", "CK1", "PT1"), ("village", (BEFORE, AFTER))),
    "CB1": ("village", (BEFORE, AFTER)),
}
GROUP_KEYS = ("NT1", "NT2", "TT1", "NL1", "CK1", "PT1", "CB1")
_HANOI_BEFORE = {"HN", "LB", "HK", "NT", "TT", "NL", "CK", "PT", *GROUP_KEYS[:-1]}
_HANOI_AFTER = {"HN", "BD", "HH", "VH", "LBW", *GROUP_KEYS[:-1]}
_ALL_BEFORE = {k for k, (_lvl, eras) in UNIT_KEYS.items() if BEFORE in eras}
_ALL_AFTER = {k for k, (_lvl, eras) in UNIT_KEYS.items() if AFTER in eras}

#: role -> era -> the unit keys it reaches (sees and, with the right, acts on).
UNIT_REACH: dict[str, dict[str, set[str]]] = {
    "admin": {BEFORE: _ALL_BEFORE, AFTER: _ALL_AFTER},
    "hanoi": {BEFORE: _HANOI_BEFORE, AFTER: _HANOI_AFTER},
    "xem": {BEFORE: _HANOI_BEFORE, AFTER: _HANOI_AFTER},
    # the district's wards before; after the reform only its former groups
    "longbien": {
        BEFORE: {"LB", "NT", "TT", "NL", "CK", "NT1", "NT2", "TT1", "NL1", "CK1"},
        AFTER: {"NT1", "NT2", "TT1", "NL1", "CK1"},
    },
    # a ward the reform closed: its groups, never its successors
    "ngocthuy": {BEFORE: {"NT", "NT1", "NT2"}, AFTER: {"NT1", "NT2"}},
    # a ward the reform made: Ngọc Lâm (wholly merged into it) and the groups that moved
    # into it; never Quận Long Biên, never Ngọc Thụy (only partly merged)
    "bode": {BEFORE: {"NL", "NL1", "NT1"}, AFTER: {"BD", "NL1", "NT1"}},
    "ctv": {BEFORE: {"NT1"}, AFTER: {"NT1"}},
}

#: The direct children of a unit among the keys, per era (a plan's "units below").
CHILDREN: dict[str, dict[str, set[str]]] = {
    BEFORE: {
        "HN": {"LB", "HK"},
        "LB": {"NT", "TT", "NL", "CK"},
        "HK": {"PT"},
        "NT": {"NT1", "NT2"},
        "TT": {"TT1"},
        "NL": {"NL1"},
        "CK": {"CK1"},
        "PT": {"PT1"},
        "CB": {"CBD"},
        "CBD": {"CBc"},
        "CBc": {"CB1"},
    },
    AFTER: {
        "HN": {"BD", "HH", "VH", "LBW"},
        "BD": {"NT1", "NL1"},
        "HH": {"NT2", "PT1"},
        "VH": {"TT1"},
        "LBW": {"CK1"},
        "CB": {"CBn"},
        "CBn": {"CB1"},
    },
}

#: The rights of each role (from the rules: issue 11 and docs/privacy.md), held on the
#: units it reaches.  "records": read person-level records (masked above the commune);
#: "persons": see them in full; "reveal": open one full record for a reason.
RIGHTS: dict[str, frozenset[str]] = {
    "admin": frozenset(
        {
            "view",
            "records",
            "reveal",
            "register",
            "accept",
            "accesslog",
            "villages",
            "structure",
            "population",
            "plans",
            "submit",
            "approve",
            "indicators",
            "admin",
        }
    ),
    "hanoi": frozenset(
        {
            "view",
            "records",
            "reveal",
            "villages",
            "structure",
            "population",
            "plans",
            "submit",
            "approve",
            "indicators",
        }
    ),
    "longbien": frozenset(
        {
            "view",
            "records",
            "reveal",
            "register",
            "villages",
            "population",
            "plans",
            "submit",
            "approve",
        }
    ),
    "ngocthuy": frozenset(
        {
            "view",
            "records",
            "persons",
            "register",
            "accept",
            "accesslog",
            "villages",
            "population",
            "plans",
            "submit",
            "approve",
        }
    ),
    "ctv": frozenset({"view", "records", "persons", "register"}),
    "xem": frozenset({"view"}),
}
RIGHTS["bode"] = RIGHTS["ngocthuy"]

#: role -> group -> sight ("full" or "masked"), the same on every day: ``world.REACH``
#: and the group outside Hà Nội, which only the administrator reaches (masked).
SIGHT: dict[str, dict[str, str]] = {role: dict(days[TODAY]) for role, days in REACH.items()}
SIGHT["admin"]["CB1"] = MASKED
assert all(days[day] == days[TODAY] for days in REACH.values() for day in WORLD_DAYS)

#: The nearest misses first: what each role would most likely be given by mistake.
TEMPT: dict[str, list[str]] = {
    "ctv": ["NT2", "NT", "NL1", "BD", "TT1", "NL", "LB", "HN"],
    "ngocthuy": ["NL1", "PT1", "BD", "HH", "NL", "TT1", "LB", "TT", "HN"],
    "bode": ["NT2", "LB", "NT", "HH", "TT1", "CK1", "CK", "LBW", "PT1", "HN"],
    "longbien": ["PT1", "HK", "PT", "BD", "HH", "LBW", "VH", "HN", "CB1"],
    "hanoi": ["CB1", "CBc", "CBn", "CBD", "CB"],
    "xem": ["NT1", "NT", "BD", "CB1", "CBc", "CBn", "CBD", "CB"],
    "admin": [],
}


# ------------------------------------------------------------------------ objects


@dataclass(frozen=True)
class Obj:
    """One object an endpoint can be asked about, with what the oracle needs.

    ``place`` is the unit key (for register records: the group key) it is judged on,
    ``era`` the era of its own date (reports, plans, projections, figures; None: the
    day looked at), ``receiver`` the unit that decides on it (reports, waivers),
    ``owner`` the role it belongs to (reminders, import jobs)."""

    kind: str
    name: str
    pk: Any
    place: str = ""
    era: str | None = None
    receiver: str = ""
    owner: str = ""
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def level(self) -> str:
        return UNIT_KEYS[self.place][0] if self.place in UNIT_KEYS else ""

    def exists_in(self, day_era: str) -> bool:
        if self.kind != "unit":
            return True
        return day_era in UNIT_KEYS[self.place][1]


def reaches(role: str, obj: Obj, need: str, day: date) -> bool:
    """The oracle: may ``role`` do ``need`` on ``obj`` when looking at ``day``?

    ``need`` is a right of ``RIGHTS``, or "below" (a plan: its headline and one's own
    rows), "full" (a plan: the whole of it), "sight" (a person in full), "login",
    "public", "own" (one's own reminder or import job), "admin"."""
    if need == "public":
        return True
    if role == "anon":
        return False
    if need == "login":
        return True
    if need == "own":
        return obj.owner == role
    if need == "admin":
        return role == "admin"
    rights = RIGHTS[role]
    kind = obj.kind
    if kind in ("household", "person", "event"):
        sight = SIGHT[role].get(obj.place)
        if need == "sight":
            return sight == FULL
        if need == "persons":
            return "persons" in rights and sight == FULL
        if need == "reveal":
            return "reveal" in rights and sight is not None
        return need in rights and sight is not None
    if kind in ("user", "calendarday"):
        return role == "admin"
    if kind in ("indicator", "reporttype"):
        return need in rights
    if kind == "plan":
        reached = UNIT_REACH[role][obj.era or era(day)]
        own = obj.place in reached
        below = bool(CHILDREN[obj.era or era(day)].get(obj.place, set()) & reached)
        if need == "below":
            return "view" in rights and (own or below)
        if need == "full":
            return "view" in rights and own
        return need in rights and own
    if kind == "allocation":  # a plan and a unit below it: derive that unit's plan
        reached = UNIT_REACH[role][obj.era or era(day)]
        return need in rights and obj.extra["child"] in reached
    if kind in ("report", "waiver") and need == "approve":
        return "approve" in rights and obj.receiver in UNIT_REACH[role][obj.era or era(day)]
    if need == "persons" and kind == "unit":
        return "persons" in rights and obj.place in UNIT_REACH[role][era(day)]
    if need not in rights:
        return False
    return obj.place in UNIT_REACH[role][obj.era or era(day)]


def full_groups(role: str) -> set[str]:
    """The groups whose persons ``role`` may see in full (on every day of the world)."""
    if role == "anon":
        return set()
    return {g for g, sight in SIGHT[role].items() if sight == FULL}


# ------------------------------------------------------------------------ the world


@dataclass
class MatrixWorld:
    base: World
    units: dict[str, Unit] = field(default_factory=dict)
    objects: dict[str, list[Obj]] = field(default_factory=dict)  # kind -> pool, in order
    persons: dict[str, list[Person]] = field(default_factory=dict)  # group -> people
    tokens: dict[str, str] = field(default_factory=dict)  # role -> API token
    #: role -> the sensitive values of the persons of each group: group -> values
    secrets: dict[str, list[str]] = field(default_factory=dict)

    def add(self, obj: Obj) -> Obj:
        self.objects.setdefault(obj.kind, []).append(obj)
        return obj

    def pool(self, kind: str) -> list[Obj]:
        return self.objects.get(kind, [])

    def one(self, kind: str, name: str) -> Obj:
        return next(o for o in self.pool(kind) if o.name == name)

    def unit_pk(self, key: str) -> int:
        return self.units[key].pk

    def version(self, key: str, day: date) -> UnitVersion:
        return UnitVersion.objects.filter(valid_on(day), unit=self.units[key]).get()


def _first_successor(unit: Unit) -> Unit:
    link = UnitSuccession.objects.filter(predecessor=unit).order_by("pk").first()
    assert link is not None, unit
    return link.successor


def _cao_bang_group(world: World) -> tuple[Unit, Unit, Unit, Unit, Unit]:
    """A residential group in a commune of Cao Bằng that the reform merged into another,
    with a household of three: (province, district, old commune, new commune, group)."""
    province = unit_at(Level.PROVINCE, "4", D2024)
    top = UnitVersion.objects.filter(valid_on(D2024), unit=province).get()
    old = None
    for version in (
        UnitVersion.objects.filter(
            valid_on(D2024), unit__level=Level.COMMUNE, path__startswith=top.path
        )
        .select_related("unit")
        .order_by("path")
    ):
        if (
            version.unit.valid_to is not None
            and UnitSuccession.objects.filter(predecessor=version.unit).exists()
        ):
            old = version
            break
    assert old is not None
    assert old.parent is not None
    new = _first_successor(old.unit)
    village = units.village_create(
        commune=old.unit,
        code=f"{old.code}-CB1",
        name="Tổ dân phố CB1",
        type="tổ dân phố",
        valid_from=SINCE,
    )
    after = UnitVersion.objects.filter(valid_on(REFORM), unit=village).first()
    if after is None or after.parent_id != new.pk:
        units.unit_move(unit=village, parent=new, effective=REFORM)
    household = register.household_create(
        unit=village, since=SINCE, number="CB1", address="Số 1 ngõ CB1"
    )
    world.groups["CB1"] = village
    world.households["CB1"] = household
    people = []
    for index, (given, sex, born, relation) in enumerate(
        (("Chủ", "M", date(1980, 1, 1), "chu_ho"), ("Vợ", "F", date(1992, 2, 2), "vo_chong")),
        start=101,
    ):
        people.append(
            register.person_add(
                household=household,
                registered_on=SINCE,
                data=register.PersonInput(
                    f"Khúc Thị {given} CB1",
                    sex,
                    born,
                    relation=relation,
                    id_number=f"0011{index:08d}",
                ),
            )
        )
    wife = people[1]
    register.event_record(
        person=wife,
        data=register.EventInput(
            EventType.CONTRACEPTION_START,
            date(2024, 2, 2),
            method="iud",
            supply="free",
            new_acceptor=True,
            note="Ghi chú riêng CB1",
        ),
    )
    register.event_record(
        person=wife,
        data=register.EventInput(
            EventType.BIRTH,
            date(2024, 5, 10),
            child=register.PersonInput("Khúc Văn Con CB1", "M", date(2024, 5, 10)),
            birth_order=1,
        ),
    )
    people.append(Person.objects.get(full_name="Khúc Văn Con CB1"))
    world.persons["CB1"] = people
    above = UnitVersion.objects.filter(valid_on(D2024), unit=old.parent).get()
    assert above.parent_id == province.pk, "a district of Cao Bằng above the commune"
    return province, old.parent, old.unit, new, village


def _filled_report(type_code: str, unit: Unit, period: str, submit: bool = True) -> Report:
    report = report_open(
        actor=SYSTEM, report_type=ReportType.objects.get(code=type_code), unit=unit, period=period
    )
    for figure in report.figures.filter(row__kind="count", value__isnull=True):
        report_figure_set(actor=SYSTEM, figure=figure, value=Decimal(0))
    return report_submit(actor=SYSTEM, report=report) if submit else report


def build_matrix_world() -> MatrixWorld:
    base = build_world()
    mw = MatrixWorld(base=base)
    province, district, old_cb, new_cb, _group = _cao_bang_group(base)
    u = mw.units
    u["HN"] = unit_at(Level.PROVINCE, "1", D2024)
    u["CB"], u["CBD"], u["CBc"], u["CBn"] = province, district, old_cb, new_cb
    u["LB"] = unit_at(Level.DISTRICT, "4", D2024)
    u["HK"] = unit_at(Level.DISTRICT, "2", D2024)
    for key, code in (("NT", "118"), ("TT", "115"), ("NL", "133"), ("CK", "154"), ("PT", "37")):
        u[key] = base.wards[f"old {code}"]
    for key, code in (("BD", "118"), ("HH", "97"), ("VH", "127"), ("LBW", "145")):
        u[key] = base.wards[f"new {code}"]
    u.update(base.groups)
    assert UnitVersion.objects.filter(unit=u["HK"], name="Quận Hoàn Kiếm").exists()
    for key in UNIT_KEYS:
        mw.add(Obj("unit", f"unit {key}", u[key].pk, place=key))

    # -------------------------------------------------------------- the register
    mw.persons = {g: list(base.persons[g]) for g in GROUP_KEYS}
    # A woman who moved from NT1 to NT2 on 01/03/2024: she belongs to NT2 now (the
    # collaborator of NT1 no longer sees her), her move counted in NT1.
    mover = register.person_add(
        household=base.households["NT1"],
        registered_on=SINCE,
        data=register.PersonInput(
            "Khúc Thị Chuyển NT2", "F", date(1995, 3, 3), relation="khac", id_number="001100000201"
        ),
    )
    move = register.event_record(
        person=mover,
        data=register.EventInput(
            EventType.MOVE_WITHIN, date(2024, 3, 1), to_household=base.households["NT2"]
        ),
    )
    later = register.event_record(
        person=mover,
        data=register.EventInput(
            EventType.CONTRACEPTION_START,
            date(2024, 4, 1),
            method="pill",
            supply="free",
            new_acceptor=True,
            note="Ghi chú riêng NT2 sau khi chuyển",
        ),
    )
    mw.persons["NT2"].append(mover)
    for group in GROUP_KEYS:
        household = base.households[group]
        mw.add(Obj("household", f"household {group}", household.pk, place=group))
        wife = mw.persons[group][1]
        # a second record of her, from a stay before hers (a duplicate to merge)
        twin = register.person_new(
            registered_on=date(2023, 1, 1),
            data=register.PersonInput(wife.full_name, "F", wife.birth_date),
        )
        Membership.objects.create(
            person=twin,
            household=household,
            relation="vo_chong",
            valid_from=date(2023, 1, 1),
            valid_to=date(2023, 5, 31),
        )
        mw.add(
            Obj(
                "person",
                f"person {group} wife",
                wife.pk,
                place=group,
                extra={"village": group, "household": household.pk, "twin": twin.pk},
            )
        )
        event = Event.objects.filter(person=wife, event_type=EventType.CONTRACEPTION_START).get()
        mw.add(Obj("event", f"event {group}", event.pk, place=group))
    mw.add(
        Obj(
            "person",
            "person NT2 mover",
            mover.pk,
            place="NT2",
            extra={"village": "NT2", "household": base.households["NT2"].pk},
        )
    )
    mw.add(Obj("event", "event NT1 move of the NT2 mover", move.pk, place="NT1"))
    mw.add(Obj("event", "event NT2 of the mover, after her move", later.pk, place="NT2"))
    for group in GROUP_KEYS:
        commune = {
            BEFORE: next(c for c, kids in CHILDREN[BEFORE].items() if group in kids),
            AFTER: next(c for c, kids in CHILDREN[AFTER].items() if group in kids),
        }
        for month in (date(2024, 6, 1), date(2026, 11, 1)):
            row = register.collection_open(unit=u[group], month=month)
            if month.year == 2024:  # today's month stays open: the form's write probe
                register.collection_hand_in(collection=row, user=base.users["ctv"])
            mw.add(
                Obj(
                    "collection",
                    f"collection {group} {month:%Y-%m}",
                    row.pk,
                    place=group,
                    era=era(month),
                    extra={"commune": commune[era(month)], "month": f"{month:%Y-%m}"},
                )
            )
    for group, people in mw.persons.items():
        mw.secrets[group] = [
            value for person in people for value in (person.full_name, person.id_number) if value
        ] + [f"Ghi chú riêng {group}", f"Số 1 ngõ {group}"]

    # -------------------------------------------------------------- reports
    report_types_load()
    for key, type_code, period, receiver, submit in (
        ("CK", "commune-quarterly", "2025Q1", "LB", True),
        ("NT", "commune-quarterly", "2025Q1", "LB", True),
        ("NL", "commune-quarterly", "2025Q1", "LB", True),
        ("PT", "commune-quarterly", "2025Q1", "HK", True),
        ("CBc", "commune-quarterly", "2025Q1", "CBD", True),
        ("BD", "commune-quarterly", "2025Q3", "HN", True),
        ("HH", "commune-quarterly", "2025Q3", "HN", True),
        ("LB", "district-quarterly", "2025Q1", "HN", False),
    ):
        report = _filled_report(type_code, u[key], period, submit)
        count = report.figures.filter(row__kind="count").order_by("pk").first()
        assert count is not None
        mw.add(
            Obj(
                "report",
                f"report {key} {period}",
                report.pk,
                place=key,
                era=era(report.period_end),
                receiver=receiver,
                extra={"type": type_code, "period": period, "figure": count.pk},
            )
        )
    for key, period, receiver in (
        ("NT", "2025Q2", "LB"),
        ("PT", "2025Q2", "HK"),
        ("CBc", "2025Q2", "CBD"),
        ("HH", "2025Q4", "HN"),
    ):
        waiver = report_waive(
            actor=SYSTEM,
            report_type=ReportType.objects.get(code="commune-quarterly"),
            unit=u[key],
            period=period,
            reason="Thử miễn báo cáo",
        )
        mw.add(
            Obj(
                "waiver",
                f"waiver {key} {period}",
                waiver.pk,
                place=key,
                era=BEFORE if period < "2025Q3" else AFTER,
                receiver=receiver,
            )
        )
    quarterly = ReportType.objects.get(code="commune-quarterly")
    for role, user in base.users.items():
        reminder = Reminder.objects.create(
            user=user,
            report_type=quarterly,
            unit=u["NT"],
            period="2025Q1",
            kind=Reminder.Kind.BEFORE,
            due=date(2025, 4, 3),
            message=f"Nhắc báo cáo của {role}",
            sent_at=timezone.now(),
        )
        mw.add(Obj("reminder", f"reminder of {role}", reminder.pk, owner=role))
        job = ImportJob.objects.create(
            user=user, file_name=f"so-{role}.zip", status=ImportJob.Status.DONE
        )
        mw.add(Obj("importjob", f"import job of {role}", job.pk, owner=role))
        export = ExportJob.objects.create(
            user=user,
            unit=u["NT"],
            on=date(2025, 3, 1),
            file_name=f"so-ho-{role}.zip",
            status=ExportJob.Status.DONE,
            report={"rows": {"units": 0}},
        )
        export_file(export).parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(export_file(export), "w") as archive:
            archive.writestr("units.csv", "ma_don_vi,ten_don_vi\n")
        mw.add(Obj("exportjob", f"export of {role}", export.pk, owner=role))
        mw.add(Obj("user", f"user {role}", user.pk, owner=role))
        mw.tokens[role] = api_token_issue(user=user, name="matrix", by=user).key
    spare = create_user(username="spare", password="a-long-test-password-42", validate=False)
    mw.add(Obj("user", "user spare", spare.pk, owner="spare"))  # no role: the admin's pages
    day = calendar_day_set(actor=SYSTEM, day=date(2026, 12, 26), working=True, note="Làm bù")
    mw.add(Obj("calendarday", "calendar day 2026-12-26", day.day.isoformat()))
    assert CalendarDay.objects.filter(day=day.day).exists()
    assert ReportWaiver.objects.count() == 4

    # -------------------------------------------------------------- plans
    for key, year, children in (
        ("HN", 2024, ("LB", "HK")),
        ("LB", 2024, ("NT", "NL", "CK")),
        ("HK", 2024, ("PT",)),
        ("NT", 2024, ("NT1", "NT2")),
        ("BD", 2026, ("NT1", "NL1")),
        ("CB", 2024, ("CBD",)),
    ):
        # Issued (on the day a plan without a date is taken at): the units below see a
        # plan of the level above only once it is issued (a draft is its writers' own).
        plan = plan_create(
            unit=u[key],
            title=f"Kế hoạch thử {key} {year}",
            period_start=year,
            number=f"{key}-{year}/KH-THU",
            issued_on=date(year, 1, 15),
        )
        target = target_save(
            plan=plan,
            spec=TargetSpec("NEWFP", TargetKind.COUNT_MIN, Decimal(100), "persons"),
        )
        for child in children:
            allocation_set(target=target, unit=u[child], value=Decimal(50))
        activity = Activity.objects.create(
            plan=plan,
            name=f"Hoạt động thử {key}",
            start=date(year, 3, 1),
            end=date(year, 3, 31),
        )
        plan_era = era(plan.reference_date)
        mw.add(
            Obj(
                "plan",
                f"plan {key} {year}",
                plan.pk,
                place=key,
                era=plan_era,
                extra={
                    "target": target.pk,
                    "activity": activity.pk,
                    "children": children,
                    "year": year,
                },
            )
        )
        for child in children:
            if UNIT_KEYS[child][0] != "village":
                mw.add(
                    Obj(
                        "allocation",
                        f"plan {key} {year} → {child}",
                        plan.pk,
                        place=key,
                        era=plan_era,
                        extra={"child": child},
                    )
                )
    assert Target.objects.count() >= 6
    assert Plan.objects.count() >= 6

    # -------------------------------------------------------------- projections
    for key, base_date in (
        ("NT", date(2025, 1, 1)),
        ("NL", date(2025, 1, 1)),
        ("CK", date(2025, 1, 1)),
        ("PT", date(2025, 1, 1)),
        ("LB", date(2025, 1, 1)),
        ("CBc", date(2025, 1, 1)),
        ("BD", date(2026, 1, 1)),
        ("HH", date(2026, 1, 1)),
    ):
        projection = projection_create(
            version=mw.version(key, base_date),
            base_date=base_date,
            to_year=base_date.year + 5,
            scenarios=[BUILTIN_SCENARIOS["constant"]],
        )
        scenarios = list(projection.scenarios.values_list("pk", flat=True))
        mw.add(
            Obj(
                "projection",
                f"projection {key} {base_date:%Y}",
                projection.pk,
                place=key,
                era=era(base_date),
                extra={"scenarios": scenarios},
            )
        )
    assert Projection.objects.count() == len(mw.pool("projection"))
    lifetable_save(
        name="Bảng sống thử",
        kind="nqx",
        open_age=85,
        male=[0.02, 0.004, *[0.005] * 15, 0.2, 6.0],
        female=[0.015, 0.003, *[0.004] * 15, 0.15, 7.0],
    )
    assert LifeTable.objects.exists()

    # -------------------------------------------------------------- population figures
    for key, year in (
        ("CK", 2024),
        ("NT", 2024),
        ("PT", 2024),
        ("LB", 2024),
        ("HN", 2024),
        ("CBc", 2024),
        ("BD", 2026),
        ("HH", 2026),
    ):
        population = figure_save(
            unit=u[key],
            figure=FigureInput(year=year, total=None, male=5000, female=5200, source="thử"),
        )
        mw.add(
            Obj(
                "figure",
                f"figure {key} {year}",
                population.pk,
                place=key,
                era=BEFORE if year < REFORM.year else AFTER,
            )
        )
    assert PopulationFigure.objects.count() >= len(mw.pool("figure"))
    for key in ("CK", "PT"):
        entered_save(
            unit=u[key],
            period="2025Q1",
            counts={"P": 10_000, "W": 2_500, "births": 30, "births.M": 16, "births.F": 14},
            source="báo cáo giấy",
        )

    # -------------------------------------------------------------- the catalogue
    mw.add(Obj("indicator", "indicator NEWFP", "NEWFP"))
    mw.add(Obj("reporttype", "report type commune-quarterly", "commune-quarterly"))
    assert Household.objects.filter(pk=base.households["CB1"].pk).exists()
    assert Collection.objects.count() == 2 * len(GROUP_KEYS)
    return mw
