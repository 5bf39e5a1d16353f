"""Screens of a household: its sheet (phiếu hộ A0/CTV), a new household in a book, a new
member.

The lookups, the privacy rules they follow and the logging of reads are those of
``register.views``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from danso.accounts.context import request_scope, working_date
from danso.register import privacy, selectors, services
from danso.register.forms import HouseholdForm, PersonForm
from danso.register.models import METHOD_LABELS, Event, Household, Membership
from danso.register.rules import completed_years
from danso.register.sheet import MethodChange, method_by_month, months_back
from danso.register.views import _household, _sights, _unit
from danso.register.vocabulary import EventType, Sex
from danso.units import selectors as units
from danso.units.scope import Action

#: A household's changes shown on a page of its sheet, newest first.
EVENTS_PAGE = 50


def household_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    version = _unit(request, unit_id, Action.EDIT_REGISTER)
    form = HouseholdForm(request.POST or None, initial={"since": working_date(request)})
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(unit=version.unit, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("register:household", household.pk)
    return render(
        request,
        "register/form.html",
        {
            "nav": "register",
            "form": form,
            "title": _("New household in %(unit)s") % {"unit": version.name},
        },
    )


def household_detail(request: HttpRequest, household_id: int) -> HttpResponse:
    """The household sheet (phiếu hộ A0/CTV): members, the contraceptive grid of the
    women of reproductive age, the changes."""
    household = _household(request, household_id)
    scope = request_scope(request)
    on = working_date(request)
    members = list(selectors.members_on(household, on))
    sights = _sights(request)
    sights.prime(m.person_id for m in members)
    full = privacy.household_allows(scope, household, Action.VIEW_PERSONS, request.user)
    women = [
        m.person
        for m in members
        if m.person.sex == Sex.FEMALE and 15 <= completed_years(m.person.birth_date, on) <= 49
    ]
    months = months_back(on, 12)
    changes = Event.objects.filter(
        person__in=women,
        event_type__in=[EventType.CONTRACEPTION_START, EventType.CONTRACEPTION_STOP],
    ).values_list("person_id", "event_date", "event_type", "method")
    by_woman: dict[int, list[MethodChange]] = {}
    for person_id, day, kind, method in changes:
        by_woman.setdefault(person_id, []).append(
            MethodChange(day, kind == EventType.CONTRACEPTION_START, method)
        )
    grid = [(sights.show(w), method_by_month(by_woman.get(w.pk, []), months)) for w in women]
    page = Paginator(
        privacy.events_visible(scope, request.user)
        .filter(person__memberships__household=household)
        .distinct()
        .select_related("person")
        .order_by("-event_date", "-pk"),
        EVENTS_PAGE,
    ).get_page(request.GET.get("page"))
    events = [(event, sights.show(event.person)) for event in page]
    rows = [(member, sights.show(member.person)) for member in members]
    history = _household_history(household, sights) if full else []
    sights.log(where=privacy.Where.HOUSEHOLD_PAGE, path=request.get_full_path())
    return render(
        request,
        "register/household.html",
        {
            "nav": "register",
            "household": household,
            "members": rows,
            "full": full,
            "grid": grid,
            "months": months,
            "events": events,
            "page": page,
            "on": on,
            "method_labels": {str(k): v for k, v in METHOD_LABELS.items()},
            "can_edit": privacy.household_allows(
                scope, household, Action.EDIT_REGISTER, request.user
            ),
            "version": units.versions_on(on).filter(unit_id=household.unit_id).first(),
            "history": history,
        },
    )


def _household_history(
    household: Household, sights: privacy.Sights, limit: int = 30
) -> list[tuple[Any, str]]:
    """The audit trail of a household: its own record and its members' stays, latest
    first, each with what it is about (a member who left is named as the reader may see
    them: by initials, once out of the reader's reach)."""
    own = household.history.select_related("history_user").order_by("-history_date")[:limit]
    stays = (
        Membership.history.filter(household_id=household.pk)
        .select_related("history_user", "person")
        .order_by("-history_date")[:limit]
    )
    rows: list[tuple[Any, str]] = [(h, str(_("Household"))) for h in own]
    rows += [(h, _("Member: %(name)s") % {"name": sights.show(h.person).name}) for h in stays]
    rows.sort(key=lambda row: row[0].history_date, reverse=True)
    return rows[:limit]


def person_add(request: HttpRequest, household_id: int) -> HttpResponse:
    household = _household(request, household_id, Action.EDIT_REGISTER)
    form = PersonForm(request.POST or None, initial={"registered_on": working_date(request)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        registered_on = data.pop("registered_on")
        try:
            services.person_add(
                household=household,
                registered_on=registered_on,
                data=services.PersonInput(**data),
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("register:household", household.pk)
    return render(
        request,
        "register/form.html",
        {
            "nav": "register",
            "form": form,
            "title": _("Add a member to household %(n)s") % {"n": household},
        },
    )
