"""A few doubtful entries in a generated book, as a real book has them: the demo's
data-quality screen has something to list.  The simulation itself stays clean (its
tests check that every generated event keeps the rules); this runs after it, on the
rows written, and is deterministic (it picks by source id and date).

In one commune, on days of the first half of ``year``:

- a girl of 17 married (real, recorded, counted as tảo hôn): a marriage recorded
  through ``services.event_record`` by ``user``;
- a woman who stops an implant she was never recorded starting: a contraception stop
  recorded the same way;
- a birth of order 2 written as order 1 (the mother has an earlier birth);
- an ID number typed with a letter O for a zero;
- an ID number copied onto a second person of another household.

No person is added (the generator's person count stands); two events are.  The rules'
flags are written by ``flagging.flag_all`` afterwards, as ``danso register check`` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q

from danso.register import services
from danso.register.models import Event, Membership, Person
from danso.register.rules import MARRIAGE_AGE, completed_years
from danso.register.vocabulary import EventType, MaritalStatus, Method, Sex
from danso.units.models import Unit, UnitVersion, valid_on


def _units_under(commune: Unit, on: date) -> list[int]:
    version = UnitVersion.objects.filter(valid_on(on), unit=commune).get()
    return list(
        UnitVersion.objects.filter(valid_on(on), path__startswith=version.path).values_list(
            "unit_id", flat=True
        )
    )


def _residents(units: list[int], day: date) -> Any:
    """Persons living in ``units`` on ``day`` (alive and not moved out then)."""
    stays = Membership.objects.filter(valid_on(day), household__unit_id__in=units)
    return Person.objects.filter(pk__in=stays.values("person_id")).order_by("source_id")


def _birthday(born: date, age: int) -> date:
    try:
        return born.replace(year=born.year + age)
    except ValueError:  # 29 February
        return born.replace(year=born.year + age, day=28)


def _keeper(person: Person, day: date, user: Any, keepers: Mapping[int, Any]) -> Any:
    """Who records an event of ``person``: the collaborator of their village, if
    ``keepers`` names one, else ``user``."""
    stay = Membership.objects.filter(valid_on(day), person=person).select_related("household")
    unit_id = stay.values_list("household__unit_id", flat=True).first()
    return keepers.get(unit_id or 0, user)


def doubtful_entries(
    commune: Unit, year: int, *, user: Any, keepers: Mapping[int, Any] | None = None
) -> list[str]:
    """Make the doubtful entries in ``commune``'s book (see the module); what was made,
    in words.  The two events are recorded by the collaborator of the person's village
    (``keepers``: village unit id → user) or else by ``user`` (a named person: the
    commune officer)."""
    keepers = keepers or {}
    first, last = date(year, 4, 1), date(year, 6, 29)
    units = _units_under(commune, first)
    done: list[str] = []
    # a girl of 17 married
    minimum = MARRIAGE_AGE[Sex.FEMALE]
    for girl in _residents(units, first).filter(
        sex=Sex.FEMALE,
        birth_date__gt=_birthday(last, -minimum),
        birth_date__lte=_birthday(first, -(minimum - 1)),
    ):
        day = max(first, _birthday(girl.birth_date, minimum - 1) + timedelta(days=30))
        if day > last or completed_years(girl.birth_date, day) != minimum - 1:
            continue
        if not _residents(units, day).filter(pk=girl.pk).exists():
            continue
        services.event_record(
            person=girl,
            data=services.EventInput(EventType.MARRIAGE, day, note="Kết hôn khi 17 tuổi"),
            user=_keeper(girl, day, user, keepers),
        )
        done.append(f"marriage at 17: {girl.source_id} on {day:%d/%m/%Y}")
        break
    # a stop of an implant never started
    day = date(year, 5, 6)
    implants = Event.objects.filter(
        event_type=EventType.CONTRACEPTION_START, method=Method.IMPLANT
    ).values("person_id")
    for woman in (
        _residents(units, day)
        .filter(sex=Sex.FEMALE, marital_status=MaritalStatus.MARRIED)
        .filter(birth_date__gt=date(year - 45, 1, 1), birth_date__lt=date(year - 22, 1, 1))
        .exclude(pk__in=implants)
    )[:1]:
        services.event_record(
            person=woman,
            data=services.EventInput(
                EventType.CONTRACEPTION_STOP, day, method=Method.IMPLANT, supply="free"
            ),
            user=_keeper(woman, day, user, keepers),
        )
        done.append(f"implant stopped, never started: {woman.source_id}")
    # a second birth written as the first
    earlier = Event.objects.filter(
        event_type=EventType.BIRTH,
        person_id=OuterRef("person_id"),
        event_date__lt=OuterRef("event_date"),
    )
    seconds = (
        Event.objects.filter(event_type=EventType.BIRTH, birth_order=2, unit_id__in=units)
        .filter(Exists(earlier))  # the register has the first child's birth too
        .order_by("event_date", "source_id")
    )
    second = seconds.filter(event_date__range=(first, last)).first() or seconds.last()
    if second is not None:
        Event.objects.filter(pk=second.pk).update(birth_order=1)
        done.append(f"birth order 1 for a second child: {second.source_id}")
    # ID numbers: a letter O for a zero, and one number on two persons
    carded = list(
        _residents(units, first)
        .filter(id_number__regex=r"^[0-9]{12}$")
        .filter(Q(id_number__contains="0"))[:3]
    )
    if len(carded) == 3:
        typo, kept, copied = carded
        number = typo.id_number
        at = number.index("0", 3) if "0" in number[3:] else number.index("0")
        Person.objects.filter(pk=typo.pk).update(id_number=f"{number[:at]}O{number[at + 1 :]}")
        done.append(f"ID number with a letter: {typo.source_id}")
        Person.objects.filter(pk=copied.pk).update(id_number=kept.id_number)
        done.append(f"one ID number on two persons: {kept.source_id}, {copied.source_id}")
    return done
