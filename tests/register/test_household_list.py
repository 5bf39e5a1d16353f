"""The household list of a commune: paged with its count, filtered by village and by the
head's name or the household number, with each household's village, head and members as
they stood on the day looked at, read a page at a time."""

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.register import services
from danso.register.models import AccessLog, Household, Person
from danso.register.vocabulary import EventType
from danso.units import services as units
from danso.units.codes import Level
from danso.units.models import Unit
from tests.conftest import unit_at

pytestmark = pytest.mark.django_db
OPENED = date(2023, 6, 1)
DAY = "2024-06-30"
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Khoa", "Long", "Minh", "Nam"]


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
        for n in (1, 2, 3)
    ]


@pytest.fixture
def book(villages: list[Unit]) -> dict[str, Household]:
    """40 households in each of the three villages, numbered 101…140, 201…240, 301…340,
    each with its head; household 101 has three members and 205 is Phạm Thị Lan's."""
    made = {}
    for n, village in enumerate(villages, start=1):
        for i in range(1, 41):
            number = f"{n}{i:02d}"
            household = services.household_create(unit=village, since=OPENED, number=number)
            head = f"Nguyễn Văn {GIVEN[i % len(GIVEN)]}"
            if number == "205":
                head = "Phạm Thị Lan"
            services.person_add(
                household=household,
                registered_on=OPENED,
                data=services.PersonInput(head, "M", date(1970, 1, i % 28 + 1), relation="chu_ho"),
            )
            made[number] = household
    for name, born in [("Trần Thị Hoa", date(1975, 5, 5)), ("Nguyễn Thị Mai", date(2005, 2, 1))]:
        relation = "vo_chong" if born.year < 2000 else "con"
        services.person_add(
            household=made["101"],
            registered_on=OPENED,
            data=services.PersonInput(name, "F", born, relation=relation),
        )
    return made


@pytest.fixture
def officer(make_user: Callable[..., User], client_for: Callable[[User], Client]) -> Client:
    return client_for(make_user("nt", Role.COMMUNE_OFFICER, Level.COMMUNE, "118"))


def _list(client: Client, unit: Unit, **query: Any) -> str:
    response = client.get(reverse("register:households", args=[unit.pk]), {"date": DAY, **query})
    assert response.status_code == 200
    return response.content.decode()


def _numbers(html: str) -> list[str]:
    return re.findall(r'href="/register/households/\d+/">(\d+)</a>', html)


def _row(html: str, number: str) -> str:
    return html.split(f">{number}</a>")[1].split("</tr>")[0]


def test_the_list_is_paged_and_says_how_many_households_there_are(
    book: dict[str, Household], commune: Unit, officer: Client
) -> None:
    first = _list(officer, commune)
    assert "Trang 1/3 · 120 hộ" in first
    assert len(_numbers(first)) == 50
    third = _list(officer, commune, page=3)
    assert "Trang 3/3 · 120 hộ" in third
    assert _numbers(third) == [f"3{i:02d}" for i in range(21, 41)]


def test_the_village_filter_and_column(
    book: dict[str, Household], commune: Unit, villages: list[Unit], officer: Client
) -> None:
    html = _list(officer, commune)
    for n in (1, 2, 3):
        assert f'<option value="{villages[n - 1].pk}"' in html
        assert f">Tổ dân phố {n}</option>" in html
    assert "Tổ dân phố 1" in _row(html, "101")
    second = _list(officer, commune, village=villages[1].pk)
    assert "Trang 1/1 · 40 hộ" in second
    assert _numbers(second) == [f"2{i:02d}" for i in range(1, 41)]
    assert "Tổ dân phố 2" in _row(second, "240")
    # A village not under the commune on the day lists nothing, rather than another book.
    elsewhere = unit_at(Level.COMMUNE, "115", date(2024, 6, 30))
    assert _numbers(_list(officer, commune, village=elsewhere.pk)) == []


def test_the_head_and_members_on_the_day(
    book: dict[str, Household], commune: Unit, officer: Client
) -> None:
    row = _row(_list(officer, commune), "101")
    assert "Nguyễn Văn Bình" in row
    assert re.search(r'class="num">3<', row)
    wife = Person.objects.get(full_name="Trần Thị Hoa")
    services.event_record(
        person=wife,
        data=services.EventInput(EventType.MOVE_OUT, date(2024, 5, 2), to_place="Bắc Ninh"),
    )
    assert re.search(r'class="num">2<', _row(_list(officer, commune), "101"))
    before = officer.get(
        reverse("register:households", args=[commune.pk]), {"date": "2024-04-30"}
    ).content.decode()
    assert re.search(r'class="num">3<', _row(before, "101"))


def test_search_by_head_or_number(
    book: dict[str, Household], commune: Unit, officer: Client
) -> None:
    html = _list(officer, commune, q="pham thi lan")
    assert _numbers(html) == ["205"]
    assert "Phạm Thị Lan" in html
    assert _numbers(_list(officer, commune, q="Phạm Thị LAN")) == ["205"]
    assert _numbers(_list(officer, commune, q="340")) == ["340"]
    assert _numbers(_list(officer, commune, q="nobody at all")) == []


def test_a_page_is_read_in_a_bounded_number_of_queries(
    book: dict[str, Household],
    commune: Unit,
    officer: Client,
    django_assert_max_num_queries: Any,
) -> None:
    _list(officer, commune)  # the session and the caches
    with django_assert_max_num_queries(30):
        _list(officer, commune, page=2)


def test_a_district_officer_sees_initials_and_the_read_is_logged(
    book: dict[str, Household],
    commune: Unit,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    district = client_for(make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4"))
    html = _list(district, commune, q="205")
    assert "Phạm Thị Lan" not in html
    assert "P. T. L." in _row(html, "205")
    # The masked names are not searchable: the initials do not give the name away.
    assert _numbers(_list(district, commune, q="pham thi lan")) == []
    head = Person.objects.get(full_name="Phạm Thị Lan")
    assert AccessLog.objects.filter(
        person_rows__person=head, user__username="lb", where="households"
    ).exists()
