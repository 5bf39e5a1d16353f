"""``Authorization: Token <key>`` on the API, with danso's tokens (danso.accounts.tokens):
the header is the one Django REST framework's tokens used, so clients need no change."""

from __future__ import annotations

from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from danso.accounts import lockout, tokens
from danso.accounts.models import ApiToken


class ApiTokenAuthentication(TokenAuthentication):
    """Refuses a key that is unknown, revoked or expired, a disabled user, and a user
    whose name is locked at the caller's address (danso.accounts.lockout): every way of
    acting as that user from there is closed while the lock lasts."""

    keyword = "Token"
    address: str | None = None

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        # An authenticator is made for each request: the address is this request's.
        self.address = lockout.client_address(request)
        return super().authenticate(request)

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        found = tokens.token_for_key(key)
        if found is None:
            raise AuthenticationFailed(_("Invalid token."))
        if found.revoked:
            raise AuthenticationFailed(_("This token was revoked."))
        now = timezone.now()
        if found.expires_at <= now:
            raise AuthenticationFailed(_("This token has expired."))
        if not found.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        until = lockout.login_locked_until(
            username=found.user.get_username(), ip=self.address, now=now
        )
        if until is not None:
            raise AuthenticationFailed(
                _(
                    "Too many failed logins: this account is locked until %(time)s. "
                    "Try again later or ask the administrator."
                )
                % {"time": formats.time_format(timezone.localtime(until), "H:i")}
            )
        if isinstance(found.token, ApiToken):
            tokens.api_token_used(found.token, now)
        return found.user, found.token
