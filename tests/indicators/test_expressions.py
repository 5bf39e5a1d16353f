"""Indicators as expressions (issue 18): what an expression may say, what it gives, and
the catalogue written as expressions giving what the engine computes."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from danso.indicators.expressions import (
    ANNUALISED,
    CATALOGUE_EXPRESSIONS,
    COUNTS,
    ExpressionError,
    Fault,
    parse,
)
from danso.indicators.periods import Period
from danso.indicators.values import indicators_from


def test_counts_elements_and_numbers() -> None:
    expression = parse("(#{PREG_COUNSELLED} + #{ PREG_VISITED }) / pregnancies * 100")
    assert expression.counts == {"pregnancies"}
    assert expression.elements == {"PREG_COUNSELLED", "PREG_VISITED"}
    value = expression.evaluate({"pregnancies": 8}, {"PREG_COUNSELLED": 3, "PREG_VISITED": 1})
    assert value == 50
    assert parse("births * 0,5").evaluate({"births": 4}, {}) == 2  # a decimal comma


def test_nothing_entered_or_a_zero_denominator_is_no_value_not_zero() -> None:
    expression = parse("#{PREG_COUNSELLED} / pregnancies")
    assert expression.evaluate({"pregnancies": 8}, {"PREG_COUNSELLED": None}) is None
    assert expression.evaluate({"pregnancies": 8}, {}) is None
    assert expression.evaluate({}, {"PREG_COUNSELLED": 2}) is None
    assert parse("-births").evaluate({"births": 3}, {}) == -3


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("", Fault.EMPTY),
        ("births +", Fault.SYNTAX),
        ("pregnancy", Fault.UNKNOWN_COUNT),
        ("#{lower}", Fault.BAD_ELEMENT),
        ("#{NOPE}", Fault.UNKNOWN_ELEMENT),
        ("__import__('os')", Fault.NOT_ALLOWED),
        ("births ** 2", Fault.NOT_ALLOWED),
        ("births if deaths else 1", Fault.NOT_ALLOWED),
        ("'births'", Fault.NOT_ALLOWED),
        ("True", Fault.NOT_ALLOWED),
        ("births.real", Fault.NOT_ALLOWED),
        ("#births", Fault.SYNTAX),
        ("x" * 501, Fault.TOO_LONG),
    ],
)
def test_what_an_expression_may_not_say(text: str, fault: Fault) -> None:
    with pytest.raises(ExpressionError) as raised:
        parse(text, known_elements={"KNOWN"})
    assert raised.value.fault is fault


NAMES = sorted({key for n, d, _ in CATALOGUE_EXPRESSIONS.values() for key in (n, d) if key})


@given(
    counts=st.fixed_dictionaries({name: st.integers(0, 5000) for name in NAMES}),
    period=st.sampled_from(["2024", "2024Q2", "2024-03", "2024-YTD-06"]),
)
def test_the_catalogue_as_expressions_gives_what_the_engine_computes(
    counts: dict[str, int], period: str
) -> None:
    for code, (part, whole, factor) in CATALOGUE_EXPRESSIONS.items():
        if factor == 100 and code != "SRB":  # a share: its part within its whole
            counts[part] = min(counts[part], counts[whole])
    tally = Counter({COUNTS[name]: n for name, n in counts.items()})
    parsed = Period.parse(period)
    engine = {v.indicator: v.value for v in indicators_from(tally, parsed)}
    for code, (numerator, denominator, factor) in CATALOGUE_EXPRESSIONS.items():
        top = parse(numerator).evaluate(tally, {})
        bottom = parse(denominator).evaluate(tally, {}) if denominator else 1.0
        assert top is not None
        assert bottom is not None
        expected = engine[code]
        if not bottom:
            assert expected is None, code
            continue
        value = top / bottom * factor * (parsed.annualisation if code in ANNUALISED else 1)
        assert expected == pytest.approx(value), code
