"""Writes of plans, targets, allocations and activities.  Each is one named function,
validated before it writes, audited by the models' history."""

from __future__ import annotations

import calendar
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from danso import bounds
from danso.audit import recorded_user
from danso.indicators.models import Indicator
from danso.plans.allocation import AllocationError, split_proportionally
from danso.plans.document import PlanDocument, TargetKind, TargetSpec
from danso.plans.limits import allocation_problems, target_value_problem, worded
from danso.plans.models import (
    Activity,
    Agency,
    Allocation,
    Plan,
    PlanAppendix,
    PlanReference,
    PlanSection,
    ReportObligation,
    Target,
)
from danso.plans.pasting import PasteReading, paste_read
from danso.plans.weights import Basis, weights
from danso.units.codes import Level
from danso.units.models import Unit, UnitVersion, valid_on
from danso.units.selectors import CODE_ORDER

#: The first day of the reference unit lists (docs/units.md): plans of earlier years are
#: matched to the units as they stood on that day.
EARLIEST_UNITS = date(2023, 5, 7)


def default_allocation_due(unit: Unit, year: int, issued_on: date | None) -> date | None:
    """Districts hand targets to communes by 31 January, communes to villages by the end of
    February; a city's appendix is part of its plan (due when the plan is)."""
    level = Level(unit.level)
    if level is Level.DISTRICT:
        return date(year, 1, 31)
    if level is Level.COMMUNE:
        return date(year, 2, calendar.monthrange(year, 2)[1])
    if level is Level.PROVINCE:
        # Since 1/7/2025 a province hands targets straight to communes.
        return issued_on or date(year, 1, 31)
    return None


def _user(user: Any) -> Any:
    return recorded_user(user)


@transaction.atomic
def plan_create(
    *,
    unit: Unit,
    title: str,
    period_start: int,
    period_end: int | None = None,
    issuer: str = "",
    number: str = "",
    issued_on: date | None = None,
    place: str = "",
    implements: Plan | None = None,
    user: Any = None,
) -> Plan:
    if not title.strip():
        raise ValidationError(_("A plan needs a title."))
    period_end = period_end or period_start
    if period_end < period_start:
        raise ValidationError(_("The plan ends before it starts."))
    reference = max(issued_on or date(period_start, 1, 15), EARLIEST_UNITS)
    if not UnitVersion.objects.filter(unit=unit).filter(valid_on(reference)).exists():
        raise ValidationError(
            _("%(unit)s does not exist on %(day)s.")
            % {"unit": str(unit), "day": f"{reference:%d/%m/%Y}"}
        )
    return Plan.objects.create(
        unit=unit,
        title=title.strip(),
        period_start=period_start,
        period_end=period_end,
        issuer=issuer,
        number=number,
        issued_on=issued_on,
        place=place,
        implements=implements,
        created_by=_user(user),
        status=Plan.Status.ISSUED if number and issued_on else Plan.Status.DRAFT,
        allocation_due=default_allocation_due(unit, period_start, issued_on),
    )


@transaction.atomic
def plan_create_from_document(
    document: PlanDocument,
    *,
    unit: Unit,
    on: date,
    targets: Sequence[TargetSpec],
    allocations: Sequence[tuple[str, Unit, Decimal | None, dict[str, Any] | None]],
    source_file: str = "",
    user: Any = None,
) -> Plan:
    """Store an imported plan with all its parts (see ``danso.plans.importing``)."""
    start = document.period_start or on.year
    plan = plan_create(
        unit=unit,
        title=document.title or source_file,
        period_start=start,
        period_end=document.period_end or start,
        issuer=document.issuer,
        number=document.number,
        issued_on=document.issued_on,
        place=document.place,
        implements=parent_plan(unit, start),
        user=user,
    )
    plan.preamble = document.preamble
    plan.signer_title = document.signer_title
    plan.signer_name = document.signer_name
    plan.recipients = list(document.recipients)
    plan.source_file = source_file
    plan.save()
    for order, ref in enumerate(document.references):
        PlanReference.objects.create(
            plan=plan,
            number=ref.number,
            issued_on=ref.issued_on,
            issuer=ref.issuer,
            title=ref.title,
            text=ref.text,
            order=order,
            cited_plan=Plan.objects.filter(number=ref.number).exclude(number="").first()
            if ref.number
            else None,
        )
    for order, section in enumerate(document.sections):
        agency = (
            Agency.objects.get_or_create(unit=unit, name=section.agency)[0]
            if section.agency
            else None
        )
        PlanSection.objects.create(
            plan=plan,
            kind=section.kind.value,
            number=section.number,
            heading=section.heading,
            body=section.body,
            agency=agency,
            agency_name=section.agency,
            order=order,
        )
    for order, rule in enumerate(document.report_rules):
        ReportObligation.objects.create(
            plan=plan,
            text=rule.text,
            period=rule.period,
            rule=rule.rule,
            day=rule.day,
            month=rule.month,
            days=rule.days,
            recipient=rule.recipient,
            order=order,
        )
    for order, activity in enumerate(document.activities):
        Activity.objects.create(
            plan=plan,
            group=activity.group,
            number=activity.number,
            name=activity.name,
            window=activity.window,
            start=activity.start,
            end=activity.end,
            recurrence=activity.recurrence or "",
            lead=activity.lead,
            coordinating=activity.coordinating,
            order=order,
        )
    for order, appendix in enumerate(document.appendices):
        total = next((row for row in appendix.rows if row.is_total), None)
        PlanAppendix.objects.create(
            plan=plan,
            number=appendix.number,
            title=appendix.title,
            source=appendix.source,
            total_label=total.unit_name if total else "",
            order=order,
            columns=[
                {
                    "key": c.key,
                    "indicator": c.indicator,
                    "kind": c.kind.value,
                    "unit": c.unit,
                    "header": c.header,
                    "method": c.method,
                    "supply": c.supply,
                }
                for c in appendix.columns
            ],
        )
    by_indicator: dict[str, Target] = {}
    for order, spec in enumerate(targets):
        by_indicator[spec.indicator] = target_save(plan=plan, spec=spec, order=order)
    for code, child, value, breakdown in allocations:
        allocation_set(
            target=by_indicator[code],
            unit=child,
            value=value,
            breakdown=breakdown,
            source=Allocation.Source.IMPORT,
            user=user,
        )
    if allocations and plan.issued_on is not None:
        # The appendix tables were issued with the plan.
        plan.allocation_issued_on = plan.issued_on
    elif not allocations:
        plan.allocation_due = None  # a plan that hands nothing down has no such deadline
    plan.save(update_fields=["allocation_issued_on", "allocation_due", "updated_at"])
    return plan


def parent_plan(unit: Unit, year: int) -> Plan | None:
    """The plan of the unit above for the same year, if danso has it."""
    version = UnitVersion.objects.filter(unit=unit).filter(valid_on(date(year, 1, 15))).first()
    if version is None or version.parent_id is None:
        return None
    return (
        Plan.objects.filter(unit_id=version.parent_id, period_start__lte=year, period_end__gte=year)
        .exclude(status=Plan.Status.SUPERSEDED)
        .order_by("-period_start", "-pk")
        .first()
    )


def target_save(
    *, plan: Plan, spec: TargetSpec, order: int = 0, target: Target | None = None
) -> Target:
    """Create (or, given ``target``, change) a target of ``plan``."""
    indicator = Indicator.objects.filter(code=spec.indicator).first()
    if indicator is None:
        raise ValidationError(_("Unknown indicator %(code)s.") % {"code": spec.indicator})
    if spec.kind is TargetKind.CHANGE and spec.baseline_year is None:
        raise ValidationError(_("A change needs a baseline year."))
    measure = spec.unit or indicator.unit
    problem = target_value_problem(spec.kind, spec.value, measure)
    if problem is None and spec.tolerance is not None:
        problem = bounds.range_problem(
            spec.tolerance, (Decimal(0), bounds.change_range(measure)[1])
        )
    if problem is not None:
        raise ValidationError(worded(problem))
    row = target or Target(plan=plan, order=order)
    row.indicator = indicator
    row.kind = spec.kind.value
    row.value = spec.value
    row.unit = spec.unit or indicator.unit
    row.baseline_year = spec.baseline_year
    row.tolerance = spec.tolerance
    row.condition = spec.condition
    row.breakdown = spec.breakdown
    row.text = spec.text
    row.save()
    return row


def allocation_set(
    *,
    target: Target,
    unit: Unit,
    value: Decimal | None,
    breakdown: dict[str, Any] | None = None,
    source: str = Allocation.Source.MANUAL,
    user: Any = None,
) -> Allocation:
    """Set what ``target`` hands to ``unit`` (a unit directly below the plan's unit on the
    plan's date)."""
    plan = target.plan
    version = UnitVersion.objects.filter(unit=unit).filter(valid_on(_units_day(plan))).first()
    if version is None or version.parent_id != plan.unit_id:
        raise ValidationError(
            _("%(unit)s is not directly below %(parent)s on %(day)s.")
            % {"unit": str(unit), "parent": str(plan.unit), "day": f"{_units_day(plan):%d/%m/%Y}"}
        )
    problems = allocation_problems(target, value, breakdown)
    if problems:
        raise ValidationError(problems)
    row, _created = Allocation.objects.update_or_create(
        target=target,
        unit=unit,
        defaults={
            "value": value,
            "breakdown": breakdown,
            "source": source,
            "updated_by": _user(user),
        },
    )
    return row


def _units_day(plan: Plan) -> date:
    return max(plan.reference_date, EARLIEST_UNITS)


def allocations_save(
    *,
    plan: Plan,
    cells: Sequence[tuple[Target, Unit, Decimal | None, dict[str, Any] | None]],
    user: Any,
) -> int:
    """Save the cells of the allocation grid (target, unit below, value, breakdown) in
    one transaction: every cell is checked, and with any refused nothing is saved (the
    error names each unit and target refused).  Returns how many cells were saved."""
    problems: list[str] = []
    with transaction.atomic():
        for target, unit, value, breakdown in cells:
            if target.plan_id != plan.pk:
                raise ValidationError(_("A target of another plan cannot be saved here."))
            try:
                allocation_set(
                    target=target, unit=unit, value=value, breakdown=breakdown, user=user
                )
            except ValidationError as error:
                problems.append(
                    _("%(unit)s, %(target)s: %(problem)s")
                    % {
                        "unit": str(unit),
                        "target": f"{target.indicator.name_vi} ({target.indicator.code})",
                        "problem": " ".join(error.messages),
                    }
                )
        if problems:
            raise ValidationError(problems)  # leaves the block: everything is rolled back
    return len(cells)


def children_of(plan: Plan) -> list[UnitVersion]:
    """The units directly below the plan's unit on the plan's date, in code order."""
    return list(
        UnitVersion.objects.filter(valid_on(_units_day(plan)), parent_id=plan.unit_id)
        .select_related("unit")
        .order_by(*CODE_ORDER)
    )


@dataclass(frozen=True)
class ProposedCell:
    """What a proposal hands one unit below: the value and, for a count with methods, its
    methods (whole persons)."""

    version: UnitVersion
    value: Decimal
    breakdown: dict[str, Any] | None


def allocation_proposal(*, target: Target, basis: Basis) -> list[ProposedCell]:
    """Split a count target among the units below in proportion to ``basis``, in whole
    persons summing exactly to the target (each method too): computed and returned,
    nothing written (the officer looks at it in the grid, "đề xuất, chưa lưu", then saves
    it with ``allocation_propose``).  Refused for a rate, or when a unit has no weight."""
    if target.kind != TargetKind.COUNT_MIN:
        raise ValidationError(_("Only counts are split in proportion; set rates by hand."))
    children = children_of(target.plan)
    known = weights(
        [v.unit_id for v in children], basis, target.plan.period_start, target.indicator.code
    )
    missing = [v.name for v in children if known[v.unit_id] is None]
    if missing:
        raise ValidationError(_("No weight for: %(names)s.") % {"names": ", ".join(missing)})
    by_unit = {v.unit_id: known[v.unit_id] or Decimal(0) for v in children}
    try:
        totals = split_proportionally(int(target.value), by_unit)
        methods = {
            method: split_proportionally(int(_method_total(cell)), by_unit)
            for method, cell in (target.breakdown or {}).items()
        }
    except AllocationError as error:
        raise ValidationError(str(error)) from error
    cells = []
    for version in children:
        breakdown = {m: split[version.unit_id] for m, split in methods.items()} or None
        # With methods, the row's total is the sum of its methods (so the row adds up).
        total = Decimal(sum(breakdown.values()) if breakdown else totals[version.unit_id])
        cells.append(ProposedCell(version, total, breakdown))
    return cells


def proposal_digest(cells: Sequence[ProposedCell]) -> str:
    """A short fingerprint of a proposal: what the officer saw, so that saving it can
    tell when the figures changed in between."""
    text = json.dumps(
        [[c.version.unit_id, str(c.value), c.breakdown] for c in cells], sort_keys=True
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@transaction.atomic
def allocation_propose(
    *, target: Target, basis: Basis, user: Any = None, expected: str | None = None
) -> list[Allocation]:
    """Save the proposal of ``allocation_proposal`` into ``target``'s cells (source
    "proposed"), as the officer confirmed it.  ``expected``: the ``proposal_digest`` of
    the proposal the officer saw; when the figures changed since, nothing is saved.  A
    proposal replaces a whole column, so it goes only into a draft: an issued plan is
    what was handed down (its cells are corrected one by one in the grid, or a new plan
    supersedes it)."""
    plan = target.plan
    if plan.status != Plan.Status.DRAFT:
        raise ValidationError(
            _(
                "%(plan)s is %(status)s: a proposal is not written into it. Correct single "
                "cells in the grid, or make a new plan that supersedes it."
            )
            % {"plan": str(plan), "status": plan.get_status_display().lower()}
        )
    cells = allocation_proposal(target=target, basis=basis)
    if expected is not None and proposal_digest(cells) != expected:
        raise ValidationError(
            _(
                "The figures changed since the proposal was shown: nothing was saved. "
                "Propose again and check the new split."
            )
        )
    return [
        allocation_set(
            target=target,
            unit=cell.version.unit,
            value=cell.value,
            breakdown=cell.breakdown,
            source=Allocation.Source.PROPOSED,
            user=user,
        )
        for cell in cells
    ]


def _method_total(cell: Any) -> Decimal:
    value = cell.get("total") if isinstance(cell, dict) else cell
    return Decimal(str(value or 0))


def allocations_paste(
    *, plan: Plan, text: str, targets: Sequence[Target], user: Any = None
) -> list[str]:
    """Fill the grid of ``targets`` from a block copied from Excel (``pasting.paste_read``:
    one line per unit, by name or code, after its row number if the table has one, then
    one cell per column of the grid, methods and supplies included).  Returns the
    problems; with any, nothing is written."""
    reading = paste_reading(plan=plan, text=text, targets=targets)
    if reading.problems:
        return reading.problems
    pasted_write(plan=plan, reading=reading, user=user)
    return []


def pasted_write(*, plan: Plan, reading: PasteReading, user: Any = None) -> None:
    """Write the cells of a pasted block read without problems (``paste_reading``)."""
    stored = set(Allocation.objects.filter(target__plan=plan).values_list("target_id", "unit_id"))
    with transaction.atomic():
        for target, unit, value, methods in reading.cells:
            if value is None and not methods and (target.pk, unit.pk) not in stored:
                continue  # an empty cell where there was nothing
            allocation_set(
                target=target,
                unit=unit,
                value=value,
                breakdown=methods,
                source=Allocation.Source.PASTE,
                user=user,
            )


def paste_reading(*, plan: Plan, text: str, targets: Sequence[Target]) -> PasteReading:
    """What ``allocations_paste`` would write, line by line, without writing it."""
    version = UnitVersion.objects.filter(unit_id=plan.unit_id).filter(valid_on(_units_day(plan)))
    found = version.first()
    return paste_read(
        children=children_of(plan),
        parent=found.name if found else str(plan.unit),
        text=text,
        targets=targets,
    )


def allocation_issue(*, plan: Plan, on: date) -> Plan:
    """Record that the allocation to the units below was issued on ``on``."""
    plan.allocation_issued_on = on
    plan.save(update_fields=["allocation_issued_on", "updated_at"])
    return plan


PLAN_FIELDS = (
    "title",
    "issuer",
    "number",
    "issued_on",
    "place",
    "period_start",
    "period_end",
    "status",
    "superseded_by",
    "allocation_due",
    "allocation_issued_on",
    "signer_title",
    "signer_name",
)


@transaction.atomic
def plan_update(*, plan: Plan, **fields: Any) -> Plan:
    """Change the plan's own fields (not its targets): a superseded plan names the plan
    that supersedes it, an issued one has its number and date."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValueError(f"not plan fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(plan, name, value)
    if plan.status == Plan.Status.SUPERSEDED and plan.superseded_by is None:
        raise ValidationError(_("Say which plan supersedes it."))
    if plan.status == Plan.Status.ISSUED and not (plan.number and plan.issued_on):
        raise ValidationError(_("An issued plan has a number and a date."))
    if plan.period_end < plan.period_start:
        raise ValidationError(_("The plan ends before it starts."))
    plan.save()
    return plan


def activity_update(*, activity: Activity, status: str, progress_note: str) -> Activity:
    activity.status = status
    activity.progress_note = progress_note
    activity.save(update_fields=["status", "progress_note"])
    return activity


def same_period_plans(parent: Plan, unit: Unit) -> QuerySet[Plan]:
    """The plans of ``unit`` in force implementing ``parent`` for its very years: the
    plan made from what ``parent`` hands it (a programme of other years, implementing
    it too, is another plan)."""
    return (
        parent.implemented_by.filter(
            unit=unit, period_start=parent.period_start, period_end=parent.period_end
        )
        .exclude(status=Plan.Status.SUPERSEDED)
        .order_by("-pk")
    )


@transaction.atomic
def plan_create_from_allocation(*, parent: Plan, unit: Unit, user: Any = None) -> Plan:
    """A draft plan for ``unit`` whose targets are what ``parent`` handed to it, linked to
    ``parent`` (so the checks compare the two), ready to be allocated further down."""
    given = list(
        Allocation.objects.filter(target__plan=parent, unit=unit).select_related(
            "target__indicator"
        )
    )
    if not given:
        raise ValidationError(
            _("%(plan)s hands no targets to %(unit)s.") % {"plan": str(parent), "unit": str(unit)}
        )
    made = same_period_plans(parent, unit).first()
    if made is not None:
        raise ValidationError(
            _("%(unit)s already has a plan made from these targets: %(plan)s.")
            % {"unit": str(unit), "plan": str(made)}
        )
    version = UnitVersion.objects.filter(unit=unit).filter(valid_on(_units_day(parent))).first()
    name = version.name if version else str(unit)
    plan = plan_create(
        unit=unit,
        title=_("Targets of %(unit)s for %(year)s") % {"unit": name, "year": parent.period_start},
        period_start=parent.period_start,
        period_end=parent.period_end,
        issued_on=None,
        implements=parent,
        user=user,
    )
    for order, allocation in enumerate(given):
        if allocation.value is None:
            continue
        target = allocation.target
        target_save(
            plan=plan,
            order=order,
            spec=TargetSpec(
                indicator=target.indicator.code,
                kind=TargetKind(target.kind),
                value=allocation.value,
                unit=target.unit,
                baseline_year=target.baseline_year,
                tolerance=target.tolerance,
                condition=target.condition,
                breakdown=allocation.breakdown,
                text=_("Given by %(plan)s") % {"plan": str(parent)},
            ),
        )
    return plan


def agency_create(*, unit: Unit, name: str, short_name: str = "", kind: str = "other") -> Agency:
    """Add an agency to the directory of ``unit`` (Sở Y tế, Trung tâm Y tế, …)."""
    if not name.strip():
        raise ValidationError(_("An agency needs a name."))
    if Agency.objects.filter(unit=unit, name__iexact=name.strip()).exists():
        raise ValidationError(_("%(name)s is already in the directory.") % {"name": name})
    return Agency.objects.create(
        unit=unit, name=name.strip(), short_name=short_name.strip(), kind=kind
    )
