"""Screens of the register: the household books, and what every register screen shares.

Every read goes through the reader's scope (``accounts.context.request_scope``) and
``register.privacy``: a household, person or event the reader does not reach is 404; a
person is printed as ``privacy.Sights`` shows them (whole to the keepers of the book,
masked above the commune, whole again for a stated reason), and every page that shows
persons at a logged sight ends by logging them.  Every write goes through
``register.services``.

Here: the lookups every register screen uses (``_unit``, ``_household``, ``_person``,
``_sights``), the books one keeps or looks after, a book's households, closing a book's
year and its export.  The other screens are in ``household_views`` (a household sheet,
new households and members), ``person_views`` (a person, search, duplicates),
``collection_views`` (the monthly collection, its review and an event's page),
``import_views`` (uploading a book) and ``privacy_views`` (the access log).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from danso.accounts.context import request_scope, unit_in_scope, working_date
from danso.params import year_param
from danso.register import privacy, selectors, services
from danso.register.models import BookClosure, Collection, Household, Person
from danso.units import selectors as units
from danso.units.codes import Level
from danso.units.models import UnitVersion
from danso.units.scope import Action
from danso.vietnamese import fold


def _unit(request: HttpRequest, unit_id: int, action: Action = Action.VIEW_RECORDS) -> UnitVersion:
    version = unit_in_scope(unit_id, request_scope(request), action)
    if version.unit.level not in (Level.COMMUNE, Level.VILLAGE):
        raise Http404
    return version


def _household(
    request: HttpRequest, household_id: int, action: Action = Action.VIEW_RECORDS
) -> Household:
    """The household, if the reader reaches it (404 otherwise: its existence is not
    theirs to know) and may do ``action`` on it (403)."""
    household = get_object_or_404(Household, pk=household_id)
    scope = request_scope(request)
    if not privacy.household_allows(scope, household, Action.VIEW_RECORDS, request.user):
        raise Http404(_("No such household in your units."))
    if not privacy.household_allows(scope, household, action, request.user):
        raise PermissionDenied(_("You may not change this household."))
    return household


def _person(request: HttpRequest, person_id: int, action: Action = Action.VIEW_RECORDS) -> Person:
    """The person, if the reader reaches them (404) and may do ``action`` (403)."""
    person = get_object_or_404(Person, pk=person_id)
    scope = request_scope(request)
    if not privacy.person_allows(scope, person, Action.VIEW_RECORDS, request.user):
        raise Http404(_("No such person in your units."))
    if not privacy.person_allows(scope, person, action, request.user):
        raise PermissionDenied(_("You may not change this person's record."))
    return person


def _sights(request: HttpRequest) -> privacy.Sights:
    """The reader's sight on persons, with the full records they opened for a reason."""
    return privacy.Sights(
        request_scope(request), request.user, privacy.revealed_in(request.session)
    )


#: Books a page of the register's home page lists (a province reaches tens of thousands).
BOOKS_PAGE = 100
#: Households a page of a unit's list shows.
HOUSEHOLDS_PAGE = 50


def register_home(request: HttpRequest) -> HttpResponse:
    """The books one keeps or looks after: communes and villages with their households."""
    scope = request_scope(request)
    if not scope.allows_anywhere(Action.VIEW_RECORDS):
        raise PermissionDenied(_("Your role does not read person-level records."))
    every = UnitVersion.objects.filter(
        pk__in=units.visible_versions(scope, Action.VIEW_RECORDS)
        .filter(unit__level__in=[Level.COMMUNE, Level.VILLAGE])
        .values("pk")
    )
    page = Paginator(every.select_related("unit").order_by("path"), BOOKS_PAGE).get_page(
        request.GET.get("page")
    )
    books = list(page.object_list)
    counts = dict(
        Household.objects.filter(unit_id__in=[v.unit_id for v in books])
        .values_list("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    month = services.month_start(working_date(request))
    collections = {
        c.unit_id: c
        for c in Collection.objects.filter(unit_id__in=[v.unit_id for v in books], month=month)
    }
    return render(
        request,
        "register/home.html",
        {
            "nav": "register",
            "books": books,
            "page": page,
            "counts": counts,
            "month": month,
            "collections": collections,
            "can_accept": scope.allows_anywhere(Action.ACCEPT_COLLECTION),
        },
    )


def unit_households(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A book's households on the working day, a page at a time: those placed that day in
    the commune or its villages (or in the village), filtered by village and by number or
    head's name, each with its village, head and members that day."""
    version = _unit(request, unit_id)
    scope = request_scope(request)
    on = working_date(request)
    sight = privacy.unit_sight(scope, version)
    villages = (
        list(selectors.villages_on(version.unit_id, on))
        if version.unit.level == Level.COMMUNE
        else []
    )
    names = {v.unit_id: v.name for v in villages}
    names[version.unit_id] = version.name
    village = _int_param(request.GET.get("village"))
    if village is None or not villages:
        unit_ids = list(names)
    else:
        unit_ids = [village] if village in names and village != version.unit_id else []
    text = " ".join(request.GET.get("q", "").split())[:100]
    households = selectors.households_placed(
        privacy.households_visible(scope, request.user),
        unit_ids,
        on,
        number=text,
        # A name is looked for only by those who see names: initials would give it away.
        head=fold(text) if text and sight is privacy.Sight.FULL else "",
    )
    page = Paginator(households, HOUSEHOLDS_PAGE).get_page(request.GET.get("page"))
    sights = _sights(request)
    rows = selectors.household_rows(list(page.object_list), on)
    sights.prime(row.head for row in rows if row.head is not None)
    shown = [
        {
            "household": row.household,
            "village": "" if row.unit_id in (None, version.unit_id) else names.get(row.unit_id),
            "head": sights.show(row.head) if row.head is not None else None,
            "members": row.members,
        }
        for row in rows
    ]
    sights.log(where=privacy.Where.HOUSEHOLD_LIST, path=request.get_full_path())
    return render(
        request,
        "register/households.html",
        {
            "nav": "register",
            "version": version,
            "rows": shown,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=2, on_ends=1
            ),
            "ellipsis": Paginator.ELLIPSIS,
            "villages": villages,
            "village": village if village in names else None,
            "q": text,
            "sight": sight,
            "can_export": scope.allows(Action.VIEW_PERSONS, version),
            "can_see_log": scope.allows(Action.VIEW_ACCESS_LOG, version),
            "on": on,
            "can_edit": scope.allows(Action.EDIT_REGISTER, version),
            "ancestors": units.ancestors(version),
        },
    )


def _int_param(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def book_close(request: HttpRequest, unit_id: int) -> HttpResponse:
    commune = _unit(request, unit_id, Action.ACCEPT_COLLECTION)
    if request.method == "POST":
        try:
            services.book_close(
                commune=commune.unit,
                year=year_param(request.POST.get("year")) or 0,
                user=request.user,
            )
            messages.success(request, _("The book is closed for that year."))
        except (ValidationError, ValueError) as error:
            messages.error(request, str(error))
        return redirect(request.path)
    return render(
        request,
        "register/close.html",
        {
            "nav": "register",
            "commune": commune,
            "closures": BookClosure.objects.filter(unit=commune.unit).select_related("closed_by"),
            "year": timezone.localdate().year - 1,
        },
    )
