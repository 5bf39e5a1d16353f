"""The baselines screen of a unit (số liệu năm gốc): the yearly values entered for it and
a form to enter one more with its source, for the change targets whose baseline year
the register does not cover (``indicators.baselines``).  Reached from a plan's change
targets and from its monitoring rows that lack a baseline; the reader must be allowed to
edit plans on the unit on the working date (``?date=``: the plan's links give the day
its units are taken)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from danso import bounds
from danso.accounts.context import request_scope, unit_in_scope, working_date
from danso.indicators.baselines import SOURCE_LENGTH, baseline_enter, baselines_of
from danso.indicators.models import Indicator
from danso.numberfields import VietnameseDecimalField
from danso.params import id_param, year_param
from danso.plans.models import Plan
from danso.plans.selectors import Access, plan_access
from danso.units.scope import Action


class BaselineForm(forms.Form):
    indicator = forms.ChoiceField(label=gettext_lazy("Indicator"))
    year = forms.IntegerField(
        label=gettext_lazy("Baseline year"), min_value=bounds.YEARS[0], max_value=bounds.YEARS[1]
    )
    value = VietnameseDecimalField(
        label=gettext_lazy("Value"),
        max_digits=14,
        decimal_places=4,
        help_text=gettext_lazy("In the indicator's unit (per cent, per mille …), written as 6,5."),
    )
    source = forms.CharField(
        label=gettext_lazy("Source"),
        max_length=SOURCE_LENGTH,
        help_text=gettext_lazy("Where the value comes from: a statistical report, a survey …"),
    )

    def __init__(self, *args: Any, indicators: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = indicators  # type: ignore[attr-defined]


def baselines(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The unit's baselines and the form to enter one (``?indicator=&year=`` fill it in;
    ``?plan=`` links back to the plan it was opened from)."""
    version = unit_in_scope(unit_id, request_scope(request), Action.EDIT_PLANS)
    indicators = [(i.code, f"{i.code} · {i.name_vi}") for i in Indicator.objects.all()]
    initial = {
        "indicator": request.GET.get("indicator", ""),
        "year": year_param(request.GET.get("year")),
    }
    form = BaselineForm(request.POST or None, initial=initial, indicators=indicators)
    plan = _plan_of(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = baseline_enter(
                unit=version.unit,
                indicator=Indicator.objects.get(code=data["indicator"]),
                year=data["year"],
                value=data["value"],
                source=data["source"],
                actor=request.user,
                on=working_date(request),
            )
        except PermissionError as error:
            raise PermissionDenied(str(error)) from error
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The baseline %(year)s of %(code)s was saved.")
                % {"year": row.period, "code": row.indicator.code},
            )
            query = f"?plan={plan.pk}" if plan is not None else ""
            return redirect(f"{request.path}{query}")
    return render(
        request,
        "plans/baselines/unit.html",
        {
            "nav": "plans",
            "version": version,
            "form": form,
            "rows": baselines_of(version.unit),
            "plan": plan,
        },
    )


def _plan_of(request: HttpRequest) -> Plan | None:
    """The plan the screen was opened from (``?plan=``), if the reader may see it."""
    plan_id = id_param(request.GET.get("plan"))
    if plan_id is None:
        return None
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is None or plan_access(request.user, plan) is Access.NONE:
        return None
    return plan
