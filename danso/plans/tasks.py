"""The plans' background task (run by ``danso worker``): after a change of the tree — a
commune closed with its successors, a group placed in its new commune — the targets the
closed units held are carried again to their successors (``carried.allocations_carry``),
so that a new ward has its targets without anyone asking for it.  One task a transaction
(its changes committed: a change rolled back enqueues nothing)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from danso.accounts.scope import SYSTEM
from danso.plans.carried import allocations_carry
from danso.transactions import on_commit_once


def tree_changed(sender: Any, **kwargs: Any) -> None:
    """A ``UnitChange`` or ``UnitSuccession`` was saved: carry the targets again once its
    transaction commits (once, whatever it changed)."""
    on_commit_once(_enqueue)


def _enqueue() -> None:
    plans_carry.enqueue()


@task()
def plans_carry() -> dict[str, int]:
    """Carry every issued plan's cells of closed units to their successors (derived cells
    recomputed, adjusted ones kept), as the system."""
    result = allocations_carry(user=SYSTEM)
    return {"created": result.created, "updated": result.updated, "removed": result.removed}
