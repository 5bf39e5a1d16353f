"""Demographic methods for danso: life tables, fertility, cohort-component projection.

Pure Python and NumPy (SciPy only for the exact sex-ratio interval, imported when used);
nothing here imports Django, so the package works without Django settings — in scripts,
notebooks and tests alike.

The formulas and their sources are documented in each module:

* ``lifetable`` — period life tables (Preston, Heuveline & Guillot, *Demography: Measuring
  and Modeling Population Processes*, 2001, chapter 3);
* ``survival`` — survival ratios for projection and the regrouping of life tables (ch. 6);
* ``projection`` — cohort-component projection by sex and age, Leslie matrix (ch. 6);
* ``fertility`` — ASFR, TFR, GFR, GRR, NRR and the sex ratio at birth with its interval;
* ``scenarios`` — linear TFR and SRB paths;
* ``structure`` — population in age ranges, dependency ratios;
* ``interpolation`` — results by single calendar year from 5-year projections.

Conventions used throughout: rates are per person per year; the sex ratio at birth is boys
per 100 girls (e.g. 111.0); the last age group is open, its width ``math.inf``.
"""

from danso.demography.fertility import (
    SrbInterval,
    asfr,
    female_birth_share,
    gfr,
    grr,
    nrr,
    scale_asfr_to_tfr,
    srb_interval,
    tfr,
)
from danso.demography.interpolation import (
    SingleYearProjection,
    interpolate_populations,
    single_year_projection,
    split_interval_totals,
)
from danso.demography.lifetable import (
    LifeTable,
    coale_demeny_nax,
    life_table,
    life_table_from_rates,
)
from danso.demography.projection import CohortProjection, leslie_matrix, project_cohort_component
from danso.demography.scenarios import linear_path, srb_path, tfr_path
from danso.demography.structure import (
    DependencyRatios,
    aged_60_plus,
    dependency_ratios,
    population_in_ages,
    women_15_49,
)
from danso.demography.survival import (
    collapse_open_group,
    five_year_nLx,
    group_nLx,
    survival_from_life_table,
    survival_ratios,
)

__all__ = [
    "CohortProjection",
    "DependencyRatios",
    "LifeTable",
    "SingleYearProjection",
    "SrbInterval",
    "aged_60_plus",
    "asfr",
    "coale_demeny_nax",
    "collapse_open_group",
    "dependency_ratios",
    "female_birth_share",
    "five_year_nLx",
    "gfr",
    "group_nLx",
    "grr",
    "interpolate_populations",
    "leslie_matrix",
    "life_table",
    "life_table_from_rates",
    "linear_path",
    "nrr",
    "population_in_ages",
    "project_cohort_component",
    "scale_asfr_to_tfr",
    "single_year_projection",
    "split_interval_totals",
    "srb_interval",
    "srb_path",
    "survival_from_life_table",
    "survival_ratios",
    "tfr",
    "tfr_path",
    "women_15_49",
]
