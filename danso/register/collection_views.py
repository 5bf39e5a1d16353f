"""Screens of the monthly collection (phiếu thu tin P0/CTV): a village's month, its events
recorded and checked as they are typed, the commune's review, and an event's page with
its amendments.

The lookups, the privacy rules they follow and the logging of reads are those of
``register.views``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from danso.accounts.context import request_scope, working_date
from danso.accounts.models import RoleAssignment, User
from danso.accounts.policy import Role
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
    SubmissionKey,
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
    recorded a few taps each, then handed in.  A handed-in month is locked until the
    commune sends it back; the month before, while not handed in, is offered first."""
    version = _unit(request, unit_id, Action.EDIT_REGISTER)
    first = _month(month)
    # A GET never writes: the month's row is made by its first event or its hand-in.
    row = Collection.objects.filter(unit=version.unit, month=first).first() or Collection(
        unit=version.unit, month=first
    )
    form = EventForm(request.POST or None, initial={"event_date": _first_day(request, first)})
    kind = request.POST.get("event_type") or request.GET.get("type") or EventType.BIRTH
    sights = _sights(request)
    status = 200
    if request.method == "POST" and request.POST.get("action") == "hand_in":
        try:
            services.collection_hand_in(collection=row, user=request.user)
        except ValidationError as error:  # an old page: the month moved on meanwhile
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The month was handed in to the commune."))
        return redirect(request.path)
    key = _submission_key(request)
    if request.method == "POST" and key is not None and _sent_before(key, request.user):
        # the same form posted again (its answer was lost on a weak connection, and the
        # phone queued it): recorded once already, nothing written
        messages.info(request, _("This form was already recorded."))
        return redirect(f"{request.path}?type={kind}#eventform")
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # a newcomer and their move-in are one record
                # whose record first (privacy: a stranger is not found), then the lock
                person, data = _event_input(request, form.cleaned_data, version)
                services.collection_writable(row)
                opened = services.collection_open(unit=version.unit, month=first)
                event = services.event_record(
                    person=person, data=data, user=request.user, collection=opened
                )
                if key is not None:
                    author = request.user
                    assert isinstance(author, User), "the login middleware lets only users in"
                    SubmissionKey.objects.create(key=key, event=event, user=author)
        except IntegrityError:  # the same key posted twice at once: the other recorded it
            messages.info(request, _("This form was already recorded."))
            return redirect(f"{request.path}?type={kind}#eventform")
        except Refused as refused:  # not theirs, or gone: the form again, as typed
            form.add_error(refused.field, refused.message)
            status = refused.status
        except ValidationError as error:
            if getattr(error, "code", None) == "locked":
                messages.error(request, " ".join(error.messages))
                return redirect(request.path)
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    field = "person" if field == "person_id" else field
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
            # back where the collaborator was: the form, not the top of the page
            return redirect(f"{request.path}?type={kind}#eventform")
    people = _eligible(_people(request, version, first, sights), kind)
    versions = person_versions([p["id"] for p in people])
    for person_row in people:
        person_row["version"] = versions.get(person_row["id"], "")
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
            "months": _months(version, first, working_date(request)),
            "pending": _pending(version, first),
            "full": privacy.unit_sight(request_scope(request), version) is privacy.Sight.FULL,
            "sync_url": reverse(
                "register:collection_sync", args=[version.unit_id, f"{first:%Y-%m}"]
            ),
            "offline_text": offline_text(),
        },
        status=status,
    )


def offline_text() -> dict[str, str]:
    """What the phone's scripts (``offline.js``, ``picker.js``) say, in the reader's
    language: they run offline, when no page can be asked for its words."""
    return {
        "queued": _(
            "Saved on this phone, will be sent when there is a connection "
            "(%(n)s forms waiting to be sent)."
        ),
        "sending": _("Sending the forms saved on this phone…"),
        "sent": _("%(n)s forms saved on this phone were sent."),
        "problems": _("Forms that need your attention"),
        "reopen": _("Open in the form"),
        "discard": _("Discard"),
        "discard_confirm": _("Discard this form? It will not be sent."),
        "login": _("Log in again to send the forms saved on this phone."),
        "offline_hand_in": _(
            "Handing the month in needs a connection: it is not saved on the phone. "
            "Hand it in when you are back online."
        ),
        "hand_in_waiting": _("Forms saved on this phone are sent first."),
        "search": _("Type a name (no accents needed)"),
        "search_household": _("Type a household number or address"),
        "no_match": _("Nobody found: try fewer letters."),
        "choose": _("Choose from the list."),
    }


def person_versions(person_ids: list[int]) -> dict[int, str]:
    """Each person's version as the form shows it: the time of the last change to their
    record, their events or their stays (the history tables), ISO; "" for a record with
    no such change.  The phone sends it back with an event it queued offline
    (``register.offline``): a change after it made by someone else is a conflict
    (``changed_since``).  Three grouped queries, whatever the number of persons."""
    stamps: dict[int, datetime] = {}
    for manager, column in (
        (Person.history, "id"),
        (Event.history, "person_id"),
        (Membership.history, "person_id"),
    ):
        rows = (
            manager.filter(**{f"{column}__in": person_ids})
            .values(column)
            .annotate(last=Max("history_date"))
        )
        for row in rows:
            pk, last = row[column], row["last"]
            if pk not in stamps or last > stamps[pk]:
                stamps[pk] = last
    return {pk: stamp.isoformat() for pk, stamp in stamps.items()}


def changed_since(person: Person, version: str, user: Any) -> bool:
    """Whether someone other than ``user`` changed the person's record, events or stays
    after ``version`` (``person_versions``; "": none known then).  The user's own changes
    (an earlier form of the same queue) are not a conflict; a change without a user (a
    command, an import) is.  A version that is not a time counts as changed."""
    since = parse_datetime(version) if version else None
    if version and since is None:
        return True
    for manager, column in (
        (Person.history, "id"),
        (Event.history, "person_id"),
        (Membership.history, "person_id"),
    ):
        rows = manager.filter(**{column: person.pk}).exclude(history_user_id=user.pk)
        if since is not None:
            rows = rows.filter(history_date__gt=since)
        if rows.exists():
            return True
    return False


def _submission_key(request: HttpRequest) -> uuid.UUID | None:
    """The key the phone gave the form it posts (``offline.js``), if any: the same form
    sent again after its answer was lost is then recorded once (``SubmissionKey``)."""
    try:
        return uuid.UUID(request.POST.get("submission_key", ""))
    except ValueError:
        return None


def _sent_before(key: uuid.UUID, user: Any) -> bool:
    return SubmissionKey.objects.filter(key=key, user_id=user.pk).exists()


def _first_day(request: HttpRequest, first: date) -> date:
    """The date the form starts with: the day looked at or today when in the month,
    else the month's first day."""
    for day in (working_date(request), timezone.localdate()):
        if services.month_start(day) == first:
            return day
    return first


def _previous(first: date) -> date:
    return services.month_start(first - timedelta(days=1))


def _pending(version: UnitVersion, first: date) -> Collection | None:
    """The month before, while it is not handed in: offered first (in the first days of
    a month the collaborator still finishes the last one).  A month the village did not
    exist in, or one before the village's first handed-in month, is not asked for."""
    before = _previous(first)
    if version.valid_from > month_end(before):
        return None
    row = Collection.objects.filter(unit_id=version.unit_id, month=before).first()
    if row is None:  # asked for once the village hands its months in
        used = Collection.objects.filter(unit_id=version.unit_id, month__lt=before).exists()
        return Collection(unit_id=version.unit_id, month=before) if used else None
    return row if row.status == Collection.Status.OPEN else None


def _months(version: UnitVersion, first: date, today: date) -> list[tuple[date, Collection]]:
    """The months the collaborator chooses between: the one before and this one (and the
    current month, if another is shown), the oldest first, with their state."""
    current = services.month_start(today)
    chosen = {_previous(first), first}
    if current > first:
        chosen.add(current)
    wanted = sorted(chosen)
    rows = {
        c.month: c for c in Collection.objects.filter(unit_id=version.unit_id, month__in=wanted)
    }
    return [(m, rows.get(m) or Collection(unit_id=version.unit_id, month=m)) for m in wanted]


class Refused(Exception):
    """A person or household of the form the reader may not record for: the form is
    shown again with what was typed and an error on the field, with the status the
    privacy rule gives (404 for a record outside reach: its existence is not told)."""

    def __init__(self, field: str, message: str, status: int) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.status = status


def _people(
    request: HttpRequest, version: UnitVersion, month: date, sights: privacy.Sights
) -> list[dict[str, Any]]:
    """The persons of the village's households in the month whose record the reader may
    change, for the form's choices, with their age at the end of the month (the month's
    events happen by then); names as the reader may see them.  Only stays in the village
    during the month count: not one begun after it, nor one ended before it."""
    on = month_end(month)
    changeable = privacy.persons_visible(
        request_scope(request), request.user, Action.EDIT_REGISTER
    ).values("pk")
    stays = (
        Membership.objects.filter(household__unit_id=version.unit_id, person_id__in=changeable)
        .filter(valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=month))
        .select_related("person", "household")
    )
    people = []
    seen: set[int] = set()
    for stay in stays.order_by("household__number", "person__birth_date", "-valid_from"):
        person = stay.person
        if person.pk in seen:
            continue
        seen.add(person.pk)
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


T = TypeVar("T")

#: One answer for a person not in the village on the event's day, gone from the reader's
#: reach, or never in it: the form does not tell them apart.
NOT_HERE = gettext_lazy(
    "This person is not in this village on that date (moved, or not in your book): "
    "choose someone from the list or change the date."
)


def _reached(
    lookup: Callable[[HttpRequest, int, Action], T],
    request: HttpRequest,
    field: str,
    pk: int | None,
) -> T:
    """``lookup`` (``_person``, ``_household``) of a record the reader may change; its
    404 or 403 as an error on ``field`` of the form shown again."""
    try:
        return lookup(request, pk or 0, Action.EDIT_REGISTER)
    except Http404 as error:
        message = str(NOT_HERE) if field == "person" else _("No such household in your units.")
        raise Refused(field, message, 404) from error
    except PermissionDenied as error:
        message = str(NOT_HERE) if field == "person" else _("You may not change this household.")
        raise Refused(field, message, 403) from error


def _event_input(
    request: HttpRequest, data: dict[str, Any], version: UnitVersion
) -> tuple[Person, services.EventInput]:
    kind = EventType(data["event_type"])
    if kind is EventType.MOVE_IN:
        household = _reached(_household, request, "household", data.get("household"))
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
    person = _reached(_person, request, "person", data.get("person"))
    stay = services.membership_on(person, data["event_date"])
    if stay is None or services.household_unit_on(stay.household, data["event_date"]) != (
        version.unit_id
    ):
        raise Refused("person", str(NOT_HERE), 200)
    to_household = None
    if kind is EventType.MOVE_WITHIN:
        to_household = _reached(_household, request, "to_household", data.get("to_household"))
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
        chosen = request.POST.get("collection", "")
        target = get_object_or_404(
            Collection,
            pk=int(chosen) if chosen.isdigit() else 0,
            unit_id__in=[v.unit_id for v in places],
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


#: Months sent back a collaborator's home page lists.
RETURNED_SHOWN = 10


def returned_months(request: HttpRequest) -> dict[str, Any]:
    """For a collaborator's home page: the months the commune sent back to their
    villages, with the commune's note (``register/_returned.html`` shows them)."""
    user = request.user
    if not user.is_authenticated:
        return {"returned_months": []}
    today = timezone.localdate()
    held = RoleAssignment.objects.filter(user=user, role=Role.COLLABORATOR, valid_from__lte=today)
    if not held.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today)).exists():
        return {"returned_months": []}
    villages = privacy.visible_unit_ids(request_scope(request), Action.EDIT_REGISTER)
    rows = (
        Collection.objects.filter(unit_id__in=villages, status=Collection.Status.OPEN)
        .exclude(note="")
        .select_related("unit")
        .order_by("month", "unit_id")[:RETURNED_SHOWN]
    )
    return {"returned_months": list(rows)}
