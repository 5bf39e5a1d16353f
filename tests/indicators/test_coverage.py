"""Coverage (issue 14, points 2 and 3): a figure says what it rests on, a unit without
data shows "không có số liệu" (never 0), a target is not judged on too little, and every
population shown says which one it is.

The world: a province (Tỉnh Thử, official population 1.000) with two districts: Huyện Một
(400: Xã An 250, Xã Bình 150) keeps its register in danso, in both its communes, while
Huyện Hai (600) has none — as Hà Nội's figures rested on Long Biên alone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.indicators import cache
from danso.indicators.achievement import Actual, Status
from danso.indicators.coverage import THRESHOLD, Coverage, Official, judged
from danso.indicators.periods import Period
from danso.plans.document import TargetKind, TargetSpec
from danso.plans.services import plan_create, target_save
from danso.population.services import FigureInput, figure_save
from danso.register import services
from danso.register.models import HouseholdPlacement
from danso.units.codes import Level
from danso.units.models import Unit, UnitVersion, valid_on
from tests.builders import build_tree
from tests.indicators.conftest import SINCE, person

pytestmark = pytest.mark.django_db
ON = date(2024, 12, 31)
World = dict[str, Unit]


@pytest.fixture
def world() -> World:
    tree = build_tree(
        {
            ("province", "98", "Tỉnh Thử", "tỉnh"): {
                ("district", "981", "Huyện Một", "huyện"): {
                    ("commune", "98101", "Xã An", "xã"): {},
                    ("commune", "98102", "Xã Bình", "xã"): {},
                },
                ("district", "982", "Huyện Hai", "huyện"): {
                    ("commune", "98201", "Xã Cát", "xã"): {},
                },
            }
        }
    )
    for code, total in (("98", 1000), ("981", 400), ("98101", 250), ("98102", 150), ("982", 600)):
        figure_save(unit=tree[code], figure=FigureInput(2024, total, source="Cục Thống kê"))
    for code, names in (("98101", ["Nguyễn Văn An", "Trần Thị Bình"]), ("98102", ["Lê Văn Cư"])):
        household = services.household_create(unit=tree[code], since=SINCE, number="1")
        for name in names:
            person(household, name, "F" if "Thị" in name else "M", date(1990, 1, 1))
    return tree


def version(unit: Unit) -> UnitVersion:
    return UnitVersion.objects.select_related("unit").get(valid_on(ON), unit=unit)


def children(unit: Unit) -> list[UnitVersion]:
    return list(
        UnitVersion.objects.filter(valid_on(ON), parent_id=unit.pk)
        .select_related("unit")
        .order_by("code")
    )


def test_the_province_says_it_rests_on_one_district(world: World) -> None:
    figures = cache.figures(
        version(world["98"]),
        Period.year_of(2024),
        tree_date=ON,
        children=children(world["98"]),
        coverage=True,
    )

    assert figures.coverage is not None
    assert figures.coverage.share == pytest.approx(0.4)  # 400 of 1.000
    assert figures.coverage.persons == 3
    assert figures.coverage.population == 1000
    assert figures.coverage.without_data == (("982", "Huyện Hai"),)
    one, two = figures.children
    assert one.coverage is not None
    assert one.coverage.share == 1.0
    assert two.coverage is not None
    assert two.coverage.share == 0.0
    assert not two.has_data


def test_a_district_with_a_register_in_one_commune_of_two(world: World) -> None:
    HouseholdPlacement.objects.filter(unit=world["98102"]).delete()  # Xã Bình: no book
    cache.invalidate()

    figures = cache.figures(
        version(world["981"]), Period.year_of(2024), tree_date=ON, coverage=True
    )

    assert figures.coverage is not None
    assert figures.coverage.share == pytest.approx(250 / 400)
    assert figures.coverage.without_data == (("98102", "Xã Bình"),)


def test_the_command_prints_the_coverage_of_every_unit(
    world: World, run_cli: Callable[..., Any]
) -> None:
    data = run_cli(
        "indicators",
        "compute",
        "--unit",
        "98",
        "--level",
        "province",
        "--period",
        "2024",
        "--children",
    )

    assert data["coverage"]["share"] == pytest.approx(0.4)
    assert data["coverage"]["persons"] == 3
    assert data["coverage"]["population"] == 1000
    assert data["coverage"]["units_without_data"] == [{"code": "982", "name": "Huyện Hai"}]
    by_code = {child["unit"]["code"]: child for child in data["children"]}
    assert by_code["981"]["coverage"]["share"] == 1.0
    assert by_code["982"]["coverage"] == {
        "share": 0.0,
        "persons": 0,
        "population": 600,
        "population_year": 2024,
        "population_source": "Cục Thống kê",
        "units_without_data": [{"code": "98201", "name": "Xã Cát"}],
    }
    # no data is no figure: null, never 0
    newfp = next(v for v in by_code["982"]["values"] if v["indicator"] == "NEWFP")
    assert newfp["value"] is None


@pytest.fixture
def plan_with_newfp(world: World) -> Any:
    plan = plan_create(
        unit=world["98"],
        title="Kế hoạch dân số 2024",
        period_start=2024,
        number="1/KH-UBND",
        issued_on=date(2024, 1, 15),
    )
    target_save(
        plan=plan,
        spec=TargetSpec(
            indicator="NEWFP", kind=TargetKind.COUNT_MIN, value=Decimal(416950), unit="persons"
        ),
    )
    return plan


def test_monitor_does_not_judge_the_province_on_two_fifths_of_it(
    plan_with_newfp: Any, run_cli: Callable[..., Any]
) -> None:
    data = run_cli("monitor", "--plan", str(plan_with_newfp.pk), "--period", "2024")

    (row,) = data["rows"]
    assert row["status"] == "cannot_judge"
    assert "chưa đủ số liệu" in row["status_label"].casefold()
    assert "40 %" in row["reason"]
    assert row["coverage"]["share"] == pytest.approx(0.4)
    assert row["coverage"]["units_without_data"] == [{"code": "982", "name": "Huyện Hai"}]


def test_achievement_on_partial_coverage() -> None:
    official = Official(1000, 2024, "")
    full = Coverage(1.0, 1000, official)
    low = Coverage(0.4, 400, official)
    most = Coverage(0.96, 960, official)
    unknown = Coverage(None, 960, None)

    assert judged("count_min", 100, Actual(100), full).status is Status.ACHIEVED
    assert judged("count_min", 100, Actual(100), low).status is Status.CANNOT_JUDGE
    assert THRESHOLD == 0.95
    # from 95 % the target is judged on what is covered, a count pro-rated, and said
    on_most = judged("count_min", 100, Actual(96), most)
    assert on_most.status is Status.ACHIEVED
    assert "trên phần có số liệu" in on_most.reason
    assert "96 %" in on_most.reason
    on_unknown = judged("ceiling", 109, Actual(105, 100, 110), unknown)
    assert on_unknown.status is Status.ACHIEVED
    assert "không rõ tỷ lệ" in on_unknown.reason
    # a unit without any data is never judged, be it a count of 0
    nothing = Coverage(0.0, 0, official)
    assert judged("count_min", 2, Actual(0), nothing).status is Status.CANNOT_JUDGE


@pytest.fixture
def officer(world: World, make_user: Callable[..., User]) -> User:
    return make_user("thu", Role.PROVINCE_OFFICER, Level.PROVINCE, "98", ON)


def test_the_dashboard_says_what_the_province_rests_on(
    plan_with_newfp: Any, world: World, officer: User, client_for: Callable[[User], Client]
) -> None:
    page = client_for(officer).get(
        reverse("indicators:unit", args=[world["98"].pk]) + "?period=2024"
    )

    assert page.status_code == 200
    html = page.content.decode()
    assert "40 %" in html
    assert "Huyện Hai" in html
    # the two populations, each named
    assert "Dân số theo sổ (ngày 01/07/2024)" in html
    assert "Dân số chính thức năm 2024 (nguồn: Cục Thống kê)" in html
    # the district without data: "không có số liệu", not 0
    rows = {row["version"].name: row for row in page.context["rows"]}
    assert rows["Huyện Hai"]["no_data"]
    assert all(cell["text"] == "không có số liệu" for cell in rows["Huyện Hai"]["cells"])
    assert rows["Huyện Hai"]["population"] is None
    assert not rows["Huyện Một"]["no_data"]
    # the NEWFP target: not judged
    newfp = next(c for c in page.context["cards"] if c.code == "NEWFP")
    assert [t["status"] for t in newfp.targets] == ["cannot_judge"]
    assert "Chậm tiến độ" not in html
    # the map leaves the district without data uncoloured
    values = page.context["map"].values if page.context["map"] else {}
    assert values.get(str(world["982"].pk)) is None


def test_the_unit_page_names_its_population(
    world: World, officer: User, client_for: Callable[[User], Client]
) -> None:
    page = client_for(officer).get(
        reverse("units:detail", args=[world["98"].pk]) + "?date=2024-12-31"
    )

    assert page.status_code == 200
    html = page.content.decode()
    assert "Dân số chính thức" in html
    assert "Cục Thống kê" in html


def test_a_projection_states_its_base_and_refuses_two_fifths_of_a_province(
    world: World,
) -> None:
    from danso.projections.services import ProjectionError, inputs_gather

    base = date(2025, 1, 1)
    district = UnitVersion.objects.select_related("unit").get(valid_on(base), unit=world["981"])
    gathered = inputs_gather(district, base)
    assert gathered.sources["coverage"]["coverage"]["share"] == 1.0
    assert "3 người" in gathered.sources["coverage"]["statement"]

    province = UnitVersion.objects.select_related("unit").get(valid_on(base), unit=world["98"])
    with pytest.raises(ProjectionError, match="40 %"):
        inputs_gather(province, base)
