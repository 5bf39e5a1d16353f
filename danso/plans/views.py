"""Screens for plans: list, plan page, allocation grid with its checks, import wizard,
calendar, indicator catalogue.  Reads through ``plans.selectors`` (the reader's scope on
the plan's date); writes through ``plans.services``."""

from __future__ import annotations

import calendar as month_calendar
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from danso.accounts.context import request_scope, working_date
from danso.accounts.scope import unit_scope
from danso.indicators.forms import IndicatorForm
from danso.indicators.models import Indicator
from danso.numberfields import number_problem
from danso.params import id_param, year_param
from danso.plans import carried, services
from danso.plans import grid as grids
from danso.plans.activities import progress_by_activity
from danso.plans.checks import plan_checks
from danso.plans.communication import days_between
from danso.plans.document import TargetKind, TargetSpec
from danso.plans.exporting import plan_document
from danso.plans.forms import (
    ActivityForm,
    AgencyForm,
    NewPlanForm,
    PlanForm,
    PlanImportForm,
    ProposeForm,
    TargetForm,
)
from danso.plans.importing import plan_import
from danso.plans.models import Activity, Agency, CarriedAllocation, Plan, Target
from danso.plans.selectors import (
    Access,
    allocations_visible,
    carried_adjustable,
    carried_may_adjust,
    carried_visible,
    derivable_units,
    own_plans,
    plan_access,
    plans_visible,
    units_day,
)
from danso.plans.weights import BASIS_LABELS, Basis
from danso.units import selectors as units
from danso.units.models import Unit, UnitVersion, valid_on
from danso.units.scope import Action
from danso.uploads import Kind, within_limit

UPLOAD_KEY = "danso_plan_upload"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plan(request: HttpRequest, plan_id: int, needed: Access = Access.BELOW) -> tuple[Plan, Access]:
    plan = get_object_or_404(Plan.objects.select_related("unit", "implements"), pk=plan_id)
    access = plan_access(request.user, plan)
    if access < needed:
        raise PermissionDenied(_("This plan is outside the units you may see or change."))
    return plan, access


def plan_list(request: HttpRequest) -> HttpResponse:
    """The plans one may see; beside a plan of the level above, the units one may make
    a plan for from what it hands them ("lập kế hoạch từ chỉ tiêu được giao")."""
    visible = plans_visible(request.user)
    year = request.GET.get("year")
    if year and year_param(year) is not None:
        visible = [(p, a) for p, a in visible if p.period_start <= int(year) <= p.period_end]
    rows = [
        (plan, access, derivable_units(request.user, plan) if access is Access.BELOW else [])
        for plan, access in visible
    ]
    return render(
        request,
        "plans/list.html",
        {
            "nav": "plans",
            "rows": rows,
            "year": year,
            "can_create": request_scope(request).allows_anywhere(Action.EDIT_PLANS),
        },
    )


def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, access = _plan(request, plan_id)
    today = timezone.localdate()
    own_rows = None
    if access is Access.BELOW:
        own_rows = allocations_visible(request.user, plan).order_by("unit_id", "target__order")
    activities = list(plan.activities.all())
    return render(
        request,
        "plans/detail.html",
        {
            "nav": "plans",
            "plan": plan,
            "access": access,
            "full": access >= Access.FULL,
            "can_edit": access is Access.EDIT,
            "targets": plan.targets.select_related("indicator"),
            "sections": plan.sections.all() if access >= Access.FULL else [],
            "references": plan.references.select_related("cited_plan"),
            "obligations": plan.obligations.all(),
            "activities": activities,
            "overdue": {a.pk for a in activities if a.is_overdue(today)},
            "progress": progress_by_activity(activities, today),
            "own_rows": own_rows,
            "checks": [c for c in plan_checks(plan, today) if c.severity != "ok"]
            if access >= Access.FULL
            else [],
            "implemented_by": own_plans(request.user, plan),
            "derivable": derivable_units(request.user, plan),
            "unit_version": UnitVersion.objects.filter(unit=plan.unit)
            .filter(valid_on(units_day(plan)))
            .first(),
            "units_day": units_day(plan),  # the day of the baselines' links (issue 18)
        },
    )


def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, _access = _plan(request, plan_id, Access.EDIT)
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(plan=Plan.objects.get(pk=plan.pk), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("plans:detail", plan.pk)
    return render(
        request,
        "plans/form.html",
        {"nav": "plans", "form": form, "plan": plan, "title": _("Edit the plan")},
    )


def plan_create(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    version = _current_unit(request, Action.EDIT_PLANS)
    form = NewPlanForm(request.POST or None, initial={"period_start": working_date(request).year})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_create(
                unit=version.unit,
                title=data["title"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                issuer=data["issuer"],
                user=request.user,
                implements=services.parent_plan(version.unit, data["period_start"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("plans:detail", plan.pk)
    return render(
        request,
        "plans/form.html",
        {
            "nav": "plans",
            "form": form,
            "title": _("New plan for %(unit)s") % {"unit": version.name},
            "scope": scope,
        },
    )


def _current_unit(request: HttpRequest, action: Action) -> UnitVersion:
    """The unit a new plan is for: ?unit=ID, else the reader's first unit they may plan."""
    scope = request_scope(request)
    raw = request.GET.get("unit") or request.POST.get("unit_id")
    if id_param(raw) is not None:
        try:
            return units.unit_on(int(str(raw)), scope, action)
        except (units.UnitNotFound, units.UnitOutOfScope) as error:
            raise PermissionDenied(str(error)) from error
    for root in units.scope_roots(scope):
        if scope.allows(action, root) and root.unit.level != "country":
            return root
    raise PermissionDenied(_("You may not write plans."))


def target_edit(request: HttpRequest, plan_id: int, target_id: int | None = None) -> HttpResponse:
    plan, _access = _plan(request, plan_id, Access.EDIT)
    target = get_object_or_404(Target, pk=target_id, plan=plan) if target_id else None
    indicators = [(i.code, f"{i.code} · {i.name_vi}") for i in Indicator.objects.all()]
    initial = {}
    if target is not None:
        initial = {
            "indicator": target.indicator.code,
            "kind": target.kind,
            "value": target.value,
            "baseline_year": target.baseline_year,
            "tolerance": target.tolerance,
            "condition": target.condition,
        }
    form = TargetForm(request.POST or None, initial=initial, indicators=indicators)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        indicator = Indicator.objects.get(code=data["indicator"])
        spec = TargetSpec(
            indicator=indicator.code,
            kind=TargetKind(data["kind"]),
            value=data["value"],
            unit=indicator.unit,
            baseline_year=data["baseline_year"],
            tolerance=data["tolerance"],
            condition=data["condition"],
            breakdown=target.breakdown if target else None,
        )
        try:
            services.target_save(plan=plan, spec=spec, target=target, order=plan.targets.count())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("plans:detail", plan.pk)
    return render(
        request,
        "plans/form.html",
        {"nav": "plans", "form": form, "plan": plan, "title": _("Target")},
    )


def allocation(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The grid of the units below × targets, editable with EDIT access, with its checks;
    a proposed split is shown in it, not saved, until the officer saves it."""
    plan, access = _plan(request, plan_id)
    children = services.children_of(plan)
    visible_cells = list(allocations_visible(request.user, plan))
    visible = None if access >= Access.FULL else {a.unit_id for a in visible_cells}
    grid = grids.build(plan, children, visible_cells, visible)
    targets = [c.target for c in grid.columns if c.method is None]
    carried_blocks = _carried_blocks(request, plan, grid)
    propose = ProposeForm(
        targets=[
            (str(t.pk), t.indicator.name_vi) for t in targets if t.kind == TargetKind.COUNT_MIN
        ]
    )
    extra: dict[str, Any] = {}
    if request.method == "POST":
        if access is not Access.EDIT:
            raise PermissionDenied(_("You may not change this allocation."))
        response = _allocation_post(request, plan, grid, targets, extra)
        if response is not None:
            return response
        grid = extra.pop("grid", grid)
    return render(
        request,
        "plans/allocation.html",
        {
            "nav": "plans",
            "plan": plan,
            "grid": grid,
            "access": access,
            "can_edit": access is Access.EDIT,
            "propose": propose,
            "checks": plan_checks(plan, timezone.localdate()) if access >= Access.FULL else [],
            "targets": targets,
            "carried_blocks": carried_blocks,
            "can_carry": access is Access.EDIT,
            "draft": plan.status == Plan.Status.DRAFT,
            "derivable": derivable_units(request.user, plan) if access is Access.BELOW else [],
            "own_plans": own_plans(request.user, plan) if access is Access.BELOW else [],
            **extra,
        },
    )


def _carried_blocks(request: HttpRequest, plan: Plan, grid: grids.Grid) -> list[grids.CarriedBlock]:
    """The cells successors of the plan's units carry (``plans.carried``), as the reader
    may see them, below the grid."""
    rows = carried_visible(request.user, plan)
    if not rows:
        return []
    versions: dict[tuple[int, date], UnitVersion] = {}
    for row in rows:
        key = (row.unit_id, row.effective)
        if key not in versions:
            versions[key] = UnitVersion.objects.select_related("unit").get(
                valid_on(row.effective), unit_id=row.unit_id
            )
    adjustable = carried_adjustable(request.user, plan, rows)
    return grids.build_carried(grid, rows, versions, adjustable)


@require_POST
def carried_adjust(request: HttpRequest, plan_id: int, carried_id: int) -> HttpResponse:
    """Adjust what a successor carries (htmx: the cell again, with its problem if
    refused), saying why: whoever may change the allocation, or plans for the unit above
    the successor."""
    plan = get_object_or_404(Plan, pk=plan_id)
    row = get_object_or_404(
        CarriedAllocation.objects.select_related("target__indicator", "target__plan", "unit"),
        pk=carried_id,
        target__plan=plan,
    )
    if not carried_may_adjust(request.user, row):
        raise PermissionDenied(_("You may not change this carried target."))
    column = grids.Column(row.target)
    raw = request.POST.get("value", "")
    problems: list[str] = []
    try:
        value = grids.parse_value(raw, column)
    except ValueError as error:
        problems.append(number_problem(raw.strip(), error, whole=column.whole))
        value = None
    if value is None and not problems:
        problems.append(_("Write the value the successor carries."))
    if value is not None:
        try:
            carried.carried_adjust(
                carried=row, value=value, reason=request.POST.get("reason", ""), user=request.user
            )
        except ValidationError as error:
            problems += error.messages
    if not request.headers.get("HX-Request"):
        if problems:
            messages.error(request, " ".join(problems))
        else:
            messages.success(request, _("The carried target was adjusted."))
        return redirect("plans:allocation", plan.pk)
    row.refresh_from_db()
    cell = grids.CarriedCell(column, row, column.read(row), may_adjust=True)
    return render(
        request,
        "plans/_carried_cell.html",
        {
            "plan": plan,
            "cell": cell,
            "problems": problems,
            "raw": raw if problems else None,
            "reason": request.POST.get("reason", "") if problems else "",
        },
        status=400 if problems else 200,
    )


@require_POST
def carry(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Compute again the cells carried by the successors of the plan's units (derived
    ones; adjusted ones stay as the level above set them)."""
    plan, _access = _plan(request, plan_id, Access.EDIT)
    try:
        result = carried.allocations_carry(plan=plan, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "Carried targets computed again: %(created)d new, %(updated)d changed, "
                "%(removed)d removed, %(kept)d adjusted kept."
            )
            % {
                "created": result.created,
                "updated": result.updated,
                "removed": result.removed,
                "kept": result.adjusted_kept,
            },
        )
    return redirect("plans:allocation", plan.pk)


def _allocation_post(
    request: HttpRequest,
    plan: Plan,
    grid: grids.Grid,
    targets: list[Target],
    extra: dict[str, Any],
) -> HttpResponse | None:
    """Do what the grid's form asks; None to show the grid again, with ``extra`` for the
    page (a proposal to look at, the report of a pasted block)."""
    action = request.POST.get("action")
    try:
        if action == "save":
            cells, problems = grids.parse_post(grid, request.POST)
            if problems:
                messages.error(
                    request,
                    _("These cells were not saved: %(cells)s") % {"cells": "; ".join(problems)},
                )
                return None
            changed: list[tuple[Target, Unit, Decimal | None, dict[str, Any] | None]] = []
            for (target_id, unit_id), (value, breakdown) in cells.items():
                target = next(t for t in targets if t.pk == target_id)
                current = next(
                    a
                    for r in grid.rows
                    for c, a in r.cells
                    if r.version.unit_id == unit_id
                    and c.target.pk == target_id
                    and c.method is None
                )
                if value is None and current is None and not breakdown:
                    continue
                version = next(r.version for r in grid.rows if r.version.unit_id == unit_id)
                changed.append((target, version.unit, value, breakdown))
            services.allocations_save(plan=plan, cells=changed, user=request.user)
            messages.success(request, _("The allocation was saved."))
        elif action == "paste":
            text = request.POST.get("paste", "")
            reading = services.paste_reading(plan=plan, text=text, targets=targets)
            if reading.problems:
                messages.error(request, _("Nothing was saved: correct the pasted block."))
                extra.update(
                    paste_text=text,
                    paste_report=reading.lines,
                    paste_problems=[p for p in reading.problems if p not in reading.report()],
                )
                return None
            services.pasted_write(plan=plan, reading=reading, user=request.user)
            messages.success(
                request,
                _("The pasted rows were saved: %(lines)s") % {"lines": " ".join(reading.report())},
            )
        elif action in ("propose", "propose_save"):
            target = get_object_or_404(Target, pk=id_param(request.POST.get("target")), plan=plan)
            try:
                basis = Basis(request.POST.get("basis", ""))
            except ValueError as error:
                raise ValidationError(_("Choose what to split in proportion to.")) from error
            if action == "propose_save":
                services.allocation_propose(
                    target=target,
                    basis=basis,
                    user=request.user,
                    expected=request.POST.get("digest") or None,
                )
                messages.success(request, _("The proposed split was saved."))
                return redirect("plans:allocation", plan.pk)
            proposed = services.allocation_proposal(target=target, basis=basis)
            extra.update(
                grid=grids.with_proposal(
                    grid, target, {c.version.unit_id: (c.value, c.breakdown) for c in proposed}
                ),
                proposal={
                    "target": target,
                    "basis": basis.value,
                    "basis_label": BASIS_LABELS[basis],
                    "digest": services.proposal_digest(proposed),
                },
            )
            return None
        elif action == "issue":
            services.allocation_issue(plan=plan, on=timezone.localdate())
            messages.success(request, _("The allocation is marked as issued today."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None
    return redirect("plans:allocation", plan.pk)


def plan_derive(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Start the plan of a unit below from what this plan hands it."""
    plan, _access = _plan(request, plan_id)
    if request.method != "POST":
        raise Http404
    scope = unit_scope(request.user, units_day(plan))  # the units as they stood then
    try:
        version = units.unit_on(id_param(request.POST.get("unit")) or 0, scope, Action.EDIT_PLANS)
    except (units.UnitNotFound, units.UnitOutOfScope, ValueError) as error:
        raise PermissionDenied(str(error)) from error
    if plan.status == Plan.Status.DRAFT:
        messages.error(
            request,
            _("%(plan)s is a draft: the units below plan from it once it is issued.")
            % {"plan": str(plan)},
        )
        return redirect("plans:detail", plan.pk)
    try:
        child = services.plan_create_from_allocation(
            parent=plan, unit=version.unit, user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("plans:detail", plan.pk)
    messages.success(
        request,
        _("A draft plan was made from the targets handed to %(unit)s.") % {"unit": version.name},
    )
    return redirect("plans:allocation", child.pk)


def plan_checks_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, _access = _plan(request, plan_id, Access.FULL)
    return render(
        request,
        "plans/checks.html",
        {"nav": "plans", "plan": plan, "checks": plan_checks(plan, timezone.localdate())},
    )


def plan_export(request: HttpRequest, plan_id: int, kind: str) -> HttpResponse:
    from danso.plans.writing import appendices_xlsx, plan_docx

    plan, _access = _plan(request, plan_id, Access.FULL)
    document = plan_document(plan)
    name = (plan.number or f"ke-hoach-{plan.pk}").replace("/", "-")
    if kind == "docx":
        response = HttpResponse(plan_docx(document), content_type=DOCX)
    elif kind == "xlsx":
        response = HttpResponse(appendices_xlsx(document), content_type=XLSX)
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


def activity_edit(request: HttpRequest, plan_id: int, activity_id: int) -> HttpResponse:
    plan, _access = _plan(request, plan_id, Access.EDIT)
    activity = get_object_or_404(Activity, pk=activity_id, plan=plan)
    form = ActivityForm(request.POST or None, instance=activity)
    if request.method == "POST" and form.is_valid():
        services.activity_update(
            activity=activity,
            status=form.cleaned_data["status"],
            progress_note=form.cleaned_data["progress_note"],
        )
        return redirect("plans:detail", plan.pk)
    return render(
        request,
        "plans/form.html",
        {"nav": "plans", "form": form, "plan": plan, "title": activity.name[:80]},
    )


def plan_import_view(request: HttpRequest) -> HttpResponse:
    """Upload a plan; see what was recognised (nothing stored); then store it."""
    scope = request_scope(request)
    choices = [
        (str(v.unit_id), f"{v.name} ({v.display_code})")
        for v in units.visible_versions(scope, Action.EDIT_PLANS)
        .exclude(unit__level__in=["village", "country"])
        .order_by("path")[:500]
    ]
    if not choices:
        raise PermissionDenied(_("You may not write plans."))
    form = PlanImportForm(request.POST or None, request.FILES or None, units=choices)
    result = None
    pending = request.session.get(UPLOAD_KEY)
    if request.method == "POST" and request.POST.get("confirm") and pending:
        version = units.unit_on(int(pending["unit"]), scope, Action.EDIT_PLANS)
        path = _upload_dir() / pending["token"]
        result = plan_import(
            path.read_bytes(),
            file_name=pending["name"],
            unit=version.unit,
            on=date.fromisoformat(pending["date"]),
            user=request.user,
        )
        path.unlink(missing_ok=True)
        del request.session[UPLOAD_KEY]
        if result.plan is not None:
            messages.success(request, _("The plan was imported."))
            return redirect("plans:detail", result.plan.pk)
    elif request.method == "POST" and form.is_valid() and within_limit(form, Kind.PLAN):
        upload = form.cleaned_data["file"]
        content = upload.read()
        version = units.unit_on(int(form.cleaned_data["unit"]), scope, Action.EDIT_PLANS)
        result = plan_import(
            content,
            file_name=upload.name,
            unit=version.unit,
            on=form.cleaned_data["date"],
            user=request.user,
            dry_run=True,
        )
        if not result.errors and result.on is not None:
            token = uuid.uuid4().hex
            (_upload_dir() / token).write_bytes(content)
            request.session[UPLOAD_KEY] = {
                "token": token,
                "name": upload.name,
                "unit": str(version.unit_id),
                "date": result.on.isoformat(),
            }
    return render(
        request,
        "plans/import.html",
        {
            "nav": "plans",
            "form": form,
            "result": result,
            "data": result.as_dict() if result else None,
            "pending": request.session.get(UPLOAD_KEY),
        },
    )


def _upload_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def plan_calendar(request: HttpRequest) -> HttpResponse:
    """A month of activities of the plans one may see, and the communication days."""
    today = timezone.localdate()
    raw = request.GET.get("month") or f"{today:%Y-%m}"
    try:
        year, month = (int(x) for x in raw.split("-"))
        first = date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    last = first.replace(day=month_calendar.monthrange(first.year, first.month)[1])
    plans = [
        p for p, _a in plans_visible(request.user) if p.period_start <= first.year <= p.period_end
    ]
    activities = [
        a
        for a in Activity.objects.filter(plan__in=plans).select_related("plan")
        if (a.recurrence == "monthly")
        or (a.start is not None and a.end is not None and a.start <= last and a.end >= first)
    ]
    overdue = [
        a
        for a in Activity.objects.filter(plan__in=plans).select_related("plan")
        if a.is_overdue(today)
    ]
    weeks = month_calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    days = dict(days_between(first, last))
    return render(
        request,
        "plans/calendar.html",
        {
            "nav": "calendar",
            "first": first,
            "weeks": weeks,
            "activities": activities,
            "overdue": overdue,
            "days": days,
            "today": today,
            "previous": (first - timedelta(days=1)).strftime("%Y-%m"),
            "next": (last + timedelta(days=1)).strftime("%Y-%m"),
            "upcoming": days_between(today, today + timedelta(days=30)),
        },
    )


def indicator_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "plans/indicators.html",
        {
            "nav": "plans",
            "indicators": Indicator.objects.select_related("parent"),
            "can_edit": request_scope(request).allows_anywhere(Action.EDIT_INDICATORS),
        },
    )


def indicator_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    if not request_scope(request).allows_anywhere(Action.EDIT_INDICATORS):
        raise PermissionDenied(_("Only a province officer edits the indicators."))
    indicator = get_object_or_404(Indicator, code=code) if code else None
    form = IndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect("plans:indicators")
    return render(
        request,
        "plans/form.html",
        {"nav": "plans", "form": form, "title": indicator or _("New indicator")},
    )


def agencies(request: HttpRequest) -> HttpResponse:
    """The directory of agencies of a unit (responsibilities in plans refer to them)."""
    version = _current_unit(request, Action.VIEW)
    scope = request_scope(request)
    can_edit = scope.allows(Action.EDIT_PLANS, version)
    form = AgencyForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("You may not change this directory."))
        if form.is_valid():
            try:
                services.agency_create(unit=version.unit, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect(f"{request.path}?unit={version.unit_id}")
    return render(
        request,
        "plans/agencies.html",
        {
            "nav": "plans",
            "version": version,
            "form": form,
            "can_edit": can_edit,
            "agencies": Agency.objects.filter(unit=version.unit).order_by("name"),
        },
    )
