"""One set of rules on the three paths into the register (issue 14, point 4): the monthly
form, the API and the importer refuse the same impossible entries, with Vietnamese
messages naming the field, and record the doubtful ones with their warnings (flags)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.register import services
from danso.register.models import Event, Flag, Household, Person
from danso.units import services as units
from danso.units.codes import Level
from danso.units.models import Unit
from tests.conftest import AFTER, BEFORE, unit_at
from tests.register.conftest import Rows, _event, _person, counts, errors_at, import_book

pytestmark = pytest.mark.django_db

SINCE = date(2023, 6, 1)
Book = dict[str, Rows]


@pytest.fixture
def village() -> Unit:
    return units.village_create(
        commune=unit_at(Level.COMMUNE, "118", BEFORE),
        code="00118-T1",
        name="Tổ dân phố 1",
        type="tổ dân phố",
        valid_from=SINCE,
    )


@pytest.fixture
def family(village: Unit) -> Household:
    household = services.household_create(unit=village, since=SINCE, number="12")
    for name, sex, born in [
        ("Nguyễn Văn Hùng", "M", date(1988, 3, 4)),
        ("Trần Thị Hòa", "F", date(1992, 7, 9)),
    ]:
        services.person_add(
            household=household,
            registered_on=SINCE,
            data=services.PersonInput(name, sex, born),
        )
    return household


@pytest.fixture
def collaborator(make_user: Callable[..., User], village: Unit) -> User:
    return make_user("ctv", Role.COLLABORATOR, Level.VILLAGE, "00118-T1", date(2024, 6, 30))


def api(user: User) -> Client:
    return Client(headers={"Authorization": f"Token {Token.objects.create(user=user)}"})


# ---------------------------------------------------------------- the monthly form


def test_the_form_refuses_a_birth_in_the_future(
    family: Household, village: Unit, collaborator: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(collaborator)
    mother = Person.objects.get(full_name="Trần Thị Hòa")
    url = reverse("register:collection", args=[village.pk, "2024-06"]) + "?date=2024-06-30"
    page = client.post(
        url,
        {
            "event_type": "birth",
            "person": mother.pk,
            "event_date": "15/03/2027",
            "child_sex": "F",
            "action": "record",
        },
    )
    assert page.status_code == 200
    assert "Ngày 15/03/2027 ở tương lai." in page.content.decode()
    assert not Event.objects.exists()
    check = reverse("register:event_check", args=[village.pk]) + "?date=2024-06-30"
    answer = client.post(
        check, {"event_type": "birth", "person": mother.pk, "event_date": "15/03/2027"}
    ).content.decode()
    assert "errorlist" in answer
    assert "tương lai" in answer


def test_the_form_shows_a_warning_before_saving_and_saves_anyway(
    family: Household, village: Unit, collaborator: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(collaborator)
    mother = Person.objects.get(full_name="Trần Thị Hòa")
    stop = {
        "event_type": "contraception_stop",
        "person": mother.pk,
        "event_date": "10/06/2024",
        "method": "implant",
    }
    check = reverse("register:event_check", args=[village.pk]) + "?date=2024-06-30"
    answer = client.post(check, stop).content.decode()
    assert "errorlist" not in answer
    assert "Cần kiểm tra" in answer
    assert "thuốc cấy" in answer
    url = reverse("register:collection", args=[village.pk, "2024-06"]) + "?date=2024-06-30"
    saved = client.post(url, {**stop, "action": "record"}, follow=True)
    event = Event.objects.get()
    assert event.flags.get().rule == "stop_without_start"
    assert event.flags.get().recorded_by == collaborator
    assert "Cần kiểm tra: Ngừng sử dụng thuốc cấy" in saved.content.decode()


# ---------------------------------------------------------------- the API


def test_the_api_refuses_errors_with_400_naming_the_field_in_vietnamese(
    family: Household, collaborator: User
) -> None:
    client = api(collaborator)
    mother = Person.objects.get(full_name="Trần Thị Hòa")
    father = Person.objects.get(full_name="Nguyễn Văn Hùng")
    future = client.post(
        "/api/v1/events/?date=2024-06-30",
        {"event_type": "birth", "event_date": "2027-03-15", "person": mother.pk},
        content_type="application/json",
    )
    assert future.status_code == 400
    assert future.json() == {"event_date": ["Ngày 15/03/2027 ở tương lai."]}
    man = client.post(
        "/api/v1/events/?date=2024-06-30",
        {"event_type": "birth", "event_date": "2024-06-01", "person": father.pk},
        content_type="application/json",
    )
    assert man.status_code == 400
    assert man.json() == {"person": ["Sự kiện sinh được ghi cho người mẹ, người này phải là nữ."]}
    assert not Event.objects.exists()


def test_the_api_records_a_doubtful_event_and_returns_its_warnings(
    family: Household, collaborator: User
) -> None:
    mother = Person.objects.get(full_name="Trần Thị Hòa")
    made = api(collaborator).post(
        "/api/v1/events/?date=2024-06-30",
        {
            "event_type": "contraception_stop",
            "event_date": "2024-06-05",
            "person": mother.pk,
            "method": "implant",
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["warnings"] == [
        {
            "rule": "stop_without_start",
            "field": "method",
            "message": "Ngừng sử dụng thuốc cấy tránh thai nhưng sổ chưa ghi lần bắt đầu sử "
            "dụng biện pháp này.",
        }
    ]
    assert Flag.objects.get().event_id == made.json()["id"]


# ---------------------------------------------------------------- the importer


def test_the_importer_refuses_future_dates(tmp_path: Path, small: Book) -> None:
    small["events"].append(_event("E6", "elderly_checkup", "2027-03-15", "P4"))
    small["persons"].append(
        _person("P7", "H2", "Lê Văn Sau", "M", "2027-01-01", "con", "", "2027-01-01")
    )
    before = counts()
    report = import_book(tmp_path / "book", small)
    assert counts() == before
    assert {("events.csv", 7, "event_date"), ("persons.csv", 8, "birth_date")} <= errors_at(report)
    messages = {p.message for p in report.errors}
    assert "Ngày 15/03/2027 ở tương lai." in messages
    assert "Ngày sinh 01/01/2027 ở tương lai." in messages


def test_the_importer_lists_warnings_at_their_row_and_flags_them(
    tmp_path: Path, small: Book
) -> None:
    small["persons"][0]["id_number"] = "12AB"  # P1, line 2
    small["persons"][1]["id_number"] = "001185012345"  # P2, line 3
    small["persons"][2]["id_number"] = "001185012345"  # P3, line 4
    small["persons"].append(_person("P7", "H2", "Lê Văn Cụ", "M", "1900", "bo_me", "goa"))
    small["persons"].append(_person("P8", "H2", "Lê Thị Nhỏ", "F", "2008-05-01", "con", ""))
    small["events"] += [
        _event("E6", "contraception_stop", "2024-07-01", "P2", method="implant"),  # line 7
        _event("E7", "marriage", "2024-06-01", "P8"),  # line 8
        _event("E8", "contraception_stop", "2024-07-02", "P2", method="iud"),  # line 9: fine
    ]
    small["events"][0]["birth_order"] = "1"  # E1: fine (her first birth recorded)
    report = import_book(tmp_path / "book", small, dry_run=True)
    assert report.errors == []
    warned = {(p.file, p.line, p.column) for p in report.problems if p.severity == "warning"}
    assert warned == {
        ("persons.csv", 2, "id_number"),
        ("persons.csv", 3, "id_number"),
        ("persons.csv", 4, "id_number"),
        ("persons.csv", 8, "birth_date"),
        ("events.csv", 7, "method"),
        ("events.csv", 8, "person_id"),
    }
    assert not Flag.objects.exists()  # a dry run records nothing
    report = import_book(tmp_path / "again", small)
    assert report.imported["events"] == 8
    flags = {
        (f.rule, f.event.source_id if f.event else f.person.source_id if f.person else "")
        for f in Flag.objects.select_related("event", "person")
    }
    assert flags == {
        ("id_number_shape", "P1"),
        ("id_number_used", "P2"),
        ("id_number_used", "P3"),
        ("age_over_110", "P7"),
        ("stop_without_start", "E6"),
        ("child_marriage", "E7"),
    }
    assert all(f.path and f.unit_id for f in Flag.objects.all())
    # imported again: unchanged, no new flag
    again = import_book(tmp_path / "third", small)
    assert again.imported == dict.fromkeys(again.imported, 0)
    assert Flag.objects.count() == 6


def test_the_importer_checks_a_birth_order_against_the_mothers_births(
    tmp_path: Path, small: Book
) -> None:
    import_book(tmp_path / "first", small)  # E1: P2's birth of 10/03/2024
    small["persons"].append(
        _person("P9", "H1", "Nguyễn Văn Út", "M", "2025-05-01", "con", "", "2025-05-01")
    )
    small["events"].append(
        _event("E9", "birth", "2025-05-01", "P2", child_person_id="P9", birth_order="1")
    )
    report = import_book(tmp_path / "second", small)
    assert report.errors == []
    assert [(p.line, p.column) for p in report.problems if p.severity == "warning"] == [
        (7, "birth_order")
    ]
    flag = Flag.objects.get()
    assert (flag.rule, flag.params) == ("birth_order_mismatch", {"order": "1", "earlier": "1"})


def test_the_importer_refuses_the_first_half_of_2025_once_the_new_wards_book_is_closed(
    tmp_path: Path,
) -> None:
    old_ward = unit_at(Level.COMMUNE, "118", BEFORE)
    new_ward = unit_at(Level.COMMUNE, "118", AFTER)
    home = services.household_create(unit=old_ward, since=SINCE, number="7", source_id="HX")
    services.household_place(household=home, unit=new_ward, since=date(2025, 7, 1))
    services.person_add(
        household=home,
        registered_on=SINCE,
        data=services.PersonInput("Trần Thị Hòa", "F", date(1992, 7, 9)),
        source_id="PX",
    )
    services.book_close(commune=new_ward, year=2025)
    book = {"events": [_event("EX", "prenatal_screening", "2025-03-15", "PX")]}
    before = counts()
    report = import_book(tmp_path / "book", book)
    assert counts() == before
    assert errors_at(report) == {("events.csv", 2, "event_date")}
    assert "Sổ năm 2025 đã khóa" in report.errors[0].message
    book = {"events": [_event("EY", "prenatal_screening", "2026-01-15", "PX")]}
    assert import_book(tmp_path / "open", book).errors == []
