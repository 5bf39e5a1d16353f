"""Two screens beside the dashboards: the form in which a commune without a register
enters its report's counts for a period (beside what the register holds when it has one),
and the definitions of the indicators for a year."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from danso.accounts.context import request_scope, unit_in_scope
from danso.indicators import cache, entered
from danso.indicators import tallies as keys
from danso.indicators.engine import NEWBORN_WINDOW, PREMARITAL_WINDOW, PRENATAL_WINDOW
from danso.indicators.expressions import ANNUALISED, CATALOGUE_EXPRESSIONS
from danso.indicators.models import EnteredFigures, Indicator
from danso.indicators.periods import Period, PeriodError
from danso.indicators.services import entered_save
from danso.indicators.uncertainty import SMALL_NUMBERS, IntervalKind
from danso.numberfields import number_problem
from danso.params import year_param
from danso.units.codes import Level
from danso.units.scope import Action
from danso.vietnamese import parse_integer


def entered_edit(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Enter or correct the counts of one commune or village and period."""
    scope = request_scope(request)
    version = unit_in_scope(unit_id, scope, Action.EDIT_POPULATION)
    if version.unit.level not in (Level.COMMUNE, Level.VILLAGE):
        raise Http404(
            _("Figures are entered for communes and villages; the levels above add them up.")
        )
    text = (request.POST.get("period") or request.GET.get("period") or str(scope.on.year)).strip()
    errors: dict[str, list[str]] = {}
    try:
        period = Period.parse(text)
    except PeriodError as error:
        period = Period.year_of(scope.on.year)
        errors["period"] = [str(error)]
    existing = EnteredFigures.objects.filter(unit_id=unit_id, period=str(period)).first()
    values: dict[str, Any] = dict(existing.counts) if existing else {}
    source = existing.source if existing else ""
    if request.method == "POST" and not errors:
        values, source = {}, request.POST.get("source", "")
        for field in entered.FIELDS:
            raw = request.POST.get(field.key, "").strip()
            if not raw:
                continue
            try:
                values[field.key] = parse_integer(raw)
            except ValueError as error:
                errors.setdefault(field.key, []).append(number_problem(raw, error, whole=True))
        if not errors:
            try:
                entered_save(
                    unit=version.unit,
                    period=str(period),
                    counts=values,
                    source=source,
                    note=request.POST.get("note", ""),
                    user=request.user,
                )
            except ValidationError as error:
                errors = error.message_dict
            else:
                messages.success(request, _("The figures were saved."))
                return redirect(f"{request.path}?period={period}")
    register = cache.figures(version, period).tally
    english = (get_language() or "vi").startswith("en")
    rows = [
        {
            "key": field.key,
            "label": field.label_en if english else field.label_vi,
            "group": field.group,
            "value": values.get(field.key, ""),
            "register": register.get(field.key) if register.get(keys.FROM_REGISTER) else None,
            "errors": errors.get(field.key, []),
        }
        for field in entered.FIELDS
    ]
    return render(
        request,
        "indicators/entered.html",
        {
            "version": version,
            "period": period,
            "rows": rows,
            "source": source,
            "note": existing.note if existing else "",
            "has_register": bool(register.get(keys.FROM_REGISTER)),
            "errors": errors,
            "existing": existing,
        },
    )


def definitions(request: HttpRequest) -> HttpResponse:
    """What every indicator counts, for the year asked (definitions hold for a range of
    years and province officers can edit them), with the rules the engine applies."""
    year = year_param(request.GET.get("year")) or request_scope(request).on.year
    rows = (
        Indicator.objects.filter(
            Q(valid_from_year__isnull=True) | Q(valid_from_year__lte=year),
            Q(valid_to_year__isnull=True) | Q(valid_to_year__gte=year),
            parent__isnull=True,
        )
        .prefetch_related("breakdowns")
        .order_by("code")
    )
    return render(
        request,
        "indicators/definitions.html",
        {
            "year": year,
            "indicators": rows,
            "may_define": request_scope(request).allows_anywhere(Action.EDIT_INDICATORS),
            "catalogue_expressions": {
                code: f"({n}){f' / ({d})' if d else ''} × {f:,}".replace(",", ".")
                + (" " + _("× 365 / days in the period") if code in ANNUALISED else "")
                for code, (n, d, f) in CATALOGUE_EXPRESSIONS.items()
            },
            "small": {kind.value: SMALL_NUMBERS[kind] for kind in IntervalKind},
            "windows": {
                "prenatal": PRENATAL_WINDOW.days,
                "newborn": NEWBORN_WINDOW.days,
                "premarital": PREMARITAL_WINDOW.days,
            },
        },
    )
