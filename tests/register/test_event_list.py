"""A book's event list: the events of a commune's subtree in a period, paged with their
count, filtered by village, type, collaborator, form status and dates, persons as the
reader may see them, and its export logged."""

import io
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.register import services
from danso.register.models import AccessLog, Event, Person
from danso.register.vocabulary import EventType, Method, Supply
from danso.units import services as units
from danso.units.codes import Level
from danso.units.models import Unit
from tests.conftest import unit_at

pytestmark = pytest.mark.django_db
OPENED = date(2023, 6, 1)
DAY = "2024-06-30"


@pytest.fixture
def commune() -> Unit:
    return unit_at(Level.COMMUNE, "118", date(2024, 6, 30))


@pytest.fixture
def villages(commune: Unit) -> list[Unit]:
    return [
        units.village_create(
            commune=commune,
            code=f"00118-T{n}",
            name=f"Tổ dân phố {n}",
            type="tổ dân phố",
            valid_from=OPENED,
        )
        for n in (1, 2)
    ]


def _elder(unit: Unit, number: str, name: str) -> Person:
    household = services.household_create(unit=unit, since=OPENED, number=number)
    return services.person_add(
        household=household,
        registered_on=OPENED,
        data=services.PersonInput(name, "M", date(1950, 1, 1), relation="chu_ho"),
    )


@pytest.fixture
def book(villages: list[Unit], make_user: Callable[..., User]) -> dict[str, Any]:
    """In Tổ dân phố 1, 55 elders checked up in June 2024 (the first 30 recorded by An,
    the others by Bình) and one in May; in Tổ dân phố 2, a woman who started the pill in
    June; in Thượng Thanh (the next ward), an elder checked up in June."""
    an = make_user("ctv_an", Role.COLLABORATOR, Level.VILLAGE, "00118-T1")
    binh = make_user("ctv_binh", Role.COLLABORATOR, Level.VILLAGE, "00118-T1")
    for i in range(55):
        elder = _elder(villages[0], f"1{i:02d}", f"Nguyễn Văn Lão {i:02d}")
        services.event_record(
            person=elder,
            data=services.EventInput(EventType.ELDERLY_CHECKUP, date(2024, 6, 1 + i % 28)),
            user=an if i < 30 else binh,
        )
    may = _elder(villages[0], "199", "Trần Văn Tháng Năm")
    services.event_record(
        person=may, data=services.EventInput(EventType.ELDERLY_CHECKUP, date(2024, 5, 20))
    )
    household = services.household_create(unit=villages[1], since=OPENED, number="201")
    woman = services.person_add(
        household=household,
        registered_on=OPENED,
        data=services.PersonInput("Phạm Thị Lan", "F", date(1990, 2, 2), relation="chu_ho"),
    )
    services.event_record(
        person=woman,
        data=services.EventInput(
            EventType.CONTRACEPTION_START,
            date(2024, 6, 15),
            method=Method.PILL,
            supply=Supply.FREE,
        ),
    )
    neighbour = _elder(unit_at(Level.COMMUNE, "115", date(2024, 6, 30)), "9", "Lê Văn Hàng Xóm")
    services.event_record(
        person=neighbour,
        data=services.EventInput(EventType.ELDERLY_CHECKUP, date(2024, 6, 10)),
    )
    return {"an": an, "binh": binh, "lan": woman, "neighbour": neighbour}


@pytest.fixture
def officer(make_user: Callable[..., User], client_for: Callable[[User], Client]) -> Client:
    return client_for(make_user("nt", Role.COMMUNE_OFFICER, Level.COMMUNE, "118"))


def _list(client: Client, unit: Unit, **query: Any) -> str:
    response = client.get(reverse("register:unit_events", args=[unit.pk]), {"date": DAY, **query})
    assert response.status_code == 200
    return response.content.decode()


def _events(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/register/events/(\d+)/"', html)]


def test_the_household_list_links_to_the_events(
    book: dict[str, Any], commune: Unit, officer: Client
) -> None:
    html = officer.get(reverse("register:households", args=[commune.pk]), {"date": DAY})
    assert reverse("register:unit_events", args=[commune.pk]) in html.content.decode()


def test_the_month_looked_at_paged_with_its_count(
    book: dict[str, Any], commune: Unit, officer: Client
) -> None:
    # when the ward officer opens the events of the ward for 30/06/2024
    first = _list(officer, commune)
    # then June's 56 events of the ward are listed, 50 a page, newest first
    assert "Trang 1/2 · 56 sự kiện từ 01/06/2024 đến 30/06/2024" in first
    assert len(_events(first)) == 50
    second = _list(officer, commune, page=2)
    assert "Trang 2/2" in second
    shown = _events(first) + _events(second)
    june = Event.objects.filter(
        event_date__month=6, unit__in=[commune, *Unit.objects.filter(level=Level.VILLAGE)]
    ).exclude(person=book["neighbour"])
    assert sorted(shown) == sorted(june.values_list("pk", flat=True))
    dates = list(
        Event.objects.filter(pk__in=shown)
        .order_by("-event_date", "-pk")
        .values_list("pk", flat=True)
    )
    assert shown == dates
    assert "Nguyễn Văn Lão 00" in first + second  # names in full for the keeper


def test_a_neighbouring_wards_events_are_never_shown(
    book: dict[str, Any], commune: Unit, officer: Client
) -> None:
    theirs = Event.objects.get(person=book["neighbour"])
    for query in ({}, {"kind": "elderly_checkup"}, {"village": theirs.unit_id}, {"page": 2}):
        html = _list(officer, commune, **query)
        assert theirs.pk not in _events(html)
        assert "Hàng Xóm" not in html
    # and the ward officer cannot open the neighbouring ward's list
    neighbour_ward = unit_at(Level.COMMUNE, "115", date(2024, 6, 30))
    response = officer.get(reverse("register:unit_events", args=[neighbour_ward.pk]), {"date": DAY})
    assert response.status_code in (403, 404)


def test_the_filters(
    book: dict[str, Any], commune: Unit, villages: list[Unit], officer: Client
) -> None:
    assert "· 1 sự kiện" in _list(officer, commune, village=villages[1].pk)
    assert "Phạm Thị Lan" in _list(officer, commune, village=villages[1].pk)
    assert "· 1 sự kiện" in _list(officer, commune, kind="contraception_start")
    assert "· 30 sự kiện" in _list(officer, commune, recorder=book["an"].pk)
    assert "· 25 sự kiện" in _list(officer, commune, recorder=book["binh"].pk)
    # the period: May alone, and both months
    may = _list(officer, commune, start="2024-05-01", end="2024-05-31")
    assert "Trang 1/1 · 1 sự kiện từ 01/05/2024 đến 31/05/2024" in may
    assert "Tháng Năm" in may
    assert "· 57 sự kiện" in _list(officer, commune, start="01/05/2024", end="30/06/2024")
    # the form status: none of these came through a monthly form
    assert "· 0 sự kiện" in _list(officer, commune, status="handed_in")
    assert "· 56 sự kiện" in _list(officer, commune, status="none")
    # the collaborators who recorded events are offered
    html = _list(officer, commune)
    assert f'<option value="{book["an"].pk}"' in html


def test_a_district_officer_sees_initials_and_the_read_is_logged(
    book: dict[str, Any],
    commune: Unit,
    villages: list[Unit],
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    district = client_for(make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4"))
    html = _list(district, commune, village=villages[1].pk)
    assert "Phạm Thị Lan" not in html
    assert "P. T. L." in html
    assert AccessLog.objects.filter(
        person_rows__person=book["lan"], user__username="lb", where="event"
    ).exists()
    # the district officer does not export the names (the keepers of the book do)
    response = district.get(reverse("register:unit_events_xlsx", args=[commune.pk]), {"date": DAY})
    assert response.status_code == 403


def test_a_viewer_does_not_see_the_list(
    book: dict[str, Any],
    commune: Unit,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    viewer = client_for(make_user("xem", Role.VIEWER, Level.COMMUNE, "118"))
    response = viewer.get(reverse("register:unit_events", args=[commune.pk]), {"date": DAY})
    assert response.status_code in (403, 404)


def test_the_export_holds_the_filtered_list_and_is_logged(
    book: dict[str, Any], commune: Unit, officer: Client
) -> None:
    response = officer.get(
        reverse("register:unit_events_xlsx", args=[commune.pk]),
        {"date": DAY, "recorder": book["binh"].pk},
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Ngày", "Sự kiện", "Người")
    assert len(rows) == 1 + 25
    assert all(row[5] == "ctv_binh" for row in rows[1:])
    entry = AccessLog.objects.get(kind="export", user__username="nt")
    assert (entry.where, entry.count) == ("export_screen", 25)
    assert entry.unit_rows.exists()


def test_a_page_is_read_in_a_bounded_number_of_queries(
    book: dict[str, Any],
    commune: Unit,
    officer: Client,
    django_assert_max_num_queries: Any,
) -> None:
    _list(officer, commune)  # the session and the caches
    with django_assert_max_num_queries(30):
        _list(officer, commune, page=2)
