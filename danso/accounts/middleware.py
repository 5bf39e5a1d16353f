"""Authentication on everything except the login page, the language switch and static
files; the end of a session left idle.  The API answers 401/403 itself (DRF) instead of
redirecting to the login page."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

#: Session key of the time of the session's last request, in seconds since the epoch.
LAST_SEEN = "danso_last_seen"
#: The time in LAST_SEEN is written again only when it is this many seconds old.
LAST_SEEN_RESOLUTION = 60


class LoginRequiredMiddleware(DjangoLoginRequired):
    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponseBase | None:
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class IdleTimeoutMiddleware:
    """Log out a session that has had no request for SESSION_IDLE_MINUTES: the commune's
    computers are shared, and a session left open is anybody's.

    The time of the last request is kept in the session and written again only when it is
    LAST_SEEN_RESOLUTION seconds old, so an active session is written about once a minute,
    not on every request; the timeout is exact to within that minute.  It is the real
    clock (``time.time``), not ``timezone.now``, which tests move about.

    An idle page is sent to the login page with a message (and back to where it was once
    logged in again); an htmx request is told to go there with ``HX-Redirect``, not given
    the login page to put inside the page.  On the API a session (browsable API, Swagger)
    is logged out the same way and DRF answers 401/403 itself; token authentication uses
    no session and is not touched.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_SEEN)
            if not isinstance(last, int | float):
                request.session[LAST_SEEN] = now
            elif now - last >= settings.SESSION_IDLE_MINUTES * 60:
                ended = self._end(request)
                if ended is not None:
                    return ended
            elif not 0 <= now - last < LAST_SEEN_RESOLUTION:  # stale, or the clock went back
                request.session[LAST_SEEN] = now
        return self.get_response(request)

    def _end(self, request: HttpRequest) -> HttpResponseBase | None:
        """Log the idle session out; the response that sends it to the login page, or None
        for the API, which goes on as an anonymous request."""
        logout(request)
        if request.path.startswith("/api/"):
            return None
        messages.info(
            request,
            _("You were logged out after a period without activity. Please log in again."),
        )
        login_url = resolve_url(settings.LOGIN_URL)
        if request.headers.get("HX-Request"):
            return HttpResponse(headers={"HX-Redirect": login_url})
        if request.method == "GET" and request.path != login_url:
            return redirect_to_login(request.get_full_path(), login_url)
        # What was posted is lost with the session; its address may accept only a POST.
        return HttpResponseRedirect(login_url)
