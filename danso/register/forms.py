"""Forms of the household book and the monthly collection."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from danso.register.models import (
    MARITAL_LABELS,
    METHOD_LABELS,
    RELATION_LABELS,
    RESIDENCE_LABELS,
    SEX_LABELS,
    SUPPLY_LABELS,
)
from danso.register.vocabulary import EventType

DATE_HELP = _("dd/mm/yyyy")


def _choices(labels: dict[Any, Any], blank: bool = False) -> list[tuple[str, Any]]:
    out = [(str(k), v) for k, v in labels.items()]
    return [("", "—"), *out] if blank else out


class HouseholdForm(forms.Form):
    number = forms.CharField(label=_("Number in the book"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    since = forms.DateField(label=_("In the book since"), help_text=DATE_HELP)


class PersonForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    sex = forms.ChoiceField(label=_("Sex"), choices=_choices(SEX_LABELS), widget=forms.RadioSelect)
    birth_date = forms.DateField(label=_("Date of birth"), help_text=DATE_HELP)
    relation = forms.ChoiceField(
        label=_("Relation to the head"),
        choices=_choices(RELATION_LABELS, blank=True),
        required=False,
    )
    marital_status = forms.ChoiceField(
        label=_("Marital status"), choices=_choices(MARITAL_LABELS, blank=True), required=False
    )
    residence_status = forms.ChoiceField(
        label=_("Residence"), choices=_choices(RESIDENCE_LABELS, blank=True), required=False
    )
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=60, required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=30, required=False)
    registered_on = forms.DateField(label=_("Registered on"), help_text=DATE_HELP)


class EventForm(forms.Form):
    """One event of the monthly collection.  Which fields matter depends on the type;
    the screen shows those (see the template)."""

    event_type = forms.ChoiceField(
        label=_("Event"), choices=[(e.value, e.value) for e in EventType]
    )
    person = forms.IntegerField(label=_("Person"), required=False)
    event_date = forms.DateField(label=_("Date"), help_text=DATE_HELP)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    # birth
    child_name = forms.CharField(label=_("Child's name"), max_length=200, required=False)
    child_sex = forms.ChoiceField(
        label=_("Child's sex"),
        choices=_choices(SEX_LABELS),
        required=False,
        widget=forms.RadioSelect,
    )
    birth_order = forms.IntegerField(
        label=_("Child number (of the mother)"), min_value=1, required=False
    )
    place = forms.CharField(label=_("Place of birth"), max_length=200, required=False)
    # moves
    to_place = forms.CharField(label=_("Moved to"), max_length=200, required=False)
    from_place = forms.CharField(label=_("Came from"), max_length=200, required=False)
    household = forms.IntegerField(label=_("Household"), required=False)
    to_household = forms.IntegerField(label=_("To household"), required=False)
    # move in: the newcomer
    new_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    new_sex = forms.ChoiceField(
        label=_("Sex"), choices=_choices(SEX_LABELS), required=False, widget=forms.RadioSelect
    )
    new_birth_date = forms.DateField(label=_("Date of birth"), required=False)
    # contraception
    method = forms.ChoiceField(
        label=_("Method"), choices=_choices(METHOD_LABELS, blank=True), required=False
    )
    supply = forms.ChoiceField(
        label=_("Supply"), choices=_choices(SUPPLY_LABELS, blank=True), required=False
    )
    new_acceptor = forms.BooleanField(label=_("First modern method ever"), required=False)
    # pregnancy
    expected_date = forms.DateField(label=_("Expected date"), required=False)


class AmendForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    reason = forms.CharField(
        label=_("Why the closed book is changed"), widget=forms.Textarea(attrs={"rows": 2})
    )
