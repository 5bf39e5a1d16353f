"""Writes to the indicator catalogue, entered indicator values and the figures entered
for units without a register."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from danso.audit import recorded_user
from danso.indicators import entered
from danso.indicators.catalogue import CATALOGUE, IndicatorSpec
from danso.indicators.models import EnteredFigures, Indicator, IndicatorValue
from danso.indicators.periods import Period, PeriodError
from danso.units.codes import Level
from danso.units.models import Unit


@transaction.atomic
def catalogue_load() -> int:
    """Add the catalogue's indicators that are missing; never overwrite an officer's
    edits.  Returns how many were added.

    A numerator or denominator still in the catalogue's former English words (as loaded
    before the catalogue was written in Vietnamese, migration 0005) takes its Vietnamese
    words; words an officer wrote are kept."""
    existing = {row.code: row for row in Indicator.objects.all()}
    added = 0
    for spec in CATALOGUE:  # parents come before their breakdowns in the catalogue
        row = existing.get(spec.code)
        if row is not None:
            _english_replaced(row, spec)
            continue
        Indicator.objects.create(
            code=spec.code,
            name_vi=spec.name_vi,
            name_en=spec.name_en,
            unit=spec.unit.value,
            direction=spec.direction.value,
            numerator=spec.numerator,
            denominator=spec.denominator,
            decimals=spec.decimals,
            is_count=spec.is_count,
            parent=Indicator.objects.get(code=spec.parent) if spec.parent else None,
        )
        added += 1
    return added


def _english_replaced(row: Indicator, spec: IndicatorSpec) -> None:
    changed = []
    if row.numerator == spec.numerator_en and spec.numerator_en != spec.numerator:
        row.numerator = spec.numerator
        changed.append("numerator")
    if row.denominator == spec.denominator_en and spec.denominator_en != spec.denominator:
        row.denominator = spec.denominator
        changed.append("denominator")
    if changed:
        row.save(update_fields=[*changed, "updated_at"])


def indicator_value_save(
    *,
    unit: Unit,
    indicator: Indicator,
    period: str,
    value: Decimal,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    source: str = "",
    user: Any = None,
) -> IndicatorValue:
    """Create or replace the entered value of ``indicator`` for ``unit`` and ``period``."""
    if not period.strip():
        raise ValidationError(_("A period is required."))
    row, _created = IndicatorValue.objects.update_or_create(
        unit=unit,
        indicator=indicator,
        period=period.strip(),
        defaults={
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
            "source": source,
            "updated_by": recorded_user(user),
        },
    )
    return row


#: The messages of ``entered.problems`` (a pure module), here for translation.
_PROBLEMS = (
    gettext_noop("Unknown count %(name)s."),
    gettext_noop("A count cannot be negative."),
    gettext_noop("%(part)s is more than %(whole)s."),
    gettext_noop("The parts add up to %(sum)s, not %(whole)s."),
)


def problem_text(message: str, params: dict[str, object]) -> str:
    """A message of ``entered.problems`` in the reader's language."""
    return _(message) % params if params else _(message)


@transaction.atomic
def entered_save(
    *,
    unit: Unit,
    period: str,
    counts: dict[str, int],
    source: str = "",
    note: str = "",
    user: Any = None,
) -> EnteredFigures:
    """Create or replace the counts reported for ``unit`` (a commune or village that
    keeps no register here) over ``period``, after the checks of ``entered.problems``.
    Raises ``ValidationError`` by field; nothing is written then."""
    try:
        parsed = Period.parse(period)
    except PeriodError as error:
        raise ValidationError({"period": [str(error)]}) from error
    if unit.level not in (Level.COMMUNE, Level.VILLAGE):
        raise ValidationError(
            _("Figures are entered for communes and villages; the levels above add them up.")
        )
    found = entered.problems(counts)
    if found:
        raise ValidationError(
            {
                key: [problem_text(message, params) for message, params in messages]
                for key, messages in found.items()
            }
        )
    row, _created = EnteredFigures.objects.update_or_create(
        unit=unit,
        period=str(parsed),
        defaults={
            "period_end": parsed.end,
            "counts": {k: int(v) for k, v in counts.items() if v is not None},
            "source": source,
            "note": note,
            "entered_by": recorded_user(user),
        },
    )
    return row
