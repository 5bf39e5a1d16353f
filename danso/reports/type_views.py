"""The report types' screens: the list (anyone logged in: what each report asks) and a
type's rows for a province officer to edit (add an indicator, a count or a free-text
section; relabel, move or remove a row).  The writes are ``type_editing``'s, which check
the permission again and raise ``ValidationError`` with the message shown on the page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from danso.accounts.context import request_scope
from danso.indicators.models import Indicator
from danso.params import whole
from danso.reports import type_editing
from danso.reports.catalogue import RowKind, count_label
from danso.reports.models import ReportRow, ReportType
from danso.units.scope import Action


def _may_edit(request: HttpRequest) -> bool:
    return request_scope(request).allows_anywhere(Action.EDIT_INDICATORS)


def _editable_type(request: HttpRequest, code: str) -> ReportType:
    if not _may_edit(request):
        raise PermissionDenied(_("Only a province officer may change the report types."))
    return get_object_or_404(ReportType, code=code)


def report_types(request: HttpRequest) -> HttpResponse:
    """Every report type with its period, who reports to whom and how many rows."""
    return render(
        request,
        "reports/types/list.html",
        {
            "nav": "reports",
            "types": ReportType.objects.annotate(row_count=Count("rows")).order_by("code"),
            "may_edit": _may_edit(request),
        },
    )


def report_type_rows(request: HttpRequest, code: str) -> HttpResponse:
    """A type's rows with a form for each, and the form to add one (POST)."""
    report_type = _editable_type(request, code)
    problems: list[str] = []
    posted: dict[str, str] = {}
    if request.method == "POST":
        posted = {
            name: request.POST.get(name, "")
            for name in ("kind", "indicator", "count", "label_vi", "label_en")
        }
        kind = posted["kind"]
        try:
            row = type_editing.report_row_add(
                report_type=report_type,
                kind=kind,
                key=posted["indicator"] if kind == RowKind.INDICATOR else posted["count"],
                label_vi=posted["label_vi"],
                label_en=posted["label_en"],
                actor=request.user,
            )
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, _("The row “%(label)s” was added.") % {"label": row.label_vi})
            return _back(request, report_type.code)
    return render(
        request,
        "reports/types/rows.html",
        {
            "nav": "reports",
            "report_type": report_type,
            "rows": report_type.rows.order_by("position"),
            "indicators": Indicator.objects.order_by("code"),
            "counts": [(key, count_label(key)) for key in type_editing.count_keys()],
            "problems": problems,
            "posted": posted,
        },
        status=400 if problems else 200,
    )


def _row(request: HttpRequest, code: str, row_id: int) -> ReportRow:
    report_type = _editable_type(request, code)
    return get_object_or_404(ReportRow, pk=row_id, report_type=report_type)


def _back(request: HttpRequest, code: str, error: ValidationError | None = None) -> HttpResponse:
    """Back to the type's rows, with the refusal's message when there is one."""
    if error is not None:
        messages.error(request, " ".join(error.messages))
    return redirect("reports:type_rows", code=code)


@require_POST
def report_row_save(request: HttpRequest, code: str, row_id: int) -> HttpResponse:
    """Change a row's labels and position."""
    row = _row(request, code, row_id)
    position = whole(request.POST.get("position"), 1, 32_767)
    try:
        if position is None:
            raise ValidationError(_("The position must be a whole number."))
        row = type_editing.report_row_change(
            row=row,
            label_vi=request.POST.get("label_vi", ""),
            label_en=request.POST.get("label_en", ""),
            position=position,
            actor=request.user,
        )
    except ValidationError as error:
        return _back(request, code, error)
    messages.success(request, _("The row “%(label)s” was saved.") % {"label": row.label_vi})
    return _back(request, code)


@require_POST
def report_row_remove(request: HttpRequest, code: str, row_id: int) -> HttpResponse:
    """Remove a row no report holds a figure for."""
    row = _row(request, code, row_id)
    label = row.label_vi
    try:
        type_editing.report_row_remove(row=row, actor=request.user)
    except ValidationError as error:
        return _back(request, code, error)
    messages.success(request, _("The row “%(label)s” was removed.") % {"label": label})
    return _back(request, code)
