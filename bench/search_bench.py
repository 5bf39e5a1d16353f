"""Benchmark of person search and duplicate detection on a district register.

Builds a register of 300,000 persons (``--persons``) in the wards of Quận Long Biên as of
30/06/2024 — households of one to seven persons, names drawn with the frequencies of
Vietnamese family, middle and given names, birth dates from an ageing pyramid, ID numbers
for most adults, and a few hundred persons registered twice — with ``bulk_create``, in a
SQLite file in the temporary folder and (when a server answers) a PostgreSQL database.
``--reuse`` keeps and reuses them between runs (building takes a few minutes).

Prints, for each database: the median and 95th percentile latency of ~200 name queries
typed without diacritics with 0, 1 and 2 typos (read by the whole district and by one
ward), of ID-number queries, how often the person looked for was among the results, and
the time of a duplicates scan of the district.  Figures are printed, never asserted.
Each database runs in its own process, because Django is configured once per process.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
ON = date(2024, 6, 30)
SQLITE_FILE = Path(tempfile.gettempdir()) / "danso-search-bench.sqlite3"
POSTGRES_ADMIN = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
POSTGRES_DB = "danso_search_bench"

# Shares in the population (per mille, roughly: the 2005 survey for the big names).
FAMILY = {
    "Nguyễn": 315, "Trần": 109, "Lê": 95, "Phạm": 70, "Hoàng": 51, "Phan": 30, "Vũ": 39,
    "Đặng": 21, "Bùi": 20, "Đỗ": 14, "Hồ": 10, "Ngô": 13, "Dương": 10, "Lý": 5, "Đinh": 8,
    "Đào": 7, "Trịnh": 6, "Mai": 4, "Lương": 4, "Trương": 4, "Cao": 4, "Tạ": 3, "Lưu": 3,
    "Hà": 5, "Kiều": 2, "Chu": 3, "Tô": 3, "Đoàn": 5, "Lại": 2, "Vương": 2, "Triệu": 2,
    "Lâm": 2, "Khúc": 1, "Nghiêm": 1, "Phùng": 3, "Tăng": 1, "Giang": 1, "Mạc": 1, "Đàm": 2,
    "Nông": 1, "Tống": 1, "Võ": 8, "Huỳnh": 3, "Quách": 1, "Thái": 1, "Hứa": 1, "Khổng": 1,
    "Văn": 1, "Doãn": 1, "Lò": 1, "Âu": 1, "Bạch": 1, "Chử": 1, "Đồng": 1, "Kim": 1,
}  # fmt: skip
MIDDLE = {
    "M": ["Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Thành", "Công", "Tuấn", "Ngọc",
          "Mạnh", "Anh", "Hoàng", "Trọng", "Đình", "Duy", "Tiến", "Gia", "Bảo", "Thanh",
          "Việt", "Hải", "Trung", "Huy", "Khắc", "Kim", "Nhật", "Phúc", "Quốc", "Thế"],
    "F": ["Thị", "Ngọc", "Thu", "Thanh", "Hồng", "Minh", "Phương", "Thùy", "Kim", "Bích",
          "Mai", "Hải", "Lan", "Khánh", "Bảo", "Hoài", "Diệu", "Quỳnh", "Hà", "Như",
          "Thảo", "Huyền", "Mỹ", "Tuyết", "Hoàng", "Vân", "Cẩm", "Ánh", "Diễm", "Yến"],
}  # fmt: skip
GIVEN = {
    "M": ["Anh", "Hùng", "Dũng", "Tuấn", "Minh", "Hải", "Nam", "Long", "Thắng", "Sơn",
          "Cường", "Hoàng", "Huy", "Đức", "Trung", "Quân", "Phong", "Tùng", "Bình", "Thành",
          "Khoa", "Hiếu", "Toàn", "Lâm", "Phúc", "Vinh", "Hưng", "Kiên", "Tài", "Hòa",
          "Bảo", "Đạt", "Duy", "Khánh", "Hiệp", "Quang", "Tâm", "Việt", "Tiến", "Hậu",
          "Lợi", "Nghĩa", "Thịnh", "Trí", "Vũ", "Thái", "An", "Chiến", "Định", "Hào",
          "Hiển", "Khải", "Lực", "Mạnh", "Nhân", "Phát", "Quý", "Sang", "Tân", "Thiện",
          "Thuận", "Tín", "Toản", "Trọng", "Tú", "Tuệ", "Văn", "Vượng", "Xuân", "Yên",
          "Đông", "Giang", "Hiền", "Khôi", "Lộc", "Ngọc", "Phương", "Quyết", "Sỹ", "Tường"],
    "F": ["Linh", "Hương", "Lan", "Hoa", "Hà", "Trang", "Nga", "Thảo", "Huyền", "Hằng",
          "Phương", "Mai", "Ngọc", "Anh", "Thủy", "Hạnh", "Hồng", "Yến", "Nhung", "Dung",
          "Loan", "Thu", "Hiền", "Trinh", "Vân", "Oanh", "Liên", "Thúy", "Tuyết", "Quyên",
          "Nhi", "Vy", "Giang", "Chi", "Hảo", "Hoài", "My", "Ly", "Ngân", "Diệp", "Hòa",
          "Xuân", "Huệ", "Nhàn", "Lý", "Tâm", "Tú", "Uyên", "Quỳnh", "Châu", "Duyên",
          "Bích", "Hậu", "Ánh", "Thơm", "Lụa", "Gấm", "Hoan", "Hoàn", "Lệ", "Mơ", "Mận",
          "Nguyệt", "Nhàn", "Phượng", "Sen", "Tâm", "Thắm", "Thoa", "Thư", "Trâm", "Vui",
          "Xoan", "Yên", "Diễm", "Đào", "Hạ", "Khuê", "Ly", "Minh"],
}  # fmt: skip
TYPO_LETTERS = "abcdeghiklmnopqrstuvxy"


def _zipf(items: Sequence[str], exponent: float) -> tuple[list[str], list[float]]:
    return list(items), [1 / (rank + 1) ** exponent for rank in range(len(items))]


class Names:
    """Draws full names with Vietnamese frequencies."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.family = (list(FAMILY), list(FAMILY.values()))
        self.middle = {sex: _zipf(words, 1.1) for sex, words in MIDDLE.items()}
        self.given = {sex: _zipf(words, 0.8) for sex, words in GIVEN.items()}

    def family_name(self) -> str:
        return self.rng.choices(*self.family)[0]

    def full(self, family: str, sex: str) -> str:
        words = [family, self.rng.choices(*self.middle[sex])[0]]
        if self.rng.random() < 0.15:
            words.append(self.rng.choice(MIDDLE[sex][1:12]))
        words.append(self.rng.choices(*self.given[sex])[0])
        return " ".join(words)


def typo(text: str, rng: random.Random) -> str:
    """``text`` with one typing mistake in a word of three letters or more."""
    words = text.split()
    choices = [i for i, w in enumerate(words) if len(w) >= 3]
    if not choices:
        return text
    i = rng.choice(choices)
    word = words[i]
    at = rng.randrange(1, len(word))  # the first letter is rarely the wrong one
    kind = rng.choice(["swap", "drop", "replace", "insert"])
    if kind == "swap" and at < len(word) - 1 and word[at] != word[at + 1]:
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    elif kind == "drop" or kind == "swap":
        word = word[:at] + word[at + 1 :]
    elif kind == "replace":
        word = word[:at] + rng.choice(TYPO_LETTERS.replace(word[at], "")) + word[at + 1 :]
    else:
        word = word[:at] + rng.choice(TYPO_LETTERS) + word[at:]
    words[i] = word
    return " ".join(words)


CPU_SECONDS: list[float] = []  # this process's CPU time of each timed call


def timed(action: Callable[[], T]) -> tuple[float, T]:
    """Seconds ``action`` took (and its CPU time, kept in ``CPU_SECONDS``: with SQLite,
    all the work; with PostgreSQL, the client's share)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = action()
    CPU_SECONDS.append(time.process_time() - cpu)
    return time.perf_counter() - started, result


def summary(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (
        f"median {statistics.median(ordered):6.1f} ms, p95 {p95:6.1f} ms, max {ordered[-1]:6.1f} ms"
    )


# ---------------------------------------------------------------- building the register


def build_register(persons: int, seed: int = 2024) -> None:
    from django.db import connection, transaction

    from danso.register.models import Household, HouseholdPlacement, Membership, Person
    from danso.units.codes import Level
    from danso.units.models import UnitVersion, valid_on
    from danso.vietnamese import fold

    rng = random.Random(seed)
    names = Names(rng)
    district = UnitVersion.objects.filter(valid_on(ON), unit__level=Level.DISTRICT, code="4").get()
    wards = list(
        UnitVersion.objects.filter(
            valid_on(ON), unit__level=Level.COMMUNE, path__startswith=district.path
        ).values_list("unit_id", flat=True)
    )
    registered = date(2021, 1, 1)  # the book of 2021

    def born(age: int) -> tuple[date, str]:
        day = date(ON.year - age, 1, 1) + timedelta(days=rng.randrange(365))
        if age > 60 and rng.random() < 0.15:
            return date(day.year, 1, 1), "year"
        if rng.random() < 0.03:
            return day.replace(day=1), "month"
        return day, "day"

    def id_number(sex: str, birth: date, age: int) -> str:
        if age < 14 or rng.random() < 0.15:
            return ""
        century = (0 if birth.year < 2000 else 2) + (sex == "F")
        return f"001{century}{birth.year % 100:02d}{rng.randrange(10**6):06d}"

    households: list[Household] = []
    placements: list[HouseholdPlacement] = []
    people: list[Person] = []
    stays: list[tuple[int, int, str]] = []  # household index, person index, relation
    originals: list[int] = []
    number = 0

    def person(sex: str, name: str, age: int, household: int, relation: str) -> int:
        birth, precision = born(age)
        people.append(
            Person(
                source_id=f"B-P-{len(people) + 1}",
                full_name=name,
                name_folded=fold(name),
                sex=sex,
                birth_date=birth,
                birth_precision=precision,
                id_number=id_number(sex, birth, age),
                registered_on=max(registered, birth),
            )
        )
        stays.append((household, len(people) - 1, relation))
        return len(people) - 1

    while len(people) < persons:
        number += 1
        unit_id = wards[number % len(wards)]
        households.append(
            Household(source_id=f"B-H-{number}", number=str(number % 900 + 1), unit_id=unit_id)
        )
        placements.append(HouseholdPlacement(unit_id=unit_id, valid_from=registered))
        index = len(households) - 1
        family = names.family_name()
        size = rng.choices([1, 2, 3, 4, 5, 6, 7], [8, 15, 22, 28, 15, 8, 4])[0]
        head_age = rng.randint(22, 85)
        head_sex = "M" if rng.random() < 0.75 else "F"
        person(head_sex, names.full(family, head_sex), head_age, index, "chu_ho")
        if size >= 2:
            other = "F" if head_sex == "M" else "M"
            spouse_age = max(18, head_age + rng.randint(-8, 4))
            person(other, names.full(names.family_name(), other), spouse_age, index, "vo_chong")
        for _child in range(size - 2):
            sex = rng.choice("MF")
            age = max(0, head_age - rng.randint(20, 38))
            child_family = family if head_sex == "M" else names.family_name()
            person(sex, names.full(child_family, sex), age, index, "con")
        if rng.random() < 0.004 * size:
            originals.append(len(people) - 1)
    # Persons registered twice: elsewhere in the district, the same birth date, the name
    # the same or mistyped, the ID number the same or missing.
    for original in originals:
        first = people[original]
        number += 1
        unit_id = wards[(number * 7) % len(wards)]
        households.append(Household(source_id=f"B-H-{number}", number="D", unit_id=unit_id))
        placements.append(HouseholdPlacement(unit_id=unit_id, valid_from=registered))
        name = first.full_name if rng.random() < 0.6 else typo(first.full_name, rng)
        people.append(
            Person(
                source_id=f"B-P-{len(people) + 1}",
                full_name=name,
                name_folded=fold(name),
                sex=first.sex,
                birth_date=first.birth_date,
                birth_precision=first.birth_precision,
                id_number=first.id_number if rng.random() < 0.5 else "",
                registered_on=date(2023, 3, 1),
            )
        )
        stays.append((len(households) - 1, len(people) - 1, "chu_ho"))
    with transaction.atomic():
        Household.objects.bulk_create(households, batch_size=2000)
        for placement, household in zip(placements, households, strict=True):
            placement.household = household
        HouseholdPlacement.objects.bulk_create(placements, batch_size=2000)
        Person.objects.bulk_create(people, batch_size=2000)
        Membership.objects.bulk_create(
            [
                Membership(
                    person=people[p],
                    household=households[h],
                    relation=relation,
                    valid_from=people[p].registered_on,
                )
                for h, p, relation in stays
            ],
            batch_size=2000,
        )
    with connection.cursor() as cursor:  # planner statistics, as a live database has them
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(
        f"register built: {len(people):,} persons ({len(originals)} registered twice) in "
        f"{len(households):,} households, {len(wards)} wards"
    )


# ---------------------------------------------------------------- measuring


def queries(rng: random.Random, unit_ids: list[int]) -> list[tuple[str, int, str, int]]:
    """(query, person id, folded name, typos) for 200 persons of ``unit_ids`` picked at
    random, their names typed the way an officer types them: without diacritics,
    sometimes only the family and given names, with 0, 1 or 2 mistakes."""
    from danso.register.models import Person

    pks = list(
        Person.objects.filter(memberships__household__unit_id__in=unit_ids).values_list(
            "pk", flat=True
        )
    )
    picked = Person.objects.in_bulk(rng.sample(pks, 200))
    out = []
    for i, person in enumerate(picked.values()):
        words = person.name_folded.split()
        text = " ".join([words[0], words[-1]]) if rng.random() < 0.2 else person.name_folded
        mistakes = i % 3
        for _ in range(mistakes):
            text = typo(text, rng)
        out.append((text, person.pk, person.name_folded, mistakes))
    return out


def run_one(url: str, label: str, reuse: bool, persons: int) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danso.settings.local")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from danso.register.duplicates import duplicate_candidates
    from danso.register.models import Person
    from danso.register.search import person_search
    from danso.units.codes import Level
    from danso.units.imports import reference_load
    from danso.units.models import UnitVersion, valid_on
    from danso.units.scope import Action, Grant, UnitScope

    print(f"\n== {label}")
    call_command("migrate", verbosity=0)
    have = Person.objects.count()
    if not (reuse and have >= persons):
        if have:
            raise SystemExit(f"{url} already holds persons: remove it or pass --reuse")
        seconds, _ = timed(lambda: reference_load(settings.REFERENCE_MANIFEST))
        print(f"reference units loaded in {seconds:.1f} s")
        seconds, _ = timed(lambda: build_register(persons))
        print(f"register written in {seconds:.1f} s")
    else:
        print(f"register reused: {have:,} persons")

    district = UnitVersion.objects.filter(valid_on(ON), unit__level=Level.DISTRICT, code="4").get()
    ward = (
        UnitVersion.objects.filter(
            valid_on(ON), unit__level=Level.COMMUNE, path__startswith=district.path
        )
        .order_by("code")
        .first()
    )
    assert ward is not None
    readers = {
        "district": UnitScope(ON, (Grant(district.path, frozenset(Action)),)),
        f"ward {ward.name}": UnitScope(ON, (Grant(ward.path, frozenset(Action)),)),
    }
    wards = list(
        UnitVersion.objects.filter(
            valid_on(ON), unit__level=Level.COMMUNE, path__startswith=district.path
        ).values_list("unit_id", flat=True)
    )
    rng = random.Random(7)
    asked = {"district": queries(rng, wards), "ward": queries(rng, [ward.unit_id])}
    person_search("nguyen van an", readers["district"])  # warm the connection
    for reader, scope in readers.items():
        CPU_SECONDS.clear()
        by_typos: dict[int, list[float]] = {0: [], 1: [], 2: []}
        found = {0: 0, 1: 0, 2: 0}
        named = {0: 0, 1: 0, 2: 0}
        for text, pk, name, mistakes in asked[reader.split()[0]]:
            seconds, hits = timed(partial(person_search, text, scope))
            by_typos[mistakes].append(seconds * 1000)
            found[mistakes] += any(hit.person.pk == pk for hit in hits)
            named[mistakes] += any(hit.person.name_folded == name for hit in hits)
        every = [ms for values in by_typos.values() for ms in values]
        print(f"search by name, read by the {reader} ({len(every)} queries): {summary(every)}")
        cpu = statistics.median(CPU_SECONDS) * 1000
        print(f"  CPU time of this process: median {cpu:6.1f} ms")
        for mistakes, values in by_typos.items():
            print(
                f"  {mistakes} typo(s) ({len(values)}): {summary(values)}; among the 50 hits: "
                f"the person {found[mistakes] / len(values):4.0%}, "
                f"their name {named[mistakes] / len(values):4.0%}"
            )
    numbers = list(
        Person.objects.exclude(id_number="").order_by("?").values_list("id_number", flat=True)[:40]
    )
    scope = readers["district"]
    exact = [timed(partial(person_search, n, scope))[0] * 1000 for n in numbers[:20]]
    ending = [timed(partial(person_search, n[-6:], scope))[0] * 1000 for n in numbers[20:]]
    print(f"search by ID number (20): {summary(exact)}")
    print(f"search by the last 6 digits of an ID number (20): {summary(ending)}")
    year = [
        timed(partial(person_search, text, scope, birth_year=1980))[0] * 1000
        for text, _pk, _name, _mistakes in asked["district"][:60]
    ]
    print(f"search by name and birth year (60): {summary(year)}")
    for reader, scope in readers.items():
        seconds, pairs = timed(partial(duplicate_candidates, scope, limit=200))
        print(f"duplicates scan, read by the {reader}: {seconds:6.2f} s ({len(pairs)} pairs)")


def main() -> None:
    parser = argparse.ArgumentParser(description="Person search and duplicates benchmark.")
    parser.add_argument("--reuse", action="store_true", help="keep and reuse the registers")
    parser.add_argument("--persons", type=int, default=300_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one database")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--label", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args.one, args.label, args.reuse, args.persons)
        return
    print(
        f"danso search benchmark · {platform.node()} · {platform.machine()} · "
        f"{os.cpu_count()} CPUs · Python {platform.python_version()} · load average "
        f"{os.getloadavg()[0]:.1f} (other work on the machine slows every figure)"
    )
    common = ["--persons", str(args.persons)] + (["--reuse"] if args.reuse else [])
    if args.only != "postgresql":
        run_sqlite(common, reuse=args.reuse)
    if args.only != "sqlite":
        run_postgresql(common, reuse=args.reuse)


def run_sqlite(common: list[str], *, reuse: bool) -> None:
    if not reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{SQLITE_FILE}"
    subprocess.run(  # noqa: S603 - this script, with arguments it chose itself
        [sys.executable, __file__, "--one", url, "--label", "SQLite", *common], check=True
    )
    if not reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)


def run_postgresql(common: list[str], *, reuse: bool) -> None:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (POSTGRES_DB,)
            ).fetchone()
            if not (reuse and exists):
                connection.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DB}")
                connection.execute(f"CREATE DATABASE {POSTGRES_DB}")
            version = connection.execute("SHOW server_version").fetchone()
    except Exception as error:  # any failure means there is no server to measure
        print(f"\n== PostgreSQL: skipped ({error.__class__.__name__}: {error})")
        return
    url = POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + POSTGRES_DB
    try:
        label = f"PostgreSQL {version[0] if version else ''}"
        subprocess.run(  # noqa: S603 - this script, with arguments it chose itself
            [sys.executable, __file__, "--one", url, "--label", label, *common], check=True
        )
    finally:
        if not reuse:
            with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
                connection.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DB}")


if __name__ == "__main__":
    main()
