"""A merge of two records that both live in a household now: the officer says which stay
goes on, the other ends on the merge day (audited); and the merged-away record's page
says where the person is now."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.register import privacy, services
from danso.register.duplicates import person_merge
from danso.register.models import Household, Membership, Person
from danso.register.services import PersonInput
from danso.units.codes import Level
from tests.conftest import BEFORE, unit_at

pytestmark = pytest.mark.django_db
OPENING = date(2023, 6, 1)
LATER = date(2024, 3, 1)
MERGE_DAY = date(2024, 6, 30)
DAY = "2024-06-30"


def household(code: str, number: str) -> Household:
    return services.household_create(
        unit=unit_at(Level.COMMUNE, code, BEFORE), since=OPENING, number=number
    )


@pytest.fixture
def officer_user(make_user: Callable[..., User]) -> User:
    return make_user("nt", Role.COMMUNE_OFFICER, Level.COMMUNE, "118")


@pytest.fixture
def twice() -> tuple[Person, Person, Household, Household]:
    """Hoà in household 7 since 1/6/2023, and registered again in household 8 of the same
    ward from 1/3/2024: both stays current."""
    old_home, new_home = household("118", "7"), household("118", "8")
    born = date(1990, 11, 2)
    first = services.person_add(
        household=old_home,
        data=PersonInput("Nguyễn Thị Hoà", "F", born),
        registered_on=OPENING,
    )
    second = services.person_add(
        household=new_home,
        data=PersonInput("Nguyễn Thị Hòa", "F", born),
        registered_on=LATER,
    )
    return first, second, old_home, new_home


def _stays(person: Person) -> list[tuple[str, date, date | None]]:
    return [
        (m.household.number, m.valid_from, m.valid_to)
        for m in person.memberships.select_related("household").order_by("valid_from", "pk")
    ]


def test_two_current_stays_are_refused_without_a_choice(
    twice: tuple[Person, Person, Household, Household], officer_user: User
) -> None:
    first, second, _old, _new = twice
    with pytest.raises(ValidationError, match="một người chỉ thuộc một hộ"):
        person_merge(keep=first, merge=second, user=officer_user, reason="Ghi hai lần")


def test_the_later_household_goes_on_and_the_other_stay_ends_on_the_merge_day(
    twice: tuple[Person, Person, Household, Household], officer_user: User
) -> None:
    first, second, _old, new_home = twice
    # when the officer keeps the first record, the person living in household 8 now
    person_merge(
        keep=first,
        merge=second,
        user=officer_user,
        reason="Chuyển hộ không báo",
        continuing=second,
        on=MERGE_DAY,
    )
    # then the stay in household 7 ended on the merge day; household 8 is hers now
    assert _stays(first) == [("7", OPENING, MERGE_DAY), ("8", LATER, None)]
    assert privacy.current_household(first) == new_home
    # audited with who and why
    ended = Membership.objects.get(person=first, household__number="7")
    latest = ended.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (
        officer_user,
        "Chuyển hộ không báo",
    )


def test_the_earlier_household_goes_on(
    twice: tuple[Person, Person, Household, Household], officer_user: User
) -> None:
    first, second, old_home, _new = twice
    person_merge(
        keep=first,
        merge=second,
        user=officer_user,
        reason="Ghi nhầm ở hộ 8",
        continuing=first,
        on=MERGE_DAY,
    )
    # the stay in household 8 ended on the merge day, and household 7 stays hers: its
    # stay goes on from the next day (the current household is the stay begun last)
    assert _stays(first) == [
        ("7", OPENING, MERGE_DAY),
        ("8", LATER, MERGE_DAY),
        ("7", MERGE_DAY + timedelta(days=1), None),
    ]
    assert privacy.current_household(first) == old_home
    again = Membership.objects.get(person=first, valid_to__isnull=True)
    assert again.history.latest().history_user == officer_user


def test_a_stay_cannot_end_before_it_began(
    twice: tuple[Person, Person, Household, Household], officer_user: User
) -> None:
    first, second, _old, _new = twice
    with pytest.raises(ValidationError, match="01/03/2024"):
        person_merge(
            keep=first,
            merge=second,
            user=officer_user,
            reason="Ghi hai lần",
            continuing=first,
            on=date(2024, 2, 1),
        )
    assert _stays(second) == [("8", LATER, None)]  # nothing changed


def test_the_screen_merges_and_the_merged_record_points_to_the_kept_one(
    twice: tuple[Person, Person, Household, Household],
    officer_user: User,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    first, second, _old, _new = twice
    officer = client_for(officer_user)
    page = reverse("register:person", args=[second.pk])
    assert officer.get(page, {"date": DAY}).status_code == 200
    # when the officer merges on the duplicates screen, saying which stay goes on
    response = officer.post(
        reverse("register:duplicates") + f"?date={DAY}",
        {"keep": first.pk, "merge": second.pk, "continuing": second.pk, "reason": "Ghi hai lần"},
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.merged_into == first
    # then the merged record's page says where the person is now
    response = officer.get(page, {"date": DAY})
    assert response.status_code == 200
    html = response.content.decode()
    assert "đã được gộp vào" in html
    assert reverse("register:person", args=[first.pk]) in html
    assert "Nguyễn Thị Hoà" in html
    # a district officer is told too, the name masked
    district = client_for(make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4"))
    html = district.get(page, {"date": DAY}).content.decode()
    assert "đã được gộp vào" in html
    assert "N. T. H." in html
    assert "Nguyễn Thị Hoà" not in html
    # the officer of another ward learns nothing
    stranger = client_for(make_user("tt", Role.COMMUNE_OFFICER, Level.COMMUNE, "115"))
    response = stranger.get(page, {"date": DAY})
    assert response.status_code == 404
    html = response.content.decode()
    assert "gộp" not in html
    assert "Hoà" not in html
