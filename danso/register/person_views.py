"""Screens of persons: a person's record (opened whole for a stated reason), the search,
and the records that may be one person, with their merge.

The lookups, the privacy rules they follow and the logging of reads are those of
``register.views``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from danso.accounts.context import request_scope, working_date
from danso.params import year_param
from danso.register import corrections, privacy, selectors
from danso.register.duplicates import duplicate_candidates, person_merge
from danso.register.rules import completed_years
from danso.register.search import person_find
from danso.register.views import _person, _sights
from danso.units.scope import Action

SEARCH_ROWS = 50  # persons listed by the search


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
            "can_edit": privacy.person_allows(scope, person, Action.EDIT_REGISTER, request.user),
            "trail": corrections.person_trail(person, full=me.sight.full),
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
