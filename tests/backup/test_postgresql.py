"""``danso backup`` and ``danso restore`` on PostgreSQL, while another process writes.

Runs only when the suite runs against PostgreSQL and ``pg_dump``/``pg_restore`` are on
PATH.  Everything happens in scratch databases of the same server, created and dropped
here (``test_danso_backup_<pid>``, ``test_danso_restore_<pid>``): never the test database,
nor any other.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from tests.backup.conftest import DEMO_SCALE, danso, danso_json, operator_env

SCRATCH = "test_danso_"


class Server:
    """The suite's PostgreSQL server, reached as the suite reaches it."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings

    def _admin(self) -> psycopg.Connection[Any]:
        return psycopg.connect(
            dbname="postgres",
            host=self.settings["HOST"] or None,
            port=self.settings["PORT"] or None,
            user=self.settings["USER"] or None,
            password=self.settings["PASSWORD"] or None,
            autocommit=True,
        )

    def create(self, name: str) -> None:
        assert name.startswith(SCRATCH)
        with self._admin() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop(self, name: str) -> None:
        assert name.startswith(SCRATCH)
        with self._admin() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def url(self, name: str) -> str:
        user = quote(self.settings["USER"] or "", safe="")
        password = quote(self.settings["PASSWORD"] or "", safe="")
        credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
        host = self.settings["HOST"] or "localhost"
        port = f":{self.settings['PORT']}" if self.settings["PORT"] else ""
        return f"postgres://{credentials}{host}{port}/{name}"

    def env(self, name: str, data_dir: Path) -> dict[str, str]:
        return operator_env(DATABASE_URL=self.url(name), DANSO_DATA_DIR=str(data_dir))

    def row_counts(self, name: str) -> dict[str, int]:
        with psycopg.connect(self.url(name)) as database:
            tables = [
                table
                for (table,) in database.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                )
            ]
            counts: dict[str, int] = {}
            for table in tables:
                row = database.execute(
                    sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
                ).fetchone()
                assert row is not None
                counts[table] = row[0]
            return counts

    def source_ids(self, name: str, ids: list[str]) -> set[str]:
        with psycopg.connect(self.url(name)) as database:
            rows = database.execute(
                "SELECT source_id FROM register_event WHERE source_id = ANY(%s)", [ids]
            )
            return {source_id for (source_id,) in rows}


@pytest.fixture(scope="module")
def server() -> Server:
    if connection.vendor != "postgresql":
        pytest.skip("the suite runs on SQLite (tests/backup/test_commands.py covers it)")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not on PATH")
    return Server(dict(connection.settings_dict))


@pytest.fixture(scope="module")
def source(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A scratch database set up with the demo: the environment that names it."""
    name = f"{SCRATCH}backup_{os.getpid()}"
    server.create(name)
    try:
        env = server.env(name, tmp_path_factory.mktemp("pg-source"))
        danso("setup", "--demo", "--demo-scale", DEMO_SCALE, env=env)
        yield env
    finally:
        server.drop(name)


@pytest.fixture
def target(server: Server) -> Iterator[str]:
    """An empty scratch database to restore into."""
    name = f"{SCRATCH}restore_{os.getpid()}"
    server.create(name)
    yield name
    server.drop(name)


def test_backup_while_writing_then_restore_gives_the_same_rows_and_figures(
    server: Server, source: dict[str, str], target: str, writer: Any, tmp_path: Path
) -> None:
    source_name = source["DATABASE_URL"].rsplit("/", 1)[1]
    # given a server process that committed 4 events and keeps its connection open
    held = writer(source)
    ids = held.write(4)
    # when the database is backed up and restored into an empty database
    backup = danso_json("backup", "--output", str(tmp_path / "b.dump"), env=source)
    restore_env = server.env(target, tmp_path)
    restored = danso_json("restore", backup["file"], env=restore_env)
    # then the restored database holds those events and every table's rows
    assert (backup["kind"], backup["integrity"]) == ("postgresql", "ok")
    assert Path(backup["file"]).stat().st_mode & 0o777 == 0o600
    assert restored["migrations_applied"] == []
    assert restored["rows"] == backup["rows"]
    assert server.source_ids(target, ids) == set(ids)
    assert server.row_counts(target) == server.row_counts(source_name)
    # and the same figures
    figures = ("indicators", "compute", "--unit", "01", "--level", "province", "--period", "2025")
    assert danso_json(*figures, env=restore_env) == danso_json(*figures, env=source)
    # and it is not restored again over the data without --yes
    refused = danso("restore", backup["file"], env=restore_env, check=False)
    assert refused.returncode != 0
    assert "holds data" in refused.stderr


def test_backup_verify_while_the_server_keeps_writing(
    source: dict[str, str], writer: Any, tmp_path: Path
) -> None:
    # given a server process writing events one after another
    busy = writer(source)
    busy.start_loop()
    [busy.committed() for _ in range(5)]
    # when a verified backup is taken meanwhile
    done = danso(
        "backup",
        "--verify",
        "--output",
        str(tmp_path / "b.dump"),
        "--format",
        "json",
        env=source,
        check=False,
    )
    during = busy.stop_loop()
    # then the copy restored from it matches the source as it stood at the snapshot
    assert done.returncode == 0, done.stderr
    verification = json.loads(done.stdout)["verification"]
    assert verification["identical"], verification["differences"]
    assert verification["figures_compared"] >= 3
    assert during
