"""A page's figures, rendered once for every reader who would see the same.

A dashboard costs some forty milliseconds of one core to put together (its seventeen
figures read from the cache, its targets, plans and reports looked up, its template
filled), and twenty officers opening the city's dashboard at once on a two-core server
wait for each other.  Yet what they read is the same for all of them: the dashboard's
figures section is a function of

- the address (the unit, the period, the map's indicator: path and query string);
- what the figures rest on (``FiguresEpoch``, which every change moves on at commit)
  and the rows of the models the page names besides (the last id of each table and of
  its history table: an insert, an edit or a deletion changes it), as the page's
  ``ETag`` is (``web.conditional``);
- the reader's roles held today, and whether they are active and a superuser
  (``accounts.scope.roles_held``): every scope the page consults, on whatever day, is
  worked out from these alone;
- the session's working date, today's date, the language, and the code that renders it.

So ``shared_section`` keeps the rendered section under a digest of exactly these, in
the ``pages`` cache (in each process's memory, or in the Redis the workers share:
settings ``DANSO_CACHE_URL``), and the next reader with the same roles gets it without
anything being computed.  What is the reader's own (their name, the forms' CSRF tokens,
the scripts' nonce) is in the page around the section, rendered for each request; the
section is rendered without the request, so it cannot reach them.

Nothing is shared while this thread has changes not yet committed
(``cache.uncommitted``): it must see them, the others must not.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from django.utils.connection import ConnectionProxy
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

import danso
from danso.accounts.context import working_date
from danso.accounts.scope import roles_held
from danso.indicators.cache import KEEP, uncommitted
from danso.indicators.models import FiguresEpoch
from danso.units.reading import remembered

#: The ``pages`` cache of the settings.
shared_pages: Any = ConnectionProxy(caches, "pages")
_SALT = "danso.indicators.pages"


def digest_of(parts: Sequence[object], salt: str = _SALT) -> str:
    """The HMAC of ``parts`` under the secret key (a different key, different digests)."""
    return salted_hmac(salt, repr(tuple(parts)), algorithm="sha256").hexdigest()[:32]


@lru_cache(maxsize=1)
def code_version() -> str:
    """The files of the ``danso`` package (path, size, time of change): templates, code and
    translations are the same in every worker of one deployment, and change with it."""
    root = Path(danso.__file__).resolve().parent
    files = sorted(
        (str(path.relative_to(root)), stat.st_size, stat.st_mtime_ns)
        for path in root.rglob("*")
        if "__pycache__" not in path.parts and path.is_file()
        for stat in [path.stat()]
    )
    return digest_of(files, "danso.code")


@lru_cache(maxsize=64)
def _versions_sql(vendor: str, labels: tuple[str, ...]) -> str:
    """One statement: the figures' epoch, then each model's last id and its history's."""
    quote = connection.ops.quote_name
    epoch = FiguresEpoch._meta
    assert epoch.pk is not None
    assert epoch.pk.column is not None
    n, key = quote("n"), quote(epoch.pk.column)  # FiguresEpoch.n, its own column
    columns = [f"(SELECT {n} FROM {quote(epoch.db_table)} WHERE {key} = 1)"]  # noqa: S608 - our names, quoted
    for label in labels:
        model = apps.get_model(label)
        tables = [model]
        history = getattr(model._meta, "simple_history_manager_attribute", None)
        if history:
            tables.append(getattr(model, history).model)
        columns += [
            f"(SELECT MAX({quote(t._meta.pk.column)}) FROM {quote(t._meta.db_table)})"  # noqa: S608 - our names, quoted
            for t in tables
        ]
    return "SELECT " + ", ".join(columns)


#: The kind of answer remembered while a page is read (``units.reading``): the page's
#: tag and its section's key rest on the same versions.
VERSIONS = "versions"


def versions(labels: Sequence[str]) -> tuple[Any, ...]:
    """The figures' epoch and the last ids of ``labels``' tables and history tables."""

    def read() -> tuple[Any, ...]:
        with connection.cursor() as cursor:
            cursor.execute(_versions_sql(connection.vendor, tuple(labels)))
            return tuple(cursor.fetchone())

    return remembered(VERSIONS, tuple(labels), read)


def page_parts(request: HttpRequest, labels: Sequence[str]) -> tuple[object, ...]:
    """What the page ``request`` asks for rests on besides its reader's own: the code,
    the database, the address, the versions of what it shows (``labels``), the session's
    working date, today and the language.  A section adds the reader's roles to it, the
    page's ``ETag`` the reader themselves (``web.conditional``)."""
    user = request.user
    return (
        code_version(),
        connection.alias,
        request.get_full_path(),
        tuple(labels),
        versions(labels),
        working_date(request).isoformat() if user.is_authenticated else "",
        timezone.localdate().isoformat(),
        get_language(),
    )


def section_key(request: HttpRequest, labels: Sequence[str]) -> str:
    """The key of the section ``request`` asks for (see the module docstring)."""
    return "section:" + digest_of((*page_parts(request, labels), roles_held(request.user)))


def shared_section(
    request: HttpRequest, labels: Sequence[str], render: Callable[[], str]
) -> SafeString:
    """The section ``render`` makes for ``request``, kept for the readers who would see the
    same (``labels``: the models it shows besides the figures).  ``render`` fills a
    template without the request, so that nothing of the reader's own gets in.

    Readers who ask at once for a section nobody has kept yet (twenty officers opening
    the city's dashboard after an event) wait for the one who puts it together, in each
    process, rather than all putting it together side by side."""
    if uncommitted():
        return mark_safe(render())
    key = section_key(request, labels)
    with _alone(key):
        kept = shared_pages.get(key)
        if isinstance(kept, str):
            return mark_safe(kept)  # what ``render`` made before: a template's output
        section = render()
        shared_pages.set(key, str(section), KEEP)
    return mark_safe(section)


_guard = threading.Lock()
_working: dict[str, threading.Lock] = {}


@contextmanager
def _alone(key: str) -> Iterator[None]:
    """Inside, no other thread of this process is inside for the same ``key``."""
    with _guard:
        lock = _working.setdefault(key, threading.Lock())
    try:
        with lock:
            yield
    finally:
        with _guard:
            if _working.get(key) is lock and not lock.locked():
                del _working[key]
