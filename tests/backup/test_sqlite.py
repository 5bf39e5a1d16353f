"""``danso.backup.sqlite`` on small database files, with connections held in this
process standing for the server's."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from danso.backup import sqlite


def wal_database(path: Path, rows: int) -> sqlite3.Connection:
    """A database in WAL mode holding ``rows`` rows, written back into the main file;
    the connection is left open, as the server leaves its own."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE event (id INTEGER PRIMARY KEY, note TEXT)")
    connection.execute("BEGIN")
    connection.executemany("INSERT INTO event (note) VALUES (?)", [("old",)] * rows)
    connection.execute("COMMIT")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return connection


def events(path: Path) -> int:
    with closing(sqlite3.connect(path)) as connection:
        (n,) = connection.execute("SELECT count(*) FROM event").fetchone()
        return int(n)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """A database of 10 events, then 4 more committed that are still only in the log."""
    connection = wal_database(tmp_path / "danso.sqlite3", 10)
    for _ in range(4):
        connection.execute("INSERT INTO event (note) VALUES ('new')")  # each one committed
    yield connection
    connection.close()


def test_a_file_copy_misses_what_is_still_in_the_log(
    server: sqlite3.Connection, tmp_path: Path
) -> None:
    # given 4 committed events still in danso.sqlite3-wal
    # when the file is copied
    shutil.copyfile(tmp_path / "danso.sqlite3", tmp_path / "cp.sqlite3")
    # then the copy misses them
    assert events(tmp_path / "danso.sqlite3") == 14
    assert events(tmp_path / "cp.sqlite3") == 10


def test_snapshot_copies_the_log_too_and_counts_what_it_copies(
    server: sqlite3.Connection, tmp_path: Path
) -> None:
    # given 4 committed events still in the log, the server's connection open
    # when a snapshot is copied into two files
    counts = sqlite.snapshot(tmp_path / "danso.sqlite3", [tmp_path / "a", tmp_path / "b"])
    # then both copies hold every committed event, as the counts say
    assert counts == {"event": 14}
    assert events(tmp_path / "a") == events(tmp_path / "b") == 14
    # self-contained files, in the rollback-journal mode, readable by their owner only
    assert not (tmp_path / "a-wal").exists()
    assert (tmp_path / "a").stat().st_mode & 0o777 == 0o600
    assert sqlite.integrity(tmp_path / "a") == "ok"


def test_snapshot_refuses_a_missing_database_and_an_existing_target(tmp_path: Path) -> None:
    with pytest.raises(sqlite.SQLiteError, match="no database"):
        sqlite.snapshot(tmp_path / "none.sqlite3", [tmp_path / "a"])
    wal_database(tmp_path / "danso.sqlite3", 1).close()
    (tmp_path / "a").write_text("mine")
    with pytest.raises(FileExistsError):
        sqlite.snapshot(tmp_path / "danso.sqlite3", [tmp_path / "a"])
    assert (tmp_path / "a").read_text() == "mine"


def test_occupied_refuses_while_another_connection_is_open(
    server: sqlite3.Connection, tmp_path: Path
) -> None:
    # given the server's connection open (idle, not in a transaction)
    # then the database is in use
    with pytest.raises(sqlite.InUse, match="stop it first"):
        sqlite.occupied(tmp_path / "danso.sqlite3")
    # when the server stops, then its rows are counted; no file, nothing
    server.close()
    assert sqlite.occupied(tmp_path / "danso.sqlite3") == {"event": 14}
    assert sqlite.occupied(tmp_path / "nothing.sqlite3") == {}


def test_install_replaces_the_database_and_its_stale_log(tmp_path: Path) -> None:
    # given a backup of 3 events and a live database of 7 whose server stopped
    wal_database(tmp_path / "backup.sqlite3", 3).close()
    live = tmp_path / "data" / "danso.sqlite3"
    live.parent.mkdir()
    wal_database(live, 7).close()
    live.chmod(0o640)
    # when the backup is installed
    sqlite.install(tmp_path / "backup.sqlite3", live)
    # then the live database holds the backup's rows, in WAL mode, with its old permissions,
    # and nothing is left beside it
    assert events(live) == 3
    with closing(sqlite3.connect(live)) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert live.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in live.parent.iterdir() if "-" not in p.name) == ["danso.sqlite3"]


def test_install_into_a_new_folder(tmp_path: Path) -> None:
    wal_database(tmp_path / "backup.sqlite3", 3).close()
    sqlite.install(tmp_path / "backup.sqlite3", tmp_path / "new" / "danso.sqlite3")
    assert events(tmp_path / "new" / "danso.sqlite3") == 3


def test_install_leaves_the_database_as_it_was_when_the_backup_is_damaged(tmp_path: Path) -> None:
    # given a backup whose pages were damaged after it was written
    backup = tmp_path / "backup.sqlite3"
    with closing(wal_database(backup, 2000)) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")  # as danso backup leaves it
    data = bytearray(backup.read_bytes())
    data[5000:9000] = b"\xff" * 4000
    backup.write_bytes(bytes(data))
    live = tmp_path / "danso.sqlite3"
    wal_database(live, 7).close()
    # when it is installed, then it is refused and the database is untouched
    with pytest.raises(sqlite.SQLiteError):
        sqlite.install(backup, live)
    assert events(live) == 7
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.sqlite3", "danso.sqlite3"]


def test_install_refuses_while_the_server_has_the_database_open(
    server: sqlite3.Connection, tmp_path: Path
) -> None:
    wal_database(tmp_path / "backup.sqlite3", 3).close()
    with pytest.raises(sqlite.InUse):
        sqlite.install(tmp_path / "backup.sqlite3", tmp_path / "danso.sqlite3")
    assert events(tmp_path / "danso.sqlite3") == 14
