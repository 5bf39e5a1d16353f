"""A plan issued anywhere (its screen, an import, the API) gets its implementation
report types once the transaction that issued it commits, its report obligations saved
with it.  The reports app listens to the plans app; plans know nothing of reports."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from danso.plans.models import Plan


@receiver(post_save, sender=Plan, dispatch_uid="reports.plan_issued")
def plan_issued(sender: type[Plan], instance: Plan, **kwargs: Any) -> None:
    if instance.status != Plan.Status.ISSUED:
        return
    from danso.reports.services import plan_report_types_from  # services import the models

    pk = instance.pk
    transaction.on_commit(
        lambda: (
            plan_report_types_from(Plan.objects.get(pk=pk))
            if Plan.objects.filter(pk=pk, status=Plan.Status.ISSUED).exists()
            else None
        )
    )
