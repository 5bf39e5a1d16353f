"""The screen on which a province officer defines an indicator without code: a numerator
and a denominator written as expressions over the register's counts and data elements
(``expressions``), a factor, a direction (``services.indicator_define``)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from danso.accounts.context import request_scope
from danso.indicators.catalogue import Unit as MeasureUnit
from danso.indicators.defined import known_elements
from danso.indicators.expressions import COUNT_NAMES_VI, COUNTS
from danso.indicators.models import UNIT_LABELS, Indicator
from danso.indicators.services import DefinitionError, indicator_define
from danso.numberfields import number_problem
from danso.units.scope import Action
from danso.vietnamese import format_number, parse_number


def define(request: HttpRequest) -> HttpResponse:
    """Define a new indicator, or redefine one (``?code=``) by expressions."""
    if not request_scope(request).allows_anywhere(Action.EDIT_INDICATORS):
        raise PermissionDenied(_("You may not define indicators."))
    existing = Indicator.objects.filter(code=request.GET.get("code", "")).first()
    values = {
        "code": existing.code if existing else "",
        "name": existing.name_vi if existing else "",
        "name_en": existing.name_en if existing else "",
        "numerator": existing.numerator_expression if existing else "",
        "denominator": existing.denominator_expression if existing else "",
        "factor": format_number(existing.factor, 0) if existing and existing.factor else "100",
        "direction": "down" if existing and existing.direction == "lower" else "up",
        "unit": existing.unit if existing and existing.is_defined else "",
    }
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {key: request.POST.get(key, "").strip() for key in values}
        factor = Decimal(1)
        try:
            factor = parse_number(values["factor"] or "1")
        except ValueError as error:
            errors["factor"] = number_problem(values["factor"], error)
        if not errors:
            try:
                indicator, created = indicator_define(
                    code=values["code"],
                    name=values["name"],
                    name_en=values["name_en"],
                    numerator=values["numerator"],
                    denominator=values["denominator"],
                    factor=factor,
                    direction=values["direction"],
                    unit=values["unit"],
                    actor=request.user,
                )
            except DefinitionError as error:
                errors[error.field] = str(error)
            except PermissionError as error:
                raise PermissionDenied(str(error)) from error
            else:
                messages.success(
                    request,
                    (
                        _("The indicator %(code)s was defined.")
                        if created
                        else _("The indicator %(code)s was redefined.")
                    )
                    % {"code": indicator.code},
                )
                return redirect("indicators:definitions")
    return render(
        request,
        "indicators/define.html",
        {
            "values": values,
            "errors": errors,
            "existing": existing,
            "counts": [(name, COUNT_NAMES_VI[name]) for name in COUNTS],
            "elements": sorted(known_elements()),
            "units": [
                (u.value, label) for u, label in UNIT_LABELS.items() if u != MeasureUnit.PER_WOMAN
            ],
            "nav": "dashboard",
        },
    )
