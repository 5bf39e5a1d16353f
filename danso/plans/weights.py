"""Weights for allocating and checking targets: how big each unit is on the measure a
rate is taken over (its denominator), from the population figures or last year's results.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from danso.indicators.models import IndicatorValue
from danso.population.agegroups import group_labels
from danso.population.models import PopulationFigure


class Basis(StrEnum):
    POPULATION = "population"
    WOMEN_15_49 = "women_15_49"
    AGED_60_PLUS = "aged_60_plus"
    LAST_YEAR = "last_year"  # last year's result of the same indicator (entered values)


BASIS_LABELS = {
    Basis.POPULATION: _("population"),
    Basis.WOMEN_15_49: _("women aged 15–49"),
    Basis.AGED_60_PLUS: _("people aged 60 and over"),
    Basis.LAST_YEAR: _("last year's result"),
}

#: What a rate is taken over, by indicator: births are proportional to women 15–49.
DEFAULT_BASIS = {
    "PRENATAL": Basis.WOMEN_15_49,
    "NEWBORN": Basis.WOMEN_15_49,
    "BIRTH3P": Basis.WOMEN_15_49,
    "PREG_COUNSEL": Basis.WOMEN_15_49,
    "SRB": Basis.WOMEN_15_49,
    "CBR": Basis.POPULATION,
    "CDR": Basis.POPULATION,
    "GFR": Basis.WOMEN_15_49,
    "TFR": Basis.WOMEN_15_49,
    "CPR": Basis.WOMEN_15_49,
    "NEWFP": Basis.WOMEN_15_49,
    "ELDERLY": Basis.AGED_60_PLUS,
    "PREMARITAL": Basis.POPULATION,
}


def basis_for(indicator: str) -> Basis:
    return DEFAULT_BASIS.get(indicator.split(".")[0], Basis.POPULATION)


def weights(
    unit_ids: list[int], basis: Basis, year: int, indicator: str | None = None
) -> dict[int, Decimal | None]:
    """The weight of each unit for ``year`` (the latest population figure of that year or
    before), or None where it is not known."""
    if basis is Basis.LAST_YEAR:
        rows = IndicatorValue.objects.filter(
            unit_id__in=unit_ids, indicator__code=indicator, period=str(year - 1)
        ).values_list("unit_id", "value")
        known = dict(rows)
        return {unit_id: known.get(unit_id) for unit_id in unit_ids}
    latest: dict[int, PopulationFigure] = {}
    for figure in PopulationFigure.objects.filter(unit_id__in=unit_ids, year__lte=year).order_by(
        "unit_id", "-year"
    ):
        latest.setdefault(figure.unit_id, figure)
    return {unit_id: _measure(latest.get(unit_id), basis) for unit_id in unit_ids}


def _measure(figure: PopulationFigure | None, basis: Basis) -> Decimal | None:
    if figure is None:
        return None
    if basis is Basis.POPULATION:
        return Decimal(figure.total)
    labels = group_labels(figure.open_age)
    if basis is Basis.WOMEN_15_49:
        if not figure.female_by_age:
            return None
        wanted = {"15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49"}
        return Decimal(
            sum(n for label, n in zip(labels, figure.female_by_age, strict=True) if label in wanted)
        )
    if not figure.female_by_age or not figure.male_by_age:
        return None
    old = [i for i, label in enumerate(labels) if int(label.split("-")[0].rstrip("+")) >= 60]
    return Decimal(sum(figure.female_by_age[i] + figure.male_by_age[i] for i in old))
