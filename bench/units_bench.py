"""Benchmark of the dated unit tree for the whole country (`make bench`).

Prints, for the embedded SQLite database and (when a server answers) PostgreSQL:
- the time to load the reference data (≈ 11,000 units per version, 3 versions);
- the time to build the whole tree (country → provinces → districts → communes) as of a
  date, for a date in each version;
- the latency of a unit search (diacritics ignored) and of resolving a code on a date.

Figures are printed, never asserted.  Each database runs in its own process, because
Django is configured once per process.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
DATES = [date(2024, 6, 30), date(2025, 3, 1), date(2025, 8, 1)]
POSTGRES_ADMIN = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")


def timed(action: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def run_one(url: str, label: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danso.settings.local")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from danso.units import selectors
    from danso.units.codes import Level
    from danso.units.imports import reference_load
    from danso.units.models import UnitVersion
    from danso.units.scope import UnitScope
    from danso.vietnamese import fold

    call_command("migrate", verbosity=0)
    seconds, result = timed(lambda: reference_load(settings.REFERENCE_MANIFEST))
    print(f"\n== {label}")
    print(
        f"reference load: {seconds:6.2f} s  ({result.units:,} units, {result.versions:,} "
        f"versions, {result.successions:,} successions)"
    )

    for day in DATES:
        scope = UnitScope.system(day)
        country = selectors.versions_on(day).get(unit__level=Level.COUNTRY)
        runs = []
        for _ in range(3):
            seconds, tree = timed(partial(selectors.subtree, country, scope, depth=None))
            runs.append(seconds)

        def count(node: selectors.TreeNode) -> int:
            return 1 + sum(count(child) for child in node.children)

        print(
            f"tree as of {day:%d/%m/%Y}: {min(runs) * 1000:7.1f} ms best of 3 "
            f"({count(tree):,} units)"
        )

    rng = random.Random(2025)
    names = list(UnitVersion.objects.values_list("name", flat=True))
    queries = []
    for name in rng.sample(names, 300):
        words = fold(name).split()[1:]  # drop "xa", "phuong", ...
        if words:
            queries.append(" ".join(words[: rng.randint(1, len(words))]))
    for day in (DATES[0], DATES[2]):
        scope = UnitScope.system(day)
        latencies = []
        for query in queries:
            seconds, _found = timed(partial(selectors.search_units, query, scope, limit=20))
            latencies.append(seconds * 1000)
        latencies.sort()
        print(
            f"search as of {day:%d/%m/%Y} ({len(queries)} queries): median "
            f"{statistics.median(latencies):5.1f} ms, p95 "
            f"{latencies[int(len(latencies) * 0.95)]:5.1f} ms, max {latencies[-1]:5.1f} ms"
        )
    codes = list(
        UnitVersion.objects.filter(unit__level=Level.COMMUNE).values_list("code", flat=True)
    )
    scope = UnitScope.system(DATES[0])
    latencies = []
    for code in rng.sample(codes, 300):
        started = time.perf_counter()
        # A code of another version of the tree is an answer too (it names its dates).
        with contextlib.suppress(selectors.UnitNotFound):
            selectors.resolve_code(Level.COMMUNE, code, scope)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    print(
        f"resolve a commune code: median {statistics.median(latencies):5.2f} ms, "
        f"p95 {latencies[int(len(latencies) * 0.95)]:5.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--label", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args.one, args.label)
        return
    print(
        f"danso unit benchmark · {platform.node()} · {platform.machine()} · "
        f"{os.cpu_count()} CPUs · Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        subprocess.run(  # noqa: S603 - this script, with arguments it chose itself
            [sys.executable, __file__, "--one", url, "--label", "SQLite (WAL)"], check=True
        )
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS danso_bench")
            connection.execute("CREATE DATABASE danso_bench")
            version = connection.execute("SHOW server_version").fetchone()
    except Exception as error:  # any failure means there is no server to measure
        print(f"\n== PostgreSQL: skipped ({error.__class__.__name__}: {error})")
        return
    url = POSTGRES_ADMIN.rsplit("/", 1)[0] + "/danso_bench"
    try:
        label = f"PostgreSQL {version[0] if version else ''}"
        subprocess.run(  # noqa: S603 - this script, with arguments it chose itself
            [sys.executable, __file__, "--one", url, "--label", label], check=True
        )
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS danso_bench")


if __name__ == "__main__":
    main()
