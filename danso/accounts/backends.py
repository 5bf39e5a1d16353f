"""Authentication that refuses a user name locked after repeated failures."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from danso.accounts import services


class LockoutModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username and services.login_locked_until(username=username):
            # PermissionDenied stops every backend and counts as one more failure.
            raise PermissionDenied("locked")
        return super().authenticate(request, username=username, password=password, **kwargs)
