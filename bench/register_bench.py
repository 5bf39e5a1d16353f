"""Benchmark of the register import and export (`make bench`).

Generates, deterministically, a district-sized book in the exchange format
(docs/REGISTER-FORMAT.md): the 14 wards of Quận Long Biên as of 30/06/2024, tổ dân phố
of about 300 households, households of 1–6 persons opened on 1/1/2021 and four years
of their life, to 31/12/2024 (births with pregnancies and screenings, deaths, moves in, out
and within the ward, marriages, divorces, contraception, check-ups of the elderly) —
300,000 persons and about a million events by default, ``--persons`` for a smaller run.

Then, for the embedded SQLite database and (when a server answers) PostgreSQL, each in
its own process and a new database: the time of a first import (rows per second, each
stage, the peak memory of the process), of a second import of the same files (all
unchanged) and of an export of the district.  Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_ADMIN = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
WARDS = ["00115", "00118", "00121", "00124", "00127", "00130", "00133"]
WARDS += ["00136", "00139", "00142", "00145", "00148", "00151", "00154"]
AS_OF = "2024-06-30"
OPEN = date(2021, 1, 1).toordinal()
END = date(2024, 12, 31).toordinal()
YEAR = 365.25
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương"]
MIDDLE = {"M": ["Văn", "Đức", "Minh", "Quang", "Hữu"], "F": ["Thị", "Ngọc", "Thu", "Thanh"]}
GIVEN = {
    "M": ["Hùng", "Dũng", "Tuấn", "Long", "Nam", "Hải", "Sơn", "Phúc", "Khánh", "Đạt"],
    "F": ["Lan", "Hương", "Mai", "Hoa", "Hằng", "Thảo", "Ngân", "Yến", "Trang", "Linh"],
}
METHODS = ["condom", "condom", "condom", "pill", "pill", "iud", "implant", "injectable"]
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
COLUMN = {name: index for index, name in enumerate(EVENT_HEADERS)}


# ---------------------------------------------------------------- the synthetic book


@dataclass
class Member:
    pid: str
    sex: str
    born: int  # ordinal
    start: int
    married: bool
    children: int = 0
    end: int = END  # last day in the register
    stays: list[tuple[int, str]] = field(default_factory=list)  # (from, household)


class Generator:
    """Writes the four CSV files of a district; ``persons`` is reached within a household."""

    def __init__(self, folder: Path, persons: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.folder = folder
        self.wanted = persons
        self.persons = 0
        self.events = 0
        self.households = 0
        self.files = {
            name: (folder / f"{name}.csv").open("w", encoding="utf-8", newline="")
            for name in ("units", "households", "persons", "events")
        }
        self.out = {name: csv.writer(f, lineterminator="\n") for name, f in self.files.items()}
        self.out["units"].writerow(["unit_code", "name", "commune_code", "as_of"])
        self.out["households"].writerow(
            ["household_id", "commune_code", "village_code", "as_of", "address", "household_type"]
        )
        self.out["persons"].writerow(
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
            ]
        )
        self.out["events"].writerow(EVENT_HEADERS)

    def run(self) -> dict[str, int]:
        per_ward = self.wanted / len(WARDS)
        for ward in WARDS:
            ward_households: list[str] = []
            goal = self.persons + per_ward
            village = 0
            while self.persons < goal and self.persons < self.wanted:
                village += 1
                code = f"TDP{village:02d}"
                self.out["units"].writerow([code, f"Tổ dân phố {village}", ward, AS_OF])
                for _ in range(300):
                    if self.persons >= goal:
                        break
                    self.household(ward, code, ward_households)
        for stream in self.files.values():
            stream.close()
        return {"households": self.households, "persons": self.persons, "events": self.events}

    # ------------------------------------------------------------ rows

    def day(self, start: int, end: int) -> int | None:
        return self.rng.randint(start, end) if start <= end else None

    def event(self, kind: str, day: int, pid: str, **columns: str) -> None:
        self.events += 1
        row = [""] * len(EVENT_HEADERS)
        row[0], row[1], row[2], row[3] = f"E{self.events:08d}", kind, _iso(day), pid
        for name, value in columns.items():
            row[COLUMN[name]] = value
        self.out["events"].writerow(row)

    def person(
        self,
        household: str,
        sex: str,
        born: int,
        relation: str,
        married: bool,
        start: int = OPEN,
        family: str = "",
    ) -> Member:
        rng = self.rng
        self.persons += 1
        pid = f"P{self.persons:08d}"
        name = f"{family or rng.choice(FAMILY)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"
        age = (start - born) / YEAR
        self.out["persons"].writerow(
            [
                pid,
                household,
                name,
                sex,
                _iso(born) if age < 70 else str(date.fromordinal(born).year),
                relation,
                "co_vo_chong" if married else "chua_ket_hon",
                "thuong_tru" if start == OPEN else "tam_tru",
                "Kinh",
                f"001{self.persons:09d}" if age >= 14 else "",
                _iso(start),
            ]
        )
        return Member(pid, sex, born, start, married, stays=[(start, household)])

    def household(self, ward: str, village: str, ward_households: list[str]) -> None:
        rng = self.rng
        self.households += 1
        hid = f"H{self.households:07d}"
        ward_households.append(hid)
        self.out["households"].writerow(
            [hid, ward, village, AS_OF, f"Số {rng.randint(1, 300)}, ngõ {rng.randint(1, 400)}", ""]
        )
        family = rng.choice(FAMILY)
        size = rng.choices([1, 2, 3, 4, 5, 6], [8, 18, 25, 27, 14, 8])[0]
        head_age = rng.triangular(22, 88, 42)
        head_sex = "M" if rng.random() < 0.85 else "F"
        members = [
            self.person(hid, head_sex, _born(rng, head_age), "chu_ho", size > 1, family=family)
        ]
        if size > 1:
            wife_age = max(18.0, head_age + rng.uniform(-6, 3))
            members.append(
                self.person(
                    hid, "F" if head_sex == "M" else "M", _born(rng, wife_age), "vo_chong", True
                )
            )
        mother = next((m for m in members if m.sex == "F" and m.married), None)
        for _ in range(size - len(members)):
            if head_age > 65 and rng.random() < 0.4:
                child_age = rng.uniform(0, 30)
                members.append(
                    self.person(
                        hid, rng.choice("MF"), _born(rng, child_age), "chau", False, family=family
                    )
                )
                continue
            top = max(0.0, min(head_age - 20, 35))
            child_age = rng.uniform(0, top)
            members.append(
                self.person(
                    hid,
                    rng.choice("MF"),
                    _born(rng, child_age),
                    "con",
                    child_age > 25,
                    family=family,
                )
            )
            if mother is not None:
                mother.children += 1
        if rng.random() < 0.06:  # somebody moves in later
            start = rng.randint(OPEN + 30, END - 30)
            joined = self.person(
                hid, rng.choice("MF"), _born(rng, rng.uniform(18, 40), start), "khac", False, start
            )
            self.event("move_in", start, joined.pid, from_place="Gia Lâm")
            members.append(joined)
        for member in members:
            self.life(member, hid, ward_households)

    def life(self, m: Member, household: str, ward_households: list[str]) -> None:
        rng = self.rng
        years = (END - m.start) / YEAR

        def age(day: int) -> float:
            return (day - m.born) / YEAR

        # How the stay ends: death or moving away.
        old = age(m.start)
        death_rate = 0.002 if old < 60 else 0.012 if old < 70 else 0.035 if old < 80 else 0.09
        if rng.random() < death_rate * years:
            m.end = rng.randint(m.start + 1, END)
            self.event("death", m.end, m.pid)
        elif 18 <= old <= 40 and rng.random() < 0.012 * years:
            m.end = rng.randint(m.start + 1, END)
            self.event("move_out", m.end, m.pid, to_place="Thành phố Hồ Chí Minh")
        if 16 <= old <= 60 and rng.random() < 0.005 * years and len(ward_households) > 1:
            day = self.day(m.start + 2, m.end - 1)
            target = rng.choice(ward_households)
            if day is not None and target != household:
                self.event("move_within", day, m.pid, to_household_id=target)
                m.stays.append((day, target))
        # Check-ups of the elderly, three or four a year.
        first_checkup = max(m.start, m.born + int(60 * YEAR))
        day = first_checkup + rng.randint(0, 120)
        while day <= m.end:
            self.event("elderly_checkup", day, m.pid)
            day += rng.randint(75, 125)
        if not m.married and 20 <= old <= 35 and rng.random() < 0.1 * years:
            day = self.day(m.start + 31, m.end)
            if day is not None:
                self.event("premarital_check", day - 30, m.pid)
                self.event("marriage", day, m.pid, consanguineous="0")
        elif m.married and old < 60 and rng.random() < 0.002 * years:
            day = self.day(m.start, m.end)
            if day is not None:
                self.event("divorce", day, m.pid)
        if m.sex == "F" and m.married and old < 49:
            self.fertility(m)

    def fertility(self, m: Member) -> None:
        """Births, pregnancies, screenings, contraception of a married woman."""
        rng = self.rng
        day = m.start
        using = rng.random() < 0.65
        if using:
            self.event(
                "contraception_start", day, m.pid, method=rng.choice(METHODS), new_acceptor="0"
            )
        while day < m.end and (day - m.born) / YEAR < 49:
            day += rng.randint(90, 330)
            if day > m.end:
                break
            if using:
                self.event("contraception_stop", day, m.pid, method=rng.choice(METHODS))
                using = False
            elif (day - m.born) / YEAR < 42 and rng.random() < 0.35 and day - 230 >= m.start:
                self.birth(m, day)
                day += 60
            else:
                self.event(
                    "contraception_start",
                    day,
                    m.pid,
                    method=rng.choice(METHODS),
                    supply=rng.choice(["free", "commercial", "social_marketing"]),
                    new_acceptor="1" if rng.random() < 0.3 else "0",
                )
                using = True

    def birth(self, mother: Member, day: int) -> None:
        rng = self.rng
        pregnant = day - rng.randint(200, 230)
        self.event("pregnancy", pregnant, mother.pid, expected_date=_iso(pregnant + 270))
        self.event("prenatal_screening", pregnant + rng.randint(60, 120), mother.pid, result="ok")
        household = [h for start, h in mother.stays if start <= day][-1]
        sex = "M" if rng.random() < 0.526 else "F"
        child = self.person(household, sex, day, "con", False, day)
        mother.children += 1
        self.event(
            "birth",
            day,
            mother.pid,
            child_person_id=child.pid,
            child_sex=sex,
            birth_order=str(mother.children),
            place="Bệnh viện Đa khoa Đức Giang",
        )
        if rng.random() < 0.9 and day + 2 <= END:
            self.event("newborn_screening", day + 2, child.pid, result="ok")


def _iso(day: int) -> str:
    return date.fromordinal(day).isoformat()


def _born(rng: random.Random, age: float, on: int = OPEN) -> int:
    return on - int(age * YEAR) - rng.randint(1, 300)


def generate(folder: Path, persons: int, seed: int = 2021) -> dict[str, int]:
    return Generator(folder, persons, seed).run()


# ---------------------------------------------------------------- measuring


def say(*parts: object, end: str = "\n") -> None:
    """Print at once (the output of a long run is read while it runs)."""
    print(*parts, end=end, flush=True)


def cpu_seconds() -> float:
    """The CPU time of this process so far (a shared machine stretches the wall time)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(
    url: str, label: str, book: Path, profile: Path | None = None, *, export: bool = True
) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danso.settings.local")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from danso.accounts.scope import SYSTEM
    from danso.indicators import spells
    from danso.register.exporting import register_export
    from danso.register.importing import register_import
    from danso.units.codes import Level
    from danso.units.imports import reference_load
    from danso.units.models import UnitVersion, valid_on

    call_command("migrate", verbosity=0)
    reference_load(settings.REFERENCE_MANIFEST)
    say(f"\n== {label}")
    stages: dict[str, list[float]] = {}

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        stages.setdefault(stage, [now, now])[1] = now

    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
    started, cpu = time.perf_counter(), cpu_seconds()
    if profiler is not None:
        profiler.enable()
    report = register_import(book, progress=progress)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(f"{profile}.first")
    errors = [p for p in report.problems if p.severity == "error"]
    if errors:
        say(f"  {len(errors)} errors, first: {errors[0]}")
    rows = sum(report.imported.values())
    say(
        f"first import: {seconds:7.1f} s  {rows / seconds:9,.0f} rows/s  "
        f"({report.imported['households']:,} households, {report.imported['persons']:,} "
        f"persons, {report.imported['events']:,} events, {report.imported['units']} villages)"
        f"  peak memory {peak_mb():,.0f} MB; CPU of this process {cpu:.1f} s"
    )
    previous = started
    for stage, (_first, last) in stages.items():
        say(f"  {stage:<18} {last - previous:6.1f} s")
        previous = last
    # the import is followed by its persons' spells: a count of the district reads them
    kept = spells.check()
    say(
        f"  spells kept: {kept['stays']:,} stays, {kept['women']:,} women's spells; "
        f"{kept['differing']:,} persons and {kept['households_differing']:,} households "
        "differ from a rebuild"
    )
    if profiler is not None:
        profiler = cProfile.Profile()
        profiler.enable()
    started, cpu = time.perf_counter(), cpu_seconds()
    again = register_import(book)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(f"{profile}.second")
    if any(again.imported.values()):
        say(f"  second import wrote rows: {again.imported}")
    say(
        f"second import: {seconds:6.1f} s  {sum(again.unchanged.values()) / seconds:9,.0f} rows/s "
        f"(imported {sum(again.imported.values())}, unchanged {sum(again.unchanged.values()):,})"
        f"; CPU of this process {cpu:.1f} s"
    )
    if not export:
        return
    district = UnitVersion.objects.filter(
        valid_on(date(2024, 6, 30)), code="4", unit__level=Level.DISTRICT
    ).get()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        written = register_export(district.unit, date(2024, 6, 30), Path(folder), user=SYSTEM)
        seconds = time.perf_counter() - started
    total = sum(written["rows"].values())
    say(f"export: {seconds:13.1f} s  {total / seconds:9,.0f} rows/s  ", end="")
    say(f"peak memory {peak_mb():,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=300_000, help="size of the district")
    parser.add_argument("--keep", type=Path, help="write the generated book to this folder")
    parser.add_argument(
        "--reuse", action="store_true", help="import the book of --keep if it is there already"
    )
    parser.add_argument(
        "--database",
        choices=["both", "sqlite", "postgresql"],
        default="both",
        help="which database to measure",
    )
    parser.add_argument(
        "--no-export", action="store_true", help="measure the imports only, not the export"
    )
    parser.add_argument(
        "--profile", type=Path, help="write cProfile statistics of each import to PATH.<db>.*"
    )
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--label", help=argparse.SUPPRESS)
    parser.add_argument("--book", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args.one, args.label, args.book, args.profile, export=not args.no_export)
        return
    print(
        f"danso register benchmark · {platform.node()} · {platform.machine()} · "
        f"{os.cpu_count()} CPUs · Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory() as scratch:
        book = args.keep or Path(scratch) / "book"
        if args.reuse and (book / "events.csv").exists():
            print(f"the book of {book}, generated before")
        else:
            book.mkdir(parents=True, exist_ok=True)
            started = time.perf_counter()
            sizes: dict[str, Any] = generate(book, args.persons)
            print(
                f"generated in {time.perf_counter() - started:.1f} s: {sizes['households']:,} "
                f"households, {sizes['persons']:,} persons, {sizes['events']:,} events "
                f"({sum(f.stat().st_size for f in book.iterdir()) / 1e6:,.0f} MB of CSV)"
            )
        extra = ["--no-export"] if args.no_export else []
        measure(book, scratch, args.database, args.profile, extra)


def measure(
    book: Path,
    scratch: str,
    database: str = "both",
    profile: Path | None = None,
    extra: list[str] | None = None,
) -> None:
    def command(url: str, label: str, vendor: str) -> list[str]:
        args = [sys.executable, __file__, "--one", url, "--label", label, "--book", str(book)]
        if profile is not None:
            args += ["--profile", f"{profile}.{vendor}"]
        return args + (extra or [])

    if database in ("both", "sqlite"):
        url = f"sqlite:///{scratch}/bench.sqlite3"
        subprocess.run(  # noqa: S603 - this script, with arguments it chose itself
            command(url, "SQLite (WAL)", "sqlite"), check=True
        )
    if database == "sqlite":
        return
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS danso_register_bench")
            connection.execute("CREATE DATABASE danso_register_bench")
            version = connection.execute("SHOW server_version").fetchone()
    except Exception as error:  # any failure means there is no server to measure
        print(f"\n== PostgreSQL: skipped ({error.__class__.__name__}: {error})")
        return
    url = POSTGRES_ADMIN.rsplit("/", 1)[0] + "/danso_register_bench"
    try:
        label = f"PostgreSQL {version[0] if version else ''}"
        subprocess.run(  # noqa: S603 - this script, with arguments it chose itself
            command(url, label, "postgresql"), check=True
        )
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS danso_register_bench")


if __name__ == "__main__":
    main()
