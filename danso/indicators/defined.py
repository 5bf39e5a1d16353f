"""Indicators an officer defines without code: a numerator and a denominator written as
expressions (``expressions``) over the register's counts and the data elements a
province tracks, and a factor.  The engine adds their values to every unit's figures
(``add_values``), so that they are shown, targeted, monitored, ranked, mapped and
reported like the catalogue's.

The data elements belong to ``danso.datasets``, an app above this one: it provides the
function that adds up an element's values under units for a period (``provide``, called
from ``datasets.apps``).  Without it, a definition that reads a data element has no value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from danso.indicators.expressions import Expression, ExpressionError, parse
from danso.indicators.models import Indicator
from danso.indicators.periods import Period
from danso.indicators.uncertainty import (
    INTERVAL_METHODS,
    SMALL_NUMBERS,
    Interval,
    IntervalKind,
    wilson,
)
from danso.indicators.values import UnitFigures, Value
from danso.units.models import UnitVersion
from danso.units.reading import remembered

#: ``totals(codes, versions, period, on)``: for each version's unit (by unit id), the
#: total of each data element of ``codes`` entered under it (in the tree of ``on``) for
#: the months of ``period``; None for an element with no value entered there.
ElementTotals = Callable[
    [frozenset[str], Sequence[UnitVersion], Period, date], dict[int, dict[str, float | None]]
]

#: ``known()``: the codes of the data elements an expression may read (numbers).
KnownElements = Callable[[], frozenset[str]]

_provided: list[ElementTotals] = []
_known: list[KnownElements] = []


def provide(totals: ElementTotals, known: KnownElements) -> None:
    """Called once by ``datasets.apps`` when the site starts."""
    _provided[:] = [totals]
    _known[:] = [known]


def known_elements() -> frozenset[str]:
    """The data elements an expression may read (none without ``danso.datasets``)."""
    return _known[0]() if _known else frozenset()


@dataclass(frozen=True)
class Definition:
    """A defined indicator, its expressions checked."""

    code: str
    numerator: Expression
    denominator: Expression | None
    factor: float

    @property
    def elements(self) -> frozenset[str]:
        read = self.numerator.elements
        return read | self.denominator.elements if self.denominator else read

    @property
    def counts(self) -> frozenset[str]:
        read = self.numerator.counts
        return read | self.denominator.counts if self.denominator else read

    @property
    def source(self) -> str:
        """Where its values come from, as ``values.source_of`` says it."""
        if not self.elements:
            return "register"
        return "register+entered" if self.counts else "entered"


def definition_of(indicator: Indicator) -> Definition:
    """``indicator``'s definition (raises ``ExpressionError`` if a stored expression no
    longer parses: ``definitions`` leaves such an indicator out)."""
    factor = indicator.factor if indicator.factor is not None else Decimal(1)
    denominator = indicator.denominator_expression.strip()
    return Definition(
        indicator.code,
        parse(indicator.numerator_expression),
        parse(denominator) if denominator else None,
        float(factor),
    )


def definitions() -> list[Definition]:
    """Every defined indicator (read once while a page is read)."""

    def read() -> list[Definition]:
        found = []
        for indicator in Indicator.objects.exclude(numerator_expression="").order_by("code"):
            try:
                found.append(definition_of(indicator))
            except ExpressionError:
                continue  # refused when saved; a stored one that no longer parses counts nothing
        return found

    return remembered("defined_indicators", (), read)


def add_values(figures: Sequence[UnitFigures], period: Period, on: date) -> None:
    """Add each defined indicator's value to each of ``figures`` (replacing a catalogue
    value of the same code)."""
    defined = definitions()
    if not defined or not figures:
        return
    codes = frozenset(code for definition in defined for code in definition.elements)
    totals: dict[int, dict[str, float | None]] = {}
    if codes and _provided:
        totals = _provided[0](codes, [f.version for f in figures], period, on)
    replaced = {definition.code for definition in defined}
    for unit_figures in figures:
        elements = totals.get(unit_figures.version.unit_id, {})
        values = [v for v in unit_figures.values if v.indicator not in replaced]
        values += [value_of(d, unit_figures, elements) for d in defined]
        unit_figures.values = values


def value_of(
    definition: Definition, figures: UnitFigures, elements: dict[str, float | None]
) -> Value:
    """``definition``'s value for one unit's figures and its elements' totals."""
    tally = figures.tally
    numerator = definition.numerator.evaluate(tally, elements)
    denominator = (
        definition.denominator.evaluate(tally, elements) if definition.denominator else None
    )
    source = definition.source
    if numerator is None or (definition.denominator is not None and denominator is None):
        return Value(definition.code, None, numerator, denominator, source=source)
    if definition.denominator is None:
        return Value(definition.code, numerator * definition.factor, numerator, None, source=source)
    assert denominator is not None
    if denominator == 0:
        return Value(
            definition.code, None, numerator, denominator, source=source, small_numbers=True
        )
    value = numerator / denominator * definition.factor
    if _counts(numerator, denominator):
        bounds = wilson(int(numerator), int(denominator))
        if bounds.low is not None and bounds.high is not None:
            return Value(
                definition.code,
                value,
                numerator,
                denominator,
                Interval(bounds.low * definition.factor, bounds.high * definition.factor),
                INTERVAL_METHODS[IntervalKind.WILSON],
                denominator < SMALL_NUMBERS[IntervalKind.WILSON],
                source=source,
            )
    return Value(definition.code, value, numerator, denominator, source=source)


def _counts(numerator: float, denominator: float) -> bool:
    """A share of whole counts (part of a whole), for which a Wilson interval holds."""
    return (
        denominator > 0
        and 0 <= numerator <= denominator
        and math.isclose(numerator, round(numerator))
        and math.isclose(denominator, round(denominator))
    )
