"""Population figures per unit and year: the denominators and allocation weights until
the register supplies its own.  Entered in a form or imported from xlsx/csv."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from danso.bounds import MAX_COUNT
from danso.population.agegroups import DEFAULT_OPEN_AGE, group_labels
from danso.units.models import Unit


class PopulationFigure(models.Model):
    """The population of ``unit`` in ``year`` (at mid-year, 1 July, unless the source
    says otherwise): total, by sex, and by sex and five-year age group.

    ``male_by_age`` and ``female_by_age`` hold one count per group of
    ``group_labels(open_age)`` (0–4, 5–9, …, ``open_age``+), or are null when unknown.
    """

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="population_figures"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    total = models.PositiveIntegerField(_("total"))
    male = models.PositiveIntegerField(_("male"), null=True, blank=True)
    female = models.PositiveIntegerField(_("female"), null=True, blank=True)
    open_age = models.PositiveSmallIntegerField(_("open age group from"), default=DEFAULT_OPEN_AGE)
    male_by_age = models.JSONField(_("males by age group"), null=True, blank=True)
    female_by_age = models.JSONField(_("females by age group"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        unit_id: int

    class Meta:
        ordering = ["unit_id", "year"]
        verbose_name = _("population figure")
        verbose_name_plural = _("population figures")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="populationfigure_once"),
            # the widest bound of danso.bounds, held by the database too
            models.CheckConstraint(
                condition=Q(total__lte=MAX_COUNT)
                & (Q(male__isnull=True) | Q(male__lte=MAX_COUNT))
                & (Q(female__isnull=True) | Q(female__lte=MAX_COUNT)),
                name="populationfigure_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year}: {self.total}"

    def age_rows(self) -> list[tuple[str, int | None, int | None]]:
        """(label, males, females) per age group, for display."""
        labels = group_labels(self.open_age)
        males = self.male_by_age or [None] * len(labels)
        females = self.female_by_age or [None] * len(labels)
        return list(zip(labels, males, females, strict=True))
