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
        # A closed unit's targets go on with its successors, carried on the task queue
        # after every change of the tree (``plans.tasks``).
        from django.db.models.signals import post_save

        from danso.plans.tasks import tree_changed
        from danso.units.models import UnitChange, UnitSuccession

        for model in (UnitChange, UnitSuccession):
            post_save.connect(
                tree_changed, sender=model, dispatch_uid=f"plans-carry-{model.__name__}"
            )
