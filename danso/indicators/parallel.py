"""Counting on every core: the independent reads of a set-based count run side by side.

A year's count (``setbased``) is a handful of independent statements over the register's
spells (the stock, the prevalence, the events, the persons 60+ checked up), each long
enough at a province's size (tens of seconds) that one core waits for the database while
the other idles.  ``run_all`` runs them on the calling thread and on ``HELPERS`` more,
each helper with its own connection, and gives their results back in order.

Only reads are shared out, and only when they can see what the calling thread sees:
never inside a transaction (a helper's connection would not see its uncommitted rows),
and never for a small count (a village or two changed by an event: a helper's new
connection would cost more than it saves).  A helper's error is raised on the calling
thread, after every helper has stopped.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, connections

#: Threads that help the calling one: one for each core but the caller's, at most three
#: (the database's own processes need the rest).
HELPERS = max(0, min((os.cpu_count() or 1) - 1, 3))


def worth_sharing() -> bool:
    """Whether reads may be shared out now: outside a transaction only."""
    return HELPERS > 0 and not connection.in_atomic_block


def run_all(thunks: Sequence[Callable[[], Any]], *, share: bool = True) -> list[Any]:
    """Each of ``thunks`` called once (the longest should come first); their results in
    order.  Shared out between this thread and the helpers when ``share`` and
    ``worth_sharing``, called here one by one otherwise."""
    helpers = min(HELPERS, len(thunks) - 1)
    if helpers <= 0 or not share or not worth_sharing():
        return [thunk() for thunk in thunks]
    results: list[Any] = [None] * len(thunks)
    errors: list[BaseException] = []
    queue = iter(enumerate(thunks))
    lock = threading.Lock()

    def drain() -> None:
        while not errors:
            with lock:
                taken = next(queue, None)
            if taken is None:
                return
            index, thunk = taken
            try:
                results[index] = thunk()
            except BaseException as error:  # raised again on the calling thread
                errors.append(error)

    def helper() -> None:
        try:
            drain()
        finally:
            connections.close_all()  # this thread's own connections

    threads = [threading.Thread(target=helper, daemon=True) for _ in range(helpers)]
    for thread in threads:
        thread.start()
    try:
        drain()
    finally:
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]
    return results
