"""The shell: home page, the date being looked at, login, error pages."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from danso.accounts.context import remember_date, request_scope, working_date
from danso.accounts.models import RoleAssignment
from danso.accounts.selectors import role_reaches
from danso.plans.communication import days_between
from danso.plans.models import Activity
from danso.plans.selectors import Access, plans_visible
from danso.population.selectors import figures_visible
from danso.register.collection_views import returned_months
from danso.register.selectors import last_event_day
from danso.units import selectors as units
from danso.web import worklist
from danso.web.forms import DateForm, LoginForm


def home(request: HttpRequest) -> HttpResponse:
    """Where a person lands: first what waits for them in their units on the day looked at
    (``worklist``), then their units, roles and recent changes."""
    scope = request_scope(request)
    roots = units.scope_roots(scope)
    counts = {root.unit_id: units.level_counts(root, scope) for root in roots[:6]}
    roles = (
        list(request.user.roles.select_related("unit").order_by("-valid_from"))
        if request.user.is_authenticated
        else []
    )
    held = [r for r in roles if r.valid_from <= timezone.localdate() and not _ended(r)]
    return render(
        request,
        "web/home.html",
        {
            "nav": "home",
            "work": worklist.work_list(scope, request.user) if roots else None,
            "due_within": worklist.DUE_WITHIN,
            "roots": roots[:HOME_ROOTS],
            "roots_total": len(roots),
            "counts": counts,
            "roles": roles,
            "reaches": role_reaches(held, scope.on),
            "changes": units.recent_changes(scope, limit=HOME_CHANGES),
            "figure_count": figures_visible(scope).count(),
            **_reminders(request),
            **returned_months(request),
        },
    )


#: Units listed on the home page; a role at a closed district reaches hundreds of groups.
HOME_ROOTS = 30
#: Recent structural changes listed below the work list.
HOME_CHANGES = 5


def _ended(role: RoleAssignment) -> bool:
    return role.valid_to is not None and role.valid_to < timezone.localdate()


def _reminders(request: HttpRequest) -> dict[str, object]:
    """In-app reminders: communication days of the next 30 days, overdue activities of the
    plans one may change."""
    today = timezone.localdate()
    plans = [
        p
        for p, access in plans_visible(request.user)
        if access is Access.EDIT and p.period_end >= today.year - 1
    ]
    overdue = [
        a
        for a in Activity.objects.filter(plan__in=plans).select_related("plan")
        if a.is_overdue(today)
    ]
    return {
        "upcoming_days": days_between(today, today + timedelta(days=30)),
        "overdue_activities": overdue[:10],
    }


@require_POST
def set_date(request: HttpRequest) -> HttpResponse:
    form = DateForm(request.POST)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/"
    # A page's own ?date= would override the choice: drop it from where we go back to.
    path, _sep, query = target.partition("?")
    kept = "&".join(p for p in query.split("&") if p and not p.startswith("date="))
    target = f"{path}?{kept}" if kept else path
    if not form.is_valid():
        messages.error(request, _("Write the date as dd/mm/yyyy."))
        return HttpResponseRedirect(target)
    preset = form.cleaned_data["preset"]
    chosen: date | None = form.cleaned_data["date"]
    if preset == "today":
        chosen = timezone.localdate()
    elif preset:
        try:
            chosen = date.fromisoformat(preset)
        except ValueError:
            chosen = None
    remember_date(request, chosen)
    return HttpResponseRedirect(target)


def last_data(request: HttpRequest) -> HttpResponse:
    """The date picker's chip (htmx, after the page): the last day the reader's register
    has an event, to move there, and whether the year looked at has none."""
    on = working_date(request)
    last = last_event_day(request_scope(request))
    return render(
        request,
        "web/_last_data.html",
        {"last": last, "on": on, "empty_year": last is not None and last.year < on.year},
    )


class LoginView(auth_views.LoginView):
    """Django's login, with the choice "Máy dùng chung" (``shared_computer``): the session
    then ends when the browser is closed.  Otherwise it ends a working day
    (SESSION_COOKIE_AGE) after the login however active it is, since the idle timeout
    writes the session about once a minute and Django would push its end back each time.
    """

    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        # Set after logging in: a login as another user starts a new, empty session.
        if self.request.POST.get("shared_computer"):
            self.request.session.set_expiry(0)
        else:
            self.request.session.set_expiry(timedelta(seconds=settings.SESSION_COOKIE_AGE))
        return response


login_view = login_not_required(LoginView.as_view())


def _api_error(request: HttpRequest, status: int, message: str) -> HttpResponse | None:
    """Under /api/ an error is JSON, as the API documents it (``danso.api_schema``)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return None


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    api = _api_error(request, 403, str(exception) if exception and str(exception) else "")
    if api is not None:
        return api
    return render(
        request,
        "web/error.html",
        {
            "title": _("Not allowed"),
            "message": str(exception)
            if exception and str(exception)
            else _("This is outside the units you may see or change."),
        },
        status=403,
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    api = _api_error(request, 404, _("There is nothing at this address."))
    if api is not None:
        return api
    return render(
        request,
        "web/error.html",
        {
            "title": _("Not found"),
            "message": _("There is nothing at this address."),
        },
        status=404,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, in the language of the request (Vietnamese unless English was chosen).

    Rendered without the request's context, as Django's own handler does: the context
    processors read the database and the session, which may be what failed."""
    api = _api_error(
        request,
        500,
        _(
            "The server could not complete this request. Try again in a few minutes; "
            "if it happens again, tell the system administrator."
        ),
    )
    if api is not None:
        return api
    page = loader.get_template("web/500.html").render(
        {
            "title": _("Server error"),
            "message": _(
                "The server could not complete this request. Try again in a few minutes; "
                "if it happens again, tell the system administrator."
            ),
        }
    )
    return HttpResponse(page, status=500)
