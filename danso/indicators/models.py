"""The indicator catalogue, and indicator values entered for a unit and period.

``Indicator`` starts from ``catalogue.CATALOGUE`` (loaded once by ``danso setup``) and is
then the officers' to edit: definitions change between plan years (the 2026 Hà Nội plan
reverses the direction of the birth rate), so a definition holds for a range of years.

``IndicatorValue`` is a figure entered or imported for a unit and a period (a baseline for
a change target, the result of a unit that keeps no register in danso).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from danso.indicators.catalogue import Direction
from danso.indicators.catalogue import Unit as MeasureUnit
from danso.units.models import Unit

UNIT_LABELS = {
    MeasureUnit.PERCENT: _("%"),
    MeasureUnit.PERMILLE: _("‰"),
    MeasureUnit.PER_100: _("per 100"),
    MeasureUnit.PERSONS: _("persons"),
    MeasureUnit.CHILDREN_PER_WOMAN: _("children per woman"),
    MeasureUnit.PER_WOMAN: _("per woman"),
}
DIRECTION_LABELS = {
    Direction.HIGHER: _("higher is better"),
    Direction.LOWER: _("lower is better"),
    Direction.TARGET: _("closest to the target"),
}


class Indicator(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("Vietnamese name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300)
    unit = models.CharField(
        _("unit"), max_length=30, choices=[(u.value, label) for u, label in UNIT_LABELS.items()]
    )
    direction = models.CharField(
        _("direction"),
        max_length=10,
        choices=[(d.value, label) for d, label in DIRECTION_LABELS.items()],
    )
    numerator = models.TextField(_("numerator"), blank=True)
    denominator = models.TextField(_("denominator"), blank=True)
    #: a definition by expressions (``expressions``): the numerator and denominator over
    #: the register's counts and data elements, and the factor (100 for a percentage);
    #: empty for the catalogue's indicators the engine computes itself
    numerator_expression = models.TextField(_("numerator (expression)"), blank=True)
    denominator_expression = models.TextField(_("denominator (expression)"), blank=True)
    factor = models.DecimalField(
        _("factor"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=1)
    is_count = models.BooleanField(_("a count of persons"), default=False)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("breakdown of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="breakdowns",
    )
    valid_from_year = models.PositiveSmallIntegerField(
        _("definition holds from"), null=True, blank=True
    )
    valid_to_year = models.PositiveSmallIntegerField(
        _("definition holds until"), null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        parent_id: int | None

    class Meta:
        ordering = ["code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to_year__isnull=True)
                | Q(valid_from_year__isnull=True)
                | Q(valid_to_year__gte=F("valid_from_year")),
                name="indicator_year_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name_vi}"

    @property
    def is_defined(self) -> bool:
        """Defined by expressions (``numerator_expression``), not computed by the engine."""
        return bool(self.numerator_expression)


class IndicatorValue(models.Model):
    """A value of ``indicator`` for ``unit`` over ``period`` ("2024", "2025Q1", "2025-03"),
    entered or imported (the register computes its own later)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="indicator_values"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="values"
    )
    period = models.CharField(_("period"), max_length=12)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    numerator = models.DecimalField(
        _("numerator"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("denominator"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        unit_id: int
        indicator_id: int

    class Meta:
        ordering = ["indicator_id", "unit_id", "period"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "indicator", "period"], name="indicatorvalue_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.unit_id} {self.period}: {self.value}"


class LeafTally(models.Model):
    """The engine's tallies of one leaf unit (village, or commune for households placed
    directly in it) for one period: a cache, rebuilt on demand.

    A row is deleted whenever the register changes in a way that can alter it (see
    ``cache.invalidate``), so what is stored is always what the engine would count now;
    the figures of any unit are the sums of its leaves' rows.
    """

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=16)
    period_end = models.DateField()
    tally = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)

    if TYPE_CHECKING:
        unit_id: int

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="leaftally_once"),
        ]
        indexes = [
            # a city's rows of a period read with their ids from the index alone (the ids
            # are what its branch sums are kept under); SQLite's index holds the id anyway
            models.Index(fields=["period", "unit"], include=["id"], name="leaftally_period_unit"),
            models.Index(fields=["period_end"]),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period}"


class EnteredFigures(models.Model):
    """The counts a unit without a register in danso reports for a period (a paper
    commune's statistical report): the same tallies the engine counts from a register
    (``entered.FIELDS``), so that they add up the tree with the register's."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="entered_figures"
    )
    period = models.CharField(_("period"), max_length=16)
    period_end = models.DateField()
    counts = models.JSONField(_("counts"), default=dict)
    source = models.CharField(_("source"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        unit_id: int

    class Meta:
        ordering = ["unit_id", "period"]
        verbose_name = _("entered figures")
        verbose_name_plural = _("entered figures")
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="enteredfigures_once"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period}"


class FiguresEpoch(models.Model):
    """A counter of changes to what figures rest on (the register's tallies, entered
    figures, the tree of units, population figures): whole figures of a unit are kept
    in Django's cache under the epoch they were computed in, and a change moves the
    epoch on (``cache.changed``), so nothing stale is ever read."""

    n = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.n)


class FiguresChange(models.Model):
    """The last epoch (``FiguresEpoch.n``) at which the figures of periods ending on or
    after ``cut`` changed: an event of June changes no figure of 2024, so the figures of
    2024 kept in the cache stay good.  A change whose day is unknown (a unit, an entered
    or population figure, a bulk write) has the earliest cut (``cache.EVERY_PERIOD``).
    One row a month at most: a change's cut is the first day of the month of its day
    less ``cache.MARGIN``."""

    cut = models.DateField(unique=True)
    n = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.cut}: {self.n}"


class BranchSum(models.Model):
    """A branch's leaves added up for a period (``cache.branch_sums``): the sum of the
    ``LeafTally`` rows of the units under one unit, each by its share, under a digest
    (``key``) of the period, the branch's path, its leaves, their shares and their rows'
    ids.  Rows of ``LeafTally`` are never updated and their ids never reused, so a sum is
    right for as long as its key is asked for, in any process and after a restart: the
    first dashboard of a new server process reads a province's thirty sums instead of
    adding up its eight thousand leaves again.  A sum of a branch and period replaces the
    earlier ones when it is written; none is written inside a transaction.  Derived: no
    foreign key, no history.
    """

    key = models.CharField(max_length=64, unique=True)
    period = models.CharField(max_length=16)
    branch = models.CharField(max_length=255)
    tally = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["period", "branch"], name="branchsum_branch")]

    def __str__(self) -> str:
        return f"{self.branch} {self.period}"


class StaySpell(models.Model):
    """A person's registered spell in a leaf unit: their stays in households
    (``Membership``) while those households were placed in the leaf
    (``HouseholdPlacement``), each stay cut to the days of the placement, overlapping ones
    joined, from ``start`` to ``until`` (inclusive, None while open), with the person's
    sex and birth date.  A person's spells in one leaf never overlap: on any day at most
    one covers them, so a count of persons on a day needs no ``DISTINCT``.

    Kept by ``spells`` in the transaction of every register write, and rebuilt set-based
    after bulk changes, so that a count of the stock on any day reads one table instead of
    joining stays, placements and persons.  Persons merged into another have none.  No
    foreign keys: it is derived, deleted and written again whole for a person.
    """

    leaf = models.BigIntegerField()
    person = models.BigIntegerField()
    sex = models.CharField(max_length=1)
    born = models.DateField()
    start = models.DateField()
    until = models.DateField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["leaf", "start"], name="stayspell_leaf"),
            models.Index(fields=["person"], name="stayspell_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.leaf} from {self.start}"


class HouseholdSpell(models.Model):
    """A household's spell of presence in a leaf: the days at least one of its members
    (not merged into another person) is registered there with it (``StaySpell``'s rule),
    overlapping spells joined, so that a count of households on a day needs no
    ``DISTINCT``.  Kept with ``StaySpell``."""

    leaf = models.BigIntegerField()
    household = models.BigIntegerField()
    start = models.DateField()
    until = models.DateField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["leaf", "start"], name="householdspell_leaf"),
            models.Index(fields=["household"], name="householdspell_household"),
        ]

    def __str__(self) -> str:
        return f"{self.household} in {self.leaf} from {self.start}"


class WomanSpell(models.Model):
    """A woman's spell of being married (``kind`` M) or of using a modern contraceptive
    method (``kind`` U), from ``start`` (None: since always) to the day before ``end``
    (None: still), as contraceptive prevalence reads them (``spells`` says how each is
    built from her marriages, divorces, method starts and stops).  Kept with
    ``StaySpell``, for women not merged into another person."""

    MARRIED = "M"
    USING = "U"

    person = models.BigIntegerField()
    kind = models.CharField(max_length=1)
    start = models.DateField(null=True)
    end = models.DateField(null=True)

    class Meta:
        indexes = [models.Index(fields=["person", "kind"], name="womanspell_person")]

    def __str__(self) -> str:
        return f"{self.person} {self.kind} from {self.start} to {self.end}"
