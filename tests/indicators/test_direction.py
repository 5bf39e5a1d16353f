"""A change target goes the way its words and its indicator say, never by the sign of its
number alone (issue 14, point 1): "giảm tỷ lệ sinh con thứ 3 trở lên 0,00 %" — the 2025
target of Hà Nội's inner districts — means the share must not rise."""

from __future__ import annotations

import pytest

from danso.indicators.achievement import Actual, Status, change_falls, judge

BASELINE = 6.0
ROSE = Actual(6.4, 6.3, 6.5)  # whole interval above the baseline
FELL = Actual(5.6, 5.5, 5.7)  # whole interval below it


def test_a_zero_reduction_of_third_births_is_not_read_as_a_rise() -> None:
    # the reproduction: the sign of 0 said "rise", so a district whose share rose was Đạt
    rose = judge("change", 0.0, ROSE, baseline=BASELINE, direction="lower", wording="")
    fell = judge("change", 0.0, FELL, baseline=BASELINE, direction="lower", wording="")
    assert rose.status is Status.OFF_TRACK
    assert fell.status is Status.ACHIEVED


@pytest.mark.parametrize(
    ("change", "direction", "wording", "falls"),
    [
        # the words say it, whatever the number and the indicator
        (0.0, "lower", "Giảm tỷ lệ sinh con thứ 3 trở lên 0,00 %", True),
        (0.0, "higher", "giảm 0 điểm", True),
        (0.15, "lower", "giảm 0,15 % so với năm 2024", True),  # a reduction typed unsigned
        (0.0, "lower", "tăng tỷ lệ sàng lọc 0 %", False),
        (-0.5, "higher", "Tăng 0,5 điểm", False),
        (0.0, "target", "không quá mức năm 2024", True),
        (0.0, "target", "tối thiểu bằng năm 2024", False),
        # without words: the sign of a change that is not zero
        (-0.15, "higher", "", True),
        (0.15, "lower", "", False),
        # a change of zero without words: the indicator's direction
        (0.0, "lower", "", True),
        (0.0, "higher", "", False),
        # nothing says it
        (0.0, "target", "", None),
        (0.0, None, "", None),
        # words that say both are no words
        (0.0, "lower", "tăng khám sàng lọc, giảm sinh con thứ 3", True),
        (0.0, "higher", "tăng khám sàng lọc, giảm sinh con thứ 3", False),
    ],
)
def test_which_way_a_change_goes(
    change: float, direction: str | None, wording: str, falls: bool | None
) -> None:
    assert change_falls(change, direction=direction, wording=wording) is falls


@pytest.mark.parametrize(
    ("direction", "actual", "status"),
    [
        ("lower", ROSE, Status.OFF_TRACK),
        ("lower", FELL, Status.ACHIEVED),
        ("higher", ROSE, Status.ACHIEVED),
        ("higher", FELL, Status.OFF_TRACK),
        ("target", ROSE, Status.CANNOT_JUDGE),
    ],
)
def test_a_zero_change_is_judged_by_the_indicators_direction(
    direction: str, actual: Actual, status: Status
) -> None:
    assert judge("change", 0.0, actual, baseline=BASELINE, direction=direction).status is status


@pytest.mark.parametrize(
    ("kind", "target", "direction", "wording", "actual", "status"),
    [
        # every kind, each direction: only a change target reads direction and words
        ("count_min", 1200.0, "higher", "", Actual(1300), Status.ACHIEVED),
        ("level_min", 90.0, "higher", "", Actual(91, 89, 93), Status.ACHIEVED),
        ("ceiling", 109.0, "lower", "", Actual(118, 111, 125), Status.OFF_TRACK),
        ("near", 2.1, "target", "", Actual(2.05, 1.9, 2.2), Status.ACHIEVED),
        ("change", -0.15, "lower", "giảm 0,15", Actual(5.8, 5.7, 5.84), Status.ACHIEVED),
        ("change", -0.15, "lower", "giảm 0,15", Actual(6.2, 6.1, 6.3), Status.OFF_TRACK),
        ("change", 0.5, "higher", "tăng 0,5", Actual(6.6, 6.55, 6.7), Status.ACHIEVED),
        ("change", 0.5, "higher", "tăng 0,5", Actual(6.1, 6.0, 6.2), Status.OFF_TRACK),
    ],
)
def test_every_kind(
    kind: str, target: float, direction: str, wording: str, actual: Actual, status: Status
) -> None:
    found = judge(
        kind, target, actual, baseline=BASELINE, tolerance=0.1, direction=direction, wording=wording
    )
    assert found.status is status
