"""Count failed logins (web, API token, admin) for the throttle and the lock
(danso.accounts.lockout); a login clears the failures of its name at its address.  A
role saved or deleted forgets the scopes remembered while reading a page
(``units.reading``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest

from danso.accounts import lockout
from danso.accounts.models import RoleAssignment
from danso.accounts.scope import SCOPES
from danso.units.reading import forget


@receiver(post_save, sender=RoleAssignment)
@receiver(post_delete, sender=RoleAssignment)
def _forget_scopes(sender: Any, **kwargs: Any) -> None:
    forget(SCOPES)


@receiver(user_login_failed)
def _record_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = credentials.get("username")
    if not username:
        return
    if request is not None and getattr(request, lockout.REFUSED, None) is not None:
        return  # refused unheard: the lock ends when its window says
    lockout.login_failure_record(username=username, ip=lockout.client_address(request))


@receiver(user_logged_in)
def _clear_failures(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    lockout.login_failures_clear(username=user.get_username(), ip=lockout.client_address(request))
