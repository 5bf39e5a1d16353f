"""What the schedule has done: a scheduled task enqueued once a day, however many
workers run (the unique pair is the lock)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduledRun(models.Model):
    """A scheduled task (``name``, a key of ``DANSO_SCHEDULE``) enqueued for ``day``."""

    name = models.CharField(_("task"), max_length=100)
    day = models.DateField(_("day"))
    enqueued_at = models.DateTimeField(_("enqueued at"), auto_now_add=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        constraints = [
            models.UniqueConstraint(fields=["name", "day"], name="scheduled_run_once_a_day")
        ]
        ordering = ["-day", "name"]

    def __str__(self) -> str:
        return f"{self.name} {self.day:%d/%m/%Y}"
