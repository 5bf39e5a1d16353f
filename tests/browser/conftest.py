"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against the live
server.

The live server needs ``transactional_db``, whose teardown flushes every table, the
reference data loaded once per session by ``tests/conftest.py`` (the country's 15,000
units and their boundaries) included, which the next test would load again.  Browser
tests empty the database differently (``keep_reference``): what the reference data holds
stays, the rows a test added go (every row of the other tables, and the rows of the
reference tables past the last one the reference data wrote).  So a browser test must
not change a reference row in place (none does: they create their own villages and
households).  pytest-django sorts tests using ``live_server`` after all other database
tests (see ``pytest_collection_modifyitems`` in ``pytest_django/plugin.py``); to stay
correct whatever the order, every browser test still checks that the reference data is
there (``live_reference``), and puts it back once the module's browser tests are over
(``restore_reference``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.servers.basehttp import WSGIServer
from django.db import connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import TransactionTestCase
from django.test.testcases import LiveServerThread
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, sync_playwright
from pytest_django.live_server_helper import LiveServer

from tests.conftest import PASSWORD, load_reference

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


class _OneRequestAtATime(WSGIServer):
    """The live server answering one request after another (``Connection: close``)."""

    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # the thread serving has the connections already


@pytest.fixture(scope="session", autouse=True)
def one_request_at_a_time_on_sqlite() -> Iterator[None]:
    """On SQLite the live server's threads share the test database's one in-memory
    connection, and two requests at once (a page and the htmx helper it calls) can
    deadlock inside the ``sqlite3`` module: one thread inside a function SQLite calls
    back in Python (``REGEXP``), waiting for the interpreter, the other holding the
    interpreter while it waits for the connection (the suite once hung there).  There the
    live server answers one request at a time; on PostgreSQL each thread has its own
    connection, and requests run side by side as in production."""
    if connections["default"].vendor != "sqlite":
        yield
        return
    threaded = LiveServerThread.server_class
    LiveServerThread.server_class = _OneRequestAtATime  # type: ignore[assignment]
    try:
        yield
    finally:
        LiveServerThread.server_class = threaded


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """One headless Chromium for the session (Playwright's own download is not used).

    Playwright's sync API keeps an asyncio event loop marked as running in the main thread,
    so Django's guard against database calls from async code would refuse the ORM calls of
    the tests; the guard is lifted while the browser runs (browser tests come last, see
    above).  The test code and the live server's thread share the in-memory database
    connection as pytest-django arranges it, which is what the guard is not needed for.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()


#: Per table, its primary key's column and the last id the reference data wrote.
Marks = dict[str, tuple[str, int]]


def _integer_keys() -> dict[str, str]:
    """The tables whose primary key is an integer, and that key's column."""
    return {
        model._meta.db_table: str(model._meta.pk.column)
        for model in apps.get_models(include_auto_created=True)
        if isinstance(model._meta.pk, models.AutoField | models.BigAutoField | models.IntegerField)
    }


def _marks(connection: BaseDatabaseWrapper) -> Marks:
    """The reference data as it stands: the last id of each table that holds rows."""
    marks: Marks = {}
    with connection.cursor() as cursor:
        for table, column in _integer_keys().items():
            quoted = connection.ops.quote_name
            cursor.execute(f"SELECT MAX({quoted(column)}) FROM {quoted(table)}")  # noqa: S608 - our tables
            (last,) = cursor.fetchone()
            if last is not None:
                marks[table] = (column, int(last))
    return marks


def _empty_but_reference(connection: BaseDatabaseWrapper, marks: Marks) -> None:
    """Delete what the tests added, in one transaction (foreign keys are checked at its
    end on both databases)."""
    quoted = connection.ops.quote_name
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # the access log refuses DELETE on PostgreSQL (a trigger): it is emptied whole
            cursor.execute(
                "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE %s",
                ["%_append_only"],
            )
            logs = sorted({row[0] for row in cursor.fetchall()} - set(marks))
            if logs:
                cursor.execute(f"TRUNCATE {', '.join(quoted(t) for t in logs)}")
            tables = [table for table in tables if table not in logs]
        for table in tables:
            if table in marks:
                column, last = marks[table]
                cursor.execute(
                    f"DELETE FROM {quoted(table)} WHERE {quoted(column)} > %s",  # noqa: S608
                    [last],
                )
            else:
                cursor.execute(f"DELETE FROM {quoted(table)}")  # noqa: S608 - our tables


@pytest.fixture(scope="session")
def reference_marks(django_db_setup: None, django_db_blocker: Any) -> Marks:
    with django_db_blocker.unblock():
        load_reference()
        return _marks(connections["default"])


@pytest.fixture(scope="module", autouse=True)
def keep_reference(reference_marks: Marks) -> Iterator[None]:
    """A transactional test's end empties what the test added, not the reference data
    (see the module docstring); module-wide, so that it holds when pytest-django's own
    fixtures end the test."""

    def teardown(case: TransactionTestCase) -> None:
        for alias in case._databases_names(include_mirrors=False):  # type: ignore[attr-defined]
            _empty_but_reference(connections[alias], reference_marks)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", teardown)
        yield


@pytest.fixture(scope="module", autouse=True)
def restore_reference(reference_restored: None) -> None:
    """The reference data put back after each module, for any database test run later."""


@pytest.fixture
def live_reference(transactional_db: None, live_server: LiveServer) -> LiveServer:
    """The live server, with the reference data present (reloaded after an earlier flush)."""
    load_reference()
    return live_server


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def log_in(page: Page, server: LiveServer, username: str, password: str = PASSWORD) -> None:
    """Log in through the real login form."""
    page.goto(server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click(".login button[type=submit]")
    assert page.url == server.url + reverse("home"), page.url


@contextmanager
def logged_in_pages(
    chromium: Browser, server: LiveServer, password: str = PASSWORD
) -> Iterator[Callable[..., Page]]:
    """``make("hanoi", viewport=PHONE, is_mobile=True)``: a page in a fresh browser
    context, logged in as that user through the login form (``prefetch=True``: with the
    monthly form's offline prefetching); the contexts are closed at the end."""
    contexts: list[BrowserContext] = []

    def make(
        username: str, viewport: ViewportSize = DESKTOP, prefetch: bool = False, **options: Any
    ) -> Page:
        context = chromium.new_context(viewport=viewport, locale="vi-VN", **options)
        context.set_default_timeout(15_000)
        if not prefetch:
            # the monthly form fetches its other pages for offline use in the background
            # (offline.js); the live server's threads share one SQLite connection, which
            # those requests would race against: only the offline tests ask for them
            context.add_init_script("window.dansoPrefetch = false;")
        contexts.append(context)
        page = context.new_page()
        log_in(page, server, username, password)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def new_page(chromium: Browser, live_reference: LiveServer) -> Iterator[Callable[..., Page]]:
    """``new_page("hanoi", viewport=PHONE, is_mobile=True)``: a page in a fresh browser
    context, logged in as that user.  Contexts are closed after the test."""
    with logged_in_pages(chromium, live_reference) as make:
        yield make
