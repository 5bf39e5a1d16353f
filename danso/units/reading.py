"""What a request that only reads works out once: within ``reading()`` (a GET or HEAD
request, ``web.middleware.ReadingMiddleware``), ``remembered(kind, key, work)`` runs
``work`` once for each key and gives the same answer after.  A dashboard asks the reader's
scope a dozen times (for its plans, reports and figures) and the tree under its unit once
a figure (seventeen figures, eight distinct trees): neither changes while a page is read.

Outside the block (a request that writes, a command, a task) nothing is remembered and
every call works its answer out.  A change that can happen inside the block says so with
``forget(kind)`` (a role saved: ``accounts.signals``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_MEMO: ContextVar[dict[tuple[str, Hashable], Any] | None] = ContextVar(
    "danso_reading", default=None
)


@contextmanager
def reading() -> Iterator[None]:
    """Remember answers until the block ends."""
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def active() -> bool:
    """Whether answers are remembered here (inside ``reading()``)."""
    return _MEMO.get() is not None


def remembered(kind: str, key: Hashable, work: Callable[[], T]) -> T:
    """``work()``, once for ``(kind, key)`` within ``reading()``; every time outside it."""
    memo = _MEMO.get()
    if memo is None:
        return work()
    if (kind, key) not in memo:
        memo[kind, key] = work()
    return memo[kind, key]  # type: ignore[no-any-return]


def forget(kind: str) -> None:
    """Forget the answers of ``kind`` remembered in this block."""
    memo = _MEMO.get()
    if memo is not None:
        for remembered_key in [k for k in memo if k[0] == kind]:
            del memo[remembered_key]
