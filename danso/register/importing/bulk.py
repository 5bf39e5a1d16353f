"""Bulk inserts of many rows of one model with their history rows, on SQLite or
PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from operator import itemgetter
from typing import Any

from django.db import connection
from django.db.models import DateTimeField, Field, JSONField, Model


class BulkWriter:
    """Inserts many rows of one model, with their history rows ("+", by the user, with
    the import as the reason), on SQLite or PostgreSQL.

    ``bulk_create`` spends some ten microseconds per value compiling its statements, an
    hour for a district; this prepares one statement and sends plain tuples
    (``executemany`` on SQLite, a binary ``COPY`` on PostgreSQL, each value sent as its
    column's type without being written as text and parsed again).  Ids are reserved
    beforehand (the write transaction holds SQLite's lock; PostgreSQL hands them out from
    the table's sequence) so that the rows can be referred to; their history rows are
    then copied by the database from the rows written (``INSERT … SELECT``), not sent
    again.
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
        stamp: Any = self.ops.adapt_datetimefield_value(now) if self.sqlite else now
        self.defaults: list[Any] = []
        # (position, adapter) of the values SQLite needs adapted (JSON)
        self.convert: list[tuple[int, Callable[[Any], Any]]] = []
        for n, f in enumerate(self.fields):
            if isinstance(f, DateTimeField):
                self.defaults.append(stamp)  # created_at, updated_at
                continue
            default = f.get_default() if f.has_default() else None
            # (dates need nothing: Django gives sqlite3 its adapter of ``date`` values)
            if self.sqlite and isinstance(f, JSONField):
                self.convert.append((n, self.json_adapter(f)))
            self.defaults.append(default)
        self.names = [f.attname for f in self.fields]
        self.base = dict(zip(self.names, self.defaults, strict=True))
        self.pick = itemgetter(*self.names)
        types = {str(f.column): copy_type(f) for f in meta.concrete_fields}
        #: the statement copying the rows just written into the history table, and the
        #: values of its history columns (date, reason, "+", user)
        self.history: tuple[str, tuple[Any, ...]] | None = None
        history = getattr(model, "history", None)
        if history is not None:
            own = {str(f.column) for f in meta.concrete_fields}
            historical = history.model._meta
            columns = [str(f.column) for f in historical.concrete_fields]
            columns.remove("history_id")
            extra_columns = (
                "history_date",
                "history_change_reason",
                "history_type",
                "history_user_id",
            )
            copied = [c for c in columns if c not in extra_columns]
            quote = self.ops.quote_name
            picked = ", ".join(quote(c) if c in own else "NULL" for c in copied)
            chosen = (
                f"{quote(pk_column)} BETWEEN %s AND %s"
                if self.sqlite
                else f"{quote(pk_column)} = ANY(%s)"
            )
            self.history = (
                f"INSERT INTO {quote(historical.db_table)} "  # noqa: S608 - our tables' names, quoted
                f"({', '.join(quote(c) for c in [*copied, *extra_columns])}) "
                f"SELECT {picked}, %s, %s, %s, %s FROM {quote(self.table)} WHERE {chosen}",
                (stamp, reason, "+", getattr(user, "pk", None)),
            )
        ordered = [pk_column, *(str(f.column) for f in self.fields)]
        self.sql = self.insert_sql(self.table, ordered)
        self.types = [types[c] for c in ordered]
        self.next_id = 0
        #: on PostgreSQL, whether the table is this transaction's alone (None: not asked yet)
        self.alone: bool | None = None

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
        return f"COPY {self.ops.quote_name(table)} ({quoted}) FROM STDIN (FORMAT BINARY)"

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
            if self.alone is None:
                self.alone = self.held_alone(cursor)
            if not self.alone:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [self.table, count],
                )
                return [row[0] for row in cursor.fetchall()]
            # no one else can insert into the table until the import commits: the ids
            # are taken from its sequence in one step (a nextval a row took a second for
            # a district's events)
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                "nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                [self.table, self.table, count],
            )
            last = int(cursor.fetchone()[0])
            return list(range(last - count + 1, last + 1))

    def held_alone(self, cursor: Any) -> bool:
        """Whether this transaction holds the table alone on PostgreSQL (an import filling
        it from empty dropped its indexes: ``indexes_rebuilt``)."""
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = pg_backend_pid() "
            "AND relation = %s::regclass AND mode = 'AccessExclusiveLock' AND granted)",
            [self.ops.quote_name(self.table)],
        )
        return bool(cursor.fetchone()[0])

    def write(self, rows: Iterable[dict[str, Any]]) -> list[int]:
        """Insert ``rows`` (attname -> value; the others take their defaults); their ids."""
        base, pick = self.base, self.pick
        values: list[tuple[Any, ...]] = [pick({**base, **row}) for row in rows]
        if not values:
            return []
        if len(self.names) == 1:  # itemgetter of one name gives the value, not a tuple
            values = [(v,) for v in values]
        for n, convert in self.convert:  # a row's cells put together again around it
            values = [
                cells if cells[n] is None else (*cells[:n], convert(cells[n]), *cells[n + 1 :])
                for cells in values
            ]
        ids = self.reserve_ids(len(values))
        values = [(pk, *cells) for pk, cells in zip(ids, values, strict=True)]
        self.send_rows(self.sql, self.types, values)
        if self.history is not None:
            # the history rows copied by the database from the rows just written: the
            # same values, none of them sent again
            sql, constants = self.history
            chosen: list[Any] = [ids[0], ids[-1]] if self.sqlite else [ids]
            with connection.cursor() as cursor:
                cursor.execute(sql, [*constants, *chosen])
        return ids

    def send_rows(self, sql: str, types: list[str], values: list[tuple[Any, ...]]) -> None:
        """Run ``sql`` for each row of ``values`` (``executemany``, or one binary ``COPY``)."""
        with connection.cursor() as cursor:
            if self.sqlite:
                cursor.executemany(sql, values)
                return
            with cursor.cursor.copy(sql) as copy:
                copy.set_types(types)
                write_row = copy.write_row
                for row in values:
                    write_row(row)


_TYPE_NAMES = {"timestamp with time zone": "timestamptz", "timestamp": "timestamp"}


def copy_type(f: Field[Any, Any]) -> str:
    """The name of a field's PostgreSQL type as psycopg's binary COPY knows it."""
    db_type = str(f.db_type(connection) or "")
    if isinstance(f, JSONField):
        return "jsonb"
    name = re.sub(r"\(.*", "", db_type).strip()
    return _TYPE_NAMES.get(name, name)


def secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, statement creating it) of the indexes of ``table`` that back no constraint
    (no primary key, no unique column): those an insert may rebuild afterwards."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'",
                [table],
            )
        else:
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT x.indisunique "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)",
                [connection.ops.quote_name(table)],
            )
        return [(str(name), str(sql)) for name, sql in cursor.fetchall()]


def foreign_keys(table: str) -> list[tuple[str, str]]:
    """(name, definition) of the foreign keys of ``table`` on PostgreSQL (none on
    SQLite, whose checks cost nothing to speak of)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [connection.ops.quote_name(table)],
        )
        return [(str(name), str(definition)) for name, definition in cursor.fetchall()]


@contextmanager
def indexes_rebuilt(models: Iterable[type[Model]]) -> Iterator[None]:
    """Drop the secondary indexes of the tables of ``models`` (and of their history),
    and on PostgreSQL their foreign keys, and create them again at the end: inside the
    caller's transaction, so that a failure leaves them as they were.  Filling an empty
    table and indexing it once is about twice as fast as keeping a dozen indexes up to
    date row by row; a foreign key added to a filled table checks every row in one join,
    where kept it checks each row apart (three seconds of a district's import)."""
    tables: list[str] = []
    for model in models:
        tables.append(model._meta.db_table)
        history = getattr(model, "history", None)
        if history is not None:
            tables.append(history.model._meta.db_table)
    quote = connection.ops.quote_name
    dropped = [index for table in tables for index in secondary_indexes(table)]
    keys = [(table, key) for table in tables for key in foreign_keys(table)]
    with connection.cursor() as cursor:
        if keys:
            _check_pending(cursor)  # PostgreSQL alters no table with checks pending
        for table, (name, _definition) in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _sql in dropped:
            cursor.execute(f"DROP INDEX {quote(name)}")
    yield
    if not dropped and not keys:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _check_pending(cursor)
        for _name, sql in dropped:
            cursor.execute(sql)
        for table, (name, definition) in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")


def _check_pending(cursor: Any) -> None:
    """Run the foreign keys' deferred checks of the rows written so far now, not at the
    commit: PostgreSQL creates no index and alters no table with checks pending."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
