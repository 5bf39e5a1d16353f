"""Django's admin site behind danso's login.

The admin's own login form authenticated with the same backend but was a second door:
another page to guess passwords on, without danso's messages, shared-computer choice or
throttle.  Its login page now sends to danso's (with ``next`` kept), and only staff
(``is_staff``, active) enter the admin; anyone else logged in is refused with a 403."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache


class DansoAdminSite(admin.AdminSite):
    @method_decorator(never_cache)
    @login_not_required
    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        target = request.GET.get("next") or request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = ""
        target = target or reverse("admin:index", current_app=self.name)
        if not request.user.is_authenticated:
            return redirect_to_login(target, resolve_url(settings.LOGIN_URL))
        if not self.has_permission(request):
            raise PermissionDenied(_("Only staff may use the administration site."))
        return HttpResponseRedirect(target)
