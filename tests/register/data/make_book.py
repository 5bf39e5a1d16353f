"""Writes ``tests/register/data/book/``: a small household book in the exchange format.

Two tổ dân phố of Phường Ngọc Thụy (Quận Long Biên, commune 00118 as of 30/06/2024),
80 households of 3–6 persons opened on 1/1/2021, and what happened to them from June
2023 to June 2025: pregnancies, prenatal and newborn screening, births (with their
order among the mother's live births), deaths, moves in, out and within the ward,
premarital checks, marriages, a divorce, contraception started and stopped, check-ups of
the elderly.  Every event is consistent with the register's rules: the files import with
no error.  Persons carry one column that is not in the format (``nghe_nghiep``, the
occupation), kept as an extra attribute.

The files are committed; run ``python tests/register/data/make_book.py`` to write them
again (the output is the same for the same seed).
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
OPENED = date(2021, 1, 1)
FIRST, LAST = date(2023, 6, 1), date(2025, 6, 15)
COMMUNE = "00118"
AS_OF = "2024-06-30"
VILLAGES = [("TDP01", "Tổ dân phố 1"), ("TDP02", "Tổ dân phố 2")]

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương"]
MALE_MIDDLE = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Thành", "Xuân"]
FEMALE_MIDDLE = ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương"]
MALE = ["Hùng", "Dũng", "Tuấn", "Long", "Nam", "Hải", "Sơn", "Phúc", "Khánh", "Đạt", "Trung"]
FEMALE = ["Lan", "Hương", "Mai", "Hoa", "Hằng", "Thảo", "Ngân", "Yến", "Trang", "Linh", "Nga"]
JOBS = ["công nhân", "buôn bán", "giáo viên", "nhân viên văn phòng", "lái xe", "nội trợ", ""]
STREETS = ["ngõ 12 Ngọc Thụy", "ngõ 58 Ngọc Thụy", "ngõ 190 Ngọc Thụy", "ngách 35/8 Gia Quất"]
PLACES_OUT = ["Phường Gia Thụy, Long Biên", "Thành phố Hồ Chí Minh", "Bắc Ninh"]
PLACES_IN = ["Xã Đa Tốn, Gia Lâm", "Hải Dương", "Phường Bồ Đề, Long Biên"]


@dataclass
class Person:
    pid: str
    household: str
    name: str
    sex: str
    born: date
    precision: str
    relation: str
    marital: str
    registered: date
    job: str
    first_household: str = ""
    first_marital: str = ""
    present: bool = True
    alive: bool = True
    children: int = 0
    busy_until: date = OPENED
    method: str = ""


@dataclass
class Book:
    rng: random.Random
    households: list[list[str]] = field(default_factory=list)
    persons: dict[str, Person] = field(default_factory=dict)
    events: list[tuple[str, str, date, str, dict[str, str]]] = field(default_factory=list)
    members: dict[str, list[str]] = field(default_factory=dict)

    def name(self, sex: str, family: str | None = None) -> str:
        rng = self.rng
        family = family or rng.choice(FAMILY)
        middle = rng.choice(MALE_MIDDLE if sex == "M" else FEMALE_MIDDLE)
        return f"{family} {middle} {rng.choice(MALE if sex == 'M' else FEMALE)}"

    def add_person(
        self,
        household: str,
        sex: str,
        born: date,
        relation: str,
        marital: str,
        registered: date = OPENED,
        family: str | None = None,
        precision: str = "day",
    ) -> Person:
        pid = f"NT-P{len(self.persons) + 1:04d}"
        age = 2021 - born.year
        job = "học sinh" if 6 <= age < 18 else "hưu trí" if age >= 60 else self.rng.choice(JOBS)
        job = "" if age < 6 else job
        person = Person(
            pid,
            household,
            self.name(sex, family),
            sex,
            born,
            precision,
            relation,
            marital,
            registered,
            job,
            household,
            marital,
        )
        self.persons[pid] = person
        self.members.setdefault(household, []).append(pid)
        return person

    def event(self, kind: str, day: date, person: Person, **columns: str) -> None:
        self.events.append((f"NT-E{len(self.events) + 1:04d}", kind, day, person.pid, columns))

    def day(self, start: date = FIRST, end: date = LAST) -> date:
        return start + timedelta(days=self.rng.randrange((end - start).days))

    def age(self, person: Person, on: date) -> int:
        return (
            on.year - person.born.year - ((on.month, on.day) < (person.born.month, person.born.day))
        )


def born(rng: random.Random, age: int) -> date:
    return date(2020 - age, 1, 1) + timedelta(days=rng.randrange(365))


def open_book(book: Book) -> None:
    rng = book.rng
    for number in range(80):
        village = VILLAGES[number % 2][0]
        hid = f"NT-H{number + 1:03d}"
        street = rng.choice(STREETS)
        book.households.append(
            [hid, COMMUNE, village, AS_OF, f"Số {rng.randint(1, 120)}, {street}", "ho_gia_dinh"]
        )
        family = rng.choice(FAMILY)
        head_age = rng.randint(28, 70)
        head = book.add_person(
            hid, "M", born(rng, head_age), "chu_ho", "co_vo_chong", family=family
        )
        wife_age = max(20, head_age - rng.randint(0, 6))
        wife = book.add_person(hid, "F", born(rng, wife_age), "vo_chong", "co_vo_chong")
        size = rng.randint(3, 6)
        for _ in range(size - 2):
            if head_age > 62 and rng.random() < 0.5:
                sex = rng.choice("MF")
                child_age = rng.randint(10, 40)
                book.add_person(
                    hid, sex, born(rng, child_age), "chau", "chua_ket_hon", family=family
                )
                continue
            if head_age < 45 and rng.random() < 0.25:
                year = 2021 - head_age - rng.randint(24, 30)
                book.add_person(
                    hid,
                    "F",
                    date(year, 1, 1),
                    "bo_me",
                    "goa",
                    precision="year",
                )
                continue
            oldest = min(wife_age - 18, 30)
            if oldest < 1:
                continue
            child_age = rng.randint(0, oldest)
            sex = rng.choice("MF")
            book.add_person(hid, sex, born(rng, child_age), "con", "chua_ket_hon", family=family)
            wife.children += 1
        head.children = wife.children


def live(book: Book) -> None:
    """Draw the plans, then apply them in date order, skipping what became impossible."""
    rng = book.rng
    plans: list[tuple[date, int, str, str]] = []
    people = list(book.persons.values())
    for person in people:
        age = book.age(person, FIRST)
        married_woman = person.sex == "F" and person.marital == "co_vo_chong"
        draw = rng.random()
        if married_woman and 20 <= age <= 40 and draw < 0.45:
            plans.append((book.day(date(2024, 1, 15), LAST), len(plans), "birth", person.pid))
        elif married_woman and 18 <= age <= 49 and draw < 0.9:
            plans.append((book.day(), len(plans), "contraception", person.pid))
        if age >= 60:
            for _ in range(rng.randint(0, 2)):
                plans.append((book.day(), len(plans), "elderly_checkup", person.pid))
            if rng.random() < 0.12:
                plans.append((book.day(), len(plans), "death", person.pid))
        if 20 <= age <= 32 and person.marital == "chua_ket_hon" and rng.random() < 0.4:
            plans.append((book.day(), len(plans), "marriage", person.pid))
        if 18 <= age <= 60 and person.relation != "chu_ho" and rng.random() < 0.1:
            plans.append(
                (
                    book.day(),
                    len(plans),
                    rng.choice(["move_out", "move_within", "move_within"]),
                    person.pid,
                )
            )
    for household in book.households[::9]:
        plans.append((book.day(), len(plans), "move_in", household[0]))
    plans.append((date(2024, 9, 20), len(plans), "divorce", ""))
    for day, _n, kind, target in sorted(plans):
        if kind == "move_in":
            move_in(book, day, target)
        elif kind == "divorce":
            divorce(book, day)
        else:
            person = book.persons[target]
            if person.present and person.alive and person.busy_until < day:
                ACTIONS[kind](book, day, person)


def do_birth(book: Book, day: date, mother: Person) -> None:
    rng = book.rng
    pregnant = day - timedelta(days=rng.randint(190, 230))
    if pregnant <= max(FIRST, mother.busy_until) or mother.method:
        return
    book.event(
        "pregnancy", pregnant, mother, expected_date=(pregnant + timedelta(days=270)).isoformat()
    )
    book.event("prenatal_screening", pregnant + timedelta(days=90), mother, result="bình thường")
    sex = rng.choice("MF")
    family = book.persons[book.members[mother.household][0]].name.split()[0]
    child = book.add_person(
        mother.household,
        sex,
        day,
        "con" if mother.relation != "con" else "chau",
        "chua_ket_hon",
        day,
        family,
    )
    child.job = ""
    mother.children += 1
    book.event(
        "birth",
        day,
        mother,
        child_person_id=child.pid,
        child_sex=sex,
        birth_order=str(mother.children),
        place="Bệnh viện Đa khoa Đức Giang",
    )
    if rng.random() < 0.9:
        book.event("newborn_screening", day + timedelta(days=2), child, result="bình thường")
    mother.busy_until = day + timedelta(days=60)


def do_contraception(book: Book, day: date, woman: Person) -> None:
    rng = book.rng
    method = rng.choice(["condom", "pill", "iud", "implant", "injectable"])
    supply = "free" if method in ("iud", "implant") else rng.choice(["free", "commercial"])
    book.event(
        "contraception_start",
        day,
        woman,
        method=method,
        supply=supply,
        new_acceptor=rng.choice("01"),
    )
    woman.method = method
    stop = day + timedelta(days=rng.randint(60, 500))
    if stop < LAST:
        book.event("contraception_stop", stop, woman, method=method)
        woman.method = ""
        woman.busy_until = stop
    else:
        woman.busy_until = LAST


def do_elderly_checkup(book: Book, day: date, person: Person) -> None:
    book.event("elderly_checkup", day, person, note="khám tại trạm y tế phường")


def do_death(book: Book, day: date, person: Person) -> None:
    book.event("death", day, person)
    person.alive = False


def do_move_out(book: Book, day: date, person: Person) -> None:
    book.event("move_out", day, person, to_place=book.rng.choice(PLACES_OUT))
    person.present = False


def do_move_within(book: Book, day: date, person: Person) -> None:
    others = [h[0] for h in book.households if h[0] != person.household]
    target = book.rng.choice(others)
    book.event("move_within", day, person, to_household_id=target)
    book.members[person.household].remove(person.pid)
    book.members[target].append(person.pid)
    person.household = target
    person.busy_until = day


def do_marriage(book: Book, day: date, person: Person) -> None:
    book.event("premarital_check", day - timedelta(days=30), person)
    partners = [
        p
        for p in book.persons.values()
        if p.sex != person.sex
        and p.marital == "chua_ket_hon"
        and p.present
        and p.alive
        and 20 <= book.age(p, day) <= 35
        and p.household != person.household
        and p.busy_until < day
    ]
    if partners and book.rng.random() < 0.6:
        partner = book.rng.choice(partners)
        book.event("marriage", day, person, spouse_person_id=partner.pid, consanguineous="0")
        book.event("marriage", day, partner, spouse_person_id=person.pid, consanguineous="0")
        partner.marital = "co_vo_chong"
        partner.busy_until = day
    else:
        book.event("marriage", day, person, consanguineous="0", note="vợ/chồng ở nơi khác")
    person.marital = "co_vo_chong"
    person.busy_until = day


def divorce(book: Book, day: date) -> None:
    for person in book.persons.values():
        if (
            person.marital == "co_vo_chong"
            and person.present
            and person.alive
            and person.busy_until < day
            and book.age(person, day) < 45
            and person.relation == "chu_ho"
        ):
            book.event("divorce", day, person, note="theo quyết định của tòa án")
            person.marital = "ly_hon"
            return


def move_in(book: Book, day: date, household: str) -> None:
    rng = book.rng
    sex = rng.choice("MF")
    person = book.add_person(
        household,
        sex,
        date(1990 + rng.randint(0, 10), rng.randint(1, 12), 1),
        "khac",
        "chua_ket_hon",
        day,
    )
    person.busy_until = day
    book.event("move_in", day, person, from_place=rng.choice(PLACES_IN))


ACTIONS = {
    "birth": do_birth,
    "contraception": do_contraception,
    "elderly_checkup": do_elderly_checkup,
    "death": do_death,
    "move_out": do_move_out,
    "move_within": do_move_within,
    "marriage": do_marriage,
}

EVENT_HEADERS = [
    "event_id",
    "event_type",
    "event_date",
    "person_id",
    "note",
    "child_person_id",
    "child_sex",
    "birth_order",
    "place",
    "from_place",
    "to_place",
    "to_household_id",
    "spouse_person_id",
    "consanguineous",
    "expected_date",
    "result",
    "method",
    "supply",
    "new_acceptor",
]


def write(book: Book, folder: Path) -> None:
    folder.mkdir(exist_ok=True)

    def table(name: str, headers: list[str], rows: list[list[str]]) -> None:
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(headers)
            writer.writerows(rows)

    table(
        "units",
        ["unit_code", "name", "commune_code", "as_of"],
        [[code, name, COMMUNE, AS_OF] for code, name in VILLAGES],
    )
    table(
        "households",
        ["household_id", "commune_code", "village_code", "as_of", "address", "household_type"],
        book.households,
    )
    persons = []
    for p in book.persons.values():
        first = p.registered == OPENED
        birth = {"day": p.born.isoformat(), "month": f"{p.born:%Y-%m}", "year": f"{p.born:%Y}"}[
            p.precision
        ]
        persons.append(
            [
                p.pid,
                p.first_household,
                p.name,
                p.sex if p.pid[-1] in "02468" else ("nam" if p.sex == "M" else "nữ"),
                birth if first or p.pid[-1] != "7" else f"{p.born:%d/%m/%Y}",
                p.relation,
                p.first_marital,
                "tam_tru" if p.relation == "khac" else "thuong_tru",
                "Kinh" if p.pid[-1] != "5" else "Tày",
                f"0010{p.born:%y}{int(p.pid[-4:]):06d}" if book.age(p, OPENED) >= 14 else "",
                p.registered.isoformat(),
                p.job,
            ]
        )
    table(
        "persons",
        [
            "person_id",
            "household_id",
            "full_name",
            "sex",
            "birth_date",
            "relation_to_head",
            "marital_status",
            "residence_status",
            "ethnicity",
            "id_number",
            "registered_on",
            "nghe_nghiep",
        ],
        persons,
    )
    rows = [
        [eid, kind, day.isoformat(), pid, columns.get("note", "")]
        + [columns.get(h, "") for h in EVENT_HEADERS[5:]]
        for eid, kind, day, pid, columns in book.events
    ]
    table("events", EVENT_HEADERS, rows)


def main() -> None:
    book = Book(random.Random(118))  # noqa: S311 - invented test data, not secrets
    open_book(book)
    live(book)
    write(book, HERE / "book")
    print(
        f"{len(book.households)} households, {len(book.persons)} persons, {len(book.events)} events"
    )


if __name__ == "__main__":
    main()
