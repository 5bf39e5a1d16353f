"""The screens of the household book: a collaborator's monthly form, the commune officer's
review, the household sheet, persons read from outside the commune."""

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.audit import acting_as
from danso.register import services
from danso.register.models import AccessLog, Collection, Event, Household, Membership, Person
from danso.register.vocabulary import EventType
from danso.units import services as units
from danso.units.codes import Level
from danso.units.models import Unit
from tests.conftest import unit_at

pytestmark = pytest.mark.django_db
OPENING = date(2021, 1, 1)
MONTH = date(2024, 6, 1)


@pytest.fixture
def village() -> Unit:
    return units.village_create(
        commune=unit_at(Level.COMMUNE, "118", date(2024, 6, 30)),
        code="00118-T1",
        name="Tổ dân phố 1",
        type="tổ dân phố",
        valid_from=date(2023, 6, 1),
    )


@pytest.fixture
def family(village: Unit) -> Household:
    household = services.household_create(
        unit=village, since=date(2023, 6, 1), number="12", address="ngõ 5"
    )
    for name, sex, born, relation in [
        ("Nguyễn Văn Hùng", "M", date(1988, 3, 4), "chu_ho"),
        ("Trần Thị Hòa", "F", date(1992, 7, 9), "vo_chong"),
        ("Nguyễn Thị Mai", "F", date(2016, 2, 1), "con"),
    ]:
        services.person_add(
            household=household,
            registered_on=date(2023, 6, 1),
            data=services.PersonInput(name, sex, born, relation=relation),
        )
    return household


@pytest.fixture
def collaborator(make_user: Callable[..., User], village: Unit) -> User:
    return make_user("ctv", Role.COLLABORATOR, Level.VILLAGE, "00118-T1", date(2024, 6, 30))


def test_a_collaborator_records_the_month_and_the_commune_accepts_it(
    family: Household,
    village: Unit,
    collaborator: User,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    client = client_for(collaborator)
    url = reverse("register:collection", args=[village.pk, "2024-06"])
    mother = Person.objects.get(full_name="Trần Thị Hòa")
    head = Person.objects.get(full_name="Nguyễn Văn Hùng")
    form = client.get(url, {"type": "birth", "date": "2024-06-30"})
    assert form.status_code == 200
    assert "Trần Thị Hòa" in form.content.decode()
    # a birth
    response = client.post(
        url + "?date=2024-06-30",
        {
            "event_type": "birth",
            "person": mother.pk,
            "event_date": "12/06/2024",
            "child_name": "Nguyễn Minh An",
            "child_sex": "M",
            "birth_order": "2",
            "action": "record",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    # a move out and a contraception start
    client.post(
        url,
        {
            "event_type": "move_out",
            "person": head.pk,
            "event_date": "20/06/2024",
            "to_place": "TP Hồ Chí Minh",
            "action": "record",
        },
    )
    client.post(
        url,
        {
            "event_type": "contraception_start",
            "person": mother.pk,
            "event_date": "25/06/2024",
            "method": "pill",
            "supply": "free",
            "action": "record",
        },
    )
    kinds = sorted(Event.objects.values_list("event_type", flat=True))
    assert kinds == [EventType.BIRTH, EventType.CONTRACEPTION_START, EventType.MOVE_OUT]
    birth = Event.objects.get(event_type=EventType.BIRTH)
    assert birth.child is not None
    assert birth.child.birth_date == date(2024, 6, 12)
    assert birth.unit_id == village.pk
    # the rules are applied: a birth to the eight-year-old is refused, nothing written
    child = Person.objects.get(full_name="Nguyễn Thị Mai")
    refused = client.post(
        url,
        {
            "event_type": "birth",
            "person": child.pk,
            "event_date": "26/06/2024",
            "child_sex": "F",
            "action": "record",
        },
    )
    assert refused.status_code == 200
    assert Event.objects.count() == 3
    # the month is handed in and accepted
    client.post(url, {"action": "hand_in"})
    officer = client_for(
        make_user("nt", Role.COMMUNE_OFFICER, Level.COMMUNE, "118", date(2024, 6, 30))
    )
    review = reverse("register:review", args=[unit_at(Level.COMMUNE, "118", date(2024, 6, 30)).pk])
    page = officer.get(review, {"month": "2024-06", "date": "2024-06-30"})
    assert "Tổ dân phố 1" in page.content.decode()
    row = Collection.objects.get(unit=village, month=MONTH)
    officer.post(review + "?month=2024-06", {"collection": row.pk, "action": "accept"})
    row.refresh_from_db()
    assert row.status == Collection.Status.ACCEPTED
    assert row.accepted_by is not None


def test_the_checks_answer_while_the_form_is_filled_in(
    family: Household,
    village: Unit,
    collaborator: User,
    client_for: Callable[[User], Client],
) -> None:
    client = client_for(collaborator)
    child = Person.objects.get(full_name="Nguyễn Thị Mai")
    check = reverse("register:event_check", args=[village.pk]) + "?date=2024-06-30"
    answer = client.post(
        check, {"event_type": "birth", "person": child.pk, "event_date": "26/06/2024"}
    )
    assert answer.status_code == 200
    assert "errorlist" in answer.content.decode()
    fine = client.post(
        check, {"event_type": "elderly_checkup", "person": child.pk, "event_date": "26/06/2024"}
    )
    assert "errorlist" not in fine.content.decode()


def test_the_household_sheet_shows_members_methods_and_changes(
    family: Household,
    collaborator: User,
    client_for: Callable[[User], Client],
) -> None:
    mother = Person.objects.get(full_name="Trần Thị Hòa")
    services.event_record(
        person=mother,
        data=services.EventInput(
            EventType.CONTRACEPTION_START, date(2024, 3, 10), method="iud", supply="free"
        ),
    )
    html = (
        client_for(collaborator)
        .get(reverse("register:household", args=[family.pk]), {"date": "2024-06-30"})
        .content.decode()
    )
    assert "Nguyễn Văn Hùng" in html
    assert html.count("Dụng cụ tử cung") >= 4  # March to June
    assert "10/03/2024" in html


def test_a_district_officer_sees_initials_and_opening_a_person_is_logged(
    family: Household,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    district = client_for(make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4"))
    sheet = district.get(
        reverse("register:households", args=[family.unit_id]), {"date": "2024-06-30"}
    ).content.decode()
    assert "Nguyễn Văn Hùng" not in sheet
    assert "N. V. H." in sheet
    head = Person.objects.get(full_name="Nguyễn Văn Hùng")
    page = district.get(reverse("register:person", args=[head.pk]), {"date": "2024-06-30"})
    assert page.status_code == 200
    assert "Nguyễn Văn Hùng" not in page.content.decode()
    assert "N. V. H." in page.content.decode()
    assert AccessLog.objects.filter(
        person_rows__person=head, user__username="lb", where="person"
    ).exists()


def test_the_commune_officer_sees_the_audit_trail_of_a_household(
    family: Household,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    officer = make_user("nt", Role.COMMUNE_OFFICER, Level.COMMUNE, "118")
    mother = Person.objects.get(full_name="Trần Thị Hòa")
    with acting_as(officer):
        services.event_record(
            person=mother,
            data=services.EventInput(EventType.MOVE_OUT, date(2024, 5, 2), to_place="Bắc Ninh"),
            user=officer,
        )
    sheet = (
        client_for(officer)
        .get(reverse("register:household", args=[family.pk]), {"date": "2024-06-30"})
        .content.decode()
    )
    trail = sheet.split("Lịch sử thay đổi của bản ghi")[1]
    assert "Thành viên: Trần Thị Hòa" in trail
    assert "Thành viên: Trần Thị Hòa · Đã thay đổi · nt" in trail  # what, who
    district = client_for(make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4"))
    page = district.get(reverse("register:household", args=[family.pk]), {"date": "2024-06-30"})
    assert "Lịch sử thay đổi của bản ghi" not in page.content.decode()


def test_another_ward_sees_nothing(
    family: Household,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    # Not even that the household or the person exists: 404, as for a record that does not.
    other = client_for(make_user("tt", Role.COMMUNE_OFFICER, Level.COMMUNE, "115"))
    head = Person.objects.get(full_name="Nguyễn Văn Hùng")
    assert (
        other.get(
            reverse("register:household", args=[family.pk]), {"date": "2024-06-30"}
        ).status_code
        == 404
    )
    assert (
        other.get(reverse("register:person", args=[head.pk]), {"date": "2024-06-30"}).status_code
        == 404
    )


def test_the_api_gives_the_register_in_scope(
    family: Household,
    collaborator: User,
    make_user: Callable[..., User],
) -> None:
    def api(user: User) -> Client:
        return Client(headers={"Authorization": f"Token {Token.objects.create(user=user)}"})

    own = api(collaborator)
    people = own.get("/api/v1/persons/", {"date": "2024-06-30"}).json()
    assert {p["full_name"] for p in people["results"]} >= {"Nguyễn Văn Hùng"}
    mother = Person.objects.get(full_name="Trần Thị Hòa")
    made = own.post(
        "/api/v1/events/?date=2024-06-30",
        {
            "event_type": "contraception_start",
            "event_date": "2024-06-05",
            "person": mother.pk,
            "method": "condom",
            "supply": "social_marketing",
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["method"] == "condom"
    district = api(make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4"))
    masked = district.get("/api/v1/persons/", {"date": "2024-06-30"}).json()
    assert "Nguyễn Văn Hùng" not in {p["full_name"] for p in masked["results"]}
    other = api(make_user("tt", Role.COMMUNE_OFFICER, Level.COMMUNE, "115"))
    assert other.get("/api/v1/households/", {"date": "2024-06-30"}).json()["count"] == 0


def test_the_form_writes_large_ids_without_thousands_separators(
    village: Unit, collaborator: User, client_for: Callable[[User], Client]
) -> None:
    # Vietnamese number format puts dots in numbers; ids in a form must stay plain digits,
    # or the choice of a person or household numbered 1.234.567 is lost (a browser test
    # failed this way on PostgreSQL, where ids grow large across the suite).
    household = Household.objects.create(
        pk=2_345_678, source_id="H-LARGE", unit=village, number="99"
    )
    woman = Person.objects.create(
        pk=1_234_567,
        source_id="P-LARGE",
        full_name="Đỗ Thị Lan",
        name_folded="do thi lan",
        sex="F",
        birth_date=date(1990, 1, 1),
        registered_on=date(2023, 6, 1),
    )
    Membership.objects.create(person=woman, household=household, valid_from=date(2023, 6, 1))
    url = reverse("register:collection", args=[village.pk, "2024-06"])
    client = client_for(collaborator)

    births = client.get(url, {"type": "birth", "date": "2024-06-30"}).content.decode()
    moves = client.get(url, {"type": "move_in", "date": "2024-06-30"}).content.decode()

    assert 'value="1234567"' in births
    assert 'value="2345678"' in moves


def test_the_form_takes_ages_in_the_month_collected_not_today(
    family: Household, village: Unit, collaborator: User, client_for: Callable[[User], Client]
) -> None:
    # turns 60 in September 2024: not yet due an elderly check-up in June 2024
    services.person_add(
        household=family,
        registered_on=date(2023, 6, 1),
        data=services.PersonInput("Phạm Văn Thọ", "M", date(1964, 9, 1)),
    )
    url = reverse("register:collection", args=[village.pk, "2024-06"])
    client = client_for(collaborator)

    june = client.get(url, {"type": "elderly_checkup", "date": "2024-06-30"}).content.decode()
    url = reverse("register:collection", args=[village.pk, "2024-10"])
    october = client.get(url, {"type": "elderly_checkup", "date": "2024-10-31"}).content.decode()

    assert "Phạm Văn Thọ" not in june
    assert "Phạm Văn Thọ · 60" in october
