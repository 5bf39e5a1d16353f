"""The dashboards: the hand-counted book seen from the ward, the district and the city, a
birth recorded in the monthly form on the next load, the ranking workbook, targets and
alerts, the reader's scope, and periods written wrongly."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.indicators import dashboard
from danso.indicators.engine import UnitFigures, indicators_from
from danso.indicators.periods import Period
from danso.plans.document import TargetKind, TargetSpec
from danso.plans.models import Plan
from danso.plans.services import allocation_set, target_save
from danso.register.models import Person
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from tests.conftest import unit_at
from tests.plans.conftest import LONG_BIEN_2024

pytestmark = pytest.mark.django_db
ON = date(2024, 12, 31)
WARD, DISTRICT, CITY = (Level.COMMUNE, "118"), (Level.DISTRICT, "004"), (Level.PROVINCE, "01")
MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]


def url(level: Level, code: str, query: str = "?period=2024", name: str = "unit") -> str:
    return reverse(f"indicators:{name}", args=[unit_at(level, code, ON).pk]) + query


def card(response: Any, code: str) -> Any:
    return next(c for c in response.context["cards"] if c.code == code)


def row(response: Any, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in response.context["rows"] if r["version"].name == name)
    return found


@pytest.fixture
def city_officer(make_user: MakeUser) -> User:
    return make_user("hanoi", Role.PROVINCE_OFFICER, Level.PROVINCE, "01", ON)


def test_ward_district_and_city_show_the_hand_counted_book(
    book: dict[str, Person], city_officer: User, client_for: ClientFor
) -> None:
    # given the book: one birth (May), one death (September), two new acceptors (February,
    # August) among seven persons registered on 1 July 2024
    client = client_for(city_officer)

    # when the three dashboards are opened for 2024
    pages = [client.get(url(*unit)) for unit in (WARD, DISTRICT, CITY)]

    # then each shows the book's counts, written the Vietnamese way
    for page in pages:
        assert page.status_code == 200
        cbr = card(page, "CBR")
        assert (cbr.value, cbr.fraction, cbr.small) == ("142,86", "1 / 7", True)
        assert card(page, "NEWFP").value == "2"
        assert page.context["trend"]["births"] == [0, 0, 0, 0, 1, *[0] * 7]
        assert page.context["trend"]["deaths"][8] == 1
        assert page.context["trend"]["newfp"][1] == page.context["trend"]["newfp"][7] == 1
        pyramid = page.context["pyramid"]
        assert sum(pyramid["male"]) + sum(pyramid["female"]) == 7
        assert "142,86" in page.content.decode()
    ward, district, city = pages
    assert row(district, "Phường Ngọc Thụy")["births"] == 1
    assert row(city, "Quận Long Biên")["births"] == 1
    assert len(city.context["rows"]) == 30  # Hà Nội's districts in 2024
    # the city's districts have boundaries: the map is theirs, Long Biên coloured by CBR
    assert city.context["map"].parent.unit_id == city.context["version"].unit_id
    long_bien = unit_at(*DISTRICT, ON).pk
    assert city.context["map"].values[str(long_bien)] == pytest.approx(1000 / 7)
    # below the city nothing has boundaries: the ward is shown among Hà Nội's districts,
    # its district outlined
    assert ward.context["map"].highlight == long_bien


def test_a_birth_recorded_in_the_monthly_form_shows_on_the_next_load(
    book: dict[str, Person], city_officer: User, make_user: MakeUser, client_for: ClientFor
) -> None:
    client = client_for(city_officer)
    assert card(client.get(url(*CITY)), "CBR").fraction == "1 / 7"
    collaborator = make_user("ctv", Role.COLLABORATOR, Level.VILLAGE, "00118-T1", date(2024, 6, 30))
    village = book["D"].memberships.get().household.unit

    recorded = client_for(collaborator).post(
        reverse("register:collection", args=[village.pk, "2024-11"]) + "?date=2024-11-30",
        {
            "event_type": "birth",
            "person": book["D"].pk,
            "event_date": "02/11/2024",
            "child_name": "Phạm Thị Hà",
            "child_sex": "F",
            "birth_order": "1",
            "action": "record",
        },
    )

    assert recorded.status_code == 302
    page = client.get(url(*CITY))
    assert card(page, "CBR").fraction == "2 / 7"  # the child was born after 1 July
    assert page.context["trend"]["births"][10] == 1
    assert row(page, "Quận Long Biên")["births"] == 2


def test_the_ranking_workbook_holds_the_childrens_values(
    book: dict[str, Person], city_officer: User, client_for: ClientFor
) -> None:
    response = client_for(city_officer).get(url(*DISTRICT, name="ranking_xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    ranking, details = workbook.worksheets
    codes = [cell.value for cell in ranking[4]]
    rows = {r[0]: dict(zip(codes, r, strict=True)) for r in ranking.iter_rows(5, values_only=True)}
    ngoc_thuy = rows["00118"]
    assert (ngoc_thuy["P"], ngoc_thuy["births"], ngoc_thuy["NEWFP"]) == (7, 1, 2)
    assert ngoc_thuy["CBR"] == pytest.approx(1000 / 7)
    assert rows["00115"]["CBR"] is None  # a ward without a register
    assert len(rows) == 14  # Long Biên's wards
    detail = [r for r in details.iter_rows(2, values_only=True) if r[:3] == ("00118", r[1], "CBR")]
    assert detail[0][4:6] == (1, 7)  # numerator, denominator
    assert detail[0][8] is True  # too few events


def test_targets_statuses_and_alerts(
    book: dict[str, Person],
    seed_plan: Callable[[str], Plan],
    city_officer: User,
    client_for: ClientFor,
) -> None:
    # given Long Biên's issued 2024 plan (SRB ≤ 109) with two new acceptors handed to
    # each of two wards
    plan = seed_plan(LONG_BIEN_2024)
    newfp = target_save(
        plan=plan,
        spec=TargetSpec(
            indicator="NEWFP", kind=TargetKind.COUNT_MIN, value=Decimal(4), unit="persons"
        ),
        order=9,
    )
    for code in ("118", "115"):
        allocation_set(
            target=newfp, unit=unit_at(Level.COMMUNE, code, date(2024, 3, 5)), value=Decimal(2)
        )
    client = client_for(city_officer)

    district = client.get(url(*DISTRICT))
    ward = client.get(url(*WARD))

    # the district's own targets, with the rule on hover
    targets = card(district, "NEWFP").targets
    assert [(t["text"], t["status"]) for t in targets] == [("≥ 4", "off_track")]
    assert "90%" in targets[0]["hover"]
    srb = card(district, "SRB").targets[0]
    assert (srb["text"], srb["status"]) == ("≤ 109", "cannot_judge")  # one birth
    # the ward sees what the district handed to it
    handed = card(ward, "NEWFP").targets
    assert [(t["text"], t["status"], t["handed_down"]) for t in handed] == [
        ("≥ 2", "achieved", True)
    ]
    assert 'class="status status-achieved"' in ward.content.decode()
    # Phường Phúc Đồng (115) has none of its 2, but 0 rests on too few events: no alert
    assert district.context["alerts"] == []


def _figures(version: UnitVersion, boys: int, girls: int) -> UnitFigures:
    period = Period.year_of(2024)
    tally = Counter({"births.M": boys, "births.F": girls, "births": boys + girls})
    return UnitFigures(version, period, tally, indicators_from(tally, period))


def test_the_sex_ratio_alerts_only_when_its_whole_interval_is_above_the_ceiling() -> None:
    wards = list(
        UnitVersion.objects.filter(valid_on(ON), parent_id=unit_at(*DISTRICT, ON).pk)
        .select_related("unit")
        .order_by("code")[:4]
    )
    children = [
        _figures(wards[0], 1200, 1000),  # 120, interval about 110–131: above 109
        _figures(wards[1], 1100, 1000),  # 110, the interval reaches 109
        _figures(wards[2], 559, 440),  # 127 on 1,000 births less one: too few to judge
        _figures(wards[3], 1000, 1000),
    ]

    found = dashboard.alerts([], [], children)

    assert [(a.version, a.code, a.target) for a in found] == [(wards[0], "SRB", 109.0)]
    assert "hoàn toàn trên mức trần 109" in found[0].reason


def test_a_ward_officer_sees_only_their_ward(
    book: dict[str, Person], make_user: MakeUser, client_for: ClientFor
) -> None:
    officer = make_user("nt", Role.COMMUNE_OFFICER, Level.COMMUNE, "118", ON)
    client = client_for(officer)

    assert client.get(url(*WARD)).status_code == 200
    assert client.get(url(*WARD, name="ranking_xlsx")).status_code == 200
    for other in [(Level.COMMUNE, "115"), DISTRICT, CITY]:
        assert client.get(url(*other)).status_code == 403
        assert client.get(url(*other, name="ranking_xlsx")).status_code == 403
    city_map = url(*CITY, query="?day=2024-12-31", name="children_geojson")
    assert client.get(city_map).status_code == 403
    # no unit above the ward is theirs to see, so there is no map to place it on
    assert client.get(url(*WARD)).context["map"] is None
    # the dashboards' home is their own ward (on a day it still existed)
    home = client.get(reverse("indicators:home") + "?date=2024-12-31")
    assert home["Location"] == url(*WARD, query="")


def test_the_default_period_is_the_latest_full_year_with_register_data(
    book: dict[str, Person], city_officer: User, client_for: ClientFor
) -> None:
    page = client_for(city_officer).get(url(*WARD, query="?date=2026-03-01"))

    assert page.status_code == 200
    assert str(page.context["period"]) == "2024"
    assert page.context["day"] == ON


@pytest.mark.parametrize("text", ["2024Q7", "2024-13", "hai năm", "2024-YTD-00"])
def test_a_period_written_wrongly_gets_a_clear_message(
    text: str, city_officer: User, client_for: ClientFor
) -> None:
    client = client_for(city_officer)

    page = client.get(url(*CITY, query=f"?period={text}"))
    workbook = client.get(url(*CITY, query=f"?period={text}", name="ranking_xlsx"))

    for response in (page, workbook):
        assert response.status_code == 400
        assert "2024-YTD-06" in response.content.decode()  # says how to write one


def test_a_unit_closed_before_the_period_has_no_dashboard(
    city_officer: User, client_for: ClientFor
) -> None:
    response = client_for(city_officer).get(url(*DISTRICT, query="?period=2026"))

    assert response.status_code == 404
    assert "30/06/2025" in response.content.decode()


def test_the_city_dashboard_reads_in_a_fixed_number_of_queries(
    book: dict[str, Person],
    city_officer: User,
    client_for: ClientFor,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(city_officer)
    client.get(url(*CITY))  # the leaves' tallies are counted and cached once

    # Inside the test's transaction nothing is kept whole, so every figure reads its
    # leaves' row ids and then their tallies (two queries where one was, before branch
    # sums); the number does not grow with the units.  The page reads 13 periods (the
    # year and its 12 months), 12 queries each, and the reader's session, roles and
    # plans: 161; and the ranking says what each figure rests on (issue 14, coverage):
    # four grouped queries, whatever the number of units (the tree under the city, the
    # leaves with households placed in the period, those with entered figures, the
    # official figures): 165; and the page's ETag reads what the page rests on in one
    # query (issue 15, ``web.conditional``): 166, pinned here.
    with django_assert_max_num_queries(166):
        assert client.get(url(*CITY)).status_code == 200
