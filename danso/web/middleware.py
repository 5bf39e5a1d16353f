"""Vietnamese first: the language is the one the person chose (the language switch sets a
cookie), else Vietnamese, whatever language the browser asks for.  A NUL refused.  A
request that only reads works out its scopes and trees once (``units.reading``)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

from danso.units.reading import reading


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.known = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.known else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RefuseNulMiddleware:
    """A NUL character in the address, the query string or a plain form's field is
    refused with 400 before any view runs: no text danso stores may hold one (PostgreSQL
    refuses it with an error, SQLite would keep it), and no header may carry one.  JSON
    bodies are checked by the API's fields; uploads by their readers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _carries_nul(request):
            message = str(_("The request holds a NUL character, which no field may contain."))
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _carries_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
        return True
    if any("\x00" in key or "\x00" in value for key, value in request.GET.items()):
        return True
    # Only a plain form: reading a multipart body here would fix its upload handlers
    # before the view may set its own limits (its fields are few, its files are read by
    # readers that refuse NUL themselves).
    content_type = request.META.get("CONTENT_TYPE", "")
    if request.method == "POST" and content_type.startswith("application/x-www-form-urlencoded"):
        return any(
            "\x00" in key or "\x00" in value
            for key, values in request.POST.lists()
            for value in values
        )
    return False


class ReadingMiddleware:
    """A request that only reads (GET, HEAD) works each answer of ``units.reading`` out
    once; a request that writes works each out afresh, as a role or a unit it changes may
    change them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with reading():
            return self.get_response(request)
