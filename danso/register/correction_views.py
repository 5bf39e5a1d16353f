"""Screens that correct an event or a person's details, or withdraw an event, with a
reason (``register.corrections``).

The lookups and privacy rules are those of ``register.views``: an event or person the
reader does not reach is 404, one they may not edit 403.  Fields the reader may not see
in full (a name, an ID number, a note, when the person is masked to them) are not on the
form, and the trail shows them as ``***``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from danso.accounts.context import request_scope
from danso.register import corrections, privacy
from danso.register.models import (
    EVENT_LABELS,
    MARITAL_LABELS,
    METHOD_LABELS,
    RESIDENCE_LABELS,
    SEX_LABELS,
    SUPPLY_LABELS,
    Event,
    Household,
    Person,
)
from danso.register.views import _person, _sights
from danso.register.vocabulary import EventType
from danso.units.scope import Action

#: Fields masked to a reader who does not see the person in full (``corrections.MASKED``).
PERSONAL = corrections.MASKED
CHOICES: dict[str, dict[Any, Any]] = {
    corrections.SEX: SEX_LABELS,
    corrections.METHOD: METHOD_LABELS,
    corrections.SUPPLY: {"": "—", **SUPPLY_LABELS},
    corrections.MARITAL: {"": "—", **MARITAL_LABELS},
    corrections.RESIDENCE: {"": "—", **RESIDENCE_LABELS},
}


@dataclass(frozen=True)
class Row:
    """One field of a correction form: its name, label, kind, value as typed, choices."""

    name: str
    label: str
    kind: str
    value: str
    choices: list[tuple[str, str]]
    errors: list[str]


def as_text(value: Any, kind: str) -> str:
    """A current value as the form shows it (and as a correction would type it)."""
    if value is None:
        return ""
    if isinstance(value, Person | Household):
        return value.source_id
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple):
        day, precision = value
        return {"year": f"{day:%Y}", "month": f"{day:%m/%Y}"}.get(precision, f"{day:%d/%m/%Y}")
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def _rows(
    specs: dict[str, tuple[str, Any]],
    fields: list[str],
    current: dict[str, str],
    posted: dict[str, str],
    errors: dict[str, list[str]],
) -> list[Row]:
    rows = []
    for name in fields:
        kind, label = specs[name]
        choices = [(str(k), str(v)) for k, v in CHOICES.get(kind, {}).items()]
        if kind == corrections.YES_NO:
            choices = [("", "—"), ("1", pgettext("answer", "yes")), ("0", pgettext("answer", "no"))]
        rows.append(
            Row(
                name,
                str(label),
                kind,
                posted.get(name, current[name]),
                choices,
                errors.get(name, []),
            )
        )
    return rows


def _changed(request: HttpRequest, current: dict[str, str]) -> dict[str, str]:
    """The posted fields whose text differs from what the book holds."""
    return {
        name: request.POST[name].strip()
        for name in current
        if name in request.POST and request.POST[name].strip() != current[name]
    }


def _errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {k: [str(m) for m in v] for k, v in error.message_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


def _event(request: HttpRequest, event_id: int) -> tuple[Event, privacy.Sights, Any]:
    """The event if the reader reaches it (404) and may edit its person's record (403)."""
    event = get_object_or_404(Event.objects.select_related("person", "child"), pk=event_id)
    scope = request_scope(request)
    if not privacy.event_reached(scope, event, request.user):
        raise Http404(_("No such event in your units."))
    if not privacy.person_allows(scope, event.person, Action.EDIT_REGISTER, request.user):
        raise PermissionDenied(_("You may not change this record."))
    sights = _sights(request)
    return event, sights, sights.show(event.person)


def event_correct(request: HttpRequest, event_id: int) -> HttpResponse:
    """Correct an event's date, its type's fields, its person or household, with a
    reason (an amendment when its year's book is closed)."""
    event, sights, who = _event(request, event_id)
    full = who.sight.full
    fields = [f for f in corrections.event_fields(event.event_type) if full or f not in PERSONAL]
    current = {
        f: as_text(corrections.event_value(event, f), corrections.EVENT_FIELDS[f][0])
        for f in fields
    }
    return _correction_page(
        request,
        spec=corrections.EVENT_FIELDS,
        fields=fields,
        current=current,
        correct=lambda changes, reason: corrections.event_correct(
            event=event, changes=changes, reason=reason, actor=request.user
        ),
        back=("register:event", event.pk),
        log=lambda: sights.log(where=privacy.Where.EVENT_PAGE, path=request.get_full_path()),
        context={
            "title": _("Correct: %(event)s of %(day)s")
            % {
                "event": EVENT_LABELS[EventType(event.event_type)],
                "day": f"{event.event_date:%d/%m/%Y}",
            },
            "who": who,
            "event": event,
            "masked": not full,
        },
    )


def _correction_page(
    request: HttpRequest,
    *,
    spec: dict[str, tuple[str, Any]],
    fields: list[str],
    current: dict[str, str],
    correct: Callable[[dict[str, str], str], object],
    back: tuple[str, int],
    log: Callable[[], object],
    context: dict[str, Any],
) -> HttpResponse:
    """The correction form of an event or a person: on a valid POST the changed
    ``fields`` go to ``correct`` with the reason and the page goes ``back``; otherwise
    the form, with the errors by field (those of no field shown above it)."""
    errors: dict[str, list[str]] = {}
    posted: dict[str, str] = {}
    reason = ""
    if request.method == "POST":
        posted = _changed(request, current)
        reason = request.POST.get("reason", "")
        try:
            correct(posted, reason)
        except ValidationError as error:
            errors = _errors(error)
        else:
            messages.success(request, _("The correction was recorded."))
            return redirect(*back)
    log()
    return render(
        request,
        "register/correct.html",
        {
            "nav": "register",
            **context,
            "rows": _rows(spec, fields, current, posted, errors),
            "errors": errors.get("__all__", [])
            + [m for k, v in errors.items() if k not in fields and k != "__all__" for m in v],
            "reason": reason,
            "reason_errors": errors.get("reason", []),
            "back": back,
        },
    )


def event_withdraw(request: HttpRequest, event_id: int) -> HttpResponse:
    """Withdraw an event from the book, with a reason; its trail stays on its person's
    page."""
    event, sights, who = _event(request, event_id)
    errors: list[str] = []
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        person_id = event.person_id
        try:
            corrections.event_withdraw(event=event, reason=reason, actor=request.user)
        except ValidationError as error:
            errors = [m for v in _errors(error).values() for m in v]
        else:
            messages.success(request, _("The event was withdrawn; its trail is kept."))
            return redirect("register:person", person_id)
    sights.log(where=privacy.Where.EVENT_PAGE, path=request.get_full_path())
    return render(
        request,
        "register/withdraw.html",
        {
            "nav": "register",
            "event": event,
            "who": who,
            "errors": errors,
            "reason": reason,
        },
    )


def person_correct(request: HttpRequest, person_id: int) -> HttpResponse:
    """Correct a person's details, with a reason."""
    person = _person(request, person_id, Action.EDIT_REGISTER)
    sights = _sights(request)
    me = sights.show(person)
    full = me.sight.full
    fields = [f for f in corrections.PERSON_FIELDS if full or f not in PERSONAL]
    current = {
        f: as_text(corrections.person_value(person, f), corrections.PERSON_FIELDS[f][0])
        for f in fields
    }
    return _correction_page(
        request,
        spec=corrections.PERSON_FIELDS,
        fields=fields,
        current=current,
        correct=lambda changes, reason: corrections.person_correct(
            person=person, changes=changes, reason=reason, actor=request.user
        ),
        back=("register:person", person.pk),
        log=lambda: sights.log(where=privacy.Where.PERSON_PAGE, path=request.get_full_path()),
        context={
            "title": _("Correct the details of %(name)s") % {"name": me.name},
            "who": me,
            "masked": not full,
        },
    )
