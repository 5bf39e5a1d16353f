from __future__ import annotations

from django import forms

from danso.indicators.models import Indicator


class IndicatorForm(forms.ModelForm[Indicator]):
    class Meta:
        model = Indicator
        fields = [
            "code",
            "name_vi",
            "name_en",
            "unit",
            "direction",
            "numerator",
            "denominator",
            "decimals",
            "is_count",
            "parent",
            "valid_from_year",
            "valid_to_year",
        ]
        widgets = {
            "numerator": forms.Textarea(attrs={"rows": 2}),
            "denominator": forms.Textarea(attrs={"rows": 2}),
        }
