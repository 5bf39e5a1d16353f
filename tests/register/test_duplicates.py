"""Persons registered twice: finding the pairs, and merging two records of one person."""

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.accounts.scope import unit_scope
from danso.register import services
from danso.register.duplicates import (
    DuplicatePair,
    Reason,
    duplicate_candidates,
    name_likeness,
    person_merge,
)
from danso.register.models import Event, Household, Membership, Person
from danso.register.services import EventInput, PersonInput
from danso.register.vocabulary import EventType, Method, Supply
from danso.units.codes import Level
from danso.units.scope import UnitScope
from tests.conftest import BEFORE, TODAY, unit_at

pytestmark = pytest.mark.django_db
OPENING = date(2023, 6, 1)  # the reference tree begins on 7/5/2023
EVERYTHING = UnitScope.system(BEFORE)


def household(code: str, number: str) -> Household:
    return services.household_create(
        unit=unit_at(Level.COMMUNE, code, BEFORE), since=OPENING, number=number
    )


def add(
    where: Household,
    name: str,
    born: date,
    *,
    sex: str = "F",
    id_number: str = "",
    precision: str = "day",
    since: date = OPENING,
) -> Person:
    return services.person_add(
        household=where,
        data=PersonInput(name, sex, born, birth_precision=precision, id_number=id_number),
        registered_on=since,
    )


def pairs_of(found: list[DuplicatePair]) -> dict[frozenset[str], DuplicatePair]:
    return {frozenset({p.first.full_name, p.second.full_name}): p for p in found}


# ---------------------------------------------------------------- finding the pairs


def test_the_same_id_number_in_two_wards_is_a_pair() -> None:
    # given one woman in Thượng Thanh, and in Ngọc Thụy a record with her ID number
    first = add(household("115", "1"), "Nguyễn Thị Hòa", date(1985, 3, 4), id_number="0011850")
    second = add(household("118", "7"), "Nguyễn Thị Hoa", date(1985, 4, 3), id_number="0011850")
    # when the district looks for duplicates
    found = duplicate_candidates(EVERYTHING)
    # then the pair is shown for its ID number, first the record made first
    assert [(p.first, p.second, p.reason) for p in found] == [
        (first, second, Reason.SAME_ID_NUMBER)
    ]
    assert found[0].score == pytest.approx(0.85)  # the names alike, the dates not
    assert "0011850" not in found[0].explanation  # not every reader may see the number


def test_a_near_same_name_with_the_same_birth_date_is_a_pair() -> None:
    born = date(1990, 11, 2)
    add(household("115", "1"), "Nguyễn Thị Hòa", born)
    add(household("118", "7"), "Nguyễn Thị Hoà", born)  # the same name, folded
    add(household("118", "8"), "Nguyễn Thi Hao", born)  # two letters swapped
    add(household("118", "9"), "Trần Văn Nam", born, sex="M")  # another person
    found = pairs_of(duplicate_candidates(EVERYTHING))
    assert found[frozenset({"Nguyễn Thị Hòa", "Nguyễn Thị Hoà"})].reason is (
        Reason.SAME_NAME_AND_BIRTH
    )
    near = found[frozenset({"Nguyễn Thị Hòa", "Nguyễn Thi Hao"})]
    assert near.reason is Reason.NEAR_NAME_AND_BIRTH
    assert near.score < found[frozenset({"Nguyễn Thị Hòa", "Nguyễn Thị Hoà"})].score
    assert not any("Trần Văn Nam" in names for names in found)


def test_the_same_name_born_on_another_day_is_not_a_pair() -> None:
    add(household("115", "1"), "Nguyễn Thị Hòa", date(1990, 11, 2))
    add(household("118", "7"), "Nguyễn Thị Hòa", date(1990, 11, 3))
    add(household("118", "8"), "Nguyễn Thị Hòa", date(1990, 1, 1), precision="year")
    add(household("118", "9"), "Nguyễn Thị Hòa", date(1990, 1, 1))  # not the same precision
    assert duplicate_candidates(EVERYTHING) == []


def test_a_ward_officer_sees_pairs_within_the_ward_only(
    make_user: Callable[..., User],
) -> None:
    born = date(1970, 5, 6)
    add(household("115", "1"), "Lê Văn Nam", born, sex="M")
    add(household("115", "2"), "Lê Văn Nam", born, sex="M")
    add(household("118", "3"), "Lê Văn Nam", born, sex="M")
    ward = make_user("tt", Role.COMMUNE_OFFICER, Level.COMMUNE, "115")
    district = make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4")
    assert len(duplicate_candidates(unit_scope(ward, BEFORE, today=TODAY), user=ward)) == 1
    assert len(duplicate_candidates(unit_scope(district, BEFORE, today=TODAY))) == 3


def test_merged_records_and_the_limit() -> None:
    born = date(1970, 5, 6)
    records = [add(household("115", str(i)), "Lê Văn Nam", born, sex="M") for i in range(4)]
    assert len(duplicate_candidates(EVERYTHING)) == 6
    assert len(duplicate_candidates(EVERYTHING, limit=2)) == 2
    records[3].merged_into = records[0]
    records[3].save(update_fields=["merged_into"])
    assert len(duplicate_candidates(EVERYTHING)) == 3


def test_how_alike_two_names_are() -> None:
    assert name_likeness("nguyen thi hoa", "nguyen thi hoa") == 1.0
    assert name_likeness("nguyen thi hoa", "nguyen thi hao") == 0.8  # one word, one swap
    assert name_likeness("nguyen thi hoa", "nguyen thi hoan") == 0.8
    assert name_likeness("nguyen thi hoa", "nguyen th hoan") == 0.7  # two edits
    assert name_likeness("nguyen thi hoa", "nguyen thi lan") == 0.0
    assert name_likeness("nguyen thi hoa", "nguyen hoa") == 0.0


# ---------------------------------------------------------------- merging


@pytest.fixture
def twice(make_user: Callable[..., User]) -> tuple[Person, Person, User]:
    """Hòa was in a Ngọc Thụy household until she moved out on 31/12/2023, with her
    events; she was registered again in Thượng Thanh from 1/3/2024."""
    officer = make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4")
    born = date(1990, 11, 2)
    old = add(household("118", "7"), "Nguyễn Thị Hoà", born, id_number="001190000001")
    services.event_record(
        person=old,
        data=EventInput(
            EventType.CONTRACEPTION_START, date(2023, 8, 1), method=Method.PILL, supply=Supply.FREE
        ),
        source_id="E-NT-1",
    )
    services.event_record(
        person=old, data=EventInput(EventType.MOVE_OUT, date(2023, 12, 31)), source_id="E-NT-2"
    )
    new = add(household("115", "1"), "Nguyễn Thị Hòa", born, since=date(2024, 3, 1))
    return new, old, officer


def test_a_merge_keeps_both_histories(twice: tuple[Person, Person, User]) -> None:
    keep, merge, officer = twice
    stays, events = Membership.objects.count(), Event.objects.count()
    # when the officer merges the old record into the new one
    kept = person_merge(keep=keep, merge=merge, user=officer, reason="Registered twice")
    # then the old stay and events are the kept person's, with their own ids
    assert kept == keep
    assert list(keep.memberships.order_by("valid_from").values_list("valid_to", flat=True)) == [
        date(2023, 12, 31),
        None,
    ]
    assert sorted(keep.events.values_list("source_id", flat=True)) == ["E-NT-1", "E-NT-2"]
    # nothing was deleted, and the merged record points to the kept one
    assert (Membership.objects.count(), Event.objects.count()) == (stays, events)
    merge.refresh_from_db()
    assert merge.merged_into == keep
    assert Person.objects.filter(pk=merge.pk).exists()


def test_a_merge_is_audited(twice: tuple[Person, Person, User]) -> None:
    keep, merge, officer = twice
    person_merge(keep=keep, merge=merge, user=officer, reason="Registered twice")
    merge.refresh_from_db()
    record = merge.extra["merged"]
    assert (record["into"], record["by"], record["reason"]) == (
        keep.pk,
        officer.pk,
        "Registered twice",
    )
    assert record["at"]
    assert sorted(record["events"]) == sorted(keep.events.values_list("pk", flat=True))
    assert record["memberships"] == [keep.memberships.order_by("valid_from").first().pk]  # type: ignore[union-attr]
    latest = merge.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (officer, "Registered twice")
    assert keep.history.latest().history_user == officer
    event = Event.objects.get(source_id="E-NT-1")
    assert [h.person_id for h in event.history.order_by("history_date")] == [merge.pk, keep.pk]
    keep.refresh_from_db()
    assert [row["person"] for row in keep.extra["merged_from"]] == [merge.pk]


def test_a_merge_is_refused_with_oneself_or_across_sexes(
    twice: tuple[Person, Person, User],
) -> None:
    keep, _merge, officer = twice
    with pytest.raises(ValidationError, match="chính nó"):
        person_merge(keep=keep, merge=keep, user=officer, reason="x")
    man = add(household("118", "9"), "Nguyễn Văn Hòa", keep.birth_date, sex="M")
    with pytest.raises(ValidationError, match="khác giới tính"):
        person_merge(keep=keep, merge=man, user=officer, reason="x")


def test_a_merge_is_refused_when_the_stays_would_overlap(
    twice: tuple[Person, Person, User],
) -> None:
    keep, _merge, officer = twice
    other = add(household("118", "8"), "Nguyễn Thị Hòa", keep.birth_date)
    with pytest.raises(ValidationError, match="một người chỉ thuộc một hộ") as refused:
        person_merge(keep=keep, merge=other, user=officer, reason="Registered twice")
    assert "01/06/2023" in str(refused.value)  # when the other stay began
    other.refresh_from_db()
    assert other.merged_into is None
    assert other.memberships.count() == 1


def test_a_merge_is_refused_twice_and_without_a_reason(
    twice: tuple[Person, Person, User],
) -> None:
    keep, merge, officer = twice
    with pytest.raises(ValidationError, match="Hãy nêu lý do"):
        person_merge(keep=keep, merge=merge, user=officer, reason="  ")
    person_merge(keep=keep, merge=merge, user=officer, reason="Registered twice")
    with pytest.raises(ValidationError, match="đã được gộp"):
        person_merge(keep=keep, merge=merge, user=officer, reason="Again")


def test_a_merge_is_refused_when_an_event_would_break_the_rules(
    twice: tuple[Person, Person, User],
) -> None:
    keep, merge, officer = twice
    services.event_record(
        person=keep,
        data=EventInput(EventType.DEATH, date(2024, 5, 1)),
    )
    later = add(household("118", "9"), "Nguyễn Thị Hòa", keep.birth_date, since=date(2024, 6, 1))
    services.event_record(
        person=later,
        data=EventInput(EventType.CONTRACEPTION_START, date(2024, 6, 10), method=Method.PILL),
    )
    # a record with an event after the kept person's death cannot be hers
    with pytest.raises(ValidationError, match="sau khi người này đã chết"):
        person_merge(keep=keep, merge=later, user=officer, reason="Registered twice")
    assert person_merge(keep=keep, merge=merge, user=officer, reason="Registered twice") == keep
