"""Benchmark of the indicator engine on a generated province register (`make bench`).

For the embedded SQLite database and (when a server answers) PostgreSQL, each in its own
process and a new database: load the reference data (what ``danso setup`` loads, without
the demo), generate a synthetic register (``register.generation.generate``) for every
commune under ``--root`` as the tree stood on 1 July of ``--year``, then measure:

1. the generation (households, persons, events, seconds; it ends with ``ANALYZE`` of
   the register's tables, as every bulk write of the register does);
2. a full recompute of the year (``cache.recompute`` over its 28 periods: the year, its
   quarters, months and years to date) and of the year period alone, with where the
   year's time goes among the engine's queries;
3. the delay from saving an event to the updated city figure: a birth recorded in one
   ward through ``register.services.event_record``, then ``cache.figures`` of the city
   for the year (median of ``--events`` births, each a new one);
4. the city dashboard under 20 concurrent requests: the page
   ``/indicators/units/<id>/?period=YYYY`` driven through a real ``runserver`` (what
   ``make run`` serves), then through gunicorn with a worker per CPU (a deployment,
   docs/deployment.md), when that page exists; otherwise ``cache.figures(city, year,
   children=<districts>)`` — what the page computes — from 20 threads of one process
   (the output says which); then, through each server, the first request after each
   of three deaths saved in a ward (every figure cached before is left behind);
5. a reference engine: the register exported in the exchange format
   (``register.exporting.register_export``) and the same periods' counts computed by
   DuckDB with SQL straight over the CSV files; every count compared with danso's and the
   ratio of danso's recompute time to DuckDB's printed.

``--scale`` multiplies the households of every commune: 1.0 is full size (about 5,500
households a ward, 3,000 a rural commune; Hà Nội's 579 communes of 2024 ≈ 2.8 million
households, 8.5 million persons, 1.5 million events a year; Long Biên's 14 wards ≈
300,000 persons).  The default, 0.02 of Hà Nội (≈ 170,000 persons), takes a few minutes
a database; ``--root 004 --scale 1`` is Long Biên at full size.

Figures are printed, never asserted.  The peak memory is that of the process measuring
one database (``ru_maxrss``), DuckDB included.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import resource
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
POSTGRES_ADMIN = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
GROUPS = ("15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49")
PYRAMID = (*(f"{low}-{low + 4}" for low in range(0, 85, 5)), "85+")
PLAN_METHOD = {
    "iud": "iud",
    "implant": "implant",
    "injectable": "injectable",
    "pill": "pill",
    "condom": "condom",
    "sterilization_f": "sterilisation",
    "sterilization_m": "sterilisation",
}
#: Events counted as they are, by the engine's tally key.
EVENT_COUNTS = {
    "death": "deaths",
    "divorce": "divorced",
    "move_in": "moved_in",
    "move_out": "moved_out",
}
CLIENTS = 20
#: Seconds a dashboard request may take before it counts as unanswered.
TIMEOUT = 120
#: The engine's queries (``engine.tallies_of`` runs them in turn), timed one by one.
ENGINE_PARTS = [
    ("population on the reference date (stock)", "_stock"),
    ("births and screenings", "_births"),
    ("deaths and contraception starts", "_deaths_and_contraception"),
    ("marriages and premarital checks", "_marriages"),
    ("contraceptive prevalence (CPR)", "_contraceptive_prevalence"),
]
BUDGET = 300  # seconds of waiting for the city figure after which fewer births are saved
SEED = 1


def say(*parts: object, end: str = "\n") -> None:
    """Print at once (the output of a long run is read while it runs)."""
    print(*parts, end=end, flush=True)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(action: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


# ---------------------------------------------------------------- the reference engine

#: DuckDB over the four CSV files of an export (docs/REGISTER-FORMAT.md), with the
#: definitions of docs/indicators.md written again in SQL (tests/indicators/independent.py
#: is the same reading in plain Python).  Who is registered where is rebuilt from the
#: persons' registration and their moves: each change of a person's household is a key
#: ``day × 4 + rank`` (0 leaving the day after a death or a move out, 1 registration,
#: 2 move in, 3 move within), a stay runs from its key to the person's next one, and a
#: person is registered on day D in the stay holding ``D × 4 + 3`` (for a move within:
#: the day before, the household left).
DUCK_MACROS = [
    "CREATE MACRO dnum(d) AS date_diff('day', DATE '1900-01-01', d)",
    "CREATE MACRO age(b, d) AS year(d) - year(b) - CASE WHEN month(d) < month(b) "
    "OR (month(d) = month(b) AND day(d) < day(b)) THEN 1 ELSE 0 END",
    "CREATE MACRO partial_date(t) AS CASE length(t) WHEN 4 THEN make_date(t::INTEGER, 1, 1) "
    "WHEN 7 THEN make_date(t[1:4]::INTEGER, t[6:7]::INTEGER, 1) ELSE t::DATE END",
]
DUCK_READ = {
    "households": "CREATE TABLE raw_households AS SELECT * FROM read_csv_auto(?, all_varchar = 1)",
    "persons": "CREATE TABLE raw_persons AS SELECT * FROM read_csv_auto(?, all_varchar = 1)",
    "events": "CREATE TABLE raw_events AS SELECT * FROM read_csv_auto(?, all_varchar = 1)",
}
DUCK_OPTIONAL = {
    "raw_persons": ["merged_into", "marital_status"],
    "raw_events": [
        "child_person_id",
        "child_sex",
        "birth_order",
        "household_id",
        "to_household_id",
        "spouse_person_id",
        "method",
        "supply",
        "in_use_at_opening",
    ],
}
DUCK_PREPARE = [
    """CREATE TABLE hh AS SELECT household_id AS hid FROM raw_households
       WHERE lpad(commune_code, 5, '0') IN (SELECT code FROM root_communes)""",
    """CREATE TABLE p AS SELECT person_id AS pid, household_id AS hid,
         CASE lower(sex) WHEN 'nam' THEN 'M' WHEN 'nữ' THEN 'F' WHEN 'nu' THEN 'F'
              ELSE upper(sex) END AS sex,
         partial_date(birth_date) AS born, coalesce(marital_status, '') AS marital,
         partial_date(registered_on) AS registered
       FROM raw_persons WHERE merged_into IS NULL""",
    """CREATE TABLE e AS SELECT event_id AS eid, event_type AS kind,
         partial_date(event_date) AS day, person_id AS pid, child_person_id AS child,
         nullif(child_sex, '') AS child_sex, TRY_CAST(birth_order AS INTEGER) AS birth_order,
         household_id AS joined, to_household_id AS to_hid,
         coalesce(spouse_person_id, '') AS spouse, coalesce(method, '') AS method,
         coalesce(supply, '') AS supply,
         lower(coalesce(in_use_at_opening, '')) IN ('1', 'true', 'yes') AS opening
       FROM raw_events WHERE person_id IN (SELECT pid FROM p)""",
    """CREATE TABLE changes AS
         SELECT pid, dnum(registered) * 4 + 1 AS k, hid FROM p
         UNION ALL SELECT e.pid, dnum(e.day) * 4 + 2, coalesce(e.joined, p.hid)
           FROM e JOIN p ON p.pid = e.pid WHERE e.kind = 'move_in'
         UNION ALL SELECT pid, dnum(day) * 4 + 3, to_hid FROM e WHERE kind = 'move_within'
         UNION ALL SELECT pid, dnum(day + 1) * 4, '' FROM e
           WHERE kind IN ('move_out', 'death')""",
    """CREATE TABLE stays AS SELECT pid, hid, k0, k1 FROM (
         SELECT pid, hid, k AS k0,
           coalesce(lead(k) OVER (PARTITION BY pid ORDER BY k), 9223372036854775807) AS k1
         FROM changes) WHERE hid IN (SELECT hid FROM hh)""",
    """CREATE TABLE days AS SELECT day, dnum(day) * 4 + 3 AS dk FROM (
         SELECT p_ref AS day FROM periods UNION SELECT p_end FROM periods)""",
    """CREATE TABLE present AS SELECT d.day, s.pid, s.hid FROM days d JOIN stays s
         ON s.k0 <= d.dk AND d.dk < s.k1""",
    """CREATE TABLE located AS SELECT x.* FROM (
         SELECT *, dnum(day) * 4 + 3 AS k FROM e
         WHERE kind IN ('birth', 'death', 'contraception_start', 'marriage', 'divorce',
           'move_in', 'move_out')) x
       JOIN stays s ON s.pid = x.pid AND s.k0 <= x.k AND x.k < s.k1""",
    """CREATE TABLE births AS SELECT b.eid, b.day, b.pid AS mother,
         b.birth_order, coalesce(b.child_sex, c.sex) AS sex, age(m.born, b.day) AS mother_age,
         EXISTS (SELECT 1 FROM e s WHERE s.kind = 'newborn_screening' AND s.pid = b.child
                 AND s.day BETWEEN b.day AND b.day + 30) AS newborn,
         EXISTS (SELECT 1 FROM e s WHERE s.kind = 'prenatal_screening' AND s.pid = b.pid
                 AND s.day BETWEEN b.day - 280 AND b.day) AS prenatal
       FROM located b JOIN p m ON m.pid = b.pid LEFT JOIN p c ON c.pid = b.child
       WHERE b.kind = 'birth'""",
]
DUCK_COUNT = {
    # day, sex, age → persons registered that day
    "stock": """SELECT pr.day, p.sex, age(p.born, pr.day) AS a, count(*) FROM present pr
        JOIN p ON p.pid = pr.pid GROUP BY ALL""",
    "households": """SELECT day, count(DISTINCT hid) FROM present GROUP BY day""",
    "elderly": """SELECT per.name, count(DISTINCT pr.pid) FROM periods per
        JOIN present pr ON pr.day = per.p_ref JOIN p ON p.pid = pr.pid
        WHERE age(p.born, per.p_ref) >= 60 AND EXISTS (
          SELECT 1 FROM e x WHERE x.kind = 'elderly_checkup' AND x.pid = pr.pid
          AND x.day BETWEEN per.p_start AND per.p_end)
        GROUP BY per.name""",
    "births": """SELECT per.name, b.mother_age, b.sex, b.birth_order IS NOT NULL,
        coalesce(b.birth_order >= 3, false), coalesce(b.birth_order = 2, false), b.newborn,
        count(*) FROM periods per
        JOIN births b ON b.day BETWEEN per.p_start AND per.p_end GROUP BY ALL""",
    "prenatal": """SELECT name, count(*), count(*) FILTER (WHERE screened) FROM (
        SELECT per.name, b.mother, bool_or(b.prenatal) AS screened FROM periods per
        JOIN births b ON b.day BETWEEN per.p_start AND per.p_end GROUP BY ALL)
        GROUP BY name""",
    "events": """SELECT per.name, x.kind, x.method, x.supply, count(*) FROM periods per
        JOIN located x ON x.day BETWEEN per.p_start AND per.p_end
        WHERE x.kind IN ('death', 'divorce', 'move_in', 'move_out')
          OR (x.kind = 'contraception_start'
          AND x.method NOT IN ('', 'traditional') AND NOT x.opening)
        GROUP BY ALL""",
    # persons married, and those under the legal age (20 for a man, 18 for a woman)
    "married": """SELECT per.name, count(*), count(*) FILTER (
          WHERE age(p.born, x.day) < CASE WHEN p.sex = 'M' THEN 20 ELSE 18 END)
        FROM periods per JOIN located x ON x.kind = 'marriage'
          AND x.day BETWEEN per.p_start AND per.p_end
        JOIN p ON p.pid = x.pid GROUP BY per.name""",
    # a couple counted once, at its event whose id sorts first, where that event counts
    "premarital": """SELECT c.name, count(*), count(*) FILTER (WHERE EXISTS (
          SELECT 1 FROM e x WHERE x.kind = 'premarital_check' AND x.pid IN (c.a, c.b)
          AND x.day BETWEEN m.day - 365 AND m.day)) FROM (
          SELECT per.name, min(m.eid) AS eid,
            CASE WHEN m.spouse = '' THEN m.pid ELSE least(m.pid, m.spouse) END AS a,
            CASE WHEN m.spouse = '' THEN '' ELSE greatest(m.pid, m.spouse) END AS b
          FROM periods per JOIN e m ON m.kind = 'marriage'
            AND m.day BETWEEN per.p_start AND per.p_end
          GROUP BY per.name, a, b) c
        JOIN e m ON m.eid = c.eid
        JOIN stays s ON s.pid = m.pid AND s.k0 <= dnum(m.day) * 4 + 3
          AND dnum(m.day) * 4 + 3 < s.k1
        GROUP BY c.name""",
    # married women 15-49 on the last day, and those using a modern method then
    "cpr": """WITH women AS (
          SELECT pr.day, pr.pid, any_value(p.marital) AS marital FROM present pr
          JOIN p ON p.pid = pr.pid
          WHERE pr.day IN (SELECT p_end FROM periods) AND p.sex = 'F'
            AND age(p.born, pr.day) BETWEEN 15 AND 49 GROUP BY ALL),
        unions AS (SELECT pid, day, kind, dnum(day) * 2 + (kind = 'marriage')::INTEGER AS k
          FROM e WHERE kind IN ('marriage', 'divorce')),
        married AS (SELECT w.day, w.pid FROM women w LEFT JOIN unions u ON u.pid = w.pid
          GROUP BY w.day, w.pid HAVING coalesce(
            arg_max(u.kind, u.k) FILTER (WHERE u.day <= w.day) = 'marriage',
            arg_min(u.kind, u.k) = 'divorce',
            any_value(w.marital) = 'co_vo_chong')),
        latest AS (SELECT m.day, m.pid, arg_max(s.method, (s.day, s.eid)) AS method,
            arg_max(s.day, (s.day, s.eid)) AS since
          FROM married m JOIN e s ON s.pid = m.pid AND s.kind = 'contraception_start'
            AND s.day <= m.day GROUP BY ALL),
        users AS (SELECT l.day, l.pid FROM latest l
          WHERE l.method NOT IN ('', 'traditional') AND NOT EXISTS (
            SELECT 1 FROM e x WHERE x.pid = l.pid AND x.kind = 'contraception_stop'
            AND x.method = l.method AND x.day BETWEEN l.since AND l.day))
        SELECT per.name, (SELECT count(*) FROM married m WHERE m.day = per.p_end),
          (SELECT count(*) FROM users u WHERE u.day = per.p_end)
        FROM periods per""",
}


@dataclass(frozen=True)
class PeriodRow:
    name: str
    start: date
    end: date
    reference: date


def duckdb_tallies(
    folder: Path, periods: list[PeriodRow], communes: list[str]
) -> dict[str, Counter[str]]:
    """The tallies danso's engine keeps (``engine.tallies_of``), for the whole root, of
    each period, computed by DuckDB from the export in ``folder``."""
    import duckdb

    con = duckdb.connect()
    try:
        for statement in DUCK_MACROS:
            con.execute(statement)
        for table, statement in DUCK_READ.items():
            con.execute(statement, [str(folder / f"{table}.csv")])
        for table, columns in DUCK_OPTIONAL.items():
            for column in columns:
                con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} VARCHAR")
        con.execute("CREATE TABLE root_communes (code VARCHAR)")
        con.executemany("INSERT INTO root_communes VALUES (?)", [[code] for code in communes])
        con.execute("CREATE TABLE periods (name VARCHAR, p_start DATE, p_end DATE, p_ref DATE)")
        con.executemany(
            "INSERT INTO periods VALUES (?, ?, ?, ?)",
            [[p.name, p.start, p.end, p.reference] for p in periods],
        )
        for statement in DUCK_PREPARE:
            con.execute(statement)
        rows = {name: con.execute(query).fetchall() for name, query in DUCK_COUNT.items()}
    finally:
        con.close()
    return _tallies_from(rows, periods)


def _tallies_from(rows: dict[str, list[Any]], periods: list[PeriodRow]) -> dict[str, Counter[str]]:
    """The rows of ``DUCK_COUNT`` as the engine's tally keys."""
    stock: dict[date, Counter[str]] = {}
    for day, sex, age, n in rows["stock"]:
        t = stock.setdefault(day, Counter())
        t["P"] += n
        if age >= 60:
            t["E60"] += n
        if sex == "F" and 15 <= age <= 49:
            t["W"] += n
            t[f"W.{GROUPS[(age - 15) // 5]}"] += n
        if sex in ("M", "F") and age >= 0:
            t[f"PYR.{sex}.{PYRAMID[min(age // 5, len(PYRAMID) - 1)]}"] += n
    for day, n in rows["households"]:
        stock.setdefault(day, Counter())["households"] += n
    tallies = {p.name: Counter(stock.get(p.reference, Counter())) for p in periods}
    for name, n in rows["elderly"]:
        tallies[name]["E60.checked"] += n
    for name, mother_age, sex, known, third, second, newborn, n in rows["births"]:
        t = tallies[name]
        t["births"] += n
        if sex in ("M", "F"):
            t[f"births.{sex}"] += n
        t["births.order_known"] += n if known else 0
        t["births.order3p"] += n if third else 0
        t["births.order2"] += n if second else 0
        t["births.mother_under20"] += n if mother_age < 20 else 0
        t["newborn.screened"] += n if newborn else 0
        if 15 <= mother_age <= 49:
            t["births.15-49"] += n
            t[f"births.{GROUPS[(mother_age - 15) // 5]}"] += n
    for name, mothers, screened in rows["prenatal"]:
        tallies[name]["prenatal.mothers"] += mothers
        tallies[name]["prenatal.screened"] += screened
    for name, kind, method, supply, n in rows["events"]:
        t = tallies[name]
        if kind in EVENT_COUNTS:
            t[EVENT_COUNTS[kind]] += n
            continue
        t["newfp"] += n
        if method in PLAN_METHOD:
            t[f"newfp.{PLAN_METHOD[method]}"] += n
        if supply:
            t[f"newfp.{supply}"] += n
    for name, persons, child in rows["married"]:
        tallies[name]["married"] += persons
        tallies[name]["married.child"] += child
    for name, couples, checked in rows["premarital"]:
        tallies[name]["premarital.couples"] += couples
        tallies[name]["premarital.checked"] += checked
    for name, women, users in rows["cpr"]:
        tallies[name]["cpr.women"] += women
        tallies[name]["cpr.users"] += users
    return {name: +tally for name, tally in tallies.items()}


def main_values(t: Counter[str]) -> dict[str, float | None]:
    """The headline indicators of a year's tally (docs/indicators.md), computed here."""

    def ratio(a: str, b: str, scale: float) -> float | None:
        return t[a] / t[b] * scale if t[b] else None

    rates = [t[f"births.{g}"] / t[f"W.{g}"] for g in GROUPS if t[f"W.{g}"]]
    return {
        "CBR": ratio("births", "P", 1000),
        "CDR": ratio("deaths", "P", 1000),
        "GFR": ratio("births", "W", 1000),
        "TFR": 5 * math.fsum(rates) if rates else None,
        "SRB": ratio("births.M", "births.F", 100),
        "BIRTH3P": ratio("births.order3p", "births.order_known", 100),
        "CPR": ratio("cpr.users", "cpr.women", 100),
        "NEWBORN": ratio("newborn.screened", "births", 100),
        "ELDERLY": ratio("E60.checked", "E60", 100),
    }


# ---------------------------------------------------------------- measuring one database


def run_one(url: str, label: str, args: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danso.settings.local")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.urls import get_resolver

    from danso.indicators.services import catalogue_load
    from danso.register.generation import generate
    from danso.units.codes import Level, normalize_code
    from danso.units.imports import geometries_load, reference_load
    from danso.units.models import UnitVersion, valid_on

    say(f"\n== {label}")
    # Import the whole project now, once: a run lasts long and modules imported late
    # would be those of a later state of the working tree.
    get_resolver().url_patterns  # noqa: B018 - imports every view
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    reference_load(settings.REFERENCE_MANIFEST)
    geometries_load(settings.REFERENCE_MANIFEST)
    catalogue_load()
    say(f"reference data (as danso setup): {time.perf_counter() - started:6.1f} s")

    year: int = args.year
    mid = date(year, 7, 1)
    level = {2: Level.PROVINCE, 3: Level.DISTRICT, 5: Level.COMMUNE}[len(args.root)]
    root = (
        UnitVersion.objects.filter(
            valid_on(mid), unit__level=level, code=normalize_code(level, args.root)
        )
        .select_related("unit")
        .get()
    )
    last_report = [time.perf_counter()]

    def progress(name: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if done and (now - last_report[0] > 60 or done == total):
            last_report[0] = now
            say(f"  … {done}/{total} communes, {now - started:6.0f} s")

    started = time.perf_counter()
    summary = generate(root.unit, year, seed=SEED, scale=args.scale, progress=progress)
    say(
        f"generated {root.name} at scale {args.scale:g}: {summary.seconds:7.1f} s  "
        f"({summary.communes} communes, {summary.villages_created:,} villages created, "
        f"{summary.households:,} households, {summary.persons:,} persons, "
        f"{sum(summary.events.values()):,} events)  peak memory {peak_mb():,.0f} MB"
    )
    recompute_seconds = measure_recompute(root, year)
    city, children = city_and_districts(root, year)
    measure_event_to_city(root, city, year, args.events)
    measure_dashboard(root, city, children, year, args.requests)
    if args.no_reference:
        say("export and DuckDB reference: skipped (--no-reference)")
    else:
        measure_duckdb(root, year, recompute_seconds)


def measure_recompute(root: Any, year: int) -> dict[str, float]:
    """(2) A full recompute of the year and of the year period, and where it goes."""
    from danso.indicators import cache
    from danso.indicators.periods import Period
    from danso.register.models import Event, Membership, Person

    leaves = cache.leaves_in(year, root)
    registered = cache.with_register(leaves)
    periods = cache.periods_of(year)
    full, rows = timed(lambda: cache.recompute(leaves, periods))
    say(
        f"full recompute of {year} ({len(periods)} periods, {len(registered):,} leaves with a "
        f"register of {len(leaves):,}): {full:7.1f} s  ({rows:,} rows, "
        f"{full / len(periods):.1f} s a period)  peak memory {peak_mb():,.0f} MB"
    )
    year_period = Period.parse(str(year))
    alone, _rows = timed(lambda: cache.recompute(leaves, [year_period]))
    month, _rows = timed(lambda: cache.recompute(leaves, [Period.parse(f"{year}-06")]))
    say(f"recompute of the year period alone: {alone:7.1f} s;  of one month (06): {month:.1f} s")
    time_parts(year_period, registered)
    say(
        f"  register: {Person.objects.count():,} persons, {Membership.objects.count():,} stays, "
        f"{Event.objects.count():,} events"
    )
    return {"full": full, "year": alone}


def time_parts(period: Any, leaves: list[int]) -> None:
    """Time each of the engine's queries over ``leaves`` for ``period``."""
    from collections import defaultdict

    from danso.indicators import engine

    tallies: dict[int, Counter[str]] = defaultdict(Counter)
    say(f"  where the time of {period} goes:")
    for name, attribute in ENGINE_PARTS:
        part: Callable[..., None] | None = getattr(engine, attribute, None)
        if part is None:  # the engine changed: name what is no longer measured
            say(f"    {name:<42} (engine.{attribute} is gone)")
            continue
        started = time.perf_counter()
        part(period, leaves, tallies)
        say(f"    {name:<42} {time.perf_counter() - started:6.1f} s")


def city_and_districts(root: Any, year: int) -> tuple[Any, list[Any]]:
    """The province holding ``root`` and its districts, as of the year's last day."""
    from danso.units.codes import Level
    from danso.units.models import UnitVersion, valid_on

    end = date(year, 12, 31)
    city = next(
        v
        for v in UnitVersion.objects.filter(valid_on(end), unit__level=Level.PROVINCE)
        .select_related("unit")
        .order_by("path")
        if root.path.startswith(v.path)
    )
    children = list(
        UnitVersion.objects.filter(
            valid_on(end), unit__level=Level.DISTRICT, path__startswith=city.path
        )
        .select_related("unit")
        .order_by("code")
    )
    return city, children


def measure_event_to_city(root: Any, city: Any, year: int, repeat: int, when: str = "") -> None:
    """(3) Save a birth in one ward (a woman with no event after 1 December, so that
    each run takes new mothers), then read the city's figure for the year."""
    from django.db.models import Q

    from danso.indicators import cache, engine
    from danso.indicators.periods import Period
    from danso.register import services
    from danso.register.models import Membership, Person
    from danso.register.vocabulary import EventType
    from danso.units.codes import Level
    from danso.units.models import UnitVersion, valid_on

    period = Period.parse(str(year))
    wards = (
        UnitVersion.objects.filter(
            valid_on(period.end), unit__level=Level.COMMUNE, path__startswith=root.path
        )
        .select_related("unit")
        .order_by("code")
    )
    day = date(year, 12, 1)
    for ward in wards:
        leaves = list(engine.leaves_under(ward, day))
        mothers = list(
            Membership.objects.filter(valid_on(day), person__merged_into__isnull=True)
            .filter(
                person__sex="F",
                person__birth_date__lte=date(year - 22, 1, 1),
                person__birth_date__gte=date(year - 38, 1, 1),
            )
            .filter(valid_on(day, "household__placements__"))
            .filter(household__placements__unit_id__in=leaves)
            .exclude(Q(person__events__event_date__gt=day))
            .values_list("person_id", flat=True)
            .distinct()
            .order_by("person_id")[:repeat]
        )
        if len(mothers) == repeat:
            break
    else:
        say("event to city: no ward with enough women 22–38 to record births; skipped")
        return
    idle = []
    for _ in range(3):
        seconds, _figures = timed(lambda: cache.figures(city, period))
        idle.append(seconds)
    saves, reads = [], []
    for number, mother in enumerate(Person.objects.filter(pk__in=mothers).order_by("pk")):
        born = day + timedelta(days=1 + number)
        data = services.EventInput(
            EventType.BIRTH,
            born,
            child=services.PersonInput(f"Trẻ Thử {number}", "M" if number % 2 else "F", born),
            birth_order=1,
        )
        started = time.perf_counter()
        services.event_record(person=mother, data=data)
        saves.append(time.perf_counter() - started)
        seconds, figures = timed(lambda: cache.figures(city, period))
        reads.append(seconds)
        if sum(reads) > BUDGET:
            break  # slow enough to be told with fewer
    births = figures.value("CBR").numerator
    say(
        f"event to city{when} ({ward.name} → {city.name}, {len(reads)} births): save median "
        f"{statistics.median(saves) * 1000:6.0f} ms;  next city figure for {year}: median "
        f"{statistics.median(reads) * 1000:6.0f} ms, max {max(reads) * 1000:6.0f} ms "
        f"(nothing changed: {statistics.median(idle) * 1000:.0f} ms; the city now counts "
        f"{births:,.0f} births)"
    )


def measure_dashboard(root: Any, city: Any, children: list[Any], year: int, requests: int) -> None:
    """(4) The city dashboard under ``CLIENTS`` concurrent requests."""
    from django.urls import Resolver404, resolve

    path = f"/indicators/units/{city.unit_id}/"
    try:
        resolve(path)
    except Resolver404:
        measure_figures_threads(city, children, year, requests)
        return
    cookie = officer_cookie(city)
    change = deaths_recorder(root, year)
    for server in SERVERS:
        measure_server(server, cookie, f"{path}?period={year}", requests, change)


def deaths_recorder(root: Any, year: int) -> Callable[[], None]:
    """Record, at each call, the death of one more person of a ward under ``root`` (the
    generated area), as an officer saving an event (committed: every process sees it)."""
    from django.db.models import Q

    from danso.indicators import engine
    from danso.register import services
    from danso.register.models import Membership, Person
    from danso.register.vocabulary import EventType
    from danso.units.codes import Level
    from danso.units.models import UnitVersion, valid_on

    day = date(year, 12, 20)
    alive: list[int] = []
    for ward in UnitVersion.objects.filter(
        valid_on(day), unit__level=Level.COMMUNE, path__startswith=root.path
    ).order_by("code"):
        leaves = list(engine.leaves_under(ward, day))
        alive = list(
            Membership.objects.filter(valid_on(day), person__merged_into__isnull=True)
            .filter(valid_on(day, "household__placements__"))
            .filter(household__placements__unit_id__in=leaves)
            .exclude(Q(person__events__event_date__gte=day))
            .values_list("person_id", flat=True)
            .distinct()
            .order_by("person_id")[:10]
        )
        if alive:
            break
    people = iter(Person.objects.filter(pk__in=alive).order_by("pk"))

    def record() -> None:
        services.event_record(person=next(people), data=services.EventInput(EventType.DEATH, day))

    return record


def measure_figures_threads(city: Any, children: list[Any], year: int, requests: int) -> None:
    from django.db import connection

    from danso.indicators import cache
    from danso.indicators.periods import Period

    period = Period.parse(str(year))

    def read() -> float:
        seconds, _figures = timed(lambda: cache.figures(city, period, children=children))
        return seconds

    alone = [read() for _ in range(5)]

    def client() -> list[float]:
        try:
            return [read() for _ in range(requests)]
        finally:
            connection.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        latencies = [s for result in pool.map(lambda _n: client(), range(CLIENTS)) for s in result]
    wall = time.perf_counter() - started
    say(
        f"city dashboard: no page /indicators/units/<id>/ yet — measured what it computes, "
        f"cache.figures({city.name}, {year}, children=its {len(children)} districts):"
    )
    say(
        f"  alone: median {statistics.median(alone) * 1000:6.0f} ms;  {CLIENTS} threads × "
        f"{requests}: median {statistics.median(latencies) * 1000:6.0f} ms, p95 "
        f"{p95(latencies) * 1000:6.0f} ms, max {max(latencies) * 1000:6.0f} ms, "
        f"{len(latencies) / wall:5.1f} per second"
    )


@dataclass(frozen=True)
class Server:
    """How the page is served: a label and the command, given the port."""

    label: str
    command: Callable[[int], list[str]]


#: Django's development server, as ``make run`` serves; then gunicorn, as a deployment
#: does (docs/deployment.md): one worker process per CPU, each with a few threads.
SERVERS = (
    Server(
        "runserver (one process, threaded)",
        lambda port: [
            sys.executable,
            str(ROOT / "manage.py"),
            "runserver",
            f"127.0.0.1:{port}",
            "--noreload",
        ],
    ),
    Server(
        f"gunicorn ({os.cpu_count()} workers × 4 threads)",
        lambda port: [
            sys.executable,
            "-m",
            "gunicorn",
            "danso.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(os.cpu_count() or 1),
            "--threads",
            "4",
            "--timeout",
            str(TIMEOUT),
        ],
    ),
)


def officer_cookie(city: Any) -> str:
    """The session cookie of a new province officer of ``city``."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from danso.accounts import services as accounts
    from danso.accounts.policy import Role

    user = accounts.user_create(
        username=f"bench{os.getpid()}",
        password=secrets.token_urlsafe(),
        full_name="Bench",
        validate=False,
    )
    accounts.role_assign(
        user=user, role=Role.PROVINCE_OFFICER, unit=city.unit, valid_from=city.unit.valid_from
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def measure_server(
    server: Server, cookie: str, path: str, requests: int, change: Callable[[], None]
) -> None:
    """Drive the page through a real server (DEBUG off) as a province officer,
    ``CLIENTS`` clients at once; then one request after each of a few saved events
    (``change``), which every figure cached before leaves behind."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "bench_settings.py").write_text(
            "from danso.settings.local import *  # noqa: F403\nDEBUG = False\n"
        )
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "PYTHONPATH": os.pathsep.join([folder, str(ROOT)]),
        }
        process = subprocess.Popen(  # noqa: S603 - a server, arguments chosen here
            server.command(port),
            env=environment,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}{path}"
            failures: Counter[int] = Counter()
            lock = threading.Lock()

            def get() -> float:
                request = urllib.request.Request(url, headers={"Cookie": cookie})
                started = time.perf_counter()
                try:
                    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                        response.read()
                        status = response.status
                except urllib.error.HTTPError as error:
                    status = error.code
                except TimeoutError:
                    status = 0  # no answer within TIMEOUT: counted, and timed as TIMEOUT
                seconds = time.perf_counter() - started
                if status != 200:
                    with lock:
                        failures[status] += 1
                return seconds

            deadline = time.monotonic() + 60
            while True:
                try:
                    first = get()
                    break
                except (urllib.error.URLError, ConnectionRefusedError):
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
            alone = [get() for _ in range(5)]
            started = time.perf_counter()
            with ThreadPoolExecutor(CLIENTS) as pool:
                latencies = list(pool.map(lambda _n: get(), range(CLIENTS * requests)))
            wall = time.perf_counter() - started
            after = []
            for _ in range(3):
                change()
                after.append(get())
        finally:
            process.terminate()
            process.wait(timeout=30)
    say(f"city dashboard {path} through {server.label}, DEBUG off, a province officer:")
    say(
        f"  first {first * 1000:6.0f} ms;  alone: median {statistics.median(alone) * 1000:6.0f}"
        f" ms;  {CLIENTS} at once ({len(latencies)} requests): median "
        f"{statistics.median(latencies) * 1000:6.0f} ms, p95 {p95(latencies) * 1000:6.0f} ms, "
        f"max {max(latencies) * 1000:6.0f} ms, {len(latencies) / wall:5.1f} per second"
        + (f";  not 200 (0: no answer in {TIMEOUT} s): {dict(failures)}" if failures else "")
    )
    say(
        f"  the first request after a saved event (a death in a ward): median "
        f"{statistics.median(after) * 1000:6.0f} ms, max {max(after) * 1000:6.0f} ms"
    )


def measure_duckdb(root: Any, year: int, recompute: dict[str, float]) -> None:
    """(5) DuckDB over an export of the same register, against danso's counts."""
    import duckdb

    from danso.accounts.scope import SYSTEM
    from danso.indicators import cache
    from danso.indicators.periods import Period
    from danso.register.exporting import register_export
    from danso.units.codes import Level
    from danso.units.models import UnitVersion, valid_on

    end = date(year, 12, 31)
    periods = cache.periods_of(year)
    rows = [PeriodRow(str(p), p.start, p.end, p.reference) for p in periods]
    communes = [
        v.display_code
        for v in UnitVersion.objects.filter(
            valid_on(end), unit__level=Level.COMMUNE, path__startswith=root.path
        ).select_related("unit")
    ]
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        seconds, written = timed(lambda: register_export(root.unit, end, folder, user=SYSTEM))
        size = sum(f.stat().st_size for f in folder.iterdir()) / 1e6
        say(
            f"export of {root.name} as of {end:%d/%m/%Y}: {seconds:6.1f} s  "
            f"({sum(written['rows'].values()):,} rows, {size:,.0f} MB of CSV)"
        )
        year_row = [r for r in rows if r.name == str(year)]
        duck_year, ours_year = timed(lambda: duckdb_tallies(folder, year_row, communes))
        duck_all, ours = timed(lambda: duckdb_tallies(folder, rows, communes))
    danso_seconds, theirs = timed(
        # through the cache: the periods the saved births touched are counted again
        lambda: {str(p): root_tally(root, p) for p in periods}
    )
    say(
        f"DuckDB {duckdb.__version__} over the CSV files: the year {duck_year:6.1f} s, all "
        f"{len(rows)} periods {duck_all:6.1f} s  peak memory {peak_mb():,.0f} MB  (danso, "
        f"the root's {len(rows)} periods through the cache: {danso_seconds:.1f} s)"
    )
    say(
        f"  danso recompute ÷ DuckDB: the year period {recompute['year'] / duck_year:5.1f} ×, "
        f"the whole year "
        f"({len(rows)} periods) {recompute['full'] / duck_all:5.1f} ×"
    )
    differences = []
    compared = 0
    for name, mine in ours.items():
        keys = set(mine) | set(theirs[name])
        compared += len(keys)
        differences += [
            f"{name} {key}: danso {theirs[name][key]}, DuckDB {mine[key]}"
            for key in sorted(keys)
            if theirs[name][key] != mine[key]
        ]
    if ours_year[str(year)] != ours[str(year)]:
        differences.append(f"{year}: DuckDB's year alone differs from its year among all")
    say(
        f"  agreement: {compared - len(differences):,} of {compared:,} counts equal over "
        f"{len(rows)} periods"
        + (f"; differences: {'; '.join(differences[:8])}" if differences else "")
    )
    danso_year = cache.figures(root, Period.parse(str(year)))
    t = ours[str(year)]
    say(
        f"  {year}, {root.name}: persons 1/7 {t['P']:,}, births {t['births']:,} "
        f"({t['births.M']:,} boys, {t['births.F']:,} girls), deaths {t['deaths']:,}, "
        f"women 15–49 {t['W']:,}"
    )
    values = main_values(t)
    say("  " + "  ".join(f"{code} {_show(danso_year.value(code).value)}" for code in values))
    say("  " + "  ".join(f"{code} {_show(values[code])}" for code in values) + "  (DuckDB)")


def root_tally(root: Any, period: Any) -> Counter[str]:
    from danso.indicators import cache

    tally = cache.figures(root, period).tally
    return +Counter({k: v for k, v in tally.items() if not k.startswith(("src.", "warn."))})


def _show(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


# ---------------------------------------------------------------- the databases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale",
        type=float,
        default=0.02,
        help="households of every commune, 1.0 = full size (Hà Nội ≈ 8.5 million persons)",
    )
    parser.add_argument("--root", default="01", help="province (01), district (004) or commune")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--events", type=int, default=10, help="births saved, one at a time")
    parser.add_argument("--requests", type=int, default=5, help="dashboard requests a client")
    parser.add_argument("--database", choices=["all", "sqlite", "postgresql"], default="all")
    parser.add_argument(
        "--no-reference",
        action="store_true",
        help="skip the export and DuckDB (half the time of a full-scale run)",
    )
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--label", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args.one, args.label, args)
        return
    say(
        f"danso indicators benchmark · {platform.node()} · {platform.machine()} · "
        f"{os.cpu_count()} CPUs · Python {platform.python_version()} · root {args.root}, "
        f"scale {args.scale:g}, year {args.year}"
    )
    forwarded = [
        *("--scale", str(args.scale), "--root", args.root, "--year", str(args.year)),
        *("--events", str(args.events), "--requests", str(args.requests)),
        *(["--no-reference"] if args.no_reference else []),
    ]
    if args.database in ("all", "sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.sqlite3"
            subprocess.run(  # noqa: S603 - this script, with arguments it chose itself
                [sys.executable, __file__, "--one", url, "--label", "SQLite (WAL)", *forwarded],
                check=True,
            )
    if args.database in ("all", "postgresql"):
        on_postgres(forwarded)


def on_postgres(forwarded: Iterable[str]) -> None:
    name = f"bench_indicators_{os.getpid()}"
    try:
        import psycopg
        from psycopg import sql

        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            version = connection.execute("SHOW server_version").fetchone()
    except Exception as error:  # any failure means there is no server to measure
        say(f"\n== PostgreSQL: skipped ({error.__class__.__name__}: {error})")
        return
    url = POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    try:
        label = f"PostgreSQL {version[0] if version else ''}"
        subprocess.run(  # noqa: S603 - this script, with arguments it chose itself
            [sys.executable, __file__, "--one", url, "--label", label, *forwarded], check=True
        )
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


if __name__ == "__main__":
    main()
