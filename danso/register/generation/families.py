"""Households as found when the book is opened or as they move in: who lives together,
their ages, marriages and the children each woman has had; and the weights that bring
the ages of the drawn households to Hà Nội's pyramid.  Pure: no Django.
"""

from __future__ import annotations

import math
import random
from collections import Counter

from danso.register.generation.hazards import between, child_sex, home_share, old_alone
from danso.register.generation.parameters import (
    FAMILY_NAMES,
    MAX_SIZE,
    OLD_PARITY,
    PYRAMID,
    Profile,
    Weighted,
)
from danso.register.generation.records import Member
from danso.register.vocabulary import MaritalStatus, Relation, Sex


class Families:
    """Households as found when the book is opened or as they move in: who lives
    together, their ages, marriages, and the children each woman has had."""

    def __init__(self, rng: random.Random, profile: Profile) -> None:
        self.rng = rng
        self.kinds = Weighted(profile.kinds)
        self.parities = Weighted(profile.parity)

    def household(self) -> list[Member]:
        """The members of one household (ages in years, relations to the head, marriages
        and the children each woman has had), by the profile's make-ups."""
        rng = self.rng
        kind = self.kinds.pick(rng)
        plan: list[Member] = []

        def add(sex: str, age: float, relation: str, marital: str, family: str | None) -> int:
            plan.append(Member(sex, age, relation, marital, family or FAMILY_NAMES.pick(rng)))
            return len(plan) - 1

        def couple(husband_age: float, wife_age: float, head: str) -> tuple[int, int]:
            """A married couple; ``head`` says which one heads ("M" or "F")."""
            husband = add(
                "M",
                husband_age,
                Relation.HEAD if head == "M" else Relation.SPOUSE,
                MaritalStatus.MARRIED,
                None,
            )
            wife = add(
                "F",
                wife_age,
                Relation.HEAD if head == "F" else Relation.SPOUSE,
                MaritalStatus.MARRIED,
                None,
            )
            plan[husband].spouse, plan[wife].spouse = wife, husband
            return husband, wife

        def children(mother: int, relation: str, keep_adults: bool) -> None:
            """The mother's live births; those still living at home are added."""
            woman = plan[mother]
            married_for, born_to_her = self.children_of(woman.age)
            if woman.spouse is not None:
                woman.wedding = plan[woman.spouse].wedding = married_for
            # children carry their father's family name
            father = plan[woman.spouse].family if woman.spouse is not None else None
            family = father or FAMILY_NAMES.pick(rng)
            for age, sex in born_to_her:
                woman.parity += 1
                woman.sons += sex == Sex.MALE
                woman.last_birth = age if woman.last_birth is None else min(woman.last_birth, age)
                stays = age < 18 or (keep_adults and rng.random() < home_share(age))
                if stays and len(plan) < MAX_SIZE:
                    child = add(sex, age, relation, MaritalStatus.NEVER_MARRIED, family)
                    woman.children.append(child)

        def past_children(mother: int) -> None:
            """Parity of an older woman whose children live elsewhere."""
            for _age, sex in self.children_of(plan[mother].age)[1]:
                plan[mother].parity += 1
                plan[mother].sons += sex == Sex.MALE

        if kind == "single_old":
            female = rng.random() < 0.75
            head = add(
                "F" if female else "M",
                between(rng, 60, 95, peak=66),
                Relation.HEAD,
                old_alone(rng, female),
                None,
            )
            if female:
                past_children(head)
        elif kind == "single_young":
            age = between(rng, 19, 50, peak=23)
            marital = (
                MaritalStatus.NEVER_MARRIED
                if age < 32 or rng.random() < 0.5
                else rng.choice([MaritalStatus.DIVORCED, MaritalStatus.WIDOWED])
            )
            add("F" if rng.random() < 0.45 else "M", age, Relation.HEAD, marital, None)
        elif kind == "couple_old":
            husband_age = between(rng, 52, 92, peak=60)
            _husband, wife = couple(husband_age, max(48.0, husband_age - rng.gauss(3, 2)), "M")
            past_children(wife)
        elif kind == "couple_young":  # married lately, no child yet
            husband_age = between(rng, 22, 38, peak=28)
            husband, wife = couple(husband_age, max(18.5, husband_age - rng.gauss(2.5, 2)), "M")
            plan[husband].wedding = plan[wife].wedding = rng.uniform(
                0, min(2.5, plan[wife].age - 18)
            )
        elif kind == "nuclear":
            wife_age = rng.uniform(22, 60)
            husband_age = max(20.5, wife_age + rng.gauss(2.5, 2.5))
            husband, wife = couple(husband_age, wife_age, "M" if rng.random() < 0.85 else "F")
            if rng.random() < 0.10:  # a widowed parent lives with them
                add(
                    "F" if rng.random() < 0.8 else "M",
                    min(97.0, husband_age + rng.gauss(28, 4)),
                    Relation.PARENT,
                    MaritalStatus.WIDOWED,
                    plan[husband].family,
                )
            children(wife, Relation.CHILD, keep_adults=True)
        elif kind == "single_parent":
            marital = MaritalStatus.DIVORCED if rng.random() < 0.55 else MaritalStatus.WIDOWED
            mother = add("F", rng.uniform(24, 60), Relation.HEAD, marital, None)
            children(mother, Relation.CHILD, keep_adults=True)
        elif kind == "three_generations":
            grandmother_age = between(rng, 48, 88, peak=58)
            if rng.random() < min(0.85, max(0.15, (grandmother_age - 50) / 40)):  # widowed
                grandmother = add("F", grandmother_age, Relation.HEAD, MaritalStatus.WIDOWED, None)
            else:
                grandfather_age = grandmother_age + max(0.0, rng.gauss(3, 2))
                _grandfather, grandmother = couple(grandfather_age, grandmother_age, "M")
            past_children(grandmother)
            family = plan[0].family if plan[0].sex == Sex.MALE else FAMILY_NAMES.pick(rng)
            son_age = max(21.0, grandmother_age - max(19.0, rng.gauss(27, 4)))
            son = add("M", son_age, Relation.CHILD, MaritalStatus.MARRIED, family)
            wife = add(
                "F",
                max(19.0, son_age - rng.gauss(2.5, 2)),
                Relation.OTHER,
                MaritalStatus.MARRIED,
                None,
            )
            plan[son].spouse, plan[wife].spouse = wife, son
            children(wife, Relation.GRANDCHILD, keep_adults=False)
            if rng.random() < 0.2 and len(plan) < MAX_SIZE:  # an unmarried younger child
                age = max(18.0, son_age - rng.uniform(2, 8))
                sex = Sex.MALE if rng.random() < 0.5 else Sex.FEMALE
                add(sex, age, Relation.CHILD, MaritalStatus.NEVER_MARRIED, family)
        else:  # relatives: brothers, sisters, cousins sharing a house
            first = add(
                "M" if rng.random() < 0.5 else "F",
                between(rng, 18, 36, peak=21),
                Relation.HEAD,
                MaritalStatus.NEVER_MARRIED,
                None,
            )
            for _n in range(rng.choice([1, 1, 2])):
                sibling = rng.random() < 0.6
                add(
                    "M" if rng.random() < 0.5 else "F",
                    max(17.0, plan[first].age + rng.gauss(0, 4)),
                    Relation.SIBLING if sibling else Relation.OTHER,
                    MaritalStatus.NEVER_MARRIED,
                    plan[first].family if sibling else None,
                )
        return plan

    def children_of(self, mother_age: float) -> tuple[float, list[tuple[float, str]]]:
        """For a woman of ``mother_age`` who married: how many years ago she married, and
        the (age, sex) of her live children, oldest first."""
        rng = self.rng
        if mother_age < 18:
            return 0.0, []
        for _try in range(20):
            married_at = max(18.0, rng.gauss(24.0 if mother_age < 55 else 22.0, 3.2))
            if married_at <= mother_age:
                break
        else:
            married_at = rng.uniform(18.0, mother_age)
        wanted = self.parities.pick(rng) if mother_age < 55 else OLD_PARITY.pick(rng)
        at = married_at + 0.8 + rng.expovariate(2.0)
        result: list[tuple[float, str]] = []
        sons = 0
        for order in range(1, wanted + 1):
            if at >= mother_age or at > 44:
                break
            sex = child_sex(rng, order, sons)
            sons += sex == Sex.MALE
            result.append((mother_age - at, sex))
            at += max(1.5, rng.gauss(4.0, 1.8))
        return mother_age - married_at, result


_WEIGHTS: dict[str, tuple[list[float], float]] = {}


def age_group(age: float) -> int:
    return min(len(PYRAMID) - 1, int(age) // 5)


def age_weights(profile: Profile) -> tuple[list[float], float]:
    """A weight per age group such that households kept with a chance proportional to
    the product of their members' weights have ages distributed as ``PYRAMID``: fitted
    once per profile by generalised iterative scaling on a pool of drawn households.
    Also the product that is kept for sure (the 98th percentile of the pool: the few
    households above it are slightly under-drawn, and far fewer draws are wasted)."""
    if profile.setting in _WEIGHTS:
        return _WEIGHTS[profile.setting]
    families = Families(random.Random(profile.setting), profile)  # noqa: S311 - not secret
    pool = Counter(
        tuple(sorted(Counter(age_group(m.age) for m in families.household()).items()))
        for _n in range(6000)
    )
    target = [share / sum(PYRAMID) for share in PYRAMID]
    logs = [0.0] * len(PYRAMID)
    for _round in range(150):
        totals = [0.0] * len(PYRAMID)
        for groups, count in pool.items():
            chance = count * math.exp(sum(logs[g] * n for g, n in groups))
            for g, n in groups:
                totals[g] += chance * n
        everyone = sum(totals)
        logs = [
            x + math.log(t * everyone / got) / MAX_SIZE if got else x
            for x, t, got in zip(logs, target, totals, strict=True)
        ]
    weights = [math.exp(x) for x in logs]
    products = sorted(
        math.prod(weights[g] ** n for g, n in groups)
        for groups, count in pool.items()
        for _n in range(count)
    )
    ceiling = products[int(len(products) * 0.98)]
    _WEIGHTS[profile.setting] = weights, ceiling
    return weights, ceiling
