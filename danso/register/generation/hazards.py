"""The yearly chances and the small draws of the synthetic register: deaths, marriages and
births by age, the sex of a child (with a preference for sons), ages of heads and spouses,
Poisson counts, and dates a number of years on.  Pure: no Django.
"""

from __future__ import annotations

import math
import random
from datetime import date

from danso.register.generation.parameters import Profile, Weighted
from danso.register.vocabulary import MaritalStatus, Relation, Sex


def add_years(day: int, years: int) -> int:
    born = date.fromordinal(day)
    try:
        return born.replace(year=born.year + years).toordinal()
    except ValueError:  # 29 February
        return born.replace(year=born.year + years, day=28).toordinal()


def between(rng: random.Random, low: float, high: float, *, peak: float) -> float:
    """A triangular draw: ages of heads, spouses, lone persons."""
    return rng.triangular(low, high, peak)


def home_share(age: float) -> float:
    """How likely an unmarried adult child still lives with the parents."""
    return 0.9 if age < 25 else 0.65 if age < 30 else 0.25


_ALONE = {
    True: Weighted(
        [
            (MaritalStatus.WIDOWED, 0.8),
            (MaritalStatus.DIVORCED, 0.1),
            (MaritalStatus.NEVER_MARRIED, 0.1),
        ]
    ),
    False: Weighted(
        [
            (MaritalStatus.WIDOWED, 0.6),
            (MaritalStatus.DIVORCED, 0.2),
            (MaritalStatus.NEVER_MARRIED, 0.2),
        ]
    ),
}


def old_alone(rng: random.Random, female: bool) -> str:
    """The marital status of an older person living alone."""
    return _ALONE[female].pick(rng)


def child_relation(mother_relation: str) -> str:
    if mother_relation in (Relation.HEAD, Relation.SPOUSE):
        return Relation.CHILD
    if mother_relation in (Relation.CHILD, Relation.OTHER, Relation.SIBLING):
        return Relation.GRANDCHILD
    return Relation.OTHER


def child_sex(rng: random.Random, order: int, sons: int) -> str:
    """Sons are preferred: the sex ratio rises with birth order when there is no son yet
    (≈ 107 for first births, ≈ 124 for second births after a girl, ≈ 111 overall)."""
    if order == 1:
        boy = 0.518
    elif order == 2:
        boy = 0.555 if sons == 0 else 0.505
    else:
        boy = 0.64 if sons == 0 else 0.505
    return Sex.MALE if rng.random() < boy else Sex.FEMALE


def death_probability(age: float, male: bool) -> float:
    if age < 1:
        return 0.011 if male else 0.009
    if age < 5:
        return 0.0008
    if age < 15:
        return 0.0003
    if age < 35:
        return 0.0011 if male else 0.0004
    if male:
        return min(0.6, 0.0015 * math.exp(0.088 * (age - 35)))
    return min(0.6, 0.00065 * math.exp(0.096 * (age - 35)))


def marriage_probability(age: float, sex: str, marital: str) -> float:
    if marital != MaritalStatus.NEVER_MARRIED:
        return 0.05 if age < 50 else 0.004
    if sex == Sex.MALE:
        age -= 2.5
    if age < 18:
        return 0.0
    if age < 20:
        return 0.03
    if age < 23:
        return 0.10
    if age < 26:
        return 0.17
    if age < 30:
        return 0.20
    if age < 35:
        return 0.12
    if age < 40:
        return 0.05
    return 0.01


def birth_probability(
    age: float, parity: int, since_last: float | None, sons: int, profile: Profile
) -> float:
    """Yearly chance that a married woman gives birth, by age, children already born,
    years since the last birth (since the wedding for a first birth) and whether she has a
    son."""
    if age < 15 or age >= 50:
        return 0.0
    if age < 20:
        by_age = 0.9
    elif age < 30:
        by_age = 1.0
    elif age < 35:
        by_age = 0.85
    elif age < 40:
        by_age = 0.5
    elif age < 45:
        by_age = 0.15
    else:
        by_age = 0.02
    if parity == 0:  # a first child soon after the wedding, or perhaps never
        base = 0.6 if since_last is None or since_last < 4 else 0.10
    elif since_last is not None and since_last < 1.3:
        return 0.0
    elif parity == 1:
        t = since_last if since_last is not None else 5.0
        base = 0.22 if t < 2.5 else 0.30 if t < 6 else 0.12 if t < 10 else 0.03
    elif parity == 2:
        base = 0.015 * (3.5 if sons == 0 else 1.0) * profile.third_birth
    else:
        base = 0.010 * (3.0 if sons == 0 else 1.0) * profile.third_birth
    return base * by_age * profile.fertility


def postpartum(rng: random.Random) -> int:
    """Days after a birth before a method is taken up again."""
    return 42 + int(rng.expovariate(1 / 150))


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (a normal approximation above 50)."""
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k
