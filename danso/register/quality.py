"""The data-quality screen of a commune or a district: its reads and its one write.

**What is listed.**  The doubtful entries (``Flag`` of kind ``rule``: the warnings of
``register.rules``, recorded by ``register.flagging``) and the doubtful monthly counts
(outliers, ``register.outliers``) of the units that lay under the commune or district
on the day looked at.  A flag belongs to the unit where its entry counts (an event's
village or commune, a person's household's), so a village keeps its flags when a
reform moves it to another ward: the screen of Phường Ngọc Thụy on 01/03/2025 lists the
flags of its residential groups, the screen of Phường Bồ Đề after 01/07/2025 the same
flags of the same groups.

**Who.**  The screen asks for the right to read records on the unit
(``quality_views``); this module decides nothing about who sees: names are printed by
the views through ``register.privacy``.

**The collaborator** of a flag is whoever recorded its event (``Event.recorded_by``),
else whoever recorded the flag (``Flag.recorded_by``: the person who saved the entry,
or who ran the check); an entry generated or imported with nobody named has none.

**Follow-up** (``flag_follow``, ``outlier_follow``): a mark (to check / checked, correct
/ corrected) and a note, with the named person who set them and when; the model keeps
the history (django-simple-history) under that person's name.  An outlier has no row
until someone marks it: ``outlier_follow`` creates its ``Flag`` (kind ``outlier``, the
event type as its rule, the first day of the month as its day) on the screen's unit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from danso.audit import acting_as
from danso.register.models import Event, Flag
from danso.register.outliers import Judgement, Score, month_judgements
from danso.register.rules import RULES, Severity
from danso.register.sheet import month_end
from danso.register.vocabulary import EventType
from danso.units.models import UnitVersion, valid_on

#: Rows a page of the list shows.
PAGE = 50
#: The longest note kept.
NOTE_MAX = 1000
#: The monthly counts judged for outliers: the events of the monthly form (P0/CTV).
TALLIES: tuple[EventType, ...] = (
    EventType.BIRTH,
    EventType.DEATH,
    EventType.MOVE_IN,
    EventType.MOVE_OUT,
    EventType.MARRIAGE,
    EventType.DIVORCE,
    EventType.PREGNANCY,
    EventType.PRENATAL_SCREENING,
    EventType.NEWBORN_SCREENING,
    EventType.PREMARITAL_CHECK,
    EventType.ELDERLY_CHECKUP,
    EventType.CONTRACEPTION_START,
    EventType.CONTRACEPTION_STOP,
)
#: The rules that leave a flag (the catalogue's warnings), in the catalogue's order.
WARNING_RULES: tuple[str, ...] = tuple(
    code for code, rule in RULES.items() if rule.severity == Severity.WARNING
)


# ---------------------------------------------------------------- reads


def units_under(version: UnitVersion, on: date) -> list[int]:
    """The unit and every unit below it on ``on`` (unit ids)."""
    return sorted(
        set(
            UnitVersion.objects.filter(valid_on(on), path__startswith=version.path).values_list(
                "unit_id", flat=True
            )
        )
    )


def places_under(version: UnitVersion, on: date) -> list[UnitVersion]:
    """The units directly below ``version`` on ``on`` (the villages of a commune, the
    communes of a district), for the filter by place."""
    return list(
        UnitVersion.objects.filter(valid_on(on), parent_id=version.unit_id).order_by("code")
    )


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed to (empty: everything)."""

    rule: str = ""
    status: str = ""
    year: int | None = None
    month: int | None = None
    place: UnitVersion | None = None


def _with_collaborator(flags: QuerySet[Flag]) -> QuerySet[Flag]:
    return flags.annotate(collaborator_id=Coalesce(F("event__recorded_by"), F("recorded_by")))


def flags_under(version: UnitVersion, on: date, filters: Filters | None = None) -> QuerySet[Flag]:
    """The rule flags of the units under ``version`` on ``on``, newest first, each with
    ``collaborator_id`` (see the module)."""
    filters = filters or Filters()
    root = filters.place or version
    flags = Flag.objects.filter(kind=Flag.Kind.RULE, unit_id__in=units_under(root, on))
    if filters.rule:
        flags = flags.filter(rule=filters.rule)
    if filters.status:
        flags = flags.filter(status=filters.status)
    if filters.year:
        flags = flags.filter(day__year=filters.year)
        if filters.month:
            flags = flags.filter(day__month=filters.month)
    return _with_collaborator(flags).order_by("-day", "pk")


def page_rows(flags: Sequence[Flag]) -> list[Flag]:
    """A page of flags with what a row prints read at once (entries, persons, users)."""
    ids = [f.pk for f in flags]
    rows = {
        f.pk: f
        for f in _with_collaborator(Flag.objects.filter(pk__in=ids)).select_related(
            "event", "event__person", "person", "followed_by", "unit"
        )
    }
    wanted: set[int] = {
        pk for r in rows.values() if (pk := getattr(r, "collaborator_id", None)) is not None
    }
    users = get_user_model().objects.in_bulk(sorted(wanted))
    ordered = [rows[pk] for pk in ids if pk in rows]
    for row in ordered:
        row.collaborator = users.get(getattr(row, "collaborator_id", None) or 0)  # type: ignore[attr-defined]
    return ordered


@dataclass(frozen=True)
class CollaboratorCount:
    user: Any  # None: nobody named (generated or imported entries)
    open: int
    total: int


def by_collaborator(version: UnitVersion, on: date) -> list[CollaboratorCount]:
    """The flags under ``version`` per collaborator: open and all; most open first."""
    rows = (
        flags_under(version, on)
        .order_by()
        .values("collaborator_id")  # type: ignore[misc]  # an annotation, not a field
        .annotate(total=Count("pk"), open=Count("pk", filter=Q(status=Flag.Status.OPEN)))
    )
    counts = [(r["collaborator_id"], r["open"], r["total"]) for r in rows]
    users = get_user_model().objects.in_bulk([pk for pk, _o, _t in counts if pk is not None])
    found = [CollaboratorCount(users.get(pk) if pk else None, o, t) for pk, o, t in counts]
    return sorted(found, key=lambda c: (-c.open, -c.total, c.user is None, str(c.user or "")))


def by_rule(version: UnitVersion, on: date) -> dict[str, tuple[int, int]]:
    """The flags under ``version`` per rule: (open, all), in the catalogue's order."""
    rows = (
        flags_under(version, on)
        .order_by()
        .values("rule")
        .annotate(total=Count("pk"), open=Count("pk", filter=Q(status=Flag.Status.OPEN)))
    )
    found = {r["rule"]: (r["open"], r["total"]) for r in rows}
    order = {code: n for n, code in enumerate(RULES)}
    return dict(sorted(found.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))


# ---------------------------------------------------------------- outliers


def monthly_counts(unit_ids: Sequence[int]) -> dict[str, dict[tuple[int, int], int]]:
    """The events of ``TALLIES`` that counted in ``unit_ids``, by type and month.  The
    contraceptive methods already in use when the book was opened (its inventory, not
    new users) are left out."""
    events = Event.objects.filter(unit_id__in=unit_ids, event_type__in=[str(t) for t in TALLIES])
    counts: dict[str, dict[tuple[int, int], int]] = defaultdict(dict)
    # (a JSON key's absence is NULL in SQL: the inventory is counted apart and taken off)
    inventory = events.filter(
        event_type=EventType.CONTRACEPTION_START, extra__in_use_at_opening=True
    )
    for rows, sign in ((events, 1), (inventory, -1)):
        grouped = (
            rows.annotate(y=ExtractYear("event_date"), m=ExtractMonth("event_date"))
            .order_by()
            .values_list("event_type", "y", "m")
            .annotate(n=Count("pk"))
        )
        for kind, year, month, n in grouped:
            key = (int(year), int(month))
            counts[kind][key] = counts[kind].get(key, 0) + sign * int(n)
    return dict(counts)


def first_month(unit_ids: Sequence[int]) -> tuple[int, int] | None:
    """The first month the book of ``unit_ids`` covers (its earliest event)."""
    first = (
        Event.objects.filter(unit_id__in=unit_ids)
        .order_by("event_date")
        .values_list("event_date", flat=True)
        .first()
    )
    return (first.year, first.month) if first else None


def judged_months(year: int, on: date) -> list[int]:
    """The months of ``year`` that are over on ``on`` (a month still running is not
    judged: its count is not complete)."""
    if year < on.year:
        return list(range(1, 13))
    if year > on.year:
        return []
    return [m for m in range(1, on.month + 1) if month_end(date(year, m, 1)) <= on]


def latest_year(unit_ids: Sequence[int], on: date) -> int:
    """The year looked at by default: ``on``'s, or, when the book has no event in it
    yet, the last year it has events."""
    last = (
        Event.objects.filter(unit_id__in=unit_ids, event_date__lte=on)
        .order_by("-event_date")
        .values_list("event_date", flat=True)
        .first()
    )
    return last.year if last is not None else on.year


@dataclass
class OutlierRow:
    tally: str
    month: date
    judgement: Judgement
    flag: Flag | None = field(default=None)


def outliers(
    version: UnitVersion, on: date, *, year: int, score: Score = Score.MODIFIED_Z
) -> list[OutlierRow]:
    """The months of ``year`` whose count of a tally lies outside the range of the same
    month in earlier years, with their follow-up flag if someone marked them; by month,
    then tally."""
    ids = units_under(version, on)
    since = first_month(ids)
    if since is None:
        return []
    months = judged_months(year, on)
    counts = monthly_counts(ids)
    found: list[OutlierRow] = []
    for tally in TALLIES:
        judged = month_judgements(
            counts.get(str(tally), {}), year=year, months=months, since=since, score=score
        )
        found += [
            OutlierRow(str(tally), date(year, m, 1), j) for m, j in judged.items() if j.outlier
        ]
    marks = {
        (f.rule, f.day): f
        for f in Flag.objects.filter(
            kind=Flag.Kind.OUTLIER, unit_id=version.unit_id, day__year=year
        ).select_related("followed_by")
    }
    for row in found:
        row.flag = marks.get((row.tally, row.month))
    return sorted(found, key=lambda r: (r.month, TALLIES.index(EventType(r.tally))))


# ---------------------------------------------------------------- follow-up (writes)


def _checked(status: str, note: str, user: Any) -> str:
    if not getattr(user, "pk", None):
        raise ValueError("a follow-up is set by a named person")
    if status not in Flag.Status.values:
        raise ValidationError(
            {"status": [_("Unknown follow-up mark %(value)s.") % {"value": status}]}
        )
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            {"note": [_("The note is longer than %(n)s characters.") % {"n": NOTE_MAX}]}
        )
    return note


@transaction.atomic
def flag_follow(*, flag: Flag, status: str, note: str, user: Any) -> Flag:
    """Set a flag's follow-up mark and note, by ``user`` (a named person), now."""
    note = _checked(status, note, user)
    flag.status = status
    flag.note = note
    flag.followed_by = user
    flag.followed_at = timezone.now()
    with acting_as(user):
        flag.save(update_fields=["status", "note", "followed_by", "followed_at"])
    return flag


@transaction.atomic
def outlier_follow(
    *,
    version: UnitVersion,
    tally: str,
    month: date,
    status: str,
    note: str,
    user: Any,
    judgement: Judgement | None = None,
) -> Flag:
    """Mark an outlying month of a tally of ``version``'s unit: its flag is created the
    first time (with the count, the range and the score of ``judgement``), then
    followed up as ``flag_follow`` does."""
    note = _checked(status, note, user)
    if tally not in {str(t) for t in TALLIES}:
        raise ValidationError({"tally": [_("Unknown figure %(value)s.") % {"value": tally}]})
    first = month.replace(day=1)
    params: dict[str, Any] = {}
    if judgement is not None and judgement.judged:
        params = {
            "count": judgement.value,
            "expected": judgement.expected,
            "low": judgement.low,
            "high": judgement.high,
            "score": judgement.score,
        }
    with acting_as(user):
        flag, _created = Flag.objects.get_or_create(
            kind=Flag.Kind.OUTLIER,
            rule=tally,
            unit_id=version.unit_id,
            day=first,
            defaults={"path": version.path, "params": params, "recorded_by": user},
        )
    return flag_follow(flag=flag, status=status, note=note, user=user)
