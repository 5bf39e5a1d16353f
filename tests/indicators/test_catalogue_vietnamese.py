"""The catalogue's definitions are read in Vietnamese (issue 17, point 8): the numerator
and denominator columns, the rows stored before they were, and the years column."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import translation

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.indicators.catalogue import BY_CODE, CATALOGUE
from danso.indicators.models import Indicator
from danso.indicators.services import catalogue_load
from danso.units.codes import Level

pytestmark = pytest.mark.django_db
ON = date(2024, 12, 31)
MIGRATION = importlib.import_module("danso.indicators.migrations.0005_vietnamese_definitions")

#: Words of the old English catalogue that must not reach a Vietnamese reader.
ENGLISH = ("Live births", "in the period", "mid-period", "Mid-period", "Starts of", "Women aged")


@pytest.fixture(autouse=True)
def _language_left_as_found() -> Iterator[None]:
    """A request in English leaves English active in this thread (the locale middleware
    does not undo it); the tests after these must not inherit it."""
    yield
    translation.deactivate()


def _page(client: Client, url: str, **params: str) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_catalogue_defines_every_indicator_in_vietnamese() -> None:
    for spec in CATALOGUE:
        for text in (spec.numerator, spec.denominator):
            assert not any(word in text for word in ENGLISH), (spec.code, text)
    assert BY_CODE["CBR"].numerator == "Số trẻ sinh sống trong kỳ"
    assert BY_CODE["CBR"].denominator == "Dân số trung bình kỳ (× 1000)"
    assert BY_CODE["NEWFP.iud"].numerator == (
        "Số người mới sử dụng biện pháp dụng cụ tử cung trong kỳ"
    )
    assert BY_CODE["ASFR.15-19"].numerator == "Số trẻ sinh sống trong kỳ của các bà mẹ 15-19 tuổi"
    # the English words are kept for an English reader
    assert BY_CODE["CBR"].numerator_en == "Live births in the period"


def test_the_indicator_list_reads_in_vietnamese(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    reader = make_user("xem", Role.VIEWER, Level.PROVINCE, "01", ON)
    html = _page(client_for(reader), reverse("plans:indicators"))
    assert "Số trẻ sinh sống trong kỳ ÷ Dân số trung bình kỳ (× 1000)" in html
    assert "Số người mới sử dụng biện pháp dụng cụ tử cung trong kỳ" in html
    assert not [word for word in ENGLISH if word in html]
    assert "None" not in html  # a definition without a first year


def test_the_definitions_page_reads_in_vietnamese(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    reader = make_user("xem", Role.VIEWER, Level.PROVINCE, "01", ON)
    html = _page(client_for(reader), reverse("indicators:definitions"), year="2025")
    assert "Số bé trai sinh sống trong kỳ" in html
    assert "Số bé gái sinh sống trong kỳ (× 100)" in html
    assert not [word for word in ENGLISH if word in html]


def test_an_english_reader_gets_the_english_definition(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    client = client_for(make_user("xem", Role.VIEWER, Level.PROVINCE, "01", ON))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    listing = _page(client, reverse("plans:indicators"))
    assert "Live births in the period ÷ Mid-period population (× 1000)" in listing
    definitions = _page(client, reverse("indicators:definitions"), year="2025")
    assert "Male live births" in definitions


def test_a_definition_an_officer_rewrote_is_shown_as_written(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    Indicator.objects.filter(code="CDR").update(numerator="Số người chết (theo sổ A0)")
    client = client_for(make_user("xem", Role.VIEWER, Level.PROVINCE, "01", ON))
    assert "Số người chết (theo sổ A0)" in _page(client, reverse("plans:indicators"))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Số người chết (theo sổ A0)" in _page(client, reverse("plans:indicators"))


def test_the_years_of_a_definition_are_shown_without_none(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    Indicator.objects.filter(code="CBR").update(valid_from_year=2026)
    Indicator.objects.filter(code="SRB").update(valid_to_year=2025)
    client = client_for(make_user("xem", Role.VIEWER, Level.PROVINCE, "01", ON))
    html = _page(client, reverse("plans:indicators"))
    assert "2026–" in html
    assert "–2025" in html
    assert "2.026" not in html  # a year is not a number with a thousands separator
    assert "None" not in html


def _old_english() -> None:
    for code, (numerator, denominator) in MIGRATION.ENGLISH.items():
        Indicator.objects.filter(code=code).update(numerator=numerator, denominator=denominator)


def test_the_migration_rewrites_the_catalogues_english_and_nothing_else() -> None:
    _old_english()
    Indicator.objects.filter(code="CDR").update(numerator="Deaths registered in book A0")
    MIGRATION.to_vietnamese(apps, None)
    cbr = Indicator.objects.get(code="CBR")
    assert (cbr.numerator, cbr.denominator) == (
        "Số trẻ sinh sống trong kỳ",
        "Dân số trung bình kỳ (× 1000)",
    )
    assert Indicator.objects.get(code="NEWFP.condom").numerator == (
        "Số người mới sử dụng biện pháp bao cao su trong kỳ"
    )
    cdr = Indicator.objects.get(code="CDR")
    assert cdr.numerator == "Deaths registered in book A0"  # an officer's words stay
    assert cdr.denominator == "Dân số trung bình kỳ (× 1000)"
    for spec in CATALOGUE:
        if spec.code != "CDR":
            row = Indicator.objects.get(code=spec.code)
            assert (row.numerator, row.denominator) == (spec.numerator, spec.denominator)

    MIGRATION.to_english(apps, None)
    assert Indicator.objects.get(code="CBR").numerator == "Live births in the period"


def test_the_migrations_words_are_the_catalogues() -> None:
    """The migration keeps its own copy of the words; they must be the catalogue's."""
    assert set(MIGRATION.ENGLISH) == set(MIGRATION.VIETNAMESE) == set(BY_CODE)
    for code, spec in BY_CODE.items():
        assert MIGRATION.VIETNAMESE[code] == (spec.numerator, spec.denominator)
        assert MIGRATION.ENGLISH[code] == (spec.numerator_en, spec.denominator_en)


def test_the_catalogue_load_rewrites_untouched_english_rows() -> None:
    _old_english()
    Indicator.objects.filter(code="CDR").update(denominator="Dân số ngày 1/7")
    assert catalogue_load() == 0
    assert (
        Indicator.objects.get(code="GFR").denominator
        == "Số phụ nữ 15–49 tuổi có đến giữa kỳ (× 1000)"
    )
    assert Indicator.objects.get(code="CDR").numerator == "Số người chết trong kỳ"
    assert Indicator.objects.get(code="CDR").denominator == "Dân số ngày 1/7"
