"""API tokens: issued, found by their key, revoked (docs/deployment.md, "API tokens").

A key is ``dso_`` followed by 40 characters of URL-safe base64 (240 random bits).  Only
its SHA-256 is stored (``ApiToken.key_hash``), with its first characters to tell tokens
apart: the key is shown once, to whoever asked for it, and cannot be shown again.  A token
lives API_TOKEN_DAYS unless issued for fewer days, and is refused once revoked, once
expired, while its user is disabled, and while its user's name is locked at the caller's
address (danso.accounts.authentication, danso.accounts.lockout).

Tokens of Django REST framework's kind (``rest_framework.authtoken.Token``: one per user,
stored as it is, never expiring) are no longer made.  Migration ``0004`` carried those
that existed over into ``ApiToken``, hashed, expiring CARRIED_OVER_DAYS after the upgrade,
and deleted them.  A row of the old kind made since (by code that calls
``Token.objects.create``, as tests do, or on Django admin's "Tokens" page) is honoured
under the same rules, expiring API_TOKEN_DAYS after it was made; revoking it deletes it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from danso.accounts.models import ApiToken, User
from danso.audit import recorded_user

#: What every key of danso's begins with (a key of the old kind is 40 hex digits).
KEY_PREFIX = "dso_"
#: How much of a key is kept and shown to tell tokens apart.
PREFIX_LENGTH = len(KEY_PREFIX) + 8
#: Days that tokens carried over from the old kind live after the upgrade.
CARRIED_OVER_DAYS = 30
#: The last use of a token is written at most this often.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    #: The key itself: give it to the holder now, it is not kept.
    key: str


@dataclass(frozen=True)
class FoundToken:
    """The token a key belongs to, of either kind, and what decides whether it works."""

    user: User
    token: ApiToken | Token
    expires_at: datetime
    revoked: bool


@transaction.atomic
def api_token_issue(
    *, user: User, name: str, days: int | None = None, by: Any = None
) -> IssuedToken:
    """Issue a token to ``user`` for ``name`` (what it is for) for ``days`` days
    (API_TOKEN_DAYS if None; 1 to API_TOKEN_MAX_DAYS), recorded as issued by ``by``."""
    days = settings.API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError(
            _("A token is issued for 1 to %(most)d days.") % {"most": settings.API_TOKEN_MAX_DAYS}
        )
    name = name.strip()
    if not name:
        raise ValidationError(_("Say what the token is for."))
    if not user.is_active:
        raise ValidationError(_("This account is disabled."))
    key = KEY_PREFIX + secrets.token_urlsafe(30)
    now = timezone.now()
    issuer = recorded_user(by)
    token = ApiToken(
        user=user,
        name=name[:100],
        prefix=key[:PREFIX_LENGTH],
        key_hash=hash_key(key),
        created_at=now,
        created_by=issuer,
        expires_at=now + timedelta(days=days),
    )
    if issuer is not None:
        token._history_user = issuer  # type: ignore[attr-defined]  # simple_history's hook
    token.save()
    return IssuedToken(token, key)


def api_token_revoke(*, token: ApiToken, by: Any) -> ApiToken:
    """Revoke ``token`` (kept, with who revoked it and when); revoking it again changes
    nothing."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = recorded_user(by)
        if token.revoked_by is not None:
            token._history_user = token.revoked_by  # type: ignore[attr-defined]
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


@transaction.atomic
def api_tokens_revoke_all(*, user: User, by: Any) -> int:
    """Revoke every token of ``user`` not yet revoked (expired ones included), and delete
    a token of the old kind; how many were revoked."""
    revoked = 0
    for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True):
        api_token_revoke(token=token, by=by)
        revoked += 1
    deleted, _counts = Token.objects.filter(user=user).delete()
    return revoked + deleted


def token_for_key(key: str) -> FoundToken | None:
    """The token ``key`` belongs to, with its user, or None.  One query for a key of
    either kind as issued; two for a key of the old kind carried over."""
    if not key.startswith(KEY_PREFIX):
        legacy = Token.objects.select_related("user").filter(key=key).first()
        if legacy is not None:
            return FoundToken(
                user=legacy.user,
                token=legacy,
                expires_at=legacy.created + timedelta(days=settings.API_TOKEN_DAYS),
                revoked=False,
            )
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
    if token is None:
        return None
    return FoundToken(
        user=token.user,
        token=token,
        expires_at=token.expires_at,
        revoked=token.revoked_at is not None,
    )


def api_token_used(token: ApiToken, now: datetime | None = None) -> None:
    """Note that ``token`` was used (at most once a LAST_USED_RESOLUTION; not in its
    history)."""
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
