"""Correction with a trail (issue 14, point 5): any event or person detail corrected or
withdrawn with a reason, by those who may edit it, as an amendment in a closed year; what
the event changed follows; the figures follow at once; the trail is on the screens."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from danso.indicators import cache
from danso.indicators.engine import compute
from danso.indicators.periods import Period
from danso.register import corrections, services
from danso.register.models import Amendment, Correction, Event, Membership, Person
from danso.register.vocabulary import EventType
from danso.units.models import UnitVersion, valid_on
from tests.privacy.world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def wife(world: World, group: str = "NT1") -> Person:
    return world.persons[group][1]


def start(world: World, group: str = "NT1") -> Event:
    return Event.objects.get(person=wife(world, group), event_type=EventType.CONTRACEPTION_START)


def birth(world: World, group: str = "NT1") -> Event:
    return Event.objects.get(person=wife(world, group), event_type=EventType.BIRTH)


def births(world: World, period: str) -> tuple[float, float]:
    """Births in old Ngọc Thụy in ``period``: through the cache, and counted afresh."""
    ward = UnitVersion.objects.get(valid_on(date(2024, 6, 30)), unit=world.wards["old 118"])
    cached = {v.indicator: v for v in cache.figures(ward, Period.parse(period)).values}
    counted = {v.indicator: v for v in compute(ward, Period.parse(period)).values}
    return cached["CBR"].as_dict()["numerator"], counted["CBR"].as_dict()["numerator"]


# ---------------------------------------------------------------- events


def test_a_collaborator_corrects_the_date_and_method_of_an_event(world: World) -> None:
    event = start(world)
    correction = corrections.event_correct(
        event=event,
        changes={"event_date": "15/03/2024", "method": "implant"},
        reason="Ghi nhầm ngày và biện pháp",
        actor=world.users["ctv"],
    )
    event.refresh_from_db()
    assert (event.event_date, event.method) == (date(2024, 3, 15), "implant")
    assert correction.changes == {
        "event_date": ["2024-02-02", "2024-03-15"],
        "method": ["iud", "implant"],
    }
    assert (correction.kind, correction.amendment) == ("correct", False)
    assert correction.made_by == world.users["ctv"]
    assert correction.source_id == event.source_id
    last = event.history.order_by("-history_date").first()
    assert last is not None
    assert last.history_change_reason == "Ghi nhầm ngày và biện pháp"
    assert last.history_user == world.users["ctv"]


@pytest.mark.parametrize(
    ("changes", "reason", "field", "words"),
    [
        ({"note": "x"}, "  ", "reason", "Hãy nói lý do"),
        ({"event_type": "pregnancy"}, "Sai loại", "event_type", "rút bỏ"),
        ({"colour": "red"}, "Sai", "colour", "không sửa được"),
        ({"event_date": "31/02/2024"}, "Sai", "event_date", "không phải là ngày"),
        ({"method": "magic"}, "Sai", "method", "Giá trị không rõ"),
        ({"event_date": "01/01/2030"}, "Sai", "event_date", "tương lai"),
        ({"method": "iud"}, "Sai", "__all__", "Không có gì thay đổi"),
    ],
)
def test_a_wrong_correction_is_refused_in_words(
    world: World, changes: dict[str, str], reason: str, field: str, words: str
) -> None:
    event = start(world)
    with pytest.raises(ValidationError) as caught:
        corrections.event_correct(
            event=event, changes=changes, reason=reason, actor=world.users["ctv"]
        )
    messages = (
        caught.value.message_dict
        if hasattr(caught.value, "error_dict")
        else {"__all__": caught.value.messages}
    )
    assert field in messages, messages
    assert any(words.casefold() in m.casefold() for m in messages[field]), messages
    assert not Correction.objects.exists()
    event.refresh_from_db()
    assert event.event_date == date(2024, 2, 2)


def test_only_those_who_may_edit_the_entry_correct_it(world: World) -> None:
    with pytest.raises(PermissionDenied):
        corrections.event_correct(
            event=start(world, "NT2"),
            changes={"note": "x"},
            reason="Thử",
            actor=world.users["ctv"],
        )
    with pytest.raises(PermissionDenied):
        corrections.event_withdraw(
            event=start(world, "NT2"), reason="Thử", actor=world.users["xem"]
        )
    with pytest.raises(PermissionDenied):
        corrections.event_correct(event=start(world), changes={"note": "x"}, reason="T", actor=None)
    done = corrections.event_correct(
        event=start(world, "NT2"),
        changes={"note": "x"},
        reason="Thử",
        actor=world.users["ngocthuy"],
    )
    assert done.made_by == world.users["ngocthuy"]


def test_a_closed_year_is_amended_by_the_commune_officer_only(world: World) -> None:
    services.book_close(commune=world.wards["old 118"], year=2024, user=world.users["ngocthuy"])
    event = start(world)
    with pytest.raises(PermissionDenied) as caught:
        corrections.event_correct(
            event=event, changes={"method": "pill"}, reason="Sai", actor=world.users["ctv"]
        )
    assert "cán bộ" in str(caught.value)
    done = corrections.event_correct(
        event=event,
        changes={"method": "pill", "event_date": "2024-03-01"},
        reason="Theo biên bản kiểm tra",
        actor=world.users["ngocthuy"],
    )
    assert done.amendment is True
    event.refresh_from_db()
    assert (event.event_date, event.method) == (date(2024, 3, 1), "pill")
    # moving an open year's event into the closed year is an amendment too
    later = services.event_record(
        person=wife(world),
        data=services.EventInput(EventType.CONTRACEPTION_STOP, date(2025, 2, 1), method="pill"),
        user=world.users["ctv"],
    )
    with pytest.raises(PermissionDenied):
        corrections.event_correct(
            event=later,
            changes={"event_date": "20/12/2024"},
            reason="Sai",
            actor=world.users["ctv"],
        )


def test_a_birth_moved_in_date_moves_the_child_and_the_figures(world: World) -> None:
    event = birth(world)
    child = event.child
    assert child is not None
    before_q2, before_q1 = births(world, "2024Q2"), births(world, "2024Q1")
    assert before_q2[0] == before_q2[1] == 2  # NT1's and NT2's
    corrections.event_correct(
        event=event,
        changes={"event_date": "20/03/2024", "child_sex": "F"},
        reason="Giấy chứng sinh ghi ngày 20/03",
        actor=world.users["ctv"],
    )
    child.refresh_from_db()
    assert (child.birth_date, child.sex) == (date(2024, 3, 20), "F")
    assert child.memberships.get().valid_from == date(2024, 3, 20)
    after_q2, after_q1 = births(world, "2024Q2"), births(world, "2024Q1")
    assert after_q2[0] == after_q2[1]
    assert after_q1[0] == after_q1[1]
    assert after_q1[0] == before_q1[0] + 1
    assert after_q2[0] == before_q2[0] - 1


def test_a_withdrawn_birth_takes_its_child_out_and_the_figures_follow(world: World) -> None:
    event = birth(world)
    child = event.child
    assert child is not None
    source_id = event.source_id
    total, _fresh = births(world, "2024")
    done = corrections.event_withdraw(
        event=event, reason="Ghi trùng với sổ hộ khác", actor=world.users["ctv"]
    )
    assert not Event.objects.filter(source_id=source_id).exists()
    assert not Membership.objects.filter(person=child).exists()
    assert done.kind == "withdraw"
    assert done.event is None
    assert done.changes["event_type"] == ["birth", None]
    assert done.changes["child_person_id"] == [child.source_id, None]
    assert done.person == wife(world)
    after = births(world, "2024")
    assert after == (total - 1, total - 1)


def test_a_birth_whose_child_has_events_is_not_withdrawn(world: World) -> None:
    event = birth(world)
    assert event.child is not None
    services.event_record(
        person=event.child,
        data=services.EventInput(EventType.NEWBORN_SCREENING, date(2024, 5, 12), result="bt"),
    )
    with pytest.raises(ValidationError) as caught:
        corrections.event_withdraw(event=event, reason="Sai", actor=world.users["ctv"])
    assert "trẻ" in " ".join(caught.value.messages).casefold()
    assert Event.objects.filter(pk=event.pk).exists()


def test_a_birth_corrected_after_the_childs_own_event_is_refused(world: World) -> None:
    event = birth(world)
    assert event.child is not None
    services.event_record(
        person=event.child,
        data=services.EventInput(EventType.NEWBORN_SCREENING, date(2024, 5, 12), result="bt"),
    )
    with pytest.raises(ValidationError) as caught:
        corrections.event_correct(
            event=event, changes={"event_date": "2024-05-20"}, reason="S", actor=world.users["ctv"]
        )
    assert "trước" in " ".join(caught.value.messages)  # the screening, before the birth


def test_a_death_corrected_moves_the_end_of_the_stay_and_withdrawn_opens_it(
    world: World,
) -> None:
    head = world.persons["NT1"][0]
    death = services.event_record(
        person=head, data=services.EventInput(EventType.DEATH, date(2024, 8, 1))
    )
    stay = head.memberships.get()
    assert stay.valid_to == date(2024, 8, 1)
    corrections.event_correct(
        event=death, changes={"event_date": "15/07/2024"}, reason="Sai", actor=world.users["ctv"]
    )
    stay.refresh_from_db()
    assert stay.valid_to == date(2024, 7, 15)
    death.refresh_from_db()
    corrections.event_withdraw(event=death, reason="Người còn sống", actor=world.users["ctv"])
    stay.refresh_from_db()
    assert stay.valid_to is None


def test_a_death_moved_before_another_event_of_the_person_is_refused(world: World) -> None:
    person = wife(world)
    death = services.event_record(
        person=person, data=services.EventInput(EventType.DEATH, date(2024, 9, 1))
    )
    with pytest.raises(ValidationError) as caught:
        corrections.event_correct(
            event=death, changes={"event_date": "01/04/2024"}, reason="S", actor=world.users["ctv"]
        )
    assert birth(world).source_id in " ".join(caught.value.messages)
    death.refresh_from_db()
    assert death.event_date == date(2024, 9, 1)


def test_a_move_within_follows_its_date_and_goes_back_when_withdrawn(world: World) -> None:
    head = world.persons["NT1"][0]
    other = services.household_create(unit=world.groups["NT1"], since=date(2023, 6, 1))
    move = services.event_record(
        person=head,
        data=services.EventInput(EventType.MOVE_WITHIN, date(2024, 8, 1), to_household=other),
    )
    corrections.event_correct(
        event=move, changes={"event_date": "2024-09-01"}, reason="Sai", actor=world.users["ctv"]
    )
    stays = list(head.memberships.order_by("valid_from"))
    assert [(s.valid_from, s.valid_to) for s in stays] == [
        (date(2023, 6, 1), date(2024, 8, 31)),
        (date(2024, 9, 1), None),
    ]
    move.refresh_from_db()
    corrections.event_withdraw(event=move, reason="Không chuyển", actor=world.users["ctv"])
    stays = list(head.memberships.order_by("valid_from"))
    assert [(s.household_id, s.valid_to) for s in stays] == [(world.households["NT1"].pk, None)]


def test_a_withdrawn_marriage_gives_the_marital_status_back(world: World) -> None:
    head = world.persons["NT1"][0]
    head.marital_status = "chua_ket_hon"
    head.save()
    marriage = services.event_record(
        person=head, data=services.EventInput(EventType.MARRIAGE, date(2024, 8, 1))
    )
    head.refresh_from_db()
    assert head.marital_status == "co_vo_chong"
    corrections.event_withdraw(event=marriage, reason="Nhầm người", actor=world.users["ctv"])
    head.refresh_from_db()
    assert head.marital_status == "chua_ket_hon"


def test_a_changed_person_takes_the_event_with_its_stay(world: World) -> None:
    head, other = world.persons["NT1"][0], wife(world)
    death = services.event_record(
        person=head, data=services.EventInput(EventType.DEATH, date(2024, 8, 1))
    )
    corrections.event_correct(
        event=death,
        changes={"person_id": other.source_id, "event_date": "2024-08-02"},
        reason="Ghi nhầm người",
        actor=world.users["ctv"],
    )
    assert head.memberships.get().valid_to is None
    assert other.memberships.get().valid_to == date(2024, 8, 2)


def test_an_old_amendment_stays_readable_and_the_note_goes_through_corrections(
    world: World,
) -> None:
    event = start(world)
    Amendment.objects.create(
        event=event, changes={"note": ["a", "b"]}, reason="Cũ", made_by=world.users["ngocthuy"]
    )
    done = services.event_amend(
        event=event, note="Mới", reason="Sửa ghi chú", user=world.users["ctv"]
    )
    assert isinstance(done, Correction)
    trail = corrections.event_trail(event, full=True)
    assert [e.reason for e in trail] == ["Sửa ghi chú", "Cũ"]
    corrections.event_withdraw(event=event, reason="Rút", actor=world.users["ctv"])
    assert not Amendment.objects.exists()
    assert Correction.objects.filter(reason="Cũ", amendment=True).exists()


# ---------------------------------------------------------------- persons


def test_a_persons_details_are_corrected_with_a_trail(world: World) -> None:
    person = world.persons["NT1"][0]
    done = corrections.person_correct(
        person=person,
        changes={"full_name": "Khúc Văn Chủ NT1", "birth_date": "1981", "ethnicity": "Kinh"},
        reason="Theo căn cước",
        actor=world.users["ctv"],
    )
    person.refresh_from_db()
    assert (person.full_name, person.birth_date, person.birth_precision) == (
        "Khúc Văn Chủ NT1",
        date(1981, 1, 1),
        "year",
    )
    assert person.name_folded == "khuc van chu nt1"
    assert done.changes["birth_date"] == ["1980-01-01", "1981"]
    assert done.target == "person"


def test_a_mothers_sex_and_a_born_childs_date_are_not_corrected(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        corrections.person_correct(
            person=wife(world), changes={"sex": "nam"}, reason="S", actor=world.users["ctv"]
        )
    assert "nữ" in " ".join(caught.value.messages)
    child = birth(world).child
    assert child is not None
    with pytest.raises(ValidationError) as caught:
        corrections.person_correct(
            person=child, changes={"birth_date": "01/05/2024"}, reason="S", actor=world.users["ctv"]
        )
    assert "biến động sinh" in " ".join(caught.value.messages)


# ---------------------------------------------------------------- screens


def client(world: World, role: str) -> Client:
    c = Client()
    c.force_login(world.users[role])
    return c


def test_the_event_page_shows_the_trail_and_the_form_corrects(world: World) -> None:
    event = start(world)
    page = client(world, "ctv").get(reverse("register:event_correct", args=[event.pk]))
    assert page.status_code == 200
    answer = client(world, "ctv").post(
        reverse("register:event_correct", args=[event.pk]),
        {"event_date": "10/02/2024", "method": "iud", "reason": "Ngày ghi trên phiếu"},
    )
    assert answer.status_code == 302
    event.refresh_from_db()
    assert event.event_date == date(2024, 2, 10)
    text = client(world, "ctv").get(reverse("register:event", args=[event.pk])).content.decode()
    assert "Ngày ghi trên phiếu" in text
    assert "02/02/2024" in text
    assert "10/02/2024" in text


def test_a_withdrawn_event_stays_on_the_persons_page(world: World) -> None:
    event = start(world)
    answer = client(world, "ctv").post(
        reverse("register:event_withdraw", args=[event.pk]), {"reason": "Ghi trùng"}
    )
    assert answer.status_code == 302
    text = client(world, "ctv").get(reverse("register:person", args=[wife(world).pk]))
    body = text.content.decode()
    assert "Đã rút bỏ" in body
    assert "Ghi trùng" in body


def test_a_refused_correction_shows_the_message_on_the_form(world: World) -> None:
    event = start(world)
    answer = client(world, "ctv").post(
        reverse("register:event_correct", args=[event.pk]),
        {"event_date": "01/01/2031", "reason": "Sai"},
    )
    assert answer.status_code == 200
    assert "tương lai" in answer.content.decode()


def test_the_correction_pages_are_not_for_strangers(world: World) -> None:
    event = start(world, "NT2")
    assert (
        client(world, "ctv").get(reverse("register:event_correct", args=[event.pk])).status_code
        == 404
    )
    assert (
        client(world, "xem")
        .post(reverse("register:event_withdraw", args=[event.pk]), {"reason": "x"})
        .status_code
        == 404
    )
    person = wife(world, "NT2")
    assert (
        client(world, "ctv")
        .post(
            reverse("register:person_correct", args=[person.pk]),
            {"ethnicity": "Tày", "reason": "x"},
        )
        .status_code
        == 404
    )
    assert Event.objects.filter(pk=event.pk).exists()
    assert not Correction.objects.exists()


def test_the_person_form_corrects_a_detail(world: World) -> None:
    person = world.persons["NT1"][0]
    answer = client(world, "ctv").post(
        reverse("register:person_correct", args=[person.pk]),
        {"ethnicity": "Tày", "reason": "Theo căn cước"},
    )
    assert answer.status_code == 302
    person.refresh_from_db()
    assert person.ethnicity == "Tày"
    body = client(world, "ctv").get(reverse("register:person", args=[person.pk])).content.decode()
    assert "Theo căn cước" in body
    assert "Tày" in body


# ---------------------------------------------------------------- the API


def api(world: World, role: str) -> Client:
    token, _created = Token.objects.get_or_create(user=world.users[role])
    return Client(headers={"Authorization": f"Token {token.key}"})


def test_the_api_corrects_and_withdraws_an_event(world: World) -> None:
    event = start(world)
    answer = api(world, "ctv").post(
        f"/api/v1/events/{event.pk}/correct/",
        {"changes": {"event_date": "2024-03-01", "new_acceptor": False}, "reason": "Sai ngày"},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["changes"] == {
        "event_date": ["2024-02-02", "2024-03-01"],
        "new_acceptor": [True, False],
    }
    refused = api(world, "ctv").post(
        f"/api/v1/events/{event.pk}/correct/",
        {"changes": {"event_date": "2099-01-01"}, "reason": "Sai"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "tương lai" in refused.json()["event_date"][0]
    gone = api(world, "ctv").post(
        f"/api/v1/events/{event.pk}/withdraw/",
        {"reason": "Ghi trùng"},
        content_type="application/json",
    )
    assert gone.status_code == 200
    assert gone.json()["kind"] == "withdraw"
    assert not Event.objects.filter(pk=event.pk).exists()


def test_the_api_keeps_scope_and_masks_what_the_caller_may_not_see(world: World) -> None:
    event = start(world, "NT2")
    outside = api(world, "ctv").post(
        f"/api/v1/events/{event.pk}/correct/",
        {"changes": {"note": "x"}, "reason": "Sai"},
        content_type="application/json",
    )
    assert outside.status_code == 404
    person = wife(world, "NT2")
    assert (
        api(world, "hanoi")
        .post(
            f"/api/v1/persons/{person.pk}/correct/",
            {"changes": {"ethnicity": "Tày"}, "reason": "Sai"},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    masked = api(world, "longbien").post(
        f"/api/v1/events/{event.pk}/correct/",
        {"changes": {"note": "Ghi chú mới"}, "reason": "Theo biên bản"},
        content_type="application/json",
    )
    assert masked.status_code == 200
    assert masked.json()["changes"]["note"] == ["***", "***"]
    assert "Ghi chú riêng" not in masked.content.decode()


def cache_is_true(world: World, periods: tuple[str, ...] = ("2024", "2024Q3", "2024Q4")) -> None:
    for unit in (world.groups["NT1"], world.groups["NT2"], world.wards["old 118"]):
        version = UnitVersion.objects.get(valid_on(date(2024, 12, 31)), unit=unit)
        for period in periods:
            cached = cache.figures(version, Period.parse(period))
            counted = compute(version, Period.parse(period))
            assert [v.as_dict() for v in cached.values] == [v.as_dict() for v in counted.values], (
                unit,
                period,
            )


def test_a_move_to_another_village_corrected_reaches_both_villages_figures(
    world: World,
) -> None:
    head = world.persons["NT1"][0]
    other = services.household_create(unit=world.groups["NT1"], since=date(2023, 6, 1))
    move = services.event_record(
        person=head,
        data=services.EventInput(
            EventType.MOVE_WITHIN, date(2024, 8, 1), to_household=world.households["NT2"]
        ),
    )
    cache_is_true(world)  # warm
    corrections.event_correct(
        event=move,
        changes={"to_household_id": other.source_id, "event_date": "01/10/2024"},
        reason="Chuyển sang hộ khác trong tổ",
        actor=world.users["ngocthuy"],
    )
    cache_is_true(world)
    move.refresh_from_db()
    corrections.event_withdraw(event=move, reason="Không chuyển", actor=world.users["ngocthuy"])
    cache_is_true(world)


def test_a_closed_years_event_page_sends_the_collaborator_to_the_commune(world: World) -> None:
    services.book_close(commune=world.wards["old 118"], year=2024, user=world.users["ngocthuy"])
    event = start(world)
    page = client(world, "ctv").get(reverse("register:event", args=[event.pk])).content.decode()
    assert "chỉ cán bộ dân số xã được sửa đổi" in page
    assert reverse("register:event_correct", args=[event.pk]) not in page
    officer = client(world, "ngocthuy")
    page = officer.get(reverse("register:event", args=[event.pk])).content.decode()
    assert reverse("register:event_correct", args=[event.pk]) in page
    answer = officer.post(
        reverse("register:event", args=[event.pk]), {"note": "Theo biên bản", "reason": "Kiểm tra"}
    )
    assert answer.status_code == 302
    done = Correction.objects.get()
    assert done.amendment is True
    page = officer.get(reverse("register:event", args=[event.pk])).content.decode()
    assert "sửa đổi sổ đã khoá" in page
