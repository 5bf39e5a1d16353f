"""Recording the rules' warnings (``register.rules``, ``Severity.WARNING``) as ``Flag``
rows: a doubtful entry is kept, and listed until someone has looked at it.

- ``flag_event`` and ``flag_person`` record the warnings of one entry (the monthly form's
  save, the API's create, a member added to a household); the importer writes its own in
  bulk (``importing.checking.write_flags``).
- ``flag_all`` checks every stored event and person (under a unit) again, with grouped
  queries: it writes the missing flags and removes the open ones that no longer apply
  (those someone has followed up are kept).  ``danso register check`` runs it.

The same warning on the same entry is one row, whatever its follow-up.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import reduce
from operator import or_
from typing import Any, TypeVar

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from danso.audit import recorded_user
from danso.register.generation.bulk import Table
from danso.register.models import METHOD_LABELS, Event, Flag, Membership, Person
from danso.register.rules import (
    RULES,
    Finding,
    PersonFacts,
    Severity,
    event_warnings,
    person_findings,
    running_after,
    warnings,
)
from danso.register.vocabulary import EventType, Method
from danso.units.models import Unit, UnitVersion

T = TypeVar("T")

#: Rows looked up with one ``__in`` (SQLite before 3.32 takes 999 values).
CHUNK = 900
#: The columns of a rule's flag as ``_write`` inserts them (the others take their defaults).
FLAG_COLUMNS = (
    "kind",
    "rule",
    "event_id",
    "person_id",
    "unit_id",
    "path",
    "day",
    "params",
    "recorded_by_id",
)


def rule_message(message: str, params: Mapping[str, Any]) -> str:
    """A rule's message in the active language, with its placeholders (a method by its
    name)."""
    values = dict(params)
    method = values.get("method")
    if method in {m.value for m in Method}:
        values["method"] = str(METHOD_LABELS[Method(method)]).lower()
    try:
        return _(message) % values
    except (KeyError, TypeError, ValueError):
        return _(message)


def flag_message(flag: Flag) -> str:
    """What a rule's flag says, in the active language."""
    rule = RULES.get(flag.rule)
    if rule is None:
        return flag.rule
    return rule_message(rule.message, flag.params or {})


@dataclass(frozen=True)
class Draft:
    """A flag to be: its rule, its entry, where it lies."""

    rule: str
    event_id: int | None
    person_id: int | None
    unit_id: int
    path: str
    day: date
    params: dict[str, str]

    @property
    def key(self) -> tuple[str, int | None, int | None]:
        return (self.rule, self.event_id, self.person_id)


def _write(drafts: Iterable[Draft], user: Any) -> int:
    """Create the flags of ``drafts`` not already recorded; how many were created."""
    wanted = {d.key: d for d in drafts}
    if not wanted:
        return 0
    events = {k[1] for k in wanted if k[1] is not None}
    persons = {k[2] for k in wanted if k[2] is not None}
    known: set[tuple[str, int | None, int | None]] = set()
    for ids, column in ((sorted(events), "event_id"), (sorted(persons), "person_id")):
        for start in range(0, len(ids), CHUNK):
            rows = Flag.objects.filter(
                kind=Flag.Kind.RULE, **{f"{column}__in": ids[start : start + CHUNK]}
            ).values_list("rule", "event_id", "person_id")
            known.update(rows)
    recorder = recorded_user(user)
    new = [d for key, d in wanted.items() if key not in known]
    # an import's thousands of flags: plain rows (``bulk_create`` would prepare each
    # value through its field, about 1 s for a district's 15,000)
    table = Table(Flag, FLAG_COLUMNS)
    params = Flag._meta.get_field("params")
    kind, recorder_id = Flag.Kind.RULE.value, getattr(recorder, "pk", None)
    table.insert(
        [
            (
                kind,
                d.rule,
                d.event_id,
                d.person_id,
                d.unit_id,
                d.path,
                connection.ops.adapt_datefield_value(d.day),
                params.get_db_prep_save(d.params, connection),
                recorder_id,
            )
            for d in new
        ]
    )
    return len(new)


def _params(finding: Finding) -> dict[str, str]:
    return dict(finding.params)


def flag_event(event: Event, findings: Sequence[Finding], *, user: Any = None) -> int:
    """Record the warnings among ``findings`` on ``event``; how many flags were new."""
    return _write(
        (
            Draft(
                f.rule,
                event.pk,
                None,
                event.unit_id,
                event.path,
                event.event_date,
                _params(f),
            )
            for f in warnings(findings)
            if f.rule
        ),
        user,
    )


def person_place(person_id: int, on: date | None = None) -> tuple[int, str] | None:
    """The unit of the household a person lives in (or last lived in) and its path on
    ``on`` (today), for their flags; None for a person in no household."""
    stay = (
        Membership.objects.filter(person_id=person_id)
        .order_by("-valid_from", "-pk")
        .values_list("household__unit_id", flat=True)
        .first()
    )
    if stay is None:
        return None
    return stay, _unit_paths([stay], on or timezone.localdate()).get(stay, "")


def flag_person(
    person: Person,
    findings: Sequence[Finding],
    *,
    user: Any = None,
    on: date | None = None,
) -> int:
    """Record the warnings among ``findings`` on ``person`` (who must be in a household);
    how many flags were new."""
    found = [f for f in warnings(findings) if f.rule]
    if not found:
        return 0
    place = person_place(person.pk, on)
    if place is None:
        return 0
    unit_id, path = place
    return _write(
        (
            Draft(f.rule, None, person.pk, unit_id, path, person.registered_on, _params(f))
            for f in found
        ),
        user,
    )


def id_number_user(number: str, *, other_than: int | None = None) -> str | None:
    """The id of another person of the register with this ID number (None if none)."""
    number = number.strip()
    if not number:
        return None
    others = Person.objects.filter(id_number=number, merged_into__isnull=True)
    if other_than is not None:
        others = others.exclude(pk=other_than)
    return others.values_list("source_id", flat=True).order_by("pk").first()


# ---------------------------------------------------------------- checking everything


def _unit_paths(unit_ids: Iterable[int], on: date) -> dict[int, str]:
    """Each unit's path on ``on`` (else its latest version's)."""
    ids = sorted(set(unit_ids))
    paths: dict[int, str] = {}
    for chunk in _chunked(ids):
        rows = (
            UnitVersion.objects.filter(unit_id__in=chunk)
            .order_by("unit_id", "valid_from")
            .values_list("unit_id", "valid_from", "valid_to", "path")
        )
        covering: set[int] = set()
        for unit_id, since, until, path in rows:
            if since <= on and (until is None or on <= until):
                paths[unit_id] = path
                covering.add(unit_id)
            elif unit_id not in covering:
                paths[unit_id] = path  # the latest so far
    return paths


def _path_filter(paths: Sequence[str] | None, column: str = "path") -> Q:
    if paths is None:
        return Q()
    return reduce(or_, (Q(**{f"{column}__startswith": p}) for p in paths))


def _under(path: str, paths: Sequence[str] | None) -> bool:
    return paths is None or any(path.startswith(p) for p in paths)


def unit_paths(unit: Unit) -> list[str]:
    """Every path the unit has had (its subtree on any day lies under one of them)."""
    return sorted(set(UnitVersion.objects.filter(unit=unit).values_list("path", flat=True)))


def _chunked(ids: Sequence[T]) -> Iterator[list[T]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def event_drafts(paths: Sequence[str] | None) -> Iterator[Draft]:
    """The warnings of the stored events under ``paths`` (all if None)."""
    under = _path_filter(paths)
    # births: the order against the mother's births recorded before (any unit)
    mothers = (
        Event.objects.filter(under, event_type=EventType.BIRTH)
        .order_by()  # the events' ordering would make each row distinct
        .values_list("person_id", flat=True)
        .distinct()
    )
    births = (
        Event.objects.filter(event_type=EventType.BIRTH, person_id__in=mothers)
        .order_by("person_id", "event_date", "pk")
        .values_list("pk", "person_id", "event_date", "birth_order", "unit_id", "path")
    )
    facts = PersonFacts("F", date.min)
    mother, earlier = 0, 0
    for pk, person_id, day, order, unit_id, path in births.iterator(chunk_size=5000):
        if person_id != mother:
            mother, earlier = person_id, 0
        if _under(path, paths):
            for found in event_warnings(
                EventType.BIRTH, day, facts, birth_order=order, earlier_births=earlier
            ):
                yield Draft(found.rule, pk, None, unit_id, path, day, _params(found))
        earlier += 1
    # contraception stops: a method running before (any unit)
    users = (
        Event.objects.filter(under, event_type=EventType.CONTRACEPTION_STOP)
        .order_by()
        .values_list("person_id", flat=True)
        .distinct()
    )
    changes = (
        Event.objects.filter(
            event_type__in=[EventType.CONTRACEPTION_START, EventType.CONTRACEPTION_STOP],
            person_id__in=users,
        )
        .order_by("person_id", "event_date", "pk")
        .values_list("pk", "person_id", "event_type", "event_date", "method", "unit_id", "path")
    )
    running: set[str] = set()
    who = 0
    for pk, person_id, kind, day, method, unit_id, path in changes.iterator(chunk_size=5000):
        if person_id != who:
            who, running = person_id, set()
        if kind == EventType.CONTRACEPTION_STOP and _under(path, paths):
            for found in event_warnings(
                EventType.CONTRACEPTION_STOP, day, facts, method=method, running_methods=running
            ):
                yield Draft(found.rule, pk, None, unit_id, path, day, _params(found))
        running = running_after([(kind, method)], running)
    # marriages under the legal age
    marriages = Event.objects.filter(under, event_type=EventType.MARRIAGE).values_list(
        "pk", "event_date", "person__sex", "person__birth_date", "unit_id", "path"
    )
    for pk, day, sex, born, unit_id, path in marriages.iterator(chunk_size=5000):
        for found in event_warnings(EventType.MARRIAGE, day, PersonFacts(sex, born)):
            yield Draft(found.rule, pk, None, unit_id, path, day, _params(found))


def person_drafts(paths: Sequence[str] | None, today: date) -> Iterator[Draft]:
    """The warnings of the persons of households under ``paths`` (all if None)."""
    stays = Membership.objects.filter(person__merged_into__isnull=True)
    if paths is not None:
        units = UnitVersion.objects.filter(_path_filter(paths)).values("unit_id")
        stays = stays.filter(household__unit_id__in=units)
    rows = stays.order_by("person_id", "valid_from", "pk").values_list(
        "person_id",
        "household__unit_id",
        "person__birth_date",
        "person__id_number",
        "person__registered_on",
    )
    # each person once, in the unit of their latest stay
    latest: dict[int, tuple[int, date, str, date]] = {}
    for person_id, unit_id, born, number, registered in rows.iterator(chunk_size=5000):
        latest[person_id] = (unit_id, born, number, registered)
    if not latest:
        return
    places = _unit_paths((v[0] for v in latest.values()), today)
    numbers = {v[2].strip() for v in latest.values() if v[2].strip()}
    used = (
        Person.objects.filter(merged_into__isnull=True)
        .exclude(id_number="")
        .values("id_number")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("id_number", flat=True)
    )
    shared = {n.strip() for n in used} & numbers
    holders: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for chunk in _chunked(sorted(shared)):
        for pk, number, source_id in (
            Person.objects.filter(id_number__in=chunk, merged_into__isnull=True)
            .order_by("pk")
            .values_list("pk", "id_number", "source_id")
        ):
            holders[number.strip()].append((pk, source_id))
    cutoff = _years_before(today, 111)
    old = sorted(pk for pk, v in latest.items() if v[1] <= cutoff)
    deaths: dict[int, date] = {}
    for pks in _chunked(old):
        deaths.update(
            Event.objects.filter(person_id__in=pks, event_type=EventType.DEATH).values_list(
                "person_id", "event_date"
            )
        )
    for person_id, (unit_id, born, number, registered) in latest.items():
        number = number.strip()
        others = [s for pk, s in holders.get(number, ()) if pk != person_id]
        found = person_findings(
            birth_date=born,
            id_number=number,
            today=today,
            death_date=deaths.get(person_id),
            id_used_by=others[0] if others else None,
        )
        for f in warnings(found):
            yield Draft(
                f.rule,
                None,
                person_id,
                unit_id,
                places.get(unit_id, ""),
                registered,
                _params(f),
            )


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@transaction.atomic
def flag_all(*, under: Unit | None = None, today: date | None = None, user: Any = None) -> int:
    """Check every stored event and person under ``under`` (everything if None) again:
    write the missing warning flags, remove the open rule flags that no longer apply
    (the followed-up ones stay).  Returns how many rule flags lie under the unit now."""
    today = today or timezone.localdate()
    paths = unit_paths(under) if under is not None else None
    if paths == []:
        return 0
    drafts = {d.key: d for d in (*event_drafts(paths), *person_drafts(paths, today))}
    _write(drafts.values(), user)
    stale = [
        pk
        for pk, rule, event_id, person_id in Flag.objects.filter(
            _path_filter(paths), kind=Flag.Kind.RULE, status=Flag.Status.OPEN
        ).values_list("pk", "rule", "event_id", "person_id")
        if (rule, event_id, person_id) not in drafts
        and RULES.get(rule, None) is not None
        and RULES[rule].severity == Severity.WARNING
    ]
    for chunk in _chunked(stale):
        Flag.objects.filter(pk__in=chunk).delete()
    return Flag.objects.filter(_path_filter(paths), kind=Flag.Kind.RULE).count()


def rule_counts(*, under: Unit | None = None) -> dict[str, int]:
    """The rule flags under ``under`` (everything if None), by rule."""
    paths = unit_paths(under) if under is not None else None
    if paths == []:
        return {}
    rows = (
        Flag.objects.filter(_path_filter(paths), kind=Flag.Kind.RULE)
        .values_list("rule")
        .annotate(n=Count("pk"))
    )
    return dict(sorted(Counter(dict(rows)).items()))


#: A warning found by the importer: ("event" | "person", source id, rule, params).
Pending = tuple[str, str, str, dict[str, str]]


def flag_imported(
    pending: Sequence[Pending], *, user: Any = None, today: date | None = None
) -> int:
    """Record the warnings the importer found on the rows it wrote (by source id, with a
    few grouped queries); how many flags were new."""
    today = today or timezone.localdate()
    events: dict[str, list[tuple[str, dict[str, str]]]] = defaultdict(list)
    persons: dict[str, list[tuple[str, dict[str, str]]]] = defaultdict(list)
    for kind, source_id, rule, params in pending:
        (events if kind == "event" else persons)[source_id].append((rule, params))
    drafts: list[Draft] = []
    for chunk in _chunked(sorted(events)):
        for source_id, pk, unit_id, path, day in Event.objects.filter(
            source_id__in=chunk
        ).values_list("source_id", "pk", "unit_id", "path", "event_date"):
            drafts += [
                Draft(rule, pk, None, unit_id, path, day, params)
                for rule, params in events[source_id]
            ]
    for chunk in _chunked(sorted(persons)):
        found = dict(Person.objects.filter(source_id__in=chunk).values_list("pk", "source_id"))
        registered = dict(
            Person.objects.filter(pk__in=list(found)).values_list("pk", "registered_on")
        )
        homes: dict[int, int] = {}
        for person_id, unit_id in (
            Membership.objects.filter(person_id__in=list(found))
            .order_by("person_id", "valid_from", "pk")
            .values_list("person_id", "household__unit_id")
        ):
            homes[person_id] = unit_id
        places = _unit_paths(homes.values(), today)
        for pk, unit_id in homes.items():
            drafts += [
                Draft(rule, None, pk, unit_id, places.get(unit_id, ""), registered[pk], params)
                for rule, params in persons[found[pk]]
            ]
    return _write(drafts, user)


def register_check(*, under: Unit | None = None, user: Any = None) -> dict[str, Any]:
    """``danso register check``: check everything under ``under`` again (``flag_all``);
    ``{"flags": n, "by_rule": {rule: n}}`` of the rule flags there now."""
    total = flag_all(under=under, user=user)
    return {"flags": total, "by_rule": rule_counts(under=under)}
