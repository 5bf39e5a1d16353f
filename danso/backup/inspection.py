"""What is compared between a database and its copy, read through Django's connection.

- ``table_counts``: rows in every table;
- ``migrations_apply``: the migrations a restored copy lacks, applied;
- ``figures``: the indicator engine's output (``danso indicators compute --format json``)
  for a few units and periods, which ``figures_wanted`` chooses from the register.

A database other than the configured one is inspected in a child process with its own
``DATABASE_URL`` (``inspect_elsewhere``, which runs ``python -m danso.backup inspect``):
the engine reads Django's default connection.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Max

from danso.register.models import Event
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on


class InspectionError(Exception):
    """A child process could not inspect its database; the message is for the operator."""


#: The tables an operator compares at a glance (``danso backup`` and ``danso restore``
#: print their rows), by the name printed.
MAIN_TABLES = {
    "units": "units_unit",
    "unit_versions": "units_unitversion",
    "unit_changes": "units_unitchange",
    "users": "accounts_user",
    "role_assignments": "accounts_roleassignment",
    "population_figures": "population_populationfigure",
    "indicator_values": "indicators_indicatorvalue",
    "entered_figures": "indicators_enteredfigures",
    "plans": "plans_plan",
    "targets": "plans_target",
    "allocations": "plans_allocation",
    "households": "register_household",
    "persons": "register_person",
    "memberships": "register_membership",
    "events": "register_event",
    "collections": "register_collection",
    "amendments": "register_amendment",
    "access_logs": "register_accesslog",
    "projections": "projections_projection",
    "reports": "reports_report",
    "report_figures": "reports_reportfigure",
}

#: Tables that ``danso migrate`` fills by itself: a database holding rows only there
#: holds no data yet.
BOOKKEEPING = {"django_migrations", "django_content_type", "auth_permission"}


def main_rows(counts: Mapping[str, int]) -> dict[str, int | None]:
    """The rows of ``MAIN_TABLES`` among ``counts`` (None for a table missing)."""
    return {name: counts.get(table) for name, table in MAIN_TABLES.items()}


def rows_held(counts: Mapping[str, int]) -> int:
    """Rows outside the bookkeeping tables: 0 for an empty or only migrated database."""
    return sum(n for table, n in counts.items() if table not in BOOKKEEPING)


def table_counts() -> dict[str, int]:
    """Rows in every table of the default database, in the current transaction if any."""
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table.startswith("sqlite_"):  # SQLite's own (planner statistics)
                continue
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - a table name from the database itself, quoted
            (found[table],) = cursor.fetchone()
    return found


def migrations_apply() -> tuple[list[str], list[str]]:
    """Apply the migrations the database lacks (a backup from an older danso).  Returns
    those applied and those recorded in the database that this danso does not know (a
    backup from a newer danso, which this code may read wrongly)."""
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    plan = executor.migration_plan(graph.leaf_nodes())
    pending = [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
    if pending:
        call_command("migrate", interactive=False, verbosity=0)
    recorded = MigrationRecorder(connection).applied_migrations()
    unknown = sorted(f"{app}.{name}" for app, name in recorded if (app, name) not in graph.nodes)
    return pending, unknown


# ---------------------------------------------------------------- indicator figures


def figures_wanted() -> list[dict[str, str]]:
    """The units and periods whose figures are compared: for each of the register's last
    two years, the smallest unit holding all of that year's events and its province (the
    provinces, up to three, when the events span several); and that unit's last month.
    Nothing when the register is empty."""
    last = Event.objects.aggregate(last=Max("event_date"))["last"]
    if last is None:
        return []
    wanted: list[dict[str, str]] = []
    for year in (last.year, last.year - 1):
        paths = [
            [int(part) for part in path.strip(".").split(".") if part]
            for path in Event.objects.filter(event_date__year=year)
            .order_by()  # the events' ordering would make each row distinct
            .values_list("path", flat=True)
            .distinct()
        ]
        if not paths:
            continue
        common = paths[0]
        for path in paths[1:]:
            common = _common_prefix(common, path)
        if len(common) > 1:  # below the country: its province and the smallest unit
            units = [common[1], common[-1]]
        else:
            units = sorted({path[1] for path in paths if len(path) > 1})[:3]
        day = min(date(year, 12, 31), last)
        for unit_id in dict.fromkeys(units):
            found = _named(unit_id, day)
            if found is not None:
                wanted.append({"unit": found[0], "level": found[1], "period": str(year)})
        if year == last.year and wanted:
            wanted.append({**wanted[-1], "period": f"{last:%Y-%m}"})
    return wanted


def _common_prefix(one: list[int], other: list[int]) -> list[int]:
    length = 0
    while length < min(len(one), len(other)) and one[length] == other[length]:
        length += 1
    return one[:length]


def _named(unit_id: int, day: date) -> tuple[str, str] | None:
    """The code and level a unit had on ``day`` (or last had before it)."""
    version = (
        UnitVersion.objects.filter(unit_id=unit_id)
        .filter(valid_on(day))
        .select_related("unit")
        .first()
    ) or (
        UnitVersion.objects.filter(unit_id=unit_id, valid_from__lte=day)
        .select_related("unit")
        .order_by("-valid_from")
        .first()
    )
    if version is None or version.unit.level == Level.COUNTRY:
        return None
    return version.display_code, str(version.unit.level)


def figures(wanted: Iterable[Mapping[str, str]], *, snapshot: str | None = None) -> list[Any]:
    """``danso indicators compute … --format json`` for each of ``wanted``: the parsed
    output, or ``{"error": message}``.

    With ``snapshot`` (PostgreSQL, from ``pg_export_snapshot()`` in a transaction still
    open elsewhere), the figures are computed on exactly the data that transaction sees;
    what the engine caches meanwhile is rolled back.
    """
    if snapshot is None:
        return [_compute(one) for one in wanted]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
        found = [_compute(one) for one in wanted]
        transaction.set_rollback(True)
    return found


def _compute(one: Mapping[str, str]) -> Any:
    out = io.StringIO()
    try:
        with transaction.atomic():  # a failed query inside leaves the others working
            call_command(
                "indicators",
                "compute",
                "--unit",
                one["unit"],
                "--level",
                one["level"],
                "--period",
                one["period"],
                "--format",
                "json",
                stdout=out,
            )
    except CommandError as error:
        return {"error": str(error)}
    return json.loads(out.getvalue())


# ---------------------------------------------------------------- in a child process


def inspect(
    *, migrate: bool, tables: bool, wanted: list[dict[str, str]], snapshot: str | None
) -> dict[str, Any]:
    """What ``python -m danso.backup inspect`` prints: in this order, the migrations
    applied, the row counts (before the engine caches anything) and the figures."""
    applied, unknown = migrations_apply() if migrate else ([], [])
    return {
        "migrations_applied": applied,
        "migrations_unknown": unknown,
        "tables": table_counts() if tables else None,
        "figures": figures(wanted, snapshot=snapshot),
    }


def inspect_elsewhere(
    env: Mapping[str, str],
    *,
    migrate: bool = False,
    tables: bool = False,
    wanted: list[dict[str, str]],
    snapshot: str | None = None,
) -> dict[str, Any]:
    """``inspect`` the database that ``env``'s ``DATABASE_URL`` names, in a child process
    of this Python with this process's settings module."""
    command = [sys.executable, "-m", "danso.backup", "inspect", "--figures", json.dumps(wanted)]
    if migrate:
        command.append("--migrate")
    if tables:
        command.append("--tables")
    if snapshot:
        command.append(f"--snapshot={snapshot}")
    done = subprocess.run(  # noqa: S603 - this Python, fixed arguments, no shell
        command, env=dict(env), capture_output=True, text=True, check=False
    )
    if done.returncode:
        lines = done.stderr.strip().splitlines() or [f"exit code {done.returncode}"]
        raise InspectionError(f"inspecting {env.get('DATABASE_URL')} failed: {lines[-1]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result
