"""The forms a collaborator's phone queued offline, sent back once online (issue 17,
point 1): each key recorded once, nothing told outside the collaborator's reach, a record
changed meanwhile answered as a conflict, the rules' errors per form, a handed-in month
refused, the CSRF token required; the service worker served from the root."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.register import services
from danso.register.collection_views import NOT_HERE, person_versions
from danso.register.forms import EventForm
from danso.register.models import Collection, Event, Household, Person, SubmissionKey
from danso.register.offline import CONFLICT
from danso.register.vocabulary import EventType
from danso.units import services as units
from danso.units.codes import Level
from danso.units.models import Unit
from tests.conftest import unit_at

pytestmark = pytest.mark.django_db
ON = date(2024, 6, 30)
JUNE = date(2024, 6, 1)


def _village(code: str) -> Unit:
    return units.village_create(
        commune=unit_at(Level.COMMUNE, "118", ON),
        code=code,
        name=f"Tổ dân phố {code[-2:]}",
        type="tổ dân phố",
        valid_from=date(2023, 6, 1),
    )


@pytest.fixture
def village() -> Unit:
    return _village("00118-T1")


@pytest.fixture
def family(village: Unit) -> Household:
    household = services.household_create(unit=village, since=date(2023, 6, 1), number="12")
    for name, sex, born in [
        ("Nguyễn Văn Hùng", "M", date(1950, 3, 4)),
        ("Trần Thị Hòa", "F", date(1992, 7, 9)),
    ]:
        services.person_add(
            household=household,
            registered_on=date(2023, 6, 1),
            data=services.PersonInput(name, sex, born),
        )
    return household


@pytest.fixture
def collaborator(make_user: Callable[..., User], village: Unit) -> User:
    return make_user("ctv", Role.COLLABORATOR, Level.VILLAGE, "00118-T1", ON)


def _vi(message: object) -> str:
    """A message as the collaborator reads it (Vietnamese, the default language)."""
    with translation.override("vi"):
        return str(message)


def _who(name: str) -> Person:
    return Person.objects.get(full_name=name)


def _sync_url(village: Unit) -> str:
    return reverse("register:collection_sync", args=[village.pk, "2024-06"])


def _page_versions(client: Client, village: Unit, kind: str) -> dict[int, str]:
    """The versions the form's page gives its persons (what the phone sends back)."""
    page = client.get(
        reverse("register:collection", args=[village.pk, "2024-06"]),
        {"type": kind, "date": "2024-06-30"},
    )
    html = page.content.decode()
    return {
        int(pk): version
        for pk, version in re.findall(r'<option value="(\d+)" data-version="([^"]*)"', html)
    }


def _birth(mother: Person, version: str, key: str | None = None, **fields: str) -> dict[str, Any]:
    return {
        "key": key or str(uuid.uuid4()),
        "version": version,
        "fields": {
            "event_type": "birth",
            "person": str(mother.pk),
            "event_date": "14/06/2024",
            "child_name": "Lê Minh Khôi",
            "child_sex": "M",
            **fields,
        },
    }


def _send(client: Client, village: Unit, *items: dict[str, Any]) -> Any:
    response = client.post(
        _sync_url(village) + "?date=2024-06-30",
        json.dumps({"items": list(items)}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_a_form_sent_twice_is_recorded_once(
    family: Household, village: Unit, collaborator: User, client_for: Callable[[User], Client]
) -> None:
    # given a birth the phone queued, with its key and the mother's version from the page
    client = client_for(collaborator)
    mother = _who("Trần Thị Hòa")
    item = _birth(mother, _page_versions(client, village, "birth")[mother.pk])

    # when the phone sends it, then again (it did not hear the first answer)
    first = _send(client, village, item)
    again = _send(client, village, item)

    # then one event, and the second answer names it without writing anything
    assert first[0]["status"] == "saved"
    assert again[0] == {
        "key": item["key"],
        "status": "already",
        "messages": [],
        "event": first[0]["event"],
    }
    assert Event.objects.filter(event_type=EventType.BIRTH).count() == 1
    assert SubmissionKey.objects.get().event_id == first[0]["event"]
    assert Collection.objects.get(unit=village).events.count() == 1


def test_outside_the_collaborators_reach_nothing_is_told(
    family: Household,
    village: Unit,
    collaborator: User,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    # given another village with its own family and collaborator
    other = _village("00118-T2")
    household = services.household_create(unit=other, since=date(2023, 6, 1), number="40")
    stranger = services.person_add(
        household=household,
        registered_on=date(2023, 6, 1),
        data=services.PersonInput("Đỗ Thị Lan", "F", date(1990, 1, 1)),
    )
    client = client_for(collaborator)

    # when the collaborator sends a form to the other village's address
    elsewhere = client.post(
        _sync_url(other) + "?date=2024-06-30",
        json.dumps({"items": [_birth(stranger, "")]}),
        content_type="application/json",
    )
    # or names the stranger in her own village's queue
    answer = _send(client, village, _birth(stranger, ""))

    # then refused, as the form refuses: 404, and the words for anyone not in the village
    assert elsewhere.status_code in (403, 404)
    assert answer[0]["status"] == "invalid"
    assert answer[0]["messages"] == [_vi(NOT_HERE)]
    assert not Event.objects.exists()


def test_a_person_who_died_after_the_page_was_read_is_a_conflict(
    family: Household, village: Unit, collaborator: User, client_for: Callable[[User], Client]
) -> None:
    # given the page read while Hùng was alive, then his death recorded by the commune
    client = client_for(collaborator)
    hung = _who("Nguyễn Văn Hùng")
    versions = _page_versions(client, village, "elderly_checkup")
    services.event_record(
        person=hung,
        data=services.EventInput(EventType.DEATH, date(2024, 6, 10)),
        collection=services.collection_open(unit=village, month=JUNE),
    )
    item = {
        "key": str(uuid.uuid4()),
        "version": versions[hung.pk],
        "fields": {
            "event_type": "elderly_checkup",
            "person": str(hung.pk),
            "event_date": "20/06/2024",
        },
    }

    # when the phone sends the check-up it queued
    answer = _send(client, village, item)

    # then a conflict, with words, and nothing recorded
    assert answer[0]["status"] == "conflict"
    assert answer[0]["messages"] == [_vi(CONFLICT)]
    assert not Event.objects.filter(event_type=EventType.ELDERLY_CHECKUP).exists()
    assert not SubmissionKey.objects.exists()


def test_the_collaborators_own_earlier_forms_are_no_conflict(
    family: Household, village: Unit, collaborator: User, client_for: Callable[[User], Client]
) -> None:
    # given a pregnancy and a contraception start for the same woman, queued on one page
    client = client_for(collaborator)
    hoa = _who("Trần Thị Hòa")
    version = _page_versions(client, village, "pregnancy")[hoa.pk]
    pregnancy = {
        "key": str(uuid.uuid4()),
        "version": version,
        "fields": {"event_type": "pregnancy", "person": str(hoa.pk), "event_date": "02/06/2024"},
    }
    screening = {
        "key": str(uuid.uuid4()),
        "version": version,
        "fields": {
            "event_type": "prenatal_screening",
            "person": str(hoa.pk),
            "event_date": "12/06/2024",
        },
    }

    # when both are sent
    answers = _send(client, village, pregnancy, screening)

    # then both are recorded: the first changed her record, but it was the same user
    assert [a["status"] for a in answers] == ["saved", "saved"]


def test_errors_are_answered_form_by_form(
    family: Household, village: Unit, collaborator: User, client_for: Callable[[User], Client]
) -> None:
    # given a queue with a form without a date, one the rules refuse, and a good one
    client = client_for(collaborator)
    hoa, hung = _who("Trần Thị Hòa"), _who("Nguyễn Văn Hùng")
    versions = _page_versions(client, village, "birth")
    no_date = _birth(hoa, versions[hoa.pk], event_date="")
    man_gives_birth = _birth(hung, person_versions([hung.pk])[hung.pk])
    good = _birth(hoa, versions[hoa.pk])

    # when the queue is sent
    answers = _send(client, village, no_date, man_gives_birth, good)

    # then each answer says its own
    assert [a["status"] for a in answers] == ["invalid", "invalid", "saved"]
    assert answers[0]["messages"][0].startswith(_vi(EventForm.base_fields["event_date"].label))
    assert answers[1]["messages"]
    assert Event.objects.count() == 1


def test_a_handed_in_month_refuses_the_queue_with_a_message(
    family: Household, village: Unit, collaborator: User, client_for: Callable[[User], Client]
) -> None:
    # given the month handed in after the page was read
    client = client_for(collaborator)
    hoa = _who("Trần Thị Hòa")
    version = _page_versions(client, village, "birth")[hoa.pk]
    services.collection_hand_in(
        collection=services.collection_open(unit=village, month=JUNE), user=collaborator
    )

    # when the phone sends its birth
    answer = _send(client, village, _birth(hoa, version))

    # then refused, saying why
    assert answer[0]["status"] == "locked"
    with translation.override("vi"), pytest.raises(ValidationError) as locked:
        services.collection_writable(Collection.objects.get(unit=village))
    assert answer[0]["messages"] == locked.value.messages
    assert not Event.objects.exists()


def test_the_csrf_token_is_required(family: Household, village: Unit, collaborator: User) -> None:
    # given a browser that checks the CSRF token, logged in
    client = Client(enforce_csrf_checks=True)
    client.force_login(collaborator)
    hoa = _who("Trần Thị Hòa")
    body = json.dumps({"items": [_birth(hoa, person_versions([hoa.pk])[hoa.pk])]})
    url = _sync_url(village) + "?date=2024-06-30"

    # when the queue is sent without the token, then with it (as offline.js does)
    without = client.post(url, body, content_type="application/json")
    client.get(reverse("register:collection", args=[village.pk, "2024-06"]))
    token = client.cookies["csrftoken"].value
    with_token = client.post(
        url, body, content_type="application/json", headers={"X-CSRFToken": token}
    )

    # then only the second is recorded
    assert without.status_code == 403
    assert with_token.status_code == 200
    assert with_token.json()["results"][0]["status"] == "saved"


def test_an_unreadable_queue_is_a_400(
    village: Unit, collaborator: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(collaborator)
    response = client.post(
        _sync_url(village) + "?date=2024-06-30", "nonsense", content_type="application/json"
    )
    assert response.status_code == 400
    bad_key = _send(client, village, {"key": "not-a-uuid", "fields": {}})
    assert bad_key[0]["status"] == "invalid"


def test_the_service_worker_is_served_from_the_root_to_anyone(client: Client) -> None:
    # when a browser asks for the worker, logged in or not
    response = client.get(reverse("service_worker"))

    # then it is a script that may look after the whole site, naming only static files
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    head = response.content.decode().split("\n", 1)[0]
    config = json.loads(head.removeprefix("self.DANSO = ").removesuffix(";"))
    assert all(url.startswith("/static/") for url in config["shell"])


def test_a_form_posted_again_after_its_answer_was_lost_is_recorded_once(
    family: Household, village: Unit, collaborator: User, client_for: Callable[[User], Client]
) -> None:
    """A weak connection: the form is posted with its key, recorded, and the answer lost;
    the phone keeps it and sends it again (posted, or through the sync address)."""
    client = client_for(collaborator)
    mother = _who("Trần Thị Hòa")
    key = str(uuid.uuid4())
    form = reverse("register:collection", args=[village.pk, "2024-06"]) + "?date=2024-06-30"
    fields = _birth(mother, "")["fields"] | {"submission_key": key}

    first = client.post(form, fields)
    again = client.post(form, fields)

    assert first.status_code == again.status_code == 302
    assert Event.objects.filter(event_type="birth").count() == 1
    assert SubmissionKey.objects.get(key=key).event == Event.objects.get(event_type="birth")
    followed = client.get(again["Location"]).content.decode()
    assert "Phiếu này đã được ghi nhận trước đó." in followed
    # the queued copy, sent through the sync address with the same key, is known too
    (answer,) = _send(client, village, _birth(mother, "", key=key))
    assert answer["status"] == "already"
    assert Event.objects.filter(event_type="birth").count() == 1
