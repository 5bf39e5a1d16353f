"""Fertility measures, the sex ratio at birth interval, and scenario paths."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binomtest

from danso.demography import (
    asfr,
    female_birth_share,
    gfr,
    grr,
    linear_path,
    nrr,
    scale_asfr_to_tfr,
    srb_interval,
    srb_path,
    tfr,
    tfr_path,
)

# Sweden 1993 ASFR for 15-19 … 45-49 (Preston et al. 2001, Box 6.1, via sweden93.dat).
SWEDEN_ASFR = [0.0120, 0.0908, 0.1499, 0.1125, 0.0441, 0.0074, 0.0003]


def test_tfr_is_five_times_the_sum_of_asfr() -> None:
    assert tfr(SWEDEN_ASFR) == pytest.approx(5 * 0.417)
    assert tfr(SWEDEN_ASFR, width=1) == pytest.approx(0.417)


def test_asfr() -> None:
    np.testing.assert_allclose(asfr([10, 0, 30], [1000, 0, 2000]), [0.01, 0, 0.015])
    with pytest.raises(ValueError, match="age group 1 has births but no women"):
        asfr([10, 5], [1000, 0])
    with pytest.raises(ValueError, match="same number of age groups"):
        asfr([10, 5], [1000])
    with pytest.raises(ValueError, match="women must not be negative"):
        asfr([10, 5], [1000, -1])


def test_gfr_per_thousand_women() -> None:
    assert gfr(1500, 30_000) == pytest.approx(50.0)
    assert gfr(1500, 30_000, per=1) == pytest.approx(0.05)
    assert gfr(0, 0) == 0.0
    with pytest.raises(ValueError, match="births with no women"):
        gfr(1, 0)
    with pytest.raises(ValueError, match="must not be negative"):
        gfr(-1, 10)


def test_grr_and_nrr() -> None:
    # With 105 boys per 100 girls the share of girls is 100/205 = 1/2.05.
    assert female_birth_share(105) == pytest.approx(1 / 2.05)
    assert grr(SWEDEN_ASFR, 105) == pytest.approx(5 * 0.417 / 2.05)
    # NRR with Sweden's 5Lx for 15-19 … 45-49 (l0 = 100,000): Σ f·L/l0 / 2.05.
    lx = [496531, 495902, 495168, 494213, 492760, 490447, 486613]
    expected = sum(f * L for f, L in zip(SWEDEN_ASFR, lx, strict=True)) / 100_000 / 2.05
    assert nrr(SWEDEN_ASFR, 105, lx) == pytest.approx(expected)
    assert nrr(SWEDEN_ASFR, 105, lx) < grr(SWEDEN_ASFR, 105)
    with pytest.raises(ValueError, match="exceeds width × radix"):
        nrr(SWEDEN_ASFR, 105, [6e5] * 7)
    with pytest.raises(ValueError, match="same number of age groups"):
        nrr(SWEDEN_ASFR, 105, lx[:3])


def test_srb_must_be_per_100_girls() -> None:
    with pytest.raises(ValueError, match="did you give boys per one girl"):
        female_birth_share(1.11)
    with pytest.raises(ValueError, match="between 50 and 200"):
        grr(SWEDEN_ASFR, 300)


def test_wilson_interval_by_hand() -> None:
    # 111 boys, 100 girls, 95 %: n = 211, p = 111/211 = 0.5260664, z = 1.959964,
    # z² = 3.841459; denominator 1 + z²/n = 1.0182060;
    # centre (p + z²/2n) / 1.0182060 = 0.5256003;
    # half-width z/1.0182060 · √(p(1−p)/n + z²/4n²) = 0.0667696;
    # p in [0.4588307, 0.5923699] → ratio 100·p/(1−p) in [84.78505, 145.32042].
    result = srb_interval(111, 100)
    assert result.ratio == pytest.approx(111.0)
    assert result.low == pytest.approx(84.78505, abs=1e-5)
    assert result.high == pytest.approx(145.32042, abs=1e-5)
    assert result.level == 0.95
    assert result.method == "wilson"
    ratio, low, high = result
    assert (ratio, low, high) == (result.ratio, result.low, result.high)


def test_exact_interval_matches_scipy_clopper_pearson() -> None:
    for boys, girls in [(111, 100), (5, 3), (1, 0), (0, 4), (5321, 4876)]:
        result = srb_interval(boys, girls, level=0.9, method="exact")
        ci = binomtest(boys, boys + girls).proportion_ci(confidence_level=0.9, method="exact")

        def ratio(p: float) -> float:
            return math.inf if p >= 1 else 100 * p / (1 - p)

        assert result.low == pytest.approx(ratio(ci.low), rel=1e-9)
        assert result.high == pytest.approx(ratio(ci.high), rel=1e-9)


def test_exact_interval_is_wider_than_wilson() -> None:
    wilson = srb_interval(111, 100)
    exact = srb_interval(111, 100, method="exact")
    assert exact.low < wilson.low < wilson.ratio < wilson.high < exact.high


def test_srb_interval_zero_cases() -> None:
    none = srb_interval(0, 0)
    assert math.isnan(none.ratio)
    assert math.isnan(none.low)
    assert math.isnan(none.high)
    for method in ("wilson", "exact"):
        boys_only = srb_interval(7, 0, method=method)
        assert boys_only.ratio == math.inf
        assert boys_only.high == math.inf
        assert 0 < boys_only.low < math.inf
        girls_only = srb_interval(0, 7, method=method)
        assert girls_only.ratio == 0
        assert girls_only.low == 0
        assert 0 < girls_only.high < math.inf


def test_srb_interval_validation() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        srb_interval(-1, 5)
    with pytest.raises(ValueError, match="level must be between 0 and 1"):
        srb_interval(5, 5, level=95)
    with pytest.raises(ValueError, match="method must be"):
        srb_interval(5, 5, method="wald")  # type: ignore[arg-type]


def test_scale_asfr_to_tfr() -> None:
    scaled = scale_asfr_to_tfr(SWEDEN_ASFR, 2.1)
    assert tfr(scaled) == pytest.approx(2.1)
    np.testing.assert_allclose(scaled / np.array(SWEDEN_ASFR), 2.1 / (5 * 0.417))
    per_step = scale_asfr_to_tfr(SWEDEN_ASFR, [1.8, 2.0, 2.1])
    assert per_step.shape == (3, 7)
    assert [tfr(row) for row in per_step] == pytest.approx([1.8, 2.0, 2.1])
    with pytest.raises(ValueError, match="TFR 0"):
        scale_asfr_to_tfr([0, 0], 2.1)
    with pytest.raises(ValueError, match="finite and not negative"):
        scale_asfr_to_tfr(SWEDEN_ASFR, -1)


def test_tfr_path_linear_then_constant() -> None:
    values = tfr_path(1.9, 2.1, 2025, 2030, [2020, 2025, 2027.5, 2030, 2040])
    np.testing.assert_allclose(values, [1.9, 1.9, 2.0, 2.1, 2.1])
    # Mid-points of 5-year steps: the mean of the linear path over each step.
    steps = tfr_path(1.9, 2.1, 2025, 2035, 2025 + 5 * np.arange(3) + 2.5)
    np.testing.assert_allclose(steps, [1.95, 2.05, 2.1])
    np.testing.assert_allclose(linear_path(1, 2, 2030, 2030, [2029, 2030]), [1, 2])
    with pytest.raises(ValueError, match="must not be before start_year"):
        tfr_path(1.9, 2.1, 2030, 2025, [2025])
    with pytest.raises(ValueError, match="must not be negative"):
        tfr_path(-1, 2.1, 2025, 2030, [2025])


def test_srb_path() -> None:
    np.testing.assert_allclose(
        srb_path(112, 109, 2025, 2030, [2025, 2026, 2031]), [112, 111.4, 109]
    )
    with pytest.raises(ValueError, match="boys per one girl"):
        srb_path(1.12, 109, 2025, 2030, [2025])
