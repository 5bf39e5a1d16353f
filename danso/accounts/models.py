"""People, the roles they hold at units for a period, their API tokens, and failed logins."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from danso.accounts.policy import Role
from danso.units.models import Unit

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


class User(AbstractUser):
    """A person who logs in.  Their reach comes only from their ``roles``."""

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    if TYPE_CHECKING:
        roles: RelatedManager[RoleAssignment]

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class RoleAssignment(models.Model):
    """``user`` holds ``role`` at ``unit`` (and so over everything below it) from
    ``valid_from`` to ``valid_to`` inclusive.  Ended, never deleted."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        unit_id: int | None

    class Meta:
        ordering = ["user_id", "-valid_from"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="roleassignment_valid_range",
            ),
            models.CheckConstraint(
                condition=Q(role=Role.ADMIN) | Q(unit__isnull=False),
                name="roleassignment_unit_unless_admin",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class ApiToken(models.Model):
    """A key for the API (``Authorization: Token <key>``), issued to ``user`` for a purpose
    (``name``) until ``expires_at``.  Only a hash of the key is kept: the key is shown once,
    when it is issued (danso.accounts.tokens).  Revoked, never deleted: the row is the
    record of who issued it, when it was last used, and who revoked it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("purpose"), max_length=100)
    #: The key's first characters, shown to tell tokens apart (not enough to use one).
    prefix = models.CharField(_("begins with"), max_length=12)
    #: SHA-256 of the key, in hex: keys are 240 random bits, so no salt or slow hash is
    #: needed for a stolen table to be useless.
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("issued"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Issued and revoked are in the history; each use is not (last_used_at).
    history = HistoricalRecords(excluded_fields=["key_hash", "last_used_at"])

    if TYPE_CHECKING:
        user_id: int

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name}"

    def status(self, now: datetime | None = None) -> str:
        """``active``, ``expired`` or ``revoked``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= (now or timezone.now()):
            return "expired"
        return "active"


class LoginFailure(models.Model):
    """A failed login, kept to close a user name at an address, or an address, after
    repeated failures (danso.accounts.lockout)."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")
        indexes = [models.Index(fields=["ip", "at"], name="loginfailure_ip_at")]

    def __str__(self) -> str:
        return f"{self.username} {self.at:%d/%m/%Y %H:%M}"
