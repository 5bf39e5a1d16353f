"""Periodic reports (báo cáo định kỳ): their types, the reports, and the working calendar.

``ReportType`` is configuration, loaded from ``catalogue.BUILT_IN`` by ``danso setup``
and then the province's to edit: the period, who reports to whom, the rows and the
deadline rule (``deadlines.rule_from`` of ``deadline``).  ``Report`` is one unit's report
for one period, with its ``ReportFigure``s (one per number row, and per child unit for a
form with a column per child) and ``ReportText``s (the free-text sections).
``CalendarDay`` holds the administrator's corrections to the public-holiday calendar.
``ReportWaiver`` records that the level above excused a unit from one report (miễn báo
cáo); ``Reminder`` is a reminder of a deadline shown in the application (and mailed).

A report type made from a plan's report obligations (``plan`` set: a plan implementation
report) has one row of kind ``target`` per target of the plan; its figures also keep the
target, what is due by now and the achievement status (``danso.indicators.achievement``).

Every model people change keeps its history (django-simple-history): a corrected figure,
its reason, who submitted, approved or returned a report and when, who waived a report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from danso.bounds import MAX_COUNT
from danso.indicators.achievement import Status as AchievementStatus
from danso.indicators.periods import Period, PeriodKind
from danso.plans.models import Plan, Target
from danso.reports.catalogue import RowKind
from danso.reports.deadlines import DeadlineError, DeadlineRule, RuleKind, rule_from
from danso.units.models import LEVEL_CHOICES, Unit

PERIOD_KIND_CHOICES = [
    (PeriodKind.MONTH.value, _("month")),
    (PeriodKind.QUARTER.value, _("quarter")),
    (PeriodKind.YEAR.value, _("year")),
]
ROW_KIND_CHOICES = [
    (RowKind.INDICATOR.value, _("indicator")),
    (RowKind.COUNT.value, _("count")),
    (RowKind.SECTION.value, _("free-text section")),
    (RowKind.TARGET.value, _("target of the plan")),
]
ACHIEVEMENT_CHOICES = [
    (AchievementStatus.ACHIEVED.value, _("achieved")),
    (AchievementStatus.ON_TRACK.value, _("on track")),
    (AchievementStatus.AT_RISK.value, _("at risk")),
    (AchievementStatus.OFF_TRACK.value, _("off track")),
    (AchievementStatus.CANNOT_JUDGE.value, _("cannot judge")),
]


class ReportType(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("Vietnamese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    form = models.CharField(_("form"), max_length=20, blank=True)
    period_kind = models.CharField(_("period"), max_length=10, choices=PERIOD_KIND_CHOICES)
    reporting_level = models.CharField(_("reported by"), max_length=10, choices=LEVEL_CHOICES)
    receiving_level = models.CharField(_("reported to"), max_length=10, choices=LEVEL_CHOICES)
    deadline = models.JSONField(_("deadline rule"))
    child_columns = models.BooleanField(_("one column per unit below"), default=False)
    feeds = models.ForeignKey(
        "self",
        verbose_name=_("part of the report of the level above"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fed_by",
    )
    active = models.BooleanField(_("in use"), default=True)
    remind_before = models.PositiveSmallIntegerField(
        _("remind days before the deadline"),
        default=3,
        help_text=_("0: no reminder before the deadline."),
    )
    remind_after = models.PositiveSmallIntegerField(
        _("remind days after the deadline"),
        default=1,
        help_text=_("0: no reminder after the deadline."),
    )
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("implementation report of the plan"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="report_types",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        feeds_id: int | None
        plan_id: int | None

    class Meta:
        ordering = ["code"]
        verbose_name = _("report type")
        verbose_name_plural = _("report types")

    def __str__(self) -> str:
        return f"{self.code} · {self.name_vi}"

    @property
    def rule(self) -> DeadlineRule:
        """The deadline rule; ``clean`` has checked it."""
        return rule_from(self.deadline)

    def clean(self) -> None:
        try:
            rule = rule_from(self.deadline if isinstance(self.deadline, dict) else {})
        except DeadlineError as error:
            raise ValidationError({"deadline": str(error)}) from error
        if rule.kind is RuleKind.FIXED_DATE and self.period_kind != PeriodKind.YEAR:
            raise ValidationError({"deadline": _("A fixed date is a deadline of yearly reports.")})
        if self.reporting_level == self.receiving_level:
            raise ValidationError({"receiving_level": _("A unit reports to the level above.")})


class ReportRow(models.Model):
    """One row of a report type: an indicator, a count or a free-text section."""

    report_type = models.ForeignKey(ReportType, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=10, choices=ROW_KIND_CHOICES)
    key = models.CharField(_("indicator code or count"), max_length=40)
    label_vi = models.CharField(_("Vietnamese label"), max_length=200)
    label_en = models.CharField(_("English label"), max_length=200)
    target = models.ForeignKey(
        Target,
        verbose_name=_("target of the plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    if TYPE_CHECKING:
        report_type_id: int
        target_id: int | None

    class Meta:
        ordering = ["report_type_id", "position"]
        verbose_name = _("report row")
        verbose_name_plural = _("report rows")
        constraints = [
            models.UniqueConstraint(fields=["report_type", "position"], name="reportrow_position"),
            models.UniqueConstraint(fields=["report_type", "kind", "key"], name="reportrow_once"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.label_vi}"


class Report(models.Model):
    """One unit's report of one type for one period.

    ``submitted_at`` is the first submission, the one timeliness is judged on (a report
    returned for a correction and sent again arrived when it first arrived); later
    submissions are in the history.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        APPROVED = "approved", _("approved")
        LOCKED = "locked", _("locked")

    report_type = models.ForeignKey(
        ReportType, verbose_name=_("report type"), on_delete=models.PROTECT, related_name="reports"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="reports"
    )
    period = models.CharField(_("period"), max_length=16)
    period_end = models.DateField()
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("approved or returned"), null=True, blank=True)
    comment = models.TextField(_("comment of the level above"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        report_type_id: int
        unit_id: int

    class Meta:
        ordering = ["report_type_id", "period_end", "unit_id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(fields=["report_type", "unit", "period"], name="report_once"),
        ]
        indexes = [models.Index(fields=["report_type", "period", "status"])]

    def __str__(self) -> str:
        return f"{self.report_type_id} {self.unit_id} {self.period}"

    @property
    def parsed_period(self) -> Period:
        return Period.parse(self.period)

    @property
    def editable(self) -> bool:
        """Figures and sections change only in a draft or a returned report."""
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class ReportFigure(models.Model):
    """One number of a report: a row, for the report's unit (``column`` empty) or, in a
    form with a column per child unit, for that child.

    ``computed`` is what the engine gave when the report was filled and ``source`` where
    it came from (``register``, ``entered``, ``register+entered``; ``report`` in a column
    per unit below taken from that unit's approved report, and in the unit's own count
    summed from them; empty when the engine has nothing for it and the officer enters
    it); ``value`` is what the report says.
    A value that differs from a computed one carries the officer's ``reason``.

    A row of a plan's target also keeps ``target`` (what the plan asks for the year),
    ``expected`` (what it asks by now: the pro-rated count, the level, the baseline plus
    the change) and ``status``, the achievement of ``value``; ``computed_status`` is the
    engine's judgement of ``computed`` (with its 95 % interval), which ``status`` takes
    back when the value is set back to the computed one.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="figures")
    row = models.ForeignKey(ReportRow, on_delete=models.PROTECT, related_name="+")
    column = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    computed = models.DecimalField(
        _("computed"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4, null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, blank=True)
    estimated = models.BooleanField(_("estimated across a reform"), default=False)
    reason = models.TextField(_("reason for the correction"), blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    corrected_at = models.DateTimeField(null=True, blank=True)
    target = models.DecimalField(
        _("target"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    expected = models.DecimalField(
        _("expected by now"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    status = models.CharField(
        _("achievement"), max_length=12, choices=ACHIEVEMENT_CHOICES, blank=True
    )
    computed_status = models.CharField(
        _("achievement of the computed figure"),
        max_length=12,
        choices=ACHIEVEMENT_CHOICES,
        blank=True,
    )
    history = HistoricalRecords()

    if TYPE_CHECKING:
        report_id: int
        row_id: int
        column_id: int | None

    class Meta:
        ordering = ["report_id", "row__position", "column_id"]
        verbose_name = _("report figure")
        verbose_name_plural = _("report figures")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "row"],
                condition=Q(column__isnull=True),
                name="reportfigure_once_for_unit",
            ),
            models.UniqueConstraint(
                fields=["report", "row", "column"],
                condition=Q(column__isnull=False),
                name="reportfigure_once_per_column",
            ),
            # the widest bound of danso.bounds (services check each row's own range)
            models.CheckConstraint(
                condition=Q(value__isnull=True)
                | (Q(value__gte=-MAX_COUNT) & Q(value__lte=MAX_COUNT)),
                name="reportfigure_bounded",
            ),
            models.CheckConstraint(
                condition=Q(computed__isnull=True)
                | Q(value__isnull=False, value=models.F("computed"))
                | ~Q(reason=""),
                name="reportfigure_correction_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.row_id} {self.column_id or ''}: {self.value}"

    @property
    def corrected(self) -> bool:
        return self.computed is not None and self.value != self.computed


class ReportText(models.Model):
    """The text of one free-text section of a report."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="texts")
    row = models.ForeignKey(ReportRow, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("text"), blank=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        report_id: int
        row_id: int

    class Meta:
        ordering = ["report_id", "row__position"]
        verbose_name = _("report section")
        verbose_name_plural = _("report sections")
        constraints = [
            models.UniqueConstraint(fields=["report", "row"], name="reporttext_once"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.row_id}"


class CalendarDay(models.Model):
    """A day the administrator sets against the public-holiday calendar: a day off the
    ``holidays`` package does not know, or a Saturday worked to pay for a bridge day."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("day off")
        WORKING_DAY = "working_day", _("working day")

    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.kind}"


class ReportWaiver(models.Model):
    """The level above excused ``unit`` from sending ``report_type`` for ``period`` (miễn
    báo cáo: a ward about to be merged, a commune cut off by a flood).  A waived unit is
    not expected (completeness), gets no reminder, and does not hold back the approval of
    the report of the level above.  Removing a waiver deletes it; the history keeps it."""

    report_type = models.ForeignKey(
        ReportType, verbose_name=_("report type"), on_delete=models.PROTECT, related_name="waivers"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="report_waivers"
    )
    period = models.CharField(_("period"), max_length=16)
    reason = models.TextField(_("reason"))
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("waived by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    waived_at = models.DateTimeField(_("waived at"))
    history = HistoricalRecords()

    if TYPE_CHECKING:
        report_type_id: int
        unit_id: int

    class Meta:
        ordering = ["report_type_id", "period", "unit_id"]
        verbose_name = _("report waiver")
        verbose_name_plural = _("report waivers")
        constraints = [
            models.UniqueConstraint(
                fields=["report_type", "unit", "period"], name="reportwaiver_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_type_id} {self.unit_id} {self.period}"


class Reminder(models.Model):
    """A reminder of a report's deadline to one person, shown in the application until it
    is read, and mailed when the person has an address (``emailed_to``).  One per person,
    report and kind: ``services.reminders_send`` never repeats one."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("before the deadline")
        AFTER = "after", _("after the deadline")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_reminders"
    )
    report_type = models.ForeignKey(
        ReportType, verbose_name=_("report type"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("period"), max_length=16)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    due = models.DateField(_("due"))
    message = models.TextField(_("message"))
    emailed_to = models.CharField(_("mailed to"), max_length=254, blank=True)
    sent_at = models.DateTimeField(_("sent at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    if TYPE_CHECKING:
        user_id: int
        report_type_id: int
        unit_id: int

    history = HistoricalRecords()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("report reminder")
        verbose_name_plural = _("report reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "report_type", "unit", "period", "kind"], name="reminder_once"
            ),
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.report_type_id} {self.unit_id} {self.period} {self.kind}"
