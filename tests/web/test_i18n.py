"""Vietnamese first, English second; dates dd/mm/yyyy; numbers 416.950 and 0,15."""

from collections.abc import Callable
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.urls import reverse

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.population.services import FigureInput, figure_save
from danso.units.codes import Level
from tests.conftest import BEFORE, unit_at

CATALOGUE = Path(__file__).resolve().parents[2] / "danso" / "locale" / "vi" / "LC_MESSAGES"


def test_every_message_has_a_vietnamese_translation() -> None:
    catalogue = polib.pofile(str(CATALOGUE / "django.po"))
    missing = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert missing == []
    assert fuzzy == []


@pytest.mark.django_db
def test_pages_are_vietnamese_whatever_the_browser_asks(make_user: Callable[..., User]) -> None:
    client = Client(headers={"Accept-Language": "en-US,en;q=0.9"})
    client.force_login(make_user("hn", Role.PROVINCE_OFFICER, Level.PROVINCE, "1"))
    html = client.get(reverse("units:tree")).content.decode()
    assert "Đơn vị hành chính" in html
    assert '<html lang="vi">' in html


@pytest.mark.django_db
def test_english_on_request(make_user: Callable[..., User]) -> None:
    client = Client()
    client.force_login(make_user("hn", Role.PROVINCE_OFFICER, Level.PROVINCE, "1"))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("units:tree")).content.decode()
    assert "Administrative units" in html
    assert '<html lang="en">' in html


@pytest.mark.django_db
def test_dates_and_numbers_are_written_the_vietnamese_way(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    long_bien = unit_at(Level.DISTRICT, "4", BEFORE)
    figure = figure_save(
        unit=long_bien, figure=FigureInput(year=2024, total=416950, male=200000, female=216950)
    )
    client = client_for(make_user("hn", Role.PROVINCE_OFFICER, Level.PROVINCE, "1"))
    html = client.get(reverse("units:detail", args=[long_bien.pk]), {"date": "2024-06-30"})
    text = html.content.decode()
    assert "416.950" in text
    assert "07/05/2023" in text
    assert ">2024<" in text  # a year is not a number with a thousands separator
    detail = client.get(reverse("population:detail", args=[figure.pk])).content.decode()
    assert "216.950" in detail


@pytest.mark.django_db
def test_the_date_picker_takes_dd_mm_yyyy(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    client = client_for(make_user("hn", Role.PROVINCE_OFFICER, Level.PROVINCE, "1"))
    client.post(reverse("set_date"), {"date": "30/06/2024", "next": reverse("units:tree")})
    html = client.get(reverse("units:tree")).content.decode()
    assert 'value="30/06/2024"' in html
    assert "Quận Long Biên" in html
    client.post(reverse("set_date"), {"preset": "today", "next": "/"})
    assert "Quận Long Biên" not in client.get(reverse("units:tree")).content.decode()
