"""Authentication that refuses a login closed by the throttle or the lock
(danso.accounts.lockout): every form that takes a password (the login page, the API
token endpoint, Django admin's through the login page) goes through here."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from danso.accounts import lockout


class LockoutModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username:
            refusal = lockout.login_refusal(username=username, ip=lockout.client_address(request))
            if refusal is not None:
                if request is not None:
                    # read by the failure receiver (not counted again) and by the forms
                    setattr(request, lockout.REFUSED, refusal)
                # PermissionDenied stops every backend
                raise PermissionDenied("locked")
        return super().authenticate(request, username=username, password=password, **kwargs)
