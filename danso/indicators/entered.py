"""Figures entered for units that keep no register in danso (paper communes, DOMAIN §5).

A commune without a register reports, for a period, the same counts the engine tallies
from a register — births, boys and girls, deaths, women 15–49 by age group, screenings,
new acceptors by method and supply, users of a modern method — so its counts add up the
tree with the register's and every indicator is computed the same way for both.

The rule when a unit has both (documented in docs/indicators.md): **the register wins**.
Entered counts are used for a commune only when no village or household of that commune
is in the register; when both exist and they disagree on births, deaths or population by
more than ``TOLERANCE`` (and more than ``SLACK`` persons), the figures carry a warning.

This module is pure: the fields, their checks and the comparison.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from danso.bounds import count_problem
from danso.indicators import tallies as keys
from danso.indicators.catalogue import ASFR_GROUPS, METHOD_NAMES_VI, METHODS

#: Where a new acceptor's method came from (the register's supply values).
NEWFP_SUPPLIES = ("free", "social_marketing", "commercial")
SUPPLY_LABELS = {
    "free": ("miễn phí", "free"),
    "social_marketing": ("tiếp thị xã hội", "social marketing"),
    "commercial": ("thương mại", "commercial"),
}


@dataclass(frozen=True)
class Field:
    key: str  # the engine's tally key
    label_vi: str
    label_en: str
    group: str


def _fields() -> tuple[Field, ...]:
    rows = [
        Field(
            keys.POPULATION,
            "Dân số tại ngày tham chiếu",
            "Population on the reference date",
            "stock",
        ),
        Field(keys.WOMEN_15_49, "Phụ nữ 15–49 tuổi", "Women aged 15–49", "stock"),
        *(
            Field(keys.women_aged(g), f"Phụ nữ {g} tuổi", f"Women aged {g}", "stock")
            for g in ASFR_GROUPS
        ),
        Field(keys.ELDERLY, "Người từ 60 tuổi trở lên", "People aged 60 and over", "stock"),
        Field(keys.BIRTHS, "Số trẻ sinh ra", "Births", "births"),
        Field(keys.BIRTHS_BOYS, "— trong đó: trai", "— of which boys", "births"),
        Field(keys.BIRTHS_GIRLS, "— trong đó: gái", "— of which girls", "births"),
        *(
            Field(
                keys.births_to_mothers_aged(g),
                f"Sinh của mẹ {g} tuổi",
                f"Births to mothers aged {g}",
                "births",
            )
            for g in ASFR_GROUPS
        ),
        Field(keys.BIRTHS_ORDER_KNOWN, "Sinh biết thứ tự", "Births of known order", "births"),
        Field(
            keys.BIRTHS_ORDER3P, "Sinh con thứ 3 trở lên", "Births of order 3 or higher", "births"
        ),
        Field(keys.DEATHS, "Số người chết", "Deaths", "deaths"),
        Field(keys.PRENATAL_MOTHERS, "Bà mẹ sinh con", "Women who gave birth", "screening"),
        Field(
            keys.PRENATAL_SCREENED,
            "— được sàng lọc trước sinh",
            "— with a prenatal screening",
            "screening",
        ),
        Field(
            keys.NEWBORN_SCREENED,
            "Trẻ được sàng lọc sơ sinh",
            "Births screened as newborns",
            "screening",
        ),
        Field(keys.PREMARITAL_COUPLES, "Cặp kết hôn", "Couples married", "screening"),
        Field(
            keys.PREMARITAL_CHECKED,
            "— được khám sức khỏe trước kết hôn",
            "— with a premarital check",
            "screening",
        ),
        Field(
            keys.ELDERLY_CHECKED,
            "Người từ 60 tuổi được khám sức khỏe",
            "People 60+ with a check-up",
            "screening",
        ),
        Field(
            keys.NEW_ACCEPTORS,
            "Người mới sử dụng BPTT hiện đại",
            "New acceptors of modern methods",
            "fp",
        ),
        *(
            Field(keys.new_acceptors_by(m), f"— {METHOD_NAMES_VI[m]}", f"— {m}", "fp")
            for m in METHODS
        ),
        *(
            Field(
                keys.new_acceptors_by(s),
                f"— {SUPPLY_LABELS[s][0]}",
                f"— {SUPPLY_LABELS[s][1]}",
                "fp",
            )
            for s in NEWFP_SUPPLIES
        ),
        Field(keys.CPR_WOMEN, "Phụ nữ 15–49 có chồng", "Married women aged 15–49", "fp"),
        Field(keys.CPR_USERS, "— đang dùng BPTT hiện đại", "— using a modern method", "fp"),
    ]
    return tuple(rows)


FIELDS = _fields()
KEYS = frozenset(f.key for f in FIELDS)

#: Parts that may not exceed their whole: (part, whole).
_PARTS = [
    (keys.WOMEN_15_49, keys.POPULATION),
    (keys.ELDERLY, keys.POPULATION),
    (keys.BIRTHS_BOYS, keys.BIRTHS),
    (keys.BIRTHS_GIRLS, keys.BIRTHS),
    (keys.BIRTHS_ORDER_KNOWN, keys.BIRTHS),
    (keys.BIRTHS_ORDER3P, keys.BIRTHS_ORDER_KNOWN),
    (keys.PRENATAL_MOTHERS, keys.BIRTHS),
    (keys.PRENATAL_SCREENED, keys.PRENATAL_MOTHERS),
    (keys.NEWBORN_SCREENED, keys.BIRTHS),
    (keys.PREMARITAL_CHECKED, keys.PREMARITAL_COUPLES),
    (keys.ELDERLY_CHECKED, keys.ELDERLY),
    (keys.CPR_WOMEN, keys.WOMEN_15_49),
    (keys.CPR_USERS, keys.CPR_WOMEN),
]
#: Breakdowns that, when given, must add up to their total: (parts, whole).
_SUMS = [
    ([keys.women_aged(g) for g in ASFR_GROUPS], keys.WOMEN_15_49),
    ([keys.BIRTHS_BOYS, keys.BIRTHS_GIRLS], keys.BIRTHS),
    ([keys.new_acceptors_by(m) for m in METHODS], keys.NEW_ACCEPTORS),
    ([keys.new_acceptors_by(s) for s in NEWFP_SUPPLIES], keys.NEW_ACCEPTORS),
]
TOLERANCE = 0.05
SLACK = 2
COMPARED = (keys.BIRTHS, keys.DEATHS, keys.POPULATION)


def problems(counts: Mapping[str, int]) -> dict[str, list[tuple[str, dict[str, object]]]]:
    """What is wrong with ``counts``, by field: messages (English msgids, translated by
    the caller) with their parameters."""
    found: dict[str, list[tuple[str, dict[str, object]]]] = {}

    def add(key: str, message: str, **params: object) -> None:
        found.setdefault(key, []).append((message, params))

    for key, value in counts.items():
        if key not in KEYS:
            add(key, "Unknown count %(name)s.", name=key)
            continue
        if value is None:  # left empty: not reported
            continue
        problem = count_problem(value)
        if problem is not None:
            add(key, problem[0], **problem[1])
    valid = {k: v for k, v in counts.items() if k in KEYS and k not in found and v is not None}
    for part, whole in _PARTS:
        if part in valid and whole in valid and valid[part] > valid[whole]:
            add(part, "%(part)s is more than %(whole)s.", part=part, whole=whole)
    for parts, whole in _SUMS:
        given = [valid[p] for p in parts if p in valid]
        if given and whole in valid and len(given) == len(parts) and sum(given) != valid[whole]:
            add(
                whole,
                "The parts add up to %(sum)s, not %(whole)s.",
                sum=sum(given),
                whole=valid[whole],
            )
    return found


def with_derived(counts: Mapping[str, int]) -> dict[str, int]:
    """The counts with what the engine also needs and a report implies: births to
    mothers 15–49 (the sum of the age groups) and mothers who gave birth (births, when
    not given)."""
    full = {k: v for k, v in counts.items() if v}
    groups = [counts.get(keys.births_to_mothers_aged(g), 0) for g in ASFR_GROUPS]
    if any(groups):
        full[keys.BIRTHS_MOTHERS_15_49] = sum(groups)
    if keys.PRENATAL_MOTHERS not in counts and counts.get(keys.BIRTHS):
        full[keys.PRENATAL_MOTHERS] = counts[keys.BIRTHS]
    return full


def disagrees(entered: Mapping[str, int], register: Mapping[str, int]) -> list[str]:
    """The compared counts on which entered figures and the register differ by more than
    ``TOLERANCE`` of the register's count and more than ``SLACK``."""
    return [
        key
        for key in COMPARED
        if key in entered
        and abs(entered[key] - register.get(key, 0)) > max(SLACK, TOLERANCE * register.get(key, 0))
    ]
