from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from danso.numberfields import VietnameseDecimalField
from danso.plans.document import TargetKind
from danso.plans.models import TARGET_KIND_LABELS, Activity, Agency, Plan
from danso.plans.services import PLAN_FIELDS
from danso.plans.weights import BASIS_LABELS


class PlanForm(forms.ModelForm[Plan]):
    class Meta:
        model = Plan
        fields = list(PLAN_FIELDS)  # what services.plan_update accepts
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "signer_title": forms.Textarea(attrs={"rows": 3}),
        }


class NewPlanForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    period_start = forms.IntegerField(label=_("From year"), min_value=2000, max_value=2100)
    period_end = forms.IntegerField(
        label=_("To year"), min_value=2000, max_value=2100, required=False
    )
    issuer = forms.CharField(label=_("Issuer"), max_length=200, required=False)


class TargetForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[(k.value, label) for k, label in TARGET_KIND_LABELS.items()]
    )
    value = VietnameseDecimalField(
        label=_("Value"),
        max_digits=14,
        decimal_places=4,
        help_text=_("A change is signed: −0,15 for a reduction."),
    )
    baseline_year = forms.IntegerField(label=_("Baseline year"), required=False)
    tolerance = VietnameseDecimalField(
        label=_("Tolerance"), required=False, max_digits=10, decimal_places=4
    )
    condition = forms.CharField(label=_("Condition on every unit below"), required=False)

    def __init__(self, *args: Any, indicators: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = indicators  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == TargetKind.CHANGE and not data.get("baseline_year"):
            raise forms.ValidationError(_("A change needs a baseline year."))
        return data


class PlanImportForm(forms.Form):
    file = forms.FileField(label=_("Plan (.txt, .docx or .xlsx)"))
    unit = forms.ChoiceField(label=_("Issuing unit"))
    date = forms.DateField(
        label=_("Date of the plan"),
        required=False,
        help_text=_(
            "dd/mm/yyyy — its units are taken as they stood then; leave it empty to use "
            "the date written in the document"
        ),
    )

    def __init__(self, *args: Any, units: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units  # type: ignore[attr-defined]


class ProposeForm(forms.Form):
    target = forms.ChoiceField(label=_("Target"))
    basis = forms.ChoiceField(
        label=_("In proportion to"), choices=[(b.value, label) for b, label in BASIS_LABELS.items()]
    )

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = targets  # type: ignore[attr-defined]


class ActivityForm(forms.ModelForm[Activity]):
    class Meta:
        model = Activity
        fields = ["status", "progress_note"]
        widgets = {"progress_note": forms.Textarea(attrs={"rows": 2})}


class AgencyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=60, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Agency.Kind.choices)
