"""Projections: gathering a unit's inputs, running scenarios, storing runs; life tables.

What is measured and how (``docs/projections.md`` says it for users):

* **base population** by sex and 5-year group on the base date: the persons registered
  in the unit (``sources``); where nobody is, the unit's population figure with age
  groups (``PopulationFigure``, the year nearest before the base date), used as the
  population at the base date.  The sources say what part of the unit the register
  covers (``indicators.coverage``); when it holds less than ``coverage.THRESHOLD`` of
  the unit's official population (Hà Nội from Long Biên's book alone), the figure by age
  group is used instead, and without one the projection is refused;
* **fertility**: ASFR pooled over the full years before the base date
  (``sources.POOL_YEARS``) from the unit's register; when the unit has fewer than
  ``MIN_BIRTHS`` births in that pool, the schedule of the nearest unit above that has
  enough (up to the province) is **borrowed**, and the result says so; with no such unit,
  the national assumption of ``rates.assumed_asfr``. The SRB comes from the same births;
* **mortality**, as the person chooses: a life table computed from the register of the
  unit or of a unit above (at least ``MIN_DEATHS`` deaths of each sex), a table entered in
  danso, or the built-in model (``modeltables.vietnam_like``). The default walks up from
  the unit itself and falls back to the model;
* **net migration**: the unit's own moves in and out per year (never borrowed: moves are
  local); none when the base population comes from figures.

The open age group is 85+ (the register's and the figures' usual grid); a figure or an
entered life table that stops earlier lowers it to theirs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from danso.audit import recorded_user
from danso.demography import LifeTable as Table
from danso.demography import srb_interval, survival_from_life_table
from danso.indicators.cache import register_and_entered
from danso.indicators.coverage import THRESHOLD, Coverage, coverage_of, percent
from danso.indicators.leaves import Part, leaves_under
from danso.indicators.periods import Period
from danso.indicators.uncertainty import tfr as tfr_interval
from danso.population.agegroups import group_labels
from danso.population.labels import official_population, register_population
from danso.projections import modeltables
from danso.projections.lifetables import entered_table
from danso.projections.method import (
    BUILTIN_SCENARIOS,
    Inputs,
    ProjectionResult,
    ScenarioSpec,
    project,
)
from danso.projections.models import LifeTable, Projection, Scenario
from danso.projections.rates import (
    ASSUMED_SRB,
    REGISTER_OPEN_AGE,
    PoolCounts,
    annual_net_migration,
    asfr_from_counts,
    assumed_asfr,
    collapse_open,
    register_life_tables,
    to_five_year,
)
from danso.projections.sources import RegisterReader, latest_figure, parent_on, pool_years
from danso.units.models import UnitVersion, valid_on
from danso.vietnamese import format_number

#: Births in the pool below which fertility is borrowed from the unit above.
MIN_BIRTHS = 100
#: Deaths of each sex in the pool below which a register life table is not used.
MIN_DEATHS = 200
Mortality = Projection.Mortality


class ProjectionError(ValueError):
    """A projection cannot be made as asked; the message says why, for a person."""


@dataclass(frozen=True)
class Gathered:
    """A unit's inputs and, for each, where it came from (JSON-ready)."""

    inputs: Inputs
    sources: dict[str, Any]


def _unit_info(version: UnitVersion) -> dict[str, Any]:
    return {
        "id": version.unit_id,
        "code": version.display_code,
        "name": version.name,
        "level": version.unit.level,
    }


def _chain(version: UnitVersion, day: date) -> list[UnitVersion]:
    """``version`` and the units above it on ``day``, up to the province."""
    chain = [version]
    while (parent := parent_on(chain[-1], day)) is not None:
        chain.append(parent)
    return chain


def _base_population(
    version: UnitVersion, base_date: date, reader: RegisterReader
) -> tuple[list[float], list[float], int, dict[str, Any], dict[str, Any]]:
    """(female, male, open age, source, coverage) of the population on the base date;
    coverage: what part of the unit the register covers (``_coverage_statement``), empty
    when nobody is registered."""
    female, male = reader.population(version)
    persons = sum(female) + sum(male)
    covered = _register_coverage(version, base_date, reader, persons) if persons else None
    low = covered is not None and covered.share is not None and covered.share < THRESHOLD
    if persons > 0 and not low:
        source = {"kind": "register", "persons": persons}
        return (
            to_five_year([float(v) for v in female], REGISTER_OPEN_AGE),
            to_five_year([float(v) for v in male], REGISTER_OPEN_AGE),
            REGISTER_OPEN_AGE,
            source,
            _coverage_statement(covered, base_date),
        )
    figure = latest_figure(version.unit_id, base_date)
    if low and (figure is None or figure.female_by_age is None or figure.male_by_age is None):
        assert covered is not None
        statement = _coverage_statement(covered, base_date)["statement"]
        raise ProjectionError(
            _(
                "%(name)s: %(statement)s A projection from the register would be of that "
                "part only. Enter the unit's population by age group, or project the units "
                "that keep their register."
            )
            % {"name": version.name, "statement": statement}
        )
    if figure is None or figure.female_by_age is None or figure.male_by_age is None:
        raise ProjectionError(
            _(
                "%(name)s has nobody in the register on %(day)s and no population figure by "
                "age group: enter its population by age first."
            )
            % {"name": version.name, "day": f"{base_date:%d/%m/%Y}"}
        )
    open_age = min(figure.open_age, REGISTER_OPEN_AGE)
    source = {
        "kind": "figure",
        "year": figure.year,
        "figure_id": figure.pk,
        "figure_source": figure.source,
        "persons": figure.total,
        "label": official_population(figure.year, figure.source),
    }
    coverage = _coverage_statement(covered, base_date)
    if low:  # the register held too little of the unit: its figure is used instead
        coverage["used"] = "figure"
    return (
        collapse_open([float(v) for v in figure.female_by_age], figure.open_age, open_age),
        collapse_open([float(v) for v in figure.male_by_age], figure.open_age, open_age),
        open_age,
        source,
        coverage,
    )


def _register_coverage(
    version: UnitVersion, base_date: date, reader: RegisterReader, persons: int
) -> Coverage:
    """What part of the unit's population the register's persons on the base date are
    (``indicators.coverage``, for the month of the base date)."""
    period = Period.month_of(base_date.year, base_date.month)
    parts = [Part(unit, path) for unit, path in leaves_under(version, base_date).items()]
    measured = coverage_of(version, period, base_date, parts, register_and_entered)
    return measured(version.unit_id, persons)


def _coverage_statement(coverage: Coverage | None, base_date: date) -> dict[str, Any]:
    """The base population's coverage, stored with the projection's sources: the share,
    the official figure and a sentence «dựa trên 24.564 người trong sổ, 0,3 % dân số
    chính thức năm 2024 (nguồn: …)»."""
    if coverage is None:
        return {}
    persons = format_number(coverage.persons, 0)
    label = register_population(base_date)
    if coverage.complete:
        statement = _("%(label)s: %(persons)s persons, the whole unit.") % {
            "label": label,
            "persons": persons,
        }
    elif coverage.share is None:
        statement = _(
            "%(label)s: %(persons)s persons, part of the unit only; their share of its "
            "population is unknown (no official population figure)."
        ) % {"label": label, "persons": persons}
    else:
        assert coverage.official is not None
        statement = _(
            "%(label)s: %(persons)s persons, %(share)s of the %(official)s (%(population)s)."
        ) % {
            "label": label,
            "persons": persons,
            "share": percent(coverage.share),
            "official": official_population(coverage.official.year, coverage.official.source),
            "population": format_number(coverage.official.total, 0),
        }
    return {"coverage": coverage.as_dict(), "statement": statement}


def _fertility(
    version: UnitVersion, base_date: date, reader: RegisterReader, open_age: int
) -> tuple[list[float], float, dict[str, Any], dict[str, Any]]:
    """(ASFR, SRB, fertility source, SRB source): the first unit up the tree with enough
    births (module docstring)."""
    for index, unit in enumerate(_chain(version, base_date)):
        counts = reader.pool(unit)
        if counts.births < MIN_BIRTHS:
            continue
        rates = asfr_from_counts(counts, open_age)
        interval = tfr_interval(counts.births_by_age, counts.woman_years, 1.0)
        fertility = {
            "kind": "register",
            "unit": _unit_info(unit),
            "borrowed": index > 0,
            "births": counts.births,
            "years": counts.years,
            "tfr": 5 * sum(rates),
            "tfr_low": interval.low,
            "tfr_high": interval.high,
        }
        ratio = srb_interval(counts.boys, counts.girls)
        if counts.boys and counts.girls and 50 <= ratio.ratio <= 200:
            srb = {
                "kind": "register",
                "unit": _unit_info(unit),
                "borrowed": index > 0,
                "boys": counts.boys,
                "girls": counts.girls,
                "srb": ratio.ratio,
                "low": ratio.low,
                "high": ratio.high,
            }
            return rates, ratio.ratio, fertility, srb
        return rates, ASSUMED_SRB, fertility, {"kind": "assumption", "srb": ASSUMED_SRB}
    rates = assumed_asfr(open_age)
    fertility = {"kind": "assumption", "tfr": 5 * sum(rates), "min_births": MIN_BIRTHS}
    return rates, ASSUMED_SRB, fertility, {"kind": "assumption", "srb": ASSUMED_SRB}


def _register_tables(counts: PoolCounts) -> tuple[Table, Table] | None:
    """Life tables from the pool, or None with too few deaths or data a table rejects."""
    if min(sum(counts.deaths_female), sum(counts.deaths_male)) < MIN_DEATHS:
        return None
    try:
        return register_life_tables(counts)
    except ValueError:
        return None


def _mortality(
    version: UnitVersion,
    base_date: date,
    reader: RegisterReader,
    choice: str,
    table: LifeTable | None,
) -> tuple[Table, Table, dict[str, Any]]:
    """(female table, male table, source) for the chosen mortality."""
    if choice == Mortality.TABLE:
        if table is None:
            raise ProjectionError(_("Choose the life table to use."))
        try:
            female = entered_table(table.kind, table.female, table.open_age, "female")
            male = entered_table(table.kind, table.male, table.open_age, "male")
        except ValueError as error:
            raise ProjectionError(
                _("The life table %(name)s cannot be used: %(reason)s")
                % {"name": table.name, "reason": error}
            ) from error
        source = {"kind": "table", "table_id": table.pk, "name": table.name, "source": table.source}
        return female, male, source
    if choice in (Mortality.UNIT, Mortality.PARENT, Mortality.DEFAULT):
        chain = _chain(version, base_date)
        if choice == Mortality.UNIT:
            candidates = chain[:1]
        elif choice == Mortality.PARENT:
            candidates = chain[1:2]
            if not candidates:
                raise ProjectionError(_("%(name)s has no unit above it.") % {"name": version.name})
        else:
            candidates = chain
        for unit in candidates:
            counts = reader.pool(unit)
            tables = _register_tables(counts)
            if tables is not None:
                source = {
                    "kind": "register",
                    "unit": _unit_info(unit),
                    "borrowed": unit.unit_id != version.unit_id,
                    "years": counts.years,
                    "deaths_female": sum(counts.deaths_female),
                    "deaths_male": sum(counts.deaths_male),
                }
                return tables[0], tables[1], source
        if choice != Mortality.DEFAULT:
            raise ProjectionError(
                _(
                    "The register of %(name)s has too few deaths for a life table (at least "
                    "%(min)s of each sex over the pooled years are needed)."
                )
                % {"name": candidates[0].name, "min": MIN_DEATHS}
            )
    elif choice != Mortality.MODEL:
        raise ProjectionError(_("Unknown mortality choice %(choice)s.") % {"choice": choice})
    source = {
        "kind": "model",
        "family": "Coale-Demeny West",
        "e0_female_target": modeltables.DEFAULT_E0["female"],
        "e0_male_target": modeltables.DEFAULT_E0["male"],
        "fallback": choice == Mortality.DEFAULT,
        "min_deaths": MIN_DEATHS,
    }
    return modeltables.vietnam_like("female"), modeltables.vietnam_like("male"), source


def inputs_gather(
    version: UnitVersion,
    base_date: date,
    *,
    mortality: str = Mortality.DEFAULT,
    life_table: LifeTable | None = None,
    reader: RegisterReader | None = None,
) -> Gathered:
    """Measure the inputs of ``version`` (a version valid on ``base_date``) at
    ``base_date`` (module docstring). ``reader`` may be shared by several calls with the
    same base date. Raises ``ProjectionError``."""
    reader = reader or RegisterReader(base_date)
    female, male, base_open_age, base_source, coverage = _base_population(
        version, base_date, reader
    )
    female_table, male_table, mortality_source = _mortality(
        version, base_date, reader, mortality, life_table
    )
    open_age = min(base_open_age, int(female_table.open_age), int(male_table.open_age))
    female = collapse_open(female, base_open_age, open_age)
    male = collapse_open(male, base_open_age, open_age)
    asfr, srb, fertility_source, srb_source = _fertility(version, base_date, reader, open_age)
    if base_source["kind"] == "register":
        counts = reader.pool(version)
        migration_f, migration_m = annual_net_migration(counts, open_age)
        migration_source = {
            "kind": "register",
            "years": counts.years,
            "moved_in": sum(counts.moves_in_female) + sum(counts.moves_in_male),
            "moved_out": sum(counts.moves_out_female) + sum(counts.moves_out_male),
            "net_per_year": sum(migration_f) + sum(migration_m),
        }
    else:
        migration_f = migration_m = [0.0] * len(female)
        migration_source = {"kind": "none"}
    mortality_source["e0_female"] = female_table.e0
    mortality_source["e0_male"] = male_table.e0
    inputs = Inputs(
        open_age=open_age,
        female=tuple(female),
        male=tuple(male),
        asfr=tuple(asfr),
        srb=srb,
        survival_female=tuple(survival_from_life_table(female_table, open_age).tolist()),
        survival_male=tuple(survival_from_life_table(male_table, open_age).tolist()),
        migration_female=tuple(migration_f),
        migration_male=tuple(migration_m),
    )
    sources = {
        "unit": _unit_info(version),
        "base_date": base_date.isoformat(),
        "pool_years": pool_years(base_date),
        "age_groups": group_labels(open_age),
        "base": base_source,
        "coverage": coverage,
        "fertility": fertility_source,
        "srb": srb_source,
        "mortality": mortality_source,
        "migration": migration_source,
    }
    return Gathered(inputs, sources)


def _run(inputs: Inputs, spec: ScenarioSpec, base_date: date, to_year: int) -> ProjectionResult:
    try:
        return project(inputs, spec, base_date, to_year)
    except ValueError as error:
        raise ProjectionError(
            _("Scenario %(name)s cannot be projected: %(reason)s")
            % {"name": spec.name, "reason": error}
        ) from error


def project_unit(
    version: UnitVersion,
    base_date: date,
    to_year: int,
    spec: ScenarioSpec,
    *,
    mortality: str = Mortality.DEFAULT,
    life_table: LifeTable | None = None,
) -> tuple[Gathered, ProjectionResult]:
    """Gather and project without storing anything (the CLI)."""
    gathered = inputs_gather(version, base_date, mortality=mortality, life_table=life_table)
    return gathered, _run(gathered.inputs, spec, base_date, to_year)


def _scenario_save(projection: Projection, spec: ScenarioSpec) -> Scenario:
    if projection.scenarios.filter(name=spec.name).exists():
        raise ProjectionError(
            _("This projection already has a scenario named %(name)s.") % {"name": spec.name}
        )
    inputs = Inputs.from_dict(projection.inputs)
    result = _run(inputs, spec, projection.base_date, projection.to_year)
    return Scenario.objects.create(
        projection=projection,
        name=spec.name,
        tfr_target=spec.tfr_target,
        tfr_year=spec.tfr_year,
        srb_target=spec.srb_target,
        srb_year=spec.srb_year,
        migration=spec.migration.value,
        migration_factor=spec.migration_factor,
        migration_female=list(spec.migration_female) if spec.migration_female else None,
        migration_male=list(spec.migration_male) if spec.migration_male else None,
        results=result.as_dict(),
    )


@transaction.atomic
def projection_create(
    *,
    version: UnitVersion,
    base_date: date,
    to_year: int,
    scenarios: Sequence[ScenarioSpec],
    mortality: str = Mortality.DEFAULT,
    life_table: LifeTable | None = None,
    user: Any = None,
) -> Projection:
    """Measure the inputs of ``version`` at ``base_date``, run every scenario to
    ``to_year`` and store it all. The caller has checked the user's scope."""
    if not scenarios:
        raise ProjectionError(_("Choose at least one scenario."))
    if len({s.name for s in scenarios}) != len(scenarios):
        raise ProjectionError(_("Two scenarios have the same name."))
    gathered = inputs_gather(version, base_date, mortality=mortality, life_table=life_table)
    projection = Projection.objects.create(
        unit=version.unit,
        path=version.path,
        base_date=base_date,
        to_year=to_year,
        mortality=mortality,
        life_table=life_table if mortality == Mortality.TABLE else None,
        inputs=gathered.inputs.as_dict(),
        sources=gathered.sources,
        created_by=recorded_user(user),
    )
    for spec in scenarios:
        _scenario_save(projection, spec)
    return projection


@transaction.atomic
def scenario_add(*, projection: Projection, spec: ScenarioSpec) -> Scenario:
    """Run one more scenario on a stored projection's inputs."""
    return _scenario_save(projection, spec)


# ---------------------------------------------------------------- life tables


@transaction.atomic
def lifetable_save(
    *,
    name: str,
    kind: str,
    open_age: int,
    male: list[float],
    female: list[float],
    source: str = "",
    note: str = "",
    user: Any = None,
) -> LifeTable:
    """Store an entered life table after checking that both sexes make a table."""
    errors: dict[str, list[str]] = {}
    for field, values, sex in (("male", male, "male"), ("female", female, "female")):
        try:
            entered_table(kind, values, open_age, sex)  # type: ignore[arg-type]
        except ValueError as error:
            errors[field] = [str(error)]
    if not name.strip():
        errors["name"] = [_("The life table needs a name.")]
    if errors:
        raise ValidationError(errors)
    return LifeTable.objects.create(
        name=name.strip(),
        kind=kind,
        open_age=open_age,
        male=male,
        female=female,
        source=source,
        note=note,
        created_by=recorded_user(user),
    )


# ---------------------------------------------------------------- allocation weights


def projected_measures(
    versions: Iterable[UnitVersion], year: int
) -> dict[int, dict[str, Decimal] | None]:
    """For each unit, what the constant-rates projection from 1 January ``year`` expects in
    that year: ``women_15_49`` and ``aged_60_plus`` at mid-year (the mean of 1 January of
    ``year`` and of the next year), ``births`` during the year. None where the unit cannot
    be projected (no register, no figure by age). Nothing is stored."""
    base_date = date(year, 1, 1)
    reader = RegisterReader(base_date)
    spec = BUILTIN_SCENARIOS["constant"]
    measures: dict[int, dict[str, Decimal] | None] = {}
    for version in versions:
        try:
            gathered = inputs_gather(version, base_date, reader=reader)
            result = project(gathered.inputs, spec, base_date, year + 1)
        except ValueError:  # ProjectionError or a scenario the inputs cannot take
            measures[version.unit_id] = None
            continue
        now, then = result.years[0], result.years[1]
        measures[version.unit_id] = {
            "women_15_49": _decimal((now.women_15_49 + then.women_15_49) / 2),
            "aged_60_plus": _decimal((now.aged_60_plus + then.aged_60_plus) / 2),
            "births": _decimal(now.births),
        }
    return measures


def projected_weights(unit_ids: list[int], year: int, measure: str) -> dict[int, Decimal | None]:
    """``projected_measures`` of one measure for units given by id (as the plans' weights
    are); a unit that does not exist on 1 January ``year`` gets None."""
    versions = (
        UnitVersion.objects.filter(valid_on(date(year, 1, 1)), unit_id__in=unit_ids)
        .select_related("unit")
        .order_by("path")
    )
    measures = projected_measures(versions, year)
    return {
        unit_id: (found[measure] if (found := measures.get(unit_id)) else None)
        for unit_id in unit_ids
    }


def _decimal(value: float) -> Decimal:
    return Decimal(str(round(value, 1)))
