"""Shared fixtures.

The official reference data (the whole country, three versions of the tree) is loaded
once per test session into the test database; tests run in transactions on top of it.
Tests that need their own small tree use ``tests.builders.build_tree``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connections
from django.test import Client

from danso.accounts import services as accounts
from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.indicators.cache import forget_pending
from danso.indicators.services import catalogue_load
from danso.register import jobs
from danso.translations import compile_catalogues
from danso.units.codes import Level, normalize_code
from danso.units.imports import geometries_load, reference_load
from danso.units.models import ReferenceDataset, Unit, UnitVersion, valid_on

compile_catalogues()

PASSWORD = "a-long-test-password-42"
BEFORE = date(2024, 6, 30)  # 30 districts, 579 communes in Hà Nội
EARLY_2025 = date(2025, 3, 1)  # 30 districts, 526 communes
AFTER = date(2025, 8, 1)  # no districts, 126 communes
TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def fresh_figures_cache() -> Iterator[None]:
    """Figures cached whole by one test are never read by the next: each test's data is
    rolled back, and the epoch they were kept under with it."""
    for alias in settings.CACHES:
        caches[alias].clear()
    forget_pending()
    yield
    for alias in settings.CACHES:
        caches[alias].clear()


def load_reference() -> None:
    if not ReferenceDataset.objects.filter(name="units").exists():
        reference_load(settings.REFERENCE_MANIFEST)
        geometries_load(settings.REFERENCE_MANIFEST)
    catalogue_load()


@pytest.fixture(scope="module")
def reference_restored(django_db_blocker: Any) -> Iterator[None]:
    """Put the reference data back after a module of transactional tests (each one's
    flush empties every table), for the database tests run later.  This thread's
    connections are closed after: while Playwright's loop runs they live in another
    context and would stay open, and PostgreSQL could not drop the test database."""
    yield
    with django_db_blocker.unblock():
        load_reference()
        connections.close_all()


@pytest.fixture
def committed(transactional_db: None) -> None:
    """A transactional test's database, with the reference data an earlier test's flush
    took away."""
    load_reference()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        load_reference()


def unit_at(level: Level | str, code: str, on: date) -> Unit:
    return (
        UnitVersion.objects.filter(
            valid_on(on), unit__level=level, code=normalize_code(level, code)
        )
        .select_related("unit")
        .get()
        .unit
    )


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    """``make_user("ward", Role.COMMUNE_OFFICER, "commune", "115", BEFORE)``: a user
    holding that role at the unit of that code on that day (no role if none given)."""

    def make(
        username: str,
        role: Role | None = None,
        level: Level | str | None = None,
        code: str | None = None,
        on: date = BEFORE,
        valid_from: date | None = None,
    ) -> User:
        user = accounts.user_create(username=username, password=PASSWORD, validate=False)
        if role is None:
            return user
        unit = unit_at(level, code, on) if level and code else None
        accounts.role_assign(
            user=user,
            role=role,
            unit=unit,
            valid_from=valid_from or (unit.valid_from if unit else date(2023, 5, 7)),
        )
        return user

    return make


@pytest.fixture
def client_for(db: None) -> Callable[[User], Client]:
    def login(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def run_cli() -> Callable[..., Any]:
    """Run a danso command; returns its parsed JSON output (``--format json`` added)."""

    def run(*args: str) -> Any:
        from io import StringIO

        out = StringIO()
        call_command(*args, "--format", "json", stdout=out)
        return json.loads(out.getvalue())

    return run


@pytest.fixture
def inline(settings: Any) -> None:
    """Background tasks (``danso worker``'s) run when they are enqueued, in the test's own
    thread and transaction (the immediate backend of django-tasks)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def dead_pid() -> int:
    """The id of a process that has ended (a worker killed, for the tests of jobs)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
def scratch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Where background jobs keep uploads and exported books, in this test's folder."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(jobs, "SCRATCH", folder)
    return folder
