"""From tallies to indicator values: each indicator of DOMAIN §4.1 as a ratio of summed
tallies, with its 95 % interval and the small-numbers flag (``uncertainty``), and where
its counts came from (``source_of``); ``UnitFigures`` is a unit's tally and values, with
those of the child units asked for.

Part of the indicator engine (``engine``); it computes from the tallies it is given and
counts nothing itself.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from danso.indicators import tallies as keys
from danso.indicators.catalogue import ASFR_GROUPS, METHODS
from danso.indicators.coverage import Coverage
from danso.indicators.entered import NEWFP_SUPPLIES
from danso.indicators.periods import Period
from danso.indicators.tallying import Tally
from danso.indicators.uncertainty import (
    INTERVAL_METHODS,
    SMALL_NUMBERS,
    Interval,
    IntervalKind,
    poisson,
    srb,
    tfr,
    wilson,
)
from danso.units.models import UnitVersion

#: Breakdown codes of NEWFP by method, in the order of the plans' tables, and by supply.
NEWFP_METHODS = METHODS


@dataclass(frozen=True)
class Value:
    """One indicator's value with what it rests on."""

    indicator: str
    value: float | None
    numerator: float | None
    denominator: float | None
    interval: Interval = field(default_factory=lambda: Interval(None, None))
    interval_method: str = ""
    small_numbers: bool = False
    source: str = "register"
    estimated: bool = False  # part of it apportioned from a commune split by a reform

    def as_dict(self) -> dict[str, Any]:
        def clean(x: float | None) -> float | None:
            return None if x is None or math.isnan(x) else x

        return {
            "indicator": self.indicator,
            "value": clean(self.value),
            "numerator": self.numerator,
            "denominator": self.denominator,
            "ci_low": clean(self.interval.low),
            "ci_high": None if self.interval.high in (None, math.inf) else self.interval.high,
            "interval_method": self.interval_method,
            "source": self.source,
            "small_numbers": self.small_numbers,
            "estimated": self.estimated,
        }


def _rate(
    code: str, count: int, base: int, scale: float, kind: IntervalKind = IntervalKind.POISSON
) -> Value:
    """A rate ``count / base × scale`` (scale includes the annualisation)."""
    if base <= 0:
        return Value(code, None, count, base, small_numbers=True)
    bounds = poisson(count)
    assert bounds.low is not None
    assert bounds.high is not None
    return Value(
        code,
        count / base * scale,
        count,
        base,
        Interval(bounds.low / base * scale, bounds.high / base * scale),
        INTERVAL_METHODS[kind],
        count < SMALL_NUMBERS[kind],
    )


def _share(code: str, part: int, whole: int) -> Value:
    if whole <= 0:
        return Value(code, None, part, whole, small_numbers=True)
    bounds = wilson(part, whole)
    assert bounds.low is not None
    assert bounds.high is not None
    return Value(
        code,
        part / whole * 100,
        part,
        whole,
        Interval(bounds.low * 100, bounds.high * 100),
        INTERVAL_METHODS[IntervalKind.WILSON],
        whole < SMALL_NUMBERS[IntervalKind.WILSON],
    )


def _count(code: str, count: int) -> Value:
    bounds = poisson(count)
    return Value(
        code,
        count,
        count,
        None,
        bounds,
        INTERVAL_METHODS[IntervalKind.POISSON],
        count < SMALL_NUMBERS[IntervalKind.POISSON],
    )


def indicators_from(tally: Mapping[str, int], period: Period) -> list[Value]:
    """Every indicator the register gives, from the summed tallies of a unit."""
    t = Counter(tally)
    f = period.annualisation
    births, boys, girls = t[keys.BIRTHS], t[keys.BIRTHS_BOYS], t[keys.BIRTHS_GIRLS]
    values = [
        _rate("CBR", births, t[keys.POPULATION], 1000 * f),
        _rate("CDR", t[keys.DEATHS], t[keys.POPULATION], 1000 * f),
        _rate("GFR", births, t[keys.WOMEN_15_49], 1000 * f),
    ]
    asfr = [
        _rate(f"ASFR.{g}", t[keys.births_to_mothers_aged(g)], t[keys.women_aged(g)], f)
        for g in ASFR_GROUPS
    ]
    groups_b = [t[keys.births_to_mothers_aged(g)] for g in ASFR_GROUPS]
    groups_w = [t[keys.women_aged(g)] for g in ASFR_GROUPS]
    if any(groups_w):
        total = sum(5 * v.value for v in asfr if v.value is not None)
        values.append(
            Value(
                "TFR",
                total,
                t[keys.BIRTHS_MOTHERS_15_49],
                t[keys.WOMEN_15_49],
                tfr(groups_b, groups_w, f),
                INTERVAL_METHODS[IntervalKind.TFR],
                t[keys.BIRTHS_MOTHERS_15_49] < SMALL_NUMBERS[IntervalKind.TFR],
            )
        )
    else:
        values.append(
            Value(
                "TFR", None, t[keys.BIRTHS_MOTHERS_15_49], t[keys.WOMEN_15_49], small_numbers=True
            )
        )
    values += asfr
    values.append(_share("BIRTH3P", t[keys.BIRTHS_ORDER3P], t[keys.BIRTHS_ORDER_KNOWN]))
    values.append(
        Value(
            "SRB",
            boys / girls * 100 if girls else None,
            boys,
            girls,
            srb(boys, girls),
            INTERVAL_METHODS[IntervalKind.SRB],
            boys + girls < SMALL_NUMBERS[IntervalKind.SRB],
        )
    )
    values += [
        _share("PRENATAL", t[keys.PRENATAL_SCREENED], t[keys.PRENATAL_MOTHERS]),
        _share("NEWBORN", t[keys.NEWBORN_SCREENED], births),
        _share("PREMARITAL", t[keys.PREMARITAL_CHECKED], t[keys.PREMARITAL_COUPLES]),
        _share("ELDERLY", t[keys.ELDERLY_CHECKED], t[keys.ELDERLY]),
        _count("NEWFP", t[keys.NEW_ACCEPTORS]),
        *(_count(f"NEWFP.{m}", t[keys.new_acceptors_by(m)]) for m in NEWFP_METHODS),
        *(_count(f"NEWFP.{s}", t[keys.new_acceptors_by(s)]) for s in NEWFP_SUPPLIES),
        _share("CPR", t[keys.CPR_USERS], t[keys.CPR_WOMEN]),
    ]
    source = source_of(t)
    estimated = bool(t[keys.ESTIMATED])
    if source != "register" or estimated:
        values = [replace(v, source=source, estimated=estimated) for v in values]
    return values


def source_of(tally: Mapping[str, int]) -> str:
    """Where a unit's counts came from: ``register``, ``entered`` (figures reported for
    units without a register) or ``register+entered`` (some of each)."""
    entered = tally.get(keys.FROM_ENTERED, 0)
    if not entered:
        return "register"
    return "register+entered" if tally.get(keys.FROM_REGISTER, 0) else "entered"


# ----------------------------------------------------------------------------- units


@dataclass
class UnitFigures:
    version: UnitVersion
    period: Period
    tally: Tally
    values: list[Value]
    children: list[UnitFigures] = field(default_factory=list)
    #: what the figures rest on, when asked for (``engine.compute``'s ``coverage``)
    coverage: Coverage | None = None

    @property
    def has_data(self) -> bool:
        """Whether any of the unit's figures rest on data (a register or entered figures):
        a unit without shows "không có số liệu", never 0."""
        return self.coverage is None or self.coverage.has_data

    def value(self, code: str) -> Value:
        return next(v for v in self.values if v.indicator == code)

    def shows(self, value: Value | None) -> bool:
        """Whether ``value`` is a figure for this unit: it rests on the unit's data (a
        register or entered figures), or on data elements entered for it alone (a defined
        indicator, ``defined``), which need no register."""
        return self.has_data or (value is not None and value.source == "entered")

    @property
    def source(self) -> str:
        return source_of(self.tally)

    @property
    def disagreements(self) -> int:
        """How many communes have both a register and entered figures that differ from
        it (the register's are used)."""
        return self.tally.get(keys.ENTERED_DIFFERS, 0)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "unit": {
                "code": self.version.display_code,
                "name": self.version.name,
                "level": self.version.unit.level,
            },
            "period": str(self.period),
            "reference_date": self.period.reference.isoformat(),
            "source": self.source,
            "values": [v.as_dict() for v in self.values],
        }
        if self.coverage is not None:
            data["coverage"] = self.coverage.as_dict()
            if not self.coverage.has_data:  # no data is no figure, never 0
                data["values"] = [
                    v if v["source"] == "entered" else {**v, "value": None} for v in data["values"]
                ]
        if self.disagreements:
            data["warnings"] = [
                f"{self.disagreements} đơn vị có số liệu nhập tay khác sổ hộ; dùng số liệu sổ hộ"
            ]
        return data
