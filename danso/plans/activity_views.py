"""Screens of a plan's activities as work (issue 18, point 5): the schedule with each
activity's progress and budget, adding and changing an activity, the occurrences of an
activity and the phone form for one's results, writing the monthly counts as data
values, and a unit's steering committee with its members and meetings.

Reading the activities takes the whole plan (``Access.FULL``); changing them, as
changing the plan (``Access.EDIT``).  The committee is read with ``Action.VIEW`` on the
unit and changed with ``Action.EDIT_PLANS``, on the working date.  Writes go through
``plans.activities``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from danso.accounts.context import request_scope, working_date
from danso.params import id_param, year_param
from danso.plans import activities as work
from danso.plans.activity_forms import ActivityForm, MeetingForm, MemberForm, OccurrenceForm
from danso.plans.models import (
    Activity,
    ActivityOccurrence,
    CommitteeMeeting,
    CommitteeMember,
    Plan,
)
from danso.plans.recurrence import State, communication_day, occurrence_state
from danso.plans.selectors import Access, plan_access
from danso.units import selectors as units
from danso.units.models import UnitVersion
from danso.units.scope import Action


def _plan(request: HttpRequest, plan_id: int, needed: Access) -> tuple[Plan, Access]:
    plan = get_object_or_404(Plan.objects.select_related("unit"), pk=plan_id)
    access = plan_access(request.user, plan)
    if access < needed:
        raise PermissionDenied(_("This plan is outside the units you may see or change."))
    return plan, access


def _state_label(state: State | None) -> str:
    return str(work.STATE_LABELS[state]) if state is not None else ""


def activity_list(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The schedule: each activity with its kind, recurrence, progress and budget; the
    plan's budget by source; writing the month's counts as data values."""
    plan, access = _plan(request, plan_id, Access.FULL)
    today = timezone.localdate()
    activities = list(work.activities_of(plan))
    progress = work.progress_by_activity(activities, today)
    rows = [
        {
            "activity": a,
            "progress": progress[a.pk],
            "state": _state_label(progress[a.pk].state),
            "planned": sum(line.planned for line in a.budget_lines.all()),
            "spent": sum(line.spent for line in a.budget_lines.all()),
        }
        for a in activities
    ]
    return render(
        request,
        "plans/activities/list.html",
        {
            "nav": "plans",
            "plan": plan,
            "rows": rows,
            "can_edit": access is Access.EDIT,
            "budget": work.budget_totals(plan),
            "years": list(range(plan.period_start, plan.period_end + 1)),
            "counts_year": min(max(today.year, plan.period_start), plan.period_end),
        },
    )


def activity_edit(
    request: HttpRequest, plan_id: int, activity_id: int | None = None
) -> HttpResponse:
    """Add an activity to the schedule, or change one, with its budget lines."""
    plan, _access = _plan(request, plan_id, Access.EDIT)
    activity = get_object_or_404(Activity, pk=activity_id, plan=plan) if activity_id else None
    initial = ActivityForm.initial_for(activity) if activity else {}
    form = ActivityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = work.activity_save(
                plan=plan,
                actor=request.user,
                activity=activity,
                name=data["name"],
                kind=data["kind"],
                repeats=data["repeats"],
                communication_days=data["communication_days"],
                start=data["start"],
                end=data["end"],
                group=data["group"],
                number=data["number"],
                window=data["window"],
                lead=data["lead"],
                coordinating=data["coordinating"],
                budget=form.budget(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The activity was saved."))
            return redirect("plans:activity_results", plan.pk, saved.pk)
    return render(
        request,
        "plans/activities/form.html",
        {
            "nav": "plans",
            "plan": plan,
            "activity": activity,
            "form": form,
            "title": _("Change the activity") if activity else _("Add an activity"),
        },
    )


def activity_results(request: HttpRequest, plan_id: int, activity_id: int) -> HttpResponse:
    """An activity's occurrences, each with its state and results."""
    plan, access = _plan(request, plan_id, Access.FULL)
    activity = get_object_or_404(Activity, pk=activity_id, plan=plan)
    today = timezone.localdate()
    occurrences = list(activity.occurrences.select_related("recorded_by").order_by("start"))
    rows = []
    for row in occurrences:
        state = occurrence_state(row.held, row.end, today)
        day = communication_day(row.day_key) if row.day_key else None
        rows.append(
            {
                "occurrence": row,
                "state": state.value,
                "state_label": _state_label(state),
                "day": day.name_vi if day else "",
            }
        )
    progress = work.progress_by_activity([activity], today)[activity.pk]
    return render(
        request,
        "plans/activities/results.html",
        {
            "nav": "plans",
            "plan": plan,
            "activity": activity,
            "rows": rows,
            "progress": progress,
            "state": _state_label(progress.state),
            "can_edit": access is Access.EDIT,
            "budget": list(activity.budget_lines.all()),
        },
    )


def occurrence_record(
    request: HttpRequest, plan_id: int, activity_id: int, occurrence_id: int
) -> HttpResponse:
    """The phone form of one occurrence's results."""
    plan, _access = _plan(request, plan_id, Access.EDIT)
    activity = get_object_or_404(Activity, pk=activity_id, plan=plan)
    occurrence = get_object_or_404(ActivityOccurrence, pk=occurrence_id, activity=activity)
    form = OccurrenceForm(
        request.POST or None, initial=OccurrenceForm.initial_for(occurrence), kind=activity.kind
    )
    if request.method == "POST" and form.is_valid():
        try:
            work.occurrence_record(
                occurrence=occurrence,
                actor=request.user,
                held=form.cleaned_data["held"] == "yes",
                held_on=form.cleaned_data["held_on"],
                counts=form.counts(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The results were recorded."))
            return redirect("plans:activity_results", plan.pk, activity.pk)
    day = communication_day(occurrence.day_key) if occurrence.day_key else None
    return render(
        request,
        "plans/activities/record.html",
        {
            "nav": "plans",
            "plan": plan,
            "activity": activity,
            "occurrence": occurrence,
            "day": day.name_vi if day else "",
            "form": form,
        },
    )


@require_POST
def activity_counts(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Write the monthly counts of the plan's activities of a year as the unit's data
    values (``activities.activity_counts_write``)."""
    plan, _access = _plan(request, plan_id, Access.EDIT)
    raw = request.POST.get("year", "")
    year = int(raw) if year_param(raw) is not None else plan.period_start
    try:
        written = work.activity_counts_write(plan=plan, year=year, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "The counts of %(months)d months were written as data values: %(saved)d "
                "saved, %(unchanged)d unchanged."
            )
            % {
                "months": len(written.months),
                "saved": written.saved,
                "unchanged": written.unchanged,
            },
        )
    return redirect("plans:activities", plan.pk)


# ------------------------------------------------------------------ the steering committee


def _committee_unit(request: HttpRequest, action: Action) -> UnitVersion:
    """The unit of the committee: ?unit=ID, else the reader's first unit (above the
    villages) where they may do ``action``; on the working date."""
    scope = request_scope(request)
    raw = request.GET.get("unit")
    if id_param(raw) is not None:
        try:
            return units.unit_on(int(str(raw)), scope, action)
        except (units.UnitNotFound, units.UnitOutOfScope) as error:
            raise PermissionDenied(str(error)) from error
    for root in units.scope_roots(scope):
        if scope.allows(action, root) and root.unit.level not in ("country", "village"):
            return root
    raise PermissionDenied(_("You may not see a steering committee."))


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year") or request.POST.get("year")
    return int(str(raw)) if year_param(raw) is not None else working_date(request).year


def committee(request: HttpRequest) -> HttpResponse:
    """A unit's steering committee of a year: its members and meetings; adding a member
    or recording a meeting (POST ``action`` = ``member`` or ``meeting``)."""
    version = _committee_unit(request, Action.VIEW)
    year = _year(request)
    scope = request_scope(request)
    can_edit = scope.allows(Action.EDIT_PLANS, version)
    action = request.POST.get("action") if request.method == "POST" else None
    member_form = MemberForm(request.POST if action == "member" else None, prefix="member")
    meeting_form = MeetingForm(request.POST if action == "meeting" else None, prefix="meeting")
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("You may not change the steering committee of this unit."))
        saved = _committee_post(request, version, year, action, member_form, meeting_form)
        if saved:
            return redirect(f"{request.path}?unit={version.unit_id}&year={year}")
    found = work.committee_of(version.unit, year)
    return render(
        request,
        "plans/activities/committee.html",
        {
            "nav": "plans",
            "version": version,
            "year": year,
            "committee": found,
            "can_edit": can_edit,
            "member_form": member_form,
            "meeting_form": meeting_form,
        },
    )


def _committee_post(
    request: HttpRequest,
    version: UnitVersion,
    year: int,
    action: str | None,
    member_form: MemberForm,
    meeting_form: MeetingForm,
) -> bool:
    try:
        if action == "member" and member_form.is_valid():
            data = member_form.cleaned_data
            work.committee_member_save(
                unit=version.unit,
                year=year,
                on=request_scope(request).on,
                actor=request.user,
                name=data["name"],
                position=data["position"],
                agency=data["agency"],
                role=data["role"],
                order=data["order"] or 0,
                active=data["active"],
            )
            messages.success(request, _("The member was added."))
            return True
        if action == "meeting" and meeting_form.is_valid():
            data = meeting_form.cleaned_data
            work.committee_meeting_save(
                unit=version.unit,
                actor=request.user,
                held_on=data["held_on"],
                chair=data["chair"],
                present=data["present"] or 0,
                absent=data["absent"] or 0,
                attendance_note=data["attendance_note"],
                decisions=data["decisions"],
            )
            messages.success(request, _("The meeting was recorded."))
            return True
    except ValidationError as error:
        (member_form if action == "member" else meeting_form).add_error(None, error)
    return False


def _committee_row_unit(request: HttpRequest, unit_id: int) -> UnitVersion:
    try:
        return units.unit_on(unit_id, request_scope(request), Action.EDIT_PLANS)
    except (units.UnitNotFound, units.UnitOutOfScope) as error:
        raise PermissionDenied(str(error)) from error


def committee_member(request: HttpRequest, member_id: int) -> HttpResponse:
    """Change a member of a steering committee (or mark them no longer active)."""
    member = get_object_or_404(CommitteeMember, pk=member_id)
    version = _committee_row_unit(request, member.unit_id)
    initial: dict[str, Any] = {
        "name": member.name,
        "position": member.position,
        "agency": member.agency,
        "role": member.role,
        "order": member.order,
        "active": member.active,
    }
    form = MemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            work.committee_member_save(
                unit=version.unit,
                year=member.year,
                on=request_scope(request).on,
                actor=request.user,
                member=member,
                name=data["name"],
                position=data["position"],
                agency=data["agency"],
                role=data["role"],
                order=data["order"] or 0,
                active=data["active"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return _back_to_committee(version, member.year)
    return _committee_form(request, version, member.year, form, _("Member of the committee"))


def committee_meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Correct the record of a steering committee meeting."""
    meeting = get_object_or_404(CommitteeMeeting, pk=meeting_id)
    version = _committee_row_unit(request, meeting.unit_id)
    initial: dict[str, Any] = {
        "held_on": meeting.held_on,
        "chair": meeting.chair,
        "present": meeting.present,
        "absent": meeting.absent,
        "attendance_note": meeting.attendance_note,
        "decisions": meeting.decisions,
    }
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            work.committee_meeting_save(
                unit=version.unit,
                actor=request.user,
                meeting=meeting,
                held_on=data["held_on"],
                chair=data["chair"],
                present=data["present"] or 0,
                absent=data["absent"] or 0,
                attendance_note=data["attendance_note"],
                decisions=data["decisions"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return _back_to_committee(version, meeting.held_on.year)
    return _committee_form(
        request, version, meeting.held_on.year, form, _("Meeting of the committee")
    )


def _back_to_committee(version: UnitVersion, year: int) -> HttpResponse:
    return redirect(f"{reverse('plans:committee')}?unit={version.unit_id}&year={year}")


def _committee_form(
    request: HttpRequest, version: UnitVersion, year: int, form: Any, title: str
) -> HttpResponse:
    return render(
        request,
        "plans/activities/committee_form.html",
        {"nav": "plans", "version": version, "year": year, "form": form, "title": title},
    )
