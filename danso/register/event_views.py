"""A book's events: the events of a commune's (or a village's) subtree in a period, a
page at a time, filtered, and exported to .xlsx (issue 17: a ward of 40,000 households).

An event keeps the path of its unit on its day (``Event.path``): the events of a unit's
subtree are those under one of the paths the unit has had (``flagging.unit_paths``) —
the structure of their time, as the figures count them — within the period, over the
index on (path, date).  Of those, the list shows the ones that counted in a commune or
village the reader reaches today (``privacy.events_visible``'s first rule; a village
gone to another commune takes its past with it).  Persons are printed as
``privacy.Sights`` shows them and the read is logged; the export is the keepers' (the
whole book's ``VIEW_PERSONS``), written in Vietnamese and logged as an export.
"""

from __future__ import annotations

import io
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from danso.accounts.context import request_scope, working_date
from danso.accounts.models import User
from danso.params import id_param
from danso.register import privacy, selectors
from danso.register.flagging import unit_paths
from danso.register.models import EVENT_LABELS, Collection, Event
from danso.register.privacy_exports import _label, _rows, _sheet
from danso.register.privacy_views import _xlsx
from danso.register.services import month_start
from danso.register.views import _sights, _unit
from danso.units import selectors as units
from danso.units.codes import Level
from danso.units.models import UnitVersion
from danso.units.scope import Action

#: Events a page of the list shows.
EVENTS_PAGE = 50
#: The most rows an export holds (a year of a large ward is far below).
EXPORT_ROWS = 100_000
#: The status filter's value for events entered outside a monthly form (imported).
NO_FORM = "none"


@dataclass(frozen=True)
class EventFilters:
    """What the list is narrowed to: a period (both days included) and, when given, a
    village, an event type, the collaborator who recorded it, the monthly form's
    status."""

    start: date
    end: date
    village: int | None = None
    kind: str = ""
    recorder: int | None = None
    status: str = ""


def _day(text: str | None) -> date | None:
    """A day asked in the address: 2024-06-30 or 30/06/2024."""
    text = (text or "").strip()
    try:
        if "/" in text:
            d, m, y = (int(part) for part in text.split("/"))
            return date(y, m, d)
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def filters_from(request: HttpRequest, on: date) -> EventFilters:
    """The filters asked for; the period defaults to the month of the day looked at."""
    start = _day(request.GET.get("start")) or month_start(on)
    end = _day(request.GET.get("end")) or start.replace(day=monthrange(start.year, start.month)[1])
    if end < start:
        start, end = end, start
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    return EventFilters(
        start=start,
        end=end,
        village=id_param(request.GET.get("village")),
        kind=kind if kind in {str(k) for k in EVENT_LABELS} else "",
        recorder=id_param(request.GET.get("recorder")),
        status=status if status in {*Collection.Status.values, NO_FORM} else "",
    )


def events_in_book(
    version: UnitVersion, villages: list[UnitVersion], reached: list[int], filters: EventFilters
) -> QuerySet[Event]:
    """The events of ``version``'s subtree in the period (and the village asked for, one
    of ``villages``), that counted in one of the units ``reached``, newest first; all
    filters but the collaborator's and the status's are over the index."""
    root = next((v for v in villages if v.unit_id == filters.village), version)
    paths = unit_paths(root.unit)
    events = Event.objects.filter(
        reduce(or_, (Q(path__startswith=p) for p in paths)),
        event_date__range=(filters.start, filters.end),
        unit_id__in=reached,
    )
    if filters.kind:
        events = events.filter(event_type=filters.kind)
    if filters.recorder:
        events = events.filter(recorded_by_id=filters.recorder)
    if filters.status == NO_FORM:
        events = events.filter(collection__isnull=True)
    elif filters.status:
        events = events.filter(collection__status=filters.status)
    return events.order_by("-event_date", "-pk")


def _reached(version: UnitVersion, request: HttpRequest) -> list[int]:
    """The communes and villages of the unit's subtree (any day) the reader reaches."""
    paths = unit_paths(version.unit)
    under = set(
        UnitVersion.objects.filter(reduce(or_, (Q(path__startswith=p) for p in paths)))
        .order_by()
        .values_list("unit_id", flat=True)
        .distinct()
    )
    seen = privacy.visible_unit_ids(request_scope(request), Action.VIEW_RECORDS)
    return sorted(under.intersection(seen))


@dataclass(frozen=True)
class _Book:
    version: UnitVersion
    on: date
    villages: list[UnitVersion]
    names: dict[int, str]
    filters: EventFilters
    reached: list[int]
    events: QuerySet[Event]


def _book(request: HttpRequest, unit_id: int, action: Action) -> _Book:
    version = _unit(request, unit_id, action)
    on = working_date(request)
    villages = (
        list(selectors.villages_on(version.unit_id, on))
        if version.unit.level == Level.COMMUNE
        else []
    )
    filters = filters_from(request, on)
    if filters.village is not None and filters.village not in {v.unit_id for v in villages}:
        filters = EventFilters(filters.start, filters.end, None, filters.kind, filters.recorder)
    reached = _reached(version, request)
    events = events_in_book(version, villages, reached, filters)
    names = {v.unit_id: v.name for v in villages}
    return _Book(version, on, villages, names, filters, reached, events)


def _recorders(book: _Book) -> QuerySet[User]:
    """The collaborators who recorded events of the period and place (the choices of the
    collaborator filter: not narrowed by the other filters)."""
    f = book.filters
    wider = events_in_book(
        book.version, book.villages, book.reached, EventFilters(f.start, f.end, f.village)
    )
    ids = wider.order_by().filter(recorded_by__isnull=False).values("recorded_by_id").distinct()
    return User.objects.filter(pk__in=ids).order_by("full_name", "username")


def unit_events(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The events of a commune's or village's book in a period, 50 a page, newest first,
    with how many there are; persons as the reader may see them (the read logged)."""
    book = _book(request, unit_id, Action.VIEW_RECORDS)
    scope = request_scope(request)
    page = Paginator(
        book.events.select_related("person", "recorded_by", "collection"), EVENTS_PAGE
    ).get_page(request.GET.get("page"))
    sights = _sights(request)
    events = list(page.object_list)
    sights.prime(e.person_id for e in events)
    rows = [
        {
            "event": e,
            "label": _label(EVENT_LABELS, e.event_type),
            "person": sights.show(e.person),
            "village": book.names.get(e.unit_id, ""),
        }
        for e in events
    ]
    sights.log(where=privacy.Where.EVENT_PAGE, path=request.get_full_path())
    return render(
        request,
        "register/events.html",
        {
            "nav": "register",
            "version": book.version,
            "on": book.on,
            "rows": rows,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=2, on_ends=1
            ),
            "ellipsis": Paginator.ELLIPSIS,
            "villages": book.villages,
            "filters": book.filters,
            "kinds": [(str(k), v) for k, v in EVENT_LABELS.items()],
            "statuses": [*Collection.Status.choices, (NO_FORM, _("Outside a monthly form"))],
            "recorders": _recorders(book),
            "filtered": any(
                (
                    book.filters.village,
                    book.filters.kind,
                    book.filters.recorder,
                    book.filters.status,
                )
            ),
            "sight": privacy.unit_sight(scope, book.version),
            "can_export": scope.allows(Action.VIEW_PERSONS, book.version),
            "ancestors": units.ancestors(book.version),
        },
    )


def unit_events_xlsx(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The filtered list as an .xlsx, for the keepers of the book: an export of personal
    data, logged with who, when, which units and how many rows."""
    book = _book(request, unit_id, Action.VIEW_PERSONS)
    events = list(
        book.events.select_related("person", "recorded_by", "collection")[: EXPORT_ROWS + 1]
    )
    if len(events) > EXPORT_ROWS:
        raise PermissionDenied(
            _("More than %(n)s events: export a shorter period.") % {"n": f"{EXPORT_ROWS:,}"}
        )
    sights = _sights(request)
    sights.prime(e.person_id for e in events)
    shown = [(e, sights.show(e.person)) for e in events]
    sights.seen.clear()  # an export is logged as one, below, not as a read
    with translation.override("vi"):
        content = _workbook(shown, book.names)
    f = book.filters
    privacy.log_export(
        user=request.user,
        units={e.unit_id for e in events} or {book.version.unit_id},
        where=privacy.Where.EXPORT_SCREEN,
        path=request.get_full_path(),
        description=(
            f"Danh sách sự kiện {book.version.name} {f.start:%d/%m/%Y}–{f.end:%d/%m/%Y}: "
            f"{len(events)} dòng"
        ),
        rows=len(events),
    )
    return _xlsx(
        content,
        f"su-kien-{book.version.display_code}-{f.start:%Y%m%d}-{f.end:%Y%m%d}.xlsx",
    )


def _workbook(shown: list[tuple[Event, Any]], names: dict[int, str]) -> bytes:
    """One sheet: a row per event, persons as the exporter may see them."""
    workbook = Workbook()
    sheet = _sheet(
        workbook,
        _("Events"),
        [
            _("Date"),
            _("Event"),
            _("Person"),
            _("Born"),
            _("Village"),
            _("Recorded by"),
            _("Monthly form"),
            _("Event id"),
        ],
        first=True,
    )
    _rows(
        sheet,
        (
            [
                f"{e.event_date:%d/%m/%Y}",
                _label(EVENT_LABELS, e.event_type),
                person.name,
                person.birth,
                names.get(e.unit_id, ""),
                e.recorded_by.display_name if e.recorded_by else "",
                e.collection.get_status_display() if e.collection else "",
                e.source_id,
            ]
            for e, person in shown
        ),
    )
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
