"""A page never counts a province inside a request (issue 15, point 3): when more of a
year is still to count than a page counts itself, the dashboard says the figures are being
counted, how far it got, asks the worker for them and reloads once they are ready; a
village changed by an event is counted in the page as before."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks import task_backends

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.indicators import cache
from danso.indicators.models import LeafTally
from danso.indicators.periods import Period
from danso.indicators.tasks import figures_warm_year
from danso.register.models import Person
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from tests.conftest import unit_at

pytestmark = pytest.mark.django_db
ON = date(2024, 12, 31)


@pytest.fixture
def city(make_user: Callable[..., User], client_for: Callable[[User], Client]) -> Client:
    return client_for(make_user("hanoi", Role.PROVINCE_OFFICER, Level.PROVINCE, "01", ON))


def dashboard_url(query: str = "?period=2024") -> str:
    return reverse("indicators:unit", args=[unit_at(Level.PROVINCE, "01", ON).pk]) + query


def queued_years() -> list[Any]:
    backend: Any = task_backends["default"]
    return [r.args for r in backend.results if r.task.func is figures_warm_year.func]


def test_a_year_not_counted_yet_is_said_and_asked_of_the_worker(
    book: dict[str, Person], city: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a register whose 2024 tallies are all gone (an import), more than a page counts
    cache.invalidate(None, None)
    monkeypatch.setattr(cache, "PAGE_HOUSEHOLDS", 1)
    task_backends["default"].clear()  # type: ignore[attr-defined]

    # when the city's dashboard is opened
    page = city.get(dashboard_url())

    # then it says so, in Vietnamese, with how far the counting got, and shows no figure
    assert page.status_code == 200
    text = page.content.decode()
    assert "Số liệu năm 2024 đang được tính." in text
    assert "0 / 1 thôn, tổ dân phố và xã đã tính xong." in text
    assert "cards" not in page.context
    assert page["Cache-Control"] == "no-store"
    assert "ETag" not in page
    # nothing was counted inside the request; the worker was asked for the year
    assert not LeafTally.objects.exists()
    assert queued_years() == [[2024]]

    # the notice asks again: still counting …
    poll = city.get(dashboard_url("?period=2024&pending=2024"), headers={"HX-Request": "true"})
    assert poll.status_code == 200
    assert "figures-pending" in poll.content.decode()
    # … then the worker counts the year, and the next question reloads the page
    assert figures_warm_year.call(2024) > 0
    poll = city.get(dashboard_url("?period=2024&pending=2024"), headers={"HX-Request": "true"})
    assert (poll.status_code, poll["HX-Refresh"]) == (204, "true")
    page = city.get(dashboard_url())
    assert page.status_code == 200
    assert "cards" in page.context
    assert "đang được tính" not in page.content.decode()


def test_a_village_changed_by_an_event_is_counted_in_the_page(
    book: dict[str, Person], city: Client
) -> None:
    # given the year counted, then one village's rows gone (an event in it)
    city.get(dashboard_url())
    village = unit_at(Level.VILLAGE, "00118-T1", ON)
    cache.invalidate([village.pk], date(2024, 9, 1))
    assert not LeafTally.objects.filter(unit=village, period="2024").exists()

    # when the dashboard is opened, its figures are there at once
    page = city.get(dashboard_url())
    assert "cards" in page.context
    assert LeafTally.objects.filter(unit=village, period="2024").exists()


def test_a_poll_for_a_year_that_is_no_year_is_the_page_itself(
    book: dict[str, Person], city: Client
) -> None:
    page = city.get(dashboard_url("?period=2024&pending=abc"), headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert "cards" in page.context


def test_a_year_before_the_book_opened_has_nothing_to_count(
    book: dict[str, Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plan's baseline year before the register began (the 2021 page asks for 2020):
    no leaf has anything to count, so the page is never 'being counted' for it."""
    monkeypatch.setattr(cache, "PAGE_HOUSEHOLDS", 1)
    city = UnitVersion.objects.get(valid_on(ON), unit=unit_at(Level.PROVINCE, "01", ON))
    with cache.page_counting():
        figures = cache.figures(city, Period.parse("2022"))
    assert figures.tally.get("P", 0) == 0
    assert not LeafTally.objects.filter(period__startswith="2022").exists()
    assert cache.readiness(2022) == (0, 0)
