"""The set-based count of a batch of periods (``indicators.setbased``, issue 15) gives
exactly the period-by-period counts (``tallying.tallies_of``) on any register: random
books of persons with stays that start, end and overlap, households that move between
villages, marriages, divorces, method starts and stops on the same days, check-ups,
births and deaths (hypothesis), and the demo's generated book."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from danso.indicators import cache
from danso.indicators import tallies as keys
from danso.indicators.models import LeafTally
from danso.indicators.periods import Period
from danso.indicators.setbased import tallies_of_periods
from danso.indicators.tallying import tallies_of
from danso.register.generation import generate
from danso.register.models import Event, Household, HouseholdPlacement, Membership, Person
from danso.register.signals import register_changed
from danso.register.vocabulary import EventType, MaritalStatus
from danso.units import services as units
from danso.units.codes import Level
from danso.units.models import Unit
from tests.conftest import unit_at

pytestmark = pytest.mark.django_db

YEAR = 2024
PERIODS = cache.periods_of(YEAR)
FIRST = date(2020, 1, 1)
SPAN = (date(2025, 12, 31) - FIRST).days


@pytest.fixture
def villages() -> list[Unit]:
    ward = unit_at(Level.COMMUNE, "118", date(2023, 6, 1))
    return [
        units.village_create(
            commune=ward,
            code=f"00118-S{n}",
            name=f"Tổ dân phố S{n}",
            type="tổ dân phố",
            valid_from=date(2023, 6, 1),
        )
        for n in (1, 2)
    ]


def per_period(leaves: list[int]) -> dict[str, dict[int, dict[str, int]]]:
    return {
        str(period): {unit: dict(t) for unit, t in tallies_of(period, leaves).items()}
        for period in PERIODS
    }


def in_batch(leaves: list[int]) -> dict[str, dict[int, dict[str, int]]]:
    counted = tallies_of_periods(PERIODS, leaves)
    return {name: {unit: dict(t) for unit, t in by.items()} for name, by in counted.items()}


def differences(leaves: list[int]) -> list[tuple[str, int, str, int | None, int | None]]:
    """(period, leaf, key, in the batch, period by period) wherever the two differ."""
    batch, single = in_batch(leaves), per_period(leaves)
    found = []
    for name in sorted(set(batch) | set(single)):
        for unit in sorted(set(batch.get(name, {})) | set(single.get(name, {}))):
            one, other = batch.get(name, {}).get(unit, {}), single.get(name, {}).get(unit, {})
            found += [
                (name, unit, key, one.get(key), other.get(key))
                for key in sorted(set(one) | set(other))
                if one.get(key) != other.get(key)
            ]
    return found


days = st.integers(min_value=0, max_value=SPAN).map(lambda n: FIRST + timedelta(days=n))
births = st.one_of(
    st.dates(min_value=date(1930, 1, 1), max_value=date(2025, 6, 1)),
    st.sampled_from([date(1976, 2, 29), date(2000, 2, 29), date(1964, 7, 1), date(2009, 1, 1)]),
)
person_specs = st.fixed_dictionaries(
    {
        "sex": st.sampled_from(["M", "F", "F"]),
        "born": births,
        "status": st.sampled_from([s.value for s in MaritalStatus]),
        # stays: household index (0–2), start, length in days (None: open)
        "stays": st.lists(
            st.tuples(st.integers(0, 2), days, st.one_of(st.none(), st.integers(0, 900))),
            min_size=1,
            max_size=3,
        ),
        "events": st.lists(
            st.tuples(
                st.sampled_from(
                    [
                        EventType.MARRIAGE,
                        EventType.DIVORCE,
                        EventType.CONTRACEPTION_START,
                        EventType.CONTRACEPTION_STOP,
                        EventType.ELDERLY_CHECKUP,
                        EventType.DEATH,
                        EventType.MOVE_IN,
                    ]
                ),
                # a few days only, so that events fall on the same day
                st.sampled_from(
                    [
                        date(2023, 12, 31),
                        date(2024, 1, 31),
                        date(2024, 2, 29),
                        date(2024, 3, 15),
                        date(2024, 6, 30),
                        date(2024, 12, 31),
                    ]
                )
                | days,
                st.sampled_from(["iud", "iud", "pill", "traditional"]),
            ),
            max_size=6,
        ),
    }
)
# households 0–2: placed in village 0 or 1, the third one moving on a day
placements = st.tuples(st.integers(0, 1), st.integers(0, 1), days)


def build(
    villages: list[Unit], people: list[dict[str, Any]], moves: tuple[int, int, date]
) -> list[int]:
    """Write the register of ``people`` (straight into the tables: the services would
    refuse some of these books, the counts must still agree on them)."""
    first, second, moved = moves
    households = [
        Household.objects.create(source_id=f"H{n}", unit=villages[n % 2]) for n in range(3)
    ]
    HouseholdPlacement.objects.bulk_create(
        [
            HouseholdPlacement(household=households[0], unit=villages[first], valid_from=FIRST),
            HouseholdPlacement(household=households[1], unit=villages[1], valid_from=FIRST),
            HouseholdPlacement(
                household=households[2], unit=villages[second], valid_from=FIRST, valid_to=moved
            ),
            HouseholdPlacement(
                household=households[2],
                unit=villages[1 - second],
                valid_from=moved + timedelta(days=1),
            ),
        ]
    )
    events: list[Event] = []
    for n, spec in enumerate(people):
        someone = Person.objects.create(
            source_id=f"P{n}",
            full_name=f"Người {n}",
            name_folded=f"nguoi {n}",
            sex=spec["sex"],
            birth_date=spec["born"],
            marital_status=spec["status"],
            registered_on=FIRST,
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    person=someone,
                    household=households[index],
                    valid_from=start,
                    valid_to=None if length is None else start + timedelta(days=length),
                )
                for index, start, length in spec["stays"]
            ]
        )
        for k, (kind, day, method) in enumerate(spec["events"]):
            events.append(
                Event(
                    source_id=f"E{n}-{k}",
                    event_type=kind,
                    event_date=day,
                    person=someone,
                    unit=villages[k % 2],
                    path="",
                    method=method if kind.startswith("contraception") else "",
                )
            )
    Event.objects.bulk_create(events)
    # written in bulk, as an import writes: its writer says so (the spells follow)
    register_changed.send(sender=build, units=[village.pk for village in villages], since=None)
    return [village.pk for village in villages]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=st.lists(person_specs, min_size=1, max_size=8), moves=placements)
def test_a_batch_counts_what_each_period_counts_on_any_register(
    villages: list[Unit], people: list[dict[str, Any]], moves: tuple[int, int, date]
) -> None:
    with transaction.atomic():
        leaves = build(villages, people, moves)
        assert differences(leaves) == []
        transaction.set_rollback(True)


def test_a_woman_with_two_stays_counts_where_she_is_registered(villages: list[Unit]) -> None:
    """Overlapping stays in two villages: she counts in the stock of each, and in the
    prevalence of each (the batch states what the period-by-period count left to the
    order of its rows)."""
    spec = {
        "sex": "F",
        "born": date(1990, 4, 1),
        "status": MaritalStatus.MARRIED.value,
        "stays": [(0, date(2023, 1, 1), None), (1, date(2023, 1, 1), None)],
        "events": [(EventType.CONTRACEPTION_START, date(2023, 5, 1), "iud")],
    }
    leaves = build(villages, [spec], (0, 0, date(2026, 1, 1)))
    counted = tallies_of_periods([Period.parse("2024")], leaves)["2024"]
    for leaf in leaves:
        assert counted[leaf][keys.POPULATION] == 1
        assert counted[leaf][keys.CPR_WOMEN] == 1
        assert counted[leaf][keys.CPR_USERS] == 1


@pytest.fixture
def generated() -> list[int]:
    ward = unit_at(Level.COMMUNE, "118", date(2024, 7, 1))
    generate(ward, YEAR, seed=5, scale=0.05)
    return cache.with_register(cache.leaves_in(YEAR))


def test_a_generated_book_counts_the_same_either_way_and_warms_every_row(
    generated: list[int],
) -> None:
    assert differences(generated) == []
    # the warming stores the batch; a second warming writes nothing
    cache.invalidate(None, None)
    assert cache.warm(YEAR) == len(generated) * len(PERIODS)
    assert cache.warm(YEAR) == 0
    stored = LeafTally.objects.get(unit_id=generated[0], period="2024-03").tally
    assert stored == dict(tallies_of(Period.parse("2024-03"), generated[:1]).get(generated[0], {}))


def test_a_person_registered_before_their_birth_counts_in_the_population(
    villages: list[Unit],
) -> None:
    """Found by the property test: a stay that starts before the birth day (a book that
    registered a child early) counts in the population, in no age group, in both counts."""
    child = {
        "sex": "F",
        "born": date(2024, 2, 15),
        "status": MaritalStatus.NEVER_MARRIED.value,
        "stays": [(0, date(2020, 1, 1), None)],
        "events": [],
    }
    leaves = build(villages, [child], (0, 0, date(2020, 1, 1)))
    assert differences(leaves) == []
    january = in_batch(leaves)["2024-01"][villages[0].pk]
    assert january[keys.POPULATION] == 1
    assert not any(key.startswith("PYR.") for key in january), january
