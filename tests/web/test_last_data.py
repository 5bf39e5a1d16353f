"""The date picker offers the last day the reader's register has data for, and says when
the year looked at has none (issue 17, point 4): a demo or a book that ends before today
otherwise opens on an empty year."""

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.register import services
from danso.register.vocabulary import EventType
from danso.units import services as units
from danso.units.codes import Level
from danso.units.models import Unit
from tests.conftest import unit_at

pytestmark = pytest.mark.django_db
OPENED = date(2023, 6, 1)


def _village(code: str) -> Unit:
    commune = unit_at(Level.COMMUNE, code, date(2024, 6, 30))
    return units.village_create(
        commune=commune,
        code=f"{int(code):05d}-T1",
        name="Tổ dân phố 1",
        type="tổ dân phố",
        valid_from=OPENED,
    )


def _death(village: Unit, day: date) -> None:
    household = services.household_create(unit=village, since=OPENED, number="1")
    person = services.person_add(
        household=household,
        registered_on=OPENED,
        data=services.PersonInput("Nguyễn Văn An", "M", date(1940, 1, 1), relation="chu_ho"),
    )
    services.event_record(
        person=person, data=services.EventInput(EventType.DEATH, day), user=None, today=day
    )


@pytest.fixture
def officer(make_user: Callable[..., User], client_for: Callable[[User], Client]) -> Client:
    """An officer of Hà Nội, whose books end on 14/11/2024 (Ngọc Thụy's); Quán Toan's in
    Hải Phòng goes on into 2026 and is not theirs."""
    _death(_village("118"), date(2024, 11, 14))
    _death(_village("11296"), date(2026, 3, 2))
    return client_for(make_user("hn", Role.PROVINCE_OFFICER, Level.PROVINCE, "01"))


def test_the_last_day_with_data_is_offered_and_an_empty_year_said(officer: Client) -> None:
    page = officer.get(reverse("last_data"), {"date": "2026-12-06"})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'value="2024-11-14"' in text  # a chip that moves the date picker there
    assert "14/11/2024" in text
    assert "02/03/2026" not in text  # another district's book is not the reader's
    assert "Năm 2026 không có số liệu" in text


def test_a_year_with_data_is_not_called_empty(officer: Client) -> None:
    text = officer.get(reverse("last_data"), {"date": "2024-12-31"}).content.decode()
    assert "14/11/2024" in text
    assert "không có số liệu" not in text.lower()


def test_a_book_with_nothing_says_so(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    reader = client_for(make_user("lb", Role.COMMUNE_OFFICER, Level.COMMUNE, "115"))
    text = reader.get(reverse("last_data"), {"date": "2024-06-30"}).content.decode()
    assert "value=" not in text
    assert "chưa có sự kiện nào" in text.lower()


def test_every_page_asks_for_it_after_loading(officer: Client) -> None:
    text = officer.get(reverse("home")).content.decode()
    assert reverse("last_data") in text
