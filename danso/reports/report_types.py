"""Writes of the report types: the built-in ones (``catalogue.BUILT_IN``), loaded by
``danso setup``, and the implementation reports of issued plans (báo cáo kết quả thực
hiện kế hoạch), made from their report obligations (``plans.ReportObligation``;
``signals.py`` calls ``plan_report_types_from`` when a plan is issued)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from danso.indicators.periods import PeriodKind
from danso.plans.document import SectionKind
from danso.plans.models import Plan, ReportObligation, Target
from danso.plans.selectors import units_day
from danso.reports.catalogue import ASSESSMENT, BUILT_IN, RowKind
from danso.reports.deadlines import DeadlineError, DeadlineRule, RuleKind, rule_from
from danso.reports.models import ReportRow, ReportType
from danso.units.models import UnitVersion, valid_on


@transaction.atomic
def report_types_load() -> int:
    """Add the built-in report types that are missing (``catalogue.BUILT_IN``) with their
    rows; never touch a type that exists, whatever an officer made of it.  Returns how
    many were added."""
    existing = set(ReportType.objects.values_list("code", flat=True))
    added: dict[str, ReportType] = {}
    for spec in BUILT_IN:
        if spec.code in existing:
            continue
        report_type = ReportType.objects.create(
            code=spec.code,
            name_vi=spec.name_vi,
            name_en=spec.name_en,
            form=spec.form,
            period_kind=spec.period_kind.value,
            reporting_level=spec.reporting_level.value,
            receiving_level=spec.receiving_level.value,
            deadline=spec.deadline.as_dict(),
            child_columns=spec.child_columns,
        )
        bulk_create_with_history(
            [
                ReportRow(
                    report_type=report_type,
                    position=position,
                    kind=row.kind.value,
                    key=row.key,
                    label_vi=row.label_vi,
                    label_en=row.label_en,
                )
                for position, row in enumerate(spec.rows, start=1)
            ],
            ReportRow,
        )
        added[spec.code] = report_type
    for spec in BUILT_IN:
        if spec.code in added and spec.feeds:
            report_type = added[spec.code]
            report_type.feeds = ReportType.objects.get(code=spec.feeds)
            report_type.save(update_fields=["feeds", "updated_at"])
    return len(added)


# ----------------------------------------------------------------------------- plans

#: The report types a plan's obligation of each period makes: code suffix, Vietnamese
#: and English names.
_PLAN_PERIODS: dict[str, tuple[PeriodKind, str, str, str]] = {
    ReportObligation.Period.MONTH: (PeriodKind.MONTH, "monthly", "Báo cáo tháng", "Monthly"),
    ReportObligation.Period.QUARTER: (PeriodKind.QUARTER, "quarterly", "Báo cáo quý", "Quarterly"),
    ReportObligation.Period.YEAR: (PeriodKind.YEAR, "annual", "Báo cáo tổng kết năm", "Annual"),
}


@transaction.atomic
def plan_report_types_from(plan: Plan) -> list[ReportType]:
    """The implementation report types of ``plan`` (báo cáo kết quả thực hiện kế hoạch),
    one per period its report obligations set, created when missing: ``plan-<id>-monthly``,
    ``plan-<id>-quarterly``, ``plan-<id>-annual``.  Idempotent: an existing type keeps
    its settings and only gains rows for targets and task groups added to the plan since.

    The plan's own unit reports on it to the unit directly above (the city's plan: Hà Nội
    to the ministry; a district's plan: the district to its city), with one ``target`` row
    per target of the plan (the year to date against the target, ``selectors
    .actual_period``), one free-text section per task group (the plan's sections of kind
    "tasks") and the closing assessment.  The deadline is the obligation's rule
    (``before_day_next`` 10: before the 10th of the month after the period; ``fixed_date``
    15/12; a ``days_after`` rule is not moved off a day off).  Obligations made only once,
    with a rule that cannot apply (a fixed date for a quarterly report), or of a period
    already taken by an earlier obligation are skipped; so is a plan of the whole country,
    which reports to nobody."""
    day = units_day(plan)
    version = UnitVersion.objects.filter(valid_on(day), unit_id=plan.unit_id).first()
    if version is None or version.parent_id is None:
        return []
    above = UnitVersion.objects.select_related("unit").get(valid_on(day), unit_id=version.parent_id)
    found: dict[str, ReportType] = {}
    for obligation in plan.obligations.all():
        spec = _PLAN_PERIODS.get(obligation.period)
        rule = _obligation_rule(obligation)
        if spec is None or rule is None or obligation.period in found:
            continue
        kind, suffix, name_vi, name_en = spec
        if rule.kind is RuleKind.FIXED_DATE and kind is not PeriodKind.YEAR:
            continue
        code = f"plan-{plan.pk}-{suffix}"
        report_type = ReportType.objects.filter(code=code).first()
        if report_type is None:
            document = f"Kế hoạch số {plan.number}" if plan.number else f"kế hoạch {plan.title}"
            report_type = ReportType.objects.create(
                code=code,
                name_vi=f"{name_vi} kết quả thực hiện {document}"[:200],
                name_en=f"{name_en} implementation report of plan {plan.number or plan.title}"[
                    :200
                ],
                period_kind=kind.value,
                reporting_level=version.unit.level,
                receiving_level=above.unit.level,
                deadline=rule.as_dict(),
                plan=plan,
            )
        _plan_rows_add(report_type, plan)
        found[obligation.period] = report_type
    return list(found.values())


def plan_report_types_load() -> int:
    """``plan_report_types_from`` for every issued plan (``danso setup``).  Returns how
    many report types were added."""
    before = ReportType.objects.filter(plan__isnull=False).count()
    for plan in Plan.objects.filter(status=Plan.Status.ISSUED).order_by("pk"):
        plan_report_types_from(plan)
    return ReportType.objects.filter(plan__isnull=False).count() - before


def _obligation_rule(obligation: ReportObligation) -> DeadlineRule | None:
    """The obligation's deadline as a rule of ``danso.reports.deadlines`` (the same kind
    names), or None when its parameters cannot make one."""
    data: dict[str, Any] = {"kind": obligation.rule}
    if obligation.rule == RuleKind.BEFORE_DAY_NEXT:
        data["day"] = obligation.day
    elif obligation.rule == RuleKind.FIXED_DATE:
        data.update(month=obligation.month, day=obligation.day)
    elif obligation.rule == RuleKind.WORKING_DAYS_AFTER:
        data["days"] = obligation.days
    elif obligation.rule == RuleKind.DAYS_AFTER:
        data.update(days=obligation.days, move=False)
    try:
        return rule_from(data)
    except DeadlineError:
        return None


def _plan_rows_add(report_type: ReportType, plan: Plan) -> None:
    """Add the rows of the plan's targets and task groups that ``report_type`` lacks,
    after its last row."""
    rows = list(report_type.rows.all())
    targets = {row.target_id for row in rows if row.target_id is not None}
    keys = {(row.kind, row.key) for row in rows}
    position = max((row.position for row in rows), default=0)
    new: list[ReportRow] = []

    def add(kind: RowKind, key: str, label_vi: str, label_en: str, target: Target | None) -> None:
        nonlocal position
        position += 1
        keys.add((kind.value, key))
        new.append(
            ReportRow(
                report_type=report_type,
                position=position,
                kind=kind.value,
                key=key,
                label_vi=label_vi[:200],
                label_en=label_en[:200],
                target=target,
            )
        )

    for target in plan.targets.select_related("indicator").order_by("order", "pk"):
        if target.pk in targets:
            continue
        key, number = target.indicator.code, 1
        while (RowKind.TARGET.value, key) in keys:  # two targets on one indicator
            number += 1
            key = f"{target.indicator.code}~{number}"
        indicator = target.indicator
        add(RowKind.TARGET, key, indicator.name_vi, indicator.name_en, target)
    for section in plan.sections.filter(kind=SectionKind.TASK).order_by("order", "pk"):
        key = f"task-{section.pk}"
        if (RowKind.SECTION.value, key) not in keys:
            heading = " ".join(part for part in (section.number, section.heading) if part)
            add(RowKind.SECTION, key, heading or "Nhiệm vụ", heading or "Tasks", None)
    if (RowKind.SECTION.value, ASSESSMENT.key) not in keys:
        add(RowKind.SECTION, ASSESSMENT.key, ASSESSMENT.label_vi, ASSESSMENT.label_en, None)
    bulk_create_with_history(new, ReportRow)
