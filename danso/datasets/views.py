"""The data sets' screens: the list, the definitions (province officers), the entry form
of a unit and period (htmx, Vietnamese numbers, a reason for each correction), a table
of values uploaded, and which units reported in a year."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from danso.accounts.context import request_scope, unit_in_scope
from danso.datasets import selectors, services
from danso.datasets.models import (
    DataElement,
    DataSet,
    Disaggregation,
    PeriodType,
    ReportingLevel,
    ValueType,
)
from danso.datasets.services import OPTIONS, Entry, NotAllowed
from danso.indicators.catalogue import METHOD_NAMES_VI
from danso.indicators.periods import Period
from danso.params import year_param
from danso.spreadsheets import LimitError
from danso.tables import TableError, read_table
from danso.units.models import UnitVersion, valid_on
from danso.units.scope import Action
from danso.units.selectors import scope_roots
from danso.uploads import Kind, limit_message, limits, read_upload
from danso.vietnamese import format_number

OPTION_LABELS: dict[str, Any] = {
    "": "",
    "M": gettext_lazy("male"),
    "F": gettext_lazy("female"),
    **METHOD_NAMES_VI,
}


def data_set_list(request: HttpRequest) -> HttpResponse:
    """Every data set with its elements; the units of the reader's scope that report it."""
    scope = request_scope(request)
    return render(
        request,
        "datasets/list.html",
        {
            "data_sets": selectors.data_sets(),
            "elements": selectors.data_elements(),
            "may_define": scope.allows_anywhere(Action.EDIT_INDICATORS),
            "roots": [
                v
                for v in scope_roots(scope)
                if v.unit.level in {level.value for level in ReportingLevel}
            ],
            "nav": "datasets",
        },
    )


def define(request: HttpRequest) -> HttpResponse:
    """Add or change a data element or a data set, or load a definition document."""
    scope = request_scope(request)
    if not scope.allows_anywhere(Action.EDIT_INDICATORS):
        raise PermissionDenied(_("You may not define data elements or data sets."))
    problems: list[str] = []
    element = DataElement.objects.filter(code=request.GET.get("element", "")).first()
    data_set = DataSet.objects.filter(code=request.GET.get("set", "")).first()
    if request.method == "POST":
        document = _document(request, problems)
        if document is not None and not problems:
            try:
                report = services.define(document, actor=request.user, file_name=_("the form"))
            except NotAllowed as error:
                raise PermissionDenied(str(error)) from error
            problems = [str(p) for p in report.problems]
            if not problems:
                messages.success(request, _("The definitions were saved."))
                return redirect("datasets:list")
    return render(
        request,
        "datasets/define.html",
        {
            "element": element,
            "data_set": data_set,
            "members": [m.element.code for m in data_set.members.all()] if data_set else [],
            "elements": selectors.data_elements(),
            "value_types": ValueType.choices,
            "disaggregations": Disaggregation.choices,
            "period_types": PeriodType.choices,
            "levels": ReportingLevel.choices,
            "problems": problems,
            "posted": request.POST if request.method == "POST" else {},
            "nav": "datasets",
        },
    )


def _document(request: HttpRequest, problems: list[str]) -> dict[str, Any] | None:
    """The definition document a form posted: one element, one set, or a JSON file."""
    kind = request.POST.get("form")
    if kind == "element":
        return {
            "data_elements": [
                {
                    "code": request.POST.get("code", ""),
                    "name": request.POST.get("name", ""),
                    "name_en": request.POST.get("name_en", ""),
                    "value_type": request.POST.get("value_type", ""),
                    "disaggregation": request.POST.get("disaggregation", ""),
                    "description": request.POST.get("description", ""),
                }
            ]
        }
    if kind == "set":
        return {
            "data_sets": [
                {
                    "code": request.POST.get("code", ""),
                    "name": request.POST.get("name", ""),
                    "name_en": request.POST.get("name_en", ""),
                    "period_type": request.POST.get("period_type", ""),
                    "level": request.POST.get("level", ""),
                    "elements": request.POST.getlist("elements"),
                }
            ]
        }
    upload = request.FILES.get("file")
    if upload is None:
        problems.append(_("Choose a JSON file of definitions."))
        return None
    try:
        loaded: dict[str, Any] = json.loads(upload.read().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        problems.append(
            _("%(file)s is not JSON: %(error)s") % {"file": upload.name, "error": error}
        )
        return None
    return loaded


def entry(request: HttpRequest, code: str, unit_id: int) -> HttpResponse:
    """The values of one unit and period of a data set: entered, corrected with a reason,
    and, for a unit above the data set's level, the sums of the units below."""
    data_set = get_object_or_404(DataSet, code=code)
    scope = request_scope(request)
    version = unit_in_scope(unit_id, scope, Action.VIEW)
    if version.unit.level != data_set.level:
        raise Http404(
            _("The data set %(code)s is reported by the %(level)s level.")
            % {"code": data_set.code, "level": ReportingLevel(data_set.level).label}
        )
    may_enter = scope.allows(Action.SUBMIT_REPORTS, version)
    text = (
        request.POST.get("period")
        or request.GET.get("period")
        or _default_period(data_set, scope.on)
    )
    errors: dict[str, str] = {}
    try:
        period = services.parse_period(data_set, text)
    except ValueError as error:
        errors["period"] = str(error)
        period = services.parse_period(data_set, _default_period(data_set, scope.on))
    stored = selectors.values_of(data_set, version, period, scope)
    members = [m.element for m in data_set.members.all()]
    posted: dict[str, str] = {}
    saved = False
    if request.method == "POST" and not errors:
        if not may_enter:
            raise PermissionDenied(
                _("You may not enter the values of %(unit)s.") % {"unit": version.name}
            )
        entries, posted, errors = _posted(request, data_set, version, period, members, stored)
        if not errors:
            services.write(entries, actor=request.user)
            saved = True
            stored = selectors.values_of(data_set, version, period, scope)
            posted = {}
    rows = [
        {
            "element": element,
            "option": option,
            "label": OPTION_LABELS.get(option, option),
            "name": f"v-{element.pk}-{option}",
            "value": posted.get(
                f"v-{element.pk}-{option}", _shown_or_empty(stored.get((element.pk, option)))
            ),
            "stored": stored.get((element.pk, option)),
            "error": errors.get(f"v-{element.pk}-{option}", ""),
        }
        for element in members
        for option in OPTIONS[element.disaggregation]
    ]
    context = {
        "data_set": data_set,
        "version": version,
        "period": period,
        "rows": rows,
        "errors": errors,
        "may_enter": may_enter,
        "saved": saved,
        "reason": request.POST.get("reason", "") if errors else "",
        "nav": "datasets",
    }
    template = (
        "datasets/_entry_form.html" if request.headers.get("HX-Request") else "datasets/entry.html"
    )
    return render(request, template, context)


def _default_period(data_set: DataSet, on: Any) -> str:
    if data_set.period_type == PeriodType.MONTH:
        return f"{on.year}-{on.month:02d}"
    if data_set.period_type == PeriodType.QUARTER:
        return f"{on.year}Q{(on.month - 1) // 3 + 1}"
    return str(on.year)


def _shown_or_empty(value: Any) -> str:
    return "" if value is None else services.shown(value)


def _posted(
    request: HttpRequest,
    data_set: DataSet,
    version: UnitVersion,
    period: Period,
    members: list[DataElement],
    stored: dict[tuple[int, str], Any],
) -> tuple[list[Entry], dict[str, str], dict[str, str]]:
    """The entries of a posted form, what was typed, and the problems by field."""
    entries: list[Entry] = []
    posted: dict[str, str] = {}
    errors: dict[str, str] = {}
    reason = request.POST.get("reason", "").strip()
    corrected = False
    for element in members:
        for option in OPTIONS[element.disaggregation]:
            name = f"v-{element.pk}-{option}"
            raw = request.POST.get(name, "").strip()
            posted[name] = raw
            before = stored.get((element.pk, option))
            if not raw:
                if before is not None:
                    errors[name] = _("A stored value cannot be emptied; correct it instead.")
                continue
            try:
                number, text = services.parse_value(element, raw)
            except ValueError as error:
                errors[name] = str(error)
                continue
            if before is not None and (before.number, before.text) != (number, text):
                corrected = True
            entries.append(Entry(data_set, element, version, period, option, number, text, reason))
    if corrected and not reason:
        errors["reason"] = _(
            "Values already stored were changed: give the reason for the correction."
        )
    return entries, posted, errors


def upload(request: HttpRequest) -> HttpResponse:
    """Values from a table (.csv or .xlsx with the columns data_set, unit_code, level,
    period, element, value): every row checked first; with any problem nothing is
    written."""
    if not request_scope(request).allows_anywhere(Action.SUBMIT_REPORTS):
        raise PermissionDenied(_("You may not enter values of data sets."))
    report: services.EntryReport | None = None
    if request.method == "POST":
        upload_file = request.FILES.get("file")
        if upload_file is None:
            messages.error(request, _("Choose a file."))
        else:
            name = upload_file.name or ""
            try:
                table = read_table(
                    read_upload(upload_file, Kind.ENTERED), name, limits=limits(Kind.ENTERED)
                )
            except (TableError, LimitError) as error:
                report = services.EntryReport()
                report.add(name, None, None, limit_message(error))
            else:
                with transaction.atomic():
                    report = services.enter_table(
                        table,
                        file_name=name,
                        actor=request.user,
                        reason=request.POST.get("reason", ""),
                    )
            if not report.problems:
                messages.success(
                    request,
                    _("%(saved)s values saved, %(unchanged)s unchanged.")
                    % {
                        "saved": format_number(report.saved),
                        "unchanged": format_number(report.unchanged),
                    },
                )
    return render(request, "datasets/upload.html", {"report": report, "nav": "datasets"})


def completeness(request: HttpRequest, code: str, unit_id: int) -> HttpResponse:
    """Which units under ``unit_id`` reported the data set in each period of a year."""
    data_set = get_object_or_404(DataSet, code=code)
    scope = request_scope(request)
    version = unit_in_scope(unit_id, scope, Action.VIEW)
    year = year_param(request.GET.get("year")) or scope.on.year
    periods = {
        PeriodType.MONTH: [Period.month_of(year, m) for m in range(1, 13)],
        PeriodType.QUARTER: [Period.parse(f"{year}Q{q}") for q in range(1, 5)],
        PeriodType.YEAR: [Period.year_of(year)],
    }[PeriodType(data_set.period_type)]
    units = list(
        UnitVersion.objects.filter(
            valid_on(scope.on), path__startswith=version.path, unit__level=data_set.level
        )
        .filter(scope.q(Action.VIEW))
        .select_related("unit")
        .order_by("code")
    )
    reported = selectors.reported(data_set, [u.unit_id for u in units], [str(p) for p in periods])
    wanted = data_set.members.count()
    cells = {
        unit.unit_id: [reported.get((unit.unit_id, str(p)), 0) for p in periods] for unit in units
    }
    rows = [{"version": unit, "cells": cells[unit.unit_id]} for unit in units]
    done = [sum(1 for row in cells.values() if row[i] >= wanted) for i in range(len(periods))]
    return render(
        request,
        "datasets/completeness.html",
        {
            "data_set": data_set,
            "version": version,
            "year": year,
            "periods": periods,
            "rows": rows,
            "wanted": wanted,
            "done": done,
            "units": len(units),
            "nav": "datasets",
        },
    )
