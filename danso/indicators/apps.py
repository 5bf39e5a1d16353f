from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "danso.indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from danso.indicators import signals  # models are ready only now

        signals.connect()
