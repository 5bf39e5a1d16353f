from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatasetsConfig(AppConfig):
    name = "danso.datasets"
    verbose_name = _("Data sets")

    def ready(self) -> None:
        # the indicators read the data elements' totals through the function given here
        # (the indicators app sits below this one and never imports it)
        from danso.datasets.selectors import element_totals, number_elements
        from danso.indicators import defined

        defined.provide(element_totals, number_elements)
