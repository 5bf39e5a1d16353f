"""What the reports' screens read from a form: a figure as officers type it, a calendar
day."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from danso.reports.models import CalendarDay

#: 9.800 or 1.234.567: dots between groups of three digits (the Vietnamese way).
_DOT_GROUPS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
#: 9,800 or 1,234,567: commas between groups, more than one of them (the English way).
_COMMA_GROUPS = re.compile(r"^-?\d{1,3}(,\d{3}){2,}$")


def parse_figure(text: str) -> Decimal | None:
    """A figure typed in the Vietnamese way or the English one: ``40.000`` and ``40000``
    are forty thousand, ``12,99`` and ``12.99`` twelve point ninety-nine, ``1.234,5``
    and ``1,234.5`` both mean the same.  An empty text is no figure (None).  Raises
    ``ValueError`` for anything else.

    A lone comma is read as the decimal comma (``1,500`` is one and a half), as
    Vietnamese forms write it; a dot followed by exactly three digits groups thousands.
    """
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        grouping = "." if decimal_mark == "," else ","
        text = text.replace(grouping, "").replace(decimal_mark, ".")
    elif _DOT_GROUPS.match(text):
        text = text.replace(".", "")
    elif _COMMA_GROUPS.match(text):
        text = text.replace(",", "")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(text) from error
    if not value.is_finite():
        raise ValueError(text)
    return value


class CalendarDayForm(forms.Form):
    day = forms.DateField(label=_("Day"), help_text=_("dd/mm/yyyy"))
    kind = forms.ChoiceField(label=_("The day is"), choices=CalendarDay.Kind.choices)
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        help_text=_("The government's decision, e.g. 12729/VPCP-KGVX of 25/12/2025"),
    )
