from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "danso.accounts"
    verbose_name = _("Accounts and access")

    def ready(self) -> None:
        from danso.accounts import signals  # noqa: F401 - connects the login-failure receiver
