"""What a province tracks besides the register: data elements (one figure a unit reports:
"số thai phụ được tư vấn"), grouped into data sets with a period type and the level that
reports them, and the values entered for a unit and period.

A data element's values add up the tree (a district's is the sum of its wards') and over
months (a quarter's is the sum of its months); the indicators read them through
expressions (``danso.indicators.expressions``: ``#{CODE}``).  Every change is kept in the
history with who made it and why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from danso.units.models import Unit


class ValueType(models.TextChoices):
    NUMBER = "number", _("number")
    PERCENT = "percent", _("percentage")
    YES_NO = "yes_no", _("yes / no")
    TEXT = "text", _("text")


class Disaggregation(models.TextChoices):
    NONE = "", _("none")
    SEX = "sex", _("by sex")
    METHOD = "method", _("by contraceptive method")


class PeriodType(models.TextChoices):
    MONTH = "month", _("monthly")
    QUARTER = "quarter", _("quarterly")
    YEAR = "year", _("yearly")


class ReportingLevel(models.TextChoices):
    PROVINCE = "province", _("province / city")
    DISTRICT = "district", _("district")
    COMMUNE = "commune", _("commune / ward")


class DataElement(models.Model):
    """One figure a unit reports, with its code (``PREG_COUNSELLED``), names and type."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("Vietnamese name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    value_type = models.CharField(
        _("value type"), max_length=10, choices=ValueType.choices, default=ValueType.NUMBER
    )
    disaggregation = models.CharField(
        _("disaggregation"), max_length=10, choices=Disaggregation.choices, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("data element")
        verbose_name_plural = _("data elements")

    def __str__(self) -> str:
        return f"{self.code} · {self.name_vi}"

    @property
    def adds_up(self) -> bool:
        """Numbers add up over units and months; percentages, answers and text do not."""
        return self.value_type == ValueType.NUMBER


class DataSet(models.Model):
    """Data elements reported together by the units of one level for each period of one
    type (a commune's monthly counselling and screening counts)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("Vietnamese name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    period_type = models.CharField(_("period type"), max_length=10, choices=PeriodType.choices)
    level = models.CharField(_("reported by"), max_length=10, choices=ReportingLevel.choices)
    elements = models.ManyToManyField(
        DataElement, through="DataSetMember", related_name="data_sets", verbose_name=_("elements")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("data set")
        verbose_name_plural = _("data sets")

    def __str__(self) -> str:
        return f"{self.code} · {self.name_vi}"


class DataSetMember(models.Model):
    """A data element's place in a data set's entry form."""

    data_set = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="members")
    element = models.ForeignKey(DataElement, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        data_set_id: int
        element_id: int

    class Meta:
        ordering = ["data_set_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["data_set", "element"], name="datasetmember_once")
        ]

    def __str__(self) -> str:
        return f"{self.data_set_id}: {self.element_id}"


class DataValue(models.Model):
    """The value of ``element`` (for ``option`` of its disaggregation, "" for the whole)
    reported by ``unit`` for ``period`` ("2025-03", "2025Q1", "2025"), with the days it
    covers, the data set it was entered through, who entered it and, for a correction,
    why."""

    element = models.ForeignKey(
        DataElement, verbose_name=_("data element"), on_delete=models.PROTECT, related_name="values"
    )
    data_set = models.ForeignKey(
        DataSet, verbose_name=_("data set"), on_delete=models.PROTECT, related_name="values"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="data_values"
    )
    period = models.CharField(_("period"), max_length=12)
    start = models.DateField()
    end = models.DateField()
    option = models.CharField(_("breakdown"), max_length=20, blank=True)
    number = models.DecimalField(_("value"), max_digits=16, decimal_places=4, null=True, blank=True)
    text = models.CharField(_("text"), max_length=1000, blank=True)
    reason = models.CharField(_("reason for the change"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        element_id: int
        data_set_id: int
        unit_id: int

    class Meta:
        ordering = ["element_id", "unit_id", "start", "option"]
        verbose_name = _("data value")
        verbose_name_plural = _("data values")
        constraints = [
            models.UniqueConstraint(
                fields=["element", "unit", "period", "option"], name="datavalue_once"
            ),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="datavalue_days"),
        ]
        indexes = [models.Index(fields=["element", "start"], name="datavalue_element_start")]

    def __str__(self) -> str:
        return f"{self.element_id} {self.unit_id} {self.period}: {self.number or self.text}"
