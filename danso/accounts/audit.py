"""Who a change is recorded against in the audit trail (django-simple-history).

Web requests are attributed by ``simple_history.middleware.HistoryRequestMiddleware``;
commands run with ``--user`` and other work outside a request use ``acting_as``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from simple_history.models import HistoricalRecords


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    """Record every change made inside the block as made by ``user`` (None: the system)."""
    context: Any = HistoricalRecords.context
    previous = getattr(context, "request", None)
    if user is not None:
        context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is None:
            if hasattr(context, "request"):
                del context.request
        else:
            context.request = previous
