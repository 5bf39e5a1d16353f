from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackgroundConfig(AppConfig):
    name = "danso.background"
    verbose_name = _("Background work")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The rows of the task queue are shown where the work is (an import's own page),
        # not in Django's admin, whose pages django-tasks-db registers: they would show
        # tasks' arguments and tracebacks to staff outside the scope of their units.
        from django.contrib import admin
        from django_tasks_db.models import DBTaskResult

        if admin.site.is_registered(DBTaskResult):
            admin.site.unregister(DBTaskResult)
