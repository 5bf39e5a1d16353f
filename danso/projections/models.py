"""Population projections per unit (dự báo dân số) and the life tables people enter.

A ``Projection`` is one unit at one base date: its measured inputs (base population,
fertility, mortality, sex ratio at birth, migration) and where each came from, kept as
JSON so that the run can be reopened exactly as it was computed. Each ``Scenario`` of it
is a set of assumptions over time and its results by year (JSON too). Scenarios of the
same unit, from one projection or several, are compared side by side.

``LifeTable`` is a life table entered or imported by a person (probabilities of dying
``nqx`` or death rates ``nmx`` by age group and sex), chosen as a projection's mortality.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from danso.projections.method import Migration
from danso.units.models import Unit

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


#: How a scenario's migration is assumed (``method.Migration``), in words.
MIGRATION_CHOICES = [
    (Migration.REGISTER.value, _("As in the register")),
    (Migration.ZERO.value, _("None")),
    (Migration.SCALED.value, _("The register's, times a factor")),
    (Migration.ENTERED.value, _("Entered by age and sex")),
]


class LifeTable(models.Model):
    """A life table on the groups ``0, 1–4, 5–9, …, open_age+`` for both sexes.

    With ``Kind.NQX`` the values are probabilities of dying and the open group's value is
    the life expectancy at the open age (its ``q`` is 1 by definition); with ``Kind.MX``
    they are death rates per person-year, the open group's included.
    """

    class Kind(models.TextChoices):
        NQX = "nqx", _("Probabilities of dying (nqx), life expectancy in the last group")
        MX = "mx", _("Death rates (nmx)")

    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source"), max_length=300, blank=True)
    kind = models.CharField(_("values are"), max_length=3, choices=Kind.choices)
    open_age = models.PositiveSmallIntegerField(_("last age group from"))
    male = models.JSONField(_("males"))
    female = models.JSONField(_("females"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("life table")
        verbose_name_plural = _("life tables")

    def __str__(self) -> str:
        return self.name


class Projection(models.Model):
    """One unit projected from ``base_date`` to ``to_year`` (see the module docstring).

    ``path`` is the unit's path in the tree of the base date, by which access is decided.
    ``inputs`` is ``method.Inputs.as_dict()``; ``sources`` says where each input came from
    (``services.inputs_gather``).
    """

    class Mortality(models.TextChoices):
        DEFAULT = (
            "default",
            _("The register of the unit or of the nearest unit above with enough deaths"),
        )
        UNIT = "unit", _("The register of this unit")
        PARENT = "parent", _("The register of the unit above")
        MODEL = "model", _("The built-in model table (West, e0 71 men / 76 women)")
        TABLE = "table", _("A life table entered in danso")

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="projections"
    )
    path = models.CharField(max_length=255)
    base_date = models.DateField(_("base date"))
    to_year = models.PositiveSmallIntegerField(_("to year"))
    mortality = models.CharField(
        _("mortality"), max_length=10, choices=Mortality.choices, default=Mortality.DEFAULT
    )
    life_table = models.ForeignKey(
        LifeTable,
        verbose_name=_("life table"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projections",
    )
    inputs = models.JSONField()
    sources = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    if TYPE_CHECKING:
        unit_id: int
        life_table_id: int | None
        scenarios: RelatedManager[Scenario]

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("projection")
        verbose_name_plural = _("projections")
        indexes = [models.Index(fields=["unit", "base_date"], name="projection_unit")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.base_date:%d/%m/%Y}–{self.to_year}"


class Scenario(models.Model):
    """A scenario of a projection: its assumptions (see ``method.ScenarioSpec``) and its
    results by year (``method.ProjectionResult.as_dict()``)."""

    projection = models.ForeignKey(Projection, on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField(_("name"), max_length=60)
    tfr_target = models.FloatField(_("TFR target"), null=True, blank=True)
    tfr_year = models.PositiveSmallIntegerField(_("reached in"), null=True, blank=True)
    srb_target = models.FloatField(_("SRB target"), null=True, blank=True)
    srb_year = models.PositiveSmallIntegerField(_("reached in"), null=True, blank=True)
    migration = models.CharField(
        _("migration"),
        max_length=10,
        choices=MIGRATION_CHOICES,
        default=Migration.REGISTER.value,
    )
    migration_factor = models.FloatField(_("factor"), default=1.0)
    migration_female = models.JSONField(null=True, blank=True)
    migration_male = models.JSONField(null=True, blank=True)
    results = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    if TYPE_CHECKING:
        projection_id: int

    history = HistoricalRecords()

    class Meta:
        ordering = ["projection_id", "pk"]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        constraints = [
            models.UniqueConstraint(fields=["projection", "name"], name="scenario_name_once")
        ]

    def __str__(self) -> str:
        return self.name
