"""Benchmark of the register's screens at full demo scale (issue 17).

Builds the demo as ``make run`` does (``danso setup --demo``, the register of Long Biên's
14 wards, about 307,000 persons; ``--scale`` for less) in a SQLite file in the temporary
folder (``--reuse`` keeps it between runs: building takes about three minutes), then
answers, as the demo's officers, through Django's whole request path:

- the household list of Phường Bồ Đề (about 40,000 households after 1/7/2025): first page,
  a middle page, the last page, one village, a head's name;
- the ward's event list, when the screen exists;
- the home page of the ward, district and city officers;
- Long Biên's dashboard, again and at the first request after a death saved in a ward.

Beside each figure, the reference: the same page's SQL statements alone, replayed on the
same connection (the database's share of the work, the floor a screen cannot go under
without fewer or cheaper statements).  Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SQLITE_FILE = Path(tempfile.gettempdir()) / "danso-screens-bench.sqlite3"
ON = "2025-12-31"
ROUNDS = 5


def run(scale: float, reuse: bool) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_FILE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danso.settings.local")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import NoReverseMatch, reverse

    from danso.accounts.models import User
    from danso.register.models import Household, Person
    from danso.units.codes import Level
    from danso.units.models import UnitVersion, valid_on

    if not (reuse and SQLITE_FILE.exists() and _persons(Person) > 0):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
        started = time.perf_counter()
        call_command("setup", demo=True, demo_scale=scale, verbosity=0)
        print(f"demo built in {time.perf_counter() - started:.0f} s")
    setup_test_environment()
    print(f"register: {Person.objects.count():,} persons, {Household.objects.count():,} households")

    day = date.fromisoformat(ON)
    ward = UnitVersion.objects.filter(
        valid_on(day), unit__level=Level.COMMUNE, name="Phường Bồ Đề"
    ).get()
    village = (
        UnitVersion.objects.filter(valid_on(day), parent_id=ward.unit_id).order_by("code").first()
    )
    assert village is not None
    head = Person.objects.filter(
        memberships__household__placements__unit_id=village.unit_id
    ).first()
    households = reverse("register:households", args=[ward.unit_id])
    pages = [
        ("Bồ Đề households, page 1", households, {}),
        ("Bồ Đề households, page 400", households, {"page": "400"}),
        ("Bồ Đề households, last page", households, {"page": "100000"}),
        ("Bồ Đề households, one village", households, {"village": str(village.unit_id)}),
        (
            "Bồ Đề households, a head's name",
            households,
            {"q": head.full_name if head else "Nguyễn"},
        ),
    ]
    try:
        events = reverse("register:unit_events", args=[ward.unit_id])
    except NoReverseMatch:
        print("(no ward event list to measure)")
    else:
        pages.append(("Bồ Đề events of December 2025", events, {}))
    officer = Client()
    officer.force_login(User.objects.get(username="bode"))
    readers = {"bode": officer}
    for name in ("longbien", "hanoi"):
        readers[name] = Client()
        readers[name].force_login(User.objects.get(username=name))
    home = reverse("home")
    measured = [("bode", *page) for page in pages] + [
        (name, f"home page of {name}", home, {}) for name in readers
    ]
    print(
        f"\n{'screen':<42} {'reader':<9} {'status':>6} {'queries':>7} "
        f"{'median ms':>10} {'max ms':>8} {'SQL alone ms':>13}"
    )
    for reader, label, url, params in measured:
        client = readers[reader]
        client.get(url, {"date": ON, **params})  # the session's date, and a warm connection
        times = []
        for _ in range(ROUNDS):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url, {"date": ON, **params})
                times.append((time.perf_counter() - started) * 1000)
        statements = [q["sql"] for q in captured.captured_queries]
        sql_alone = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            with connection.cursor() as cursor:
                for sql in statements:
                    if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                        cursor.execute(sql)
                        cursor.fetchall()
            sql_alone.append((time.perf_counter() - started) * 1000)
        print(
            f"{label:<42} {reader:<9} {response.status_code:>6} {len(statements):>7} "
            f"{statistics.median(times):>10.1f} {max(times):>8.1f} "
            f"{statistics.median(sql_alone):>13.1f}"
        )
    _after_events(readers)


def _after_events(readers: dict[str, Any]) -> None:
    """Long Biên's dashboard of 2025 (the district officer), opened again, then a death
    saved in one of its wards (through ``register.services``, as the event screen saves
    it) and the first request of the dashboard after it, which counts the changed village
    again (issue 15: under 500 ms)."""
    from django.db.models import Q
    from django.urls import reverse

    from danso.accounts.models import User
    from danso.register import services
    from danso.register.models import Membership, Person
    from danso.register.vocabulary import EventType
    from danso.units.models import UnitVersion, valid_on

    day = date(2025, 6, 20)
    district = UnitVersion.objects.get(valid_on(day), name="Quận Long Biên")
    url = reverse("indicators:unit", args=[district.unit_id])
    params = {"period": "2025", "date": day.isoformat()}
    client = readers["longbien"]
    client.get(url, params)
    again = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        client.get(url, params)
        again.append((time.perf_counter() - started) * 1000)
    alive = (
        Membership.objects.filter(valid_on(day), person__merged_into__isnull=True)
        .exclude(Q(person__events__event_date__gte=day))
        .values_list("person_id", flat=True)
        .distinct()
        .order_by("person_id")[:ROUNDS]
    )
    officer = User.objects.get(username="longbien")
    saved, after = [], []
    for person in Person.objects.filter(pk__in=list(alive)).order_by("pk"):
        started = time.perf_counter()
        services.event_record(
            person=person, data=services.EventInput(EventType.DEATH, day), user=officer
        )
        saved.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        response = client.get(url, params)
        after.append((time.perf_counter() - started) * 1000)
    print(
        f"\nLong Biên's dashboard of 2025 (longbien, status {response.status_code}): again "
        f"{statistics.median(again):.0f} ms median; a death saved {statistics.median(saved):.0f}"
        f" ms median, {max(saved):.0f} max; the first request after it "
        f"{statistics.median(after):.0f} ms median, {max(after):.0f} max ({len(after)} deaths)"
    )


def _persons(model: type) -> int:
    try:
        return int(model.objects.count())  # type: ignore[attr-defined]
    except Exception:  # no tables yet: the file is not a demo
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description="The register's screens at demo scale.")
    parser.add_argument("--scale", type=float, default=1.0, help="demo scale (1.0: full)")
    parser.add_argument("--reuse", action="store_true", help="keep and reuse the demo file")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run(args.scale, args.reuse)
        return
    print(
        f"danso screens benchmark · {platform.node()} · {os.cpu_count()} CPUs · Python "
        f"{platform.python_version()} · load average {os.getloadavg()[0]:.1f} "
        "(other work on the machine slows every figure) · SQLite, the embedded database"
    )
    options = ["--scale", str(args.scale)] + (["--reuse"] if args.reuse else [])
    subprocess.run(  # noqa: S603 - this script, with arguments it chose itself
        [sys.executable, __file__, "--one", *options], check=True
    )
    if not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
