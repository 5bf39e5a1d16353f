"""The monthly cycle as collaborators live it (issue 17, point 2): the previous month stays
open until it is handed in, a handed-in month is locked until the commune returns it,
stale pages give a message (never a 500), a return shows on the collaborator's home, the
form offers only the persons in the village on the event's date and keeps what was typed,
and a save brings the collaborator back to the form."""

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.register import services
from danso.register.models import Collection, Event, Household, Person
from danso.register.vocabulary import EventType
from danso.units import services as units
from danso.units.codes import Level
from danso.units.models import Unit
from tests.conftest import unit_at

pytestmark = pytest.mark.django_db
JUNE = date(2024, 6, 1)
MAY = date(2024, 5, 1)
ON = date(2024, 6, 30)


def _village(code: str, name: str) -> Unit:
    return units.village_create(
        commune=unit_at(Level.COMMUNE, "118", ON),
        code=code,
        name=name,
        type="tổ dân phố",
        valid_from=date(2023, 6, 1),
    )


@pytest.fixture
def village() -> Unit:
    return _village("00118-T1", "Tổ dân phố 1")


@pytest.fixture
def other_village() -> Unit:
    return _village("00118-T2", "Tổ dân phố 2")


@pytest.fixture
def family(village: Unit) -> Household:
    household = services.household_create(
        unit=village, since=date(2023, 6, 1), number="12", address="ngõ 5"
    )
    for name, sex, born, relation in [
        ("Nguyễn Văn Hùng", "M", date(1988, 3, 4), "chu_ho"),
        ("Trần Thị Hòa", "F", date(1992, 7, 9), "vo_chong"),
    ]:
        services.person_add(
            household=household,
            registered_on=date(2023, 6, 1),
            data=services.PersonInput(name, sex, born, relation=relation),
        )
    return household


@pytest.fixture
def elsewhere(other_village: Unit) -> Household:
    return services.household_create(unit=other_village, since=date(2023, 6, 1), number="40")


@pytest.fixture
def collaborator(make_user: Callable[..., User], village: Unit) -> User:
    return make_user("ctv", Role.COLLABORATOR, Level.VILLAGE, "00118-T1", ON)


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user("nt", Role.COMMUNE_OFFICER, Level.COMMUNE, "118", ON)


def _form(village: Unit, month: date) -> str:
    return reverse("register:collection", args=[village.pk, f"{month:%Y-%m}"])


def _review() -> str:
    return reverse("register:review", args=[unit_at(Level.COMMUNE, "118", ON).pk])


def _mother() -> Person:
    return Person.objects.get(full_name="Trần Thị Hòa")


def _pregnancy(person: Person, day: str) -> dict[str, object]:
    return {
        "event_type": "pregnancy",
        "person": person.pk,
        "event_date": day,
        "note": "khám ở trạm",
        "action": "record",
    }


def _messages(response: object) -> str:
    return " ".join(str(m) for m in response.context["messages"])  # type: ignore[attr-defined]


# ---------------------------------------------------------------- 1. the previous month


def test_the_previous_month_is_offered_first_until_it_is_handed_in(
    family: Household, village: Unit, collaborator: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(collaborator)
    # a May event recorded in May's form, May not handed in; early June, the June form
    client.post(_form(village, MAY) + "?date=2024-05-20", _pregnancy(_mother(), "10/05/2024"))
    assert Collection.objects.get(unit=village, month=MAY).status == Collection.Status.OPEN

    page = client.get(_form(village, JUNE), {"date": "2024-06-02"}).content.decode()

    assert 'id="pending-month"' in page
    may = _form(village, MAY)
    assert f'href="{may}"' in page
    assert page.index(f'href="{may}"') < page.index('id="eventform"')
    # May is still open: an event can be added to it, then it is handed in
    added = client.post(may, _pregnancy(Person.objects.get(full_name="Trần Thị Hòa"), "12/05/2024"))
    assert added.status_code == 302
    client.post(may, {"action": "hand_in"})
    after = client.get(_form(village, JUNE), {"date": "2024-06-02"}).content.decode()
    assert 'id="pending-month"' not in after
    # the collaborator chooses the month: both are linked from the form
    assert f'href="{may}"' in after


# ---------------------------------------------------------------- 2. the lock


def test_a_handed_in_month_is_locked_until_the_commune_returns_it(
    family: Household,
    village: Unit,
    collaborator: User,
    officer: User,
    client_for: Callable[[User], Client],
) -> None:
    client = client_for(collaborator)
    url = _form(village, JUNE)
    client.post(url + "?date=2024-06-30", _pregnancy(_mother(), "10/06/2024"))
    client.post(url, {"action": "hand_in"})

    page = client.get(url, {"date": "2024-06-30"})
    stale = client.post(url, _pregnancy(_mother(), "11/06/2024"), follow=True)

    assert 'id="eventform"' not in page.content.decode()
    assert stale.status_code == 200
    assert "Tháng này đã nộp" in _messages(stale)
    assert Event.objects.count() == 1
    # the service refuses it too
    row = Collection.objects.get(unit=village, month=JUNE)
    with pytest.raises(ValidationError, match="đã nộp"):
        services.event_record(
            person=_mother(),
            data=services.EventInput(EventType.PREGNANCY, date(2024, 6, 12)),
            collection=row,
        )
    # returned by the commune: open again
    client_for(officer).post(
        _review() + "?month=2024-06&date=2024-06-30",
        {"collection": row.pk, "action": "return", "note": "Thiếu"},
    )
    again = client.post(url + "?date=2024-06-30", _pregnancy(_mother(), "13/06/2024"))
    assert again.status_code == 302
    assert Event.objects.count() == 2


# ---------------------------------------------------------------- 3. stale pages


def test_stale_actions_give_a_message_never_a_500(
    family: Household,
    village: Unit,
    collaborator: User,
    officer: User,
    client_for: Callable[[User], Client],
) -> None:
    client = client_for(collaborator)
    client.raise_request_exception = False
    commune = client_for(officer)
    commune.raise_request_exception = False
    url = _form(village, JUNE)
    client.post(url + "?date=2024-06-30", _pregnancy(_mother(), "10/06/2024"))
    client.post(url, {"action": "hand_in"})
    row = Collection.objects.get(unit=village, month=JUNE)
    first_hand_in = row.handed_in_at

    twice = client.post(url, {"action": "hand_in"}, follow=True)
    assert twice.status_code == 200
    assert "đã nộp" in _messages(twice)
    row.refresh_from_db()
    assert row.handed_in_at == first_hand_in

    commune.post(
        _review() + "?month=2024-06&date=2024-06-30", {"collection": row.pk, "action": "accept"}
    )
    row.refresh_from_db()
    assert row.status == Collection.Status.ACCEPTED
    # the collaborator's old tab: hand in, add
    for data in ({"action": "hand_in"}, _pregnancy(_mother(), "11/06/2024")):
        stale = client.post(url, data, follow=True)
        assert stale.status_code == 200
        assert "Tháng này đã được" in _messages(stale)
    # the officer's old tab: return or accept an accepted month
    for action in ("return", "accept"):
        stale = commune.post(
            _review() + "?month=2024-06&date=2024-06-30",
            {"collection": row.pk, "action": action, "note": "x"},
            follow=True,
        )
        assert stale.status_code == 200
        assert _messages(stale)
    row.refresh_from_db()
    assert row.status == Collection.Status.ACCEPTED
    assert Event.objects.count() == 1
    garbage = commune.post(_review(), {"collection": "abc", "action": "accept"}, follow=True)
    assert garbage.status_code in (200, 404)


def test_a_returned_month_cannot_be_returned_again_from_an_old_page(
    family: Household, village: Unit, officer: User, client_for: Callable[[User], Client]
) -> None:
    row = services.collection_open(unit=village, month=JUNE)
    services.collection_hand_in(collection=row, user=None)
    services.collection_return(collection=row, user=None, note="Thiếu một ca sinh")
    with pytest.raises(ValidationError):
        services.collection_return(collection=row, user=None, note="lần hai")
    stale = Collection.objects.get(pk=row.pk)  # a page read before the hand-in
    services.collection_hand_in(collection=row, user=None)
    with pytest.raises(ValidationError):
        services.collection_hand_in(collection=stale, user=None)
    row.refresh_from_db()
    assert row.note == "Thiếu một ca sinh"


# ---------------------------------------------------------------- 4. the return on the home


def test_a_return_shows_on_the_collaborators_home_with_the_note_and_a_link(
    family: Household,
    village: Unit,
    collaborator: User,
    officer: User,
    client_for: Callable[[User], Client],
) -> None:
    client = client_for(collaborator)
    url = _form(village, JUNE)
    client.post(url + "?date=2024-06-30", _pregnancy(_mother(), "10/06/2024"))
    client.post(url, {"action": "hand_in"})
    row = Collection.objects.get(unit=village, month=JUNE)
    assert 'id="returned-months"' not in client.get("/").content.decode()

    client_for(officer).post(
        _review() + "?month=2024-06&date=2024-06-30",
        {"collection": row.pk, "action": "return", "note": "Thiếu ca sinh ở hộ 12"},
    )
    home = client.get("/").content.decode()

    assert 'id="returned-months"' in home
    assert "Thiếu ca sinh ở hộ 12" in home
    assert f'href="{url}"' in home
    # handed in again: no longer shown
    client.post(url, {"action": "hand_in"})
    assert 'id="returned-months"' not in client.get("/").content.decode()


# ---------------------------------------------------------------- 5. the persons offered


def test_a_person_who_moved_within_the_ward_is_not_offered_and_is_refused_in_the_form(
    family: Household,
    village: Unit,
    elsewhere: Household,
    collaborator: User,
    client_for: Callable[[User], Client],
) -> None:
    mover = Person.objects.get(full_name="Nguyễn Văn Hùng")
    # moved within the ward to Tổ dân phố 2 on 5 June (recorded by the commune)
    services.event_record(
        person=mover,
        data=services.EventInput(EventType.MOVE_WITHIN, date(2024, 6, 5), to_household=elsewhere),
    )
    client = client_for(collaborator)
    url = _form(village, JUNE)

    page = client.get(url, {"type": "move_out", "date": "2024-06-30"}).content.decode()
    assert "Nguyễn Văn Hùng" not in page
    assert "Trần Thị Hòa" in page

    typed = {
        "event_type": "move_out",
        "person": mover.pk,
        "event_date": "20/06/2024",
        "to_place": "Đà Nẵng",
        "note": "ghi chú đã gõ",
        "action": "record",
    }
    refused = client.post(url + "?type=move_out", typed)
    body = refused.content.decode()
    # out of the collaborator's reach now: the privacy rule's 404 (nothing told about
    # the person), but the form again with what was typed, not an error page
    assert refused.status_code == 404
    assert 'id="eventform"' in body
    assert "errorlist" in body
    assert "Đà Nẵng" in body
    assert "ghi chú đã gõ" in body
    assert "20/06/2024" in body
    assert not Event.objects.filter(event_type=EventType.MOVE_OUT).exists()


def test_a_person_who_came_later_is_not_offered_for_an_earlier_date(
    family: Household,
    village: Unit,
    elsewhere: Household,
    collaborator: User,
    client_for: Callable[[User], Client],
) -> None:
    newcomer = services.person_add(
        household=elsewhere,
        registered_on=date(2023, 6, 1),
        data=services.PersonInput("Lê Thị Thu", "F", date(1995, 1, 1)),
    )
    # joined Tổ dân phố 1 on 10 July
    services.event_record(
        person=newcomer,
        data=services.EventInput(EventType.MOVE_WITHIN, date(2024, 7, 10), to_household=family),
    )
    client = client_for(collaborator)
    url = _form(village, JUNE)

    june = client.get(url, {"type": "pregnancy", "date": "2024-06-30"}).content.decode()
    july = client.get(_form(village, date(2024, 7, 1)), {"type": "pregnancy", "date": "2024-07-31"})
    refused = client.post(url, _pregnancy(newcomer, "15/06/2024"))

    assert "Lê Thị Thu" not in june
    assert "Lê Thị Thu" in july.content.decode()
    assert refused.status_code == 200
    assert "errorlist" in refused.content.decode()
    assert not Event.objects.filter(event_type=EventType.PREGNANCY).exists()


# ---------------------------------------------------------------- 6. where the page goes


def test_after_a_save_the_collaborator_comes_back_to_the_form(
    family: Household, village: Unit, collaborator: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(collaborator)
    url = _form(village, JUNE)

    saved = client.post(
        url + "?date=2024-06-30&type=pregnancy", _pregnancy(_mother(), "10/06/2024")
    )

    assert saved.status_code == 302
    assert saved["Location"].endswith("#eventform")
    page = client.get(saved["Location"].split("#")[0]).content.decode()
    assert 'id="eventform"' in page
