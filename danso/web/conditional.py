"""HTTP conditional GET for the pages that rest on the figures: ``ETag``, and ``304 Not
Modified`` to a browser that already holds the page, without computing the figures.

A page's tag rests on everything its content is a function of, read before its view
runs:

- the figures: ``FiguresEpoch``, which every change to what figures rest on moves on at
  commit (``indicators.cache``);
- what the page shows besides the figures, as its view names it (``MARK``: the labels of
  the models whose rows it shows; the view's app may not import this shell, so the mark
  is a plain attribute): for each, the last id of its table and of its history table
  (django-simple-history writes a row there on every save and delete), so that an edit,
  an insert or a deletion changes the tag;
- the reader: the user's id and the fields of them a page shows, the working date of the
  session, today's date (roles count if held today), the CSRF secret (the page's forms
  carry a token of it) and the language;
- the address with its query string, and the code that renders it (the files of the
  ``danso`` package: an upgrade changes every tag).

All but the reader's fields are read with one query.  The tag is an HMAC of them under
the secret key, so it tells nothing and cannot be made up for another reader.

A ``304`` is refused (the view runs as usual) when the session has just changed (the
response would set its cookie), when Django messages are waiting (the page would show
them) and when the CSRF cookie is new or renewed; a page shown with messages, or whose
view set a cookie or a new CSRF secret (a first visit: its forms' tokens are of a secret
the request did not hold), gets no tag.

The Content-Security-Policy's nonce.  A browser keeps the headers of a ``304`` in place
of those it stored (RFC 9111, 4.3.4), so a ``304`` carrying a new nonce would block the
inline scripts of the page it keeps.  The tag therefore ends with the nonce of the page it
was given with (``W/"<digest>.<nonce>"``); the ``304`` repeats that nonce in its policy,
which is the one the browser already holds.

Responses with a tag say ``Cache-Control: private, no-cache``: kept by the browser only,
and asked for again each time.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponseBase, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags

from danso.indicators import pages
from danso.web.security import NONCE, policy

#: The attribute of a view function holding the labels of the models its page shows
#: besides the figures (``("plans.Plan", "plans.Target")``); views without it are left
#: alone.
MARK = "danso_revalidate"
CACHE_CONTROL = "private, no-cache"
_SALT = "danso.web.conditional"
#: A nonce as ``security`` makes them (``secrets.token_urlsafe``); anything else read back
#: from a request is no nonce of ours.
_NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
_ATTRIBUTE = "_danso_conditional"


# ----------------------------------------------------------------------------- the tag


@dataclass(frozen=True)
class Tag:
    """A page's tag: what its content rests on (``digest``) and the nonce of its inline
    scripts (empty without one)."""

    digest: str
    nonce: str = ""

    def header(self) -> str:
        return f'W/"{self.digest}.{self.nonce}"' if self.nonce else f'W/"{self.digest}"'


def digest_of(parts: Sequence[object]) -> str:
    """The HMAC of ``parts`` under the secret key (a different key, different tags)."""
    return pages.digest_of(parts, _SALT)


def held(if_none_match: str, digest: str) -> Tag | None:
    """The tag of ``If-None-Match`` that carries ``digest`` (weak comparison), None when
    none does.  A nonce that is none of ours makes the tag no match."""
    for etag in parse_etags(if_none_match):
        text = etag.removeprefix("W/").strip('"')
        found, _dot, nonce = text.partition(".")
        if not hmac.compare_digest(found, digest):
            continue
        if nonce and not _NONCE.fullmatch(nonce):
            continue
        return Tag(digest, nonce)
    return None


# ----------------------------------------------------------------------------- what it rests on


def reader(request: HttpRequest) -> tuple[object, ...]:
    """What a page shows of its reader, or decides by them: the user (id, names, the
    flags that make a scope)."""
    user = request.user
    return (
        user.pk,
        getattr(user, "username", ""),
        getattr(user, "display_name", ""),
        getattr(user, "is_active", False),
        getattr(user, "is_superuser", False),
        getattr(user, "is_staff", False),
    )


def page_digest(request: HttpRequest, labels: Sequence[str], csrf_secret: str) -> str:
    """The digest of the page ``request`` asks for (see the module docstring): what any
    reader's page at its address rests on (``pages.page_parts``: the code, the address,
    the versions, the working date, today, the language), the reader and the CSRF
    secret."""
    return digest_of((*pages.page_parts(request, labels), reader(request), csrf_secret))


# ----------------------------------------------------------------------------- refusals


def _has_messages(request: HttpRequest) -> bool:
    """Messages waiting to be shown (counted without marking them shown)."""
    return hasattr(request, "_messages") and len(get_messages(request)) > 0


def _sets_cookies(request: HttpRequest) -> bool:
    """Whether the response would set a cookie whatever the view does: a session changed
    before the view (the working date moved, the idle timer written), a CSRF cookie new
    or renewed."""
    session = getattr(request, "session", None)
    return bool(
        (session is not None and session.modified) or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


# ----------------------------------------------------------------------------- middleware


@dataclass(frozen=True)
class _Asked:
    digest: str
    csrf_secret: str


class ConditionalGetMiddleware:
    """``ETag`` and ``304`` for the views marked with ``MARK`` (GET and HEAD).  Placed after
    the middleware that decide who may see a page (login, idle timeout): a ``304`` is
    given only where the view would have answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        asked: _Asked | None = getattr(request, _ATTRIBUTE, None)
        if asked is not None and self._may_tag(request, response, asked):
            response["ETag"] = Tag(asked.digest, getattr(request, NONCE, "")).header()
            patch_cache_control(response, private=True, no_cache=True)
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponseBase | None:
        labels: Sequence[str] | None = getattr(view_func, MARK, None)
        if labels is None or request.method not in ("GET", "HEAD"):
            return None
        secret = request.META.get("CSRF_COOKIE", "")
        if _has_messages(request):
            return None  # no tag: the page shows what the tag does not rest on
        digest = page_digest(request, labels, secret)
        setattr(request, _ATTRIBUTE, _Asked(digest, secret))
        tag = held(request.headers.get("If-None-Match", ""), digest)
        if tag is None or _sets_cookies(request):
            return None
        return not_modified(tag)

    @staticmethod
    def _may_tag(request: HttpRequest, response: HttpResponseBase, asked: _Asked) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "ETag" not in response
            and "Cache-Control" not in response
            # a page given a new CSRF secret (its forms' tokens) is not the one tagged
            and request.META.get("CSRF_COOKIE", "") == asked.csrf_secret
            and not _has_messages(request)
        )


def not_modified(tag: Tag) -> HttpResponseNotModified:
    """The ``304`` for ``tag``: its policy repeats the nonce of the page the browser holds
    (none when the page had none: the browser keeps the policy it stored)."""
    response = HttpResponseNotModified()
    response["ETag"] = tag.header()
    response["Cache-Control"] = CACHE_CONTROL
    if tag.nonce:
        header = (
            "Content-Security-Policy-Report-Only"
            if settings.CSP_REPORT_ONLY
            else "Content-Security-Policy"
        )
        response[header] = policy(tag.nonce)
    return response
