from django.apps import AppConfig
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "danso.plans"
    verbose_name = _("Plans and targets")

    def ready(self) -> None:
        # The plan reader has no Django import: it is told how to translate its
        # messages (problems, places in the file) into the active language.
        from danso.plans.reading.translation import use_translator

        use_translator(gettext)
        # The dashboards of the indicators show the targets of the plans in force.
        from danso.indicators.targets import provide
        from danso.plans.monitoring import targets_of

        provide(targets_of)
