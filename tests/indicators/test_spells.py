"""The register's spells kept with every write (issue 15, point 1): after any sequence of
events recorded, corrected and withdrawn, persons corrected, households moved and records
merged — each through the services officers use — the stored spells are exactly those a
rebuild makes (``spells.check``); bulk writers rebuild them for their units; the batch
reads them and counts as the period-by-period count does."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from danso.accounts import services as accounts
from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.indicators import spells
from danso.indicators.models import HouseholdSpell, StaySpell, WomanSpell
from danso.register import corrections, duplicates, services
from danso.register.importing import register_import
from danso.register.models import Event, Household, Membership, Person
from danso.register.signals import register_changed
from danso.register.vocabulary import EventType, MaritalStatus
from danso.units import services as units
from danso.units.codes import Level
from tests.conftest import unit_at
from tests.register.conftest import HANDMADE

pytestmark = pytest.mark.django_db

SINCE = date(2023, 6, 1)
TODAY = date(2026, 11, 30)
SPAN = (date(2026, 6, 30) - SINCE).days


@pytest.fixture
def book() -> dict[str, Any]:
    ward = unit_at(Level.COMMUNE, "118", SINCE)
    villages = [
        units.village_create(
            commune=ward,
            code=f"00118-Q{n}",
            name=f"Tổ dân phố Q{n}",
            type="tổ dân phố",
            valid_from=SINCE,
        )
        for n in (1, 2)
    ]
    admin = accounts.user_create(username="quantri", password="x", validate=False)
    admin.is_superuser = True
    admin.save()
    accounts.role_assign(user=admin, role=Role.ADMIN, unit=None, valid_from=SINCE)
    households = []
    persons = []
    for n in range(3):
        household = services.household_create(
            unit=villages[n % 2], since=SINCE, number=f"Q{n}", address=f"Số {n}"
        )
        households.append(household)
        for first, sex, born, relation in (
            ("Chủ", "M", date(1980, 1, 1), "chu_ho"),
            ("Vợ", "F", date(1990 + n, 2, 2), "vo_chong"),
        ):
            persons.append(
                services.person_add(
                    household=household,
                    registered_on=SINCE,
                    data=services.PersonInput(
                        f"Đỗ Thị {first} {n}",
                        sex,
                        born,
                        relation=relation,
                        marital_status=MaritalStatus.MARRIED.value,
                    ),
                )
            )
    return {"villages": villages, "households": households, "persons": persons, "admin": admin}


def day(offset: int) -> date:
    return SINCE + timedelta(days=offset % SPAN)


KINDS = [
    EventType.MARRIAGE,
    EventType.DIVORCE,
    EventType.CONTRACEPTION_START,
    EventType.CONTRACEPTION_STOP,
    EventType.DEATH,
    EventType.MOVE_OUT,
]
steps = st.one_of(
    st.tuples(
        st.just("event"),
        st.integers(0, 5),
        st.sampled_from(KINDS),
        st.integers(0, SPAN),
        st.sampled_from(["pill", "iud", "condom", "traditional"]),
    ),
    st.tuples(st.just("redate"), st.integers(0, 20), st.integers(0, SPAN)),
    st.tuples(st.just("withdraw"), st.integers(0, 20)),
    st.tuples(
        st.just("person"),
        st.integers(0, 5),
        st.sampled_from(["sex", "birth_date", "marital_status"]),
        st.integers(0, 9000),
    ),
    st.tuples(st.just("place"), st.integers(0, 2), st.integers(0, 1), st.integers(0, SPAN)),
    st.tuples(st.just("merge"), st.integers(0, 5), st.integers(0, 5)),
)


def _person_change(field: str, n: int) -> Any:
    if field == "sex":
        return "MF"[n % 2]
    if field == "birth_date":
        return date(1975, 1, 1) + timedelta(days=n)
    return [MaritalStatus.MARRIED.value, MaritalStatus.NEVER_MARRIED.value][n % 2]


def apply(step: tuple[Any, ...], book: dict[str, Any]) -> None:
    """Do ``step`` as an officer would; a step the rules refuse changes nothing."""
    admin: User = book["admin"]
    persons: list[Person] = [Person.objects.get(pk=p.pk) for p in book["persons"]]
    events = list(Event.objects.order_by("pk"))
    kind = step[0]
    try:
        with transaction.atomic():
            if kind == "event":
                _, who, event_type, offset, method = step
                services.event_record(
                    person=persons[who],
                    data=services.EventInput(
                        event_type,
                        day(offset),
                        method=method if "contraception" in event_type else "",
                        supply="free" if event_type == EventType.CONTRACEPTION_START else "",
                        new_acceptor=False if event_type == EventType.CONTRACEPTION_START else None,
                        to_place="Hải Phòng" if event_type == EventType.MOVE_OUT else "",
                    ),
                    today=TODAY,
                )
            elif kind == "redate" and events:
                event = events[step[1] % len(events)]
                corrections.event_correct(
                    event=event,
                    changes={"event_date": day(step[2]).isoformat()},
                    reason="Ghi nhầm ngày",
                    actor=admin,
                    today=TODAY,
                )
            elif kind == "withdraw" and events:
                corrections.event_withdraw(
                    event=events[step[1] % len(events)], reason="Ghi nhầm", actor=admin, today=TODAY
                )
            elif kind == "person":
                _, who, field, n = step
                corrections.person_correct(
                    person=persons[who],
                    changes={field: _person_change(field, n)},
                    reason="Sửa theo giấy tờ",
                    actor=admin,
                    today=TODAY,
                )
            elif kind == "place":
                _, which, village, offset = step
                household: Household = book["households"][which]
                services.household_place(
                    household=household,
                    unit=book["villages"][village],
                    since=max(day(offset), household.placements.latest("valid_from").valid_from),
                )
            elif kind == "merge" and step[1] != step[2]:
                keep, merge = persons[step[1]], persons[step[2]]
                if keep.merged_into_id is None and merge.merged_into_id is None:
                    duplicates.person_merge(keep=keep, merge=merge, user=admin, reason="Trùng")
    except (ValidationError, PermissionDenied, ValueError):
        pass


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=st.lists(steps, min_size=1, max_size=12))
def test_the_kept_spells_are_a_rebuild_after_any_sequence_of_writes(
    book: dict[str, Any], sequence: list[tuple[Any, ...]]
) -> None:
    with transaction.atomic():
        for step in sequence:
            apply(step, book)
        found = spells.check()
        assert found["differing"] == 0, (sequence, found)
        transaction.set_rollback(True)


def test_a_woman_has_her_spells_and_a_stay_its_leaf(book: dict[str, Any]) -> None:
    wife = book["persons"][1]
    services.event_record(
        person=wife,
        data=services.EventInput(
            EventType.CONTRACEPTION_START,
            date(2024, 2, 2),
            method="pill",
            supply="free",
            new_acceptor=True,
        ),
        today=TODAY,
    )
    services.event_record(
        person=wife,
        data=services.EventInput(EventType.CONTRACEPTION_STOP, date(2024, 9, 1), method="pill"),
        today=TODAY,
    )
    stays = StaySpell.objects.filter(person=wife.pk)
    assert [(s.leaf, s.start, s.until, s.sex) for s in stays] == [
        (book["villages"][0].pk, SINCE, None, "F")
    ]
    using = WomanSpell.objects.get(person=wife.pk, kind=WomanSpell.USING)
    assert (using.start, using.end) == (date(2024, 2, 2), date(2024, 9, 1))
    # she was added as married with no marriage in the book: married always
    married = WomanSpell.objects.get(person=wife.pk, kind=WomanSpell.MARRIED)
    assert (married.start, married.end) == (None, None)
    assert not WomanSpell.objects.filter(person=book["persons"][0].pk).exists()  # a man


def test_a_household_moved_moves_its_members_spells(book: dict[str, Any]) -> None:
    household = book["households"][0]
    services.household_place(household=household, unit=book["villages"][1], since=date(2025, 3, 1))
    leaves = sorted(
        StaySpell.objects.filter(person=book["persons"][0].pk).values_list("leaf", "until")
    )
    assert leaves == sorted(
        [(book["villages"][0].pk, date(2025, 2, 28)), (book["villages"][1].pk, None)]
    )
    assert spells.check()["differing"] == 0


def test_a_bulk_write_is_followed_by_its_units_spells(book: dict[str, Any]) -> None:
    """Rows written without saving models (as an import writes them) get their spells when
    the writer says so (``register_changed``), and ``check`` names them until then."""
    household = book["households"][1]
    [someone] = Person.objects.bulk_create(
        [
            Person(
                source_id="P-bulk",
                full_name="Đỗ Văn Mới",
                sex="M",
                birth_date=date(2000, 1, 1),
                registered_on=date(2024, 1, 1),
            )
        ]
    )
    Membership.objects.bulk_create(
        [Membership(person=someone, household=household, valid_from=date(2024, 1, 1))]
    )
    found = spells.check()
    assert found["differ"] == [someone.pk]
    register_changed.send(sender=Membership, units=[book["villages"][1].pk], since=None)
    assert spells.check()["differing"] == 0
    assert StaySpell.objects.filter(person=someone.pk).count() == 1


def test_an_import_that_creates_its_villages_is_followed_by_their_spells() -> None:
    """A first import makes the villages of its households: the persons it writes there
    get their spells too (before, only the communes' and the existing villages' persons
    did, and every figure of an imported district read zero)."""
    report = register_import(HANDMADE)
    assert report.errors == []
    assert report.imported["units"] > 0
    assert report.imported["persons"] > 0
    found = spells.check()
    assert (found["differing"], found["households_differing"]) == (0, 0)
    assert StaySpell.objects.values("person").distinct().count() == Person.objects.count()


def test_the_check_command_says_whether_the_spells_agree(
    book: dict[str, Any], run_cli: Any
) -> None:
    StaySpell.objects.filter(person=book["persons"][2].pk).delete()
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("indicators", "spells", "--format", "json", stdout=out)
    broken = json.loads(out.getvalue())
    assert (broken["differing"], broken["differ"]) == (1, [book["persons"][2].pk])
    assert str(book["persons"][2].pk) in str(caught.value)
    repaired = run_cli("indicators", "spells", "--rebuild")
    assert (repaired["differing"], repaired["rebuilt"]) == (0, True)
    assert repaired["stays"] == StaySpell.objects.count() == 6


def test_overlapping_stays_in_one_leaf_are_one_spell(book: dict[str, Any]) -> None:
    """A person in two households of one village at once (a double entry) is one person
    there on each day; each household is present while one of its members is."""
    head, village = book["persons"][0], book["villages"][0]
    second = services.household_create(unit=village, since=SINCE, number="Q9", address="Số 9")
    Membership.objects.create(
        person=head,
        household=second,
        relation="chu_ho",
        valid_from=date(2024, 1, 1),
        valid_to=date(2024, 12, 31),
    )
    assert list(StaySpell.objects.filter(person=head.pk).values_list("leaf", "start", "until")) == [
        (village.pk, SINCE, None)
    ]
    assert list(
        HouseholdSpell.objects.filter(household=second.pk).values_list("leaf", "start", "until")
    ) == [(village.pk, date(2024, 1, 1), date(2024, 12, 31))]
    assert HouseholdSpell.objects.filter(household=book["households"][0].pk).count() == 1
    assert spells.check()["differing"] == spells.check()["households_differing"] == 0


def test_the_check_command_fails_when_only_a_household_differs(book: dict[str, Any]) -> None:
    HouseholdSpell.objects.filter(household=book["households"][0].pk).delete()
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("indicators", "spells", "--format", "json", stdout=out)
    found = json.loads(out.getvalue())
    assert (found["differing"], found["households_differing"]) == (0, 1)
    assert "1" in str(caught.value)


#: ``sqlite_stat1`` of the demo's register after ``ANALYZE`` (table, index, sizes).
DEMO_SIZES = [
    ("register_person", "sqlite_autoindex_register_person_1", "307254 1"),
    ("register_person", "person_birth", "307254 10"),
    ("register_householdplacement", "placement_unit", "91226 319 7"),
    ("register_householdplacement", "register_householdplacement_household_id_a04735bd", "91226 1"),
    ("register_membership", "membership_person", "329436 1 1"),
    ("register_membership", "membership_household", "329436 4 3"),
    ("register_event", "event_type_date", "638267 45591 27"),
    ("register_event", "event_person", "638267 4 1"),
    ("register_event", "event_unit", "638267 2232 160 2"),
    ("indicators_stayspell", "stayspell_person", "329436 1"),
    ("indicators_stayspell", "stayspell_leaf", "329436 1152 8"),
    ("indicators_householdspell", "householdspell_household", "91226 1"),
    ("indicators_womanspell", "womanspell_person", "223169 3 2"),
]


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's plan, read with EXPLAIN QUERY PLAN"
)
def test_one_persons_spells_read_the_register_by_index(book: dict[str, Any]) -> None:
    """Rewriting one person's spells (every saved event) reads their rows through the
    indexes, never a whole table of the register: a woman's spells once scanned every
    event of the register (0.6 s for a death saved on the demo)."""
    wife = book["persons"][1]
    with connection.cursor() as cursor:
        # the planner is told the sizes of the demo's register (307,254 persons), as
        # ANALYZE measured them there; the book's few rows would let it scan anything
        cursor.execute("ANALYZE")
        cursor.execute("DELETE FROM sqlite_stat1")
        cursor.executemany("INSERT INTO sqlite_stat1 VALUES (%s, %s, %s)", DEMO_SIZES)
        cursor.execute("ANALYZE sqlite_schema")
        who = spells.Persons.named([wife.pk])
        household = book["households"][0].pk
        for sql, params in (
            spells._stay_spells(who),
            spells._woman_spells(who),
            spells._home_spells(spells._homes_of(who, [household])),
        ):
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            steps = [row[3] for row in cursor.fetchall()]
            # the register's tables are read as e (events), m (stays), pl (placements)
            # and p (persons); a SCAN of any of them reads the whole table, and so does
            # the building of a BLOOM FILTER ON one (a woman's marital status read by a
            # join once cost a scan of every person this way: 36 ms for one woman)
            whole = [step for step in steps if _read_whole(step) in {"e", "m", "pl", "p"}]
            assert not whole, steps


def _read_whole(step: str) -> str | None:
    """The table (alias) a step of SQLite's plan reads whole, if any."""
    words = step.split()
    if step.startswith("SCAN "):
        return words[1]
    if step.startswith("BLOOM FILTER ON "):
        return words[3]
    return None
