"""One unit's projection under one scenario, from its measured inputs (no Django).

``Inputs`` are what was measured for the unit at the base date (base population, ASFR,
SRB, survival ratios, net migration per year), all on 5-year age groups ``0–4 … A+``.
``ScenarioSpec`` says how the assumptions move over time. ``project`` runs
``danso.demography.project_cohort_component`` in 5-year steps from the base date and
turns the result into single calendar years with ``danso.demography.single_year_projection``
(geometric interpolation of each age group between the 5-year points, flows divided with
the growth of the total; see that module).

**Years.** Year ``Y`` of the result is the base date's anniversary in ``Y`` (1 January
``Y`` for a base date of 1 January): populations are on that day, births and deaths are
those of the twelve months that follow. The projection runs ``⌈(to_year − base year + 1)
/ 5⌉`` steps so that every year shown has its flows.

**Scenarios.** Constant rates keep the measured ASFR, SRB and migration. A TFR path
(``tfr_target`` in ``tfr_year``) goes linearly from the measured TFR at the base date to
the target, then stays (``danso.demography.tfr_path``); each 5-year step uses the path's
value at its middle, i.e. its mean over the step, applied to the measured age pattern
(``scale_asfr_to_tfr``). An SRB path works the same way. Migration is the register's
(measured), zero, the register's times a factor, or entered by age and sex. In a small
unit the register's few movers can make the net emigration of an age group larger than
the group itself; the measured migration is then scaled down until it fits, and the
result says by how much (``ProjectionResult.migration_scale``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

import numpy as np

from danso.demography import (
    CohortProjection,
    aged_60_plus,
    dependency_ratios,
    project_cohort_component,
    scale_asfr_to_tfr,
    single_year_projection,
    srb_path,
    tfr_path,
    women_15_49,
)
from danso.population.agegroups import group_labels
from danso.projections.rates import projection_starts

INTERVAL = 5
#: What a scenario's name may hold (it is shown, exported and typed on the command line).
SCENARIO_NAME = r"^[\w.-]+$"
#: The furthest horizon accepted, in years after the base date.
MAX_YEARS = 60


class Migration(StrEnum):
    REGISTER = "register"
    ZERO = "zero"
    SCALED = "scaled"
    ENTERED = "entered"


@dataclass(frozen=True)
class Inputs:
    """What a projection starts from, on 5-year groups up to ``open_age``+.

    ``asfr`` per woman per year; ``srb`` boys per 100 girls; ``survival_*`` the ratios of
    ``danso.demography.survival_ratios``; ``migration_*`` net migrants per year.
    """

    open_age: int
    female: tuple[float, ...]
    male: tuple[float, ...]
    asfr: tuple[float, ...]
    srb: float
    survival_female: tuple[float, ...]
    survival_male: tuple[float, ...]
    migration_female: tuple[float, ...]
    migration_male: tuple[float, ...]

    def __post_init__(self) -> None:
        groups = len(projection_starts(self.open_age))
        for name in (
            "female",
            "male",
            "asfr",
            "survival_female",
            "survival_male",
            "migration_female",
            "migration_male",
        ):
            if len(getattr(self, name)) != groups:
                raise ValueError(f"{name} must have {groups} age groups")

    @property
    def tfr(self) -> float:
        return INTERVAL * sum(self.asfr)

    @property
    def age_groups(self) -> list[str]:
        return group_labels(self.open_age)

    def as_dict(self) -> dict[str, Any]:
        return {
            "open_age": self.open_age,
            "female": list(self.female),
            "male": list(self.male),
            "asfr": list(self.asfr),
            "srb": self.srb,
            "survival_female": list(self.survival_female),
            "survival_male": list(self.survival_male),
            "migration_female": list(self.migration_female),
            "migration_male": list(self.migration_male),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Inputs:
        lists = {k: tuple(float(x) for x in v) for k, v in data.items() if isinstance(v, list)}
        return cls(open_age=int(data["open_age"]), srb=float(data["srb"]), **lists)


@dataclass(frozen=True)
class ScenarioSpec:
    """How the assumptions move: see the module docstring. ``migration_female`` and
    ``migration_male`` (net migrants per year by age group) are used with ``ENTERED``."""

    name: str
    tfr_target: float | None = None
    tfr_year: int | None = None
    srb_target: float | None = None
    srb_year: int | None = None
    migration: Migration = Migration.REGISTER
    migration_factor: float = 1.0
    migration_female: tuple[float, ...] | None = None
    migration_male: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        if (self.tfr_target is None) != (self.tfr_year is None):
            raise ValueError("a TFR target needs both a value and a year")
        if (self.srb_target is None) != (self.srb_year is None):
            raise ValueError("an SRB target needs both a value and a year")
        if self.tfr_target is not None and not 0 <= self.tfr_target <= 10:
            raise ValueError("a TFR target lies between 0 and 10")
        if self.migration is Migration.ENTERED and (
            self.migration_female is None or self.migration_male is None
        ):
            raise ValueError("entered migration needs the female and male migrants by age")

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "tfr_target": self.tfr_target,
            "tfr_year": self.tfr_year,
            "srb_target": self.srb_target,
            "srb_year": self.srb_year,
            "migration": self.migration.value,
            "migration_factor": self.migration_factor,
            "migration_female": list(self.migration_female) if self.migration_female else None,
            "migration_male": list(self.migration_male) if self.migration_male else None,
        }


#: The scenarios every projection can use by name (the CLI's ``--scenario``). The
#: targets are those of the seed plans: TFR 2.1 by 2030 (Long Biên programme to 2030),
#: SRB at most 109 (Long Biên 2024 plan).
BUILTIN_SCENARIOS: dict[str, ScenarioSpec] = {
    spec.name: spec
    for spec in (
        ScenarioSpec("constant"),
        ScenarioSpec("tfr-2.1-2030", tfr_target=2.1, tfr_year=2030),
        ScenarioSpec("srb-109-2030", srb_target=109.0, srb_year=2030),
        ScenarioSpec(
            "tfr-2.1-srb-109-2030", tfr_target=2.1, tfr_year=2030, srb_target=109.0, srb_year=2030
        ),
        ScenarioSpec("zero-migration", migration=Migration.ZERO),
    )
}


@dataclass(frozen=True)
class YearResult:
    """One calendar year of a projection (module docstring for what "year" means).

    ``dependency`` holds the ratios of ``danso.demography.dependency_ratios`` per 100 of
    working age (None when the age groups do not allow them); ``tfr`` and ``srb`` are the
    scenario's assumption for the year.
    """

    year: int
    female: list[float]
    male: list[float]
    births: float
    deaths: float
    women_15_49: float
    aged_60_plus: float
    dependency: dict[str, float | None]
    tfr: float
    srb: float

    @property
    def total(self) -> float:
        return sum(self.female) + sum(self.male)

    @property
    def total_female(self) -> float:
        return sum(self.female)

    @property
    def total_male(self) -> float:
        return sum(self.male)

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "female": self.female,
            "male": self.male,
            "total": round(self.total, 2),
            "births": self.births,
            "deaths": self.deaths,
            "women_15_49": self.women_15_49,
            "aged_60_plus": self.aged_60_plus,
            "dependency": self.dependency,
            "tfr": self.tfr,
            "srb": self.srb,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> YearResult:
        fields = {k: v for k, v in data.items() if k != "total"}
        return cls(**fields)


@dataclass(frozen=True)
class ProjectionResult:
    """A scenario's results by year; ``migration_scale`` is the share of the scenario's
    migration that was applied (below 1 only when it had to be scaled down, see
    ``_fitting``)."""

    scenario: str
    age_groups: list[str]
    years: list[YearResult] = field(default_factory=list)
    migration_scale: float = 1.0

    def year(self, year: int) -> YearResult:
        return next(y for y in self.years if y.year == year)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "age_groups": self.age_groups,
            "migration_scale": self.migration_scale,
            "years": [y.as_dict() for y in self.years],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProjectionResult:
        return cls(
            scenario=data["scenario"],
            age_groups=list(data["age_groups"]),
            years=[YearResult.from_dict(y) for y in data["years"]],
            migration_scale=float(data.get("migration_scale", 1.0)),
        )


def decimal_year(day: date) -> float:
    """``day`` as a year with a fraction: 1 July 2025 is about 2025.5."""
    start = date(day.year, 1, 1).toordinal()
    length = date(day.year + 1, 1, 1).toordinal() - start
    return day.year + (day.toordinal() - start) / length


def steps_for(base_date: date, to_year: int) -> int:
    """5-year steps needed so that ``to_year`` has its flows (module docstring)."""
    years = to_year - base_date.year
    if years < 1:
        raise ValueError("the horizon must be after the base year")
    if years > MAX_YEARS:
        raise ValueError(f"the horizon is at most {MAX_YEARS} years after the base date")
    return math.ceil((years + 1) / INTERVAL)


def _path_values(
    start: float,
    target: float | None,
    target_year: int | None,
    t0: float,
    at: np.ndarray,
    *,
    srb: bool,
) -> np.ndarray:
    if target is None or target_year is None:
        return np.full(at.shape, start)
    # A target year at or before the base date applies the target from the start.
    year = max(float(target_year), t0)
    path = srb_path if srb else tfr_path
    return np.asarray(path(start, target, t0, year, at))


def migration_for(inputs: Inputs, scenario: ScenarioSpec) -> tuple[np.ndarray, np.ndarray]:
    """Net migrants per year (female, male) under ``scenario``."""
    female = np.array(inputs.migration_female)
    male = np.array(inputs.migration_male)
    if scenario.migration is Migration.ZERO:
        return female * 0, male * 0
    if scenario.migration is Migration.SCALED:
        return female * scenario.migration_factor, male * scenario.migration_factor
    if scenario.migration is Migration.ENTERED:
        assert scenario.migration_female is not None
        assert scenario.migration_male is not None
        entered_f, entered_m = (
            np.array(scenario.migration_female),
            np.array(scenario.migration_male),
        )
        if entered_f.shape != female.shape or entered_m.shape != male.shape:
            raise ValueError(f"entered migration must have {len(female)} age groups per sex")
        return entered_f, entered_m
    return female, male


def _fitting(
    cohort_with: Callable[[float], CohortProjection], *, scaled: bool
) -> tuple[CohortProjection, float]:
    """The projection with the scenario's migration, or, when its net emigration would
    take more people from an age group than the group has (a small unit whose few movers
    fall in thinly populated groups), with that migration scaled down by the largest
    factor in thousandths that fits, found by bisection. Entered migration is never
    scaled: the person who entered it is told instead (``ValueError``)."""
    try:
        return cohort_with(1.0), 1.0
    except ValueError:
        if not scaled:
            raise
    fits, too_much = 0, 1000  # thousandths of the migration
    cohort = cohort_with(0.0)  # without migration no group can go below zero
    while too_much - fits > 1:
        middle = (fits + too_much) // 2
        try:
            cohort, fits = cohort_with(middle / 1000), middle
        except ValueError:
            too_much = middle
    return cohort, fits / 1000


def project(
    inputs: Inputs, scenario: ScenarioSpec, base_date: date, to_year: int
) -> ProjectionResult:
    """Project ``inputs`` under ``scenario`` from ``base_date`` to ``to_year`` (module
    docstring). Raises ``ValueError`` with a reason a person can act on (no fertility to
    scale to a TFR target, emigration larger than a group…)."""
    steps = steps_for(base_date, to_year)
    t0 = decimal_year(base_date)
    middles = t0 + INTERVAL * (np.arange(steps) + 0.5)
    year_middles = t0 + np.arange(to_year - base_date.year + 1) + 0.5
    if scenario.tfr_target is not None and inputs.tfr <= 0:
        raise ValueError("the measured fertility is 0, so it cannot be brought to a TFR target")
    tfr_steps = _path_values(
        inputs.tfr, scenario.tfr_target, scenario.tfr_year, t0, middles, srb=False
    )
    srb_steps = _path_values(
        inputs.srb, scenario.srb_target, scenario.srb_year, t0, middles, srb=True
    )
    asfr = (
        scale_asfr_to_tfr(inputs.asfr, tfr_steps)
        if scenario.tfr_target is not None
        else np.array(inputs.asfr)
    )
    migration_f, migration_m = migration_for(inputs, scenario)

    def cohort_with(scale: float) -> CohortProjection:
        return project_cohort_component(
            inputs.female,
            inputs.male,
            inputs.survival_female,
            inputs.survival_male,
            asfr,
            srb_steps,
            migration_female=migration_f * INTERVAL * scale,
            migration_male=migration_m * INTERVAL * scale,
            interval=INTERVAL,
            steps=steps,
        )

    cohort, scale = _fitting(cohort_with, scaled=scenario.migration is not Migration.ENTERED)
    yearly = single_year_projection(cohort, base_date.year)
    starts = projection_starts(inputs.open_age)
    tfr_years = _path_values(
        inputs.tfr, scenario.tfr_target, scenario.tfr_year, t0, year_middles, srb=False
    )
    srb_years = _path_values(
        inputs.srb, scenario.srb_target, scenario.srb_year, t0, year_middles, srb=True
    )
    can_ratio = inputs.open_age >= 65
    rows = []
    for index in range(to_year - base_date.year + 1):
        female = yearly.female[index]
        male = yearly.male[index]
        ratios = dependency_ratios(female, male, starts) if can_ratio else None
        rows.append(
            YearResult(
                year=int(yearly.years[index]),
                female=_rounded(female),
                male=_rounded(male),
                births=round(float(yearly.births[index]), 2),
                deaths=round(float(yearly.deaths[index]), 2),
                women_15_49=round(float(women_15_49(female, starts)), 2),
                aged_60_plus=round(float(aged_60_plus(female + male, starts)), 2),
                dependency=_ratios(ratios),
                tfr=round(float(tfr_years[index]), 4),
                srb=round(float(srb_years[index]), 2),
            )
        )
    return ProjectionResult(scenario.name, inputs.age_groups, rows, scale)


def _rounded(values: np.ndarray) -> list[float]:
    return [round(float(v), 2) for v in values]


def _ratios(ratios: Any) -> dict[str, float | None]:
    names = ("young", "old", "total", "young_60", "old_60", "total_60")
    if ratios is None:
        return dict.fromkeys(names)
    values = {name: float(getattr(ratios, name)) for name in names}
    return {name: None if math.isnan(v) else round(v, 2) for name, v in values.items()}
