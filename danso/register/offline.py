"""The collaborator's phone without a connection (issue 17): the forms of the month it
queued offline are sent here once it is back online, and the service worker that keeps
the form's page and its files on the phone.

A queued form carries a key the phone made (a UUID) and the version of the person's
record the page showed (``collection_views.person_versions``).  Each form is recorded
through the same code as the monthly form's (``collection_views._event_input``,
``services.event_record``), exactly once per key (``SubmissionKey``, unique): a form sent
again returns the event it became and writes nothing.  A form whose person someone else
changed after the page was read (a death, a move, a correction by the commune) is not
recorded but answered as a conflict, for the collaborator to look at again; a form the
rules refuse is answered with the rules' words; a month handed in refuses them all.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date
from functools import lru_cache
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from danso.accounts.models import User
from danso.register import services
from danso.register.collection_views import (
    Refused,
    _event_input,
    _month,
    _reached,
    changed_since,
)
from danso.register.forms import EventForm
from danso.register.models import Collection, SubmissionKey
from danso.register.views import _person, _unit
from danso.register.vocabulary import EventType
from danso.units.models import UnitVersion
from danso.units.scope import Action

#: Forms one request may carry (the phone sends its queue in slices of this size).
MOST_ITEMS = 50

CONFLICT = gettext_lazy(
    "This person's record was changed after your page was loaded (by the commune or "
    "another user: a death, a move, a correction). Nothing was recorded: open the form "
    "again to check, or discard it."
)
UNKNOWN_KEY = gettext_lazy("This form cannot be read: discard it and fill it in again.")


#: One form's answer: ``key``, ``status`` (saved, already, conflict, invalid, locked),
#: ``messages``, and for a recorded form its ``event``.
Answer = dict[str, Any]


def _answer(key: str, status: str, messages: list[str], event: int | None = None) -> Answer:
    answer: Answer = {"key": key, "status": status, "messages": messages}
    if event is not None:
        answer["event"] = event
    return answer


@require_POST
def collection_sync(request: HttpRequest, unit_id: int, month: str) -> JsonResponse:
    """The forms a phone queued for the month of the village (JSON ``{"items": [{"key",
    "version", "fields"}]}``, ``fields`` as the monthly form posts them), recorded in
    their order; the answer is one ``Answer`` a form, in the same order.  Login, the CSRF
    token and the right to change the village's book are needed, as for the form
    (404/403 otherwise, nothing told)."""
    version = _unit(request, unit_id, Action.EDIT_REGISTER)
    first = _month(month)
    try:
        body = json.loads(request.body or b"{}")
        items = body["items"]
        if not isinstance(items, list) or len(items) > MOST_ITEMS:
            raise ValueError
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": _("The forms sent cannot be read.")}, status=400)
    answers = [_record(request, version, first, item) for item in items]
    return JsonResponse({"results": answers})


def _record(request: HttpRequest, version: UnitVersion, first: date, item: Any) -> Answer:
    """One queued form: recorded once, or why not."""
    raw_key = str(item.get("key", "")) if isinstance(item, dict) else ""
    try:
        key = uuid.UUID(raw_key)
    except ValueError:
        return _answer(raw_key, "invalid", [str(UNKNOWN_KEY)])
    known = _known(request, key)
    if known is not None:
        return known
    fields = item.get("fields")
    form = EventForm(fields if isinstance(fields, dict) else {})
    if not form.is_valid():
        return _answer(raw_key, "invalid", _form_messages(form.errors.get_json_data()))
    data = form.cleaned_data
    try:
        if EventType(data["event_type"]) is not EventType.MOVE_IN:
            # whose record first (a stranger is not found), then whether it changed
            person = _reached(_person, request, "person", data.get("person"))
            if changed_since(person, str(item.get("version") or ""), request.user):
                return _answer(raw_key, "conflict", [str(CONFLICT)])
        with transaction.atomic():
            person, event_input = _event_input(request, data, version)
            row = Collection.objects.filter(unit=version.unit, month=first).first()
            services.collection_writable(row or Collection(unit=version.unit, month=first))
            opened = services.collection_open(unit=version.unit, month=first)
            event = services.event_record(
                person=person, data=event_input, user=request.user, collection=opened
            )
            SubmissionKey.objects.create(key=key, event=event, user=_user(request))
    except Refused as refused:
        return _answer(raw_key, "invalid", [refused.message])
    except ValidationError as error:
        if getattr(error, "code", None) == "locked":
            return _answer(raw_key, "locked", list(error.messages))
        return _answer(raw_key, "invalid", _error_messages(error, form))
    except IntegrityError:  # the same key sent twice at once: the other one recorded it
        return _known(request, key) or _answer(raw_key, "invalid", [str(UNKNOWN_KEY)])
    return _answer(raw_key, "saved", [], event.pk)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User), "the login middleware lets only users through"
    return user


def _known(request: HttpRequest, key: uuid.UUID) -> Answer | None:
    """The answer for a key already received: its event, nothing written.  A key another
    user sent is not theirs to hear about."""
    row = SubmissionKey.objects.filter(key=key).first()
    if row is None:
        return None
    if row.user_id != request.user.pk:
        return _answer(str(key), "invalid", [str(UNKNOWN_KEY)])
    return _answer(str(key), "already", [], row.event_id)


def _form_messages(errors: dict[str, list[dict[str, Any]]]) -> list[str]:
    form = EventForm()
    out = []
    for field, problems in errors.items():
        label = str(form.fields[field].label) if field in form.fields else ""
        for problem in problems:
            out.append(f"{label}: {problem['message']}" if label else str(problem["message"]))
    return out


def _error_messages(error: ValidationError, form: EventForm) -> list[str]:
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    out = []
    for field, messages in error.message_dict.items():
        field = "person" if field == "person_id" else field
        label = str(form.fields[field].label) if field in form.fields else ""
        out += [f"{label}: {m}" if label else m for m in messages]
    return out


# ---------------------------------------------------------------- the service worker

#: The files the form's page needs offline, kept by the service worker when it starts.
SHELL = (
    "danso/danso.css",
    "danso/danso.js",
    "danso/autosubmit.js",
    "danso/picker.js",
    "danso/offline.js",
    "danso/favicon.svg",
    "danso/manifest.webmanifest",
    "vendor/htmx-2.0.11.min.js",
)


@lru_cache(maxsize=1)
def _worker_script() -> str:
    """``sw.js`` with the shell's addresses and a version: the digest of the shell's
    files, so that a new release makes the phones take the new files."""
    digest = hashlib.sha256()
    for name in ("danso/sw.js", *SHELL):
        found = finders.find(name)
        if found:
            with open(str(found), "rb") as file:
                digest.update(file.read())
    found = finders.find("danso/sw.js")
    assert found, "danso/sw.js is a static file of danso.web"
    with open(str(found), encoding="utf-8") as file:
        body = file.read()
    config = {"version": digest.hexdigest()[:12], "shell": [static(name) for name in SHELL]}
    return f"self.DANSO = {json.dumps(config)};\n{body}"


# Public, as a static file is: the script holds no data, only the shell's addresses, and
# a browser checks it for updates by itself, logged in or not (a redirect to the login
# page would break the check).  Served from the root so that it may look after every
# page of danso (a worker's reach is the folder it is served from).
@login_not_required
def service_worker(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_worker_script(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
