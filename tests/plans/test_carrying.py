"""The arithmetic of carrying a closed unit's cells to its successors
(``danso.plans.carrying``): counts keep their exact totals, rates are weighted means, a
whole succession carries the value unchanged."""

from __future__ import annotations

import ast
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from danso.plans import carrying
from danso.plans.carrying import CarryError, Predecessor, carry, remaining_months

HEIRS = ("A", "B", "C", "D")


@st.composite
def shares(draw: st.DrawFn) -> dict[str, Fraction]:
    """A predecessor's shares among some of the successors, adding up to 1 exactly."""
    heirs = draw(st.lists(st.sampled_from(HEIRS), min_size=1, max_size=4, unique=True))
    weights = draw(st.lists(st.integers(0, 1000), min_size=len(heirs), max_size=len(heirs)))
    if sum(weights) == 0:
        weights[0] = 1
    total = sum(weights)
    return {heir: Fraction(w, total) for heir, w in zip(heirs, weights, strict=True)}


counts = st.integers(0, 500_000)
rates = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)


@given(st.lists(st.tuples(counts, shares()), min_size=1, max_size=6), st.integers(0, 12))
def test_counts_keep_their_exact_totals(
    cells: list[tuple[int, dict[str, Fraction]]], months: int
) -> None:
    predecessors = [Predecessor(Decimal(v), s) for v, s in cells]

    carried = carry("count_min", predecessors, months=months)

    assert sum(c.value for c in carried.values()) == sum(v for v, _s in cells)
    rest = sum(round(Fraction(v * months, 12)) for v, _s in cells)
    rests = [c.rest_of_year for c in carried.values()]
    assert all(r is not None for r in rests)
    carried_rest = sum((r for r in rests if r is not None), Decimal(0))
    assert abs(carried_rest - rest) <= len(cells)
    assert all(c.value == c.value.to_integral_value() for c in carried.values())


@given(
    st.lists(
        st.tuples(st.integers(0, 5000), st.integers(0, 5000), st.integers(0, 5000), shares()),
        min_size=1,
        max_size=5,
    )
)
def test_each_method_and_supply_keeps_its_total_and_rows_add_up(
    cells: list[tuple[int, int, int, dict[str, Fraction]]],
) -> None:
    predecessors = [
        Predecessor(
            Decimal(free + social + pill),
            s,
            {
                "iud": {"total": free + social, "free": free, "social_marketing": social},
                "pill": pill,
            },
        )
        for free, social, pill, s in cells
    ]

    carried = carry("count_min", predecessors)

    iud = [c.breakdown["iud"] for c in carried.values() if c.breakdown and "iud" in c.breakdown]
    assert sum(cell["free"] for cell in iud) == sum(free for free, *_ in cells)
    assert sum(cell["social_marketing"] for cell in iud) == sum(s for _f, s, *_ in cells)
    assert all(cell["total"] == cell["free"] + cell["social_marketing"] for cell in iud)
    pills = sum(c.breakdown.get("pill", 0) for c in carried.values() if c.breakdown)
    assert pills == sum(pill for _f, _s, pill, _sh in cells)
    for c in carried.values():  # every successor's row adds up to its methods
        assert c.breakdown is not None
        methods = sum(v["total"] if isinstance(v, dict) else v for v in c.breakdown.values())
        assert c.value == methods


@given(
    st.sampled_from(["level_min", "ceiling", "near", "change"]),
    st.lists(st.tuples(rates, shares(), st.none() | st.integers(1, 100_000)), min_size=1),
)
def test_rates_are_means_between_the_smallest_and_the_largest(
    kind: str, cells: list[tuple[Decimal, dict[str, Fraction], int | None]]
) -> None:
    predecessors = [Predecessor(v, s, population=n) for v, s, n in cells]

    carried = carry(kind, predecessors)

    for heir, found in carried.items():
        reached = [v for v, s, _n in cells if s.get(heir, 0) > 0]
        assert min(reached) <= found.value <= max(reached)
        assert found.rest_of_year is None
    assert set(carried) == {h for _v, s, _n in cells for h, share in s.items() if share > 0}


@given(
    st.sampled_from(["count_min", "level_min", "ceiling", "near", "change"]),
    st.integers(0, 900_000),
    st.integers(0, 4),
)
def test_a_whole_succession_carries_the_value_unchanged(kind: str, whole: int, places: int) -> None:
    value = Decimal(whole) if kind == "count_min" else Decimal(whole).scaleb(-places)

    carried = carry(kind, [Predecessor(value, {"A": 1}, population=1234)])

    assert carried["A"].value == value


def test_a_weighted_mean_weighs_the_population_each_predecessor_brought() -> None:
    # Ngọc Thụy (90 %, 20,000 people, a quarter to the new Bồ Đề) and Ngọc Lâm (80 %,
    # 10,000 people, wholly to it): (90 × 5,000 + 80 × 10,000) / 15,000
    carried = carry(
        "level_min",
        [
            Predecessor(Decimal("90"), {"BD": 0.25, "HH": 0.75}, population=20_000),
            Predecessor(Decimal("80"), {"BD": 1}, population=10_000),
        ],
    )

    assert carried["BD"].value == Decimal("83.33")
    assert carried["HH"].value == Decimal("90.00")


def test_without_every_population_the_shares_alone_weigh() -> None:
    carried = carry(
        "ceiling",
        [
            Predecessor(Decimal("110"), {"BD": 0.5, "HH": 0.5}, population=None),
            Predecessor(Decimal("108"), {"BD": 1}, population=10_000),
        ],
    )

    assert carried["BD"].value == Decimal("108.67")  # (110 × 0,5 + 108) / 1,5


def test_a_count_split_in_whole_persons_and_its_rest_of_the_year() -> None:
    carried = carry(
        "count_min",
        [
            Predecessor(Decimal(1201), {"BD": 0.5, "HH": 0.5}),
            Predecessor(Decimal(600), {"BD": 1}),
        ],
        months=remaining_months(7, 1),
    )

    assert carried["BD"].value + carried["HH"].value == 1801
    assert {carried["BD"].value, carried["HH"].value} == {Decimal(1201), Decimal(600)}
    rests = [carried[heir].rest_of_year for heir in ("BD", "HH")]
    assert sum(r for r in rests if r is not None) == 601 + 300


def test_empty_cells_carry_nothing_and_all_children_is_not_carried() -> None:
    assert carry("count_min", [Predecessor(None, {"A": 1})]) == {}
    assert carry("all_children", [Predecessor(Decimal(100), {"A": 1})]) == {}
    assert carry("count_min", [Predecessor(Decimal(7), {"A": 1, "B": 0})]).keys() == {"A"}


def test_shares_that_do_not_add_up_are_refused() -> None:
    with pytest.raises(CarryError, match="add up to 1"):
        carry("count_min", [Predecessor(Decimal(10), {"A": 0.5, "B": 0.4})])
    with pytest.raises(CarryError, match="negative"):
        carry("count_min", [Predecessor(Decimal(10), {"A": 1.5, "B": -0.5})])


def test_the_months_left_from_an_effective_date() -> None:
    assert remaining_months(7, 1) == 6
    assert remaining_months(1, 1) == 12
    assert remaining_months(7, 15) == 5  # July stays with the predecessor


def test_the_arithmetic_imports_no_django() -> None:
    tree = ast.parse(Path(carrying.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not {name for name in imported if name.split(".")[0] in ("django", "rest_framework")}
    assert imported & {"danso.plans.allocation"}
