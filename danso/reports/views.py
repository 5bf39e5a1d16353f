"""The reports' screens (báo cáo định kỳ): a level's inbox, the report editor, the review
by the level above, and the administrator's working calendar.

Every write goes through ``services`` (which check the scope again and raise
``PermissionDenied`` → 403, ``ValidationError`` → the message on the page); what is read
comes from ``inbox``, in the reader's scope on the report's tree day.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from danso.accounts.context import request_scope, unit_in_scope, working_date
from danso.accounts.scope import unit_scope
from danso.numberfields import number_problem
from danso.params import id_param, year_param
from danso.reports import consistency, inbox, output, selectors, services
from danso.reports.forms import CalendarDayForm, parse_figure
from danso.reports.models import CalendarDay, Report, ReportFigure, ReportType, ReportWaiver
from danso.units import selectors as units
from danso.units.codes import Level
from danso.units.models import Unit, UnitVersion
from danso.units.scope import Action, UnitScope


def _problem(error: ValidationError) -> str:
    return " ".join(error.messages)


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Back to the page the form was on (``next``), if it is one of ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect(fallback)


# ----------------------------------------------------------------------------- the inbox


def _unit_choices(scope: UnitScope) -> list[UnitVersion]:
    """The units whose inbox the reader may open: those of their roles and, for someone
    who sees the whole country, the provinces."""
    roots = units.scope_roots(scope)
    if any(root.unit.level == Level.COUNTRY for root in roots):
        provinces = sorted(
            units.versions_on(scope.on).filter(unit__level=Level.PROVINCE),
            key=lambda version: version.display_code,
        )
        roots = [r for r in roots if r.unit.level != Level.COUNTRY] + provinces
    return roots


def _inbox(request: HttpRequest) -> dict[str, Any]:
    """What the inbox shows: the unit, its own reports, and the chosen type and period of
    the reports the units below send it."""
    on = working_date(request)
    scope = request_scope(request)
    choices = _unit_choices(scope)
    if not choices:
        raise PermissionDenied(_("You hold no role at any unit on this date."))
    unit_id = id_param(request.GET.get("unit")) or choices[0].unit_id
    version = unit_in_scope(unit_id, scope, Action.VIEW)
    own_types, received = inbox.report_types_for(version, on)
    context: dict[str, Any] = {
        "nav": "reports",
        "on": on,
        "version": version,
        "unit_choices": choices,
        "own": inbox.own_reports(version.unit, own_types, on),
        "received_choices": [(t.code, inbox.type_name(t)) for t in received],
        "report_type": None,
        "found": None,
        "problem": "",
        "reminders": selectors.reminders_for(request.user),
        # a viewer reads the reports; starting one, or entering a paper unit's, is not
        # offered to them (it would answer 403)
        "can_submit": scope.allows(Action.SUBMIT_REPORTS, version),
    }
    wanted = request.GET.get("type", "")
    report_type = next((t for t in received if t.code == wanted), None)
    report_type = report_type or inbox.nearest_due(received, on)
    if report_type is None:
        return context
    text = request.GET.get("period", "").strip()
    period = inbox.last_ended(report_type.period_kind, on)
    if text:
        try:
            period = selectors.period_of(report_type, text)
        except ValidationError as error:
            context["problem"] = _problem(error)
    context.update(
        {
            "report_type": report_type,
            "period": period,
            "period_label": inbox.period_label(period),
            "periods": [
                (str(p), inbox.period_label(p)) for p in inbox.period_choices(report_type, on)
            ],
        }
    )
    try:
        parent = selectors.version_for(version.unit, period)
    except ValidationError as error:
        context["problem"] = context["problem"] or _problem(error)
        return context
    if not unit_scope(request.user, selectors.tree_day(parent.unit, period)).allows(
        Action.VIEW, parent
    ):
        raise PermissionDenied(_("%(name)s is outside your units.") % {"name": parent.name})
    context["found"] = inbox.incoming(report_type, parent, period)
    return context


def inbox_view(request: HttpRequest) -> HttpResponse:
    """The reports of the reader's unit, and those the units below send it."""
    return render(request, "reports/inbox.html", _inbox(request))


def inbox_xlsx(request: HttpRequest) -> HttpResponse:
    """The inbox's list of the reports received, as .xlsx."""
    context = _inbox(request)
    found: inbox.Incoming | None = context["found"]
    if found is None:
        raise Http404(context["problem"] or _("This unit receives no reports."))
    response = HttpResponse(inbox.incoming_workbook(found), content_type=inbox.XLSX)
    filename = f"danso-bao-cao-{found.report_type.code}-{found.period}-{found.parent.display_code}"
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


@require_POST
def reminder_read(request: HttpRequest, reminder_id: int) -> HttpResponse:
    """Mark one of the reader's reminders as read."""
    reminder = next((r for r in selectors.reminders_for(request.user) if r.pk == reminder_id), None)
    if reminder is None:
        raise Http404
    services.reminder_read(reminder, request.user)
    if request.headers.get("HX-Request"):
        return HttpResponse("")
    return _back(request, reverse("reports:inbox"))


# ----------------------------------------------------------------------------- a report


def _access(request: HttpRequest, report_id: int) -> inbox.Access:
    try:
        return inbox.report_access(request.user, report_id)
    except Report.DoesNotExist as error:
        raise Http404 from error
    except inbox.ReportOutOfScope as error:
        raise PermissionDenied(_("This report is of a unit outside yours.")) from error


def report_open(request: HttpRequest) -> HttpResponse:
    """POST ``type=CODE&unit=ID&period=P``: the unit's report, created and filled the
    first time, then its editor.  A GET never creates it: it goes to the report when it
    exists, and to the inbox of that unit otherwise (where "Start" posts here)."""
    data = request.POST if request.method == "POST" else request.GET
    report_type = ReportType.objects.filter(code=data.get("type", "")).first()
    unit = Unit.objects.filter(pk=id_param(data.get("unit")) or 0).first()
    if report_type is None or unit is None:
        raise Http404(_("No such report type or unit."))
    if request.method != "POST":
        try:
            period = services.report_may_open(
                report_type=report_type,
                unit=unit,
                period=data.get("period", ""),
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, _problem(error))
            return redirect("reports:inbox")
        found = Report.objects.filter(report_type=report_type, unit=unit, period=str(period))
        if found.exists():
            return redirect("reports:detail", report_id=found.get().pk)
        return render(
            request,
            "reports/open.html",
            {
                "nav": "reports",
                "report_type": report_type,
                "type_name": inbox.type_name(report_type),
                "version": selectors.version_for(unit, period),
                "period": period,
                "period_label": inbox.period_label(period),
            },
        )
    try:
        report = services.report_open(
            report_type=report_type, unit=unit, period=data.get("period", ""), actor=request.user
        )
    except ValidationError as error:
        messages.error(request, _problem(error))
        return redirect("reports:inbox")
    return redirect("reports:detail", report_id=report.pk)


def _header(access: inbox.Access) -> dict[str, Any]:
    report = access.report
    period = report.parsed_period
    due = selectors.due_date(report.report_type, period)
    return {
        "access": access,
        "report": report,
        "version": access.version,
        "receiver": access.receiver,
        "type_name": inbox.type_name(report.report_type),
        "period_label": inbox.period_label(period),
        "due": due,
        "late_days": inbox.days_late(report.submitted_at, due) if report.submitted_at else 0,
    }


def _children(access: inbox.Access) -> dict[str, Any]:
    side = inbox.children_side_by_side(access.report)
    fed_by = access.report.report_type.fed_by.first() if side is not None else None
    return {
        "side": side,
        "child_type": fed_by,
        # the level that receives the children's reports decides on waiving them
        "may_waive": side is not None and access.scope.allows(inbox.DECIDE, access.version),
    }


def _save_figure(
    request: HttpRequest, figure: ReportFigure, posted: dict[int, tuple[str, str]]
) -> list[str]:
    """Save one figure from the form if it changed; its problems, if any."""
    raw = request.POST.get(f"v-{figure.pk}")
    if raw is None:
        return []
    reason = request.POST.get(f"r-{figure.pk}", "")
    try:
        value = parse_figure(raw)
    except ValueError as error:
        posted[figure.pk] = (raw, reason)
        return [number_problem(raw, error)]
    if value == figure.value and reason.strip() == figure.reason:
        return []
    try:
        services.report_figure_set(figure=figure, value=value, reason=reason, actor=request.user)
    except ValidationError as error:
        posted[figure.pk] = (raw, reason)
        return list(error.messages)
    return []


def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    """The report editor: its figures (each correction with a reason), its sections,
    refresh from the register, submit, download.  Read-only once sent."""
    access = _access(request, report_id)
    report = access.report
    posted: dict[int, tuple[str, str]] = {}
    errors: dict[int, list[str]] = {}
    text_errors: list[str] = []
    if request.method == "POST":
        if not access.may_write:
            raise PermissionDenied(_("You may not write the reports of this unit."))
        for figure in report.figures.select_related("report__report_type", "report__unit"):
            problems = _save_figure(request, figure, posted)
            if problems:
                errors[figure.pk] = problems
        for text in report.texts.select_related("row"):
            typed = request.POST.get(f"t-{text.row_id}")
            if typed is None or typed.strip() == text.text:
                continue
            try:
                services.report_text_set(
                    report=report, key=text.row.key, text=typed, actor=request.user
                )
            except ValidationError as error:
                text_errors.extend(error.messages)
        if not errors and not text_errors:
            if consistency.report_inconsistencies(report):
                messages.warning(
                    request,
                    _("The report was saved, but some figures do not agree: see the list."),
                )
            else:
                messages.success(request, _("The report was saved."))
            return redirect("reports:detail", report_id=report.pk)
        messages.error(request, _("Some figures were not saved: see the messages beside them."))
    context = {
        **_header(access),
        **_children(access),
        "table": inbox.figure_table(report, access.version, access.day, posted, errors),
        "sections": inbox.sections(report),
        "text_errors": text_errors,
        "editable": access.can_edit,
        "inconsistencies": consistency.report_inconsistencies(report),
        "nav": "reports",
    }
    return render(request, "reports/report.html", context, status=400 if errors else 200)


@require_POST
def figure_save(request: HttpRequest, report_id: int, figure_id: int) -> HttpResponse:
    """Save one figure (htmx, on change): the cell again, with its problem if refused."""
    access = _access(request, report_id)
    figure = get_object_or_404(
        ReportFigure.objects.select_related("row", "report__report_type", "report__unit"),
        pk=figure_id,
        report_id=report_id,
    )
    if not access.may_write:
        raise PermissionDenied(_("You may not write the reports of this unit."))
    posted: dict[int, tuple[str, str]] = {}
    problems = _save_figure(request, figure, posted)
    if not request.headers.get("HX-Request"):
        if problems:
            messages.error(request, " ".join(problems))
        return redirect("reports:detail", report_id=report_id)
    figure.refresh_from_db()
    value, reason = posted.get(figure.pk, (inbox.figure_text(figure.value), figure.reason))
    places = inbox.row_decimals([figure.row])[figure.row_id]
    computed = inbox.figure_text(figure.computed, places)
    cell = inbox.Cell(figure, value, computed, reason, problems, places)
    return render(
        request,
        "reports/_figure.html",
        {
            "cell": cell,
            "report": access.report,
            "editable": True,
            "saved": not problems,
            "wide": access.report.report_type.child_columns,
            # the list of figures that do not agree, redrawn as the officer fills
            "oob_consistency": True,
            "inconsistencies": consistency.report_inconsistencies(access.report),
        },
    )


@require_POST
def report_refresh(request: HttpRequest, report_id: int) -> HttpResponse:
    """Fill the report again from the register and the entered figures."""
    access = _access(request, report_id)
    try:
        services.report_refresh(report=access.report, actor=request.user)
    except ValidationError as error:
        messages.error(request, _problem(error))
    else:
        messages.success(request, _("The figures that follow the register were filled again."))
    return redirect("reports:detail", report_id=report_id)


@require_POST
def report_submit(request: HttpRequest, report_id: int) -> HttpResponse:
    """Send the report to the level above."""
    access = _access(request, report_id)
    try:
        services.report_submit(report=access.report, actor=request.user)
    except ValidationError as error:
        messages.error(request, _problem(error))
    else:
        messages.success(
            request, _("The report was sent to %(unit)s.") % {"unit": access.receiver.name}
        )
    return redirect("reports:detail", report_id=report_id)


def _download(request: HttpRequest, report_id: int, ext: str) -> HttpResponse:
    access = _access(request, report_id)
    if ext == "xlsx":
        body, content_type = output.report_xlsx(access.report), inbox.XLSX
    else:
        body, content_type = output.report_pdf(access.report), "application/pdf"
    response = HttpResponse(body, content_type=content_type)
    filename = output.report_filename(access.report, ext)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def report_xlsx(request: HttpRequest, report_id: int) -> HttpResponse:
    """The report in its form's layout, as .xlsx."""
    return _download(request, report_id, "xlsx")


def report_pdf(request: HttpRequest, report_id: int) -> HttpResponse:
    """The report in its form's layout, as PDF."""
    return _download(request, report_id, "pdf")


# ----------------------------------------------------------------------------- review


def report_review(request: HttpRequest, report_id: int) -> HttpResponse:
    """The report as the level above reads it: corrected figures and their reasons
    highlighted; approve, return with a comment, unlock with a reason; for a district's
    own report, the reports of its units side by side."""
    access = _access(request, report_id)
    context = {
        **_header(access),
        **_children(access),
        "table": inbox.figure_table(access.report, access.version, access.day),
        "sections": inbox.sections(access.report),
        "nav": "reports",
    }
    context["corrections"] = [c for c in context["table"].cells() if c.corrected]
    return render(request, "reports/review.html", context)


def _decide(request: HttpRequest, report_id: int, decision: str) -> HttpResponse:
    access = _access(request, report_id)
    report = access.report
    text = request.POST.get("comment", "")
    try:
        if decision == "approve":
            services.report_approve(report=report, actor=request.user)
            done = _("The report was approved.")
        elif decision == "return":
            services.report_return(report=report, comment=text, actor=request.user)
            done = _("The report was returned to %(unit)s.") % {"unit": access.version.name}
        else:
            services.report_unlock(report=report, reason=text, actor=request.user)
            done = _("The report was unlocked and returned to %(unit)s.") % {
                "unit": access.version.name
            }
    except ValidationError as error:
        messages.error(request, _problem(error))
    else:
        messages.success(request, done)
    return redirect("reports:review", report_id=report_id)


@require_POST
def report_approve(request: HttpRequest, report_id: int) -> HttpResponse:
    return _decide(request, report_id, "approve")


@require_POST
def report_return(request: HttpRequest, report_id: int) -> HttpResponse:
    return _decide(request, report_id, "return")


@require_POST
def report_unlock(request: HttpRequest, report_id: int) -> HttpResponse:
    return _decide(request, report_id, "unlock")


@require_POST
def waive(request: HttpRequest) -> HttpResponse:
    """Excuse a unit below from a report of one period, with a reason."""
    report_type = ReportType.objects.filter(code=request.POST.get("type", "")).first()
    unit = Unit.objects.filter(pk=id_param(request.POST.get("unit")) or 0).first()
    if report_type is None or unit is None:
        raise Http404(_("No such report type or unit."))
    try:
        services.report_waive(
            report_type=report_type,
            unit=unit,
            period=request.POST.get("period", ""),
            reason=request.POST.get("reason", ""),
            actor=request.user,
        )
    except ValidationError as error:
        messages.error(request, _problem(error))
    else:
        messages.success(request, _("%(unit)s is excused from this report.") % {"unit": unit})
    return _back(request, reverse("reports:inbox"))


@require_POST
def waiver_remove(request: HttpRequest, waiver_id: int) -> HttpResponse:
    """Withdraw a waiver: the unit owes the report again."""
    waiver = get_object_or_404(ReportWaiver, pk=waiver_id)
    try:
        services.report_waiver_remove(waiver=waiver, actor=request.user)
    except ValidationError as error:
        messages.error(request, _problem(error))
    else:
        messages.success(request, _("The waiver was withdrawn."))
    return _back(request, reverse("reports:inbox"))


# ----------------------------------------------------------------------------- calendar


def _require_admin(request: HttpRequest) -> None:
    if not request_scope(request).is_everything(Action.MANAGE_USERS):
        raise PermissionDenied(_("Only an administrator sets the working calendar."))


@require_POST
def calendar_day_remove(request: HttpRequest, day: str) -> HttpResponse:
    """Give a day back to the public holidays (the administrator's setting removed)."""
    _require_admin(request)
    try:
        parsed = date.fromisoformat(day)
    except ValueError as error:
        raise Http404(day) from error
    if services.calendar_day_remove(day=parsed, actor=request.user):
        messages.success(
            request, _("%(day)s follows the public holidays again.") % {"day": f"{parsed:%d/%m/%Y}"}
        )
    return redirect(f"{reverse('reports:calendar')}?year={parsed.year}")


def calendar(request: HttpRequest) -> HttpResponse:
    """The working calendar that deadlines are counted on: the year's holidays as the
    ``holidays`` package has them, and the days the administrator set against it.  Every
    officer reads it (why a deadline falls where it does); only the administrator
    changes it."""
    admin = request_scope(request).is_everything(Action.MANAGE_USERS)
    if request.method == "POST":
        _require_admin(request)
    year = year_param(request.GET.get("year")) or working_date(request).year
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        day: date = form.cleaned_data["day"]
        try:
            services.calendar_day_set(
                day=day,
                working=form.cleaned_data["kind"] == CalendarDay.Kind.WORKING_DAY,
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(day)s was saved.") % {"day": f"{day:%d/%m/%Y}"})
            return redirect(f"{reverse('reports:calendar')}?year={day.year}")
    return render(
        request,
        "reports/calendar.html",
        {
            "nav": "reports",
            "year": year,
            "years": [year - 1, year + 1],
            "entries": inbox.calendar_year(year),
            "days": CalendarDay.objects.filter(day__year=year).order_by("day"),
            "form": form,
            "can_set": admin,
        },
        status=400 if form.errors else 200,
    )
