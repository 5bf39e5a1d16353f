"""Screens for a plan's report duties (chế độ báo cáo): add, change and delete them by
hand, from the plan's page, for whoever may edit the plan; the writes and their checks
are ``plans.duties``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from danso.numberfields import VietnameseIntegerField
from danso.plans.duties import RECIPIENT_LENGTH, Duty, duty_delete, duty_of, duty_save
from danso.plans.models import Plan, ReportObligation
from danso.plans.selectors import Access, plan_access


class DutyForm(forms.Form):
    period = forms.ChoiceField(
        label=gettext_lazy("How often"), choices=ReportObligation.Period.choices
    )
    rule = forms.ChoiceField(label=gettext_lazy("Due"), choices=ReportObligation.Rule.choices)
    day = VietnameseIntegerField(
        label=gettext_lazy("Day"),
        required=False,
        help_text=gettext_lazy("Before day D of the month after the period, or of a fixed date."),
    )
    month = VietnameseIntegerField(
        label=gettext_lazy("Month"), required=False, help_text=gettext_lazy("Of a fixed date.")
    )
    days = VietnameseIntegerField(
        label=gettext_lazy("Days"),
        required=False,
        help_text=gettext_lazy("N days, or N working days, after the period."),
    )
    recipient = forms.CharField(
        label=gettext_lazy("To"), max_length=RECIPIENT_LENGTH, required=False
    )
    text = forms.CharField(
        label=gettext_lazy("As written in the plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def duty(self) -> Duty:
        data = self.cleaned_data
        return Duty(
            period=data["period"],
            rule=data["rule"],
            day=data["day"],
            month=data["month"],
            days=data["days"],
            recipient=data["recipient"],
            text=data["text"],
        )


def _editable(request: HttpRequest, plan_id: int) -> Plan:
    """The plan, if the reader may edit it (its report duties with it); else 403."""
    plan = get_object_or_404(Plan.objects.select_related("unit"), pk=plan_id)
    if plan_access(request.user, plan) is not Access.EDIT:
        raise PermissionDenied(_("You may not change the report duties of this plan."))
    return plan


def _saved(request: HttpRequest, plan: Plan, form: DutyForm, row: ReportObligation | None) -> bool:
    """Save the form's duty; False with the problems on the form."""
    try:
        duty_save(plan=plan, duty=form.duty(), actor=request.user, row=row)
    except PermissionError as error:
        raise PermissionDenied(str(error)) from error
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
        return False
    messages.success(request, _("The report duty was saved."))
    return True


def duty_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _editable(request, plan_id)
    form = DutyForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _saved(request, plan, form, None):
        return redirect("plans:detail", plan.pk)
    return _page(request, plan, form, _("Add a report duty"))


def duty_edit(request: HttpRequest, plan_id: int, duty_id: int) -> HttpResponse:
    plan = _editable(request, plan_id)
    row = get_object_or_404(ReportObligation, pk=duty_id, plan=plan)
    initial = vars(duty_of(row))
    form = DutyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and _saved(request, plan, form, row):
        return redirect("plans:detail", plan.pk)
    return _page(request, plan, form, _("Report duty"), row)


def duty_remove(request: HttpRequest, plan_id: int, duty_id: int) -> HttpResponse:
    """Ask, then delete (POST) one report duty."""
    plan = _editable(request, plan_id)
    row = get_object_or_404(ReportObligation, pk=duty_id, plan=plan)
    if request.method == "POST":
        try:
            duty_delete(row=row, actor=request.user)
        except PermissionError as error:
            raise PermissionDenied(str(error)) from error
        messages.success(request, _("The report duty was deleted."))
        return redirect("plans:detail", plan.pk)
    return render(request, "plans/duties/delete.html", {"nav": "plans", "plan": plan, "duty": row})


def _page(
    request: HttpRequest,
    plan: Plan,
    form: DutyForm,
    title: str,
    row: ReportObligation | None = None,
) -> HttpResponse:
    context: dict[str, Any] = {
        "nav": "plans",
        "plan": plan,
        "form": form,
        "title": title,
        "duty": row,
    }
    return render(request, "plans/duties/form.html", context)
