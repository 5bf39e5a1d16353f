"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against the live
server.

The live server needs ``transactional_db``, whose teardown flushes every table, the
reference data loaded once per session by ``tests/conftest.py`` included.  pytest-django
sorts tests using ``live_server`` after all other database tests (see
``pytest_collection_modifyitems`` in ``pytest_django/plugin.py``), so the others never see
the flushed database.  To stay correct whatever the order, every browser test reloads the
reference data if it is missing (``live_reference``), and the data is put back once the
module's browser tests are over (``restore_reference``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
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


@pytest.fixture(scope="module", autouse=True)
def restore_reference(django_db_blocker: Any) -> Iterator[None]:
    """Put the reference data back after the module, for any database test run later."""
    yield
    with django_db_blocker.unblock():
        load_reference()
        # While Playwright's loop runs, Django's connections live in another context;
        # close them here, or PostgreSQL could not drop the test database at the end.
        connections.close_all()


@pytest.fixture
def live_reference(transactional_db: None, live_server: LiveServer) -> LiveServer:
    """The live server, with the reference data present (reloaded after an earlier flush)."""
    load_reference()
    return live_server


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def log_in(page: Page, server: LiveServer, username: str) -> None:
    """Log in through the real login form."""
    page.goto(server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click(".login button[type=submit]")
    assert page.url == server.url + reverse("home"), page.url


@pytest.fixture
def new_page(chromium: Browser, live_reference: LiveServer) -> Iterator[Callable[..., Page]]:
    """``new_page("hanoi", viewport=PHONE, is_mobile=True)``: a page in a fresh browser
    context, logged in as that user.  Contexts are closed after the test."""
    contexts: list[BrowserContext] = []

    def make(username: str, viewport: ViewportSize = DESKTOP, **options: Any) -> Page:
        context = chromium.new_context(viewport=viewport, locale="vi-VN", **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        log_in(page, live_reference, username)
        return page

    yield make
    for context in contexts:
        context.close()
