"""Bulk inserts of many rows of one model with their history rows, on SQLite or
PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import DateField, DateTimeField, Field, JSONField, Model


class BulkWriter:
    """Inserts many rows of one model, with their history rows ("+", by the user, with
    the import as the reason), on SQLite or PostgreSQL.

    ``bulk_create`` spends some ten microseconds per value compiling its statements, an
    hour for a district; this prepares one statement and sends plain tuples
    (``executemany`` on SQLite, ``COPY`` on PostgreSQL).  Ids are reserved beforehand
    (the write transaction holds SQLite's lock; PostgreSQL hands them out from the
    table's sequence) so that the rows can be referred to and their history written.
    """

    def __init__(self, model: type[Model], *, now: datetime, user: Any, reason: str) -> None:
        self.ops = connection.ops
        self.sqlite = connection.vendor == "sqlite"
        if connection.vendor not in ("sqlite", "postgresql"):
            raise NotImplementedError(f"bulk import on {connection.vendor}")
        meta = model._meta
        self.table = meta.db_table
        pk_column = str(meta.pk.column if meta.pk else "id")
        self.fields: list[Field[Any, Any]] = [f for f in meta.concrete_fields if not f.primary_key]
        stamp = self.ops.adapt_datetimefield_value(now)
        self.defaults: list[Any] = []
        self.convert: list[Callable[[Any], Any] | None] = []
        for f in self.fields:
            if isinstance(f, DateTimeField):
                self.defaults.append(stamp)  # created_at, updated_at
                self.convert.append(None)
                continue
            default = f.get_default() if f.has_default() else None
            if self.sqlite and isinstance(f, JSONField):
                self.convert.append(self.json_adapter(f))
            elif self.sqlite and isinstance(f, DateField):
                self.convert.append(self.ops.adapt_datefield_value)
            else:
                self.convert.append(None)  # PostgreSQL: written as COPY text by copy_text
            self.defaults.append(default)
        self.names = [f.attname for f in self.fields]
        self.history: tuple[str, list[int | None], tuple[Any, ...]] | None = None
        history = getattr(model, "history", None)
        if history is not None:
            own = {str(f.column): n for n, f in enumerate(self.fields)}
            historical = history.model._meta
            columns = [str(f.column) for f in historical.concrete_fields]
            columns.remove("history_id")
            extra_columns = (
                "history_date",
                "history_change_reason",
                "history_type",
                "history_user_id",
            )
            picks: list[int | None] = [
                -1 if c == pk_column else own.get(c) for c in columns if c not in extra_columns
            ]
            constants = (stamp, reason, "+", getattr(user, "pk", None))
            self.history = (
                self.insert_sql(
                    historical.db_table,
                    [c for c in columns if c not in extra_columns] + list(extra_columns),
                ),
                picks,
                constants,
            )
        self.sql = self.insert_sql(self.table, [pk_column, *(str(f.column) for f in self.fields)])
        self.next_id = 0

    def json_adapter(self, f: JSONField[Any, Any]) -> Callable[[Any], Any]:
        """How a JSON field's values are written on SQLite (empty ones as ``{}``)."""
        empty = f.get_db_prep_save({}, connection)

        def adapt(value: Any) -> Any:
            return empty if not value else f.get_db_prep_save(value, connection)

        return adapt

    def insert_sql(self, table: str, columns: Sequence[str]) -> str:
        quoted = ", ".join(self.ops.quote_name(c) for c in columns)
        if self.sqlite:
            marks = ", ".join(["%s"] * len(columns))
            return f"INSERT INTO {self.ops.quote_name(table)} ({quoted}) VALUES ({marks})"  # noqa: S608 - our table's names, quoted
        return f"COPY {self.ops.quote_name(table)} ({quoted}) FROM STDIN"

    def reserve_ids(self, count: int) -> list[int]:
        """The ids of the next ``count`` rows, reserved before they are inserted."""
        with connection.cursor() as cursor:
            if self.sqlite:
                if not self.next_id:
                    cursor.execute(
                        f"SELECT MAX(id) FROM {self.ops.quote_name(self.table)}"  # noqa: S608 - a table name of ours
                    )
                    top = cursor.fetchone()[0] or 0
                    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
                    found = cursor.fetchone()
                    self.next_id = max(top, found[0] if found else 0) + 1
                first, self.next_id = self.next_id, self.next_id + count
                return list(range(first, first + count))
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [self.table, count],
            )
            return [row[0] for row in cursor.fetchall()]

    def write(self, rows: Iterable[dict[str, Any]]) -> list[int]:
        """Insert ``rows`` (attname -> value; the others take their defaults); their ids."""
        values: list[tuple[Any, ...]] = []
        pairs = list(zip(self.names, self.defaults, self.convert, strict=True))
        for row in rows:
            cells = []
            for name, default, convert in pairs:
                value = row.get(name, default)
                cells.append(value if convert is None or value is None else convert(value))
            values.append(tuple(cells))
        if not values:
            return []
        ids = self.reserve_ids(len(values))
        values = [(pk, *cells) for pk, cells in zip(ids, values, strict=True)]
        self.send_rows(self.sql, values)
        if self.history is not None:
            sql, picks, constants = self.history
            self.send_rows(
                sql,
                [
                    tuple(v[0] if p == -1 else None if p is None else v[p + 1] for p in picks)
                    + constants
                    for v in values
                ],
            )
        return ids

    def send_rows(self, sql: str, values: list[tuple[Any, ...]]) -> None:
        """Run ``sql`` for each row of ``values`` (``executemany``, or one ``COPY``)."""
        with connection.cursor() as cursor:
            if self.sqlite:
                cursor.executemany(sql, values)
                return
            # One block of COPY text: psycopg's write_row adapts value by value, slower.
            text = "".join("\t".join(map(copy_text, row)) + "\n" for row in values)
            with cursor.cursor.copy(sql) as copy:
                copy.write(text)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: Any) -> str:
    """A value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, date):  # dates, and aware datetimes
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False).translate(_COPY_ESCAPES)
    return str(value)
