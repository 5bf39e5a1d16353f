"""The search for duplicates runs on the task queue and keeps its pairs: the screen lists
the kept pairs a page at a time, says when the search last ran, searches again on
request, and closes a pair as "not the same person" with a reason."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.register import services
from danso.register.duplicate_tasks import search_latest, search_run, search_start
from danso.register.models import DuplicateCandidate, DuplicateSearch, Household, Person
from danso.register.services import PersonInput
from danso.units.codes import Level
from danso.units.models import Unit
from tests.conftest import BEFORE, unit_at

pytestmark = pytest.mark.django_db
OPENING = date(2023, 6, 1)
DAY = "2024-06-30"


def household(code: str, number: str) -> Household:
    return services.household_create(
        unit=unit_at(Level.COMMUNE, code, BEFORE), since=OPENING, number=number
    )


def add(where: Household, name: str, born: date, sex: str = "F") -> Person:
    return services.person_add(
        household=where, data=PersonInput(name, sex, born), registered_on=OPENING
    )


@pytest.fixture
def ward() -> Unit:
    return unit_at(Level.COMMUNE, "118", BEFORE)


@pytest.fixture
def twins() -> tuple[Person, Person, Person]:
    """Hoà twice in Ngọc Thụy (one record with the accent elsewhere), and a namesake born
    the same day in Thượng Thanh."""
    born = date(1990, 11, 2)
    one = add(household("118", "1"), "Nguyễn Thị Hoà", born)
    two = add(household("118", "2"), "Nguyễn Thị Hòa", born)
    elsewhere = add(household("115", "3"), "Nguyễn Thị Hòa", born)
    return one, two, elsewhere


@pytest.fixture
def officer(make_user: Callable[..., User], client_for: Callable[[User], Client]) -> Client:
    return client_for(make_user("nt", Role.COMMUNE_OFFICER, Level.COMMUNE, "118"))


def _page(client: Client, **query: Any) -> str:
    response = client.get(reverse("register:duplicates"), {"date": DAY, **query})
    assert response.status_code == 200
    return response.content.decode()


def _search(client: Client, capture: Any) -> DuplicateSearch:
    """Ask for a search on the screen, then run it as the worker would."""
    with capture(execute=False) as callbacks:
        response = client.post(
            reverse("register:duplicates") + f"?date={DAY}", {"action": "search"}
        )
    assert response.status_code == 302
    assert len(callbacks) == 1  # the task is enqueued once the request commits
    search = DuplicateSearch.objects.latest("started_at")
    assert search_run(search.pk) == "done"
    return search


def test_the_page_does_not_compute_the_pairs(
    twins: tuple[Person, Person, Person], officer: Client
) -> None:
    # given two records of one person in the ward, and no search run yet
    # when the officer opens the duplicates page
    html = _page(officer)
    # then nothing was computed on the request: the page offers to search
    assert "Chưa tìm lần nào cho đơn vị này." in html
    assert "Nguyễn Thị Hoà" not in html
    assert not DuplicateCandidate.objects.exists()


def test_a_search_in_the_background_keeps_the_wards_pairs(
    twins: tuple[Person, Person, Person],
    ward: Unit,
    officer: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    one, two, _elsewhere = twins
    search = _search(officer, django_capture_on_commit_callbacks)
    # the ward's pair only: the namesake of the next ward is not the ward's
    assert search.unit == ward
    kept = DuplicateCandidate.objects.get()
    assert (kept.first, kept.second, kept.reason, kept.status) == (
        one,
        two,
        "same_name_and_birth",
        "open",
    )
    html = _page(officer)
    assert "Nguyễn Thị Hoà" in html
    assert "Nguyễn Thị Hòa" in html
    assert "Tìm lần gần nhất lúc" in html
    assert "Tìm lại" in html
    assert "Trang 1/1 · 1 cặp cần xem" in html
    # a second search changes nothing
    _search(officer, django_capture_on_commit_callbacks)
    assert DuplicateCandidate.objects.count() == 1


def test_while_the_search_runs_the_page_says_so_and_it_is_not_queued_twice(
    twins: tuple[Person, Person, Person],
    ward: Unit,
    officer: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    officer.post(reverse("register:duplicates") + f"?date={DAY}", {"action": "search"})
    officer.post(reverse("register:duplicates") + f"?date={DAY}", {"action": "search"})
    assert DuplicateSearch.objects.count() == 1
    html = _page(officer)
    assert "Đang tìm…" in html
    assert 'hx-trigger="every 3s"' in html


def test_a_search_no_worker_took_up_is_shown_failed(ward: Unit, officer: Client) -> None:
    search = search_start(unit=ward, user=None, on=BEFORE)
    DuplicateSearch.objects.filter(pk=search.pk).update(
        started_at=timezone.now() - timedelta(days=1)
    )
    latest = search_latest(ward.pk)
    assert latest is not None
    assert latest.status == "failed"
    assert "danso worker" in _page(officer)


def test_not_the_same_person_with_a_reason_stays_closed(
    twins: tuple[Person, Person, Person],
    officer: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _search(officer, django_capture_on_commit_callbacks)
    pair = DuplicateCandidate.objects.get()
    url = reverse("register:duplicates") + f"?date={DAY}"
    # without a reason: refused
    officer.post(url, {"action": "dismiss", "candidate": pair.pk, "reason": ""})
    pair.refresh_from_db()
    assert pair.status == "open"
    # with a reason: closed, with who and why
    officer.post(url, {"action": "dismiss", "candidate": pair.pk, "reason": "Hai chị em sinh đôi"})
    pair.refresh_from_db()
    assert (pair.status, pair.decided_by.username, pair.decision_reason) == (  # type: ignore[union-attr]
        "dismissed",
        "nt",
        "Hai chị em sinh đôi",
    )
    assert pair.history.latest().history_user.username == "nt"
    # a new search finds them again, but the pair stays closed and is not listed
    _search(officer, django_capture_on_commit_callbacks)
    assert DuplicateCandidate.objects.get().status == "dismissed"
    assert "Trang 1/1 · 0 cặp cần xem" in _page(officer)


def test_merging_a_kept_pair_closes_it(
    twins: tuple[Person, Person, Person],
    officer: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    one, two, _elsewhere = twins
    _search(officer, django_capture_on_commit_callbacks)
    pair = DuplicateCandidate.objects.get()
    officer.post(
        reverse("register:duplicates") + f"?date={DAY}",
        {
            "action": "merge",
            "candidate": pair.pk,
            "keep": one.pk,
            "continuing": one.pk,
            "reason": "Ghi hai lần",
        },
    )
    pair.refresh_from_db()
    two.refresh_from_db()
    assert two.merged_into == one
    assert (pair.status, pair.decision_reason) == ("merged", "Ghi hai lần")


def test_the_pairs_are_paged(
    ward: Unit, officer: Client, django_capture_on_commit_callbacks: Any
) -> None:
    where = household("118", "9")
    for day in range(60):
        born = date(1960, 1, 1) + timedelta(days=day)
        add(where, "Trần Văn Nam", born, sex="M")
        add(where, "Trần Văn Nam", born, sex="M")
    _search(officer, django_capture_on_commit_callbacks)
    assert "Trang 1/2 · 60 cặp cần xem" in _page(officer)
    assert "Trang 2/2 · 60 cặp cần xem" in _page(officer, page=2)


def test_the_list_is_read_in_a_bounded_number_of_queries(
    ward: Unit,
    officer: Client,
    django_capture_on_commit_callbacks: Any,
    django_assert_max_num_queries: Any,
) -> None:
    where = household("118", "9")
    for day in range(60):
        born = date(1960, 1, 1) + timedelta(days=day)
        add(where, "Trần Văn Nam", born, sex="M")
        add(where, "Trần Văn Nam", born, sex="M")
    _search(officer, django_capture_on_commit_callbacks)
    _page(officer)
    with django_assert_max_num_queries(30):
        _page(officer, page=2)
