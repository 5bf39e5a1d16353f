"""Screens of persons: a person's record (opened whole for a stated reason), the search,
and the records that may be one person, with their merge.

The lookups, the privacy rules they follow and the logging of reads are those of
``register.views``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from danso.accounts.context import request_scope, working_date
from danso.params import year_param
from danso.register import corrections, jobs, privacy, selectors
from danso.register.duplicate_tasks import search_latest, search_start
from danso.register.duplicates import (
    candidate_dismiss,
    candidate_merge,
    candidates_open,
    of_unit,
    person_merge,
)
from danso.register.models import DuplicateCandidate, Membership, Person
from danso.register.rules import completed_years
from danso.register.search import person_find
from danso.register.views import _person, _sights
from danso.units.models import Unit, UnitVersion, valid_on
from danso.units.scope import Action, UnitScope

SEARCH_ROWS = 50  # persons listed by the search
DUPLICATES_PAGE = 50  # pairs on a page of the duplicates


def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    """A person: identity, stays, events, and the record's changes.  Above the commune
    the record is masked and the read logged; a stated reason opens it whole
    (``person_reveal``), logged with the reason."""
    merged = Person.objects.filter(pk=person_id, merged_into__isnull=False).first()
    if merged is not None:
        return _merged_away(request, merged)
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
            "can_edit": privacy.person_allows(scope, person, Action.EDIT_REGISTER, request.user),
            "trail": corrections.person_trail(person, full=me.sight.full),
            "age": completed_years(person.birth_date, working_date(request)),
        },
    )


def _merged_away(request: HttpRequest, person: Person) -> HttpResponse:
    """A record merged into another (``duplicates.person_merge``): the page says so and
    links to the record kept, to a reader who may see that one; to anyone else it is a
    record they do not reach (404, a neutral message)."""
    kept = person
    for _hop in range(10):  # a merge points every earlier record to the last one kept
        if kept.merged_into is None:
            break
        kept = kept.merged_into
    scope = request_scope(request)
    if kept.merged_into_id is not None or not privacy.person_allows(
        scope, kept, Action.VIEW_RECORDS, request.user
    ):
        return render(
            request, "register/merged.html", {"nav": "register", "kept": None}, status=404
        )
    sights = _sights(request)
    shown = sights.show(kept)
    sights.log(where=privacy.Where.PERSON_PAGE, path=request.get_full_path())
    merged = person.extra.get("merged") if isinstance(person.extra, dict) else None
    at = merged.get("at") if isinstance(merged, dict) else None
    return render(
        request,
        "register/merged.html",
        {
            "nav": "register",
            "person": person,
            "kept": kept,
            "shown": shown,
            "merged_at": parse_datetime(at) if isinstance(at, str) else None,
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


def search(request: HttpRequest) -> HttpResponse:
    """Persons by name (accents optional, typos tolerated), birth year, household or ID:
    the best first, each with why it was found, and a notice when the list was cut."""
    scope = request_scope(request)
    if not scope.allows_anywhere(Action.VIEW_RECORDS):
        raise PermissionDenied(_("Your role does not read person-level records."))
    query = request.GET.get("q", "").strip()
    year = request.GET.get("year", "").strip()
    household = request.GET.get("household", "").strip()
    birth_year = year_param(year)
    found = (
        person_find(
            query,
            scope,
            user=request.user,
            birth_year=birth_year,
            household=household or None,
            limit=SEARCH_ROWS,
        )
        if query or birth_year is not None or household
        else None
    )
    hits = found.hits if found else []
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
            "household": household,
            "hits": hits,
            "found": found,
        },
    )


def _duplicate_roots(scope: UnitScope) -> list[int | None]:
    """The units whose duplicates the reader looks after: those of their grants to edit
    the register (None: the whole register)."""
    roots: list[int | None] = []
    for path in scope.paths(Action.EDIT_REGISTER):
        root = int(path.rstrip(".").rsplit(".", 1)[-1]) if path else None
        if root not in roots:
            roots.append(root)
    return roots


def duplicates(request: HttpRequest) -> HttpResponse:
    """The pairs of records that may be one person in one of the reader's units, as the
    last background search found them (``duplicate_tasks``), a page at a time: merge one
    into the other (both histories kept; when both records live in a household now, the
    officer says which stay goes on), say "not the same person" with a reason, or search
    again."""
    scope = request_scope(request)
    if not scope.allows_anywhere(Action.EDIT_REGISTER):
        raise PermissionDenied(_("You may not merge records."))
    roots = _duplicate_roots(scope)
    asked = request.POST.get("unit") if request.method == "POST" else request.GET.get("unit")
    unit_id = next((r for r in roots if asked and str(r) == asked), roots[0])
    if request.method == "POST":
        _duplicates_post(request, unit_id)
        there = reverse("register:duplicates")
        return redirect(f"{there}?unit={unit_id}" if unit_id else there)
    page = Paginator(candidates_open(unit_id), DUPLICATES_PAGE).get_page(request.GET.get("page"))
    pairs = list(page.object_list)
    sights = _sights(request)
    sights.prime(p for pair in pairs for p in (pair.first, pair.second))
    homes = _current_homes([p for pair in pairs for p in (pair.first_id, pair.second_id)])
    rows = []
    for pair in pairs:
        if sights.of(pair.first) is privacy.Sight.NONE or sights.of(pair.second) is (
            privacy.Sight.NONE
        ):
            rows.append({"pair": pair, "gone": True})
            continue
        first, second = sights.show(pair.first), sights.show(pair.second)
        both = pair.first_id in homes and pair.second_id in homes
        rows.append(
            {
                "pair": pair,
                "first": first,
                "second": second,
                "homes": (homes[pair.first_id], homes[pair.second_id]) if both else None,
            }
        )
    sights.log(where=privacy.Where.DUPLICATES, path=request.get_full_path())
    latest = search_latest(unit_id)
    names = dict(
        UnitVersion.objects.filter(valid_on(scope.on), unit_id__in=[r for r in roots if r])
        .order_by("path")
        .values_list("unit_id", "name")
    )
    return render(
        request,
        "register/duplicates.html",
        {
            "nav": "register",
            "rows": rows,
            "page": page,
            "unit_id": unit_id,
            "units": [(r, names.get(r, "") if r else _("The whole register")) for r in roots],
            "latest": latest,
            "searching": latest is not None and latest.status not in jobs.FINISHED,
            "on": working_date(request),
        },
    )


def _current_homes(person_ids: list[int]) -> dict[int, str]:
    """The household (its number) of each person's current stay, for those who have one:
    one query for a page."""
    stays = Membership.objects.filter(person_id__in=person_ids, valid_to__isnull=True)
    return {
        person: number or source
        for person, number, source in stays.order_by("valid_from", "pk").values_list(
            "person_id", "household__number", "household__source_id"
        )
    }


def _duplicates_post(request: HttpRequest, unit_id: int | None) -> None:
    """Search again, dismiss a pair, or merge (a kept pair, or two records named)."""
    action = request.POST.get("action", "merge")
    reason = request.POST.get("reason", "").strip()
    if action == "search":
        search_start(
            unit=Unit.objects.get(pk=unit_id) if unit_id else None,
            user=request.user,
            on=working_date(request),
        )
        messages.info(request, _("The search has started; this page shows the pairs when it ends."))
        return
    candidate = None
    if request.POST.get("candidate"):
        candidate = get_object_or_404(
            DuplicateCandidate.objects.select_related("first", "second"),
            of_unit(unit_id),
            pk=_number(request.POST.get("candidate")),
        )
    try:
        if action == "dismiss":
            if candidate is None:
                raise Http404
            for pk in (candidate.first_id, candidate.second_id):
                _person(request, pk, Action.EDIT_REGISTER)
            candidate_dismiss(candidate=candidate, user=request.user, reason=reason)
            messages.success(request, _("The pair is closed as two different persons."))
            return
        keep = _person(request, _number(request.POST.get("keep")), Action.EDIT_REGISTER)
        continuing = None
        if request.POST.get("continuing"):
            continuing = _person(
                request, _number(request.POST.get("continuing")), Action.EDIT_REGISTER
            )
        on = working_date(request)
        if candidate is not None:
            other = candidate.second_id if keep.pk == candidate.first_id else candidate.first_id
            _person(request, other, Action.EDIT_REGISTER)
            candidate_merge(
                candidate=candidate,
                keep=keep,
                user=request.user,
                reason=reason or _("duplicate"),
                continuing=continuing,
                on=on,
            )
        else:
            merge = _person(request, _number(request.POST.get("merge")), Action.EDIT_REGISTER)
            person_merge(
                keep=keep,
                merge=merge,
                user=request.user,
                reason=reason or _("duplicate"),
                continuing=continuing,
                on=on,
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The two records are one person now; both histories are kept."))


def _number(text: str | None) -> int:
    """A posted id: 404 when it is not a number."""
    try:
        return int(text or "")
    except ValueError as error:
        raise Http404 from error
