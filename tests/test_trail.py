"""A complete trail (issue 12, point 5): history on every model people change, an actor
named for every change made on the command line, bulk reads through the API logged like
exports, and no GET that writes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.audit import SYSTEM_USERNAME, system_actor
from danso.plans.models import Plan
from danso.register import services
from danso.register.models import AccessLog, BookClosure, Collection
from tests.plans.conftest import LONG_BIEN_2024, SEEDS, WHERE
from tests.privacy.world import World, build_world

pytestmark = pytest.mark.django_db

#: Models without a history of their own: logs, caches, and records that are a trail.
NO_HISTORY = {
    "accounts.LoginFailure",  # a log of failed logins
    "indicators.LeafTally",  # a cache of counts
    "indicators.FiguresEpoch",  # the version of that cache
    "indicators.FiguresChange",  # which periods each version of that cache reached
    "indicators.BranchSum",  # a cache of a branch's leaf counts added up
    # the register's spells, derived from stays, placements, persons and events (whose
    # history says who changed them) and written again whole with every change
    "indicators.StaySpell",
    "indicators.HouseholdSpell",
    "indicators.WomanSpell",
    "register.AccessLog",  # the append-only access log
    "register.AccessLogPerson",
    "register.AccessLogUnit",
    "register.Amendment",  # itself the trail of a change: who, when, why, what it was
    "register.Correction",  # itself the trail of a correction: before, after, who, when, why
    "register.ImportJob",  # a job's progress
    "register.ExportJob",  # a job's progress (the export itself is in the access log)
    "register.DuplicateSearch",  # a job's progress (the pairs it finds have their history)
    # the receipt of a phone's key for a form, written once with its event (whose history
    # says who recorded it) and never changed
    "register.SubmissionKey",
    "units.UnitChange",  # itself the trail of a structural change
    "units.ReferenceDataset",  # what the setup loaded, and when
    "background.ScheduledRun",  # the schedule's lock: a daily task enqueued, by no one
}


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def test_every_model_people_change_has_a_history() -> None:
    missing = [
        model._meta.label
        for config in apps.get_app_configs()
        if config.name.startswith("danso.")
        for model in config.get_models()
        if not model.__name__.startswith("Historical")
        and model._meta.label not in NO_HISTORY
        and not hasattr(model, "history")
    ]
    assert missing == []


def test_closing_a_book_is_in_its_history(world: World) -> None:
    services.book_close(commune=world.wards["old 118"], year=2024, user=world.users["ngocthuy"])
    record = BookClosure.objects.get().history.get()
    assert record.history_type == "+"


def test_a_command_without_user_names_the_system_actor(run_cli: Callable[..., Any]) -> None:
    level, code, on = WHERE[LONG_BIEN_2024]
    run_cli(
        "plans",
        "import",
        str(SEEDS / LONG_BIEN_2024),
        "--unit",
        code,
        "--level",
        str(level),
        "--date",
        on.isoformat(),
    )
    plan = Plan.objects.get()
    users = {h.history_user.username for h in plan.history.all()}
    assert users == {SYSTEM_USERNAME}
    assert plan.created_by is not None
    assert plan.created_by.username == SYSTEM_USERNAME
    system = User.objects.get(username=SYSTEM_USERNAME)
    assert not system.is_active
    assert not system.has_usable_password()


def test_a_get_never_writes_the_months_row(world: World) -> None:
    client = Client()
    client.force_login(world.users["ctv"])
    village = world.groups["NT1"]
    page = client.get(
        reverse("register:collection", args=[village.pk, "2024-07"]), {"date": "2024-07-15"}
    )
    assert page.status_code == 200
    assert not Collection.objects.filter(unit=village, month=date(2024, 7, 1)).exists()


def test_a_keepers_api_list_is_logged_like_an_export(world: World) -> None:
    token, _ = Token.objects.get_or_create(user=world.users["ctv"])
    api = Client(headers={"Authorization": f"Token {token.key}"})
    body = api.get("/api/v1/persons/", {"date": "2024-06-30"}).json()
    assert body["count"] == 3
    entry = AccessLog.objects.get()
    assert (entry.kind, entry.where, entry.count) == ("export", "api_persons", 3)
    assert {row.person_id for row in entry.person_rows.all()} == {
        p.pk for p in world.persons["NT1"]
    }
    api.get("/api/v1/events/", {"date": "2024-06-30"})
    assert AccessLog.objects.filter(where="api_events", kind="export").count() == 1


def test_the_system_actor_is_no_ones_account(make_user: Callable[..., User]) -> None:
    system_actor()
    client = Client()
    client.force_login(make_user("admin", Role.ADMIN))
    assert SYSTEM_USERNAME not in client.get(reverse("accounts:users")).content.decode()
    assert not Client().login(username=SYSTEM_USERNAME, password="")
