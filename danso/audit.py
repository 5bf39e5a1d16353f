"""Who a change is recorded against in the audit trail (django-simple-history).

Web requests are attributed by ``simple_history.middleware.HistoryRequestMiddleware``;
commands run with ``--user`` and other work outside a request use ``acting_as``.  A
command run without ``--user`` acts as the **system actor**: a reserved account that
cannot log in ("Hệ thống (dòng lệnh trên máy chủ)"), so that every change and export
names who made it — never nobody.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.functional import SimpleLazyObject
from simple_history.models import HistoricalRecords

#: The user name of the system actor (``system_actor``).
SYSTEM_USERNAME = "he-thong"


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


def system_actor() -> Any:
    """The reserved account that stands for the server's command line (created the first
    time it is needed; inactive, without a usable password or a role)."""
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"full_name": "Hệ thống (dòng lệnh trên máy chủ)", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def account_of(actor: Any) -> Any:
    """The account a change by ``actor`` is recorded against: the user, or the system
    actor for ``accounts.scope.SYSTEM`` (which has no account of its own)."""
    return actor if getattr(actor, "pk", None) else system_actor()


def system_lazily() -> Any:
    """The system actor, looked up only when a change is first recorded (a command may
    run before the accounts table exists: ``danso setup`` migrates first)."""
    return SimpleLazyObject(system_actor)


def current_actor() -> Any:
    """The user changes are recorded against in this block (``acting_as``), or None."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if getattr(user, "pk", None) else None


def recorded_user(user: Any) -> Any:
    """Who a row's "made by" column names: ``user``, or else whoever the block acts as
    (the system actor for a command run without ``--user``), or None outside both."""
    return user if getattr(user, "pk", None) else current_actor()
