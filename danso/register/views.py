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
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from danso.accounts.context import request_scope, unit_in_scope, working_date
from danso.params import year_param
from danso.register import privacy, services
from danso.register.models import BookClosure, Collection, Household, Membership, Person
from danso.units import selectors as units
from danso.units.codes import Level
from danso.units.models import UnitVersion
from danso.units.scope import Action


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
HOUSEHOLDS_PAGE = 200


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
    version = _unit(request, unit_id)
    scope = request_scope(request)
    on = working_date(request)
    households = (
        privacy.households_visible(scope, request.user)
        .filter(Q(unit_id=version.unit_id) | Q(unit__versions__parent_id=version.unit_id))
        .distinct()
        .order_by("number", "pk")
    )
    sights = _sights(request)
    page = Paginator(households, HOUSEHOLDS_PAGE).get_page(request.GET.get("page"))
    shown_households = list(page.object_list)
    heads = {
        m.household_id: sights.show(m.person)
        for m in Membership.objects.filter(
            household__in=shown_households, relation="chu_ho", valid_to__isnull=True
        ).select_related("person")
    }
    sights.log(where=privacy.Where.HOUSEHOLD_LIST, path=request.get_full_path())
    sizes = dict(
        Membership.objects.filter(household__in=shown_households, valid_to__isnull=True)
        .values_list("household_id")
        .annotate(n=Count("pk"))
        .values_list("household_id", "n")
    )
    return render(
        request,
        "register/households.html",
        {
            "nav": "register",
            "version": version,
            "households": shown_households,
            "page": page,
            "heads": heads,
            "sizes": sizes,
            "sight": privacy.unit_sight(scope, version),
            "can_export": scope.allows(Action.VIEW_PERSONS, version),
            "can_see_log": scope.allows(Action.VIEW_ACCESS_LOG, version),
            "on": on,
            "can_edit": scope.allows(Action.EDIT_REGISTER, version),
            "ancestors": units.ancestors(version),
        },
    )


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
