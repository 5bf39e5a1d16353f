"""Health facilities under a commune (cơ sở y tế: clinics offering ultrasound, abortion,
IVF …) and the inspections of them for the ban on sex selection (kiểm tra việc thực
hiện quy định cấm lựa chọn giới tính thai nhi).

Neither is personal data: a facility is a business with a licence, an inspection a record
of an official team's visit.  Every change is kept in the history with who made it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from danso.units.models import Unit

#: The largest fine a form or a file may hold, in đồng (the decree's ceilings are far
#: below; past this a number is a typing mistake).
MAX_FINE = 10**12


class Ownership(models.TextChoices):
    PUBLIC = "public", _("state-owned")
    PRIVATE = "private", _("privately owned")


class Service(models.TextChoices):
    """The services that make a facility one to inspect for sex selection."""

    ULTRASOUND = "ultrasound", _("ultrasound")
    ABORTION = "abortion", _("abortion")
    IVF = "ivf", _("in-vitro fertilisation (IVF)")
    PRENATAL = "prenatal", _("antenatal check-ups")
    GENETIC = "genetic", _("genetic and DNA testing")
    OBSTETRICS = "obstetrics", _("obstetrics and gynaecology")


class ChecklistItem(models.TextChoices):
    """What an inspection team checks against the ban on sex selection (Pháp lệnh Dân số,
    Nghị định 104/2003/NĐ-CP and its amendments; the sanctions of Nghị định 117/2020/NĐ-CP).
    Checked means the facility complies."""

    NOTICE_POSTED = (
        "notice_posted",
        _("A notice that choosing the sex of a foetus is banned is posted"),
    )
    NO_DISCLOSURE = "no_disclosure", _("No one tells or hints at the sex of a foetus")
    RECORDS_KEPT = "records_kept", _("Records of ultrasound scans and abortions are kept")
    LICENCE_VALID = "licence_valid", _("The licence is valid and covers the services offered")
    STAFF_COMMITTED = (
        "staff_committed",
        _("The staff have signed a commitment not to reveal the sex of a foetus"),
    )
    NO_ADVERTISING = "no_advertising", _("No advertising or promotion of sex selection")
    ABORTION_RULES = (
        "abortion_rules",
        _("Abortions follow the rules (no abortion to choose the sex)"),
    )


class ViolationKind(models.TextChoices):
    DISCLOSURE = "disclosure", _("revealing the sex of a foetus")
    SELECTIVE_ABORTION = "selective_abortion", _("abortion to choose the sex")
    ADVERTISING = "advertising", _("advertising or promoting sex selection")
    RECORDS = "records", _("records not kept or notice not posted")
    LICENCE = "licence", _("services beyond the licence")
    OTHER = "other", _("other violation")


class Facility(models.Model):
    """A health facility of a commune (``unit``, a commune or ward), with the services
    that bring it under the ban on sex selection."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("commune / ward"), on_delete=models.PROTECT, related_name="facilities"
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    ownership = models.CharField(
        _("ownership"), max_length=10, choices=Ownership.choices, default=Ownership.PRIVATE
    )
    services = models.JSONField(_("services offered"), default=list, blank=True)
    licence_number = models.CharField(_("licence number"), max_length=60, blank=True)
    licence_date = models.DateField(_("licence date"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    active = models.BooleanField(_("operating"), default=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        unit_id: int

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("health facility")
        verbose_name_plural = _("health facilities")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | (Q(latitude__gte=-90) & Q(latitude__lte=90)),
                name="facility_latitude",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True)
                | (Q(longitude__gte=-180) & Q(longitude__lte=180)),
                name="facility_longitude",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def service_labels(self) -> list[str]:
        """The services' names in the active language, in the catalogue's order."""
        return [str(label) for value, label in Service.choices if value in (self.services or [])]


class Inspection(models.Model):
    """One visit of an inspection team to ``facility`` on ``date``: what it checked
    (``checklist``: item code → complied), found, and decided."""

    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    date = models.DateField(_("date of inspection"))
    team = models.CharField(_("inspection team"), max_length=300)
    agencies = models.CharField(_("agencies taking part"), max_length=300, blank=True)
    checklist = models.JSONField(_("checklist"), default=dict, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    violation = models.BooleanField(_("violation found"), default=False)
    violation_kind = models.CharField(
        _("kind of violation"), max_length=20, choices=ViolationKind.choices, blank=True
    )
    sanction = models.TextField(_("sanction"), blank=True)
    fine = models.DecimalField(
        _("fine (đồng)"), max_digits=15, decimal_places=0, null=True, blank=True
    )
    follow_up = models.TextField(_("follow-up"), blank=True)
    follow_up_on = models.DateField(_("follow-up date"), null=True, blank=True)
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        facility_id: int
        inspected_by_id: int

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [models.Index(fields=["facility", "date"], name="inspection_facility_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(fine__isnull=True) | (Q(fine__gte=0) & Q(fine__lt=MAX_FINE)),
                name="inspection_fine",
            ),
            models.CheckConstraint(
                condition=Q(violation=True) | Q(violation_kind=""),
                name="inspection_kind_with_violation",
            ),
            models.CheckConstraint(
                condition=Q(follow_up_on__isnull=True) | Q(follow_up_on__gte=models.F("date")),
                name="inspection_follow_up_after",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.date:%d/%m/%Y}"

    def failed_items(self) -> list[str]:
        """The checklist items the facility did not comply with, named."""
        return [
            str(label)
            for value, label in ChecklistItem.choices
            if self.checklist.get(value) is False
        ]
