"""Cohort-component population projection by sex and age, and its Leslie matrix.

Source: Preston, Heuveline & Guillot, *Demography* (2001), chapter 6: the cohort-component
method with Box 6.1 (closed female population of Sweden, 1993–1998) and Box 6.2 (the same
with migration), and the Leslie matrix. ``tests/demography`` reproduces both boxes.

Populations are in age groups of ``interval`` years (5 by default) with an open last group,
and each step moves time forward by ``interval`` years. One step, for each sex:

1. **Migrants, first half.** Net migrants ``M[x]`` of age group ``x`` (a count for the
   whole step) arrive half at the start and half at the end. The first half joins group
   ``x`` at the start and then ages with it: the population exposed to mortality is
   ``P'[x] = P[x] + M[x] / 2``.
2. **Survival.** ``E[x] = S[x] · P'[x − 1]`` for the closed groups ``x ≥ 1``, and the open
   group gathers both last groups: ``E[A] = S[A] · (P'[A − 1] + P'[A])``
   (``S`` from ``survival_ratios``).
3. **Migrants, second half.** ``E[x] += M[x] / 2`` for ``x ≥ 1``.
4. **Births.** Women in a group are exposed during the step on average to the mean of the
   women there at the start (with the first half of the migrants) and at the end:
   ``B[x] = interval · asfr[x] · (P'_f[x] + E_f[x]) / 2``; ``B = Σ B[x]``. ``asfr`` is per
   woman per year, must be 0 in the first group (the women of that group at the end of a
   step are the step's own births), and is normally 0 outside 15–49.
5. **Sex at birth.** Girls ``B_f = B · 100 / (100 + srb)``, boys ``B_m = B − B_f``, with
   ``srb`` in boys per 100 girls (see ``danso.demography.fertility``).
6. **First group.** ``E[0] = S[0] · B_sex + M[0] / 2``: births survive with
   ``S[0] = nL0 / (n · l0)``; the first half of ``M[0]`` was survived into the second group
   in step 2, as migrants aged ``[0, n)`` at the start are ``[n, 2n)`` at the end.

**Deaths** are not computed age by age but by balance, so that the accounts close exactly:
``deaths = Σ P(start) + Σ M + B_sex − Σ P(end)`` for each sex.

**Assumptions varying over time.** ``survival_*``, ``asfr`` and ``migration_*`` are either
one array of shape ``(groups,)`` used for every step, or an array of shape
``(steps, groups)`` with one row per step; ``srb`` is a number or an array ``(steps,)``.
This is how a scenario with a TFR path is projected: build one ASFR schedule per step with
``scale_asfr_to_tfr(schedule, tfr_per_step)``, taking for each step the TFR at the middle
of its interval (``tfr_path(..., years=start_year + interval * (k + 0.5))``).

**Leslie matrix.** Without migration the female projection is linear: ``P(t + n) = L P(t)``
with ``S[x]`` on the sub-diagonal, ``S[A]`` at the bottom right, and first row
``L[0, j] = S[0] · 100/(100 + srb) · (n/2) · (asfr[j] + asfr[j + 1] · S[j + 1])``
(in the last column the bracket is ``asfr[A] · (1 + S[A])``): the women of group ``j`` bear
children at the rate of their group at the start of the step and at the rate of the next
group, once survived, at its end — the same births as step 4.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from danso.demography._validation import (
    FloatArray,
    as_float,
    as_vector,
    freeze,
    require_non_negative,
    require_same_length,
)
from danso.demography.fertility import check_srb


@dataclass(frozen=True, eq=False)
class CohortProjection:
    """Result of ``project_cohort_component``; arrays are read-only.

    ``female`` and ``male`` have shape ``(steps + 1, groups)``: row 0 is the base population,
    row ``k`` the population ``k · interval`` years later. Flows have one entry per step
    (the ``interval`` years between rows ``k`` and ``k + 1``): ``births`` (both sexes),
    ``births_female``, ``births_male``, ``births_by_age`` (by age group of the mother, shape
    ``(steps, groups)``), ``deaths`` (both sexes, by balance), ``deaths_female``,
    ``deaths_male`` and ``net_migration`` (both sexes).
    """

    female: FloatArray
    male: FloatArray
    births: FloatArray
    births_female: FloatArray
    births_male: FloatArray
    births_by_age: FloatArray
    deaths: FloatArray
    deaths_female: FloatArray
    deaths_male: FloatArray
    net_migration: FloatArray
    interval: float

    @property
    def steps(self) -> int:
        return int(self.births.shape[0])

    @property
    def total(self) -> FloatArray:
        """Total population (both sexes, all ages) at each of the ``steps + 1`` dates."""
        return np.asarray(self.female.sum(axis=1) + self.male.sum(axis=1), dtype=np.float64)


def _per_step(
    name: str, values: npt.ArrayLike | None, steps: int, groups: int, *, default: float = 0.0
) -> FloatArray:
    """Broadcast a per-group input to shape ``(steps, groups)``, checking its shape."""
    if values is None:
        return np.full((steps, groups), default, dtype=np.float64)
    array = np.array(values, dtype=np.float64)
    if array.shape == (groups,):
        array = np.broadcast_to(array, (steps, groups)).copy()
    elif array.shape != (steps, groups):
        raise ValueError(
            f"{name} must have shape ({groups},) or ({steps}, {groups}) for {groups} age "
            f"groups and {steps} steps, got {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must contain only finite numbers")
    return array


def _check_survival(name: str, survival: FloatArray) -> None:
    if np.any((survival < 0) | (survival > 1)):
        raise ValueError(f"{name} must lie between 0 and 1 (they are survival ratios)")


def _check_asfr(name: str, rates: FloatArray) -> None:
    require_non_negative(name, rates)
    if np.any(rates[..., 0] != 0):
        raise ValueError(
            f"{name} must be 0 in the first age group: at the end of a step that group holds "
            "the step's own births"
        )


def _survive(exposed: FloatArray, survival: FloatArray) -> FloatArray:
    """Step 2 of the module docstring; the first group is left at 0."""
    end = np.zeros_like(exposed)
    end[1:-1] = survival[1:-1] * exposed[:-2]
    end[-1] = survival[-1] * (exposed[-2] + exposed[-1])
    return end


def _check_population(name: str, population: FloatArray, step: int, when: str) -> None:
    negative = np.flatnonzero(population < 0)
    if negative.size:
        i = int(negative[0])
        raise ValueError(
            f"net emigration exceeds the {name} population of age group {i} {when} of step "
            f"{step + 1} ({population[i]:.6g}); reduce the emigration assumption"
        )


def project_cohort_component(
    female: npt.ArrayLike,
    male: npt.ArrayLike,
    survival_female: npt.ArrayLike,
    survival_male: npt.ArrayLike,
    asfr: npt.ArrayLike,
    srb: npt.ArrayLike,
    migration_female: npt.ArrayLike | None = None,
    migration_male: npt.ArrayLike | None = None,
    interval: float = 5,
    steps: int = 1,
) -> CohortProjection:
    """Project a population by sex and age ``steps`` times ``interval`` years ahead.

    See the module docstring for the method, the conventions (``srb`` in boys per 100 girls,
    ``asfr`` per woman per year, migrants as counts for the whole step, half at each end)
    and how assumptions may vary by step.
    """
    females = as_vector("female", female)
    males = as_vector("male", male)
    groups = require_same_length(female=females, male=males)
    if groups < 2:
        raise ValueError("a projection needs at least two age groups (the last one is open)")
    require_non_negative("female", females)
    require_non_negative("male", males)
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    n_steps = int(steps)
    width = as_float("interval", interval)
    if width <= 0:
        raise ValueError(f"interval must be positive, got {interval}")

    s_female = _per_step("survival_female", survival_female, n_steps, groups)
    s_male = _per_step("survival_male", survival_male, n_steps, groups)
    _check_survival("survival_female", s_female)
    _check_survival("survival_male", s_male)
    rates = _per_step("asfr", asfr, n_steps, groups)
    _check_asfr("asfr", rates)
    ratios = np.array(srb, dtype=np.float64)
    if ratios.shape == ():
        ratios = np.full(n_steps, float(ratios))
    elif ratios.shape != (n_steps,):
        raise ValueError(f"srb must be a number or have shape ({n_steps},), got {ratios.shape}")
    check_srb("srb", ratios)
    m_female = _per_step("migration_female", migration_female, n_steps, groups)
    m_male = _per_step("migration_male", migration_male, n_steps, groups)

    female_out = np.empty((n_steps + 1, groups))
    male_out = np.empty((n_steps + 1, groups))
    female_out[0], male_out[0] = females, males
    births_by_age = np.empty((n_steps, groups))
    births_female = np.empty(n_steps)
    births_male = np.empty(n_steps)

    for k in range(n_steps):
        exposed_f = female_out[k] + m_female[k] / 2
        exposed_m = male_out[k] + m_male[k] / 2
        _check_population("female", exposed_f, k, "at the start")
        _check_population("male", exposed_m, k, "at the start")
        end_f = _survive(exposed_f, s_female[k])
        end_m = _survive(exposed_m, s_male[k])
        end_f[1:] += m_female[k, 1:] / 2
        end_m[1:] += m_male[k, 1:] / 2

        by_age = width * rates[k] * (exposed_f + end_f) / 2
        total_births = float(by_age.sum())
        girls = total_births * 100.0 / (100.0 + float(ratios[k]))
        boys = total_births - girls
        end_f[0] = s_female[k, 0] * girls + m_female[k, 0] / 2
        end_m[0] = s_male[k, 0] * boys + m_male[k, 0] / 2
        _check_population("female", end_f, k, "at the end")
        _check_population("male", end_m, k, "at the end")

        female_out[k + 1], male_out[k + 1] = end_f, end_m
        births_by_age[k] = by_age
        births_female[k], births_male[k] = girls, boys

    migration_f = m_female.sum(axis=1)
    migration_m = m_male.sum(axis=1)
    deaths_female = (
        female_out[:-1].sum(axis=1) + migration_f + births_female - female_out[1:].sum(axis=1)
    )
    deaths_male = male_out[:-1].sum(axis=1) + migration_m + births_male - male_out[1:].sum(axis=1)
    return CohortProjection(
        female=freeze(female_out),
        male=freeze(male_out),
        births=freeze(births_female + births_male),
        births_female=freeze(births_female),
        births_male=freeze(births_male),
        births_by_age=freeze(births_by_age),
        deaths=freeze(deaths_female + deaths_male),
        deaths_female=freeze(deaths_female),
        deaths_male=freeze(deaths_male),
        net_migration=freeze(migration_f + migration_m),
        interval=width,
    )


def leslie_matrix(
    survival: npt.ArrayLike, asfr: npt.ArrayLike, srb: float, interval: float = 5
) -> FloatArray:
    """The female projection matrix of one step without migration (module docstring).

    ``leslie_matrix(S, asfr, srb) @ female`` equals the female population after one step of
    ``project_cohort_component`` with the same inputs and no migration.
    """
    ratios = as_vector("survival", survival)
    rates = as_vector("asfr", asfr)
    groups = require_same_length(survival=ratios, asfr=rates)
    if groups < 2:
        raise ValueError("a Leslie matrix needs at least two age groups (the last one is open)")
    _check_survival("survival", ratios)
    _check_asfr("asfr", rates)
    share_of_girls = 100.0 / (100.0 + float(check_srb("srb", srb)))
    width = as_float("interval", interval)
    if width <= 0:
        raise ValueError(f"interval must be positive, got {interval}")

    matrix = np.zeros((groups, groups))
    rows = np.arange(1, groups)
    matrix[rows, rows - 1] = ratios[1:]
    matrix[-1, -1] = ratios[-1]
    # Women of group j at the start bear at asfr[j]; at the end they are E = matrix @ P.
    exposure = width / 2 * (rates + rates @ matrix)
    matrix[0, :] = ratios[0] * share_of_girls * exposure
    return matrix
