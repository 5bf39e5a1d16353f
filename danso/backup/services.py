"""Backup, restore and their verification, on the configured database.

- ``backup_create``: a consistent copy while the server writes.  SQLite: the online
  backup API from the live file (the write-ahead log included), then SQLite's integrity
  check of the copy.  PostgreSQL: ``pg_dump -Fc`` in a snapshot exported by a
  transaction that also counts the rows, then ``pg_restore --list`` of the archive.
  Either way the row counts printed are those of the data copied, to the row.
- ``backup_restore``: the configured database replaced by a backup, refusing one that
  holds data unless told, then the migrations it lacks applied.
- ``backup_verify``: the backup restored into a scratch database, compared with the
  source as it stood at the snapshot: rows of every table, and the indicator engine's
  figures for a few units and periods.

See ``docs/backup.md``.
"""

from __future__ import annotations

import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from danso.backup import postgresql, sqlite
from danso.backup.inspection import (
    InspectionError,
    figures_wanted,
    inspect_elsewhere,
    main_rows,
    migrations_apply,
    rows_held,
    table_counts,
)
from danso.backup.postgresql import PostgreSQLError
from danso.backup.sqlite import SQLiteError

Kind = Literal["sqlite", "postgresql"]
EXTENSIONS: dict[Kind, str] = {"sqlite": "sqlite3", "postgresql": "dump"}
LABELS: dict[Kind, str] = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(Exception):
    """A backup, restore or verification that failed; the message is for the operator."""


#: Every error of this package an operator should see as a message, not a traceback.
FAILURES = (BackupError, SQLiteError, PostgreSQLError, InspectionError)


@dataclass
class Verification:
    """A backup restored into a scratch database and compared with its source."""

    tables_compared: int
    figures_compared: int
    migrations_applied: list[str]
    differences: list[dict[str, Any]]
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "identical": not self.differences,
            "tables_compared": self.tables_compared,
            "figures_compared": self.figures_compared,
            "migrations_applied": self.migrations_applied,
            "differences": self.differences,
            "seconds": round(self.seconds, 2),
        }


@dataclass
class Backup:
    file: Path
    kind: Kind
    size: int
    seconds: float
    taken_at: datetime
    integrity: str
    tables: dict[str, int] = field(repr=False)
    verification: Verification | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.file),
            "kind": self.kind,
            "bytes": self.size,
            "seconds": round(self.seconds, 2),
            "taken_at": timezone.localtime(self.taken_at).isoformat(timespec="seconds"),
            "integrity": self.integrity,
            "tables": len(self.tables),
            "rows": main_rows(self.tables),
            "verification": self.verification.as_dict() if self.verification else None,
        }


@dataclass
class Restore:
    file: Path
    kind: Kind
    database: str
    replaced_rows: int
    seconds: float
    migrations_applied: list[str]
    migrations_unknown: list[str]
    tables: dict[str, int] = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.file),
            "kind": self.kind,
            "database": self.database,
            "replaced_rows": self.replaced_rows,
            "seconds": round(self.seconds, 2),
            "migrations_applied": self.migrations_applied,
            "migrations_unknown": self.migrations_unknown,
            "tables": len(self.tables),
            "rows": main_rows(self.tables),
        }


def database_kind() -> Kind:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"danso backs up SQLite and PostgreSQL, not {vendor}")
    return "sqlite" if vendor == "sqlite" else "postgresql"


def file_kind(path: Path) -> Kind | None:
    """What the backup at ``path`` is a copy of, from its first bytes."""
    if sqlite.is_database(path):
        return "sqlite"
    if postgresql.is_archive(path):
        return "postgresql"
    return None


def default_output(kind: Kind, at: datetime) -> Path:
    """``var/backups/danso-YYYYMMDD-HHMMSS.sqlite3`` (or ``.dump``), in local time."""
    stamp = timezone.localtime(at).strftime("%Y%m%d-%H%M%S")
    return Path(settings.DATA_DIR) / "backups" / f"danso-{stamp}.{EXTENSIONS[kind]}"


def _sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"]).absolute()


def _database() -> dict[str, Any]:
    return dict(settings.DATABASES["default"])


# ---------------------------------------------------------------- backup


def backup_create(output: Path | None = None, *, verify: bool = False) -> Backup:
    """Copy the configured database into the new file ``output`` (by default under
    ``DATA_DIR/backups``), readable by its owner only; with ``verify``, restore the copy
    into a scratch database and compare (``Backup.verification``)."""
    kind = database_kind()
    taken_at = timezone.now()
    if output is None:
        output = default_output(kind, taken_at)
        output.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    output = output.absolute()
    if output.exists():
        raise BackupError(f"{output} exists: name another file with --output")
    if not output.parent.is_dir():
        raise BackupError(f"{output.parent}: no such folder")
    partial = output.with_name(output.name + ".partial")
    partial.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="danso-verify-") as scratch:
        try:
            if kind == "sqlite":
                backup = _backup_sqlite(
                    partial, output, taken_at, Path(scratch) if verify else None
                )
            else:
                backup = _backup_postgresql(partial, output, taken_at, verify=verify)
        except FAILURES as error:
            if output.exists():  # the copy was made; its verification failed
                raise BackupError(f"{output} was written, but not verified: {error}") from error
            raise
        finally:
            partial.unlink(missing_ok=True)
    return backup


def _backup_sqlite(partial: Path, output: Path, taken_at: datetime, scratch: Path | None) -> Backup:
    source = _sqlite_path()
    if output == source:
        raise BackupError(f"{output} is the database itself")
    started = time.perf_counter()
    # To verify, the source as it stood at the backup's snapshot is copied a second time
    # in the same read transaction: the figures of the source are computed on that twin
    # (the live file cannot take the engine's cache rows), never on the backup file.
    twin = scratch / "source.sqlite3" if scratch else None
    counts = sqlite.snapshot(source, [partial] if twin is None else [partial, twin])
    verdict = sqlite.integrity(partial)
    if verdict != "ok":
        raise BackupError(f"the copy fails SQLite's integrity check: {verdict}")
    os.replace(partial, output)
    seconds = time.perf_counter() - started
    backup = Backup(output, "sqlite", output.stat().st_size, seconds, taken_at, verdict, counts)
    if scratch is not None and twin is not None:
        started = time.perf_counter()
        wanted = figures_wanted()
        restored = scratch / "restored.sqlite3"
        sqlite.install(output, restored)
        with ThreadPoolExecutor(max_workers=2) as pool:  # two processes at once
            source_future = pool.submit(inspect_elsewhere, _sqlite_env(twin), wanted=wanted)
            copy_future = pool.submit(
                inspect_elsewhere, _sqlite_env(restored), migrate=True, tables=True, wanted=wanted
            )
            source_side, copy_side = source_future.result(), copy_future.result()
        backup.verification = _compare(counts, source_side, copy_side, wanted, started)
    return backup


def _sqlite_env(path: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}


def _postgresql_env(name: str) -> dict[str, str]:
    """For a child process: the database ``name`` on the configured server, the
    connection in libpq's variables (no password in a URL or a command line)."""
    env = postgresql.environment(_database(), name=name)
    env["DATABASE_URL"] = "postgresql:///" + quote(name, safe="")
    return env


def _backup_postgresql(partial: Path, output: Path, taken_at: datetime, *, verify: bool) -> Backup:
    database = _database()
    env = postgresql.environment(database)
    wanted = figures_wanted() if verify else []
    source_side: dict[str, Any] = {}
    started = verify_started = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
        counts = table_counts()
        postgresql.dump(partial, env, snapshot=snapshot)
        postgresql.archive_tables(partial, env)  # reads the whole table of contents
        os.replace(partial, output)
        seconds = time.perf_counter() - started
        if verify:  # the source's figures, while its snapshot is still open
            verify_started = time.perf_counter()
            source_side = inspect_elsewhere(
                _postgresql_env(str(database["NAME"])), wanted=wanted, snapshot=snapshot
            )
    backup = Backup(output, "postgresql", output.stat().st_size, seconds, taken_at, "ok", counts)
    if verify:
        scratch = f"danso_verify_{os.getpid()}_{int(time.time())}"
        _create_database(scratch)
        try:
            postgresql.restore(output, postgresql.environment(database, name=scratch))
            copy_side = inspect_elsewhere(
                _postgresql_env(scratch), migrate=True, tables=True, wanted=wanted
            )
        finally:
            _drop_database(scratch)
        backup.verification = _compare(counts, source_side, copy_side, wanted, verify_started)
    return backup


def _create_database(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = "
            "current_database()"
        )
        (encoding,) = cursor.fetchone()
        if not encoding.replace("_", "").isalnum():
            raise BackupError(f"unexpected database encoding {encoding!r}")
        try:
            cursor.execute(
                f"CREATE DATABASE {connection.ops.quote_name(name)} TEMPLATE template0 "
                f"ENCODING '{encoding}'"
            )
        except DatabaseError as error:
            raise BackupError(
                f"could not create a scratch database to restore into ({error}); --verify "
                "needs the right to create databases (ALTER ROLE … CREATEDB)"
            ) from error


def _drop_database(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)} WITH (FORCE)")


def _compare(
    counts: dict[str, int],
    source: dict[str, Any],
    copy: dict[str, Any],
    wanted: list[dict[str, str]],
    started: float,
) -> Verification:
    differences: list[dict[str, Any]] = []
    restored: dict[str, int] = copy["tables"]
    for table in sorted(set(counts) | set(restored)):
        if counts.get(table) != restored.get(table):
            differences.append(
                {"table": table, "source": counts.get(table), "copy": restored.get(table)}
            )
    for one, here, there in zip(wanted, source["figures"], copy["figures"], strict=True):
        if "error" in here or "error" in there:  # nothing compared is no proof
            differences.append(
                {**one, "source_error": here.get("error"), "copy_error": there.get("error")}
            )
        elif here != there:
            differences.append({**one, "indicators": _indicators_apart(here, there)})
    return Verification(
        tables_compared=len(set(counts) | set(restored)),
        figures_compared=len(wanted),
        migrations_applied=copy["migrations_applied"],
        differences=differences,
        seconds=time.perf_counter() - started,
    )


def _indicators_apart(one: Any, other: Any) -> list[str]:
    """The indicators whose values differ between two outputs of ``indicators compute``
    (``["*"]`` when the outputs differ otherwise, or one is an error)."""
    try:
        here = {value["indicator"]: value for value in one["values"]}
        there = {value["indicator"]: value for value in other["values"]}
    except (KeyError, TypeError):
        return ["*"]
    apart = sorted(code for code in set(here) | set(there) if here.get(code) != there.get(code))
    return apart or ["*"]


# ---------------------------------------------------------------- restore


def backup_restore(path: Path, *, replace: bool = False) -> Restore:
    """Replace the configured database by the backup at ``path``: refuses while the
    database holds data unless ``replace``, and while another process has it open
    (SQLite) or is connected to it (PostgreSQL); then applies the migrations the backup
    lacks."""
    path = path.absolute()
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    kind = database_kind()
    found = file_kind(path)
    if found is None:
        raise BackupError(
            f"{path} is not a danso backup (neither an SQLite database nor a pg_dump archive)"
        )
    if found != kind:
        raise BackupError(
            f"{path} is a backup of a {LABELS[found]} database; the configured database is "
            f"{LABELS[kind]} (DATABASE_URL)"
        )
    started = time.perf_counter()
    if kind == "sqlite":
        target, replaced = _restore_sqlite(path, replace=replace)
    else:
        target, replaced = _restore_postgresql(path, replace=replace)
    applied, unknown = migrations_apply()
    return Restore(
        file=path,
        kind=kind,
        database=target,
        replaced_rows=replaced,
        seconds=time.perf_counter() - started,
        migrations_applied=applied,
        migrations_unknown=unknown,
        tables=table_counts(),
    )


def _refuse_unless(replace: bool, held: int, where: str) -> None:
    if held and not replace:
        raise BackupError(
            f"{where} holds data ({held:,} rows): add --yes to replace it "
            "(take a backup of it first: danso backup)"
        )


def _restore_sqlite(path: Path, *, replace: bool) -> tuple[str, int]:
    target = _sqlite_path()
    if target == path:
        raise BackupError(f"{path} is the database itself")
    verdict = sqlite.integrity(path)
    if verdict != "ok":
        raise BackupError(f"{path} fails SQLite's integrity check: {verdict}")
    connections.close_all()  # this process lets go of the file before it is replaced
    held = rows_held(sqlite.occupied(target))
    _refuse_unless(replace, held, str(target))
    sqlite.install(path, target)
    return str(target), held


def _restore_postgresql(path: Path, *, replace: bool) -> tuple[str, int]:
    database = _database()
    name = str(database["NAME"])
    env = postgresql.environment(database)
    in_archive = postgresql.archive_tables(path, env)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        (others,) = cursor.fetchone()
    if others:
        raise BackupError(
            f"the database {name} has {others} other connection(s) "
            "(is danso's server running? stop it first)"
        )
    counts = table_counts()
    held = rows_held(counts)
    _refuse_unless(replace, held, f"the database {name}")
    extra = sorted(set(counts) - in_archive)
    if extra:
        raise BackupError(
            f"the database {name} has tables the backup lacks "
            f"({', '.join(extra[:5])}{'…' if len(extra) > 5 else ''}), which pg_restore would "
            "leave in place: restore into an empty database instead (dropdb, createdb); the "
            "restore then applies any newer migrations"
        )
    connections.close_all()
    postgresql.restore(path, env)
    return name, held
