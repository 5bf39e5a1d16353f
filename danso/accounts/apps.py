from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "danso.accounts"
    verbose_name = _("Accounts and access")

    def ready(self) -> None:
        from danso.accounts import signals  # noqa: F401 - connects the login-failure receiver


class DansoAdminConfig(admin_apps.AdminConfig):
    """Django's admin, whose login page is danso's (throttled and locked the same way)."""

    default = False  # named in INSTALLED_APPS; AccountsConfig is this module's default
    default_site = "danso.accounts.admin_site.DansoAdminSite"
