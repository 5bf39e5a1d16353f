"""Writes to the indicator catalogue and entered indicator values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from danso.indicators.catalogue import CATALOGUE
from danso.indicators.models import Indicator, IndicatorValue
from danso.units.models import Unit


@transaction.atomic
def catalogue_load() -> int:
    """Add the catalogue's indicators that are missing; never overwrite an officer's
    edits.  Returns how many were added."""
    existing = set(Indicator.objects.values_list("code", flat=True))
    added = 0
    for spec in CATALOGUE:  # parents come before their breakdowns in the catalogue
        if spec.code in existing:
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
            "updated_by": user if getattr(user, "pk", None) else None,
        },
    )
    return row
