"""Forms of the facilities and their inspections."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from danso.facilities.models import ChecklistItem, Ownership, Service, ViolationKind
from danso.facilities.services import FacilityInput, InspectionInput, parse_coordinate
from danso.numberfields import VietnameseIntegerField
from danso.units.models import UnitVersion

DATE_HELP = _("dd/mm/yyyy")


class CoordinateField(forms.CharField):
    """A latitude or longitude as a map or a GPS gives it (``21.0456``), or with a
    decimal comma (``21,0456``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=20, required=False, **kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_coordinate(text)
        except ValueError as error:
            raise forms.ValidationError(
                _("%(value)s is not a coordinate: write it as 21.0456."), params={"value": text}
            ) from error


class FacilityForm(forms.Form):
    """A facility; ``communes`` (when given) are the communes it may be registered in."""

    commune = forms.TypedChoiceField(label=_("Commune / ward"), coerce=int, choices=[])
    name = forms.CharField(label=_("Name of the facility"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    ownership = forms.ChoiceField(
        label=_("Ownership"),
        choices=Ownership.choices,
        initial=Ownership.PRIVATE,
        widget=forms.RadioSelect,
    )
    services = forms.MultipleChoiceField(
        label=_("Services offered"),
        choices=Service.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    licence_number = forms.CharField(label=_("Licence number"), max_length=60, required=False)
    licence_date = forms.DateField(label=_("Licence date"), required=False, help_text=DATE_HELP)
    latitude = CoordinateField(label=_("Latitude"))
    longitude = CoordinateField(label=_("Longitude"))
    active = forms.BooleanField(label=_("Operating"), required=False, initial=True)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, communes: list[UnitVersion] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if communes is None:
            del self.fields["commune"]
        else:
            field = self.fields["commune"]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = [(v.unit_id, f"{v.name} ({v.display_code})") for v in communes]

    def facility(self) -> FacilityInput:
        data = self.cleaned_data
        return FacilityInput(
            name=data["name"],
            address=data["address"],
            ownership=data["ownership"],
            services=tuple(data["services"]),
            licence_number=data["licence_number"],
            licence_date=data["licence_date"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            active=data["active"],
            note=data["note"],
        )


class InspectionForm(forms.Form):
    """An inspection: who, when, the checklist (a box ticked: the facility complies),
    what was found and decided."""

    date = forms.DateField(label=_("Date of inspection"), help_text=DATE_HELP)
    team = forms.CharField(
        label=_("Inspection team"),
        max_length=300,
        help_text=_("e.g. Đoàn kiểm tra liên ngành quận Long Biên"),
    )
    agencies = forms.CharField(
        label=_("Agencies taking part"),
        max_length=300,
        required=False,
        help_text=_("e.g. Phòng Y tế, Trung tâm Y tế, Công an phường"),
    )
    checklist = forms.MultipleChoiceField(
        label=_("Checklist: what the facility complies with"),
        choices=ChecklistItem.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    findings = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    violation = forms.BooleanField(label=_("A violation was found"), required=False)
    violation_kind = forms.ChoiceField(
        label=_("Kind of violation"),
        choices=[("", "—"), *ViolationKind.choices],
        required=False,
    )
    sanction = forms.CharField(
        label=_("Sanction"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    fine = VietnameseIntegerField(label=_("Fine (đồng)"), min_value=0, required=False)
    follow_up = forms.CharField(
        label=_("Follow-up"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    follow_up_on = forms.DateField(label=_("Follow-up date"), required=False, help_text=DATE_HELP)

    def inspection(self) -> InspectionInput:
        data = self.cleaned_data
        checked = set(data["checklist"])
        return InspectionInput(
            date=data["date"],
            team=data["team"],
            agencies=data["agencies"],
            checklist={code: code in checked for code in ChecklistItem.values},
            findings=data["findings"],
            violation=data["violation"],
            violation_kind=data["violation_kind"],
            sanction=data["sanction"],
            fine=Decimal(data["fine"]) if data["fine"] is not None else None,
            follow_up=data["follow_up"],
            follow_up_on=data["follow_up_on"],
        )
