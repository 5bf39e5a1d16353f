from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "danso.facilities"
    verbose_name = _("Health facilities and inspections")
