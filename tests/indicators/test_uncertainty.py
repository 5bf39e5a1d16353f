"""The intervals against published values."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import chi2, norm

from danso.indicators.uncertainty import _z, poisson, srb, tfr, wilson


def test_wilson_interval_of_five_in_ten() -> None:
    # Newcombe (1998), Statistics in Medicine 17:857, method 3 for 5/10: 0.2366–0.7634
    bounds = wilson(5, 10)
    assert (round(bounds.low or 0, 4), round(bounds.high or 0, 4)) == (0.2366, 0.7634)
    assert wilson(0, 0).low is None


def test_exact_poisson_intervals() -> None:
    # the usual table of exact Poisson limits (e.g. Ulm 1990): 0 → 0–3.689, 10 → 4.795–18.390
    zero, ten = poisson(0), poisson(10)
    assert (zero.low, round(zero.high or 0, 3)) == (0.0, 3.689)
    assert (round(ten.low or 0, 3), round(ten.high or 0, 3)) == (4.795, 18.390)


def test_srb_interval_is_the_share_of_boys_mapped_to_a_ratio() -> None:
    share = wilson(555, 1055)
    bounds = srb(555, 500)
    assert bounds.low == pytest.approx(100 * share.low / (1 - share.low))  # type: ignore[operator]
    assert bounds.low < 111 < bounds.high  # type: ignore[operator]
    assert srb(3, 0).high == math.inf


def test_tfr_interval_is_centred_on_the_tfr() -> None:
    bounds = tfr([10, 40, 30], [1000, 1000, 1000], 1.0)
    assert (bounds.low or 0) < 5 * 0.08 < (bounds.high or 0)
    assert (bounds.low or 0) + (bounds.high or 0) == pytest.approx(2 * 0.4)


@given(st.integers(0, 100_000), st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_the_quantiles_are_scipy_stats_own(count: int, level: float) -> None:
    """The special functions give what ``scipy.stats`` gives (it calls them), without its
    cost of 80 µs a call."""
    alpha = 1 - level
    found = poisson(count, level)
    low = 0.0 if count == 0 else float(chi2.ppf(alpha / 2, 2 * count)) / 2
    assert found.low == pytest.approx(low, rel=1e-12, abs=1e-12)
    assert found.high == pytest.approx(float(chi2.ppf(1 - alpha / 2, 2 * count + 2)) / 2, rel=1e-12)
    assert _z(level) == pytest.approx(float(norm.ppf(0.5 + level / 2)), rel=1e-12)
