"""A process that writes events into the register while the tests back it up, as the
server does: ``python -m tests.backup.writer`` with ``DANSO_DATA_DIR`` (or
``DATABASE_URL``) naming the database.

Commands, one a line on stdin:

- ``write N``: record N events, each in its own transaction (committed), and print
  their source ids as one JSON line; the connection stays open, as a server's does;
- ``loop``: record events one after another, printing each source id as it is
  committed, until a line (``stop``) arrives; then print ``stopped``;
- end of input: close the connection and exit.

The events are elderly check-ups (khám sức khỏe người cao tuổi) on the day of the
register's last event, for persons aged 60 or more who are registered that day, those
not yet checked up that year first, so that the year's figures change.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Iterator
from datetime import date


def candidates(day: date) -> Iterator[int]:
    from django.db.models import Exists, OuterRef

    from danso.register.models import Event, Membership, Person
    from danso.register.vocabulary import EventType

    registered = Membership.objects.filter(
        person=OuterRef("pk"), valid_from__lte=day, valid_to__isnull=True
    )
    checked = Event.objects.filter(
        person=OuterRef("pk"),
        event_type=EventType.ELDERLY_CHECKUP,
        event_date__year=day.year,
    )
    dead = Event.objects.filter(person=OuterRef("pk"), event_type=EventType.DEATH)
    elderly = (
        Person.objects.filter(Exists(registered), birth_date__lte=date(day.year - 61, 1, 1))
        .exclude(Exists(dead))
        .order_by("pk")
    )
    first = list(elderly.exclude(Exists(checked)).values_list("pk", flat=True))
    again = list(elderly.filter(Exists(checked)).values_list("pk", flat=True))
    while True:
        yield from first + again


def _set_on_input(stop: threading.Event) -> None:
    sys.stdin.readline()
    stop.set()


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danso.settings.local")
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.db.models import Max

    from danso.register import services
    from danso.register.models import Event, Person
    from danso.register.vocabulary import EventType

    day = Event.objects.aggregate(last=Max("event_date"))["last"]
    people = candidates(day)

    def record() -> str:
        while True:
            person = Person.objects.get(pk=next(people))
            try:
                event = services.event_record(
                    person=person, data=services.EventInput(EventType.ELDERLY_CHECKUP, day)
                )
            except ValidationError:  # a rule of the register says no: the next person
                continue
            return event.source_id

    def say(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    while line := sys.stdin.readline():
        command, _, argument = line.strip().partition(" ")
        if command == "write":
            say(json.dumps([record() for _ in range(int(argument))]))
        elif command == "loop":
            stop = threading.Event()
            threading.Thread(target=_set_on_input, args=(stop,), daemon=True).start()
            while not stop.is_set():
                say(record())
            say("stopped")


if __name__ == "__main__":
    main()
