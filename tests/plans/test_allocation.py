"""Allocation arithmetic, without a database."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from danso.plans.allocation import (
    AllocationError,
    CountCell,
    change_problems,
    count_problems,
    level_problems,
    split_proportionally,
)

D = Decimal


@given(
    total=st.integers(min_value=0, max_value=10**7),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=40).filter(
        lambda w: sum(w) > 0
    ),
)
def test_a_split_keeps_the_exact_total_and_stays_within_one_of_the_share(
    total: int, weights: list[int]
) -> None:
    parts = split_proportionally(total, dict(enumerate(weights)))
    assert sum(parts.values()) == total
    for key, weight in enumerate(weights):
        exact = total * weight / sum(weights)
        assert abs(parts[key] - exact) < 1
        assert parts[key] >= 0


def test_a_split_is_deterministic_and_favours_larger_weights_on_ties() -> None:
    assert split_proportionally(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    assert split_proportionally(1, {"small": 1, "big": 3}) == {"small": 0, "big": 1}


@pytest.mark.parametrize("weights", [{"a": 0, "b": 0}, {"a": -1, "b": 2}])
def test_a_split_needs_weights(weights: dict[str, int]) -> None:
    with pytest.raises(AllocationError):
        split_proportionally(5, weights)


def test_counts_that_add_up_have_no_problems() -> None:
    parent = CountCell(D(3000), {"iud": {"total": 3000, "free": 100, "social_marketing": 2900}})
    children = {
        "Ba Vì": CountCell(D(2980), {"iud": {"total": 2980, "free": 90, "social_marketing": 2890}}),
        "Phúc Thọ": CountCell(D(20), {"iud": {"total": 20, "free": 10, "social_marketing": 10}}),
    }
    assert count_problems(parent, children) == []


def test_every_broken_cell_is_found() -> None:
    parent = CountCell(D(3000), {"iud": {"total": 3000, "free": 100, "social_marketing": 2900}})
    children = {
        # the row's total is not free + social marketing
        "Ba Vì": CountCell(D(2980), {"iud": {"total": 2980, "free": 91, "social_marketing": 2890}}),
        "Phúc Thọ": CountCell(D(10), {"iud": {"total": 10, "free": 10, "social_marketing": 0}}),
    }
    codes = sorted((f.code, f.where) for f in count_problems(parent, children))
    assert ("supply_split", "Ba Vì") in codes
    assert ("count_total", "") in codes  # 2990 ≠ 3000
    assert ("count_column", "iud") in codes
    assert ("supply_column", "iud") in codes


def test_a_child_below_the_parents_level_is_normal_if_the_weighted_level_holds() -> None:
    # given Gia Lâm at 82 % against the city's 85 %, balanced by a larger district at 88 %
    findings = level_problems(
        "level_min",
        D(85),
        {"Gia Lâm": D(82), "Hà Đông": D(88)},
        {"Gia Lâm": D(100), "Hà Đông": D(200)},
    )
    assert [f.severity for f in findings] == ["ok"]
    short = level_problems(
        "level_min",
        D(85),
        {"Gia Lâm": D(82), "Hà Đông": D(86)},
        {"Gia Lâm": D(100), "Hà Đông": D(100)},
    )
    assert [(f.severity, f.param("level")) for f in short] == [("error", "84.00")]


def test_a_ceiling_is_checked_from_above_and_missing_weights_are_named() -> None:
    over = level_problems("ceiling", D(110), {"A": D(112), "B": D(109)}, {"A": D(2), "B": D(1)})
    assert over[0].severity == "error"
    missing = level_problems("ceiling", D(110), {"A": D(112), "B": D(109)}, {"A": D(2), "B": None})
    assert [(f.code, f.param("units")) for f in missing] == [("weights_missing", "B")]


def test_changes_are_checked_on_the_levels_they_imply() -> None:
    # the city reduces the third-birth share by 0.15 point from 6.37 %; districts from theirs
    findings = change_problems(
        D("-0.15"),
        D("6.37"),
        {"A": D(0), "B": D("-0.45")},
        {"A": D("3.0"), "B": D("10.0")},
        {"A": D(1), "B": D(1)},
    )
    # the implied levels 3.00 and 9.55 average 6.28, above the 6.22 implied for the city
    assert findings[0].code == "change_ceiling"
    assert findings[0].severity == "error"
    missing = change_problems(D("-0.15"), None, {"A": D(0)}, {"A": None}, {"A": D(1)})
    assert missing[0].code == "baselines_missing"
