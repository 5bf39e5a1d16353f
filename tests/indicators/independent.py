"""The indicators of a register export, worked out independently of danso.

A plain reading of the four CSV files of the exchange format (docs/REGISTER-FORMAT.md):
who was registered in which household from when to when is rebuilt from the persons'
registration and their births, deaths and moves; each event counts in the commune of
its person's household on its day (the mother's for a birth, the household left for a
move within the commune).  ``compute(register, "2024Q2", ["00118", None])`` gives, for
each unit (a 5-digit commune code, or ``None`` for the whole file: the district), every
indicator's ``Figure(value, numerator, denominator)``.

Only the standard library: this module must not share a line with the engine it checks.
"""

from __future__ import annotations

import calendar
import csv
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

GROUPS = ("15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49")
METHODS = ("iud", "implant", "injectable", "pill", "condom", "sterilisation")
SUPPLIES = ("free", "social_marketing")
CODES = (
    "CBR",
    "CDR",
    "GFR",
    *(f"ASFR.{g}" for g in GROUPS),
    "TFR",
    "BIRTH3P",
    "SRB",
    "PRENATAL",
    "NEWBORN",
    "PREMARITAL",
    "ELDERLY",
    "NEWFP",
    *(f"NEWFP.{m}" for m in METHODS),
    *(f"NEWFP.{s}" for s in SUPPLIES),
    "CPR",
)
#: The order of a person's events of one day that change where they are registered.
MOVES = {"move_in": 0, "move_within": 1, "move_out": 2, "death": 2}
TRUE = {"1", "true", "yes"}


@dataclass(frozen=True)
class Figure:
    value: float | None
    numerator: int
    denominator: int | None


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # the last day L
    reference: date  # R
    factor: float  # 365 / days for less than a year

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def period(text: str) -> Period:
    """``2024``, ``2024Q2``, ``2024-03`` or ``2024-YTD-06``."""
    year = int(text[:4])
    rest = text[4:]

    def month_end(month: int) -> date:
        return date(year, month, calendar.monthrange(year, month)[1])

    if not rest:
        return Period(date(year, 1, 1), date(year, 12, 31), date(year, 7, 1), 1.0)
    if rest.startswith("Q"):
        quarter = int(rest[1:])
        first = 3 * quarter - 2
        start, end, reference = (
            date(year, first, 1),
            month_end(first + 2),
            date(year, first + 1, 15),
        )
    elif rest.startswith("-YTD-"):
        start, end = date(year, 1, 1), month_end(int(rest[5:]))
        reference = start + timedelta(days=((end - start).days + 1 - 1) // 2)
    else:
        month = int(rest[1:])
        start, end, reference = date(year, month, 1), month_end(month), date(year, month, 15)
    days = (end - start).days + 1
    whole_year = start == date(year, 1, 1) and end == date(year, 12, 31)
    return Period(start, end, reference, 1.0 if whole_year else 365 / days)


def age(born: date, day: date) -> int:
    """Completed years on ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _birth(text: str) -> date:
    if len(text) == 4:
        return date(int(text), 1, 1)
    if len(text) == 7:
        return date(int(text[:4]), int(text[5:]), 1)
    return _day(text)


def _day(text: str) -> date:
    if "/" in text:
        d, m, y = text.split("/")
        return date(int(y), int(m), int(d))
    return date.fromisoformat(text)


def _code(text: str) -> str:
    return text.strip().zfill(5) if text.strip().isdigit() else text.strip()


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    path = folder / f"{name}.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return [
            {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
            for row in csv.DictReader(stream)
        ]


@dataclass
class Stay:
    household: str
    start: date
    end: date  # inclusive


@dataclass
class Person:
    pid: str
    sex: str
    born: date
    marital: str
    stays: list[Stay] = field(default_factory=list)

    def household_on(self, day: date) -> str | None:
        for stay in self.stays:
            if stay.start <= day <= stay.end:
                return stay.household
        return None


@dataclass(frozen=True)
class Event:
    eid: str
    kind: str
    day: date
    person: str
    row: dict[str, str]


class Register:
    """The four files of an export folder, with everyone's stays rebuilt."""

    def __init__(self, folder: Path) -> None:
        self.commune = {
            r["household_id"]: _code(r["commune_code"]) for r in _rows(folder, "households")
        }
        self.persons: dict[str, Person] = {}
        first_home: dict[str, tuple[str, date]] = {}
        for r in _rows(folder, "persons"):
            if r.get("merged_into"):
                continue
            sex = {"nam": "M", "nữ": "F", "nu": "F"}.get(r["sex"].lower(), r["sex"].upper())
            self.persons[r["person_id"]] = Person(
                r["person_id"], sex, _birth(r["birth_date"]), r.get("marital_status", "")
            )
            first_home[r["person_id"]] = (r["household_id"], _day(r["registered_on"]))
        self.events = sorted(
            (
                Event(r["event_id"], r["event_type"], _day(r["event_date"]), r["person_id"], r)
                for r in _rows(folder, "events")
                if r["person_id"] in self.persons
            ),
            key=lambda e: (e.day, e.eid),
        )
        self.by_person: dict[str, list[Event]] = defaultdict(list)
        for event in self.events:
            self.by_person[event.person].append(event)
        for pid, (household, registered) in first_home.items():
            self._stays(self.persons[pid], household, registered)

    def _stays(self, person: Person, household: str, registered: date) -> None:
        """A stay opens at registration, on a move in (in the household the event names,
        else the person's) and on a move within (the day of the move, the old one ending
        the day before); a death or a move out ends it that day."""
        stays = [Stay(household, registered, date.max)]
        here = True
        moves = [e for e in self.by_person[person.pid] if e.kind in MOVES]
        for e in sorted(moves, key=lambda e: (e.day, MOVES[e.kind], e.eid)):
            current = stays[-1]
            if e.kind == "move_in":
                home = e.row.get("household_id") or household
                if here and current.start == e.day:
                    current.household = home  # the arrival that registered the person
                elif not here:
                    stays.append(Stay(home, e.day, date.max))
                    here = True
            elif not here:
                continue
            elif e.kind == "move_within":
                current.end = e.day - timedelta(days=1)
                stays.append(Stay(e.row["to_household_id"], e.day, date.max))
            else:  # move_out, death
                current.end = e.day
                here = False
        person.stays = [s for s in stays if s.start <= s.end]

    def where(self, event: Event) -> str | None:
        """The commune where ``event`` counts (None: nowhere in the file)."""
        day = event.day - timedelta(days=1) if event.kind == "move_within" else event.day
        household = self.persons[event.person].household_on(day)
        return None if household is None else self.commune.get(household)

    def commune_on(self, person: Person, day: date) -> str | None:
        household = person.household_on(day)
        return None if household is None else self.commune.get(household)


def _married_on(register: Register, person: Person, day: date) -> bool:
    changes = [e for e in register.by_person[person.pid] if e.kind in ("marriage", "divorce")]
    before = [e for e in changes if e.day <= day]
    if before:
        return before[-1].kind == "marriage"
    if changes:
        return changes[0].kind == "divorce"
    return person.marital == "co_vo_chong"


def _uses_modern(register: Register, person: Person, day: date) -> bool:
    events = [e for e in register.by_person[person.pid] if e.day <= day]
    starts = [e for e in events if e.kind == "contraception_start"]
    if not starts:
        return False
    start = starts[-1]
    method = start.row.get("method", "")
    if not method or method == "traditional":
        return False
    return not any(
        e.kind == "contraception_stop"
        and e.row.get("method", "") == method
        and start.day <= e.day <= day
        for e in events
    )


def counts(register: Register, p: Period) -> dict[str, Counter[str]]:
    """The raw counts of each commune for the period."""
    c: dict[str, Counter[str]] = defaultdict(Counter)
    in_period = [e for e in register.events if p.start <= e.day <= p.end]
    checked_elderly = {e.person for e in in_period if e.kind == "elderly_checkup"}
    homes: dict[str, set[str | None]] = defaultdict(set)
    for person in register.persons.values():
        commune = register.commune_on(person, p.reference)
        if commune is not None:
            years = age(person.born, p.reference)
            c[commune]["P"] += 1
            homes[commune].add(person.household_on(p.reference))
            if person.sex == "F" and 15 <= years <= 49:
                c[commune]["W"] += 1
                c[commune][f"W.{GROUPS[(years - 15) // 5]}"] += 1
            if years >= 60:
                c[commune]["elderly"] += 1
                c[commune]["elderly.checked"] += person.pid in checked_elderly
        commune = register.commune_on(person, p.end)
        if (
            commune is not None
            and person.sex == "F"
            and 15 <= age(person.born, p.end) <= 49
            and _married_on(register, person, p.end)
        ):
            c[commune]["cpr.women"] += 1
            c[commune]["cpr.users"] += _uses_modern(register, person, p.end)

    def screened(person: str, kind: str, first: date, last: date) -> bool:
        return any(e.kind == kind and first <= e.day <= last for e in register.by_person[person])

    mothers: dict[str, list[Event]] = defaultdict(list)
    couples: dict[frozenset[str], list[Event]] = defaultdict(list)
    for e in in_period:
        if e.kind == "birth":
            mothers[e.person].append(e)
        elif e.kind == "marriage":
            spouse = e.row.get("spouse_person_id", "")
            couples[frozenset({e.person, spouse} - {""})].append(e)
        where = register.where(e)
        if where is None:
            continue
        n = c[where]
        if e.kind == "birth":
            mother = register.persons[e.person]
            years = age(mother.born, e.day)
            n["births"] += 1
            if 15 <= years <= 49:
                n["births.15-49"] += 1
                n[f"births.{GROUPS[(years - 15) // 5]}"] += 1
            n["births.mother_under20"] += years < 20
            if e.row.get("birth_order"):
                n["births.known_order"] += 1
                n["births.3+"] += int(e.row["birth_order"]) >= 3
                n["births.order2"] += int(e.row["birth_order"]) == 2
            child = e.row.get("child_person_id", "")
            sex = e.row.get("child_sex") or (
                register.persons[child].sex if child in register.persons else ""
            )
            n["boys"] += sex == "M"
            n["girls"] += sex == "F"
            n["newborn.births"] += 1
            n["newborn.screened"] += bool(child) and screened(
                child, "newborn_screening", e.day, e.day + timedelta(days=30)
            )
        elif e.kind == "death":
            n["deaths"] += 1
        elif e.kind in ("divorce", "move_in", "move_out", "pregnancy"):
            n[
                {
                    "divorce": "divorced",
                    "move_in": "moved_in",
                    "move_out": "moved_out",
                    "pregnancy": "pregnancies",
                }[e.kind]
            ] += 1
        elif e.kind == "marriage":
            person = register.persons[e.person]
            n["married"] += 1
            # under the legal age of marriage: 20 for a man, 18 for a woman
            n["married.child"] += age(person.born, e.day) < (20 if person.sex == "M" else 18)
        elif e.kind == "contraception_start":
            method = e.row.get("method", "")
            if not method or method == "traditional":
                continue
            if e.row.get("in_use_at_opening", "").lower() in TRUE:
                continue
            n["newfp"] += 1
            n[f"newfp.{'sterilisation' if method.startswith('steriliz') else method}"] += 1
            n[f"newfp.{e.row.get('supply', '')}"] += 1
    for commune, households in homes.items():
        c[commune]["households"] = len(households)
    for mother_id, births in mothers.items():
        where = register.where(births[0])
        if where is not None:
            c[where]["prenatal.women"] += 1
            c[where]["prenatal.screened"] += any(
                screened(mother_id, "prenatal_screening", b.day - timedelta(days=280), b.day)
                for b in births
            )
    for couple, marriages in couples.items():
        first = min(marriages, key=lambda e: e.eid)
        where = register.where(first)
        if where is not None:
            c[where]["couples"] += 1
            c[where]["couples.checked"] += any(
                screened(partner, "premarital_check", first.day - timedelta(days=365), first.day)
                for partner in couple
            )
    return c


def _ratio(numerator: int, denominator: int, scale: float) -> Figure:
    value = numerator * scale / denominator if denominator else None
    return Figure(value, numerator, denominator)


def indicators(n: Counter[str], p: Period) -> dict[str, Figure]:
    f = p.factor
    out = {
        "CBR": _ratio(n["births"], n["P"], 1000 * f),
        "CDR": _ratio(n["deaths"], n["P"], 1000 * f),
        "GFR": _ratio(n["births"], n["W"], 1000 * f),
        "BIRTH3P": _ratio(n["births.3+"], n["births.known_order"], 100),
        "SRB": _ratio(n["boys"], n["girls"], 100),
        "PRENATAL": _ratio(n["prenatal.screened"], n["prenatal.women"], 100),
        "NEWBORN": _ratio(n["newborn.screened"], n["newborn.births"], 100),
        "PREMARITAL": _ratio(n["couples.checked"], n["couples"], 100),
        "ELDERLY": _ratio(n["elderly.checked"], n["elderly"], 100),
        "CPR": _ratio(n["cpr.users"], n["cpr.women"], 100),
        "NEWFP": Figure(n["newfp"], n["newfp"], None),
    }
    for key in (*METHODS, *SUPPLIES):
        out[f"NEWFP.{key}"] = Figure(n[f"newfp.{key}"], n[f"newfp.{key}"], None)
    asfr = [_ratio(n[f"births.{g}"], n[f"W.{g}"], f) for g in GROUPS]
    for group, figure in zip(GROUPS, asfr, strict=True):
        out[f"ASFR.{group}"] = figure
    values = [a.value for a in asfr]
    tfr = 5 * math.fsum(v for v in values if v is not None) if None not in values else None
    out["TFR"] = Figure(tfr, n["births.15-49"], n["W"])
    return out


def compute(
    register: Register, period_text: str, units: list[str | None]
) -> dict[str | None, dict[str, Figure]]:
    """Every indicator of each unit (a commune code, or None for the whole file)."""
    p = period(period_text)
    by_commune = counts(register, p)
    result: dict[str | None, dict[str, Figure]] = {}
    for unit in units:
        total: Counter[str] = Counter()
        for commune, n in by_commune.items():
            if unit is None or commune == _code(unit):
                total.update(n)
        result[unit] = indicators(total, p)
    return result
