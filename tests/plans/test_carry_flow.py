"""Issue 16, point 4: Long Biên's 2025 plan (issued 1/3/2025) handed targets to its 13
wards; on 1/7/2025 they closed and the new wards took them over.  The new wards carry
the closed wards' cells for the rest of the year — exactly where villages moved, by
population share otherwise —, the province adjusts them on the grid, and monitoring and
the dashboard judge a new ward against what it carries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.accounts.scope import SYSTEM
from danso.indicators.achievement import Status
from danso.indicators.periods import Period
from danso.indicators.targets import targets_of
from danso.plans.carried import allocations_carry, carried_adjust
from danso.plans.document import TargetKind, TargetSpec
from danso.plans.models import CarriedAllocation, Plan
from danso.plans.monitoring import CarriedPlan, monitor
from danso.plans.services import allocation_set, plan_create, target_save
from danso.register.models import Person
from danso.register.vocabulary import EventType
from danso.units import services as units
from danso.units.codes import Level
from tests.builders import build_tree
from tests.indicators.conftest import event as record
from tests.plans.reform import (
    AFTER,
    INTO_BO_DE,
    ISSUED,
    NGOC_LAM,
    NGOC_THUY,
    OLD_BO_DE,
    REFORM,
    long_bien_plan,
    long_bien_wards,
    new_ward,
    old_ward,
    target,
    version,
    village,
)

pytestmark = pytest.mark.django_db
YEAR = Period.parse("2025")
BO_DE, HONG_HA, LONG_BIEN_WARD = "118", "97", "145"


def carried(plan: Plan, code: str, unit_code: str) -> CarriedAllocation:
    return CarriedAllocation.objects.get(target=target(plan, code), unit=new_ward(unit_code))


def entry(row: CarriedAllocation, old_code: str) -> dict[str, Any]:
    unit = old_ward(old_code)
    return next(e for e in row.basis if e["unit"] == unit.pk)


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    """Long Biên's officer (before the reform), Hà Nội's, and the new Bồ Đề's."""
    return {
        "district": make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4", ISSUED),
        "city": make_user("hn", Role.PROVINCE_OFFICER, Level.PROVINCE, "1", AFTER),
        "ward": make_user("bd", Role.COMMUNE_OFFICER, Level.COMMUNE, BO_DE, AFTER),
    }


# ----------------------------------------------------------------------------- the problem


def test_a_new_ward_has_no_targets_after_the_reform_until_the_cells_are_carried() -> None:
    long_bien_plan()
    bo_de = version(new_ward(BO_DE), date(2025, 12, 31))

    own, _below = targets_of(bo_de, YEAR, SYSTEM)
    assert own == []  # "Không có kế hoạch … giao chỉ tiêu cho đơn vị này"

    allocations_carry(user=SYSTEM)

    own, _below = targets_of(bo_de, YEAR, SYSTEM)
    assert {t.code for t in own} == {"NEWFP", "PRENATAL", "SRB"}
    assert all(t.handed_down for t in own)
    newfp = next(t for t in own if t.code == "NEWFP")
    assert isinstance(newfp.plan, CarriedPlan)
    assert newfp.plan.number == "30/KH-UBND"
    assert newfp.plan.carried_text == (
        "Chỉ tiêu kế thừa từ đơn vị cũ (Thượng Thanh, Ngọc Thụy, Đức Giang, Gia Thụy, Ngọc "
        "Lâm, Bồ Đề, Long Biên, Phúc Đồng) từ 01/07/2025"
    )
    assert "Phường" not in newfp.plan.carried_cell.from_names
    # before the reform the new ward did not exist: nothing is carried for the first half
    assert targets_of(bo_de, Period.parse("2025-YTD-06"), SYSTEM) == ([], [])


# ----------------------------------------------------------------------------- carrying


def test_cells_go_exactly_where_villages_moved_and_by_population_share_otherwise() -> None:
    plan = long_bien_plan()
    ngoc_thuy = old_ward(NGOC_THUY)
    village(ngoc_thuy, "NT-A", 3, moves_to=new_ward(BO_DE))
    village(ngoc_thuy, "NT-B", 1, moves_to=new_ward(HONG_HA))

    allocations_carry(user=SYSTEM)

    bo_de = carried(plan, "NEWFP", BO_DE)
    assert bo_de.effective == REFORM
    assert bo_de.source == "derived"
    assert {e["code"] for e in bo_de.basis} == {
        version(old_ward(code), ISSUED).display_code for code in INTO_BO_DE
    }
    # Ngọc Thụy: 3 of its 4 registered people lived in a group that moved to Bồ Đề
    nt = entry(bo_de, NGOC_THUY)
    assert (nt["share"], nt["exact"], nt["value"]) == (0.75, True, "1000")
    assert (nt["population"], nt["population_source"]) == (4, "register")
    assert entry(carried(plan, "NEWFP", HONG_HA), NGOC_THUY)["share"] == 0.25
    # Ngọc Lâm went wholly to Bồ Đề; the old Bồ Đề, without a register, by equal shares
    assert (entry(bo_de, NGOC_LAM)["share"], entry(bo_de, NGOC_LAM)["exact"]) == (1.0, True)
    old = entry(bo_de, OLD_BO_DE)
    assert (old["share"], old["exact"], old["population"]) == (pytest.approx(1 / 3), False, None)
    assert not bo_de.exact
    assert bo_de.from_names.startswith("Thượng Thanh, Ngọc Thụy")


def test_counts_keep_the_wards_totals_methods_and_supplies() -> None:
    plan = long_bien_plan()
    village(old_ward(NGOC_THUY), "NT-A", 3, moves_to=new_ward(BO_DE))

    allocations_carry(user=SYSTEM)

    rows = list(CarriedAllocation.objects.filter(target=target(plan, "NEWFP")))
    methods: list[dict[str, Any]] = [r.breakdown or {} for r in rows]
    wards = len(long_bien_wards())
    assert sum(r.value for r in rows) == 1000 * wards
    assert sum(m["iud"]["free"] for m in methods) == 100 * wards
    assert sum(m["iud"]["social_marketing"] for m in methods) == 300 * wards
    assert sum(m["pill"] for m in methods) == 600 * wards
    for row, method in zip(rows, methods, strict=True):  # every successor's row adds up
        assert row.value == method["iud"]["total"] + method["pill"]
        assert row.rest_of_year is not None
    # the part after 1/7: half of each ward's 1,000, split the same way
    assert sum(r.rest_of_year or 0 for r in rows) == 500 * wards
    # Ngọc Lâm wholly, Ngọc Thụy exactly (its only registered people moved here)
    bo_de = carried(plan, "NEWFP", BO_DE)
    assert entry(bo_de, NGOC_THUY)["share"] == 1.0


def test_rates_are_the_mean_weighted_by_the_population_each_ward_brought() -> None:
    plan = long_bien_plan(prenatal={NGOC_THUY: Decimal(90), NGOC_LAM: Decimal(70)})

    allocations_carry(user=SYSTEM)

    # no population known: weighted by the shares of each old ward that came here (Ngọc
    # Thụy ½ at 90 %, Ngọc Lâm wholly at 70 %, six others ½, ⅓ or ¼ at 80 %): 3700 / 47
    assert carried(plan, "PRENATAL", BO_DE).value == Decimal("78.72")
    assert carried(plan, "SRB", BO_DE).value == Decimal(110)
    assert carried(plan, "PRENATAL", BO_DE).rest_of_year is None


def test_carrying_twice_changes_nothing() -> None:
    plan = long_bien_plan()
    first = allocations_carry(user=SYSTEM)
    history = CarriedAllocation.history.count()

    second = allocations_carry(plan=plan, user=SYSTEM)

    assert first.created > 0
    assert (second.created, second.updated, second.removed) == (0, 0, 0)
    assert second.unchanged == first.created
    assert CarriedAllocation.history.count() == history
    row = CarriedAllocation.history.order_by("history_id").first()
    assert row is not None
    assert row.history_user is not None  # the system actor, named


def test_a_recomputation_follows_villages_and_keeps_what_the_level_above_adjusted(
    people: dict[str, User],
) -> None:
    plan = long_bien_plan()
    allocations_carry(user=SYSTEM)
    estimated = carried(plan, "NEWFP", BO_DE)
    assert not entry(estimated, NGOC_THUY)["exact"]
    kept = carried_adjust(
        carried=carried(plan, "PRENATAL", BO_DE),
        value=Decimal("82.5"),
        reason="Theo quyết định giao chỉ tiêu của UBND thành phố",
        user=people["city"],
    )

    # villages moved afterwards: the derived cells follow, the adjusted one stays
    village(old_ward(NGOC_THUY), "NT-A", 2, moves_to=new_ward(BO_DE))
    result = allocations_carry(plan=plan, user=SYSTEM)

    assert result.updated > 0
    assert result.adjusted_kept == 1
    now = entry(carried(plan, "NEWFP", BO_DE), NGOC_THUY)
    assert (now["share"], now["exact"]) == (1.0, True)  # all its registered people came
    again = carried(plan, "PRENATAL", BO_DE)
    assert (again.value, again.source, again.reason) == (
        Decimal("82.5"),
        "adjusted",
        kept.reason,
    )


def test_the_level_above_adjusts_a_carried_cell_saying_why(people: dict[str, User]) -> None:
    plan = long_bien_plan()
    allocations_carry(user=SYSTEM)
    cell = carried(plan, "NEWFP", BO_DE)

    with pytest.raises(PermissionDenied):  # the new ward does not set its own target
        carried_adjust(carried=cell, value=Decimal(5000), reason="x", user=people["ward"])
    with pytest.raises(ValidationError, match="lý do"):
        carried_adjust(carried=cell, value=Decimal(5000), reason="  ", user=people["city"])
    with pytest.raises(ValidationError, match="số nguyên"):
        carried_adjust(carried=cell, value=Decimal("5000.5"), reason="x", user=people["city"])

    done = carried_adjust(
        carried=cell, value=Decimal(5000), reason="Thành phố giao lại", user=people["city"]
    )
    assert (done.source, done.value, done.rest_of_year) == (
        "adjusted",
        Decimal(5000),
        Decimal(2500),
    )
    assert done.breakdown is None  # the methods no longer add up to it
    assert done.derived_value is not None
    assert done.derived_value != done.value
    last = done.history.latest()
    assert (last.history_user, last.reason) == (people["city"], "Thành phố giao lại")
    # whoever may change the plan's allocation may too (Long Biên's officer, on its date)
    carried_adjust(carried=done, value=Decimal(4000), reason="Sửa lại", user=people["district"])


def test_monitor_lists_the_carried_rows_after_the_allocated_ones() -> None:
    plan = long_bien_plan()
    allocations_carry(user=SYSTEM)

    rows = monitor(plan, YEAR, SYSTEM)

    kinds = [row.carried is not None for row in rows]
    assert kinds == sorted(kinds)  # allocated first, then carried
    bo_de = next(
        r
        for r in rows
        if r.carried is not None
        and r.target.indicator.code == "NEWFP"
        and r.version.unit_id == new_ward(BO_DE).pk
    )
    assert bo_de.target_value == float(carried(plan, "NEWFP", BO_DE).value)
    data = bo_de.as_dict()
    assert data["carried"]["effective"] == "2025-07-01"
    assert "Phường Ngọc Thụy" in data["carried"]["from"]
    # the first half of the year knows nothing of the successors
    assert all(r.carried is None for r in monitor(plan, Period.parse("2025-YTD-06"), SYSTEM))


def test_a_new_ward_is_judged_on_its_whole_year_against_what_it_carries() -> None:
    """The split year: the group that moved brings its first half exactly (the engine
    counts it for the new ward), the second half is the new ward's own."""
    plan = long_bien_plan()
    group = village(old_ward(NGOC_THUY), "NT-A", 2, moves_to=new_ward(BO_DE))
    women = Person.objects.filter(memberships__household__placements__unit=group, sex="F")
    woman = women.get()
    for day in (date(2025, 3, 3), date(2025, 9, 9)):
        record(
            woman,
            EventType.CONTRACEPTION_START,
            day,
            method="pill",
            supply="free",
            new_acceptor=True,
        )
    allocations_carry(user=SYSTEM)

    rows = [
        r
        for r in monitor(plan, YEAR, SYSTEM)
        if r.carried is not None
        and r.version.unit_id == new_ward(BO_DE).pk
        and r.target.indicator.code == "NEWFP"
    ]

    (row,) = rows
    assert row.value is not None
    assert row.value.value == 2  # March (in Ngọc Thụy) and September (in Bồ Đề)
    assert row.judgement.status is Status.OFF_TRACK  # 2 of some 3,900 over the year
    assert row.judgement.expected == row.target_value


def test_a_new_wards_officer_sees_what_it_carries_and_nothing_else(
    people: dict[str, User],
) -> None:
    plan = long_bien_plan()
    allocations_carry(user=SYSTEM)
    bo_de = version(new_ward(BO_DE), date(2025, 12, 31))

    own, _below = targets_of(bo_de, YEAR, people["ward"])

    assert {t.code for t in own} == {"NEWFP", "PRENATAL", "SRB"}
    rows = [r for r in monitor(plan, YEAR, people["ward"]) if r.carried is not None]
    assert {r.version.unit_id for r in rows} == {new_ward(BO_DE).pk}


def test_the_districts_officer_sees_the_carried_cells_not_the_new_wards_figures(
    people: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    """Long Biên's officer sees the whole plan (on its date) and so what it hands on, but
    after the reform reaches only its former groups, never the new wards' figures."""
    plan = long_bien_plan()
    allocations_carry(user=SYSTEM)

    assert all(r.carried is None for r in monitor(plan, YEAR, people["district"]))
    assert any(r.carried is not None for r in monitor(plan, YEAR, people["city"]))
    page = client_for(people["district"]).get(reverse("plans:allocation", args=[plan.pk]))
    assert "Đơn vị kế thừa từ 01/07/2025" in page.content.decode()


def test_the_dashboard_shows_the_carried_targets(
    people: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    long_bien_plan()
    allocations_carry(user=SYSTEM)
    ward = client_for(people["ward"])

    page = ward.get(
        reverse("indicators:unit", args=[new_ward(BO_DE).pk]),
        {"period": "2025", "date": "2025-12-31"},
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert "Chỉ tiêu kế thừa từ đơn vị cũ (" in html
    assert "Ngọc Thụy" in html
    assert "từ 01/07/2025" in html
    assert "ước tính theo tỷ lệ dân số" in html
    assert "Không có kế hoạch" not in html


def test_the_allocation_grid_shows_the_successors_and_the_province_adjusts_them(
    people: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    plan = long_bien_plan()
    allocations_carry(user=SYSTEM)
    city = client_for(people["city"])
    cell = carried(plan, "NEWFP", BO_DE)

    page = city.get(reverse("plans:allocation", args=[plan.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Đơn vị kế thừa từ 01/07/2025" in html
    assert "Phường Bồ Đề" in html
    assert f'id="carried-{cell.pk}"' in html
    assert reverse("plans:carried_adjust", args=[plan.pk, cell.pk]) in html

    url = reverse("plans:carried_adjust", args=[plan.pk, cell.pk])
    refused = city.post(url, {"value": "5.000", "reason": ""}, headers={"HX-Request": "true"})
    assert refused.status_code == 400
    assert "Hãy nêu lý do điều chỉnh" in refused.content.decode()
    saved = city.post(
        url, {"value": "5.000", "reason": "Thành phố giao lại"}, headers={"HX-Request": "true"}
    )
    assert saved.status_code == 200
    assert "5.000" in saved.content.decode()
    cell.refresh_from_db()
    assert (cell.value, cell.source, cell.updated_by) == (
        Decimal(5000),
        "adjusted",
        people["city"],
    )
    # the ward's own officer may look at its row, not change it
    ward = client_for(people["ward"])
    assert ward.post(url, {"value": "1", "reason": "x"}).status_code in (403, 404)
    # the district's officer computes the derived cells again; the adjusted one stays
    district = client_for(people["district"])
    response = district.post(reverse("plans:carry", args=[plan.pk]))
    assert response.status_code == 302
    cell.refresh_from_db()
    assert cell.value == 5000
    assert city.post(reverse("plans:carry", args=[plan.pk])).status_code == 302
    assert ward.post(reverse("plans:carry", args=[plan.pk])).status_code == 403


def test_the_command_carries_and_prints_one_json_document(run_cli: Callable[..., Any]) -> None:
    plan = long_bien_plan()

    data = run_cli("plans", "carry", "--plan", str(plan.pk))

    assert data["plans"] == 1
    assert data["created"] == len(data["carried"]) > 0
    bo_de = next(
        row
        for row in data["carried"]
        if row["indicator"] == "NEWFP" and row["unit"] == new_ward(BO_DE).pk
    )
    assert (bo_de["effective"], bo_de["source"], bo_de["exact"]) == ("2025-07-01", "derived", False)
    assert isinstance(bo_de["value"], int)
    assert run_cli("plans", "carry")["unchanged"] == data["created"]


# ----------------------------------------------------------------------------- chains


def test_a_unit_that_continues_carries_its_own_cell_with_what_it_took_over() -> None:
    """A merge into one of the units, in a plan of two years: the unit that continues
    counts itself among its predecessors, and its carried cell replaces its own."""
    made = build_tree(
        {
            ("province", "97", "Tỉnh Thử", "tỉnh"): {
                ("district", "974", "Huyện Một", "huyện"): {
                    ("commune", "90001", "Xã An", "xã"): {},
                    ("commune", "90002", "Xã Bình", "xã"): {},
                },
            },
        }
    )
    plan = plan_create(
        unit=made["974"],
        title="Kế hoạch 2024–2025",
        period_start=2024,
        period_end=2025,
        number="1/KH",
        issued_on=date(2024, 1, 10),
    )
    newfp = target_save(
        plan=plan, spec=TargetSpec("NEWFP", TargetKind.COUNT_MIN, Decimal(300), "persons")
    )
    allocation_set(target=newfp, unit=made["90001"], value=Decimal(200))
    allocation_set(target=newfp, unit=made["90002"], value=Decimal(100))
    units.unit_close(
        unit=made["90002"], effective=date(2025, 1, 1), successors=[(made["90001"], False)]
    )

    allocations_carry(plan=plan, user=SYSTEM)

    row = CarriedAllocation.objects.get(target=newfp)
    assert (row.unit_id, row.value, row.effective) == (
        made["90001"].pk,
        Decimal(300),
        date(2025, 1, 1),
    )
    assert [e.get("itself", False) for e in row.basis] == [False, True]
    assert row.from_names == "Bình"
    rows = [
        r
        for r in monitor(plan, Period.parse("2025"), SYSTEM)
        if r.version.unit_id == made["90001"].pk
    ]
    assert [(r.target_value, r.carried is not None) for r in rows] == [(300.0, True)]
    # in 2024 the unit still had its own cell alone
    rows = [
        r
        for r in monitor(plan, Period.parse("2024"), SYSTEM)
        if r.version.unit_id == made["90001"].pk
    ]
    assert [(r.target_value, r.carried is not None) for r in rows] == [(200.0, False)]
