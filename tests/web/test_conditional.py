"""Conditional GET of the dashboards (``danso.web.conditional``): a browser that holds the
city's page gets ``304`` without the figures being computed, until the register, a plan,
the language or the reader changes; the figures section shared by readers with the same
roles (``danso.indicators.pages``), never what is their own; and the figures cache shared
through Redis when ``DANSO_CACHE_URL`` names one."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.contrib.messages import INFO
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from danso.accounts import services as accounts
from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.indicators import cache, views
from danso.indicators.models import FiguresChange, Indicator
from danso.register.models import Household, Person
from danso.register.services import PersonInput, household_create
from danso.register.vocabulary import EventType
from danso.settings.base import figures_cache
from danso.units import services as units
from danso.units.codes import Level
from danso.web.conditional import Tag, held
from tests.conftest import unit_at
from tests.indicators.conftest import SINCE, event, person

pytestmark = pytest.mark.django_db
ON = date(2024, 12, 31)
MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]


@pytest.fixture
def register() -> dict[str, Person]:
    """One household of Long Biên's ward 118: a mother, a grandfather, a birth in May."""
    village = units.village_create(
        commune=unit_at(Level.COMMUNE, "118", SINCE),
        code="00118-C1",
        name="Tổ dân phố Thử",
        type="tổ dân phố",
        valid_from=SINCE,
    )
    home: Household = household_create(unit=village, since=SINCE, number="1")
    people = {
        "mother": person(home, "Trần Thị Bình", "F", date(1995, 3, 10), "co_vo_chong"),
        "grandfather": person(home, "Phạm Văn Em", "M", date(1950, 1, 1), "co_vo_chong"),
    }
    event(
        people["mother"],
        EventType.BIRTH,
        date(2024, 5, 10),
        child=PersonInput("Nguyễn Văn Giang", "M", date(2024, 5, 10)),
        birth_order=1,
    )
    cache.forget_pending()  # the register as every reader sees it once committed
    return people


def city_url(query: str = "?period=2024") -> str:
    return reverse("indicators:unit", args=[unit_at(Level.PROVINCE, "01", ON).pk]) + query


@pytest.fixture
def city_officer(make_user: MakeUser) -> User:
    return make_user("hanoi", Role.PROVINCE_OFFICER, Level.PROVINCE, "01", ON)


def get(client: Client, url: str, tag: str = "") -> Any:
    return client.get(url, headers={"If-None-Match": tag} if tag else {})


def tagged(client: Client, url: str) -> Any:
    """The page as a browser holds it: the first visit sets the CSRF cookie (a page
    without one gets no tag), the second is the one kept with its tag."""
    get(client, url)
    page = get(client, url)
    assert page.status_code == 200
    assert page["ETag"].startswith('W/"')
    assert page["Cache-Control"] == "private, no-cache"
    return page


def deaths(page: Any) -> int:
    return int(page.context["figures"].tally.get("deaths", 0))


def test_the_second_look_is_answered_304_without_the_figures(
    register: dict[str, Person],
    city_officer: User,
    client_for: ClientFor,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(city_officer)
    page = tagged(client, city_url())

    # the browser asks again with the tag: 304, no body, and none of the figures' queries
    # (the session, the user, one query for what the page rests on)
    with django_assert_max_num_queries(4):
        again = get(client, city_url(), page["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == page["ETag"]
    assert again["Cache-Control"] == "private, no-cache"
    assert not again.cookies

    # the policy of the 304 carries the nonce of the page kept (a browser takes the
    # headers of a 304 in place of those it stored), so its inline scripts still run
    nonce = re.search(r"'nonce-([^']+)'", page["Content-Security-Policy"])
    assert nonce is not None
    assert again["Content-Security-Policy"] == page["Content-Security-Policy"]
    assert page["ETag"].endswith(f'.{nonce[1]}"')


def test_a_recorded_death_brings_the_new_figure(
    register: dict[str, Person],
    city_officer: User,
    client_for: ClientFor,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(city_officer)
    # the first visit puts the figures together; the next ones are the section it left
    # for readers with the same roles (indicators.pages), whose context is not rendered
    before = deaths(get(client, city_url()))
    page = tagged(client, city_url())

    with django_capture_on_commit_callbacks(execute=True):  # committed: the epoch moves
        event(register["grandfather"], EventType.DEATH, date(2024, 9, 1))

    after = get(client, city_url(), page["ETag"])
    assert after.status_code == 200
    assert deaths(after) == before + 1
    assert after["ETag"] != page["ETag"]
    # and the new page is kept in turn
    assert get(client, city_url(), after["ETag"]).status_code == 304


def test_a_change_moving_the_epoch_alone_is_enough(
    register: dict[str, Person],
    city_officer: User,
    client_for: ClientFor,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(city_officer)
    page = tagged(client, city_url())
    with django_capture_on_commit_callbacks(execute=True):
        cache.changed()
    assert get(client, city_url(), page["ETag"]).status_code == 200


def test_another_reader_never_gets_304_on_the_first_readers_tag(
    register: dict[str, Person],
    city_officer: User,
    make_user: MakeUser,
    client_for: ClientFor,
) -> None:
    tag = tagged(client_for(city_officer), city_url())["ETag"]

    # a district officer may not see the city: 403, as without the tag
    district = make_user("longbien", Role.DISTRICT_OFFICER, Level.DISTRICT, "004", ON)
    other = client_for(district)
    get(other, city_url())  # the CSRF cookie
    assert get(other, city_url(), tag).status_code == 403

    # another officer of the city sees the same figures, under a tag of their own
    colleague = client_for(make_user("hanoi2", Role.PROVINCE_OFFICER, Level.PROVINCE, "01", ON))
    get(colleague, city_url())
    theirs = get(colleague, city_url(), tag)
    assert theirs.status_code == 200
    assert theirs["ETag"] != tag


def test_the_language_the_address_and_the_working_date_change_the_tag(
    register: dict[str, Person], city_officer: User, client_for: ClientFor
) -> None:
    client = client_for(city_officer)
    page = tagged(client, city_url())

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = get(client, city_url(), page["ETag"])
    assert english.status_code == 200
    assert "Dashboard" in english.content.decode()
    assert english["ETag"].split(".")[0] != page["ETag"].split(".")[0]

    other_map = get(client, city_url("?period=2024&map=SRB"), english["ETag"])
    assert other_map.status_code == 200

    client.post(reverse("set_date"), {"date": "30/06/2024", "next": "/"})
    moved = get(client, city_url(), english["ETag"])
    assert moved.status_code == 200


def test_a_renamed_indicator_is_shown_at_once(
    register: dict[str, Person], city_officer: User, client_for: ClientFor
) -> None:
    """What the page shows besides the figures (here the catalogue's names; plans,
    targets, reports alike) changes the tag through its rows' history."""
    client = client_for(city_officer)
    page = tagged(client, city_url())
    indicator = Indicator.objects.get(code="CBR")
    indicator.name_vi = "Tỷ suất sinh thô (đã sửa)"
    indicator.save()
    renamed = get(client, city_url(), page["ETag"])
    assert renamed.status_code == 200
    assert "Tỷ suất sinh thô (đã sửa)" in renamed.content.decode()


def test_no_304_while_messages_wait(
    register: dict[str, Person], city_officer: User, client_for: ClientFor
) -> None:
    client = client_for(city_officer)
    page = tagged(client, city_url())
    # a message left for the next page (as a form's "saved" would be)
    storage = CookieStorage(client.get(city_url()).wsgi_request)
    storage.add(INFO, "Đã lưu.")
    response = client.get(city_url())
    storage.update(response)
    client.cookies.update(response.cookies)
    shown = get(client, city_url(), page["ETag"])
    assert shown.status_code == 200
    assert "Đã lưu." in shown.content.decode()
    assert "ETag" not in shown  # a page showing a message is never kept


def test_the_boundaries_are_revalidated_too(
    register: dict[str, Person], city_officer: User, client_for: ClientFor
) -> None:
    url = (
        reverse("indicators:children_geojson", args=[unit_at(Level.PROVINCE, "01", ON).pk])
        + "?day=2024-12-31"
    )
    client = client_for(city_officer)
    first = tagged(client, url)
    assert first.json()["type"] == "FeatureCollection"
    assert get(client, url, first["ETag"]).status_code == 304


def test_held_reads_only_our_tags() -> None:
    digest = "0" * 32
    nonce = "abcdefghijklmnopqrstuvwx"
    assert held(f'W/"{digest}.{nonce}"', digest) == Tag(digest, nonce)
    assert held(f'"x", W/"{digest}"', digest) == Tag(digest)
    assert held(f'W/"{digest}.bad nonce;"', digest) is None
    assert held('W/"other"', digest) is None
    assert held("*", digest) is None
    assert held("", digest) is None


# ----------------------------------------------------------------------------- the cache


def test_the_figures_cache_is_in_memory_unless_an_address_is_given() -> None:
    databases = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "a.sqlite3"}}
    assert figures_cache("", databases)["BACKEND"].endswith("LocMemCache")
    shared = figures_cache("redis://127.0.0.1:6379/1", databases)
    assert shared["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    other = figures_cache(
        "redis://127.0.0.1:6379/1",
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "b.sqlite3"}},
    )
    assert shared["KEY_PREFIX"] != other["KEY_PREFIX"]  # two installations, one Redis
    with pytest.raises(ImproperlyConfigured):
        figures_cache("memcached://127.0.0.1:11211", databases)
    assert settings.CACHES["figures"]["BACKEND"].endswith("LocMemCache")  # the suite's


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.2):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_answers(), reason="no Redis at 127.0.0.1:6379")
def test_two_processes_share_figures_through_redis() -> None:
    pytest.importorskip("redis")
    from django.core.cache.backends.redis import RedisCache

    config = figures_cache("redis://127.0.0.1:6379/15", settings.DATABASES)
    params = {k: v for k, v in config.items() if k not in {"BACKEND", "LOCATION"}}
    one, two = (RedisCache(config["LOCATION"], dict(params)) for _ in range(2))
    key = "danso:test-conditional:shared"
    try:
        one.set(key, {"births": 3}, 30)
        assert two.get(key) == {"births": 3}
    finally:
        one.delete(key)
        one.close()
        two.close()


# ----------------------------------------------------------------------------- shared sections


def sections_rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each time a dashboard's figures section is put together, its reader's name."""
    rendered: list[str] = []
    real = views._figures_section

    def counted(request: Any, *args: Any) -> str:
        rendered.append(request.user.username)
        return str(real(request, *args))

    monkeypatch.setattr(views, "_figures_section", counted)
    return rendered


def section_of(page: Any) -> str:
    text: str = page.content.decode()
    start = text.index('<section class="card" aria-labelledby="h-headline">')
    return text[start : text.index("</main>", start)]


def test_readers_with_the_same_roles_share_the_section_and_nothing_of_their_own(
    register: dict[str, Person],
    make_user: MakeUser,
    client_for: ClientFor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rendered = sections_rendered(monkeypatch)
    first = make_user("officer-anh", Role.PROVINCE_OFFICER, Level.PROVINCE, "01", ON)
    second = make_user("officer-binh", Role.PROVINCE_OFFICER, Level.PROVINCE, "01", ON)
    first_page = get(client_for(first), city_url())
    second_page = get(client_for(second), city_url())
    assert first_page.status_code == second_page.status_code == 200
    assert rendered == ["officer-anh"]  # the second reader's figures were not put together
    assert section_of(second_page) == section_of(first_page)
    # the page around the section is each reader's own: their name, their forms' tokens
    text = second_page.content.decode()
    assert "officer-binh" in text
    assert "officer-anh" not in text
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
    assert tokens
    assert not set(tokens) & set(
        re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', first_page.content.decode())
    )
    assert "csrfmiddlewaretoken" not in section_of(second_page)


def test_readers_with_other_roles_language_or_period_get_their_own_section(
    register: dict[str, Person],
    make_user: MakeUser,
    client_for: ClientFor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rendered = sections_rendered(monkeypatch)
    officer = make_user("officer-anh", Role.PROVINCE_OFFICER, Level.PROVINCE, "01", ON)
    wider = make_user("officer-chi", Role.PROVINCE_OFFICER, Level.PROVINCE, "01", ON)
    accounts.role_assign(
        user=wider,
        role=Role.DISTRICT_OFFICER,
        unit=unit_at(Level.DISTRICT, "004", ON),
        valid_from=SINCE,
    )
    client = client_for(officer)
    assert get(client, city_url()).status_code == 200
    assert get(client_for(wider), city_url()).status_code == 200
    assert rendered == ["officer-anh", "officer-chi"]
    # the same reader in English
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = get(client, city_url())
    assert "Headline indicators" in section_of(english)
    # another period is another address
    assert get(client, city_url("?period=2024Q2")).status_code == 200
    assert rendered == ["officer-anh", "officer-chi", "officer-anh", "officer-anh"]


def test_a_change_not_yet_committed_is_never_shared(
    register: dict[str, Person],
    city_officer: User,
    client_for: ClientFor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rendered = sections_rendered(monkeypatch)
    client = client_for(city_officer)
    before = deaths(get(client, city_url()))
    # this thread's transaction holds a death the others cannot see yet
    event(register["grandfather"], EventType.DEATH, date(2024, 9, 1))
    after = get(client, city_url())
    assert deaths(after) == before + 1
    again = get(client, city_url())
    assert deaths(again) == before + 1
    assert len(rendered) == 3


def test_a_page_reads_the_periods_epochs_once(
    register: dict[str, Person], city_officer: User, client_for: ClientFor
) -> None:
    """A dashboard asks for thirteen periods' figures; each asked for the epoch of its
    period's last change, thirteen queries of the same small table."""
    client = client_for(city_officer)
    with CaptureQueriesContext(connection) as queries:
        assert get(client, city_url()).status_code == 200
    table = FiguresChange._meta.db_table
    assert sum(table in query["sql"] for query in queries.captured_queries) == 1
