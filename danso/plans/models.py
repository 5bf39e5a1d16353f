"""Plans (kế hoạch), their targets (chỉ tiêu) and the allocation of targets to the units
below (giao chỉ tiêu), with the parts every plan has (DOMAIN §3).

A ``Plan`` is issued by a unit for one year or several.  Its ``Target`` rows are the
unit's own targets; each target's ``Allocation`` rows are the values handed to the units
directly below (the appendix tables).  A child unit's own plan ``implements`` its
parent's plan and is checked against what it was given.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from danso.bounds import MAX_COUNT
from danso.indicators.models import Indicator
from danso.plans.document import SectionKind, TargetKind
from danso.plans.recurrence import Repeat
from danso.units.models import Unit

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

TARGET_KIND_LABELS = {
    TargetKind.LEVEL_MIN: _("at least (level)"),
    TargetKind.CEILING: _("at most (ceiling)"),
    TargetKind.CHANGE: _("change against a baseline year (points)"),
    TargetKind.COUNT_MIN: _("count, at least"),
    TargetKind.NEAR: _("near a value, within a tolerance"),
    TargetKind.ALL_CHILDREN: _("every unit below meets a condition"),
}
SECTION_KIND_LABELS = {
    SectionKind.PURPOSE: _("Purpose"),
    SectionKind.REQUIREMENT: _("Requirements"),
    SectionKind.OBJECTIVE: _("Objectives"),
    SectionKind.TASK: _("Tasks and activities"),
    SectionKind.BUDGET: _("Budget"),
    SectionKind.RESPONSIBILITY: _("Responsibilities"),
    SectionKind.REPORTING: _("Reporting"),
    SectionKind.OTHER: _("Other"),
}


class Agency(models.Model):
    """An agency of a unit that plans give responsibilities to (Sở Y tế, Trung tâm Y tế,
    Hội Liên hiệp Phụ nữ, …)."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("People's committee")
        HEALTH = "health", _("Health department or office")
        HEALTH_CENTRE = "health_centre", _("Health centre")
        POPULATION = "population", _("Population office")
        MASS_ORGANISATION = "mass", _("Mass organisation")
        OTHER = "other", _("Other")

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="agencies"
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit_id", "name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="agency_once")]

    def __str__(self) -> str:
        return self.name


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")
        SUPERSEDED = "superseded", _("Superseded")

    unit = models.ForeignKey(
        Unit, verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="plans"
    )
    issuer = models.CharField(
        _("issuer"), max_length=200, blank=True, help_text=_("e.g. UBND thành phố Hà Nội")
    )
    number = models.CharField(
        _("number"), max_length=60, blank=True, help_text=_("e.g. 256/KH-UBND")
    )
    issued_on = models.DateField(_("date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=500)
    period_start = models.PositiveSmallIntegerField(_("from year"))
    period_end = models.PositiveSmallIntegerField(_("to year"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("superseded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    implements = models.ForeignKey(
        "self",
        verbose_name=_("implements the plan of the unit above"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="implemented_by",
    )
    preamble = models.TextField(_("preamble"), blank=True)
    signer_title = models.CharField(_("signer's capacity"), max_length=200, blank=True)
    signer_name = models.CharField(_("signer"), max_length=100, blank=True)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    allocation_due = models.DateField(
        _("allocation due"),
        null=True,
        blank=True,
        help_text=_(
            "When the targets must be handed to the units below (31 January for "
            "communes, end of February for villages)."
        ),
    )
    allocation_issued_on = models.DateField(_("allocation issued on"), null=True, blank=True)
    source_file = models.CharField(_("imported from"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        unit_id: int
        implements_id: int | None
        targets: RelatedManager[Target]
        sections: RelatedManager[PlanSection]
        references: RelatedManager[PlanReference]
        obligations: RelatedManager[ReportObligation]
        activities: RelatedManager[Activity]
        appendices: RelatedManager[PlanAppendix]

    class Meta:
        ordering = ["-period_start", "-issued_on", "-pk"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        number = self.number or _("(no number)")
        return f"{number} · {self.title}"

    @property
    def reference_date(self) -> date:
        """The day the plan's units are taken as they stood: its date, else 15 January of
        its first year."""
        return self.issued_on or date(self.period_start, 1, 15)


class PlanReference(models.Model):
    """A document the plan implements or cites (căn cứ): another plan in danso, or a
    document outside it by number and date."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="references")
    cited_plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="cited_by"
    )
    number = models.CharField(_("number"), max_length=60, blank=True)
    issued_on = models.DateField(_("date"), null=True, blank=True)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    title = models.TextField(_("title"), blank=True)
    text = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_id", "order"]

    def __str__(self) -> str:
        return self.number or self.title[:60]


class PlanSection(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=[(k.value, label) for k, label in SECTION_KIND_LABELS.items()],
    )
    number = models.CharField(_("number"), max_length=20, blank=True)
    heading = models.CharField(_("heading"), max_length=500, blank=True)
    body = models.TextField(_("text"), blank=True)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="sections"
    )
    agency_name = models.CharField(_("agency"), max_length=200, blank=True)
    order = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_id", "order"]

    def __str__(self) -> str:
        return self.heading or self.get_kind_display()


class ReportObligation(models.Model):
    """A report the plan requires: how often, when it is due, to whom."""

    class Period(models.TextChoices):
        MONTH = "month", _("monthly")
        QUARTER = "quarter", _("quarterly")
        YEAR = "year", _("yearly")
        ONCE = "once", _("once")

    class Rule(models.TextChoices):
        BEFORE_DAY_NEXT = "before_day_next", _("before day D of the month after the period")
        FIXED_DATE = "fixed_date", _("a fixed date in the period")
        WORKING_DAYS_AFTER = "working_days_after", _("N working days after the period")
        DAYS_AFTER = "days_after", _("N days after the period")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="obligations")
    text = models.TextField(_("as written"), blank=True)
    period = models.CharField(_("period"), max_length=10, choices=Period.choices)
    rule = models.CharField(_("deadline rule"), max_length=20, choices=Rule.choices)
    day = models.PositiveSmallIntegerField(null=True, blank=True)
    month = models.PositiveSmallIntegerField(null=True, blank=True)
    days = models.PositiveSmallIntegerField(null=True, blank=True)
    recipient = models.CharField(_("to"), max_length=200, blank=True)
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_id", "order"]

    def __str__(self) -> str:
        return f"{self.get_period_display()} · {self.get_rule_display()}"


class Target(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="targets"
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=[(k.value, label) for k, label in TARGET_KIND_LABELS.items()],
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    unit = models.CharField(_("unit of measure"), max_length=30, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    tolerance = models.DecimalField(
        _("tolerance"), max_digits=10, decimal_places=4, null=True, blank=True
    )
    condition = models.CharField(_("condition on every unit below"), max_length=200, blank=True)
    breakdown = models.JSONField(_("breakdown"), null=True, blank=True)
    text = models.TextField(_("as written"), blank=True)
    order = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        plan_id: int
        indicator_id: int
        allocations: RelatedManager[Allocation]
        carried: RelatedManager[CarriedAllocation]

    class Meta:
        ordering = ["plan_id", "order", "pk"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            # the widest bound of danso.bounds (each unit's range is checked by the services)
            models.CheckConstraint(
                condition=Q(value__gte=-MAX_COUNT) & Q(value__lte=MAX_COUNT),
                name="target_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.kind} {self.value}"


class Allocation(models.Model):
    """What a target of the plan hands to one unit directly below (a cell of the grid)."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("entered")
        IMPORT = "import", _("imported")
        PASTE = "paste", _("pasted")
        PROPOSED = "proposed", _("proposed by danso")

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="allocations")
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="allocations"
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4, null=True, blank=True)
    breakdown = models.JSONField(_("breakdown"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        target_id: int
        unit_id: int

    class Meta:
        ordering = ["target_id", "unit_id"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(fields=["target", "unit"], name="allocation_once"),
            models.CheckConstraint(
                condition=Q(value__isnull=True)
                | (Q(value__gte=-MAX_COUNT) & Q(value__lte=MAX_COUNT)),
                name="allocation_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target_id} → {self.unit_id}: {self.value}"


class CarriedAllocation(models.Model):
    """What a target hands, from a unit's closure on, to a unit that took over one or
    more units the plan allocated to (giao chỉ tiêu kế thừa): the 2025 reform closed
    Long Biên's wards on 30/6/2025, and the new wards carry their cells for the rest of
    the year.  ``plans.carried`` derives it from the predecessors' cells and the shares
    of them that went to the unit (``plans.carrying``); the level above may adjust it,
    saying why.

    ``basis`` is what it was derived from, one entry per predecessor: ``unit`` (id),
    ``name``, ``short`` (the name without its type word), ``code``, ``value`` (its cell, a
    string), ``share`` (of it that went here), ``exact`` (True: villages that moved say
    so, or it went wholly; False: a population share, an estimate), ``whole`` (it went
    wholly to this unit), ``population`` (the weight of a rate, persons) and
    ``population_source`` (``register``, ``official`` or empty), and ``itself`` for a
    unit that continues and took others over."""

    class Source(models.TextChoices):
        DERIVED = "derived", _("carried over by danso")
        ADJUSTED = "adjusted", _("adjusted")

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="carried")
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("successor"),
        on_delete=models.PROTECT,
        related_name="carried_allocations",
    )
    effective = models.DateField(_("effective from"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    breakdown = models.JSONField(_("breakdown"), null=True, blank=True)
    rest_of_year = models.DecimalField(
        _("of which after the effective date"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
    )
    derived_value = models.DecimalField(
        _("as danso carried it"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    basis = models.JSONField(_("carried from"), default=list)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.DERIVED
    )
    reason = models.TextField(_("reason"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        target_id: int
        unit_id: int

    class Meta:
        ordering = ["target_id", "effective", "unit_id"]
        verbose_name = _("carried allocation")
        verbose_name_plural = _("carried allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["target", "unit", "effective"], name="carried_allocation_once"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=-MAX_COUNT) & Q(value__lte=MAX_COUNT),
                name="carried_allocation_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target_id} → {self.unit_id} ({self.effective:%d/%m/%Y}): {self.value}"

    @property
    def derived(self) -> bool:
        return self.source == self.Source.DERIVED

    @property
    def exact(self) -> bool:
        """Whether every share it rests on is exact (villages that moved, a whole unit)."""
        return all(entry.get("exact") for entry in self.basis)

    @property
    def from_names(self) -> str:
        """The units it was carried from, short: "Ngọc Thụy, Bồ Đề"."""
        names = [
            entry.get("short") or entry.get("name", "")
            for entry in self.basis
            if not entry.get("itself")
        ]
        return ", ".join(names)


class PlanAppendix(models.Model):
    """The layout of an allocation table (columns as the original had them), so that an
    export looks like the original."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="appendices")
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    title = models.CharField(max_length=500, blank=True)
    columns = models.JSONField(default=list)  # AllocationColumn fields, in order
    total_label = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=300, blank=True)
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_id", "order"]

    def __str__(self) -> str:
        return self.title


class Activity(models.Model):
    """A row of the activity schedule (biểu tiến độ)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("Ordinary activity")
        CAMPAIGN = "campaign", _("Communication campaign")
        CLUB = "club", _("Club or model")
        TRAINING = "training", _("Training course")
        STEERING = "steering", _("Steering committee meeting")
        INSPECTION = "inspection", _("Inspection")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="activities")
    group = models.CharField(_("group"), max_length=500, blank=True)
    number = models.CharField(_("number"), max_length=20, blank=True)
    name = models.TextField(_("activity"))
    window = models.CharField(_("time"), max_length=200, blank=True)
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("until"), null=True, blank=True)
    recurrence = models.CharField(_("recurs"), max_length=10, blank=True)
    lead = models.CharField(_("lead"), max_length=300, blank=True)
    coordinating = models.CharField(_("coordinating"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    progress_note = models.TextField(_("progress"), blank=True)
    order = models.PositiveIntegerField(default=0)

    # The structured schedule of an activity (issue 18): what kind of work it is, when it
    # recurs (``plans.recurrence``), its occurrences with their results, and its budget.
    # ``recurrence`` and ``status`` above stay as an imported plan wrote them.
    REPEAT_LABELS = {
        Repeat.ONCE: _("once"),
        Repeat.MONTHLY: _("every month"),
        Repeat.QUARTERLY: _("every quarter"),
        Repeat.COMMUNICATION_DAYS: _("on the communication days"),
    }

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.ORDINARY)
    repeats = models.CharField(
        _("repeats"),
        max_length=20,
        blank=True,
        choices=[(r.value, label) for r, label in REPEAT_LABELS.items()],
        help_text=_("Empty for an activity as imported: its status is then entered by hand."),
    )
    communication_days = models.JSONField(
        _("communication days"), default=list, blank=True
    )  # keys of plans.recurrence.day_key; empty: every one
    history = HistoricalRecords()

    if TYPE_CHECKING:
        plan_id: int
        occurrences: RelatedManager[ActivityOccurrence]
        budget_lines: RelatedManager[ActivityBudget]

    class Meta:
        ordering = ["plan_id", "order"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.name[:80]

    def is_overdue(self, today: date) -> bool:
        return (
            self.status in (self.Status.PLANNED, self.Status.IN_PROGRESS)
            and self.end is not None
            and self.end < today
            and not self.recurrence
        )


class ActivityOccurrence(models.Model):
    """One time an activity takes place (a month's session, a quarter's inspection, the
    campaign of 11/7) and what it achieved, entered by the unit that held it: held or
    not, on which day, sessions, participants by group, materials and media, and for a
    club or model the clubs running and their members, for a training the trainees."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="occurrences")
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    day_key = models.CharField(_("communication day"), max_length=5, blank=True)
    held = models.BooleanField(_("held"), null=True, blank=True)  # None: not recorded yet
    held_on = models.DateField(_("date held"), null=True, blank=True)
    sessions = models.PositiveIntegerField(_("sessions"), default=0)
    women = models.PositiveIntegerField(_("women aged 15–49"), default=0)
    youth = models.PositiveIntegerField(_("adolescents and youth"), default=0)
    men = models.PositiveIntegerField(_("men"), default=0)
    couples = models.PositiveIntegerField(_("persons in couples"), default=0)
    elderly = models.PositiveIntegerField(_("elderly people"), default=0)
    others = models.PositiveIntegerField(_("other participants"), default=0)
    materials = models.PositiveIntegerField(_("materials distributed"), default=0)
    media_items = models.PositiveIntegerField(_("media items"), default=0)
    clubs_running = models.PositiveIntegerField(_("clubs or models running"), default=0)
    members = models.PositiveIntegerField(_("club members"), default=0)
    trainees = models.PositiveIntegerField(_("trainees"), default=0)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    history = HistoricalRecords()

    #: The participant groups, in the order the form shows them.
    GROUPS = ("women", "youth", "men", "couples", "elderly", "others")

    if TYPE_CHECKING:
        activity_id: int

    class Meta:
        ordering = ["activity_id", "start", "end", "day_key"]
        verbose_name = _("occurrence of an activity")
        verbose_name_plural = _("occurrences of activities")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "start", "end", "day_key"], name="occurrence_once"
            ),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="occurrence_days"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"

    @property
    def participants(self) -> int:
        return sum(getattr(self, group) for group in self.GROUPS)


class ActivityBudget(models.Model):
    """What an activity is to cost from one source, and what it spent, in đồng (the
    plans' "nguồn kinh phí": ngân sách nhà nước trung ương and địa phương, kinh phí lồng
    ghép, xã hội hóa, other lawful sources)."""

    class Source(models.TextChoices):
        CENTRAL = "central", _("Central state budget")
        LOCAL = "local", _("Local state budget")
        INTEGRATED = "integrated", _("Integrated with other programmes")
        SOCIAL = "social", _("Mobilised contributions (socialisation)")
        OTHER = "other", _("Other sources")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="budget_lines")
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    planned = models.DecimalField(_("planned (đồng)"), max_digits=16, decimal_places=0, default=0)
    spent = models.DecimalField(_("spent (đồng)"), max_digits=16, decimal_places=0, default=0)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        activity_id: int

    class Meta:
        ordering = ["activity_id", "source"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(fields=["activity", "source"], name="activity_budget_once"),
            models.CheckConstraint(
                condition=Q(planned__gte=0) & Q(spent__gte=0), name="activity_budget_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.source}: {self.planned} / {self.spent}"


class CommitteeMember(models.Model):
    """A member of a unit's steering committee for population work in a year (Ban Chỉ
    đạo công tác Dân số và Phát triển; at a commune, Ban Dân số và Phát triển)."""

    class Role(models.TextChoices):
        HEAD = "head", _("Head")
        DEPUTY = "deputy", _("Deputy head")
        STANDING = "standing", _("Standing member")
        MEMBER = "member", _("Member")
        SECRETARY = "secretary", _("Secretary")

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="committee_members"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    agency = models.CharField(_("agency"), max_length=200, blank=True)
    role = models.CharField(
        _("role in the committee"), max_length=12, choices=Role.choices, default=Role.MEMBER
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        unit_id: int

    class Meta:
        ordering = ["unit_id", "year", "order", "pk"]
        verbose_name = _("steering committee member")
        verbose_name_plural = _("steering committee members")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class CommitteeMeeting(models.Model):
    """A meeting of a unit's steering committee (họp, giao ban Ban Chỉ đạo): when, who
    chaired, how many members came, what it decided."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="committee_meetings"
    )
    held_on = models.DateField(_("date"))
    chair = models.CharField(_("chaired by"), max_length=200)
    present = models.PositiveSmallIntegerField(_("members present"), default=0)
    absent = models.PositiveSmallIntegerField(_("members absent"), default=0)
    attendance_note = models.CharField(_("attendance"), max_length=500, blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        unit_id: int

    class Meta:
        ordering = ["unit_id", "-held_on", "-pk"]
        verbose_name = _("steering committee meeting")
        verbose_name_plural = _("steering committee meetings")

    def __str__(self) -> str:
        return f"{self.unit_id} {self.held_on:%d/%m/%Y}"
