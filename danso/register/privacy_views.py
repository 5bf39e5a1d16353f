"""Screens of the access log (Nghị định 13/2023/NĐ-CP) and of a person's own data.

- ``unit_access_log``: a commune officer sees who read or exported the persons of their
  commune and villages (``Action.VIEW_ACCESS_LOG`` on it);
- ``access_log`` and ``access_log_xlsx``: the administrator (the data-protection
  officer) sees the whole log, filtered by person, user, unit and dates, and exports it
  (the export is logged too);
- ``person_export``: everything danso holds on one person, for them (right of access),
  for the keepers of their book or an officer who opened the record for a reason; logged.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from danso.accounts.context import request_scope
from danso.accounts.models import User
from danso.params import id_param
from danso.register import privacy, selectors
from danso.register.models import AccessLog, AccessLogPerson, Person
from danso.register.privacy_exports import access_log_workbook, person_workbook
from danso.register.views import _person, _sights, _unit
from danso.units.models import UnitVersion
from danso.units.scope import Action

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = 100


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def person_export(request: HttpRequest, person_id: int) -> HttpResponse:
    """One person's data as an .xlsx to hand to them: identity, households, events, and
    who read or exported their data from outside the commune."""
    person = _person(request, person_id)
    sights = _sights(request)
    sight = sights.of(person)
    if not sight.full:
        raise PermissionDenied(
            _(
                "Only the keepers of the book, or an officer who opened the full record "
                "for a reason, export a person's data."
            )
        )
    with translation.override("vi"):
        content = person_workbook(
            person,
            person.memberships.select_related("household").order_by("valid_from"),
            selectors.events_of(person),
            privacy.access_log_for_person(person),
        )
    privacy.log_export(
        user=request.user,
        units=privacy.units_of_persons([person.pk]),
        persons=[person.pk],
        where=privacy.Where.PERSON_EXPORT,
        path=request.get_full_path(),
        reason=privacy.revealed_in(request.session).get(person.pk, ""),
        description=f"Dữ liệu cá nhân trích xuất cho chính người đó ({person.source_id})",
        rows=1,
    )
    return _xlsx(content, f"du-lieu-ca-nhan-{person.source_id}.xlsx")


def unit_access_log(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Who read or exported the persons of this commune (or village) from outside."""
    version = _unit(request, unit_id, Action.VIEW_ACCESS_LOG)
    units = UnitVersion.objects.filter(path__startswith=version.path).values_list(
        "unit_id", flat=True
    )
    entries = privacy.access_log_for_units(set(units) | {version.unit_id})
    page = Paginator(entries, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "register/access_log.html",
        {
            "nav": "register",
            "version": version,
            "page": page,
            "rows": _rows(page.object_list),
            "whole": False,
        },
    )


class _Filters:
    """The administrator's filters: person (id or source id), user name, unit (id),
    dates."""

    def __init__(self, params: Any) -> None:
        self.person = str(params.get("person", "")).strip()
        self.user = str(params.get("user", "")).strip()
        self.unit = str(params.get("unit", "")).strip()
        self.since = _day(params.get("since"))
        self.until = _day(params.get("until"))
        self.problems: list[str] = []

    def apply(self, entries: QuerySet[AccessLog]) -> QuerySet[AccessLog]:
        if self.person:
            person = Person.objects.filter(
                Q(source_id=self.person) | Q(pk=id_param(self.person) or 0)
            ).first()
            if person is None:
                self.problems.append(_("No person has the id %(id)s.") % {"id": self.person})
                return entries.none()
            entries = entries & privacy.access_log_for_person(person)
        if self.user:
            entries = entries.filter(user__username=self.user)
        if id_param(self.unit) is not None:
            below = UnitVersion.objects.filter(unit_id=int(self.unit)).values_list(
                "path", flat=True
            )
            q = Q(pk__in=[])
            for path in below:
                q |= Q(path__startswith=path)
            units = set(UnitVersion.objects.filter(q).values_list("unit_id", flat=True))
            entries = entries & privacy.access_log_for_units(units | {int(self.unit)})
        if self.since:
            entries = entries.filter(at__gte=_start(self.since))
        if self.until:
            entries = entries.filter(at__lt=_start(self.until, 1))
        return entries

    def query(self) -> str:
        pairs = {
            "person": self.person,
            "user": self.user,
            "unit": self.unit,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return "&".join(f"{k}={v}" for k, v in pairs.items() if v)


def _day(text: object) -> date | None:
    """A day typed dd/mm/yyyy (or yyyy-mm-dd, as links carry it), or None."""
    value = str(text or "").strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    try:
        day, month, year = (int(part) for part in value.split("/"))
        return date(year, month, day)
    except ValueError:
        return None


def _start(day: date, plus_days: int = 0) -> datetime:
    moment = datetime.combine(day, time.min) + timedelta(days=plus_days)
    return timezone.make_aware(moment)


def _admin_only(request: HttpRequest) -> None:
    if not request_scope(request).is_everything(Action.VIEW_ACCESS_LOG):
        raise PermissionDenied(_("Only the administrator reads the whole access log."))


def access_log(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    filters = _Filters(request.GET)
    entries = filters.apply(privacy.access_log())
    page = Paginator(entries, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "register/access_log.html",
        {
            "nav": "access_log",
            "page": page,
            "rows": _rows(page.object_list),
            "whole": True,
            "filters": filters,
            "users": User.objects.order_by("username").values_list("username", flat=True),
        },
    )


def access_log_xlsx(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    filters = _Filters(request.GET)
    entries = list(filters.apply(privacy.access_log()))
    with translation.override("vi"):
        content = access_log_workbook(entries)
    logged = AccessLogPerson.objects.filter(log__in=[e.pk for e in entries])
    privacy.log_export(
        user=request.user,
        units=privacy.access_log_units([e.pk for e in entries]),
        persons=set(logged.values_list("person_id", flat=True)),
        where=privacy.Where.LOG_EXPORT,
        path=request.get_full_path(),
        description=f"Xuất nhật ký truy cập: {len(entries)} dòng",
        rows=len(entries),
    )
    return _xlsx(content, f"nhat-ky-truy-cap-{timezone.localdate():%Y%m%d}.xlsx")


def _rows(entries: Any) -> list[dict[str, Any]]:
    """Each entry with its persons (ids, at most ten shown) and units' names."""
    entries = list(entries)
    persons: dict[int, list[int]] = {}
    for log_id, person_id in AccessLogPerson.objects.filter(
        log__in=[e.pk for e in entries]
    ).values_list("log_id", "person_id"):
        persons.setdefault(log_id, []).append(person_id)
    return [{"entry": e, "persons": persons.get(e.pk, [])[:10]} for e in entries]
