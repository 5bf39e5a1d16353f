"""Activities that are work, not text (issue 18, point 5): the writes and reads of a plan's
activity schedule (biểu tiến độ) as entered by hand, its occurrences and their results,
budget lines by source, the monthly counts they give as data values, and the unit's
steering committee (Ban Chỉ đạo công tác Dân số và Phát triển) with its meetings.

Every write is one function here, taking its ``actor`` explicitly (a user, or
``accounts.scope.SYSTEM``; None is no one and may do nothing), checking that the actor may
change the plan (``selectors.plan_access`` is EDIT, as for editing the plan) or, for the
committee, plan at the unit, and recording the change against the actor in the history
(``audit.acting_as``).  A GET never writes: occurrences are made when an activity is
saved with a recurrence (``occurrences_generate``), never when a page is read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from danso.accounts.scope import SYSTEM, actor_scope
from danso.audit import account_of, acting_as
from danso.datasets import services as datasets
from danso.datasets.models import DataElement, DataSet, PeriodType
from danso.indicators.periods import Period
from danso.plans.models import (
    Activity,
    ActivityBudget,
    ActivityOccurrence,
    CommitteeMeeting,
    CommitteeMember,
    Plan,
)
from danso.plans.recurrence import (
    Repeat,
    State,
    Window,
    activity_state,
    occurrence_state,
    windows,
)
from danso.plans.selectors import Access, plan_access
from danso.units.models import Unit, UnitVersion, valid_on
from danso.units.scope import Action

#: The counts an occurrence records, besides whether and when it was held.
COUNTS = (
    "sessions",
    *ActivityOccurrence.GROUPS,
    "materials",
    "media_items",
    "clubs_running",
    "members",
    "trainees",
)


def _may_edit(actor: Any, plan: Plan) -> None:
    if actor is None or plan_access(actor, plan) is not Access.EDIT:
        raise PermissionDenied(_("You may not change the activities of this plan."))


# ------------------------------------------------------------------ activities


def activity_span(activity: Activity, plan: Plan | None = None) -> tuple[date, date]:
    """The days an activity's occurrences fall in: its own dates, else the plan's years,
    cut to the plan's years."""
    plan = plan or activity.plan
    first, last = date(plan.period_start, 1, 1), date(plan.period_end, 12, 31)
    return max(activity.start or first, first), min(activity.end or last, last)


@dataclass(frozen=True)
class Changes:
    created: int = 0
    removed: int = 0
    kept: int = 0


@transaction.atomic
def activity_save(
    *,
    plan: Plan,
    actor: Any,
    activity: Activity | None = None,
    name: str,
    kind: str = Activity.Kind.ORDINARY,
    repeats: str = "",
    communication_days: Sequence[str] = (),
    start: date | None = None,
    end: date | None = None,
    group: str = "",
    number: str = "",
    window: str = "",
    lead: str = "",
    coordinating: str = "",
    budget: Mapping[str, tuple[Decimal, Decimal]] | None = None,
) -> Activity:
    """Add an activity to ``plan``'s schedule (``activity`` None) or change one, with its
    budget lines (source → (planned, spent), in đồng; a source left out is kept, one
    with both 0 removed), and make its occurrences again (``occurrences_generate``).
    Raises ``PermissionDenied`` unless ``actor`` may edit the plan, ``ValidationError``
    for a missing name, days outside the plan's years or an unknown kind or
    recurrence."""
    _may_edit(actor, plan)
    if activity is not None and activity.plan_id != plan.pk:
        raise ValidationError(_("This activity belongs to another plan."))
    problems = _activity_problems(plan, name, kind, repeats, start, end, budget or {})
    if problems:
        raise ValidationError(problems)
    with acting_as(account_of(actor)):
        row = activity or Activity(plan=plan, order=_next_order(plan))
        row.name, row.kind, row.repeats = name.strip(), kind, repeats
        row.communication_days = (
            sorted(set(communication_days)) if repeats == Repeat.COMMUNICATION_DAYS else []
        )
        row.start, row.end, row.group, row.number = start, end, group.strip(), number.strip()
        row.window, row.lead, row.coordinating = window.strip(), lead.strip(), coordinating.strip()
        row.save()
        _budget_write(row, budget or {})
        _generate(row, plan)
    return row


def _activity_problems(
    plan: Plan,
    name: str,
    kind: str,
    repeats: str,
    start: date | None,
    end: date | None,
    budget: Mapping[str, tuple[Decimal, Decimal]],
) -> list[str]:
    problems = []
    if not name.strip():
        problems.append(_("An activity needs a name."))
    if kind not in Activity.Kind.values:
        problems.append(_("Choose the kind of activity."))
    if repeats and repeats not in {r.value for r in Repeat}:
        problems.append(_("Choose how the activity recurs."))
    first, last = date(plan.period_start, 1, 1), date(plan.period_end, 12, 31)
    for day in (start, end):
        if day is not None and not first <= day <= last:
            problems.append(
                _("%(day)s is outside the plan's years (%(first)s–%(last)s).")
                % {"day": f"{day:%d/%m/%Y}", "first": plan.period_start, "last": plan.period_end}
            )
    if start is not None and end is not None and end < start:
        problems.append(_("The activity ends before it starts."))
    for source, amounts in budget.items():
        if source not in ActivityBudget.Source.values:
            problems.append(_("%(source)s is not a source of funds.") % {"source": source})
        elif any(amount < 0 for amount in amounts):
            problems.append(_("An amount of money cannot be negative."))
    return problems


def _next_order(plan: Plan) -> int:
    last = plan.activities.order_by("-order").values_list("order", flat=True).first()
    return 0 if last is None else last + 1


def _budget_write(activity: Activity, budget: Mapping[str, tuple[Decimal, Decimal]]) -> None:
    stored = {line.source: line for line in activity.budget_lines.all()}
    for source, (planned, spent) in budget.items():
        line = stored.get(source)
        if not planned and not spent:
            if line is not None:
                line.delete()
            continue
        if line is None:
            ActivityBudget.objects.create(
                activity=activity, source=source, planned=planned, spent=spent
            )
        elif (line.planned, line.spent) != (planned, spent):
            line.planned, line.spent = planned, spent
            line.save(update_fields=["planned", "spent"])


def _windows_of(activity: Activity, plan: Plan) -> list[Window]:
    if not activity.repeats:
        return []
    first, last = activity_span(activity, plan)
    return windows(Repeat(activity.repeats), first, last, activity.communication_days)


def _generate(activity: Activity, plan: Plan) -> Changes:
    """Make the occurrences of ``activity``'s recurrence: missing ones are created; one
    no longer in the schedule is removed unless results were recorded for it (they are
    kept, whatever the schedule says now)."""
    wanted = {(w.start, w.end, w.key): w for w in _windows_of(activity, plan)}
    created = removed = kept = 0
    for row in activity.occurrences.all():
        key = (row.start, row.end, row.day_key)
        if wanted.pop(key, None) is not None or row.held is not None:
            kept += 1
        else:
            row.delete()
            removed += 1
    for window in wanted.values():
        ActivityOccurrence.objects.create(
            activity=activity, start=window.start, end=window.end, day_key=window.key
        )
        created += 1
    return Changes(created, removed, kept)


@transaction.atomic
def occurrences_generate(*, activity: Activity, actor: Any) -> Changes:
    """Make ``activity``'s occurrences again from its recurrence (see ``_generate``)."""
    plan = activity.plan
    _may_edit(actor, plan)
    with acting_as(account_of(actor)):
        return _generate(activity, plan)


@transaction.atomic
def occurrence_record(
    *,
    occurrence: ActivityOccurrence,
    actor: Any,
    held: bool,
    held_on: date | None,
    counts: Mapping[str, int],
    note: str = "",
    today: date | None = None,
) -> ActivityOccurrence:
    """Record what one occurrence achieved: held (on ``held_on``, with at least one
    session) or not held (no counts), and its ``counts`` (names of ``COUNTS``, whole
    numbers ≥ 0; those left out are 0).  The day held lies in the plan's years and not
    after ``today``.  Raises ``PermissionDenied`` unless ``actor`` may edit the plan,
    ``ValidationError`` otherwise."""
    plan = occurrence.activity.plan
    _may_edit(actor, plan)
    today = today or timezone.localdate()
    problems = []
    unknown = sorted(set(counts) - set(COUNTS))
    if unknown:
        problems.append(_("Unknown counts: %(names)s.") % {"names": ", ".join(unknown)})
    if any(value < 0 for value in counts.values()):
        problems.append(_("A count cannot be negative."))
    if held:
        if held_on is None:
            problems.append(_("Write the day it was held."))
        elif held_on > today:
            problems.append(_("The day it was held is still to come."))
        elif not plan.period_start <= held_on.year <= plan.period_end:
            problems.append(_("The day it was held is outside the plan's years."))
        if counts.get("sessions", 0) < 1:
            problems.append(_("Something held had at least one session."))
    elif any(counts.get(name, 0) for name in COUNTS):
        problems.append(_("An occurrence not held has no results: leave the counts at 0."))
    if problems:
        raise ValidationError(problems)
    with acting_as(account_of(actor)):
        occurrence.held = held
        occurrence.held_on = held_on if held else None
        for name in COUNTS:
            setattr(occurrence, name, counts.get(name, 0))
        occurrence.note = note.strip()
        occurrence.recorded_by = account_of(actor)
        occurrence.recorded_at = timezone.now()
        occurrence.save()
    return occurrence


# ------------------------------------------------------------------ reads

STATE_LABELS = {
    State.DONE: gettext_lazy("done"),
    State.NOT_HELD: gettext_lazy("not held"),
    State.OVERDUE: gettext_lazy("overdue"),
    State.UPCOMING: gettext_lazy("upcoming"),
    State.IN_PROGRESS: gettext_lazy("in progress"),
}


def activities_of(plan: Plan) -> QuerySet[Activity]:
    """``plan``'s activities with their occurrences and budget lines (three queries).
    Who may read them is decided by the caller (``plan_access``)."""
    return plan.activities.prefetch_related(
        Prefetch("occurrences", queryset=ActivityOccurrence.objects.order_by("start", "end")),
        "budget_lines",
    ).order_by("order", "pk")


@dataclass(frozen=True)
class Progress:
    """Where an activity stands: ``state`` from its occurrences (None for an activity as
    imported, whose status is its own field), with how many were held and recorded of
    how many, and the next one due."""

    state: State | None
    held: int = 0
    recorded: int = 0
    total: int = 0
    next_due: date | None = None

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state]) if self.state is not None else ""


def progress_by_activity(activities: Iterable[Activity], today: date) -> dict[int, Progress]:
    """The progress of each of ``activities`` (by id), reading their occurrences in one
    query."""
    rows = list(activities)
    found: dict[int, list[ActivityOccurrence]] = defaultdict(list)
    for occurrence in ActivityOccurrence.objects.filter(activity__in=[a.pk for a in rows]):
        found[occurrence.activity_id].append(occurrence)
    result = {}
    for activity in rows:
        states = [occurrence_state(o.held, o.end, today) for o in found[activity.pk]]
        upcoming = [
            o.end for o, s in zip(found[activity.pk], states, strict=True) if s is State.UPCOMING
        ]
        result[activity.pk] = Progress(
            activity_state(states),
            sum(1 for s in states if s is State.DONE),
            sum(1 for o in found[activity.pk] if o.held is not None),
            len(states),
            min(upcoming, default=None),
        )
    return result


@dataclass
class Money:
    planned: Decimal = Decimal(0)
    spent: Decimal = Decimal(0)


@dataclass
class BudgetTotals:
    """A plan's budget by source, in đồng, in the order of ``ActivityBudget.Source``."""

    by_source: dict[str, Money] = field(default_factory=dict)
    total: Money = field(default_factory=Money)

    def rows(self) -> list[tuple[str, Money]]:
        return [
            (str(label), self.by_source[value])
            for value, label in ActivityBudget.Source.choices
            if value in self.by_source
        ]


def budget_totals(plan: Plan) -> BudgetTotals:
    """The planned and spent amounts of ``plan``'s activities, added up by source."""
    totals = BudgetTotals()
    for line in ActivityBudget.objects.filter(activity__plan=plan):
        money = totals.by_source.setdefault(line.source, Money())
        money.planned += line.planned
        money.spent += line.spent
        totals.total.planned += line.planned
        totals.total.spent += line.spent
    return totals


# ------------------------------------------------------------------ counts as data values


@dataclass(frozen=True)
class MonthCounts:
    sessions: int = 0
    participants: int = 0
    clubs_running: int = 0
    trainees: int = 0


#: The data elements the results feed, for the level of the plan's unit: (code stem,
#: Vietnamese name, English name).  An element's data sets share one level
#: (``datasets.services.define``), so each level has its own codes.
ELEMENTS = (
    ("ACT_SESSIONS", "Số buổi hoạt động đã tổ chức", "Activity sessions held"),
    ("ACT_PARTICIPANTS", "Số lượt người tham dự hoạt động", "Participants in activities"),
    (
        "CLUBS_RUNNING",
        "Số câu lạc bộ, mô hình đang hoạt động trong tháng",
        "Clubs and models running in the month",
    ),
    ("TRAINEES", "Số lượt học viên được tập huấn", "Trainees"),
)
_SUFFIX = {"commune": "", "district": "_DISTRICT", "province": "_PROVINCE"}
_LEVEL_NAMES = {"commune": "cấp xã", "district": "cấp huyện", "province": "cấp tỉnh"}
DATA_SET = "ACTIVITY_RESULTS"


def definitions(level: str) -> dict[str, Any]:
    """The definition document (``datasets.services.define``) of the activity results
    reported by units of ``level``: ``ACTIVITY_RESULTS`` for communes, with
    ``ACT_SESSIONS``, ``ACT_PARTICIPANTS``, ``CLUBS_RUNNING`` and ``TRAINEES``;
    ``…_DISTRICT`` and ``…_PROVINCE`` for the other levels.  CLUBS_RUNNING counts the
    clubs running in a month: a quarter's figure is its last month's, not the sum."""
    suffix = _SUFFIX[level]
    return {
        "data_elements": [
            {
                "code": f"{code}{suffix}",
                "name": f"{name_vi} ({_LEVEL_NAMES[level]})",
                "name_en": name_en,
                "value_type": "number",
                "description": "Ghi từ kết quả các hoạt động của kế hoạch (biểu tiến độ).",
            }
            for code, name_vi, name_en in ELEMENTS
        ],
        "data_sets": [
            {
                "code": f"{DATA_SET}{suffix}",
                "name": f"Kết quả hoạt động của kế hoạch dân số ({_LEVEL_NAMES[level]})",
                "name_en": "Results of the plan's activities",
                "period_type": "month",
                "level": level,
                "elements": [f"{code}{suffix}" for code, _vi, _en in ELEMENTS],
            }
        ],
    }


def monthly_counts(plan: Plan, year: int) -> dict[int, MonthCounts]:
    """The results of ``plan``'s activities held in each month of ``year`` (1–12): the
    sessions, participants and trainees of the occurrences held that month (by the day
    held); the clubs running, for each club or model activity its last occurrence held
    that month, added over the activities."""
    sums: dict[int, dict[str, int]] = {
        m: {"sessions": 0, "participants": 0, "trainees": 0} for m in range(1, 13)
    }
    clubs: dict[tuple[int, int], ActivityOccurrence] = {}
    held = ActivityOccurrence.objects.filter(
        activity__plan=plan, held=True, held_on__year=year
    ).select_related("activity")
    for row in held.order_by("held_on", "pk"):
        assert row.held_on is not None
        month = row.held_on.month
        sums[month]["sessions"] += row.sessions
        sums[month]["participants"] += row.participants
        sums[month]["trainees"] += row.trainees
        if row.activity.kind == Activity.Kind.CLUB:
            clubs[(month, row.activity_id)] = row  # the month's last, by day held
    running: dict[int, int] = defaultdict(int)
    for (month, _activity), row in clubs.items():
        running[month] += row.clubs_running
    return {m: MonthCounts(clubs_running=running[m], **sums[m]) for m in range(1, 13)}


@dataclass(frozen=True)
class CountsWritten:
    months: list[str]
    saved: int
    unchanged: int


def _definitions_ensure(level: str, actor: Any) -> DataSet:
    """The data set of ``level``'s activity results, defined first if it is not yet.

    ``define`` lets only those who may edit the indicators define; these definitions are
    danso's own and fixed (the actor chooses nothing of them), so for an actor who may
    not define (a commune officer) they are made by the system actor, named as such in
    the history."""
    document = definitions(level)
    wanted = document["data_sets"][0]
    data_set = DataSet.objects.filter(
        code=wanted["code"], level=level, period_type=PeriodType.MONTH
    ).first()
    codes = set(wanted["elements"])
    if data_set is not None and codes <= {m.element.code for m in data_set.members.all()}:
        return data_set
    definer = (
        actor
        if actor_scope(actor, timezone.localdate()).allows_anywhere(Action.EDIT_INDICATORS)
        else SYSTEM
    )
    report = datasets.define(document, actor=definer, file_name="activities")
    if report.problems:
        raise ValidationError([p.message for p in report.problems])
    return DataSet.objects.get(code=wanted["code"])


def activity_counts_write(
    *, plan: Plan, year: int, actor: Any, today: date | None = None
) -> CountsWritten:
    """Write the monthly counts of ``plan``'s activities in ``year`` (``monthly_counts``)
    as data values of the plan's unit (``definitions``), for every month of the year
    that has begun by ``today`` and in which the unit stood, through
    ``datasets.services.write``; a value already written is rewritten with the results
    as they are now.  Raises ``PermissionDenied`` unless ``actor`` may edit the plan and
    submit the unit's reports, ``ValidationError`` for a year outside the plan's or a
    unit of a level without reports."""
    _may_edit(actor, plan)
    today = today or timezone.localdate()
    level = plan.unit.level
    if level not in _SUFFIX:
        raise ValidationError(_("Units of this level report no activity results."))
    if not plan.period_start <= year <= plan.period_end:
        raise ValidationError(_("%(year)s is not a year of the plan.") % {"year": year})
    data_set = _definitions_ensure(level, actor)
    elements = {
        e.code: e for e in DataElement.objects.filter(pk__in=data_set.members.values("element_id"))
    }
    suffix = _SUFFIX[level]
    counts = monthly_counts(plan, year)
    entries: list[datasets.Entry] = []
    months: list[str] = []
    for month in range(1, 13):
        period = Period.month_of(year, month)
        if period.start > today:
            break
        version = _version(plan.unit, period)
        if version is None:
            continue
        if not actor_scope(actor, period.end).allows(Action.SUBMIT_REPORTS, version):
            raise PermissionDenied(_("You may not enter the reports of this unit."))
        values = counts[month]
        for stem, number in (
            ("ACT_SESSIONS", values.sessions),
            ("ACT_PARTICIPANTS", values.participants),
            ("CLUBS_RUNNING", values.clubs_running),
            ("TRAINEES", values.trainees),
        ):
            entries.append(
                datasets.Entry(
                    data_set=data_set,
                    element=elements[f"{stem}{suffix}"],
                    version=version,
                    period=period,
                    option="",
                    number=Decimal(number),
                    text="",
                    reason=_("From the results of the activities of plan %(plan)s")
                    % {"plan": plan.number or plan.pk},
                )
            )
        months.append(str(period))
    saved, unchanged = datasets.write(entries, actor=actor)
    return CountsWritten(months, saved, unchanged)


def _version(unit: Unit, period: Period) -> UnitVersion | None:
    """The unit as it stood at the month's end, or at its start (closed during it)."""
    for day in (period.end, period.start):
        version = UnitVersion.objects.filter(valid_on(day), unit=unit).first()
        if version is not None:
            return version
    return None


# ------------------------------------------------------------------ the steering committee


def _may_plan(actor: Any, unit: Unit, on: date) -> UnitVersion:
    version = UnitVersion.objects.filter(valid_on(on), unit=unit).first()
    if version is None:
        raise ValidationError(
            _("%(unit)s does not exist on %(day)s.") % {"unit": str(unit), "day": f"{on:%d/%m/%Y}"}
        )
    if actor is None or not actor_scope(actor, on).allows(Action.EDIT_PLANS, version):
        raise PermissionDenied(_("You may not change the steering committee of this unit."))
    return version


@transaction.atomic
def committee_member_save(
    *,
    unit: Unit,
    year: int,
    on: date,
    actor: Any,
    member: CommitteeMember | None = None,
    name: str,
    position: str = "",
    agency: str = "",
    role: str = CommitteeMember.Role.MEMBER,
    order: int = 0,
    active: bool = True,
) -> CommitteeMember:
    """Add a member to ``unit``'s steering committee of ``year`` (``member`` None) or
    change one.  ``actor`` must plan at the unit as it stood on ``on``."""
    _may_plan(actor, unit, on)
    if member is not None and (member.unit_id, member.year) != (unit.pk, year):
        raise ValidationError(_("This member belongs to another committee."))
    problems = []
    if not name.strip():
        problems.append(_("A member needs a name."))
    if role not in CommitteeMember.Role.values:
        problems.append(_("Choose the member's role in the committee."))
    if not 2000 <= year <= 2100:
        problems.append(_("The year must be between 2000 and 2100."))
    if problems:
        raise ValidationError(problems)
    with acting_as(account_of(actor)):
        row = member or CommitteeMember(unit=unit, year=year)
        row.name, row.position, row.agency = name.strip(), position.strip(), agency.strip()
        row.role, row.order, row.active = role, order, active
        row.save()
    return row


@transaction.atomic
def committee_meeting_save(
    *,
    unit: Unit,
    actor: Any,
    meeting: CommitteeMeeting | None = None,
    held_on: date,
    chair: str,
    present: int = 0,
    absent: int = 0,
    attendance_note: str = "",
    decisions: str = "",
    today: date | None = None,
) -> CommitteeMeeting:
    """Record a meeting of ``unit``'s steering committee (``meeting`` None) or correct
    one.  ``actor`` must plan at the unit as it stood on the day of the meeting, which
    is not after ``today``."""
    _may_plan(actor, unit, held_on)
    if meeting is not None and meeting.unit_id != unit.pk:
        raise ValidationError(_("This meeting belongs to another committee."))
    problems = []
    if held_on > (today or timezone.localdate()):
        problems.append(_("The meeting is still to come: record it once it is held."))
    if not chair.strip():
        problems.append(_("Write who chaired the meeting."))
    if present < 0 or absent < 0:
        problems.append(_("A count cannot be negative."))
    if problems:
        raise ValidationError(problems)
    with acting_as(account_of(actor)):
        row = meeting or CommitteeMeeting(unit=unit)
        row.held_on, row.chair = held_on, chair.strip()
        row.present, row.absent = present, absent
        row.attendance_note, row.decisions = attendance_note.strip(), decisions.strip()
        if row.pk is None:
            row.recorded_by = account_of(actor)
        row.save()
    return row


@dataclass(frozen=True)
class Committee:
    members: list[CommitteeMember]
    meetings: list[CommitteeMeeting]


def committee_of(unit: Unit, year: int) -> Committee:
    """``unit``'s steering committee of ``year``: its members (active first, by role
    and order) and the meetings held that year, newest first.  Who may read it is decided
    by the caller (the unit's ``Action.VIEW``)."""
    roles = {value: index for index, value in enumerate(CommitteeMember.Role.values)}
    members = sorted(
        CommitteeMember.objects.filter(unit=unit, year=year),
        key=lambda m: (not m.active, roles.get(m.role, 99), m.order, m.pk),
    )
    meetings = list(CommitteeMeeting.objects.filter(unit=unit, held_on__year=year))
    return Committee(members, meetings)
