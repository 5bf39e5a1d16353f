"""``danso register correct`` and ``danso register withdraw`` (issue 14, point 5): one
JSON document, the user's scope and rights, refusals in words on stderr with a non-zero
exit code."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from danso.audit import SYSTEM_USERNAME
from danso.register import services
from danso.register.models import Correction, Event
from danso.register.vocabulary import EventType
from tests.privacy.world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def start(world: World, group: str = "NT1") -> Event:
    return Event.objects.get(
        person=world.persons[group][1], event_type=EventType.CONTRACEPTION_START
    )


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        call_command("register", *args, "--format", "json")
    return str(caught.value)


def test_correct_prints_the_correction(world: World, run_cli: Callable[..., Any]) -> None:
    event = start(world)
    out = run_cli(
        "register",
        "correct",
        event.source_id,
        "--set",
        "event_date=15/03/2024",
        "--set",
        "method=implant",
        "--reason",
        "Ghi nhầm",
        "--user",
        "ctv",
    )
    correction = out["correction"]
    assert correction["kind"] == "correct"
    assert correction["source_id"] == event.source_id
    assert correction["changes"] == {
        "event_date": ["2024-02-02", "2024-03-15"],
        "method": ["iud", "implant"],
    }
    assert correction["amendment"] is False
    assert correction["made_by"] == "ctv"
    assert correction["made_at"]
    assert Correction.objects.get().pk == correction["id"]
    event.refresh_from_db()
    assert event.event_date == date(2024, 3, 15)


def test_correct_a_persons_detail_without_user_is_the_system(
    world: World, run_cli: Callable[..., Any]
) -> None:
    person = world.persons["NT1"][0]
    out = run_cli(
        "register", "correct", person.source_id, "--set", "ethnicity=Tày", "--reason", "Sai"
    )
    assert out["correction"]["made_by"] == SYSTEM_USERNAME
    assert out["correction"]["changes"] == {"ethnicity": ["", "Tày"]}


def test_withdraw_prints_the_withdrawal(world: World, run_cli: Callable[..., Any]) -> None:
    event = start(world)
    out = run_cli(
        "register", "withdraw", event.source_id, "--reason", "Ghi trùng", "--user", "ngocthuy"
    )
    assert out["correction"]["kind"] == "withdraw"
    assert out["correction"]["changes"]["event_type"] == ["contraception_start", None]
    assert not Event.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--set", "colour=red"], "không sửa được"),
        (["--set", "event_date=32/01/2024"], "không phải là ngày"),
        (["--set", "event_type=birth"], "rút bỏ"),
        (["--set", "nothing"], "FIELD=VALUE"),
        (["--set", "method=iud"], "Không có gì thay đổi"),
    ],
)
def test_a_wrong_correction_is_refused_in_words(world: World, args: list[str], words: str) -> None:
    message = refused("correct", start(world).source_id, *args, "--reason", "Sai", "--user", "ctv")
    assert words in message
    assert not Correction.objects.exists()


def test_the_users_scope_and_rights_apply(world: World) -> None:
    outside = start(world, "NT2")
    message = refused(
        "correct", outside.source_id, "--set", "note=x", "--reason", "Sai", "--user", "ctv"
    )
    assert "Không có" in message  # not even said to exist
    assert refused("withdraw", outside.source_id, "--reason", "Sai", "--user", "xem").startswith(
        "Không có"
    )
    assert refused("withdraw", "NO-SUCH", "--reason", "Sai").startswith("Không có")
    assert Event.objects.filter(pk=outside.pk).exists()


def test_a_closed_year_needs_the_commune_officer(world: World, run_cli: Callable[..., Any]) -> None:
    services.book_close(commune=world.wards["old 118"], year=2024, user=world.users["ngocthuy"])
    event = start(world)
    message = refused(
        "correct", event.source_id, "--set", "method=pill", "--reason", "Sai", "--user", "ctv"
    )
    assert "khoá" in message
    out = run_cli(
        "register",
        "correct",
        event.source_id,
        "--set",
        "method=pill",
        "--reason",
        "Theo biên bản",
        "--user",
        "ngocthuy",
    )
    assert out["correction"]["amendment"] is True
