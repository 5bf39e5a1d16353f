from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "danso.reports"
    verbose_name = _("Periodic reports")

    def ready(self) -> None:
        from danso.reports import signals  # noqa: F401 - connects the receivers
