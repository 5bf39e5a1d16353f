"""Form fields and messages for numbers typed the Vietnamese way (issue 14, point 8).

Every form with a number a person types uses these fields, with a text input
(``inputmode="decimal"`` or ``"numeric"``): a browser's ``<input type="number">`` refuses
``416.950`` as Vietnamese write it.  The reading itself is ``danso.vietnamese``'s one rule
(``parse_number``): ``416.950`` is 416950, ``0,15`` is 0.15, ``416,950`` is refused in a
field with decimals (it reads two ways) and is 416950 in a whole-number field.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _

from danso.vietnamese import AmbiguousNumber, parse_number


def number_problem(value: object, error: ValueError, *, whole: bool = False) -> str:
    """Why ``value`` was refused (``error`` from ``vietnamese.parse_number``), saying
    how to write it."""
    if isinstance(error, AmbiguousNumber):
        text = str(value).strip()
        return _(
            "%(value)s can be read two ways: write %(whole)s for a whole number, or "
            "%(fraction)s for a fraction (a decimal comma and a last zero)."
        ) % {"value": text, "whole": text.replace(",", "."), "fraction": f"{text}0"}
    if whole and "whole" in str(error):
        return _("%(value)s is not a whole number: write it as 416.950 or 416950.") % {
            "value": value
        }
    return _("%(value)s is not a number: write it as 416.950 or 0,15.") % {"value": value}


class VietnameseDecimalField(forms.DecimalField):
    """A number typed the Vietnamese way (``416.950``, ``0,15``, ``−0,15``): one that
    reads two ways is refused, never guessed."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # no min/max/step: those belong to <input type="number">
        return {}

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # the stubs type DecimalField as an IntegerField
        if value in self.empty_values:
            return None
        try:
            return parse_number(value)
        except ValueError as error:
            code = "ambiguous" if isinstance(error, AmbiguousNumber) else "invalid"
            raise forms.ValidationError(number_problem(value, error), code=code) from error


class VietnameseIntegerField(forms.IntegerField):
    """A count typed the Vietnamese way (``416.950``, ``416 950``; ``416,950`` too, a
    count having no decimals); a fraction is refused."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {}

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        try:
            return int(parse_number(value, whole=True))
        except ValueError as error:
            raise forms.ValidationError(
                number_problem(value, error, whole=True), code="invalid"
            ) from error


class VietnameseFloatField(forms.FloatField):
    """A rate or factor typed the Vietnamese way (``2,1``, ``107,5``), as a float."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {}

    def to_python(self, value: Any) -> float | None:  # type: ignore[override]  # the stubs type FloatField as an IntegerField
        if value in self.empty_values:
            return None
        try:
            return float(parse_number(value))
        except ValueError as error:
            code = "ambiguous" if isinstance(error, AmbiguousNumber) else "invalid"
            raise forms.ValidationError(number_problem(value, error), code=code) from error
