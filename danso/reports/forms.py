"""What the reports' screens read from a form: a figure as officers type it, a calendar
day."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from danso.reports.models import CalendarDay
from danso.vietnamese import parse_number


def parse_figure(text: str) -> Decimal | None:
    """A figure as an officer types it, by ``danso.vietnamese``'s one rule: ``40.000``
    and ``40000`` are forty thousand, ``12,99`` and ``12.99`` twelve point ninety-nine,
    ``1.234,5`` and ``1,234.5`` the same; ``1,500`` reads two ways and is refused
    (``AmbiguousNumber``), never guessed.  An empty text is no figure (None).  Raises
    ``ValueError`` for anything else."""
    if not text.strip():
        return None
    return parse_number(text)


class CalendarDayForm(forms.Form):
    day = forms.DateField(label=_("Day"), help_text=_("dd/mm/yyyy"))
    kind = forms.ChoiceField(label=_("The day is"), choices=CalendarDay.Kind.choices)
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        help_text=_("The government's decision, e.g. 12729/VPCP-KGVX of 25/12/2025"),
    )
