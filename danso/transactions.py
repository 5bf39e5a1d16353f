"""Work done once a transaction commits, once for the whole transaction.

Signals fire on every row a change writes; what follows from the change (a task on the
queue) should be asked for once, after the commit, and not at all when the transaction
is rolled back.  ``transaction.on_commit`` gives the second; ``waiting_for_commit`` says
whether a callback is already registered for the current transaction, which gives the
first.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction


def waiting_for_commit(callback: Callable[[], None]) -> bool:
    """Whether ``callback`` is already registered to run when the current transaction
    commits (False outside a transaction, and after a rollback dropped it)."""
    connection = transaction.get_connection()
    return any(registered is callback for _, registered, *_ in connection.run_on_commit)


def on_commit_once(callback: Callable[[], None]) -> None:
    """Run ``callback`` when the current transaction commits, once however often this
    is asked during it (at once outside a transaction)."""
    if not waiting_for_commit(callback):
        transaction.on_commit(callback)
