"""The plans' background task (run by ``danso worker``): after a change of the tree — a
commune closed with its successors, a group placed in its new commune — the targets the
closed units held are carried again to their successors (``carried.allocations_carry``),
so that a new ward has its targets without anyone asking for it.  One task a transaction
(its changes committed: a change rolled back enqueues nothing)."""

from __future__ import annotations

import threading
from typing import Any

from django.db import transaction
from django_tasks import task

from danso.accounts.scope import SYSTEM
from danso.plans.carried import allocations_carry

_pending = threading.local()


def tree_changed(sender: Any, **kwargs: Any) -> None:
    """A ``UnitChange`` or ``UnitSuccession`` was saved: carry the targets again once its
    transaction commits (once, whatever it changed)."""
    if getattr(_pending, "waiting", False) and _waiting_for_commit():
        return
    _pending.waiting = True
    transaction.on_commit(_enqueue)


def _waiting_for_commit() -> bool:
    connection = transaction.get_connection()
    return any(callback is _enqueue for _, callback, *_ in connection.run_on_commit)


def _enqueue() -> None:
    _pending.waiting = False
    plans_carry.enqueue()


@task()
def plans_carry() -> dict[str, int]:
    """Carry every issued plan's cells of closed units to their successors (derived cells
    recomputed, adjusted ones kept), as the system."""
    result = allocations_carry(user=SYSTEM)
    return {"created": result.created, "updated": result.updated, "removed": result.removed}
