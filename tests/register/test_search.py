"""Person search: diacritics ignored, typos tolerated, ID numbers, filters, the scope."""

from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytest_django import DjangoAssertNumQueries

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.accounts.scope import unit_scope
from danso.register import services
from danso.register.models import CollaboratorArea, Household, Person
from danso.register.privacy import Sight, VisibleHouseholds, households_visible
from danso.register.search import (
    Match,
    SearchHit,
    edit_distance,
    names_matching,
    person_search,
    word_score,
)
from danso.register.services import EventInput, PersonInput
from danso.register.vocabulary import EventType
from danso.units.codes import Level
from danso.units.scope import Action, UnitScope
from tests.conftest import BEFORE, TODAY, unit_at

pytestmark = pytest.mark.django_db
OPENING = date(2023, 6, 1)  # the reference tree begins on 7/5/2023
EVERYTHING = UnitScope.system(BEFORE)


def add(household: Household, name: str, sex: str, born: date, id_number: str = "") -> Person:
    return services.person_add(
        household=household,
        data=PersonInput(name, sex, born, id_number=id_number),
        registered_on=OPENING,
    )


@pytest.fixture
def thuong_thanh() -> Household:
    """A household of Phường Thượng Thanh (Long Biên)."""
    ward = unit_at(Level.COMMUNE, "115", BEFORE)
    household = services.household_create(
        unit=ward, since=OPENING, number="12", source_id="HH-TT-12"
    )
    add(household, "Nguyễn Thị Hòa", "F", date(1985, 3, 4), id_number="001185012345")
    add(household, "Nguyễn Thị Hảo", "F", date(1987, 9, 1))
    add(household, "Trần Văn Hùng", "M", date(1983, 1, 20), id_number="001083099999")
    return household


@pytest.fixture
def ngoc_thuy() -> Household:
    """A household of Phường Ngọc Thụy, the ward next door."""
    ward = unit_at(Level.COMMUNE, "118", BEFORE)
    household = services.household_create(
        unit=ward, since=OPENING, number="12", source_id="HH-NT-12"
    )
    add(household, "Nguyễn Thị Hoà", "F", date(1990, 11, 2))  # the old tone-mark placement
    add(household, "Lê Văn Nam", "M", date(1960, 5, 5))
    return household


def names(hits: list[SearchHit]) -> list[str]:
    return [hit.person.full_name for hit in hits]


def test_diacritics_and_case_are_ignored(thuong_thanh: Household) -> None:
    # given the register of Thượng Thanh
    # when an officer types the name without diacritics
    hits = person_search("Nguyen Thi Hoa", EVERYTHING)
    # then Nguyễn Thị Hòa comes first, as an exact match
    assert hits[0].person.full_name == "Nguyễn Thị Hòa"
    assert (hits[0].score, hits[0].match) == (1.0, Match.EXACT)


def test_where_the_tone_mark_sits_does_not_matter(
    thuong_thanh: Household, ngoc_thuy: Household
) -> None:
    hits = person_search("Nguyễn Thị Hoà", EVERYTHING)
    assert {hit.person.birth_date.year for hit in hits if hit.match is Match.EXACT} == {
        1985,
        1990,
    }


def test_two_swapped_letters_still_find_her_below_the_exact_match(
    thuong_thanh: Household,
) -> None:
    # when the officer swaps two letters of "hoa"
    hits = person_search("nguyen thi hao", EVERYTHING)
    # then Nguyễn Thị Hảo, whose name it is, comes first, and Nguyễn Thị Hòa after her
    assert names(hits)[:2] == ["Nguyễn Thị Hảo", "Nguyễn Thị Hòa"]
    assert hits[1].match is Match.TYPO
    assert hits[1].score < hits[0].score


def test_a_missing_letter_still_finds_her(thuong_thanh: Household) -> None:
    assert "Nguyễn Thị Hòa" in names(person_search("nguyen th hoa", EVERYTHING))
    typed = person_search("ngyen thi hoa", EVERYTHING)  # a letter missing in the middle
    assert names(typed)[0] == "Nguyễn Thị Hòa"
    assert typed[0].match is Match.TYPO


def test_words_in_another_order_and_an_unfinished_word(thuong_thanh: Household) -> None:
    assert names(person_search("hoa nguyen", EVERYTHING))[0] == "Nguyễn Thị Hòa"
    assert set(names(person_search("nguyen thi h", EVERYTHING))) == {
        "Nguyễn Thị Hòa",
        "Nguyễn Thị Hảo",
    }


def test_a_name_not_in_the_register_finds_nobody(thuong_thanh: Household) -> None:
    assert person_search("pham quoc bao", EVERYTHING) == []
    assert person_search("   ", EVERYTHING) == []


def test_an_id_number_whole_or_its_end(thuong_thanh: Household) -> None:
    whole = person_search("001185012345", EVERYTHING)
    assert names(whole) == ["Nguyễn Thị Hòa"]
    assert whole[0].match is Match.ID_NUMBER
    ending = person_search("012345", EVERYTHING)
    assert names(ending) == ["Nguyễn Thị Hòa"]
    assert ending[0].match is Match.ID_NUMBER_END
    assert person_search("345", EVERYTHING) == []  # too short to search the ends


def test_the_birth_year_narrows_the_search(thuong_thanh: Household, ngoc_thuy: Household) -> None:
    assert len(person_search("nguyen thi hoa", EVERYTHING)) >= 2
    born_1990 = person_search("nguyen thi hoa", EVERYTHING, birth_year=1990)
    assert [hit.person.birth_date for hit in born_1990] == [date(1990, 11, 2)]
    # a year typed in the query does the same
    assert names(person_search("nguyen thi hoa 1990", EVERYTHING)) == names(born_1990)


def test_the_household_by_number_or_source_id(
    thuong_thanh: Household, ngoc_thuy: Household
) -> None:
    in_both = person_search("", EVERYTHING, household="12")
    assert len(in_both) == 5  # number 12 in each ward's book
    by_id = person_search("nguyen", EVERYTHING, household="HH-NT-12")
    assert names(by_id) == ["Nguyễn Thị Hoà"]
    assert {hit.household for hit in by_id} == {ngoc_thuy}


def test_a_ward_officer_does_not_find_the_persons_of_another_ward(
    make_user: Callable[..., User], thuong_thanh: Household, ngoc_thuy: Household
) -> None:
    # given an officer of Thượng Thanh
    officer = make_user("tt", Role.COMMUNE_OFFICER, Level.COMMUNE, "115")
    scope = unit_scope(officer, BEFORE, today=TODAY)
    # when they look for Nguyễn Thị Hòa, and for Lê Văn Nam of Ngọc Thụy
    hits = person_search("nguyen thi hoa", scope, user=officer)
    # then they find the one of their ward only, and not Lê Văn Nam, by name or by number
    assert {hit.household for hit in hits} == {thuong_thanh}
    assert person_search("le van nam", scope, user=officer) == []
    assert person_search("", scope, user=officer, household="HH-NT-12") == []


def test_households_kept_by_a_collaborator_outside_villages_are_searched(
    make_user: Callable[..., User], thuong_thanh: Household, ngoc_thuy: Household
) -> None:
    # given an officer of Thượng Thanh who also keeps a household of Ngọc Thụy
    officer = make_user("tt", Role.COMMUNE_OFFICER, Level.COMMUNE, "115")
    CollaboratorArea.objects.create(user=officer, household=ngoc_thuy, valid_from=OPENING)
    scope = unit_scope(officer, BEFORE, today=TODAY)
    # then its persons are found, as households_visible shows them, and no others
    found = person_search("le van nam", scope, user=officer)
    assert [hit.person.full_name for hit in found] == ["Lê Văn Nam"]
    assert person_search("le van nam", scope) == []  # without the user: the units only


@pytest.mark.parametrize("action", [Action.VIEW_RECORDS, Action.VIEW_PERSONS])
def test_the_scope_check_is_households_visible(
    make_user: Callable[..., User],
    thuong_thanh: Household,
    ngoc_thuy: Household,
    action: Action,
) -> None:
    collaborator = make_user("tt", Role.COMMUNE_OFFICER, Level.COMMUNE, "115")
    CollaboratorArea.objects.create(user=collaborator, household=ngoc_thuy, valid_from=OPENING)
    district = make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4")
    every = set(Household.objects.values_list("pk", flat=True))
    for user in (collaborator, district, None):
        scope = unit_scope(user, BEFORE, today=TODAY) if user else EVERYTHING
        expected = set(households_visible(scope, user, action).values_list("pk", flat=True))
        assert VisibleHouseholds(scope, user, action)(every) == expected


def test_a_person_who_moved_away_is_found_where_they_live_now(
    make_user: Callable[..., User], thuong_thanh: Household, ngoc_thuy: Household
) -> None:
    hung = Person.objects.get(full_name="Trần Văn Hùng")
    services.event_record(person=hung, data=EventInput(EventType.MOVE_OUT, date(2024, 2, 1)))
    services.event_record(
        person=hung,
        data=EventInput(EventType.MOVE_IN, date(2024, 2, 2), household=ngoc_thuy),
    )
    thuong = make_user("tt", Role.COMMUNE_OFFICER, Level.COMMUNE, "115")
    ngoc = make_user("nt", Role.COMMUNE_OFFICER, Level.COMMUNE, "118")
    assert person_search("tran van hung", unit_scope(thuong, BEFORE, today=TODAY)) == []
    found = person_search("tran van hung", unit_scope(ngoc, BEFORE, today=TODAY))
    assert [(hit.person, hit.household) for hit in found] == [(hung, ngoc_thuy)]


def test_a_district_officer_finds_persons_but_sees_initials(
    make_user: Callable[..., User], thuong_thanh: Household
) -> None:
    officer = make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4")
    hits = person_search("nguyen thi hoa", unit_scope(officer, BEFORE, today=TODAY), user=officer)
    assert hits[0].sight is Sight.MASKED
    assert hits[0].shown.name == "N. T. H."
    ward = make_user("tt", Role.COMMUNE_OFFICER, Level.COMMUNE, "115")
    own = person_search("nguyen thi hoa", unit_scope(ward, BEFORE, today=TODAY), user=ward)
    assert own[0].shown.name == "Nguyễn Thị Hòa"


def test_a_merged_record_is_not_found(thuong_thanh: Household, ngoc_thuy: Household) -> None:
    twice = Person.objects.get(full_name="Nguyễn Thị Hoà")
    twice.merged_into = Person.objects.get(full_name="Nguyễn Thị Hòa")
    twice.save(update_fields=["merged_into"])
    found = person_search("nguyen thi hoa", EVERYTHING)
    assert twice not in [hit.person for hit in found]
    assert [hit.person.birth_date.year for hit in found if hit.match is Match.EXACT] == [1985]


def test_the_limit_and_a_bounded_number_of_queries(
    thuong_thanh: Household, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for i in range(30):
        add(thuong_thanh, "Nguyễn Văn An", "M", date(1950 + i, 1, 1))
    with django_assert_max_num_queries(12):
        hits = person_search("nguyen", EVERYTHING, limit=10)
    assert len(hits) == 10


# ---------------------------------------------------------------- the text, no database


def test_edit_distance_counts_a_swap_as_one_edit() -> None:
    assert edit_distance("hoa", "hao", 2) == 1
    assert edit_distance("nguyen", "ngyen", 2) == 1
    assert edit_distance("nguyen", "nguyne", 2) == 1
    assert edit_distance("thanh", "thinh", 2) == 1
    assert edit_distance("hoa", "lan", 2) == 3  # beyond the limit: limit + 1


def full_table(a: str, b: str) -> int:
    """The textbook table of the optimal string alignment distance."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(
                d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


@given(st.text("ahno", max_size=7), st.text("ahno", max_size=7), st.integers(0, 3))
def test_edit_distance_is_the_full_table_cut_at_the_limit(a: str, b: str, limit: int) -> None:
    assert edit_distance(a, b, limit) == min(full_table(a, b), limit + 1)
    assert edit_distance(b, a, limit) == edit_distance(a, b, limit)


def test_one_letter_gets_no_typos_and_long_words_two() -> None:
    assert word_score("h", "k", typos=True) == 0.0
    assert word_score("dc", "duc", typos=True) > 0
    assert word_score("hoa", "hao", typos=True) > 0
    assert word_score("hoa", "khoa", typos=True) > 0
    assert word_score("hoa", "han", typos=True) == 0.0
    assert word_score("nguyen", "ngyuen", typos=True) > 0
    assert word_score("nguyen", "nguen", typos=True) > word_score("nguyen", "ngen", typos=True)


def test_exact_names_rank_above_longer_ones_and_typos() -> None:
    found = names_matching(
        ["nguyen", "thi", "hoa"],
        ["nguyen thi hoa", "nguyen thi thu hoa", "nguyen thi hao", "tran thi hoa"],
        typos=True,
    )
    ranked = sorted(found, key=lambda name: -found[name][0])
    assert ranked == ["nguyen thi hoa", "nguyen thi thu hoa", "nguyen thi hao"]
