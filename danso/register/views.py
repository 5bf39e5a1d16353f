"""Screens of the register: the household book, the monthly collection, persons.

Every read goes through the reader's scope (``accounts.context.request_scope``) and
``register.privacy``: a household, person or event the reader does not reach is 404; a
person is printed as ``privacy.Sights`` shows them (whole to the keepers of the book,
masked above the commune, whole again for a stated reason), and every page that shows
persons at a logged sight ends by logging them.  Every write goes through
``register.services``.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from danso.accounts.context import request_scope, unit_in_scope, working_date
from danso.params import year_param
from danso.register import privacy, selectors, services
from danso.register.duplicates import duplicate_candidates, person_merge
from danso.register.exporting import register_export
from danso.register.forms import AmendForm, EventForm, HouseholdForm, PersonForm
from danso.register.jobs import import_start, job_progress
from danso.register.models import (
    EVENT_LABELS,
    METHOD_LABELS,
    BookClosure,
    Collection,
    Event,
    Household,
    ImportJob,
    Membership,
    Person,
)
from danso.register.rules import completed_years
from danso.register.search import Match, person_search
from danso.register.sheet import MethodChange, method_by_month, month_end, months_back
from danso.register.vocabulary import EventType, Sex
from danso.spreadsheets import LimitError
from danso.units import selectors as units
from danso.units.codes import Level
from danso.units.models import UnitVersion
from danso.units.scope import Action
from danso.uploads import Kind, check_upload, limit_message

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


def _unit(request: HttpRequest, unit_id: int, action: Action = Action.VIEW_RECORDS) -> UnitVersion:
    version = unit_in_scope(unit_id, request_scope(request), action)
    if version.unit.level not in (Level.COMMUNE, Level.VILLAGE):
        raise Http404
    return version


def _household(
    request: HttpRequest, household_id: int, action: Action = Action.VIEW_RECORDS
) -> Household:
    """The household, if the reader reaches it (404 otherwise: its existence is not
    theirs to know) and may do ``action`` on it (403)."""
    household = get_object_or_404(Household, pk=household_id)
    scope = request_scope(request)
    if not privacy.household_allows(scope, household, Action.VIEW_RECORDS, request.user):
        raise Http404(_("No such household in your units."))
    if not privacy.household_allows(scope, household, action, request.user):
        raise PermissionDenied(_("You may not change this household."))
    return household


def _person(request: HttpRequest, person_id: int, action: Action = Action.VIEW_RECORDS) -> Person:
    """The person, if the reader reaches them (404) and may do ``action`` (403)."""
    person = get_object_or_404(Person, pk=person_id)
    scope = request_scope(request)
    if not privacy.person_allows(scope, person, Action.VIEW_RECORDS, request.user):
        raise Http404(_("No such person in your units."))
    if not privacy.person_allows(scope, person, action, request.user):
        raise PermissionDenied(_("You may not change this person's record."))
    return person


def _sights(request: HttpRequest) -> privacy.Sights:
    """The reader's sight on persons, with the full records they opened for a reason."""
    return privacy.Sights(
        request_scope(request), request.user, privacy.revealed_in(request.session)
    )


#: Books a page of the register's home page lists (a province reaches tens of thousands).
BOOKS_PAGE = 100
#: Households a page of a unit's list shows.
HOUSEHOLDS_PAGE = 200


def register_home(request: HttpRequest) -> HttpResponse:
    """The books one keeps or looks after: communes and villages with their households."""
    scope = request_scope(request)
    if not scope.allows_anywhere(Action.VIEW_RECORDS):
        raise PermissionDenied(_("Your role does not read person-level records."))
    every = UnitVersion.objects.filter(
        pk__in=units.visible_versions(scope, Action.VIEW_RECORDS)
        .filter(unit__level__in=[Level.COMMUNE, Level.VILLAGE])
        .values("pk")
    )
    page = Paginator(every.select_related("unit").order_by("path"), BOOKS_PAGE).get_page(
        request.GET.get("page")
    )
    books = list(page.object_list)
    counts = dict(
        Household.objects.filter(unit_id__in=[v.unit_id for v in books])
        .values_list("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    month = services.month_start(working_date(request))
    collections = {
        c.unit_id: c
        for c in Collection.objects.filter(unit_id__in=[v.unit_id for v in books], month=month)
    }
    return render(
        request,
        "register/home.html",
        {
            "nav": "register",
            "books": books,
            "page": page,
            "counts": counts,
            "month": month,
            "collections": collections,
            "can_accept": scope.allows_anywhere(Action.ACCEPT_COLLECTION),
        },
    )


def unit_households(request: HttpRequest, unit_id: int) -> HttpResponse:
    version = _unit(request, unit_id)
    scope = request_scope(request)
    on = working_date(request)
    households = (
        privacy.households_visible(scope, request.user)
        .filter(Q(unit_id=version.unit_id) | Q(unit__versions__parent_id=version.unit_id))
        .distinct()
        .order_by("number", "pk")
    )
    sights = _sights(request)
    page = Paginator(households, HOUSEHOLDS_PAGE).get_page(request.GET.get("page"))
    shown_households = list(page.object_list)
    heads = {
        m.household_id: sights.show(m.person)
        for m in Membership.objects.filter(
            household__in=shown_households, relation="chu_ho", valid_to__isnull=True
        ).select_related("person")
    }
    sights.log(where=privacy.Where.HOUSEHOLD_LIST, path=request.get_full_path())
    sizes = dict(
        Membership.objects.filter(household__in=shown_households, valid_to__isnull=True)
        .values_list("household_id")
        .annotate(n=Count("pk"))
        .values_list("household_id", "n")
    )
    return render(
        request,
        "register/households.html",
        {
            "nav": "register",
            "version": version,
            "households": shown_households,
            "page": page,
            "heads": heads,
            "sizes": sizes,
            "sight": privacy.unit_sight(scope, version),
            "can_export": scope.allows(Action.VIEW_PERSONS, version),
            "can_see_log": scope.allows(Action.VIEW_ACCESS_LOG, version),
            "on": on,
            "can_edit": scope.allows(Action.EDIT_REGISTER, version),
            "ancestors": units.ancestors(version),
        },
    )


def household_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    version = _unit(request, unit_id, Action.EDIT_REGISTER)
    form = HouseholdForm(request.POST or None, initial={"since": working_date(request)})
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(unit=version.unit, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("register:household", household.pk)
    return render(
        request,
        "register/form.html",
        {
            "nav": "register",
            "form": form,
            "title": _("New household in %(unit)s") % {"unit": version.name},
        },
    )


def household_detail(request: HttpRequest, household_id: int) -> HttpResponse:
    """The household sheet (phiếu hộ A0/CTV): members, the contraceptive grid of the
    women of reproductive age, the changes."""
    household = _household(request, household_id)
    scope = request_scope(request)
    on = working_date(request)
    members = list(selectors.members_on(household, on))
    sights = _sights(request)
    sights.prime(m.person_id for m in members)
    full = privacy.household_allows(scope, household, Action.VIEW_PERSONS, request.user)
    women = [
        m.person
        for m in members
        if m.person.sex == Sex.FEMALE and 15 <= completed_years(m.person.birth_date, on) <= 49
    ]
    months = months_back(on, 12)
    changes = Event.objects.filter(
        person__in=women,
        event_type__in=[EventType.CONTRACEPTION_START, EventType.CONTRACEPTION_STOP],
    ).values_list("person_id", "event_date", "event_type", "method")
    by_woman: dict[int, list[MethodChange]] = {}
    for person_id, day, kind, method in changes:
        by_woman.setdefault(person_id, []).append(
            MethodChange(day, kind == EventType.CONTRACEPTION_START, method)
        )
    grid = [(sights.show(w), method_by_month(by_woman.get(w.pk, []), months)) for w in women]
    events = [
        (event, sights.show(event.person))
        for event in privacy.events_visible(scope, request.user)
        .filter(person__memberships__household=household)
        .distinct()
        .select_related("person")
        .order_by("-event_date")[:100]
    ]
    rows = [(member, sights.show(member.person)) for member in members]
    history = _household_history(household, sights) if full else []
    sights.log(where=privacy.Where.HOUSEHOLD_PAGE, path=request.get_full_path())
    return render(
        request,
        "register/household.html",
        {
            "nav": "register",
            "household": household,
            "members": rows,
            "full": full,
            "grid": grid,
            "months": months,
            "events": events,
            "on": on,
            "method_labels": {str(k): v for k, v in METHOD_LABELS.items()},
            "can_edit": privacy.household_allows(
                scope, household, Action.EDIT_REGISTER, request.user
            ),
            "version": units.versions_on(on).filter(unit_id=household.unit_id).first(),
            "history": history,
        },
    )


def _household_history(
    household: Household, sights: privacy.Sights, limit: int = 30
) -> list[tuple[Any, str]]:
    """The audit trail of a household: its own record and its members' stays, latest
    first, each with what it is about (a member who left is named as the reader may see
    them: by initials, once out of the reader's reach)."""
    own = household.history.select_related("history_user").order_by("-history_date")[:limit]
    stays = (
        Membership.history.filter(household_id=household.pk)
        .select_related("history_user", "person")
        .order_by("-history_date")[:limit]
    )
    rows: list[tuple[Any, str]] = [(h, str(_("Household"))) for h in own]
    rows += [(h, _("Member: %(name)s") % {"name": sights.show(h.person).name}) for h in stays]
    rows.sort(key=lambda row: row[0].history_date, reverse=True)
    return rows[:limit]


def person_add(request: HttpRequest, household_id: int) -> HttpResponse:
    household = _household(request, household_id, Action.EDIT_REGISTER)
    form = PersonForm(request.POST or None, initial={"registered_on": working_date(request)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        registered_on = data.pop("registered_on")
        try:
            services.person_add(
                household=household, registered_on=registered_on, data=services.PersonInput(**data)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("register:household", household.pk)
    return render(
        request,
        "register/form.html",
        {
            "nav": "register",
            "form": form,
            "title": _("Add a member to household %(n)s") % {"n": household},
        },
    )


def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    """A person: identity, stays, events, and the record's changes.  Above the commune
    the record is masked and the read logged; a stated reason opens it whole
    (``person_reveal``), logged with the reason."""
    person = _person(request, person_id)
    scope = request_scope(request)
    sights = _sights(request)
    me = sights.show(person)
    events = [
        (event, sights.show(event.child) if event.child_id and event.child else None)
        for event in selectors.events_of(person).select_related("person", "child")
    ]
    sights.log(where=privacy.Where.PERSON_PAGE, path=request.get_full_path())
    keeper = me.sight is privacy.Sight.FULL
    return render(
        request,
        "register/person.html",
        {
            "nav": "register",
            "person": person,
            "me": me,
            "may_reveal": sights.may_reveal(person),
            "reason_min": privacy.REASON_MIN_LENGTH,
            "reveal_minutes": privacy.REVEAL_MINUTES,
            "stays": person.memberships.select_related("household").order_by("valid_from"),
            "events": events,
            "history": person.history.select_related("history_user").order_by("-history_date")[:20]
            if keeper
            else [],
            "accesses": privacy.access_log_for_person(person)[:20]
            if scope.allows_anywhere(Action.VIEW_ACCESS_LOG)
            and privacy.person_allows(scope, person, Action.VIEW_ACCESS_LOG, request.user)
            else [],
            "can_export": me.sight.full,
            "age": completed_years(person.birth_date, working_date(request)),
        },
    )


def person_reveal(request: HttpRequest, person_id: int) -> HttpResponse:
    """Open one person's full record for a stated reason (POST): logged with the reason,
    open for ``privacy.REVEAL_MINUTES`` in this session."""
    person = _person(request, person_id)
    if request.method != "POST":
        return redirect("register:person", person.pk)
    sights = _sights(request)
    if not sights.may_reveal(person):
        raise PermissionDenied(_("You may not open this person's full record."))
    reason = request.POST.get("reason", "").strip()
    problem = privacy.reason_problem(reason)
    if problem:
        messages.error(request, problem)
        return redirect("register:person", person.pk)
    # The person page that follows logs the read of the whole record, with the reason.
    privacy.reveal_open(request.session, person.pk, reason)
    return redirect("register:person", person.pk)


# ---------------------------------------------------------------- the monthly collection


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
                services.event_record(person=person, data=data, user=request.user, collection=row)
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
    if form.is_valid() and form.cleaned_data.get("person"):
        # Only a person whose record the reader may change is checked: the rules' answers
        # would tell a stranger's sex, age or death (404 for anyone else).
        person = _person(request, form.cleaned_data["person"], Action.EDIT_REGISTER)
        kind = EventType(form.cleaned_data["event_type"])
        if person is not None:
            problems = services.event_problems(
                person=person,
                event_type=kind,
                event_date=form.cleaned_data["event_date"],
                birth_order=form.cleaned_data.get("birth_order"),
            )
    elif form.errors:
        problems = [
            f"{form.fields[f].label}: {' '.join(str(m) for m in e)}"
            for f, e in form.errors.items()
            if f in form.fields and f in ("event_date", "birth_order")
        ]
    return render(request, "register/_problems.html", {"problems": problems})


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


def book_close(request: HttpRequest, unit_id: int) -> HttpResponse:
    commune = _unit(request, unit_id, Action.ACCEPT_COLLECTION)
    if request.method == "POST":
        try:
            services.book_close(
                commune=commune.unit,
                year=year_param(request.POST.get("year")) or 0,
                user=request.user,
            )
            messages.success(request, _("The book is closed for that year."))
        except (ValidationError, ValueError) as error:
            messages.error(request, str(error))
        return redirect(request.path)
    return render(
        request,
        "register/close.html",
        {
            "nav": "register",
            "commune": commune,
            "closures": BookClosure.objects.filter(unit=commune.unit).select_related("closed_by"),
            "year": timezone.localdate().year - 1,
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
            services.event_amend(
                event=event,
                note=form.cleaned_data["note"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
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
            "form": form,
            "amendments": event.amendments.select_related("made_by") if who.sight.full else [],
            "history": event.history.select_related("history_user").order_by("-history_date")[:20],
        },
    )


MATCH_LABELS = {
    Match.EXACT: _lazy("the whole name"),
    Match.PARTIAL: _lazy("part of the name"),
    Match.TYPO: _lazy("a name close to it"),
    Match.ID_NUMBER: _lazy("the ID number"),
    Match.ID_NUMBER_END: _lazy("the end of the ID number"),
    Match.HOUSEHOLD: _lazy("the household"),
    Match.FILTER: _lazy("the year of birth"),
}


def search(request: HttpRequest) -> HttpResponse:
    """Persons by name (accents optional, typos tolerated), birth year, household or ID."""
    scope = request_scope(request)
    if not scope.allows_anywhere(Action.VIEW_RECORDS):
        raise PermissionDenied(_("Your role does not read person-level records."))
    query = request.GET.get("q", "").strip()
    year = request.GET.get("year", "").strip()
    hits = (
        person_search(
            query,
            scope,
            user=request.user,
            birth_year=year_param(year),
            limit=50,
        )
        if query or year_param(year) is not None
        else []
    )
    privacy.log_sighted(
        user=request.user,
        sighted=[(hit.person.pk, hit.sight) for hit in hits],
        where=privacy.Where.SEARCH,
        path=request.get_full_path(),
    )
    return render(
        request,
        "register/search.html",
        {
            "nav": "register",
            "query": query,
            "year": year,
            "hits": hits,
            "found_by": MATCH_LABELS,
        },
    )


def duplicates(request: HttpRequest) -> HttpResponse:
    """Records that may be one person, within one's units; merging keeps both histories."""
    scope = request_scope(request)
    if not scope.allows_anywhere(Action.EDIT_REGISTER):
        raise PermissionDenied(_("You may not merge records."))
    if request.method == "POST":
        keep = _person(request, _number(request.POST.get("keep")), Action.EDIT_REGISTER)
        merge = _person(request, _number(request.POST.get("merge")), Action.EDIT_REGISTER)
        try:
            person_merge(
                keep=keep,
                merge=merge,
                user=request.user,
                reason=request.POST.get("reason", "").strip() or _("duplicate"),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("The two records are one person now; both histories are kept.")
            )
        return redirect("register:duplicates")
    pairs = duplicate_candidates(scope, request.user, limit=100)
    sights = _sights(request)
    sights.prime(p for pair in pairs for p in (pair.first, pair.second))
    shown_pairs = [(pair, sights.show(pair.first), sights.show(pair.second)) for pair in pairs]
    sights.log(where=privacy.Where.DUPLICATES, path=request.get_full_path())
    return render(request, "register/duplicates.html", {"nav": "register", "pairs": shown_pairs})


def _number(text: str | None) -> int:
    """A posted id: 404 when it is not a number."""
    try:
        return int(text or "")
    except ValueError as error:
        raise Http404 from error


def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a book in the exchange format (.xlsx, or a .zip of the CSV files); it is
    checked (dry run) or imported in the background while the page shows the progress."""
    scope = request_scope(request)
    if not scope.allows_anywhere(Action.EDIT_REGISTER):
        raise PermissionDenied(_("You may not import into the register."))
    upload = request.FILES.get("file") if request.method == "POST" else None
    if isinstance(upload, UploadedFile):
        try:
            check_upload(upload, Kind.REGISTER)  # before anything is copied or started
        except LimitError as error:
            messages.error(request, limit_message(error))
            return render(request, "register/import.html", {"nav": "register"}, status=413)
        job = import_start(
            file_name=upload.name or "register",
            user=request.user,
            chunks=upload.chunks(),
            dry_run=bool(request.POST.get("dry_run")),
            partial=bool(request.POST.get("partial")),
        )
        return redirect("register:import_job", job.pk)
    return render(request, "register/import.html", {"nav": "register"})


def import_job(request: HttpRequest, job_id: str) -> HttpResponse:
    """A running import: the page polls this view (htmx) until the job is done."""
    job = get_object_or_404(ImportJob, pk=job_id, user=request.user)
    progress = job_progress(job)
    template = "register/_job.html" if request.headers.get("HX-Request") else ("register/job.html")
    return render(request, template, {"nav": "register", "job": job, "progress": progress})


def export_download(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The book of a unit's subtree in the exchange format, as a .zip of the four CSV
    files.  An export of personal data: it is logged with who, when and what."""
    version = _unit(request, unit_id, Action.VIEW_PERSONS)
    on = working_date(request)
    with tempfile.TemporaryDirectory() as folder:
        register_export(
            version.unit,
            on,
            Path(folder),
            user=request.user,
            where=privacy.Where.EXPORT_SCREEN,
            path=request.get_full_path(),
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(Path(folder).glob("*.csv")):
                archive.write(path, path.name)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="so-ho-{version.display_code}-{on:%Y%m%d}.zip"'
    )
    return response
