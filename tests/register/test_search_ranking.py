"""Issue 17, point 7: a search that finds.  The closest names come first, a cut list
says so (with how to narrow it), and each hit says why it was found, in words."""

import re
from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.utils import translation

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.register import search, services
from danso.register.models import AccessLog, Household, Person
from danso.register.search import Match, names_matching, person_find, person_search, word_score
from danso.units.codes import Level
from danso.units.scope import UnitScope
from tests.conftest import BEFORE, unit_at
from tests.register.test_search import OPENING, add, names

pytestmark = pytest.mark.django_db
EVERYTHING = UnitScope.system(BEFORE)
SEARCH = "/register/search/"


@pytest.fixture
def many_ha() -> Household:
    """A household book of Phường Thượng Thanh where Nguyễn Thị Hà is 60 persons, and
    Nguyễn Thị Hoa and Nguyễn Thị Hảo one each."""
    ward = unit_at(Level.COMMUNE, "115", BEFORE)
    household = services.household_create(unit=ward, since=OPENING, number="7", source_id="HH-TT-7")
    for i in range(60):
        add(household, "Nguyễn Thị Hà", "F", date(1950 + i % 25, 1 + i % 12, 1))
    add(household, "Nguyễn Thị Hoa", "F", date(1980, 2, 3))
    add(household, "Nguyễn Thị Hảo", "F", date(1981, 4, 5), id_number="001181000777")
    return household


def officer_client(make_user: Callable[..., User], client_for: Callable[[User], Client]) -> Client:
    return client_for(make_user("tt", Role.COMMUNE_OFFICER, Level.COMMUNE, "115"))


def page(client: Client, **params: str) -> str:
    """The search screen on the day of the reference tree (the ward still stands)."""
    response = client.get(SEARCH, {**params, "date": BEFORE.isoformat()})
    assert response.status_code == 200
    return str(response.content.decode())


def rows(html: str) -> list[tuple[str, str]]:
    """(name, found by) of each row of the results."""
    found = re.findall(
        r'<td class="name"><a [^>]*>(.*?)</a>.*?<td class="opt small">(.*?)</td>', html, re.S
    )
    return [(name, reason) for name, reason in found]


# ---------------------------------------------------------------- the function


def test_the_closest_name_comes_first_then_the_other_near_ones(many_ha: Household) -> None:
    # when an officer types "ngyen thi hao" (a letter of Nguyễn missing)
    found = person_find("ngyen thi hao", EVERYTHING)
    # then Hảo (one letter off in all) comes first, Hoa (and two letters swapped) next,
    # then the Hà, although they are many and would fill the page
    assert names(found.hits)[:3] == ["Nguyễn Thị Hảo", "Nguyễn Thị Hoa", "Nguyễn Thị Hà"]
    assert found.hits[0].score > found.hits[1].score > found.hits[2].score
    # and the list says it was cut: 50 shown of the 62 that match
    assert len(found.hits) == 50
    assert (found.total, found.exact, found.cut) == (62, True, True)


def test_ties_are_broken_the_same_way_every_time(many_ha: Household) -> None:
    first = person_find("ngyen thi hao", EVERYTHING).hits
    again = person_find("ngyen thi hao", EVERYTHING).hits
    assert [hit.person.pk for hit in first] == [hit.person.pk for hit in again]
    ha = [hit.person for hit in first if hit.person.full_name == "Nguyễn Thị Hà"]
    assert [(p.birth_date, p.pk) for p in ha] == sorted((p.birth_date, p.pk) for p in ha)


def test_a_list_that_is_not_cut_says_nothing_of_a_cut(many_ha: Household) -> None:
    found = person_find("nguyen thi hoa", EVERYTHING, birth_year=1980)
    assert names(found.hits) == ["Nguyễn Thị Hoa"]
    assert (found.total, found.exact, found.cut) == (1, True, False)


def test_the_count_stops_at_a_bound(many_ha: Household, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "COUNT_MAX", 20)
    found = person_find("ngyen thi hao", EVERYTHING, limit=10)
    assert (len(found.hits), found.total, found.exact, found.cut) == (10, 20, False, True)
    assert names(found.hits)[:2] == ["Nguyễn Thị Hảo", "Nguyễn Thị Hoa"]


def test_the_diacritics_typed_order_the_persons_of_one_name(many_ha: Household) -> None:
    add(many_ha, "Nguyễn Thị Hao", "F", date(1979, 1, 1))  # another name, the same letters
    typed = person_search("Nguyễn Thị Hảo", EVERYTHING)
    assert names(typed)[:2] == ["Nguyễn Thị Hảo", "Nguyễn Thị Hao"]
    assert [hit.match for hit in typed[:2]] == [Match.EXACT, Match.EXACT]
    with translation.override("en"):
        assert [hit.reason for hit in typed[:2]] == ["same name", "same name, other diacritics"]
    plain = person_search("nguyen thi hao", EVERYTHING)  # typed without: both alike
    assert {hit.person.full_name for hit in plain[:2]} == {"Nguyễn Thị Hảo", "Nguyễn Thị Hao"}


def test_each_hit_says_why_in_words(many_ha: Household) -> None:
    with translation.override("vi"):
        typo = person_find("ngyen thi hao", EVERYTHING).hits
        assert [hit.reason for hit in typo[:3]] == [
            "gần đúng: 1 chữ khác",
            "gần đúng: 2 chữ khác",
            "gần đúng: 2 chữ khác",
        ]
        assert person_search("nguyen thi hao", EVERYTHING)[0].reason == "trùng tên"
        assert person_search("001181000777", EVERYTHING)[0].reason == "số định danh"
        assert person_search("000777", EVERYTHING)[0].reason == "cuối số định danh"
        assert person_search("", EVERYTHING, birth_year=1981)[0].reason == "năm sinh 1981"
        by_year = person_search("nguyen thi hao", EVERYTHING, birth_year=1981)
        assert by_year[0].reason == "trùng tên; năm sinh 1981"
        begun = person_search("nguyen thi ho", EVERYTHING)
        assert names(begun)[0] == "Nguyễn Thị Hoa"
        assert begun[0].reason == "trùng phần đầu tên"
        assert person_search("hoa nguyen thi", EVERYTHING)[0].reason == "trùng tên; khác thứ tự"
    for hit in typo:
        assert hit.reason
        assert "None" not in hit.reason


# ---------------------------------------------------------------- the screen


def test_the_screen_lists_the_closest_first_and_says_the_list_was_cut(
    many_ha: Household,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    client = officer_client(make_user, client_for)
    html = page(client, q="ngyen thi hao")
    listed = rows(html)
    assert len(listed) == 50
    assert listed[:3] == [
        ("Nguyễn Thị Hảo", "gần đúng: 1 chữ khác"),
        ("Nguyễn Thị Hoa", "gần đúng: 2 chữ khác"),
        ("Nguyễn Thị Hà", "gần đúng: 2 chữ khác"),
    ]
    assert all(reason and reason != "None" for _name, reason in listed)
    assert "Hiển thị 50 trên 62 kết quả phù hợp nhất; thêm năm sinh hoặc số hộ để thu hẹp." in html


def test_the_screen_narrows_by_year_and_household(
    many_ha: Household,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    client = officer_client(make_user, client_for)
    by_year = page(client, q="ngyen thi hao", year="1981")
    assert rows(by_year) == [("Nguyễn Thị Hảo", "gần đúng: 1 chữ khác; năm sinh 1981")]
    assert 'id="search-cut"' not in by_year
    by_household = page(client, household="7", year="1980")
    assert rows(by_household) == [("Nguyễn Thị Hoa", "năm sinh 1980; hộ 7")]


def test_a_bounded_count_is_said_as_more_than(
    many_ha: Household,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search, "COUNT_MAX", 55)
    text = page(officer_client(make_user, client_for), q="ngyen thi hao")
    assert "Hiển thị 50 trên hơn 55 kết quả, phù hợp nhất trước;" in text


def test_the_screen_in_english(
    many_ha: Household,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    client = officer_client(make_user, client_for)
    client.cookies["django_language"] = "en"
    html = page(client, q="ngyen thi hao")
    assert rows(html)[0] == ("Nguyễn Thị Hảo", "close: 1 letter different")
    assert "Showing 50 of 62 best-matching results;" in html


def test_a_district_officer_still_sees_initials_and_is_logged(
    many_ha: Household,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    district = make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4")
    html = page(client_for(district), q="ngyen thi hao")
    listed = rows(html)
    assert listed[0] == ("N. T. H.", "gần đúng: 1 chữ khác")
    assert "Nguyễn Thị" not in html.split("<tbody>")[1]
    logged = AccessLog.objects.filter(user=district).last()
    assert logged is not None
    hao = Person.objects.get(full_name="Nguyễn Thị Hảo")
    assert hao.pk in set(logged.person_rows.values_list("person_id", flat=True))


# ---------------------------------------------------------------- the text, no database


def test_word_grades_go_whole_swap_edit_then_begun() -> None:
    whole = word_score("hao", "hao", typos=True)
    swap = word_score("hao", "hoa", typos=True)
    edit = word_score("hao", "ha", typos=True)
    begun = word_score("ha", "hanh", typos=True)
    assert whole > swap > edit > begun > word_score("nguyen", "ngen", typos=True) > 0


def test_names_are_ranked_by_their_total_closeness() -> None:
    found = names_matching(
        ["ngyen", "thi", "hao"],
        ["nguyen thi ha", "nguyen thi hoa", "nguyen thi hao", "nguyen thi hoai"],
        typos=True,
    )
    ranked = sorted(found, key=lambda name: (-found[name].score, name))
    assert ranked == ["nguyen thi hao", "nguyen thi hoa", "nguyen thi ha"]
    assert [found[name].edits for name in ranked] == [1, 2, 2]
