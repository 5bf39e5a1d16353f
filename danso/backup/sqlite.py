"""SQLite: copies through SQLite's online backup API, never through the file system.

danso runs SQLite in WAL mode: a committed transaction is first written to the
write-ahead log (``danso.sqlite3-wal``) and reaches the main file only at the next
checkpoint.  A plain copy of the main file while the server runs therefore misses the
last committed transactions (issue 12 lost four events that way), and a copy of both
files taken one after the other can be torn.  The backup API reads the database through
SQLite — log included — as one snapshot, while the server goes on writing.

Nothing here imports Django: paths in, counts and messages out.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from contextlib import closing, suppress
from pathlib import Path

#: The first 16 bytes of every SQLite database file.
MAGIC = b"SQLite format 3\x00"
#: Seconds to wait for a lock, as the server does (``database()`` in the settings).
TIMEOUT = 20.0


class SQLiteError(Exception):
    """A backup or restore that cannot go on; the message is for the operator."""


class InUse(SQLiteError):
    """Another process has the database open."""


def is_database(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(len(MAGIC)) == MAGIC


def _connect(
    path: Path, *, read_only: bool = False, timeout: float = TIMEOUT
) -> sqlite3.Connection:
    """A connection that leaves transactions to us (``isolation_level=None``)."""
    if read_only:
        return sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout, isolation_level=None
        )
    return sqlite3.connect(path, timeout=timeout, isolation_level=None)


def tables(connection: sqlite3.Connection) -> list[str]:
    """The database's tables, SQLite's own excepted."""
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [name for (name,) in rows]


def counts(connection: sqlite3.Connection, names: Iterable[str] | None = None) -> dict[str, int]:
    """Rows in each table (every table by default)."""
    found: dict[str, int] = {}
    for name in tables(connection) if names is None else names:
        quoted = '"' + name.replace('"', '""') + '"'
        (found[name],) = connection.execute(f"SELECT count(*) FROM {quoted}").fetchone()  # noqa: S608 - a table name read from sqlite_master, quoted
    return found


def _create_private(path: Path) -> None:
    """An empty file only its owner can read: backups hold personal data."""
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _copy(source: sqlite3.Connection, target: Path) -> None:
    """Copy ``source`` (in its current read transaction, if one is open) into the new
    file ``target``, as a self-contained file: no ``-wal`` beside it is needed."""
    _create_private(target)
    with closing(sqlite3.connect(target, isolation_level=None)) as copy:
        source.backup(copy)  # all pages in one step: one snapshot
        copy.execute("PRAGMA journal_mode=DELETE")


def snapshot(source: Path, targets: Iterable[Path]) -> dict[str, int]:
    """Copy the live database ``source`` into each of ``targets`` (new files), all from
    one snapshot, and count the rows of every table in that same snapshot.

    One read transaction covers the counts and the copies, so the counts describe the
    copies exactly even while the server commits new rows.  Readers do not block the
    writer in WAL mode; what is committed after the snapshot is in the next backup.
    """
    if not source.is_file():
        raise SQLiteError(f"{source}: no database there")
    with closing(_connect(source)) as connection:
        connection.execute("BEGIN")
        try:
            rows = counts(connection)  # the first read fixes the snapshot
            for target in targets:
                _copy(connection, target)
        finally:
            connection.execute("ROLLBACK")
    return rows


def integrity(path: Path) -> str:
    """``ok``, or SQLite's list of what is wrong with the database at ``path``."""
    try:
        with closing(_connect(path, read_only=True)) as connection:
            problems = [row for (row,) in connection.execute("PRAGMA integrity_check(20)")]
    except sqlite3.DatabaseError as error:
        return str(error)
    return "; ".join(problems)


def occupied(path: Path) -> dict[str, int]:
    """Rows in each table of the database at ``path``, making sure first that no other
    process has it open (InUse otherwise); nothing if there is no file.

    In WAL mode every open connection holds a shared lock on the database file for as
    long as it is open, so an exclusive lock is refused while a server process (even an
    idle one) or a ``danso`` command has it open.
    """
    if not path.exists():
        return {}
    with closing(_exclusive(path)) as connection:
        return counts(connection)


def _exclusive(path: Path) -> sqlite3.Connection:
    connection = _connect(path, timeout=1.0)
    try:
        connection.execute("PRAGMA locking_mode=EXCLUSIVE")
        connection.execute("BEGIN EXCLUSIVE")
        connection.execute("COMMIT")
    except sqlite3.OperationalError as error:
        connection.close()
        raise InUse(
            f"{path} is open in another process (is danso's server running? stop it first)"
        ) from error
    return connection


def _release(path: Path) -> None:
    """Write the old database's log back into it and remove the log, holding it alone:
    an old ``-wal`` left beside the new file would be applied to it."""
    with closing(_exclusive(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        log = path.with_name(path.name + suffix)
        if log.exists():
            if suffix == "-wal" and log.stat().st_size:
                raise InUse(f"{log} is still being written (is danso's server running?)")
            log.unlink()


def install(backup: Path, target: Path) -> None:
    """Replace the database at ``target`` (if any) by a copy of ``backup``, atomically.

    The copy is made beside ``target`` through the backup API, checked, switched to WAL
    mode and only then renamed over ``target``: a failure at any step leaves ``target``
    as it was.  The new file keeps the old one's owner and permissions when it can.
    Refuses (InUse) while another process has ``target`` open.
    """
    if target.exists():
        _exclusive(target).close()  # fail before the copy, not after it
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.restoring-{os.getpid()}")
    staging.unlink(missing_ok=True)
    try:
        with closing(_connect(backup, read_only=True)) as source:
            _copy(source, staging)
        verdict = integrity(staging)
        if verdict != "ok":
            raise SQLiteError(f"{backup}: the copy fails SQLite's integrity check: {verdict}")
        with closing(_connect(staging)) as copy:
            copy.execute("PRAGMA journal_mode=WAL")
        _sync(staging)
        if target.exists():
            _keep_owner(target, staging)
            _release(target)
        os.replace(staging, target)
        _sync(target.parent)
    finally:
        staging.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm", "-journal"):
            staging.with_name(staging.name + suffix).unlink(missing_ok=True)


def _keep_owner(old: Path, new: Path) -> None:
    status = old.stat()
    os.chmod(new, status.st_mode & 0o777)
    with suppress(PermissionError):  # only root can give a file away
        os.chown(new, status.st_uid, status.st_gid)


def _sync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
