from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from danso.accounts.services import login_locked_until


class LoginForm(AuthenticationForm):
    """Django's login form, which also says when a user name is locked."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if username:
            until = login_locked_until(username=username)
            if until is not None:
                raise forms.ValidationError(
                    _(
                        "Too many failed logins: this account is locked until %(time)s. "
                        "Try again later or ask the administrator."
                    ),
                    code="locked",
                    params={"time": formats.time_format(timezone.localtime(until), "H:i")},
                )
        return super().clean()


class DateForm(forms.Form):
    date = forms.DateField(required=False)
    preset = forms.CharField(required=False)
    next = forms.CharField(required=False)
