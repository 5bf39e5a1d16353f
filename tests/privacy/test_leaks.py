"""Each leak of issue 11, reproduced through the screens and the API as the demo's people
would meet it, on the small Long Biên of ``world``.  These tests say nothing of how the
code decides: they read responses, the database and the log."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from danso.accounts.scope import SYSTEM
from danso.plans.services import plan_create
from danso.register import services
from danso.register.models import AccessLog, Event, Person
from danso.register.vocabulary import EventType
from danso.reports.models import Report, ReportType
from danso.reports.services import report_figure_set, report_open, report_submit, report_types_load
from tests.conftest import unit_at
from tests.privacy.world import D2024, D2025, GROUPS, World

pytestmark = pytest.mark.django_db


def api(world: World, role: str) -> Client:
    token, _ = Token.objects.get_or_create(user=world.users[role])
    return Client(headers={"Authorization": f"Token {token.key}"})


def browser(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def identities(world: World, groups: object) -> list[str]:
    """The full names and ID numbers of the persons of ``groups``."""
    found = []
    for group in groups:  # type: ignore[attr-defined]
        for person in world.persons[group]:
            found.append(person.full_name)
            if person.id_number:
                found.append(person.id_number)
    return found


def carried(text: str, world: World, groups: object) -> list[str]:
    return [value for value in identities(world, groups) if value in text]


def others(*groups: str) -> list[str]:
    return [g for g in GROUPS if g not in groups]


def submitted_report(unit_code: str, period: str, on: date) -> Report:
    report_types_load()
    report = report_open(
        actor=SYSTEM,
        report_type=ReportType.objects.get(code="commune-quarterly"),
        unit=unit_at("commune", unit_code, on),
        period=period,
    )
    for figure in report.figures.filter(row__kind="count", value__isnull=True):
        report_figure_set(actor=SYSTEM, figure=figure, value=Decimal(0))
    return report_submit(actor=SYSTEM, report=report)


# ------------------------------------------------ a new ward and its former district


def test_a_new_ward_does_not_read_the_persons_of_its_former_district(world: World) -> None:
    for day in (D2024, D2025):
        body = api(world, "bode").get("/api/v1/persons/", {"date": day.isoformat()})
        assert body.status_code == 200
        assert carried(body.content.decode(), world, others("NT1", "NL1")) == []
        listed = {row["full_name"] for row in body.json()["results"]}
        assert listed == {p.full_name for g in ("NT1", "NL1") for p in world.persons[g]}


def test_a_new_ward_does_not_approve_another_wards_report(world: World) -> None:
    report = submitted_report("154", "2025Q1", D2025)  # Phường Cự Khối, Q1 2025
    answer = api(world, "bode").post(f"/api/v1/reports/{report.pk}/approve/")
    assert answer.status_code in (403, 404)
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    screen = browser(world, "bode").post(reverse("reports:approve", args=[report.pk]))
    assert screen.status_code in (403, 404)
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED


def test_a_new_ward_does_not_edit_its_former_districts_plan(world: World) -> None:
    plan = plan_create(
        unit=unit_at("district", "4", D2024), title="Kế hoạch dân số 2024", period_start=2024
    )
    client = browser(world, "bode")
    # Ngọc Lâm went wholly to Bồ Đề: the ward may read the rows given to it, no more.
    for name in ("plans:edit", "plans:target_create"):
        assert client.get(reverse(name, args=[plan.pk])).status_code in (403, 404), name
    for name in ("plans:edit", "plans:allocation"):
        answer = client.post(reverse(name, args=[plan.pk]), {"title": "Đổi tên", "action": "save"})
        assert answer.status_code in (403, 404), name
    plan.refresh_from_db()
    assert plan.title == "Kế hoạch dân số 2024"


def test_a_new_ward_does_not_write_in_another_ward(world: World) -> None:
    stranger = world.persons["TT1"][1]
    answer = api(world, "bode").post(
        f"/api/v1/events/?date={D2024.isoformat()}",
        {"event_type": "pregnancy", "event_date": "2024-04-01", "person": stranger.pk},
        content_type="application/json",
    )
    assert answer.status_code == 404
    assert not Event.objects.filter(person=stranger, event_type="pregnancy").exists()


# ------------------------------------------------ a role at a ward the reform closed


def test_a_closed_ward_keeps_its_own_people_and_no_more(world: World) -> None:
    for day, query in ((D2025, {"date": D2025.isoformat()}), (None, {})):
        body = api(world, "ngocthuy").get("/api/v1/persons/", query)
        assert carried(body.content.decode(), world, others("NT1", "NT2")) == [], day
        listed = {row["full_name"] for row in body.json()["results"]}
        assert listed == {p.full_name for g in ("NT1", "NT2") for p in world.persons[g]}, day
    neighbour = world.persons["NL1"][1]  # Ngọc Lâm's group, in Bồ Đề today
    answer = api(world, "ngocthuy").post(
        "/api/v1/events/",
        {"event_type": "pregnancy", "event_date": "2026-01-05", "person": neighbour.pk},
        content_type="application/json",
    )
    assert answer.status_code == 404
    assert not Event.objects.filter(person=neighbour, event_type="pregnancy").exists()


# ------------------------------------------------ the live check of the monthly form


def test_the_live_check_answers_only_for_ones_own_people(world: World) -> None:
    stranger = world.persons["TT1"][0]  # a man of another ward
    client = browser(world, "ctv")
    village = world.groups["NT1"]
    answer = client.post(
        reverse("register:event_check", args=[village.pk]) + f"?date={D2024.isoformat()}",
        {"event_type": "birth", "event_date": "15/03/2024", "person": stranger.pk},
    )
    assert answer.status_code == 404
    assert "errorlist" not in answer.content.decode()
    own = world.persons["NT1"][0]  # the collaborator's own man: the rule answers
    answer = client.post(
        reverse("register:event_check", args=[village.pk]) + f"?date={D2024.isoformat()}",
        {"event_type": "birth", "event_date": "15/03/2024", "person": own.pk},
    )
    assert answer.status_code == 200
    assert "errorlist" in answer.content.decode()  # the rule (a mother is a woman) answers


# ------------------------------------------------ officers above the commune


def test_an_event_page_masks_the_name_for_a_district_officer_and_logs_it(world: World) -> None:
    event = Event.objects.filter(person=world.persons["NT1"][1]).first()
    assert event is not None
    page = browser(world, "longbien").get(
        reverse("register:event", args=[event.pk]), {"date": D2024.isoformat()}
    )
    assert page.status_code == 200
    assert carried(page.content.decode(), world, GROUPS) == []
    assert "Ghi chú riêng" not in page.content.decode()  # the note may name people
    log = browser(world, "ngocthuy").get(
        reverse("register:unit_access_log", args=[world.wards["old 118"].pk]),
        {"date": D2024.isoformat()},
    )
    assert "longbien" in log.content.decode()
    assert "Trang sự kiện" in log.content.decode()


def test_the_monthly_form_masks_names_for_a_district_officer(world: World) -> None:
    page = browser(world, "longbien").get(
        reverse("register:collection", args=[world.groups["NT1"].pk, "2024-06"]),
        {"date": D2024.isoformat()},
    )
    assert page.status_code == 200
    assert carried(page.content.decode(), world, GROUPS) == []
    assert "K. T. V. N." in page.content.decode()  # Khúc Thị Vợ NT1, by her initials


def test_a_viewer_reads_no_person_level_record(world: World) -> None:
    person = world.persons["NT1"][1]
    event = Event.objects.filter(person=person).first()
    assert event is not None
    client = browser(world, "xem")
    for url in (
        reverse("register:person", args=[person.pk]),
        reverse("register:household", args=[world.households["NT1"].pk]),
        reverse("register:households", args=[world.groups["NT1"].pk]),
        reverse("register:event", args=[event.pk]),
        reverse("register:search") + "?q=khuc",
    ):
        answer = client.get(url, {"date": D2024.isoformat()})
        assert answer.status_code in (403, 404), url
        assert carried(answer.content.decode(), world, GROUPS) == [], url
    token = api(world, "xem")
    for url in ("/api/v1/persons/", "/api/v1/households/", "/api/v1/events/"):
        body = token.get(url, {"date": D2024.isoformat()})
        assert body.status_code == 200
        assert body.json()["count"] == 0, url
    assert token.get(f"/api/v1/persons/{person.pk}/").status_code == 404


# ------------------------------------------------ a collaborator


def test_a_collaborator_does_not_see_who_moved_out_of_their_group(world: World) -> None:
    leaver = world.persons["NT1"][0]
    services.event_record(
        person=leaver,
        data=services.EventInput(
            EventType.MOVE_WITHIN, date(2024, 3, 1), to_household=world.households["NT2"]
        ),
    )
    services.event_record(
        person=leaver,
        data=services.EventInput(EventType.ELDERLY_CHECKUP, date(2024, 4, 1)),
    )
    client = api(world, "ctv")
    persons = client.get("/api/v1/persons/", {"date": D2024.isoformat()}).json()
    assert leaver.full_name not in {row["full_name"] for row in persons["results"]}
    events = client.get("/api/v1/events/", {"date": D2024.isoformat()}).json()
    elsewhere = Event.objects.get(person=leaver, event_type="elderly_checkup")
    assert elsewhere.pk not in {row["id"] for row in events["results"]}
    assert client.get(f"/api/v1/persons/{leaver.pk}/").status_code == 404


# ------------------------------------------------ the log is seen


def test_a_commune_officer_sees_who_read_their_people(world: World) -> None:
    person = world.persons["NT2"][1]
    reader = browser(world, "longbien")
    for _ in range(3):
        reader.get(reverse("register:person", args=[person.pk]), {"date": D2024.isoformat()})
    page = browser(world, "ngocthuy").get(
        reverse("register:unit_access_log", args=[world.wards["old 118"].pk]),
        {"date": D2024.isoformat()},
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("Trang hồ sơ người") == 3  # in Vietnamese, once a read
    own = browser(world, "ngocthuy").get(
        reverse("register:person", args=[person.pk]), {"date": D2024.isoformat()}
    )
    assert person.full_name in own.content.decode()
    assert own.content.decode().count("Đọc, che thông tin") == 3  # the reads, on the record


def test_a_person_leaves_no_name_in_a_person_object_printed_by_mistake(world: World) -> None:
    person = Person.objects.get(pk=world.persons["NT1"][0].pk)
    assert person.full_name not in str(person)


# ------------------------------------------------ a full record, for a reason


def test_a_district_officer_opens_one_full_record_for_a_stated_reason(world: World) -> None:
    person = world.persons["NT2"][1]
    client = browser(world, "longbien")
    page = reverse("register:person", args=[person.pk])
    reveal = reverse("register:person_reveal", args=[person.pk])
    client.get(page, {"date": D2024.isoformat()})
    client.post(reveal, {"reason": "ngắn"})  # too short: refused, nothing opens
    assert person.full_name not in client.get(page).content.decode()
    client.post(reveal, {"reason": "Kiểm tra hồ sơ trùng do phường báo"})
    html = client.get(page).content.decode()
    assert person.full_name in html
    assert person.id_number in html
    entry = AccessLog.objects.filter(kind=AccessLog.Kind.REVEAL).get()
    assert entry.reason == "Kiểm tra hồ sơ trùng do phường báo"
    assert [row.person_id for row in entry.person_rows.all()] == [person.pk]
    # the other persons stay masked
    other = world.persons["NT2"][0]
    assert (
        other.full_name
        not in client.get(reverse("register:person", args=[other.pk])).content.decode()
    )
    # through the API, the same with ?reason=
    token = api(world, "longbien")
    masked = token.get(f"/api/v1/persons/{other.pk}/", {"date": D2024.isoformat()}).json()
    assert (masked["full_name"], masked["birth_date"]) == ("K. T. C. N.", None)
    full = token.get(
        f"/api/v1/persons/{other.pk}/",
        {"date": D2024.isoformat(), "reason": "Đối chiếu số định danh trùng"},
    ).json()
    assert (full["full_name"], full["id_number"]) == (other.full_name, other.id_number)


def test_the_keepers_never_need_a_reason_and_a_viewer_cannot_give_one(world: World) -> None:
    person = world.persons["NT1"][1]
    answer = browser(world, "ctv").post(
        reverse("register:person_reveal", args=[person.pk]), {"reason": "Kiểm tra lại hồ sơ"}
    )
    assert answer.status_code == 403
    answer = browser(world, "xem").post(
        reverse("register:person_reveal", args=[person.pk]), {"reason": "Kiểm tra lại hồ sơ"}
    )
    assert answer.status_code == 404
    assert not AccessLog.objects.exists()


def test_a_person_gets_their_own_data_and_the_export_is_logged(world: World) -> None:
    import io

    from openpyxl import load_workbook

    person = world.persons["NT1"][1]
    longbien = browser(world, "longbien")
    longbien.get(reverse("register:person", args=[person.pk]), {"date": D2024.isoformat()})
    answer = browser(world, "ngocthuy").get(
        reverse("register:person_export", args=[person.pk]), {"date": D2024.isoformat()}
    )
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.content))
    cells = {str(c.value) for sheet in book for row in sheet.iter_rows() for c in row}
    assert person.full_name in cells
    assert person.id_number in cells
    assert "Đọc, che thông tin" in cells  # the district officer's read, for them to know
    export = AccessLog.objects.get(kind=AccessLog.Kind.EXPORT)
    assert export.where == AccessLog.Where.PERSON_EXPORT
    # an officer above the commune cannot, without opening the record for a reason
    refused = longbien.get(reverse("register:person_export", args=[person.pk]))
    assert refused.status_code == 403


def test_the_administrator_filters_and_exports_the_whole_log(world: World) -> None:
    person = world.persons["TT1"][1]
    browser(world, "longbien").get(
        reverse("register:person", args=[person.pk]), {"date": D2024.isoformat()}
    )
    browser(world, "hanoi").get(
        reverse("register:person", args=[world.persons["CK1"][1].pk]),
        {"date": D2024.isoformat()},
    )
    admin = browser(world, "admin")
    page = admin.get(reverse("register:access_log"), {"person": str(person.pk)})
    assert page.status_code == 200
    assert "(longbien)" in page.content.decode()
    assert "(hanoi)" not in page.content.decode()
    by_user = admin.get(reverse("register:access_log"), {"user": "hanoi"}).content.decode()
    assert "(hanoi)" in by_user
    assert "(longbien)" not in by_user
    sheet = admin.get(reverse("register:access_log_xlsx"), {"user": "longbien"})
    assert sheet.status_code == 200
    assert AccessLog.objects.filter(kind="export", where="log_export").count() == 1
    for role in ("longbien", "ngocthuy", "xem"):
        assert browser(world, role).get(reverse("register:access_log")).status_code == 403


def test_the_log_is_append_only(world: World) -> None:
    from django.db import connection, transaction

    browser(world, "longbien").get(
        reverse("register:person", args=[world.persons["NT1"][1].pk]), {"date": "2024-06-30"}
    )
    entry = AccessLog.objects.get()
    with pytest.raises(PermissionError):
        AccessLog.objects.filter(pk=entry.pk).update(reason="sửa")
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AccessLog.objects.all().delete()
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE register_accesslog SET reason = 'sửa'")
    if connection.vendor == "postgresql":
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("DELETE FROM register_accesslogperson")
    assert AccessLog.objects.get().reason == ""
