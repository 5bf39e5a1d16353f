"""Survival ratios for cohort-component projection, from a life table.

Source: Preston, Heuveline & Guillot, *Demography* (2001), chapter 6 and its Box 6.1.
A projection in ``n``-year age groups and ``n``-year steps moves the people aged
``[x − n, x)`` at time ``t`` into ``[x, x + n)`` at ``t + n``; the share who survive is
the ratio of life-table person-years,

* ``S[x] = nLx / nL(x−n)`` for the closed groups;
* births of the step survive into the first group with ``S[0] = nL0 / (n · l0)`` (``l0`` is
  the life table's radix): the ``n·l0`` person-years the births would live if nobody died;
* the open group ``A+`` at ``t + n`` gathers the survivors of both ``[A − n, A)`` and ``A+``,
  so a single ratio is applied to the sum of the two: ``S[A] = L(A+) / (nL(A−n) + L(A+))``,
  where ``L(A+) = T(A)``. (Preston et al. page 121 give a finer rule when ``T(A+n)`` is
  known; Box 6.1 uses this combined rule, and so does danso.)

``S`` has one entry per age group, ``S[i]`` being the ratio applied to people *entering*
group ``i``; this is the layout ``project_cohort_component`` and ``leslie_matrix`` take.

**Grouping.** Abridged life tables have groups ``0`` and ``1–4``; the projection needs
``0–4``, whose person-years are ``5L0 = 1L0 + 4L1`` (person-years add up over contiguous
intervals). ``group_nLx`` sums the person-years of the table's groups inside each projection
group, so it also turns a complete (single-year) table into 5-year groups.

**Open age.** When the projection's open age ``A`` is *below* the table's, the table's
groups from ``A`` up are summed into ``L(A+) = T(A)``, which is exact. When it is *above*,
the table has no information on mortality past its open age, and danso does not invent
any: ``group_nLx`` raises ``ValueError``; extend the life table (for instance with a model
life table) or lower the projection's open age, summing the population from the new open
age up with ``collapse_open_group``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from danso.demography._validation import FloatArray, as_float, as_vector, require_same_length
from danso.demography.lifetable import LifeTable


def group_nLx(table: LifeTable, width: float = 5, open_age: float | None = None) -> FloatArray:
    """Person-years of ``table`` in groups ``[0, width), [width, 2·width), …, [open_age, ∞)``.

    ``open_age`` defaults to the table's open age. Every projection group boundary must be
    a boundary of the table, and ``open_age`` must not exceed the table's (see the module
    docstring). The last value is ``T(open_age)``.
    """
    step = as_float("width", width)
    if step <= 0:
        raise ValueError(f"width must be positive, got {width}")
    top = table.open_age if open_age is None else as_float("open_age", open_age)
    if top > table.open_age:
        raise ValueError(
            f"the projection's open age ({top:g}) is above the life table's ({table.open_age:g}):"
            " the table says nothing about mortality past its open age; extend the table or"
            " lower the projection's open age"
        )
    groups = top / step
    if top <= 0 or not np.isclose(groups, round(groups)):
        raise ValueError(f"open_age ({top:g}) must be a positive multiple of width ({step:g})")
    bounds = step * np.arange(round(groups) + 1)
    starts = table.ages
    missing = [b for b in bounds if not np.any(np.isclose(starts, b, rtol=0, atol=1e-9))]
    if missing:
        raise ValueError(
            f"the life table has no age group starting at {missing[0]:g}, so its person-years"
            f" cannot be regrouped into {step:g}-year groups"
        )
    index = np.searchsorted(bounds, starts + 1e-9, side="right") - 1
    grouped = np.zeros(len(bounds), dtype=np.float64)
    np.add.at(grouped, index, table.nLx)
    return grouped


def five_year_nLx(table: LifeTable, open_age: float | None = None) -> FloatArray:
    """``group_nLx`` for 5-year groups: ``0–4`` (``1L0 + 4L1``), ``5–9``, …, ``open_age+``."""
    return group_nLx(table, 5, open_age)


def survival_ratios(nLx: npt.ArrayLike, radix: float = 100_000, interval: float = 5) -> FloatArray:
    """Survival ratios ``S`` for groups of width ``interval`` (see the module docstring).

    ``nLx`` are the life-table person-years in the projection's age groups, the last one
    being the open group's ``T``; ``radix`` is the table's ``l0``.
    """
    years = as_vector("nLx", nLx)
    if len(years) < 2:
        raise ValueError("nLx needs at least two age groups (one closed group and the open one)")
    if np.any(years <= 0):
        raise ValueError("nLx must be positive in every age group")
    radix_ = as_float("radix", radix)
    step = as_float("interval", interval)
    if radix_ <= 0 or step <= 0:
        raise ValueError("radix and interval must be positive")
    ratios = np.empty_like(years)
    ratios[0] = years[0] / (step * radix_)
    ratios[1:-1] = years[1:-1] / years[:-2]
    ratios[-1] = years[-1] / (years[-2] + years[-1])
    return ratios


def survival_from_life_table(
    table: LifeTable, open_age: float | None = None, interval: float = 5
) -> FloatArray:
    """Survival ratios for a projection in ``interval``-year groups up to ``open_age+``."""
    return survival_ratios(group_nLx(table, interval, open_age), table.radix, interval)


def collapse_open_group(values: npt.ArrayLike, ages: npt.ArrayLike, open_age: float) -> FloatArray:
    """Sum the groups from ``open_age`` up into one open group (age is the last axis).

    Use it to bring a population whose open age is above the life table's down to the
    table's, e.g. ``collapse_open_group(population, ages, table.open_age)``. The result
    has one group per age in ``ages`` up to and including ``open_age``.
    """
    array = np.array(values, dtype=np.float64)
    starts = as_vector("ages", ages)
    if array.ndim == 0:
        raise ValueError("values must have an age axis")
    require_same_length(values=np.moveaxis(array, -1, 0), ages=starts)
    top = as_float("open_age", open_age)
    matches = np.flatnonzero(np.isclose(starts, top, rtol=0, atol=1e-9))
    if not matches.size:
        raise ValueError(f"open_age ({top:g}) must be the start of one of the age groups")
    cut = int(matches[0])
    head = array[..., :cut]
    tail = array[..., cut:].sum(axis=-1, keepdims=True)
    return np.concatenate([head, tail], axis=-1)
