"""Planner statistics of the register's tables, refreshed after bulk writes.

A database plans a query from what it knows of its tables' sizes and value spreads.
Neither SQLite nor PostgreSQL learns them from a bulk insert: SQLite only on ``ANALYZE``,
PostgreSQL on ``ANALYZE`` or when autovacuum gets round to it, which after a large
import may be minutes later or, where autovacuum is off, never.  Until then the
indicator engine's joins over stays and placements may be planned as if the tables were
empty (seen in ``bench/indicators_bench.py``: an export of a generated province that
took hours on PostgreSQL took minutes after ``ANALYZE``).  Generating a register and
importing a large book therefore end with ``analyze_register``.
"""

from __future__ import annotations

from django.db import connection

from danso.register.models import Event, Household, HouseholdPlacement, Membership, Person

#: An import smaller than this leaves the statistics to the database's own schedule.
BULK_ROWS = 10_000


def analyze_register() -> None:
    """Refresh the planner's statistics of the register's tables (a few seconds for a
    province's register; runs inside or outside a transaction on both databases)."""
    tables = [
        model._meta.db_table for model in (Person, Household, HouseholdPlacement, Membership, Event)
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
