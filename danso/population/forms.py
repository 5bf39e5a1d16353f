from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from danso.numberfields import VietnameseIntegerField
from danso.population.agegroups import ALLOWED_OPEN_AGES, DEFAULT_OPEN_AGE, group_labels


class FigureForm(forms.Form):
    """Totals, sexes and (optionally) the age groups of one unit and year."""

    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2100)
    total = VietnameseIntegerField(
        label=_("Total"),
        min_value=0,
        required=False,
        help_text=_("Left empty, it is males + females."),
    )
    male = VietnameseIntegerField(label=_("Male"), min_value=0, required=False)
    female = VietnameseIntegerField(label=_("Female"), min_value=0, required=False)
    open_age = forms.TypedChoiceField(
        label=_("Last age group"),
        coerce=int,
        initial=DEFAULT_OPEN_AGE,
        choices=[(a, f"{a}+") for a in ALLOWED_OPEN_AGES],
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        required=False,
        help_text=_("e.g. Niên giám thống kê 2024, sổ A0"),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, open_age: int = DEFAULT_OPEN_AGE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.labels = group_labels(open_age)
        for index, label in enumerate(self.labels):
            for sex in ("m", "f"):
                self.fields[f"{sex}_{index}"] = VietnameseIntegerField(
                    label=label, min_value=0, required=False
                )

    def age_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(label, self[f"m_{i}"], self[f"f_{i}"]) for i, label in enumerate(self.labels)]

    def ages(self, sex: str) -> list[int] | None:
        values = [self.cleaned_data.get(f"{sex}_{i}") for i in range(len(self.labels))]
        if all(v is None for v in values):
            return None
        if any(v is None for v in values):
            raise forms.ValidationError(_("Fill every age group of a sex, or none."))
        return [int(v) for v in values if v is not None]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Table (.xlsx or .csv)"))
    dry_run = forms.BooleanField(label=_("Only check, write nothing"), required=False, initial=True)
