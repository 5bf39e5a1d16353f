"""Databases on disk and processes that use them as an operator's would.

Backups are taken from real database files written by other processes, so these tests
run ``danso`` as subprocesses with their own environment (``DANSO_DATA_DIR`` or
``DATABASE_URL``) rather than against the test database.  ``template`` is a demo
database made once per session by ``danso setup --demo``; each test copies it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

DANSO = Path(sys.executable).with_name("danso")
#: Small enough to set up in half a minute, large enough for the figures to mean something.
DEMO_SCALE = "0.01"


def operator_env(**variables: str) -> dict[str, str]:
    """The environment of an operator's shell: the local settings, no database chosen
    unless ``variables`` choose one (the suite's own ``DATABASE_URL`` is dropped)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "danso.settings.local"
    env.update(variables)
    return env


def danso(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``danso ARGS`` as an operator would."""
    done = subprocess.run(
        [str(DANSO), *args], env=env, capture_output=True, text=True, check=False, timeout=600
    )
    if check and done.returncode:
        raise AssertionError(f"danso {' '.join(args)} failed:\n{done.stderr}")
    return done


def danso_json(*args: str, env: dict[str, str]) -> Any:
    return json.loads(danso(*args, "--format", "json", env=env).stdout)


def sqlite_env(data_dir: Path) -> dict[str, str]:
    return operator_env(DANSO_DATA_DIR=str(data_dir))


def copy_database(source: Path, target: Path) -> None:
    """A copy of a database nobody has open (the template), through SQLite."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as one, closing(sqlite3.connect(target)) as other:
        one.backup(other)


def row_counts(path: Path) -> dict[str, int]:
    """Rows in every table of the database file at ``path``, read through SQLite (the
    log included when it sits beside the file)."""
    with closing(sqlite3.connect(path)) as connection:
        names = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
            for name in names
        }


def source_ids(path: Path, ids: list[str]) -> set[str]:
    """Which of the events ``ids`` the database file at ``path`` holds."""
    with closing(sqlite3.connect(path)) as connection:
        marks = ",".join("?" * len(ids))
        rows = connection.execute(
            f"SELECT source_id FROM register_event WHERE source_id IN ({marks})",  # noqa: S608
            ids,
        )
        return {source_id for (source_id,) in rows}


class Writer:
    """``tests.backup.writer`` in its own process: it writes events into a database and
    keeps its connection open between commands, as a server process does."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.backup.writer"],
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def _send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def _read(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise AssertionError(f"the writer ended (exit code {self.process.wait()})")
        return line.strip()

    def write(self, n: int) -> list[str]:
        """Record ``n`` events, each committed; their source ids."""
        self._send(f"write {n}")
        ids: list[str] = json.loads(self._read())
        return ids

    def start_loop(self) -> None:
        self._send("loop")

    def committed(self) -> str:
        """The source id of the next event the loop committed."""
        return self._read()

    def stop_loop(self) -> list[str]:
        """Stop the loop; the source ids committed since the last ``committed``."""
        self._send("stop")
        ids = []
        while (line := self._read()) != "stopped":
            ids.append(line)
        return ids

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def writer() -> Iterator[Any]:
    """``writer(env)``: a writing process, ended after the test whatever happens."""
    started: list[Writer] = []

    def start(env: dict[str, str]) -> Writer:
        started.append(Writer(env))
        return started[-1]

    yield start
    for one in started:
        one.close()


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database (reference units, plans, reports, a register of Long Biên) made by
    ``danso setup --demo``, closed: copy it, never use it."""
    data_dir = tmp_path_factory.mktemp("template")
    danso("setup", "--demo", "--demo-scale", DEMO_SCALE, env=sqlite_env(data_dir))
    return data_dir / "danso.sqlite3"


@pytest.fixture(scope="session")
def template_backup(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup of the demo database made by ``danso backup``: restore it, never change it."""
    data_dir = tmp_path_factory.mktemp("template-backup")
    copy_database(template, data_dir / "danso.sqlite3")
    output = data_dir / "backup.sqlite3"
    danso("backup", "--output", str(output), env=sqlite_env(data_dir))
    return output


@pytest.fixture
def live(template: Path, tmp_path: Path) -> Path:
    """The data folder of a copy of the demo database, the one 'the server' uses."""
    data_dir = tmp_path / "live"
    copy_database(template, data_dir / "danso.sqlite3")
    return data_dir
