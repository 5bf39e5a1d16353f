"""``danso backup`` and ``danso restore`` on SQLite, run as an operator runs them, while
another process writes events as the server does (issue 12: ``cp`` of the database file
lost the last 4 committed events, which were still in the ``-wal`` file)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from tests.backup.conftest import (
    copy_database,
    danso,
    danso_json,
    row_counts,
    source_ids,
    sqlite_env,
)

#: The province's figures for the year of the events written (the verification compares
#: more units and periods).
FIGURES = ("indicators", "compute", "--unit", "01", "--level", "province", "--period", "2025")


def test_a_file_copy_misses_events_committed_into_the_log(
    live: Path, writer: Any, tmp_path: Path
) -> None:
    # given a server process that committed 4 events and keeps its connection open
    server = writer(sqlite_env(live))
    ids = server.write(4)
    database = live / "danso.sqlite3"
    # when the database file is copied as `cp` would
    copy = tmp_path / "copy" / "danso.sqlite3"
    copy.parent.mkdir()
    shutil.copyfile(database, copy)
    # then the copy misses those 4 events: committed, they are still only in the log
    assert source_ids(database, ids) == set(ids)
    assert source_ids(copy, ids) == set()
    assert row_counts(copy)["register_event"] == row_counts(database)["register_event"] - 4


def test_backup_keeps_them_and_a_restore_gives_the_same_rows_and_figures(
    live: Path, writer: Any, tmp_path: Path
) -> None:
    # given the same 4 events committed into the log, the server's connection open
    server = writer(sqlite_env(live))
    ids = server.write(4)
    database = live / "danso.sqlite3"
    # when the database is backed up
    backup = danso_json("backup", "--output", str(tmp_path / "b.sqlite3"), env=sqlite_env(live))
    # then the backup holds them, is whole, and says how many rows it holds
    saved = Path(backup["file"])
    assert (backup["kind"], backup["integrity"]) == ("sqlite", "ok")
    assert source_ids(saved, ids) == set(ids)
    assert backup["rows"]["events"] == row_counts(database)["register_event"]
    assert backup["bytes"] == saved.stat().st_size
    assert saved.stat().st_mode & 0o777 == 0o600  # personal data
    # when it is restored into a fresh data folder
    fresh = tmp_path / "fresh"
    restored = danso_json("restore", str(saved), env=sqlite_env(fresh))
    # then it needed no migrations, and every table holds the rows of the live database
    assert restored["migrations_applied"] == []
    assert restored["rows"] == backup["rows"]
    assert row_counts(fresh / "danso.sqlite3") == row_counts(database)
    # and the indicator engine gives the same figures on both
    figures = danso_json(*FIGURES, env=sqlite_env(fresh))
    assert figures == danso_json(*FIGURES, env=sqlite_env(live))
    assert figures["values"]


def test_backup_verify_while_the_server_keeps_writing(
    live: Path, writer: Any, tmp_path: Path
) -> None:
    # given a server process writing events one after another
    server = writer(sqlite_env(live))
    server.start_loop()
    before = [server.committed() for _ in range(5)]
    # when a verified backup is taken meanwhile
    done = danso(
        "backup",
        "--verify",
        "--output",
        str(tmp_path / "b.sqlite3"),
        "--format",
        "json",
        env=sqlite_env(live),
        check=False,
    )
    during = server.stop_loop()
    # then the copy restored from it has the rows of every table and the figures that
    # the source had at the snapshot, although the server went on writing
    assert done.returncode == 0, done.stderr
    backup = json.loads(done.stdout)
    verification = backup["verification"]
    assert verification["identical"], verification["differences"]
    assert verification["tables_compared"] > 50
    assert verification["figures_compared"] >= 3
    assert during, "the server wrote while the backup was taken"
    saved = tmp_path / "b.sqlite3"
    assert source_ids(saved, before) == set(before)
    assert backup["rows"]["events"] == row_counts(saved)["register_event"]
    assert not list(tmp_path.glob("*.partial"))


def test_restoring_a_backup_of_an_older_version_applies_its_migrations(
    template: Path, tmp_path: Path
) -> None:
    # given a backup of a database that lacks a migration, as an older danso left it
    older = tmp_path / "older.sqlite3"
    copy_database(template, older)
    with closing(sqlite3.connect(older)) as connection:  # what `danso migrate sessions zero` does
        connection.execute("DROP TABLE django_session")
        connection.execute("DELETE FROM django_migrations WHERE app = 'sessions'")
        connection.commit()
    # when it is restored
    fresh = tmp_path / "fresh"
    done = danso("restore", str(older), env=sqlite_env(fresh))
    # then the migration is applied and named
    assert "1 migrations applied: sessions.0001_initial" in done.stdout
    assert "django_session" in row_counts(fresh / "danso.sqlite3")


def test_restore_replaces_a_database_holding_data_only_when_told(
    live: Path, template_backup: Path
) -> None:
    # given a database holding data, told apart from the backup by its figures' epoch
    database = live / "danso.sqlite3"
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("UPDATE indicators_figuresepoch SET n = n + 1000")
        connection.commit()
    changed = row_counts(database), epoch(database)
    # when the backup is restored over it without --yes, then it is refused, untouched
    refused = danso("restore", str(template_backup), env=sqlite_env(live), check=False)
    assert refused.returncode != 0
    assert "holds data" in refused.stderr
    assert "--yes" in refused.stderr
    assert refused.stdout == ""
    assert (row_counts(database), epoch(database)) == changed
    # when with --yes, then it is replaced
    replaced = danso_json("restore", str(template_backup), "--yes", env=sqlite_env(live))
    assert replaced["replaced_rows"] > 0
    assert epoch(database) == epoch(template_backup) != changed[1]


def epoch(path: Path) -> int:
    with closing(sqlite3.connect(path)) as connection:
        (n,) = connection.execute("SELECT n FROM indicators_figuresepoch").fetchone()
        return int(n)


def test_restore_refuses_while_the_server_has_the_database_open(
    live: Path, writer: Any, template_backup: Path
) -> None:
    server = writer(sqlite_env(live))
    ids = server.write(1)
    refused = danso("restore", str(template_backup), "--yes", env=sqlite_env(live), check=False)
    assert refused.returncode != 0
    assert "open in another process" in refused.stderr
    assert source_ids(live / "danso.sqlite3", ids) == set(ids)


def test_what_cannot_be_restored_or_overwritten(live: Path, tmp_path: Path) -> None:
    env = sqlite_env(live)
    text = tmp_path / "notes.txt"
    text.write_text("not a backup")
    archive = tmp_path / "danso.dump"
    archive.write_bytes(b"PGDMP\x01\x0e\x00")
    for path, message in (
        (text, "is not a danso backup"),
        (archive, "is a backup of a PostgreSQL database"),
        (tmp_path / "missing.sqlite3", "no such file"),
    ):
        refused = danso("restore", str(path), "--yes", "--format", "json", env=env, check=False)
        assert (refused.returncode, refused.stdout) != (0, "")
        assert message in refused.stderr
    refused = danso("backup", "--output", str(text), env=env, check=False)
    assert refused.returncode != 0
    assert "exists" in refused.stderr
    assert text.read_text() == "not a backup"


def test_backup_by_default_goes_to_the_backups_folder(live: Path) -> None:
    done = danso("backup", env=sqlite_env(live))
    (saved,) = (live / "backups").iterdir()
    assert saved.name.startswith("danso-")
    assert saved.suffix == ".sqlite3"
    assert (live / "backups").stat().st_mode & 0o777 == 0o700
    assert str(saved) in done.stdout
    assert "integrity ok" in done.stdout
