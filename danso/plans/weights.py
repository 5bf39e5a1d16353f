"""Weights for allocating and checking targets: how big each unit is on the measure a
rate is taken over (its denominator), from the population figures, last year's results or
the projection of each unit for the plan's year (``projections.services``).
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from danso.indicators.models import IndicatorValue
from danso.population.agegroups import group_labels
from danso.population.models import PopulationFigure
from danso.projections.services import projected_weights


class Basis(StrEnum):
    POPULATION = "population"
    WOMEN_15_49 = "women_15_49"
    AGED_60_PLUS = "aged_60_plus"
    LAST_YEAR = "last_year"  # last year's result of the same indicator (entered values)
    # The constant-rates projection of each unit from 1 January of the plan's year.
    PROJECTED_WOMEN_15_49 = "projected_women_15_49"
    PROJECTED_BIRTHS = "projected_births"
    PROJECTED_AGED_60_PLUS = "projected_aged_60_plus"


BASIS_LABELS = {
    Basis.POPULATION: _("population"),
    Basis.WOMEN_15_49: _("women aged 15–49"),
    Basis.AGED_60_PLUS: _("people aged 60 and over"),
    Basis.LAST_YEAR: _("last year's result"),
    Basis.PROJECTED_WOMEN_15_49: _("projected women aged 15–49 in the year"),
    Basis.PROJECTED_BIRTHS: _("projected births in the year"),
    Basis.PROJECTED_AGED_60_PLUS: _("projected people aged 60 and over in the year"),
}

#: The projected bases and the measure of ``projections.services.projected_measures``.
PROJECTED = {
    Basis.PROJECTED_WOMEN_15_49: "women_15_49",
    Basis.PROJECTED_BIRTHS: "births",
    Basis.PROJECTED_AGED_60_PLUS: "aged_60_plus",
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
    before, or the unit's projection for that year), or None where it is not known."""
    if basis in PROJECTED:
        return projected_weights(unit_ids, year, PROJECTED[basis])
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
