from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from danso.accounts.lockout import Refusal, client_address, login_refusal


class LoginForm(AuthenticationForm):
    """Django's login form, which also says when a login is closed by the throttle or the
    lock (danso.accounts.lockout); the password is then not tried at all."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if username:
            refusal = login_refusal(username=username, ip=client_address(self.request))
            if refusal is not None:
                raise self.refused(refusal)
        return super().clean()

    @staticmethod
    def refused(refusal: Refusal) -> forms.ValidationError:
        time = formats.time_format(timezone.localtime(refusal.until), "H:i")
        if refusal.kind == "address":
            return forms.ValidationError(
                _(
                    "Too many failed logins from this computer's network address. "
                    "Try again after %(time)s."
                ),
                code="throttled",
                params={"time": time},
            )
        return forms.ValidationError(
            _(
                "Too many failed logins: this account is locked until %(time)s. "
                "Try again later or ask the administrator."
            ),
            code="locked",
            params={"time": time},
        )


class DateForm(forms.Form):
    date = forms.DateField(required=False)
    preset = forms.CharField(required=False)
    next = forms.CharField(required=False)
