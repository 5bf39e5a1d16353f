from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.units.codes import CLI_LEVELS


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput,
        help_text=password_validators_help_text_html(),
    )


class UserEditForm(forms.ModelForm[User]):
    class Meta:
        model = User
        fields = ["full_name", "email", "phone", "is_active"]


class PasswordForm(forms.Form):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    level = forms.ChoiceField(
        label=_("Level of the unit"),
        required=False,
        choices=[("", "—")] + [(lvl.value, lvl.value) for lvl in CLI_LEVELS],
    )
    code = forms.CharField(
        label=_("Unit code"),
        max_length=20,
        required=False,
        help_text=_("e.g. 01 for Hà Nội, 004 for Quận Long Biên"),
    )
    valid_from = forms.DateField(label=_("From"), help_text=_("dd/mm/yyyy"))
    valid_to = forms.DateField(
        label=_("Until"), required=False, help_text=_("Empty: until further notice")
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") != Role.ADMIN and not (data.get("level") and data.get("code")):
            raise forms.ValidationError(_("Give the unit's level and code."))
        return data


class EndRoleForm(forms.Form):
    last_day = forms.DateField(label=_("Last day"), help_text=_("dd/mm/yyyy"))
