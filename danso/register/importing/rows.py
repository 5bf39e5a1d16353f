"""The problems of one row, as (column, message) pairs: the checks of a value that every
file shares, the rules' findings worded, the extra attributes that differ."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from danso.register import exchange
from danso.register.exchange import Row
from danso.register.rules import Finding


class RowProblems(list[tuple[str, str]]):
    """(column, message) pairs found on one row."""

    def required(self, row: Row, column: str, limit: int = 0) -> str:
        """The value of ``column``; a problem if it is empty or longer than ``limit``."""
        value = row.get(column, "")
        if not value:
            self.append((column, _("A value is required.")))
        elif limit and len(value) > limit:
            self.too_long(column, value, limit)
        return value

    def too_long(self, column: str, value: str, limit: int) -> None:
        self.append(
            (
                column,
                _("%(value)s is longer than %(limit)s characters.")
                % {"value": value[:40] + "…", "limit": limit},
            )
        )

    def date_value(self, row: Row, column: str, *, required: bool = True) -> date | None:
        """The date in ``column``, or None (a problem if it is not a date, or is empty and
        ``required``)."""
        value = row.get(column, "")
        if not value:
            if required:
                self.append((column, _("A value is required.")))
            return None
        try:
            return exchange.parse_date(value)
        except ValueError:
            self.append(
                (
                    column,
                    _("%(value)s is not a date (YYYY-MM-DD or DD/MM/YYYY).") % {"value": value},
                )
            )
            return None

    def choice(self, column: str, value: str, allowed: Sequence[str]) -> str:
        """``value`` if it is empty or one of ``allowed``; else "" and a problem."""
        if value and value not in allowed:
            self.append(
                (
                    column,
                    _("%(value)s is not one of: %(allowed)s.")
                    % {"value": value, "allowed": ", ".join(allowed)},
                )
            )
            return ""
        return value


def worded_findings(findings: list[Finding]) -> list[tuple[str, str]]:
    """The rules' findings as (column, message) pairs, in the user's language."""
    return [(f.column, _(f.message) % dict(f.params)) for f in findings]


def differing_extra_keys(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """The extra attributes whose values differ once written as the format writes them."""
    keys = sorted(set(ours) | set(theirs))
    return [
        k
        for k in keys
        if exchange.format_value(ours.get(k)) != exchange.format_value(theirs.get(k))
    ]
