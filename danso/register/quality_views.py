"""The data-quality screen of a commune or a district (issue 14): the doubtful entries
the rules flagged, the months far from the same month of earlier years, each with a
follow-up mark and a note, and the open flags per collaborator.

Who: the screen asks for the right to read records on the commune or district (the
officers of the commune, the district and the province, as the register's other
screens); setting a mark asks for the right to edit the register there (commune and
district officers).  A flag of a unit the reader does not reach is 404.

Names: a flag's person is named only to a reader who sees them in full (the keepers
of the book: ``privacy.Sight.FULL``); anyone else sees the kind of entry and a link to
its page, which masks and logs as it always does; an ID number in a rule's message is
cut likewise.  So this screen prints no personal data at a logged sight, and logs
nothing itself.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from danso.accounts.context import request_scope, unit_in_scope, working_date
from danso.register import privacy, quality
from danso.register.flagging import rule_message
from danso.register.models import EVENT_LABELS, Flag
from danso.register.outliers import THRESHOLDS, Score
from danso.register.rules import RULES
from danso.register.vocabulary import EventType
from danso.units import selectors as units
from danso.units.codes import Level
from danso.units.models import UnitVersion
from danso.units.scope import Action

#: The rules' short names, for the list and its filter.
RULE_NAMES = {
    "birth_order_mismatch": gettext_lazy("Birth order not borne out by the register"),
    "stop_without_start": gettext_lazy("Method stopped but never started"),
    "id_number_shape": gettext_lazy("ID number of the wrong shape"),
    "id_number_used": gettext_lazy("ID number shared with another person"),
    "age_over_110": gettext_lazy("Aged over 110"),
    "child_marriage": gettext_lazy("Marriage under the legal age (child marriage)"),
}
SCORE_NAMES = {
    Score.MODIFIED_Z: gettext_lazy("Modified z-score (median)"),
    Score.Z: gettext_lazy("z-score (mean)"),
}


def rule_name(code: str) -> str:
    name = RULE_NAMES.get(code)
    if name is not None:
        return str(name)
    try:
        return str(EVENT_LABELS[EventType(code)])
    except ValueError:
        return code


def _area(request: HttpRequest, unit_id: int, action: Action = Action.VIEW_RECORDS) -> UnitVersion:
    """The commune or district, if the reader may do ``action`` there."""
    version = unit_in_scope(unit_id, request_scope(request), action)
    if version.unit.level not in (Level.COMMUNE, Level.DISTRICT):
        raise Http404(_("The data-quality screen is for a commune or a district."))
    return version


def _int(text: str | None, low: int, high: int) -> int | None:
    try:
        value = int(str(text or "").strip())
    except ValueError:
        return None
    return value if low <= value <= high else None


def _filters(
    request: HttpRequest, version: UnitVersion, on: date, places: list[UnitVersion]
) -> tuple[quality.Filters, list[str]]:
    """The filters of the query string; the values not understood, in words."""
    query = request.GET
    problems: list[str] = []
    rule = query.get("rule", "")
    if rule and rule not in quality.WARNING_RULES:
        problems.append(_("Unknown rule “%(value)s”: every rule is shown.") % {"value": rule})
        rule = ""
    status = query.get("status", "")
    if status and status not in Flag.Status.values:
        problems.append(_("Unknown follow-up “%(value)s”: every one is shown.") % {"value": status})
        status = ""
    year = _int(query.get("year"), 1900, 2200)
    if query.get("year") and year is None:
        problems.append(_("The year must be a number such as %(year)s.") % {"year": on.year})
    month = _int(query.get("month"), 1, 12)
    if query.get("month") and month is None:
        problems.append(_("The month must be a number from 1 to 12."))
    place = None
    if query.get("place"):
        wanted = _int(query.get("place"), 1, 2**31)
        place = next((p for p in places if p.unit_id == wanted), None)
        if place is None:
            problems.append(_("That place is not under %(unit)s.") % {"unit": version.name})
    return quality.Filters(rule, status, year, month if year else None, place), problems


def _row(flag: Flag, sights: privacy.Sights, can_follow: bool) -> dict[str, Any]:
    """What a row of the list prints of ``flag`` for this reader."""
    event = flag.event
    person = event.person if event is not None else flag.person
    sight = sights.of(person) if person is not None else privacy.Sight.NONE
    full = sight is privacy.Sight.FULL
    rule = RULES.get(flag.rule)
    params = dict(flag.params or {})
    if not full and "value" in params:
        params["value"] = privacy.masked_id(str(params["value"])) or "—"
    return {
        "flag": flag,
        "name": rule_name(flag.rule),
        "message": rule_message(rule.message, params) if rule else flag.rule,
        "event": event,
        "event_label": EVENT_LABELS.get(EventType(event.event_type)) if event else None,
        "person": person if person is not None else None,
        "person_name": person.full_name if full and person is not None else "",
        "collaborator": getattr(flag, "collaborator", None),
        "can_follow": can_follow,
        "statuses": Flag.Status.choices,
    }


def quality_screen(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The data-quality screen of a commune or a district."""
    version = _area(request, unit_id)
    scope = request_scope(request)
    on = working_date(request)
    places = quality.places_under(version, on)
    filters, problems = _filters(request, version, on, places)
    for problem in problems:
        messages.warning(request, problem)
    can_follow = scope.allows(Action.EDIT_REGISTER, version)
    flags = quality.flags_under(version, on, filters)
    page = Paginator(flags, quality.PAGE).get_page(request.GET.get("page"))
    shown = quality.page_rows(list(page.object_list))
    sights = privacy.Sights(scope, request.user)
    sights.prime([p for f in shown if (p := _person_id(f)) is not None])
    rows = [_row(flag, sights, can_follow) for flag in shown]
    ids = quality.units_under(version, on)
    year = filters.year or quality.latest_year(ids, on)
    score = Score.Z if request.GET.get("score") == Score.Z else Score.MODIFIED_Z
    outlying = quality.outliers(version, on, year=year, score=score)
    return render(
        request,
        "register/quality.html",
        {
            "nav": "register",
            "version": version,
            "on": on,
            "rows": rows,
            "page": page,
            "filters": filters,
            "rules": [(code, rule_name(code)) for code in quality.WARNING_RULES],
            "statuses": Flag.Status.choices,
            "places": places,
            "by_collaborator": quality.by_collaborator(version, on),
            "by_rule": [
                (code, rule_name(code), n_open, total)
                for code, (n_open, total) in quality.by_rule(version, on).items()
            ],
            "outliers": [_outlier(row, can_follow) for row in outlying],
            "year": year,
            "score": score,
            "scores": [(s.value, SCORE_NAMES[s]) for s in Score],
            "threshold": THRESHOLDS[score],
            "can_follow": can_follow,
            "months": range(1, 13),
            "ancestors": units.ancestors(version),
        },
    )


def _person_id(flag: Flag) -> int | None:
    if flag.event is not None:
        return flag.event.person_id
    return flag.person_id


def _outlier(row: quality.OutlierRow, can_follow: bool) -> dict[str, Any]:
    return {
        "row": row,
        "label": EVENT_LABELS[EventType(row.tally)],
        "key": f"{row.tally}-{row.month:%Y-%m}",
        "can_follow": can_follow,
        "statuses": Flag.Status.choices,
    }


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(wanted)
    return redirect(fallback)


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def flag_follow(request: HttpRequest, flag_id: int) -> HttpResponse:
    """Set a flag's follow-up mark and note (POST; htmx answers the row)."""
    if request.method != "POST":
        raise Http404(_("This address only saves a follow-up."))
    flag = get_object_or_404(Flag, pk=flag_id, kind=Flag.Kind.RULE)
    scope = request_scope(request)
    try:
        version = unit_in_scope(flag.unit_id, scope, Action.VIEW_RECORDS)
    except (PermissionDenied, Http404) as refused:
        raise Http404(_("No such entry in your units.")) from refused
    if not scope.allows(Action.EDIT_REGISTER, version):
        raise PermissionDenied(_("You may not follow up the entries of this unit."))
    error = ""
    try:
        quality.flag_follow(
            flag=flag,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
            user=request.user,
        )
    except ValidationError as problem:
        error = " ".join(problem.messages)
        flag.refresh_from_db()
    if _htmx(request):
        row = quality.page_rows([flag])[0]
        sights = privacy.Sights(scope, request.user)
        return render(
            request,
            "register/_quality_row.html",
            {"r": _row(row, sights, True), "error": error, "saved": not error},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Follow-up saved."))
    return _back(request, reverse("register:households", args=[flag.unit_id]))


def outlier_follow(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Mark an outlying month of a tally (POST; htmx answers the row)."""
    if request.method != "POST":
        raise Http404(_("This address only saves a follow-up."))
    version = _area(request, unit_id, Action.EDIT_REGISTER)
    on = working_date(request)
    tally = request.POST.get("tally", "")
    error = ""
    try:
        year, month = (int(x) for x in request.POST.get("month", "").split("-"))
        first = date(year, month, 1)
    except ValueError:
        first = None
        error = _("The month must be written as YYYY-MM.")
    score = Score.Z if request.POST.get("score") == Score.Z else Score.MODIFIED_Z
    row = None
    if first is not None:
        row = next(
            (
                r
                for r in quality.outliers(version, on, year=first.year, score=score)
                if r.tally == tally and r.month == first
            ),
            None,
        )
        if row is None:
            error = _("%(month)s is not an outlier of this figure: nothing was marked.") % {
                "month": f"{first:%m/%Y}"
            }
    if row is not None:
        try:
            row.flag = quality.outlier_follow(
                version=version,
                tally=tally,
                month=row.month,
                status=request.POST.get("status", ""),
                note=request.POST.get("note", ""),
                user=request.user,
                judgement=row.judgement,
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
    if _htmx(request) and row is not None:
        return render(
            request,
            "register/_quality_outlier.html",
            {"o": _outlier(row, True), "error": error, "saved": not error, "version": version},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Follow-up saved."))
    return _back(request, reverse("register:quality", args=[version.unit_id]))
