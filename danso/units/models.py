"""The dated tree of administrative units.

A ``Unit`` is an administrative unit as a lasting thing (Phường Trúc Bạch, Quận Long
Biên, Thôn 3 of some commune).  Everything that can change about it (code, name, type,
parent) lives in a ``UnitVersion`` valid over a closed range of days; the versions of one
unit never overlap.  A unit is never deleted: it is closed (its last version ends) and
its successors are recorded in ``UnitSuccession``.  Every structural change is a
``UnitChange`` that says what happened, from when, on what legal basis, and who did it.

``UnitVersion.path`` is a materialised path of unit ids ("1.45.3002.") valid for the
whole of the version, so the subtree of a unit on a day is one indexed prefix query.  The
services keep it right when a unit moves (see ``services.rebuild_paths``).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from danso.units.codes import Level, display_code

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

LEVEL_LABELS = {
    Level.COUNTRY: _("Country"),
    Level.PROVINCE: _("Province / city"),
    Level.DISTRICT: _("District"),
    Level.COMMUNE: _("Commune / ward"),
    Level.VILLAGE: _("Village / residential group"),
}
LEVEL_CHOICES = [(level.value, label) for level, label in LEVEL_LABELS.items()]


def level_label(level: Level | str) -> str:
    """The level's name in the active language ("Xã / phường")."""
    return str(LEVEL_LABELS[Level(level)])


def valid_on(day: date, prefix: str = "") -> Q:
    """Rows whose ``valid_from``..``valid_to`` (inclusive, open when null) contain ``day``."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


def overlapping(start: date, end: date | None, prefix: str = "") -> Q:
    """Rows whose validity shares at least one day with ``start``..``end``."""
    q = Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": start})
    if end is not None:
        q &= Q(**{f"{prefix}valid_from__lte": end})
    return q


class UnitChange(models.Model):
    """One structural change: a reference load, a new village, a rename, a merge, ..."""

    class Kind(models.TextChoices):
        REFERENCE = "reference", _("Official reference data loaded")
        CREATE = "create", _("Created")
        RENAME = "rename", _("Renamed")
        MOVE = "move", _("Moved to another parent")
        MERGE = "merge", _("Merged")
        SPLIT = "split", _("Split")
        CLOSE = "close", _("Closed")
        CONVERSION = "conversion", _("Conversion table imported")
        SUCCESSION = "succession", _("Inferred succession confirmed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    effective = models.DateField(_("effective from"))
    description = models.TextField(_("description"), blank=True)
    decision = models.CharField(
        _("legal basis"),
        max_length=300,
        blank=True,
        help_text=_("The decision or resolution, e.g. Nghị quyết 1286/NQ-UBTVQH15."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("structural change")
        verbose_name_plural = _("structural changes")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective:%d/%m/%Y}"


class Unit(models.Model):
    """An administrative unit with a lasting identity across renames and moves."""

    class Origin(models.TextChoices):
        REFERENCE = "reference", _("Official list")
        USER = "user", _("Created in danso")

    level = models.CharField(_("level"), max_length=10, choices=LEVEL_CHOICES, db_index=True)
    # The first and last day on which the unit exists; kept equal to the span of its
    # versions by services.refresh_span (stored because every listing shows them).
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        versions: RelatedManager[UnitVersion]

    class Meta:
        ordering = ["id"]
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")

    def __str__(self) -> str:
        latest = self.versions.order_by("-valid_from").first()
        return latest.name if latest else f"{self.level} #{self.pk}"

    @property
    def level_enum(self) -> Level:
        return Level(self.level)

    def exists_on(self, day: date) -> bool:
        return bool(self.versions.filter(valid_on(day)).exists())


class UnitVersion(models.Model):
    """What a unit was called, coded and placed under, from ``valid_from`` to ``valid_to``."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="versions")
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=40)
    parent = models.ForeignKey(
        Unit,
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="child_versions",
    )
    path = models.CharField(max_length=255)
    name_folded = models.CharField(max_length=200)
    change = models.ForeignKey(
        UnitChange, null=True, blank=True, on_delete=models.PROTECT, related_name="versions"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        unit_id: int
        parent_id: int | None

    class Meta:
        ordering = ["unit_id", "valid_from"]
        verbose_name = _("unit version")
        verbose_name_plural = _("unit versions")
        indexes = [
            models.Index(fields=["code", "valid_from"], name="unitversion_code"),
            models.Index(fields=["parent", "valid_from"], name="unitversion_parent"),
            # varchar_pattern_ops lets PostgreSQL use the index for "path LIKE 'x.%'" in any
            # collation; other databases ignore the operator class.
            models.Index(
                fields=["path"], name="unitversion_path", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["valid_from", "valid_to"], name="unitversion_validity"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="unitversion_valid_range",
            ),
            models.UniqueConstraint(fields=["unit", "valid_from"], name="unitversion_one_start"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%d/%m/%Y}–{self.valid_to or '…'})"

    @property
    def level(self) -> Level:
        return Level(self.unit.level)

    @property
    def display_code(self) -> str:
        return display_code(self.unit.level, self.code)

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def ancestor_ids(self) -> list[int]:
        """Ids of the units above this one (root first), read from the path."""
        return [int(part) for part in self.path.split(".") if part][:-1]

    def as_node(self) -> dict[str, Any]:
        """The NODE of the CLI contract, without children."""
        return {
            "code": self.display_code,
            "name": self.name,
            "level": self.unit.level,
            "type": self.type,
            "valid_from": self.unit.valid_from.isoformat(),
            "valid_to": self.unit.valid_to.isoformat() if self.unit.valid_to else None,
        }


class UnitSuccession(models.Model):
    """``successor`` took over all (or, when ``partial``, part) of ``predecessor``."""

    predecessor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="successions_out")
    successor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="successions_in")
    effective = models.DateField(_("effective from"))
    partial = models.BooleanField(
        _("partial"), default=False, help_text=_("Only part of the old unit went to this one.")
    )
    change = models.ForeignKey(UnitChange, on_delete=models.PROTECT, related_name="successions")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["effective", "predecessor_id", "successor_id"]
        verbose_name = _("succession")
        verbose_name_plural = _("successions")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor", "effective"], name="unitsuccession_once"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="unitsuccession_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} → {self.successor_id} ({self.effective:%d/%m/%Y})"

    if TYPE_CHECKING:
        predecessor_id: int
        successor_id: int


class InferredSuccession(models.Model):
    """A succession the official snapshots suggest but no table states, offered to an
    administrator (``reference.infer_successions``: the rule and what it saw).

    Nothing reads these links but the screen and the command that decide on them: only
    a confirmation (``inferred.inferred_confirm``) records the real ``UnitSuccession``,
    named in ``succession``.  Who decided, when and (for a rejection) why are kept.
    """

    class Rule(models.TextChoices):
        TOOK_NAME = "took_name", _("A commune of the same district took its name")
        NAME_CONTAINS = (
            "name_contains",
            _("A commune of the same district was renamed to a name containing its name"),
        )
        ONLY_PAIR = (
            "only_pair",
            _("The only commune of its district that closed, and the only one renamed"),
        )

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    predecessor = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="inferred_out", verbose_name=_("closed unit")
    )
    successor = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="inferred_in", verbose_name=_("successor")
    )
    effective = models.DateField(_("effective from"))
    partial = models.BooleanField(_("partial"), default=False)
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices)
    evidence = models.CharField(_("what the lists show"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    succession = models.ForeignKey(
        UnitSuccession,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("succession recorded"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        predecessor_id: int
        successor_id: int

    class Meta:
        ordering = ["effective", "predecessor_id", "successor_id"]
        verbose_name = _("inferred succession")
        verbose_name_plural = _("inferred successions")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor", "effective"], name="inferredsuccession_once"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")),
                name="inferredsuccession_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} → {self.successor_id} ({self.effective:%d/%m/%Y}?)"


class UnitGeometry(models.Model):
    """A boundary (GeoJSON geometry, WGS84 longitude/latitude) of a unit."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="geometries")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    geometry = models.JSONField(_("geometry"))
    source = models.CharField(_("source"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit_id", "valid_from"]
        verbose_name = _("boundary")
        verbose_name_plural = _("boundaries")

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.source}"


class ReferenceDataset(models.Model):
    """A set of reference files loaded once (unit lists, boundaries), with what it reported."""

    name = models.CharField(max_length=100, unique=True)
    checksum = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)
    seconds = models.FloatField(default=0)
    problems = models.JSONField(default=list)

    class Meta:
        ordering = ["name"]
        verbose_name = _("reference dataset")
        verbose_name_plural = _("reference datasets")

    def __str__(self) -> str:
        return self.name
