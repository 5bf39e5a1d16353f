"""``danso register correct`` and ``danso register withdraw`` (``register.corrections``).

    danso register correct SOURCE_ID --set FIELD=VALUE [--set …] --reason TEXT [--user U]
    danso register withdraw SOURCE_ID --reason TEXT [--user U] --format json

SOURCE_ID is an event's id or a person's (an event is looked for first).  Values are
typed as on the screens: dates dd/mm/yyyy or yyyy-mm-dd, a person or household by its
id.  With ``--user`` the user's scope and rights apply (``corrections``: who may); without
it the system acts, and the change is recorded against the system actor.  The answer is
``{"correction": {"id", "kind", "source_id", "changes", "amendment", "made_by",
"made_at", …}}``; a refusal goes to stderr, in words, with a non-zero exit code.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from danso.accounts.scope import actor_scope
from danso.commandline import DansoCommand
from danso.register import corrections, privacy
from danso.register.models import Correction, Event, Person
from danso.units.scope import Action


def _pairs(given: list[str]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in given:
        field, sep, value = item.partition("=")
        if not sep or not field.strip():
            raise CommandError(_("--set %(item)s: write FIELD=VALUE.") % {"item": item})
        pairs[field.strip()] = value.strip()
    return pairs


def _find(source_id: str, actor: Any, *, events_only: bool = False) -> Event | Person:
    """The event (else the person) of ``source_id`` the actor reaches; nothing is said
    of an entry outside their scope."""
    scope = actor_scope(actor, timezone.localdate())
    event = Event.objects.select_related("person").filter(source_id=source_id).first()
    if event is not None and privacy.event_reached(scope, event, actor):
        return event
    person = None if events_only else Person.objects.filter(source_id=source_id).first()
    if person is not None and privacy.person_allows(scope, person, Action.VIEW_RECORDS, actor):
        return person
    if events_only:
        raise CommandError(_("No event %(id)s in your units.") % {"id": source_id})
    raise CommandError(_("No event or person %(id)s in your units.") % {"id": source_id})


def _words(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            " ".join(messages)
            if field == "__all__"
            else f"{corrections.label(field)}: " + " ".join(messages)
            for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _emit(command: DansoCommand, options: dict[str, Any], correction: Correction) -> None:
    data = corrections.correction_json(correction)
    command.emit(
        options,
        {"correction": data},
        lambda: "\n".join(
            [f"{data['kind']} {data['source_id']}"]
            + [f"  {field}: {pair[0]} → {pair[1]}" for field, pair in data["changes"].items()]
        ),
    )


def correct(command: DansoCommand, options: dict[str, Any]) -> None:
    actor = command.actor(options)
    changes = _pairs(options["set_values"])
    entry = _find(options["source_id"], actor)
    try:
        if isinstance(entry, Event):
            done = corrections.event_correct(
                event=entry, changes=changes, reason=options["reason"], actor=actor
            )
        else:
            done = corrections.person_correct(
                person=entry, changes=changes, reason=options["reason"], actor=actor
            )
    except ValidationError as error:
        raise CommandError(_words(error)) from error
    except PermissionDenied as error:
        raise CommandError(str(error)) from error
    _emit(command, options, done)


def withdraw(command: DansoCommand, options: dict[str, Any]) -> None:
    actor = command.actor(options)
    entry = _find(options["source_id"], actor, events_only=True)
    assert isinstance(entry, Event)
    try:
        done = corrections.event_withdraw(event=entry, reason=options["reason"], actor=actor)
    except ValidationError as error:
        raise CommandError(_words(error)) from error
    except PermissionDenied as error:
        raise CommandError(str(error)) from error
    _emit(command, options, done)
