"""SQL saying that a column is one of many values, with one parameter whatever their
number: a statement of thousands of placeholders costs more to build, bind and parse than
to run (8,027 leaves of Hà Nội bound one by one took longer than the query)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection


def in_values(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """SQL saying that ``column`` (quoted already) is one of ``values``, with a single
    parameter: ``= ANY(array)`` on PostgreSQL, a JSON array read by ``json_each`` on
    SQLite."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(values))]  # noqa: S608 - a column name of ours
