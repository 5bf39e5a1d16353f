"""Persons registered twice, and merging two records of one person (gộp nhân khẩu trùng).

A person is registered twice when they moved without the move being recorded, when the
district entered a paper book a commune also kept, or when an import ran with other ids.
``duplicate_candidates`` finds the pairs worth an officer's look; ``person_merge`` joins
two records of one person without losing either history.

Persons sharing an ID number are grouped by the database (``GROUP BY`` over the index on
``id_number``).  For names, the register is read once — number, folded name, date of
birth and its precision — and grouped by date of birth here: in SQLite, reading 300,000
rows in the order of the birth-date index takes twice as long as a plain scan, every row
being a jump in the table.  Names are compared only within a date of birth, and there
only between names that share their given name (the last word), everything before it, or
their letters without spaces; identical names are paired without comparing.  Two names
are near-same when one word differs by one or two edits, two words by one edit each, or
— a word split or joined — the whole names are at most two edits apart
(``name_likeness``); of these the scan misses only a pair with an edit in the given name
and another before it.  The scope is checked on the best pairs only.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Count, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from danso.register.models import DuplicateCandidate, Event, Household, Membership, Person
from danso.register.privacy import VisibleHouseholds
from danso.register.rules import PersonFacts, event_findings
from danso.register.search import CURRENT_HOUSEHOLD, edit_distance
from danso.register.services import person_facts, worded
from danso.register.vocabulary import EventType
from danso.units.scope import Action, UnitScope

NEAR_EDITS = 2  # whole names at most this many edits apart
CHUNK = 500  # ids in one IN (...)


class Reason(StrEnum):
    SAME_ID_NUMBER = "same_id_number"
    SAME_NAME_AND_BIRTH = "same_name_and_birth"
    NEAR_NAME_AND_BIRTH = "near_name_and_birth"


@dataclass(frozen=True)
class DuplicatePair:
    """Two records that may be one person: ``first`` registered before ``second``."""

    first: Person
    second: Person
    reason: Reason
    score: float  # 0–1: 1 for the same ID number, name and birth date

    @property
    def explanation(self) -> str:
        """Why the pair is shown, in the active language — without names, dates or ID
        numbers, which not every reader may see (``privacy.person_sight``)."""
        if self.reason is Reason.SAME_ID_NUMBER:
            return _("Same ID number.")
        if self.reason is Reason.SAME_NAME_AND_BIRTH:
            return _("Same name and date of birth.")
        return _("Nearly the same name, same date of birth.")


# ---------------------------------------------------------------- comparing names


def _trimmed(a: str, b: str) -> tuple[str, str]:
    """``a`` and ``b`` without the letters they begin and end with in common (the edit
    distance of the rest is theirs, and much cheaper to compute)."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    return a[start : len(a) - end], b[start : len(b) - end]


def name_likeness(a: str, b: str) -> float:
    """How alike two folded names are: 1 the same; 0.8 one word one edit away (a swap of
    neighbouring letters is one edit); 0.7 the whole names at most two edits apart; 0 not
    alike."""
    if a == b:
        return 1.0
    if abs(len(a) - len(b)) > NEAR_EDITS:
        return 0.0
    words_a, words_b = a.split(), b.split()
    if len(words_a) == len(words_b):
        differing = [(x, y) for x, y in zip(words_a, words_b, strict=True) if x != y]
        if len(differing) == 1:
            x, y = differing[0]
            if edit_distance(x, y, 1) == 1:
                return 0.8
            # An edit adds at most two letters to those only one word has: a cheap test
            # that spares most pairs the edit distance.
            if len(set(x) ^ set(y)) > 2 * NEAR_EDITS:
                return 0.0
            return 0.7 if edit_distance(x, y, NEAR_EDITS) <= NEAR_EDITS else 0.0
        # Two edits in all: at most two words differ, by one edit each.
        if len(differing) == 2 and all(edit_distance(x, y, 1) == 1 for x, y in differing):
            return 0.7
        return 0.0
    # A word split in two or two joined: the whole names.
    rest_a, rest_b = _trimmed(a, b)
    return 0.7 if edit_distance(rest_a, rest_b, NEAR_EDITS) <= NEAR_EDITS else 0.0


def _blocks(name: str) -> tuple[str, str, str]:
    """Keys of which near-same names share at least one (see the module docstring)."""
    head, _space, given = name.rpartition(" ")
    return f"g:{given}", f"h:{head}", f"l:{name.replace(' ', '')}"


@dataclass(frozen=True)
class _Row:
    pk: int
    name: str
    birth: date | str  # a date, or as text in the birth-date scan
    precision: str
    sex: str
    id_number: str


_ROW_FIELDS = ("pk", "name_folded", "birth_date", "birth_precision", "sex", "id_number")


def _score(a: _Row, b: _Row, likeness: float, same_id: bool) -> float:
    same_birth = (a.birth, a.precision) == (b.birth, b.precision)
    if same_id:
        return 0.7 + 0.15 * (likeness > 0) + 0.15 * same_birth
    score = {1.0: 0.85, 0.8: 0.7, 0.7: 0.6}[likeness]
    if a.sex != b.sex:
        score -= 0.2  # a mistyped sex happens, but less often than a namesake
    if a.id_number and b.id_number:
        score -= 0.3  # two different ID numbers: most likely two persons
    return round(score, 2)


# ---------------------------------------------------------------- the scan


def _persons(visible: VisibleHouseholds) -> QuerySet[Person]:
    """Persons not merged who may be in scope, cheaply: for a reader who sees most of the
    register, all of them; otherwise those who ever lived in a household the reader sees.
    Pairs are checked exactly at the end."""
    persons = Person.objects.filter(merged_into__isnull=True)
    seen = Household.objects.filter(unit_id__in=visible.units).count() + len(visible.kept)
    if 2 * seen > Household.objects.count():
        return persons
    stays = Membership.objects.filter(
        Q(household__unit_id__in=visible.units) | Q(household_id__in=visible.kept)
    )
    return persons.filter(pk__in=stays.values("person_id"))


def _in_scope(visible: VisibleHouseholds, ids: Iterable[int]) -> set[int]:
    """Those of the persons ``ids`` whose current household the reader sees."""
    ordered = sorted(ids)
    current: dict[int, int] = {}
    for start in range(0, len(ordered), CHUNK):
        current.update(
            Person.objects.filter(pk__in=ordered[start : start + CHUNK])
            .annotate(current_household=CURRENT_HOUSEHOLD)
            .order_by()
            .values_list("pk", "current_household")
        )
    seen = visible(current.values())
    return {pk for pk, household in current.items() if household in seen}


def _rows(persons: QuerySet[Person], ids: Iterable[int]) -> dict[int, _Row]:
    ordered = sorted(ids)
    found: dict[int, _Row] = {}
    for start in range(0, len(ordered), CHUNK):
        chunk = persons.filter(pk__in=ordered[start : start + CHUNK]).order_by()
        found.update((values[0], _Row(*values)) for values in chunk.values_list(*_ROW_FIELDS))
    return found


def _same_id_pairs(persons: QuerySet[Person]) -> dict[tuple[int, int], tuple[Reason, float]]:
    # Grouped over the index on id_number alone (merged records counted too: cheaper).
    shared = list(
        Person.objects.exclude(id_number="")
        .order_by()
        .values("id_number")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("id_number", flat=True)
    )
    groups: dict[str, list[_Row]] = defaultdict(list)
    for start in range(0, len(shared), CHUNK):
        rows = persons.filter(id_number__in=shared[start : start + CHUNK]).order_by("pk")
        for values in rows.values_list(*_ROW_FIELDS):
            row = _Row(*values)
            groups[row.id_number].append(row)
    pairs: dict[tuple[int, int], tuple[Reason, float]] = {}
    for group in groups.values():
        for a, b in itertools.combinations(group, 2):
            likeness = name_likeness(a.name, b.name)
            pairs[a.pk, b.pk] = (Reason.SAME_ID_NUMBER, _score(a, b, likeness, same_id=True))
    return pairs


def _same_birth_pairs(persons: QuerySet[Person]) -> dict[tuple[int, int], tuple[Reason, float]]:
    # One plain scan, grouped here: reading 300,000 rows in the order of the birth-date
    # index costs twice as much (every row is then a jump in the table).  The date comes
    # as text: grouping needs no date objects, and converting them all costs too.
    groups: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    rows = (
        persons.order_by()
        .annotate(born=Cast("birth_date", CharField()))
        .values_list("born", "birth_precision", "pk", "name_folded")
        .iterator(chunk_size=10_000)
    )
    for born, precision, pk, name in rows:
        groups[born, precision].append((pk, name))
    alike: dict[tuple[int, int], float] = {}
    for group in groups.values():
        if len(group) > 1:
            alike.update(_alike_in(sorted(group)))
    details = _rows(persons, {pk for pair in alike for pk in pair})
    pairs: dict[tuple[int, int], tuple[Reason, float]] = {}
    for (a, b), likeness in alike.items():
        reason = Reason.SAME_NAME_AND_BIRTH if likeness == 1.0 else Reason.NEAR_NAME_AND_BIRTH
        pairs[a, b] = (reason, _score(details[a], details[b], likeness, same_id=False))
    return pairs


def _alike_in(group: list[tuple[int, str]]) -> dict[tuple[int, int], float]:
    """Pairs of alike names among persons born on one day, (pk, name) sorted by pk."""
    bearers: dict[str, list[int]] = defaultdict(list)
    for pk, name in group:
        bearers[name].append(pk)
    found: dict[tuple[int, int], float] = {}
    for pks in bearers.values():
        found.update((pair, 1.0) for pair in itertools.combinations(pks, 2))
    if len(bearers) == 1:
        return found
    blocks: dict[str, list[str]] = defaultdict(list)
    for name in bearers:
        for key in _blocks(name):
            blocks[key].append(name)
    compared: set[tuple[str, str]] = set()
    for block in blocks.values():
        for pair in itertools.combinations(block, 2):
            if pair in compared:
                continue
            compared.add(pair)
            likeness = name_likeness(*pair)
            if likeness:
                for a, b in itertools.product(bearers[pair[0]], bearers[pair[1]]):
                    found[min(a, b), max(a, b)] = likeness
    return found


def duplicate_candidates(
    scope: UnitScope, user: Any = None, limit: int = 200
) -> list[DuplicatePair]:
    """Pairs of persons in the reader's scope (their current households are ones
    ``households_visible(scope, user)`` shows, in any village or commune of it) that may be
    one person, most likely first, at most ``limit``:

    - the same ID number (whatever the names: a mistyped name or a mistyped number);
    - the same or a near-same folded name and the same date of birth, with the same
      precision (see ``name_likeness``).

    Persons already merged into another are left out.  The caller shows names only to
    readers allowed to see them (``privacy.person_sight``).
    """
    visible = VisibleHouseholds(scope, user, Action.VIEW_RECORDS)
    persons = _persons(visible)
    pairs = _same_birth_pairs(persons)
    pairs.update(_same_id_pairs(persons))  # the stronger reason wins
    ranked = sorted(pairs.items(), key=lambda item: (-item[1][1], item[0]))
    chosen: list[tuple[tuple[int, int], tuple[Reason, float]]] = []
    # Check the scope on the best pairs only, a few hundred at a time.
    for start in range(0, len(ranked), CHUNK):
        batch = ranked[start : start + CHUNK]
        shown = _in_scope(visible, {pk for pair, _why in batch for pk in pair})
        chosen += [(pair, why) for pair, why in batch if pair[0] in shown and pair[1] in shown]
        if len(chosen) >= limit:
            break
    chosen = chosen[:limit]
    records = Person.objects.in_bulk({pk for pair, _why in chosen for pk in pair})
    return [
        DuplicatePair(records[a], records[b], reason, score) for (a, b), (reason, score) in chosen
    ]


# ---------------------------------------------------------------- merging


def _overlap(a: Membership, b: Membership) -> bool:
    return (b.valid_to is None or a.valid_from <= b.valid_to) and (
        a.valid_to is None or b.valid_from <= a.valid_to
    )


def _day(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else _("now")


def _save_audited(row: Any, fields: list[str], user: Any, reason: str) -> None:
    """Save ``fields`` of ``row``, simple-history recording who and why."""
    if getattr(user, "pk", None):
        row._history_user = user
    row._change_reason = reason[:100]  # the history table's column is 100 long
    try:
        row.save(update_fields=fields)
    finally:  # not to be taken up by a later save of the same object
        row.__dict__.pop("_history_user", None)
        row.__dict__.pop("_change_reason", None)


def _check_stays(
    keep: Person, merge: Person, accepted: frozenset[int] = frozenset()
) -> list[Membership]:
    """The stays of ``merge``, which move to ``keep``; refused when one overlaps a stay of
    ``keep`` — but for the two stays of ``accepted`` (ids), the two current stays one of
    which the merge has just ended (``_end_double_stay``)."""
    moving = list(merge.memberships.select_related("household"))
    staying = list(keep.memberships.select_related("household"))
    for a in moving:
        for b in staying:
            if _overlap(a, b) and not {a.pk, b.pk} <= accepted:
                raise ValidationError(
                    _(
                        "Record %(merged)s belonged to household %(household)s from %(start)s "
                        "to %(end)s, and record %(kept)s to household %(other)s from "
                        "%(other_start)s to %(other_end)s: a person belongs to one household "
                        "at a time. End one of the stays before merging."
                    )
                    % {
                        "merged": merge.source_id,
                        "household": a.household,
                        "start": _day(a.valid_from),
                        "end": _day(a.valid_to),
                        "kept": keep.source_id,
                        "other": b.household,
                        "other_start": _day(b.valid_from),
                        "other_end": _day(b.valid_to),
                    }
                )
    return moving


def _check_events(keep: Person, merge: Person, moving: list[Membership]) -> None:
    """The events of both records must still keep the register's rules once they are one
    person's (a death before another event, an event before the kept date of birth)."""
    own = {keep.pk: person_facts(keep), merge.pk: person_facts(merge)}
    deaths = [f.death_date for f in own.values() if f.death_date is not None]
    joined = PersonFacts(
        keep.sex,
        keep.birth_date,
        keep.birth_precision,
        min(deaths) if deaths else None,
        [*own[keep.pk].stays, *[(m.valid_from, m.valid_to) for m in moving]],
    )
    problems = []
    for event in Event.objects.filter(person__in=[keep, merge]).order_by("event_date", "pk"):
        kind = EventType(event.event_type)
        before = event_findings(kind, event.event_date, own[event.person_id])
        problems += [
            finding
            for finding in event_findings(kind, event.event_date, joined)
            if finding not in before
        ]
    if problems:
        raise ValidationError(worded(problems))


def current_stays(keep: Person, merge: Person) -> tuple[Membership, Membership] | None:
    """The current stays (not ended) of both records, when both have one: the merge must
    then end one of them (``person_merge(continuing=…)``)."""
    found = []
    for record in (keep, merge):
        stay = (
            record.memberships.filter(valid_to__isnull=True)
            .select_related("household")
            .order_by("-valid_from", "-pk")
            .first()
        )
        if stay is None:
            return None
        found.append(stay)
    return found[0], found[1]


def _end_double_stay(
    keep: Person, merge: Person, continuing: Person, day: date, user: Any, reason: str
) -> frozenset[int]:
    """End on ``day`` the current stay of the record that is not ``continuing``; returns
    the ids of the two stays, whose overlap up to ``day`` the merge then accepts.

    The past stays as the book recorded them: the figures of months already reported do
    not change.  The household whose stay goes on must stay the person's current one,
    which ``privacy`` reads as the stay begun last: when the ended stay began after it,
    the continuing stay ends on ``day`` too and goes on as a new stay from the next day.
    Every change is audited with ``user`` and ``reason``.
    """
    both = current_stays(keep, merge)
    if both is None:
        return frozenset()
    staying, going = both if continuing.pk == keep.pk else (both[1], both[0])
    if day < going.valid_from or day < staying.valid_from:
        raise ValidationError(
            _("The stay in household %(household)s cannot end on %(day)s: it began on %(start)s.")
            % {
                "household": going.household if day < going.valid_from else staying.household,
                "day": _day(day),
                "start": _day(max(going.valid_from, staying.valid_from)),
            }
        )
    going.valid_to = day
    _save_audited(going, ["valid_to"], user, reason)
    if (going.valid_from, going.pk) > (staying.valid_from, staying.pk):
        staying.valid_to = day
        _save_audited(staying, ["valid_to"], user, reason)
        again = Membership(
            person_id=staying.person_id,
            household_id=staying.household_id,
            relation=staying.relation,
            valid_from=day + timedelta(days=1),
        )
        if getattr(user, "pk", None):
            again._history_user = user  # type: ignore[attr-defined]
        again._change_reason = reason[:100]  # type: ignore[attr-defined]
        again.save()
    return frozenset({going.pk, staying.pk})


@transaction.atomic
def person_merge(
    *,
    keep: Person,
    merge: Person,
    user: Any,
    reason: str,
    continuing: Person | None = None,
    on: date | None = None,
) -> Person:
    """Make ``merge`` a second record of ``keep``: its stays in households (memberships)
    and its events — as the event's person, as the child of a birth, as the spouse — move
    to ``keep`` (events keep their source ids, units and paths), records merged into it
    before now point to ``keep``, and ``merge.merged_into`` is set.  Nothing is deleted.

    Audited twice: every row changed gets a history entry with ``user`` and ``reason``,
    and ``merge.extra["merged"]`` keeps who, when, why and the ids of what moved
    (``keep.extra["merged_from"]`` lists the records merged into it).

    Both records in a household now: ``continuing`` (``keep`` or ``merge``) names the one
    whose household the person stays in, and the other stay ends on ``on`` (the merge
    day, today by default; see ``_end_double_stay``).

    Raises ``ValidationError`` (nothing changed) for a person merged with themselves, a
    record already merged, two sexes, two stays in households that would overlap (two
    current stays, ``continuing`` not given, included), an event the joined record would
    break the rules with, or no reason.
    """
    if not reason.strip():
        raise ValidationError(_("Say why the two records are one person."))
    if keep.pk == merge.pk:
        raise ValidationError(_("A person cannot be merged with themselves."))
    keep = Person.objects.select_for_update().get(pk=keep.pk)
    merge = Person.objects.select_for_update().get(pk=merge.pk)
    for record in (keep, merge):
        if record.merged_into_id is not None:
            raise ValidationError(
                _("Record %(id)s is already merged into another record.") % {"id": record.source_id}
            )
    if keep.sex != merge.sex:
        raise ValidationError(
            _("Records %(kept)s and %(merged)s are not of the same sex: not one person.")
            % {"kept": keep.source_id, "merged": merge.source_id}
        )
    reason = reason.strip()
    accepted: frozenset[int] = frozenset()
    if continuing is not None:
        if continuing.pk not in (keep.pk, merge.pk):
            raise ValidationError(_("The stay that goes on must be one of the two records'."))
        day = on or timezone.localdate()
        accepted = _end_double_stay(keep, merge, continuing, day, user, reason)
    moving = _check_stays(keep, merge, accepted)
    _check_events(keep, merge, moving)
    moved: dict[str, list[int]] = {}
    for stay in moving:
        stay.person = keep
        _save_audited(stay, ["person"], user, reason)
    moved["memberships"] = [stay.pk for stay in moving]
    for role in ("person", "child", "spouse"):
        events = list(Event.objects.filter(**{role: merge}).order_by("pk"))
        for event in events:
            setattr(event, role, keep)
            _save_audited(event, [role, "updated_at"], user, reason)
        moved["events" if role == "person" else f"events_as_{role}"] = [e.pk for e in events]
    earlier = list(Person.objects.filter(merged_into=merge).order_by("pk"))
    for record in earlier:
        record.merged_into = keep
        _save_audited(record, ["merged_into", "updated_at"], user, reason)
    moved["merged_records"] = [record.pk for record in earlier]
    at = timezone.now().isoformat()
    by = getattr(user, "pk", None)
    merge.merged_into = keep
    merge.extra = {
        **merge.extra,
        "merged": {
            "into": keep.pk,
            "into_source_id": keep.source_id,
            "by": by,
            "at": at,
            "reason": reason,
            **moved,
        },
    }
    _save_audited(merge, ["merged_into", "extra", "updated_at"], user, reason)
    absorbed = [*keep.extra.get("merged_from", [])]
    absorbed.append(
        {"person": merge.pk, "source_id": merge.source_id, "by": by, "at": at, "reason": reason}
    )
    keep.extra = {**keep.extra, "merged_from": absorbed}
    _save_audited(keep, ["extra", "updated_at"], user, reason)
    return keep


# ---------------------------------------------------------------- the pairs kept


def of_unit(unit_id: int | None) -> Q:
    """The rows of a search of ``unit_id``'s subtree (None: of the whole register)."""
    return Q(unit__isnull=True) if unit_id is None else Q(unit_id=unit_id)


def candidates_open(unit_id: int | None) -> QuerySet[DuplicateCandidate]:
    """The pairs a search of ``unit_id``'s subtree found that are still to be looked at,
    most likely first (pairs with a record merged since are left out)."""
    return (
        DuplicateCandidate.objects.filter(of_unit(unit_id), status=DuplicateCandidate.Status.OPEN)
        .filter(first__merged_into__isnull=True, second__merged_into__isnull=True)
        .select_related("first", "second")
        .order_by("-score", "pk")
    )


def _decided(candidate: DuplicateCandidate, status: str, user: Any, reason: str) -> None:
    candidate.status = status
    candidate.decided_by = user if getattr(user, "pk", None) else None
    candidate.decided_at = timezone.now()
    candidate.decision_reason = reason[:300]
    _save_audited(
        candidate, ["status", "decided_by", "decided_at", "decision_reason"], user, reason
    )


@transaction.atomic
def candidate_dismiss(*, candidate: DuplicateCandidate, user: Any, reason: str) -> None:
    """ "Not the same person": the pair is closed with who and why, and a later search
    that finds it again leaves it closed."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the two records are not one person."))
    if candidate.status != DuplicateCandidate.Status.OPEN:
        raise ValidationError(_("This pair was already decided."))
    _decided(candidate, DuplicateCandidate.Status.DISMISSED, user, reason)


@transaction.atomic
def candidate_merge(
    *,
    candidate: DuplicateCandidate,
    keep: Person,
    user: Any,
    reason: str,
    continuing: Person | None = None,
    on: date | None = None,
) -> Person:
    """Merge the pair's records into ``keep`` (one of the two, ``person_merge``) and close
    the pair as merged, with who and why."""
    if candidate.status != DuplicateCandidate.Status.OPEN:
        raise ValidationError(_("This pair was already decided."))
    if keep.pk not in (candidate.first_id, candidate.second_id):
        raise ValidationError(_("The record kept must be one of the pair."))
    merge = candidate.second if keep.pk == candidate.first_id else candidate.first
    kept = person_merge(
        keep=keep, merge=merge, user=user, reason=reason, continuing=continuing, on=on
    )
    _decided(candidate, DuplicateCandidate.Status.MERGED, user, reason.strip())
    return kept
