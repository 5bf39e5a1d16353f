"""Property: whatever sequence of valid changes users make, the tree stays consistent
and every earlier day still shows what it showed before."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from danso.units import selectors, services
from danso.units.models import Unit
from danso.units.scope import UnitScope
from tests.builders import build_tree

START = date(2023, 6, 1)
operations = st.lists(
    st.tuples(
        st.sampled_from(["village", "rename", "move", "merge", "split"]),
        st.integers(min_value=0, max_value=9),
        st.integers(min_value=0, max_value=9),
    ),
    min_size=1,
    max_size=8,
)


def snapshot(root: Unit, on: date) -> list[tuple[str, str]]:
    scope = UnitScope.system(on)
    node = selectors.subtree(selectors.unit_on(root.pk, scope), scope, depth=None)
    out: list[tuple[str, str]] = []

    def walk(n: selectors.TreeNode) -> None:
        out.append((n.version.code, n.version.name))
        for child in n.children:
            walk(child)

    walk(node)
    return out


@pytest.mark.django_db
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_changes_never_rewrite_the_past(ops: list[tuple[str, int, int]]) -> None:
    # Each example runs in its own savepoint, rolled back at the end.
    with transaction.atomic():
        check_sequence(ops)
        transaction.set_rollback(True)


def check_sequence(ops: list[tuple[str, int, int]]) -> None:
    tree = build_tree(
        {
            ("province", "99", "Tỉnh Thử", "tỉnh"): {
                ("district", "991", "Huyện A", "huyện"): {
                    ("commune", "99001", "Xã 1", "xã"): {},
                    ("commune", "99002", "Xã 2", "xã"): {},
                },
                ("district", "992", "Huyện B", "huyện"): {("commune", "99003", "Xã 3", "xã"): {}},
            }
        }
    )
    province = tree["99"]
    province_path = selectors.unit_on(province.pk, UnitScope.system(START)).path
    districts = [tree["991"], tree["992"]]
    day = START
    seen: dict[date, list[tuple[str, str]]] = {}
    for counter, (kind, a, b) in enumerate(ops, start=1):
        seen[day] = snapshot(province, day)
        day += timedelta(days=30)
        scope = UnitScope.system(day - timedelta(days=1))
        communes = [
            v.unit
            for v in selectors.visible_versions(scope)
            .filter(unit__level="commune", path__startswith=f"{province.pk}.")
            .order_by("code")
        ]
        try:
            with transaction.atomic():
                apply(kind, a, b, counter, day, communes, districts)
        except ValidationError:
            pass  # a refused change must leave everything as it was: checked below
        for earlier, shown in seen.items():
            assert snapshot(province, earlier) == shown
        assert services.check_tree(prefix=province_path) == []


def apply(
    kind: str, a: int, b: int, counter: int, day: date, communes: list[Unit], districts: list[Unit]
) -> None:
    if not communes:
        return
    first, second = communes[a % len(communes)], communes[b % len(communes)]
    if kind == "village":
        services.village_create(
            commune=first, code=f"V{counter}", name=f"Thôn {counter}", type="thôn", valid_from=day
        )
    elif kind == "rename":
        services.unit_rename(unit=first, effective=day, name=f"Xã đổi {counter}")
    elif kind == "move":
        services.unit_move(unit=first, parent=districts[b % 2], effective=day)
    elif kind == "merge" and first != second:
        services.units_merge(units=[first, second], effective=day, into=first)
    elif kind == "split":
        services.unit_split(
            unit=first,
            effective=day,
            keep_original=bool(b % 2),
            parts=[
                services.NewUnit(f"9{counter:04d}", f"Xã tách {counter}a", "xã"),
                services.NewUnit(f"98{counter:03d}", f"Xã tách {counter}b", "xã"),
            ],
            children={} if b % 2 else None,
        )
