"""Screens of the monthly collection (phiếu thu tin P0/CTV): a village's month, its events
recorded and checked as they are typed, the commune's review, and an event's page with
its amendments.

The lookups, the privacy rules they follow and the logging of reads are those of
``register.views``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from danso.accounts.context import request_scope, working_date
from danso.register import corrections, flagging, privacy, services
from danso.register.forms import AmendForm, EventForm
from danso.register.models import (
    EVENT_LABELS,
    BookClosure,
    Collection,
    Event,
    Flag,
    Membership,
    Person,
)
from danso.register.rules import completed_years, errors, warnings
from danso.register.sheet import month_end
from danso.register.views import _household, _person, _sights, _unit
from danso.register.vocabulary import EventType, Sex
from danso.units import selectors as units
from danso.units.codes import Level
from danso.units.models import UnitVersion
from danso.units.scope import Action

#: The event types a collaborator records in the monthly form, in the order of P0/CTV.
FORM_EVENTS = (
    EventType.BIRTH,
    EventType.DEATH,
    EventType.MOVE_IN,
    EventType.MOVE_OUT,
    EventType.MOVE_WITHIN,
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


def _month(text: str) -> date:
    try:
        year, month = (int(x) for x in text.split("-"))
        return date(year, month, 1)
    except ValueError as error:
        raise Http404 from error


def collection(request: HttpRequest, unit_id: int, month: str) -> HttpResponse:
    """The monthly collection (phiếu thu tin P0/CTV) of a village: the month's events,
    recorded a few taps each, then handed in."""
    version = _unit(request, unit_id, Action.EDIT_REGISTER)
    first = _month(month)
    # A GET never writes: the month's row is made by its first event or its hand-in.
    row = (
        services.collection_open(unit=version.unit, month=first)
        if request.method == "POST"
        else Collection.objects.filter(unit=version.unit, month=first).first()
        or Collection(unit=version.unit, month=first)
    )
    form = EventForm(
        request.POST or None,
        initial={
            "event_date": timezone.localdate()
            if first.month == timezone.localdate().month
            else first
        },
    )
    kind = request.POST.get("event_type") or request.GET.get("type") or EventType.BIRTH
    sights = _sights(request)
    if request.method == "POST" and request.POST.get("action") == "hand_in":
        services.collection_hand_in(collection=row, user=request.user)
        messages.success(request, _("The month was handed in to the commune."))
        return redirect(request.path)
    if request.method == "POST" and form.is_valid():
        if row.status == Collection.Status.ACCEPTED:
            raise PermissionDenied(_("This month is accepted; ask the commune to reopen it."))
        try:
            with transaction.atomic():  # a newcomer and their move-in are one record
                person, data = _event_input(request, form.cleaned_data, version)
                event = services.event_record(
                    person=person, data=data, user=request.user, collection=row
                )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(event)s recorded.")
                % {"event": EVENT_LABELS[EventType(form.cleaned_data["event_type"])]},
            )
            for flag in event.flags.filter(kind=Flag.Kind.RULE).order_by("pk"):
                messages.warning(
                    request,
                    _("To check: %(message)s") % {"message": flagging.flag_message(flag)},
                )
            return redirect(f"{request.path}?type={kind}")
    people = _eligible(_people(request, version, first, sights), kind)
    events = [
        (event, sights.show(event.person), sights.show(event.child) if event.child else None)
        for event in (
            row.events.select_related("person", "child").order_by("-event_date", "-pk")
            if row.pk
            else []
        )
    ]
    sights.log(where=privacy.Where.COLLECTION, path=request.get_full_path())
    return render(
        request,
        "register/collection.html",
        {
            "nav": "register",
            "version": version,
            "collection": row,
            "form": form,
            "kind": kind,
            "kinds": [(k.value, EVENT_LABELS[k]) for k in FORM_EVENTS],
            "people": people,
            "households": privacy.households_visible(
                request_scope(request), request.user, Action.EDIT_REGISTER
            )
            .filter(unit_id=version.unit_id)
            .order_by("number")[:500],
            "events": events,
            "month": first,
            "full": privacy.unit_sight(request_scope(request), version) is privacy.Sight.FULL,
        },
    )


def _people(
    request: HttpRequest, version: UnitVersion, month: date, sights: privacy.Sights
) -> list[dict[str, Any]]:
    """The persons of the village's households this month whose record the reader may
    change, for the form's choices, with their age at the end of the month (the month's
    events happen by then); names as the reader may see them."""
    on = month_end(month)
    changeable = privacy.persons_visible(
        request_scope(request), request.user, Action.EDIT_REGISTER
    ).values("pk")
    stays = (
        Membership.objects.filter(household__unit_id=version.unit_id, person_id__in=changeable)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=month))
        .select_related("person", "household")
    )
    people = []
    for stay in stays.order_by("household__number", "person__birth_date"):
        person = stay.person
        people.append(
            {
                "id": person.pk,
                "name": sights.show(person).name,
                "sex": person.sex,
                "age": completed_years(person.birth_date, on),
                "household": str(stay.household),
            }
        )
    return people


def _eligible(people: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """The persons an event of ``kind`` can happen to, so that the list stays short."""
    women = kind in (
        EventType.BIRTH,
        EventType.PREGNANCY,
        EventType.PRENATAL_SCREENING,
        EventType.CONTRACEPTION_START,
        EventType.CONTRACEPTION_STOP,
    )
    if women:
        return [p for p in people if p["sex"] == Sex.FEMALE and 10 <= p["age"] <= 60]
    if kind == EventType.ELDERLY_CHECKUP:
        return [p for p in people if p["age"] >= 60]
    if kind == EventType.NEWBORN_SCREENING:
        return [p for p in people if p["age"] < 1]
    if kind in (EventType.MARRIAGE, EventType.PREMARITAL_CHECK):
        return [p for p in people if p["age"] >= 16]
    return people


def _event_input(
    request: HttpRequest, data: dict[str, Any], version: UnitVersion
) -> tuple[Person, services.EventInput]:
    kind = EventType(data["event_type"])
    if kind is EventType.MOVE_IN:
        household = _household(request, data.get("household") or 0, Action.EDIT_REGISTER)
        if not (data.get("new_name") and data.get("new_sex") and data.get("new_birth_date")):
            raise ValidationError(
                {"new_name": [_("Give the newcomer's name, sex and date of birth.")]}
            )
        # The newcomer's stay in the household is opened by the move-in event itself.
        person = services.person_new(
            registered_on=data["event_date"],
            data=services.PersonInput(data["new_name"], data["new_sex"], data["new_birth_date"]),
        )
        return person, services.EventInput(
            kind,
            data["event_date"],
            note=data["note"],
            household=household,
            from_place=data["from_place"],
        )
    person = _person(request, data.get("person") or 0, Action.EDIT_REGISTER)
    to_household = None
    if kind is EventType.MOVE_WITHIN:
        to_household = _household(request, data.get("to_household") or 0, Action.EDIT_REGISTER)
    child = None
    if kind is EventType.BIRTH:
        child = services.PersonInput(
            data["child_name"] or _("(not named yet)"),
            data["child_sex"] or "",
            data["event_date"],
            relation="con",
        )
    return person, services.EventInput(
        kind,
        data["event_date"],
        note=data["note"],
        child=child,
        birth_order=data["birth_order"],
        place=data["place"],
        to_place=data["to_place"],
        to_household=to_household,
        method=data["method"],
        supply=data["supply"],
        new_acceptor=data["new_acceptor"] if kind is EventType.CONTRACEPTION_START else None,
        expected_date=data["expected_date"],
    )


def event_check(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The rules, applied while the form is filled in (htmx): the problems, or nothing."""
    _unit(request, unit_id, Action.EDIT_REGISTER)
    form = EventForm(request.POST or None)
    problems: list[str] = []
    doubts: list[str] = []
    if form.is_valid() and form.cleaned_data.get("person"):
        # Only a person whose record the reader may change is checked: the rules' answers
        # would tell a stranger's sex, age or death (404 for anyone else).
        person = _person(request, form.cleaned_data["person"], Action.EDIT_REGISTER)
        kind = EventType(form.cleaned_data["event_type"])
        if person is not None:
            found = services.event_checks(
                person=person,
                event_type=kind,
                event_date=form.cleaned_data["event_date"],
                birth_order=form.cleaned_data.get("birth_order"),
                method=form.cleaned_data.get("method") or "",
            )
            problems = [m for f in errors(found) for m in services.worded([f])[f.column]]
            doubts = [m for f in warnings(found) for m in services.worded([f])[f.column]]
    elif form.errors:
        problems = [
            f"{form.fields[f].label}: {' '.join(str(m) for m in e)}"
            for f, e in form.errors.items()
            if f in form.fields and f in ("event_date", "birth_order")
        ]
    return render(request, "register/_problems.html", {"problems": problems, "doubts": doubts})


def collections_review(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The commune officer's view of a month: which villages handed in; accept or return."""
    commune = _unit(request, unit_id, Action.ACCEPT_COLLECTION)
    month = _month(request.GET.get("month") or f"{working_date(request):%Y-%m}")
    scope = request_scope(request)
    villages = list(units.children_on(commune, scope).filter(unit__level=Level.VILLAGE))
    places = [commune, *villages]
    rows = {
        c.unit_id: c
        for c in Collection.objects.filter(unit_id__in=[v.unit_id for v in places], month=month)
        .select_related("handed_in_by", "accepted_by")
        .annotate(n=Count("events"))
    }
    if request.method == "POST":
        target = get_object_or_404(
            Collection, pk=request.POST.get("collection"), unit_id__in=[v.unit_id for v in places]
        )
        try:
            if request.POST.get("action") == "accept":
                services.collection_accept(collection=target, user=request.user)
                messages.success(request, _("The month was accepted."))
            else:
                services.collection_return(
                    collection=target, user=request.user, note=request.POST.get("note", "")
                )
                messages.success(request, _("The month was sent back."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(f"{request.path}?month={month:%Y-%m}")
    return render(
        request,
        "register/review.html",
        {
            "nav": "register",
            "commune": commune,
            "places": places,
            "rows": rows,
            "month": month,
        },
    )


def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    """An event, its amendments and changes; an amendment when its year's book is closed.
    Its person is shown as the reader may see them, and a logged read is logged."""
    event = get_object_or_404(Event.objects.select_related("person", "child"), pk=event_id)
    scope = request_scope(request)
    if not privacy.event_reached(scope, event, request.user):
        raise Http404(_("No such event in your units."))
    closed = BookClosure.objects.filter(
        year=event.event_date.year, unit_id__in=[int(i) for i in event.path.split(".") if i]
    ).exists()
    form = AmendForm(request.POST or None, initial={"note": event.note})
    if request.method == "POST":
        if not privacy.person_allows(scope, event.person, Action.EDIT_REGISTER, request.user):
            raise PermissionDenied(_("You may not change this record."))
        if form.is_valid():
            try:  # a correction of the note (register.corrections): an amendment if closed
                services.event_amend(
                    event=event,
                    note=form.cleaned_data["note"],
                    reason=form.cleaned_data["reason"],
                    user=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The amendment was recorded."))
                return redirect(reverse("register:event", args=[event.pk]))
    sights = _sights(request)
    who = sights.show(event.person)
    child = sights.show(event.child) if event.child else None
    sights.log(where=privacy.Where.EVENT_PAGE, path=request.get_full_path())
    return render(
        request,
        "register/event.html",
        {
            "nav": "register",
            "event": event,
            "who": who,
            "child": child,
            "note": event.note if who.sight.full else "",
            "closed": closed,
            "can_edit": privacy.person_allows(
                scope, event.person, Action.EDIT_REGISTER, request.user
            ),
            # a closed year is amended by the commune officer (register.corrections)
            "can_amend": privacy.person_allows(
                scope, event.person, Action.ACCEPT_COLLECTION, request.user
            ),
            "form": form,
            "trail": corrections.event_trail(event, full=who.sight.full),
            "history": event.history.select_related("history_user").order_by("-history_date")[:20],
        },
    )
