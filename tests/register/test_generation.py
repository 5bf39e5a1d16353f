"""The synthetic register generator: Long Biên 2024 at 5 % of its households, checked
from the tables (events by type, ages from birth dates, households' sizes), against the
rules of the book, and for determinism.

Rates are computed over the whole book (2021–2024, ≈ 700 births at this scale) where a
single year would be too noisy; a band derived from the number of births (3 standard
errors) keeps a legitimate change of the generator's random stream from failing a test.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError
from django.db import transaction
from django.db.models import Q

from danso.register.generation import GenerationSummary, book_opening, generate
from danso.register.models import Event, Household, HouseholdPlacement, Membership, Person
from danso.register.rules import PersonFacts, event_findings
from danso.register.vocabulary import EventType, Relation, Sex
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from danso.units.services import village_create
from tests.conftest import unit_at

MID = date(2024, 7, 1)
YEAR_2024 = Q(event_date__year=2024)
SCALE = 0.05
LONG_BIEN = "4"
NINH_HIEP = "535"  # a xã of Huyện Gia Lâm: a rural commune
YEN_THUONG = "529"  # another xã of Gia Lâm, for the command line


@dataclass
class Book:
    summary: GenerationSummary
    path: str  # Long Biên's path in 2024


@pytest.fixture(scope="module")
def book(django_db_setup: None, django_db_blocker: Any) -> Iterator[Book]:
    """Long Biên 2024 generated once for the module, rolled back at its end; Ngọc Thụy
    already has three residential groups (as in the demo)."""
    with django_db_blocker.unblock(), transaction.atomic():
        ngoc_thuy = unit_at(Level.COMMUNE, "118", MID)
        for number in range(1, 4):
            village_create(
                commune=ngoc_thuy,
                code=f"NT-TDP{number:02d}",
                name=f"Tổ dân phố {number}",
                type="tổ dân phố",
                valid_from=date(2023, 5, 7),
            )
        long_bien = unit_at(Level.DISTRICT, LONG_BIEN, MID)
        summary = generate(long_bien, 2024, seed=2024, scale=SCALE)
        path = UnitVersion.objects.filter(valid_on(MID), unit=long_bien).get().path
        yield Book(summary, path)
        transaction.set_rollback(True)


def _in_book(book: Book) -> Q:
    return Q(path__startswith=book.path)


def _population_on(day: date) -> list[tuple[int, int, date]]:
    """(person, household, birth date) of everyone in the register on ``day``."""
    return list(
        Membership.objects.filter(valid_on(day)).values_list(
            "person_id", "household_id", "person__birth_date"
        )
    )


def _share_band(observed: int, total: int, expected: float) -> tuple[float, float, float]:
    """The observed share and the band ``expected`` ± 3 standard errors for ``total``."""
    error = 3 * math.sqrt(expected * (1 - expected) / total)
    return observed / total, expected - error, expected + error


@pytest.mark.django_db
def test_the_district_is_filled_with_villages_households_and_persons(book: Book) -> None:
    summary = book.summary
    assert summary.communes == 14
    assert summary.opening == book_opening(2024) == date(2021, 1, 1)
    # Ngọc Thụy's residential groups are reused; the 13 other wards get their own, coded
    # after the commune
    assert summary.villages_reused == 3
    assert summary.villages_created >= 13
    assert Household.objects.filter(unit__versions__code="NT-TDP01").exists()
    assert UnitVersion.objects.filter(
        valid_on(MID), unit__level=Level.VILLAGE, code="00115-TDP01", name="Tổ dân phố 1"
    ).exists()
    assert Household.objects.count() == summary.households
    assert Person.objects.count() == summary.persons
    assert 12_000 < len(_population_on(MID)) < 16_000  # 5 % of ≈ 270,000
    assert Event.objects.filter(_in_book(book)).count() == sum(summary.events.values())


@pytest.mark.django_db
def test_households_have_a_realistic_size(book: Book) -> None:
    sizes = Counter(household for _person, household, _born in _population_on(MID))
    mean = sum(sizes.values()) / len(sizes)
    assert 2.8 <= mean <= 3.8
    assert max(sizes.values()) <= 8
    opening = date(2021, 1, 1)
    heads = Membership.objects.filter(relation=Relation.HEAD, valid_from=opening)
    assert heads.count() == HouseholdPlacement.objects.filter(valid_from=opening).count()


@pytest.mark.django_db
def test_ages_look_like_ha_noi(book: Book) -> None:
    borns = [born for _person, _household, born in _population_on(MID)]
    aged_60 = sum(1 for born in borns if born <= date(1964, 7, 1))
    children = sum(1 for born in borns if born > date(2009, 7, 1))
    assert 0.13 <= aged_60 / len(borns) <= 0.16
    assert 0.18 <= children / len(borns) <= 0.26


@pytest.mark.django_db
def test_births_deaths_and_the_sex_ratio(book: Book) -> None:
    population = len(_population_on(MID))
    births_2024 = Event.objects.filter(_in_book(book), YEAR_2024, event_type=EventType.BIRTH)
    deaths_2024 = Event.objects.filter(_in_book(book), YEAR_2024, event_type=EventType.DEATH)
    assert 9 <= 1000 * births_2024.count() / population <= 16  # CBR, ‰
    assert 3 <= 1000 * deaths_2024.count() / population <= 10  # CDR, ‰

    births = Event.objects.filter(_in_book(book), event_type=EventType.BIRTH)
    sexes = Counter(births.values_list("child_sex", flat=True))
    boys, girls = sexes[Sex.MALE], sexes[Sex.FEMALE]
    assert boys + girls == births.count() > 500
    share, low, high = _share_band(boys, boys + girls, 111 / 211)  # SRB 111
    assert low <= share <= high, f"SRB {100 * boys / girls:.1f}"
    third = births.filter(birth_order__gte=3).count()
    assert 0.04 <= third / births.count() <= 0.09


@pytest.mark.django_db
def test_a_child_is_born_into_the_mothers_household(book: Book) -> None:
    births = Event.objects.filter(_in_book(book), event_type=EventType.BIRTH).select_related(
        "child", "person"
    )
    for birth in births:
        assert birth.child is not None
        assert birth.child.birth_date == birth.event_date == birth.child.registered_on
        assert birth.person.sex == Sex.FEMALE
        child_home = Membership.objects.get(person=birth.child, valid_from=birth.event_date)
        mother_home = Membership.objects.filter(person=birth.person).get(valid_on(birth.event_date))
        assert child_home.household_id == mother_home.household_id


@pytest.mark.django_db
def test_birth_orders_follow_the_mothers_births(book: Book) -> None:
    by_mother: dict[int, list[int]] = defaultdict(list)
    for mother, order in (
        Event.objects.filter(_in_book(book), event_type=EventType.BIRTH)
        .order_by("event_date")
        .values_list("person_id", "birth_order")
    ):
        assert order is not None
        by_mother[mother].append(order)
    for orders in by_mother.values():
        assert orders == list(range(orders[0], orders[0] + len(orders)))


@pytest.mark.django_db
def test_every_event_keeps_the_rules_of_the_book(book: Book) -> None:
    stays: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    for person, start, end in Membership.objects.values_list("person_id", "valid_from", "valid_to"):
        stays[person].append((start, end))
    deaths = dict(
        Event.objects.filter(event_type=EventType.DEATH).values_list("person_id", "event_date")
    )
    persons = {
        pk: PersonFacts(sex, born, "day", deaths.get(pk), stays[pk])
        for pk, sex, born in Person.objects.values_list("pk", "sex", "birth_date")
    }
    born = {pk: facts.birth_date for pk, facts in persons.items()}
    broken = []
    events = Event.objects.values_list(
        "pk", "event_type", "event_date", "person_id", "child_id", "birth_order"
    )
    for pk, kind, day, person, child, order in events:
        findings = event_findings(
            EventType(kind),
            day,
            persons[person],
            child_birth_date=born[child] if child else None,
            birth_order=order,
        )
        if findings:
            broken.append((pk, kind, day, [f.message for f in findings]))
    assert broken == []


@pytest.mark.django_db
def test_events_count_where_the_household_was_that_day(book: Book) -> None:
    """As ``register.services.event_record``: the unit of the household the person
    belonged to (for a move within the commune, the household left), with that unit's
    path on the day (the first version's path before the tree begins, 7/5/2023)."""
    placements = dict(HouseholdPlacement.objects.values_list("household_id", "unit_id"))
    homes: dict[int, list[tuple[date, date | None, int]]] = defaultdict(list)
    for person, start, end, household in Membership.objects.values_list(
        "person_id", "valid_from", "valid_to", "household_id"
    ):
        homes[person].append((start, end, household))
    versions: dict[int, list[UnitVersion]] = defaultdict(list)
    for version in UnitVersion.objects.filter(unit_id__in=set(placements.values())).order_by(
        "valid_from"
    ):
        versions[version.unit_id].append(version)
    events = Event.objects.filter(_in_book(book)).values_list(
        "event_type", "event_date", "person_id", "unit_id", "path"
    )
    for kind, day, person, unit, path in events:
        # a move within the commune counts in the household left, the day before
        seen = day if kind != EventType.MOVE_WITHIN else date.fromordinal(day.toordinal() - 1)
        household = next(
            h for start, end, h in homes[person] if start <= seen and (end is None or seen <= end)
        )
        assert placements[household] == unit
        covering = [v for v in versions[unit] if v.covers(day)] or versions[unit][:1]
        assert covering[0].path == path


@pytest.mark.django_db
def test_screenings_checks_and_contraception_are_in_the_plans_range(book: Book) -> None:
    in_book = Event.objects.filter(_in_book(book), YEAR_2024)
    births = list(in_book.filter(event_type=EventType.BIRTH).values_list("person_id", "event_date"))
    screened = {
        (mother, day)
        for mother, day in births
        if Event.objects.filter(
            person_id=mother,
            event_type=EventType.PRENATAL_SCREENING,
            event_date__range=(date.fromordinal(day.toordinal() - 280), day),
        ).exists()
    }
    assert 0.75 <= len(screened) / len(births) <= 0.95  # ≈ 86 %
    newborn = in_book.filter(event_type=EventType.NEWBORN_SCREENING).count()
    assert 0.78 <= newborn / len(births) <= 0.98  # ≈ 89 %

    elderly = {
        person for person, _household, born in _population_on(MID) if born <= date(1964, 7, 1)
    }
    checked = set(
        in_book.filter(event_type=EventType.ELDERLY_CHECKUP).values_list("person_id", flat=True)
    )
    assert 0.84 <= len(checked & elderly) / len(elderly) <= 0.94  # ≈ 89 %

    # a method in use when the book was opened is the book's inventory, not a new user
    starts = in_book.filter(event_type=EventType.CONTRACEPTION_START).exclude(
        extra__has_key="in_use_at_opening"
    )
    by_method = Counter(starts.values_list("method", flat=True))
    per_thousand = 1000 * sum(by_method.values()) / len(_population_on(MID))
    assert 60 <= per_thousand <= 110  # Long Biên 2025: 24,971 for ≈ 300,000 persons
    assert by_method.most_common(2)[0][0] == "condom"
    assert by_method.most_common(2)[1][0] == "pill"
    supplies = set(starts.values_list("supply", flat=True))
    assert supplies <= {"free", "social_marketing", "commercial"}


@pytest.mark.django_db
def test_a_root_with_a_register_is_refused(book: Book) -> None:
    ngoc_thuy = unit_at(Level.COMMUNE, "118", MID)
    with pytest.raises(ValidationError, match="đã có hộ trong sổ"):
        generate(ngoc_thuy, 2024, seed=1, scale=SCALE)


def _fingerprint(summary: GenerationSummary, path: str) -> tuple[Any, ...]:
    """What a generation wrote under ``path``: its summary and a digest of its persons and
    events in the order of their ids in the book (database keys and timings aside)."""
    digest = hashlib.sha256()
    households = Household.objects.filter(unit__versions__path__startswith=path)
    for person in (
        Person.objects.filter(memberships__household__in=households)
        .distinct()
        .order_by("source_id")
        .values_list("full_name", "sex", "birth_date", "id_number", "marital_status")
    ):
        digest.update(repr(person).encode())
    for event in (
        Event.objects.filter(path__startswith=path)
        .order_by("source_id")
        .values_list("event_type", "event_date", "person__full_name", "method", "birth_order")
    ):
        digest.update(repr(event).encode())
    data = summary.as_dict()
    data.pop("seconds")
    return data, digest.hexdigest()


def _generated(seed: int) -> tuple[Any, ...]:
    """Ninh Hiệp generated with ``seed``, then rolled back."""
    commune = unit_at(Level.COMMUNE, NINH_HIEP, MID)
    path = UnitVersion.objects.filter(valid_on(MID), unit=commune).get().path
    with transaction.atomic():
        fingerprint = _fingerprint(generate(commune, 2024, seed=seed, scale=SCALE), path)
        transaction.set_rollback(True)
    return fingerprint


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_register() -> None:
    first, second, other = _generated(7), _generated(7), _generated(8)
    assert first == second
    assert first[1] != other[1]
    summary = first[0]
    assert summary["persons"] > 300
    assert summary["villages_created"] >= 1  # thôn of a rural commune
    assert not UnitVersion.objects.filter(code="00535-T01").exists()  # rolled back


@pytest.mark.django_db
def test_the_command_generates_once_and_prints_one_json_document(
    run_cli: Callable[..., Any],
) -> None:
    out = run_cli(
        "demo", "generate", "--unit", YEN_THUONG, "--level", "commune", "--year", "2024",
        "--seed", "1", "--scale", "0.02",
    )  # fmt: skip
    assert out["root"] == "Xã Yên Thường"
    assert out["households"] > 0
    assert out["persons"] > out["households"]
    assert out["events"]["birth"] > 0
    assert set(out["figures"]) >= {"births", "srb", "third_plus_pct", "aged_60_plus_pct"}
    with pytest.raises(CommandError, match="đã có hộ trong sổ"):
        run_cli(
            "demo", "generate", "--unit", YEN_THUONG, "--level", "commune", "--year", "2024",
            "--seed", "1", "--scale", "0.02",
        )  # fmt: skip
