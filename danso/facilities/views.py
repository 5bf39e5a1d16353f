"""Screens of the health facilities and their inspections: the facilities of a unit with
their inspections and violations in a year, a facility with its inspections, and the
forms that register a facility and record an inspection.  Every view reads through the
reader's scope on the working date; every write goes through ``services``, which checks
it again on the day it concerns."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from danso.accounts.context import request_scope, unit_in_scope
from danso.facilities import selectors, services
from danso.facilities.forms import FacilityForm, InspectionForm
from danso.facilities.models import ChecklistItem, Facility, Inspection
from danso.params import year_param
from danso.units import selectors as units
from danso.units.codes import Level
from danso.units.models import Unit
from danso.units.scope import Action


@contextmanager
def _found() -> Iterator[None]:
    """A facility or inspection out of reach is 403, one that is not there 404."""
    try:
        yield
    except selectors.FacilityOutOfScope as error:
        raise PermissionDenied(_("This facility is outside the units you may see.")) from error
    except selectors.FacilityNotFound as error:
        raise Http404(_("No such facility on this day.")) from error


def _form_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def home(request: HttpRequest) -> HttpResponse:
    """The units the reader's roles are at: one goes straight to its list."""
    scope = request_scope(request)
    roots = [v for v in units.scope_roots(scope) if v.unit.level != Level.VILLAGE]
    if len(roots) == 1:
        return redirect("facilities:unit", roots[0].unit_id)
    return render(request, "facilities/home.html", {"nav": "facilities", "roots": roots})


def unit_facilities(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The facilities of the communes at or under a unit, with their inspections and
    violations in the year asked."""
    scope = request_scope(request)
    version = unit_in_scope(unit_id, scope, Action.VIEW)
    year = year_param(request.GET.get("year")) or scope.on.year
    rows = selectors.facilities_under(version, scope, year)
    return render(
        request,
        "facilities/list.html",
        {
            "nav": "facilities",
            "version": version,
            "ancestors": units.ancestors(version),
            "year": year,
            "years": list(range(scope.on.year, scope.on.year - 6, -1)),
            "rows": rows,
            "totals": selectors.year_totals(rows),
            "can_add": selectors.communes_for_facilities(version, scope).exists(),
        },
    )


def facility_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Register a facility in one of the communes at or under a unit."""
    scope = request_scope(request)
    version = unit_in_scope(unit_id, scope, Action.VIEW)
    communes = list(selectors.communes_for_facilities(version, scope))
    if not communes:
        raise PermissionDenied(_("You may not register facilities here."))
    form = FacilityForm(request.POST or None, communes=communes)
    if request.method == "POST" and form.is_valid():
        try:
            facility = services.facility_save(
                actor=request.user,
                data=form.facility(),
                on=scope.on,
                unit=Unit.objects.get(pk=form.cleaned_data["commune"]),
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request, _("The facility %(name)s was registered.") % {"name": facility.name}
            )
            return redirect("facilities:detail", facility.pk)
    return render(
        request,
        "facilities/facility_form.html",
        {
            "nav": "facilities",
            "version": version,
            "ancestors": units.ancestors(version),
            "form": form,
            "facility": None,
        },
    )


def facility_detail(request: HttpRequest, facility_id: int) -> HttpResponse:
    scope = request_scope(request)
    with _found():
        facility, commune = selectors.facility_of(facility_id, scope)
    inspections = list(selectors.inspections_of(facility, scope))
    return render(
        request,
        "facilities/detail.html",
        {
            "nav": "facilities",
            "facility": facility,
            "commune": commune,
            "ancestors": units.ancestors(commune),
            "inspections": inspections,
            "checklist": ChecklistItem.choices,
            "history": facility.history.select_related("history_user").order_by("-history_date")[
                :10
            ],
            "can_edit": scope.allows(Action.EDIT_VILLAGES, commune),
            "can_inspect": scope.allows(Action.SUBMIT_REPORTS, commune),
        },
    )


def facility_edit(request: HttpRequest, facility_id: int) -> HttpResponse:
    scope = request_scope(request)
    with _found():
        facility, commune = selectors.facility_of(facility_id, scope, Action.EDIT_VILLAGES)
    form = FacilityForm(request.POST or None, initial=_facility_initial(facility))
    if request.method == "POST" and form.is_valid():
        try:
            services.facility_save(
                actor=request.user, data=form.facility(), on=scope.on, facility=facility
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The facility was saved."))
            return redirect("facilities:detail", facility.pk)
    return render(
        request,
        "facilities/facility_form.html",
        {
            "nav": "facilities",
            "version": commune,
            "ancestors": units.ancestors(commune),
            "form": form,
            "facility": facility,
        },
    )


def _facility_initial(facility: Facility) -> dict[str, Any]:
    return {
        "name": facility.name,
        "address": facility.address,
        "ownership": facility.ownership,
        "services": facility.services,
        "licence_number": facility.licence_number,
        "licence_date": facility.licence_date,
        "latitude": facility.latitude,
        "longitude": facility.longitude,
        "active": facility.active,
        "note": facility.note,
    }


def inspection_create(request: HttpRequest, facility_id: int) -> HttpResponse:
    """Record an inspection of a facility (checked on the inspection's day)."""
    scope = request_scope(request)
    with _found():
        facility, commune = selectors.facility_of(facility_id, scope, Action.SUBMIT_REPORTS)
    form = InspectionForm(
        request.POST or None, initial={"date": min(scope.on, timezone.localdate())}
    )
    return _inspection_form(request, form, facility, commune, None)


def inspection_edit(request: HttpRequest, inspection_id: int) -> HttpResponse:
    scope = request_scope(request)
    with _found():
        inspection, commune = selectors.inspection_of(inspection_id, scope, Action.SUBMIT_REPORTS)
    initial = {
        name: getattr(inspection, name)
        for name in InspectionForm.base_fields
        if name not in ("checklist", "fine")
    }
    initial["checklist"] = [code for code, ok in inspection.checklist.items() if ok]
    initial["fine"] = int(inspection.fine) if inspection.fine is not None else None
    form = InspectionForm(request.POST or None, initial=initial)
    return _inspection_form(request, form, inspection.facility, commune, inspection)


def _inspection_form(
    request: HttpRequest,
    form: InspectionForm,
    facility: Facility,
    commune: Any,
    inspection: Inspection | None,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            services.inspection_save(
                actor=request.user,
                data=form.inspection(),
                facility=facility,
                inspection=inspection,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The inspection was recorded."))
            return redirect("facilities:detail", facility.pk)
    return render(
        request,
        "facilities/inspection_form.html",
        {
            "nav": "facilities",
            "facility": facility,
            "commune": commune,
            "ancestors": units.ancestors(commune),
            "form": form,
            "inspection": inspection,
        },
    )


@require_POST
def inspection_delete(request: HttpRequest, inspection_id: int) -> HttpResponse:
    scope = request_scope(request)
    with _found():
        inspection, _commune = selectors.inspection_of(inspection_id, scope, Action.SUBMIT_REPORTS)
    facility_id = inspection.facility_id
    services.inspection_delete(
        actor=request.user, inspection=inspection, reason=request.POST.get("reason", "")
    )
    messages.success(request, _("The inspection was deleted."))
    return redirect("facilities:detail", facility_id)
