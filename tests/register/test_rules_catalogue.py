"""The register's rules as data (issue 14, point 4): one catalogue of errors, which refuse
an entry, and warnings, which are recorded as flags and listed; the same rules for the
monthly form, the API and the importer (see test_rules_paths.py for those)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from danso.indicators.periods import Period
from danso.indicators.tallying import MARRIAGE_AGE as TALLY_MARRIAGE_AGE
from danso.indicators.tallying import tallies_of
from danso.register import flagging, services
from danso.register.models import BookClosure, Event, Flag, Household, Person
from danso.register.rules import (
    MARRIAGE_AGE,
    RULES,
    PersonFacts,
    Severity,
    event_findings,
    person_findings,
)
from danso.register.vocabulary import EventType
from danso.units import services as units
from danso.units.codes import Level
from danso.units.models import Unit
from tests.conftest import AFTER, BEFORE, unit_at

TODAY = date(2026, 11, 23)
SINCE = date(2023, 6, 1)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "REGISTER-FORMAT.md"


# ---------------------------------------------------------------- the catalogue


def test_every_rule_is_data_with_a_severity_a_field_and_a_message() -> None:
    assert len(RULES) >= 18
    for code, rule in RULES.items():
        assert rule.code == code
        assert re.fullmatch(r"[a-z0-9_]+", code)
        assert rule.severity in (Severity.ERROR, Severity.WARNING)
        assert rule.field
        assert rule.message.endswith(".")


def test_every_rule_speaks_vietnamese() -> None:
    with translation.override("vi"):
        for rule in RULES.values():
            assert translation.gettext(rule.message) != rule.message, rule.code
        assert (
            translation.gettext(RULES["mother_female"].message)
            != "A birth is recorded on the mother, who must be female."
        )


def test_the_catalogue_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for code, rule in RULES.items():
        assert re.search(rf"\| `{code}` \| {rule.severity.value} \|", text), code


def test_the_legal_age_of_marriage_is_the_tallys() -> None:
    """A marriage the rules warn about is the one the tally counts as tảo hôn."""
    assert MARRIAGE_AGE == TALLY_MARRIAGE_AGE


# ---------------------------------------------------------------- the pure rules


MOTHER = PersonFacts("F", date(1990, 1, 1), stays=((date(2021, 1, 1), None),))


def codes(findings: list[Any]) -> dict[str, str]:
    return {f.rule: f.severity for f in findings}


def test_a_birth_in_the_future_is_an_error() -> None:
    found = event_findings(EventType.BIRTH, date(2027, 3, 15), MOTHER, today=TODAY)
    assert codes(found)["future_date"] == "error"
    assert ("day", "15/03/2027") in found[0].params
    assert "future_date" not in codes(event_findings(EventType.BIRTH, TODAY, MOTHER, today=TODAY))


def test_a_birth_to_a_man_is_an_error_with_its_rule() -> None:
    father = PersonFacts("M", date(1990, 1, 1), stays=MOTHER.stays)
    found = event_findings(EventType.BIRTH, date(2024, 1, 1), father)
    assert codes(found) == {"mother_female": "error"}
    assert found[0].column == "person_id"


def test_warnings_come_only_when_asked() -> None:
    """Callers of old (the merging of duplicates, the demo's checks) see only errors."""
    kwargs: dict[str, Any] = {"birth_order": 1, "earlier_births": 3}
    assert event_findings(EventType.BIRTH, date(2024, 1, 1), MOTHER, **kwargs) == []
    found = event_findings(EventType.BIRTH, date(2024, 1, 1), MOTHER, warn=True, **kwargs)
    assert codes(found) == {"birth_order_mismatch": "warning"}


@pytest.mark.parametrize(
    ("order", "earlier", "doubtful"), [(1, 3, True), (3, 3, True), (4, 3, False), (5, 3, False)]
)
def test_a_birth_order_at_or_below_the_births_recorded_is_doubtful(
    order: int, earlier: int, doubtful: bool
) -> None:
    found = event_findings(
        EventType.BIRTH,
        date(2024, 1, 1),
        MOTHER,
        birth_order=order,
        earlier_births=earlier,
        warn=True,
    )
    assert ("birth_order_mismatch" in codes(found)) is doubtful


def test_a_stop_without_a_running_start_is_doubtful() -> None:
    def stop(running: set[str]) -> dict[str, str]:
        return codes(
            event_findings(
                EventType.CONTRACEPTION_STOP,
                date(2024, 1, 1),
                MOTHER,
                method="implant",
                running_methods=running,
                warn=True,
            )
        )

    assert stop(set()) == {"stop_without_start": "warning"}
    assert stop({"iud"}) == {"stop_without_start": "warning"}
    assert stop({"implant"}) == {}


@pytest.mark.parametrize(
    ("sex", "born", "doubtful"),
    [
        ("F", date(2006, 6, 2), True),  # 17 on 1/6/2024
        ("F", date(2006, 6, 1), False),  # 18 that day
        ("M", date(2004, 6, 2), True),  # 19
        ("M", date(2004, 6, 1), False),  # 20
    ],
)
def test_a_marriage_under_the_legal_age_is_a_warning(sex: str, born: date, doubtful: bool) -> None:
    person = PersonFacts(sex, born, stays=((born, None),))
    found = event_findings(EventType.MARRIAGE, date(2024, 6, 1), person, warn=True)
    assert codes(found) == ({"child_marriage": "warning"} if doubtful else {})


def test_the_rules_of_a_persons_details() -> None:
    assert codes(person_findings(birth_date=date(2027, 1, 1), today=TODAY)) == {
        "future_birth": "error"
    }
    assert codes(person_findings(birth_date=date(1990, 1, 1), id_number="12AB")) == {
        "id_number_shape": "warning"
    }
    for good in ("001190012345", "012345678"):
        assert person_findings(birth_date=date(1990, 1, 1), id_number=good) == []
    assert codes(
        person_findings(birth_date=date(1990, 1, 1), id_number="001190012345", id_used_by="P9")
    ) == {"id_number_used": "warning"}
    assert codes(person_findings(birth_date=date(1900, 1, 1), today=TODAY)) == {
        "age_over_110": "warning"
    }
    assert person_findings(birth_date=date(1916, 1, 1), today=TODAY) == []
    # dead at 90: not doubtful
    assert (
        person_findings(birth_date=date(1900, 1, 1), today=TODAY, death_date=date(1990, 1, 1)) == []
    )


# ---------------------------------------------------------------- the service


pytestmark = pytest.mark.django_db(transaction=False)


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
def home(village: Unit) -> Household:
    return services.household_create(unit=village, since=SINCE, number="1")


def member(home: Household, name: str, sex: str, born: date, id_number: str = "") -> Person:
    return services.person_add(
        household=home,
        registered_on=SINCE,
        data=services.PersonInput(name, sex, born, id_number=id_number),
        today=TODAY,
    )


def record(who: Person, kind: EventType, day: date, **data: Any) -> Event:
    return services.event_record(
        person=who, data=services.EventInput(kind, day, **data), today=TODAY
    )


def birth(mother: Person, day: date, order: int) -> Event:
    child = services.PersonInput("Bé", "F", day, relation="con")
    return record(mother, EventType.BIRTH, day, child=child, birth_order=order)


def flags_of(entry: Event | Person) -> list[str]:
    return sorted(entry.flags.filter(kind=Flag.Kind.RULE).values_list("rule", flat=True))


def refused(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


def test_a_birth_dated_in_2027_is_refused_in_vietnamese(home: Household) -> None:
    mother = member(home, "Trần Thị Hòa", "F", date(1992, 7, 9))
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        birth(mother, date(2027, 3, 15), 1)
    assert "15/03/2027" in refused(error)["event_date"][0]
    assert "tương lai" in refused(error)["event_date"][0]
    assert not Event.objects.exists()


def test_a_birth_to_a_man_is_refused_in_vietnamese(home: Household) -> None:
    father = member(home, "Nguyễn Văn Hùng", "M", date(1988, 3, 4))
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        birth(father, date(2024, 6, 1), 1)
    message = refused(error)["person_id"][0]
    assert "female" not in message
    assert "nữ" in message


def test_a_person_born_in_the_future_is_refused(home: Household) -> None:
    with pytest.raises(ValidationError) as error:
        services.person_add(
            household=home,
            registered_on=date(2024, 1, 1),
            data=services.PersonInput("Bé", "F", date(2027, 1, 1)),
            today=TODAY,
        )
    assert "birth_date" in refused(error)


def test_birth_order_1_for_a_mother_with_three_births_is_recorded_and_flagged(
    home: Household,
) -> None:
    mother = member(home, "Trần Thị Hòa", "F", date(1992, 7, 9))
    for n, day in enumerate([date(2023, 7, 1), date(2024, 3, 1), date(2024, 12, 1)], start=1):
        assert flags_of(birth(mother, day, n)) == []
    fourth = birth(mother, date(2025, 6, 1), 1)
    assert flags_of(fourth) == ["birth_order_mismatch"]
    flag = fourth.flags.get()
    assert flag.params == {"order": "1", "earlier": "3"}
    assert (flag.unit_id, flag.path, flag.day) == (fourth.unit_id, fourth.path, fourth.event_date)
    with translation.override("vi"):
        assert "con thứ 1" in flagging.flag_message(flag).lower()


def test_stopping_an_implant_never_started_is_recorded_and_flagged(home: Household) -> None:
    woman = member(home, "Trần Thị Hòa", "F", date(1992, 7, 9))
    start = {"method": "iud", "supply": "free", "new_acceptor": True}
    record(woman, EventType.CONTRACEPTION_START, date(2024, 1, 5), **start)
    stop = record(woman, EventType.CONTRACEPTION_STOP, date(2024, 3, 1), method="implant")
    assert flags_of(stop) == ["stop_without_start"]
    with translation.override("vi"):
        assert "thuốc cấy" in flagging.flag_message(stop.flags.get()).lower()
    fine = record(woman, EventType.CONTRACEPTION_STOP, date(2024, 4, 1), method="iud")
    assert flags_of(fine) == []


def test_an_id_number_of_the_wrong_shape_or_already_used_is_flagged(home: Household) -> None:
    odd = member(home, "Nguyễn Văn Hùng", "M", date(1988, 3, 4), id_number="12AB")
    assert flags_of(odd) == ["id_number_shape"]
    first = member(home, "Trần Thị Hòa", "F", date(1992, 7, 9), id_number="001192012345")
    assert flags_of(first) == []
    second = member(home, "Trần Thị Hoà", "F", date(1992, 7, 9), id_number="001192012345")
    assert flags_of(second) == ["id_number_used"]
    assert flags_of(first) == ["id_number_used"]
    assert second.flags.get().params == {"other": first.source_id}


def test_a_member_born_in_1900_is_flagged(home: Household) -> None:
    old = member(home, "Lê Văn Cụ", "M", date(1900, 1, 1))
    assert flags_of(old) == ["age_over_110"]
    assert old.flags.get().params == {"age": "126"}


def test_a_child_marriage_is_recorded_flagged_and_counted(home: Household) -> None:
    girl = member(home, "Lê Thị Nhỏ", "F", date(2008, 5, 1))
    marriage = record(girl, EventType.MARRIAGE, date(2025, 2, 1))
    assert flags_of(marriage) == ["child_marriage"]
    assert marriage.flags.get().params == {"age": "16", "minimum": "18"}
    girl.refresh_from_db()
    assert girl.marital_status == "co_vo_chong"
    tally = tallies_of(Period.year_of(2025), [marriage.unit_id])[marriage.unit_id]
    assert (tally["married"], tally["married.child"]) == (1, 1)  # counted as tảo hôn


def test_the_same_warning_on_the_same_entry_is_one_flag(home: Household) -> None:
    old = member(home, "Lê Văn Cụ", "M", date(1900, 1, 1))
    services.person_flag(old, today=TODAY)
    flagging.flag_all(today=TODAY)
    assert Flag.objects.filter(person=old).count() == 1


def test_no_event_enters_the_first_half_of_2025_once_the_new_wards_book_is_closed() -> None:
    """Ngọc Thụy ended on 30/06/2025; its households went on in Phường Bồ Đề, whose book
    of 2025 holds the whole year: closing it closes the first half-year too."""
    old_ward = unit_at(Level.COMMUNE, "118", BEFORE)
    new_ward = unit_at(Level.COMMUNE, "118", AFTER)
    assert old_ward != new_ward
    home = services.household_create(unit=old_ward, since=SINCE, number="7")
    services.household_place(household=home, unit=new_ward, since=date(2025, 7, 1))
    woman = member(home, "Trần Thị Hòa", "F", date(1992, 7, 9))
    record(woman, EventType.PREGNANCY, date(2025, 2, 1))
    services.book_close(commune=new_ward, year=2025)
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        record(woman, EventType.PRENATAL_SCREENING, date(2025, 3, 15))
    assert "Sổ năm 2025 đã khóa" in " ".join(error.value.messages)
    with pytest.raises(ValidationError):
        record(woman, EventType.PRENATAL_SCREENING, date(2025, 9, 15))
    record(woman, EventType.PRENATAL_SCREENING, date(2026, 1, 15))  # the open year


def test_the_old_wards_own_closure_still_closes_its_half_year() -> None:
    old_ward = unit_at(Level.COMMUNE, "118", BEFORE)
    home = services.household_create(unit=old_ward, since=SINCE, number="7")
    services.household_place(
        household=home, unit=unit_at(Level.COMMUNE, "118", AFTER), since=date(2025, 7, 1)
    )
    woman = member(home, "Trần Thị Hòa", "F", date(1992, 7, 9))
    BookClosure.objects.create(unit=old_ward, year=2025)
    with pytest.raises(ValidationError):
        record(woman, EventType.PRENATAL_SCREENING, date(2025, 3, 15))
    record(woman, EventType.PRENATAL_SCREENING, date(2025, 9, 15))  # Bồ Đề's book is open


# ---------------------------------------------------------------- checking everything again


def test_flag_all_writes_the_missing_flags_and_drops_those_that_no_longer_apply(
    home: Household, village: Unit
) -> None:
    mother = member(home, "Trần Thị Hòa", "F", date(1992, 7, 9))
    for n, day in enumerate([date(2023, 7, 1), date(2024, 9, 1)], start=1):
        birth(mother, day, n)
    late = birth(mother, date(2025, 6, 1), 2)
    old = member(home, "Lê Văn Cụ", "M", date(1900, 1, 1))
    Flag.objects.all().delete()  # as a register made before the rules
    assert flagging.flag_all(today=TODAY) == 2
    assert flags_of(late) == ["birth_order_mismatch"]
    assert flags_of(old) == ["age_over_110"]
    assert flagging.flag_all(today=TODAY) == 2  # idempotent
    # corrected (by hand here): the open flag goes; one followed up stays
    Event.objects.filter(pk=late.pk).update(birth_order=3)
    Person.objects.filter(pk=old.pk).update(birth_date=date(1950, 1, 1))
    Flag.objects.filter(person=old).update(status=Flag.Status.CONFIRMED)
    assert flagging.flag_all(today=TODAY) == 1
    assert flags_of(late) == []
    assert flags_of(old) == ["age_over_110"]
    # under a unit: that unit's flags only
    other = unit_at(Level.COMMUNE, "115", BEFORE)
    assert flagging.flag_all(under=other, today=TODAY) == 0
    assert flagging.flag_all(under=village, today=TODAY) == 1


def test_flag_all_finds_every_kind_of_warning(home: Household) -> None:
    woman = member(home, "Trần Thị Hòa", "F", date(1992, 7, 9), id_number="12AB")
    twin = member(home, "Trần Thị Hoà", "F", date(1992, 7, 9), id_number="001192012345")
    other = member(home, "Trần Văn Hoà", "M", date(1990, 7, 9), id_number="001192012345")
    record(woman, EventType.CONTRACEPTION_STOP, date(2024, 3, 1), method="implant")
    girl = member(home, "Lê Thị Nhỏ", "F", date(2008, 5, 1))
    record(girl, EventType.MARRIAGE, date(2025, 2, 1))
    before = sorted(Flag.objects.values_list("rule", "event_id", "person_id"))
    Flag.objects.all().delete()
    flagging.flag_all(today=TODAY)
    assert sorted(Flag.objects.values_list("rule", "event_id", "person_id")) == before
    assert flagging.rule_counts() == {
        "child_marriage": 1,
        "id_number_shape": 1,
        "id_number_used": 2,
        "stop_without_start": 1,
    }
    assert {twin.pk, other.pk} == set(
        Flag.objects.filter(rule="id_number_used").values_list("person_id", flat=True)
    )


def test_the_check_command_prints_the_flags_by_rule(
    home: Household, run_cli: Any, village: Unit
) -> None:
    member(home, "Lê Văn Cụ", "M", date(1900, 1, 1))
    member(home, "Nguyễn Văn Hùng", "M", date(1988, 3, 4), id_number="12AB")
    Flag.objects.all().delete()
    assert run_cli("register", "check") == {
        "flags": 2,
        "by_rule": {"age_over_110": 1, "id_number_shape": 1},
    }
    assert run_cli(
        "register", "check", "--unit", "118", "--level", "commune", "--date", "2024-06-30"
    ) == {
        "flags": 2,
        "by_rule": {"age_over_110": 1, "id_number_shape": 1},
    }
    assert run_cli(
        "register", "check", "--unit", "115", "--level", "commune", "--date", "2024-06-30"
    ) == {
        "flags": 0,
        "by_rule": {},
    }
