from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from danso.accounts.context import request_scope, working_date
from danso.units.scope import Action


def working_context(request: HttpRequest) -> dict[str, Any]:
    """The day being looked at, and what the menu may offer, for every page."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    on = working_date(request)
    return {
        "working_date": on,
        "working_date_is_today": on == timezone.localdate(),
        "can_manage_users": request_scope(request).is_everything(Action.MANAGE_USERS),
        "can_read_records": request_scope(request).allows_anywhere(Action.VIEW_RECORDS),
        "can_read_access_log": request_scope(request).is_everything(Action.VIEW_ACCESS_LOG),
    }
