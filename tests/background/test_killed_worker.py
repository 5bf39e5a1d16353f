"""A worker killed in the middle of a register import (issue 13): the job shows failed with
a Vietnamese message, the database is as before, and running the import again works.

Everything runs in processes of its own, as on a server: ``danso setup`` on a database of
the test's own (an SQLite file; a scratch database on the suite's PostgreSQL server when
the suite runs there), the import queued as the upload screen queues it, a worker that
the test kills with SIGKILL while the import writes persons inside its transaction, then
a new worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.conf import settings

from tests.register.conftest import HANDMADE, read_table

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A database of the test's own, of the suite's kind."""
    url = os.environ.get("DATABASE_URL", "")
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") and url:
        parts = urlsplit(url)
        name = f"{parts.path.lstrip('/') or 'danso'}_killed_worker_{os.getpid()}"
        server = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlunsplit(parts._replace(path=f"/{name}"))
        finally:
            with psycopg.connect(server, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield f"sqlite:///{tmp_path / 'danso.sqlite3'}"


def run(env: dict[str, str], *args: str, **kwargs: Any) -> str:
    done = subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, **kwargs
    )
    assert done.returncode == 0, done.stderr
    return str(done.stdout)


def harness(env: dict[str, str], *args: str) -> str:
    return run(env, "-m", "tests.background.harness", *args).strip()


def test_a_killed_worker_leaves_the_job_failed_and_the_database_as_before(
    tmp_path: Path, database_url: str
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DANSO_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "danso.settings.local",
    }
    run(env, "-m", "danso.cli", "setup", timeout=300)
    # given an import queued, and a worker that runs it
    job = harness(env, "enqueue", str(HANDMADE))
    marker = tmp_path / "writing-persons"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.background.harness",
            "pausing-worker",
            "write_persons",
            str(marker),
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 180
        while not marker.exists():
            assert worker.poll() is None, "the worker ended before it wrote persons"
            assert time.monotonic() < deadline, "the worker never reached the persons"
            time.sleep(0.1)
        # when the worker is killed while the import writes persons
        worker.kill()
    finally:
        worker.kill()
        worker.wait()
    # then the job shows failed, in Vietnamese, and nothing of the import was kept
    shown = json.loads(harness(env, "status", job))
    assert shown["status"] == "failed"
    assert shown["report"]["error"] == "Lần nhập bị gián đoạn; hãy nhập lại."
    assert (shown["persons"], shown["households"], shown["events"]) == (0, 0, 0)
    # and when it is queued again, the next worker marks the lost task failed and imports
    again = harness(env, "enqueue", str(HANDMADE))
    said = subprocess.run(
        [sys.executable, "-m", "danso.cli", "worker", "--batch"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert said.returncode == 0, said.stderr
    assert "Đã đánh dấu thất bại 1 việc" in said.stderr
    shown = json.loads(harness(env, "status", again))
    assert shown["status"] == "done", shown["report"]
    assert shown["persons"] == len(read_table(HANDMADE, "persons"))
    assert shown["events"] == len(read_table(HANDMADE, "events"))
