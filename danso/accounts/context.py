"""The working context of a request: the day being looked at and the reader's scope.

The day comes from ``?date=YYYY-MM-DD`` (links and bookmarks; it then becomes the
working date of the session), else from the date picker (kept in the session), else
today.  The scope is computed once per request by the one
scope function, ``danso.accounts.scope.unit_scope``.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone

from danso.accounts.scope import unit_scope
from danso.units.models import UnitVersion
from danso.units.scope import Action, UnitScope
from danso.units.selectors import UnitNotFound, UnitOutOfScope, unit_on

SESSION_DATE = "danso_date"


def _parse(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def working_date(request: HttpRequest) -> date:
    cached = getattr(request, "_danso_on", None)
    if isinstance(cached, date):
        return cached
    asked = _parse(request.GET.get("date"))
    if asked is not None and hasattr(request, "session"):
        # A link with a date moves the whole working context there, so that the next
        # page (and the unit picker) stays on the same day.
        remember_date(request, asked)
        return asked
    on = (
        _parse(request.session.get(SESSION_DATE) if hasattr(request, "session") else None)
        or timezone.localdate()
    )
    request._danso_on = on  # type: ignore[attr-defined]
    return on


def request_scope(request: HttpRequest) -> UnitScope:
    cached = getattr(request, "_danso_scope", None)
    on = working_date(request)
    if isinstance(cached, UnitScope) and cached.on == on:
        return cached
    scope = unit_scope(request.user, on)
    request._danso_scope = scope  # type: ignore[attr-defined]
    return scope


def unit_in_scope(unit_id: int, scope: UnitScope, action: Action = Action.VIEW) -> UnitVersion:
    """The version of unit ``unit_id`` on the scope's day, for a view: 403 when it lies
    outside the reader's units (or the action is not theirs there), 404 when no such
    unit existed that day (the message says when it did)."""
    try:
        return unit_on(unit_id, scope, action)
    except UnitOutOfScope as error:
        raise PermissionDenied(str(error)) from error
    except UnitNotFound as error:
        raise Http404(str(error)) from error


def remember_date(request: HttpRequest, on: date | None) -> None:
    """Make ``on`` the session's working date (today is not stored).  The session is
    written only when the date changes."""
    wanted = None if on is None or on == timezone.localdate() else on.isoformat()
    if request.session.get(SESSION_DATE) != wanted:
        if wanted is None:
            request.session.pop(SESSION_DATE, None)
        else:
            request.session[SESSION_DATE] = wanted
    request._danso_on = on or timezone.localdate()  # type: ignore[attr-defined]
