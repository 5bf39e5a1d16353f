"""Benchmark of the indicator engine on a generated province register (`make bench`).

For the embedded SQLite database and (when a server answers) PostgreSQL, each in its own
process and a new (or empty) database: load the reference data (what ``danso setup`` loads, without
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
4. the city dashboard under 20 concurrent requests, from 20 province officers each in a
   session of their own: the page ``/indicators/units/<id>/?period=YYYY`` driven
   through a real ``runserver`` (what ``make run`` serves), then through gunicorn with
   a worker per CPU (a deployment, docs/deployment.md), when that page exists;
   otherwise ``cache.figures(city, year, children=<districts>)`` — what the page
   computes — from 20 threads of one process (the output says which); then, through
   each server, the first request after each of three deaths saved in a ward (every
   figure cached before is left behind);
5. a reference engine, the judge: the register exported in the exchange format
   (``register.exporting.register_export``) and the same periods' counts computed by
   DuckDB with set-based SQL straight over the CSV files (``duck_reference.py``: no
   correlated subquery; sweeps, window functions, range and ASOF joins); DuckDB's load
   (CSV → tables) and its count of the 28 periods timed apart, printed side by side with
   danso's full recompute of the same 28 periods and the ratio danso ÷ DuckDB; every
   count compared with danso's, each difference printed.

``--scale`` multiplies the households of every commune: 1.0 is full size (about 5,500
households a ward, 3,000 a rural commune; Hà Nội's 579 communes of 2024 ≈ 2.8 million
households, 8.5 million persons, 1.5 million events a year; Long Biên's 14 wards ≈
300,000 persons).  The default, 0.1 of Hà Nội (≈ 880,000 persons), takes ten minutes or
more a database; ``--scale 1`` is full scale (about an hour a database);
``--root 004 --scale 1`` is Long Biên at full size.

Options (``--help`` lists them):

- ``--scale S`` (default 0.1), ``--root CODE`` (default 01, Hà Nội; a district such as
  004 or a commune), ``--year YYYY`` (default 2024);
- ``--events N`` births saved one at a time (step 3), ``--requests N`` dashboard
  requests a client (step 4);
- ``--database all|sqlite|postgresql`` (default all: SQLite, then PostgreSQL when a
  server answers);
- ``--no-reference``: skip the export and DuckDB (step 5);
- ``--sqlite-path PATH``: the SQLite database file (new or empty; default: a file in a
  new temporary folder);
- ``--postgres-url URL``: the PostgreSQL database to use, e.g.
  ``postgres://postgres@127.0.0.1:5432/bench_2024`` — created if missing (through the
  server's ``postgres`` database), else it must hold no table; or ``--database-name
  NAME``: that name on the server of ``$BENCH_POSTGRES`` (default
  ``postgres://postgres@127.0.0.1:5432/postgres``).  Without either, a new database
  ``bench_indicators_<pid>`` on that server;
- ``--keep``: keep the databases at the end (their path or name is printed); without
  it, the SQLite file and the PostgreSQL database are deleted and dropped.

Figures are printed, never asserted.  The peak memory is that of the process measuring
one database (``ru_maxrss``), DuckDB included.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import secrets
import shutil
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
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from duck_reference import PeriodRow, Reference, main_values

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
POSTGRES_ADMIN = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
CLIENTS = 20
#: Seconds a dashboard request may take before it counts as unanswered.
TIMEOUT = 120
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
    from django.db import transaction

    from danso.indicators import cache, spells
    from danso.indicators.periods import Period
    from danso.register.models import Event, Membership, Person

    def rebuild() -> None:
        with transaction.atomic():
            spells.rebuild()

    rebuilt, _nothing = timed(rebuild)
    checked, found = timed(spells.check)
    say(
        f"spells rebuilt set-based: {rebuilt:7.1f} s  ({found['stays']:,} stay spells, "
        f"{found['women']:,} women's spells); compared with a rebuild: {checked:.1f} s, "
        f"{found['differing']} persons differ"
    )
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
    time_parts(periods, registered)
    say(
        f"  register: {Person.objects.count():,} persons, {Membership.objects.count():,} stays, "
        f"{Event.objects.count():,} events"
    )
    return {"full": full, "year": alone}


def time_parts(periods: list[Any], leaves: list[int]) -> None:
    """Time each of the set-based count's parts (``indicators.setbased``) over
    ``leaves`` for the batch ``periods`` (a year's 28)."""
    from collections import defaultdict

    from danso.indicators import setbased

    sql = setbased._Dialect.current()
    references = sorted({period.reference for period in periods})
    ends = sorted({period.end for period in periods})
    say(f"  where the time of the {len(periods)} periods goes (set-based, one pass each):")
    parts: list[tuple[str, Callable[[], object]]] = [
        (
            f"stock and households on {len(references)} reference days",
            lambda: setbased._stock(references, leaves, sql),
        ),
        ("persons 60+ checked up", lambda: setbased._elderly_checked(periods, leaves, sql)),
        (
            f"contraceptive prevalence on {len(ends)} days",
            lambda: setbased._prevalence(ends, leaves, sql),
        ),
    ]
    from danso.indicators import tallying

    months = sorted({month for period in periods for month in period.months_in()})
    first, last = min(p.start for p in periods), max(p.end for p in periods)

    def births() -> None:
        rows = tallying.birth_rows(first, last, leaves)
        for period in periods:
            tallying.births_from(period, rows, defaultdict(Counter))

    def deaths() -> None:
        for month in months:
            tallying._deaths_and_contraception(month, leaves, defaultdict(Counter))

    def marriages() -> None:
        rows = tallying.marriage_rows(first, last, leaves)
        for period in periods:
            tallying.marriages_from(period, rows, leaves, defaultdict(Counter))

    parts += [
        ("births and screenings, the span read once", births),
        (f"deaths, moves and new acceptors, {len(months)} months", deaths),
        ("marriages and premarital checks, the span read once", marriages),
    ]
    for label, part in parts:
        started = time.perf_counter()
        part()
        say(f"    {label:<48} {time.perf_counter() - started:6.1f} s")


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
    # as many province officers as clients, each in a session of their own
    cookies = [officer_cookie(city, n) for n in range(CLIENTS)]
    change = deaths_recorder(root, year)
    for server in SERVERS:
        measure_server(server, cookies, f"{path}?period={year}", requests, change)


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


def officer_cookie(city: Any, n: int = 0) -> str:
    """The session cookie of a new province officer of ``city`` (the ``n``-th)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from danso.accounts import services as accounts
    from danso.accounts.policy import Role

    user = accounts.user_create(
        username=f"bench{os.getpid()}-{n}",
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
    server: Server, cookies: list[str], path: str, requests: int, change: Callable[[], None]
) -> None:
    """Drive the page through a real server (DEBUG off) as ``CLIENTS`` province officers
    at once, each in a session of their own (``cookies``); then one request after each
    of a few saved events (``change``), which every figure cached before leaves behind."""
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

            def get(n: int = 0) -> float:
                cookie = cookies[n % len(cookies)]
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
                latencies = list(pool.map(get, range(CLIENTS * requests)))
            wall = time.perf_counter() - started
            after = []
            for _ in range(3):
                change()
                after.append(get())
        finally:
            process.terminate()
            process.wait(timeout=30)
    say(
        f"city dashboard {path} through {server.label}, DEBUG off, "
        f"{len(cookies)} province officers, each in a session of their own:"
    )
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
    """(5) DuckDB over an export of the same register: its load and its count of the
    same periods timed apart, every count compared with danso's."""
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
    year_row = [r for r in rows if r.name == str(year)]
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
        load, reference = timed(lambda: Reference(folder, communes))
    try:
        sizes = reference.sizes()
        threads = reference.con.execute("SELECT current_setting('threads')").fetchone()
        count_all, ours = timed(lambda: reference.count(rows))
        count_year, ours_year = timed(lambda: reference.count(year_row))
    finally:
        reference.close()
    # danso's counts through the cache: the periods the saved events touched are counted again
    theirs = {str(p): root_tally(root, p) for p in periods}
    say(
        f"DuckDB {duckdb.__version__} ({threads[0] if threads else '?'} threads, in memory) "
        f"over the CSV files: load {load:6.2f} s  ({sizes['p']:,} persons, {sizes['e']:,} "
        f"events, {sizes['stays']:,} stays, {sizes['located']:,} events placed)  peak memory "
        f"{peak_mb():,.0f} MB"
    )
    say(
        f"danso ÷ DuckDB, {root.name}, {year} (danso: cache.recompute after the generation; "
        f"DuckDB: counting its loaded tables):"
    )
    say(f"  {'':<38}{'danso recompute':>16}{'DuckDB count':>14}{'ratio':>9}")
    for label, ours_s, duck_s in (
        (f"all {len(rows)} periods of {year}", recompute["full"], count_all),
        (f"the year period {year} alone", recompute["year"], count_year),
    ):
        say(f"  {label:<38}{ours_s:>14.2f} s{duck_s:>12.2f} s{ours_s / duck_s:>8.1f} ×")
    say(
        f"  {f'all {len(rows)} periods, DuckDB load + count':<38}{recompute['full']:>14.2f} s"
        f"{load + count_all:>12.2f} s{recompute['full'] / (load + count_all):>8.1f} ×"
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
    if differences:
        say(
            f"  agreement: {compared - len(differences):,} of {compared:,} counts equal over "
            f"{len(rows)} periods; {len(differences):,} differ:"
        )
        for difference in differences:
            say(f"    {difference}")
    else:
        say(
            f"  agreement: every count agrees: {compared:,} of {compared:,} counts equal over "
            f"{len(rows)} periods (0 differ)"
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
        default=0.1,
        help="households of every commune, 1.0 = full size (Hà Nội ≈ 8.5 million persons); "
        "default 0.1",
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
    parser.add_argument(
        "--sqlite-path",
        metavar="PATH",
        help="the SQLite database file (new or empty; deleted at the end unless --keep; "
        "default: one in a temporary folder)",
    )
    postgres = parser.add_mutually_exclusive_group()
    postgres.add_argument(
        "--postgres-url",
        metavar="URL",
        help="the PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/NAME (created "
        "if missing, else it must be empty; dropped at the end unless --keep; created and "
        "dropped through the server's 'postgres' database)",
    )
    postgres.add_argument(
        "--database-name",
        metavar="NAME",
        help="the PostgreSQL database's name on the server of $BENCH_POSTGRES "
        f"(default: bench_indicators_<pid> on {POSTGRES_ADMIN})",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases after the run (and say where)"
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
        on_sqlite(args.sqlite_path, args.keep, forwarded)
    if args.database in ("all", "postgresql"):
        try:
            target = postgres_target(args.postgres_url, args.database_name)
        except ValueError as error:
            say(f"\n== PostgreSQL: skipped ({error})")
            return
        on_postgres(target, args.keep, forwarded)


def measure_in_child(url: str, label: str, forwarded: Iterable[str]) -> None:
    """Measure the database at ``url`` in a new process (this script, ``--one``)."""
    subprocess.run(  # noqa: S603 - this script, with arguments it chose itself
        [sys.executable, __file__, "--one", url, "--label", label, *forwarded], check=True
    )


def on_sqlite(path: str | None, keep: bool, forwarded: Iterable[str]) -> None:
    """Measure SQLite in the file ``path`` (new or empty), or in a temporary folder's;
    the file is deleted at the end unless ``keep``."""
    folder: Path | None = None
    if path is None:
        folder = Path(tempfile.mkdtemp(prefix="bench_indicators_"))
        file = folder / "bench.sqlite3"
    else:
        file = Path(path).expanduser().resolve()
        if file.exists() and file.stat().st_size:
            say(
                f"\n== SQLite: skipped ({file} exists and is not empty: a run loads the "
                f"reference data and generates a register into a new database)"
            )
            return
        file.parent.mkdir(parents=True, exist_ok=True)
    try:
        measure_in_child(f"sqlite:///{file}", f"SQLite (WAL), {file}", forwarded)
    finally:
        if keep:
            say(f"SQLite database kept (--keep): {file}")
        else:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{file}{suffix}").unlink(missing_ok=True)
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class PostgresTarget:
    """The bench's PostgreSQL database: its URL and name, and the URL of the server's
    maintenance database, where it is created and dropped."""

    url: str
    name: str
    admin: str


def with_database(url: str, name: str) -> str:
    """``url`` naming the database ``name`` instead (user, host, port, options kept)."""
    return urlunsplit(urlsplit(url)._replace(path="/" + quote(name)))


def postgres_target(url: str | None, name: str | None) -> PostgresTarget:
    """The database of ``--postgres-url`` (``url``), else ``--database-name`` (``name``)
    on the server of ``BENCH_POSTGRES``, else a new name on that server."""
    if url is None:
        url = with_database(POSTGRES_ADMIN, name or f"bench_indicators_{os.getpid()}")
        admin = POSTGRES_ADMIN
    else:
        admin = with_database(url, "postgres")
    database = unquote(urlsplit(url).path.lstrip("/"))
    example = "e.g. postgres://postgres@127.0.0.1:5432/bench_indicators"
    if not database:
        raise ValueError(f"{url!r} names no database: give one, {example}")
    if database == unquote(urlsplit(admin).path.lstrip("/")):
        raise ValueError(
            f"{url!r} names the server's maintenance database {database!r}: the bench needs "
            f"a database of its own, {example}"
        )
    return PostgresTarget(url, database, admin)


def on_postgres(target: PostgresTarget, keep: bool, forwarded: Iterable[str]) -> None:
    """Measure PostgreSQL in ``target``'s database: created if missing, else used if
    empty; dropped at the end unless ``keep``."""
    try:
        import psycopg
        from psycopg import sql

        with psycopg.connect(target.admin, autocommit=True) as connection:
            version = connection.execute("SHOW server_version").fetchone()
            existed = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [target.name]
            ).fetchone()
            if not existed:
                connection.execute(
                    sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.name))
                )
        if existed:
            with psycopg.connect(target.url) as connection:
                found = connection.execute(
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema "
                    "NOT IN ('pg_catalog', 'information_schema')"
                ).fetchone()
            if found and found[0]:
                say(
                    f"\n== PostgreSQL: skipped (database {target.name} exists and holds "
                    f"{found[0]} tables: a run needs a new or an empty database)"
                )
                return
    except Exception as error:  # any failure means there is no server to measure
        say(f"\n== PostgreSQL: skipped ({error.__class__.__name__}: {error})")
        return
    try:
        label = f"PostgreSQL {version[0] if version else ''}, database {target.name}"
        measure_in_child(target.url, label, forwarded)
    finally:
        if keep:
            say(f"PostgreSQL database kept (--keep): {target.name}")
        else:
            try:
                with psycopg.connect(target.admin, autocommit=True) as connection:
                    connection.execute(
                        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                            sql.Identifier(target.name)
                        )
                    )
            except Exception as error:  # report, the measures are printed already
                say(f"PostgreSQL database {target.name} not dropped: {error}")


if __name__ == "__main__":
    main()
