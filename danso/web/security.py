"""Content-Security-Policy: the browser runs danso's own scripts and nothing else.

Every response carries the policy (``Content-Security-Policy``, or with
``DANSO_CSP_REPORT_ONLY=1`` ``Content-Security-Policy-Report-Only``, which blocks nothing
and reports to ``DANSO_CSP_REPORT_URI`` if given):

- ``default-src 'self'``: scripts, styles, images, fonts, fetches and forms only from
  danso's own address; no plugins (``object-src 'none'``), no ``<base>`` elsewhere, no
  framing (``frame-ancestors 'none'``, as ``X-Frame-Options: DENY``).
- ``script-src 'self' 'nonce-…'``: script files from danso's static files; an inline
  ``<script>`` runs only if it carries the request's nonce (``{{ csp_nonce }}``, a new
  one on every request), so a script that got into a page some other way does not run.
  No ``'unsafe-inline'``, no ``'unsafe-eval'`` (htmx and ECharts need neither here).
- The inline code that templates outside the web shell still hold (``ALLOWED_INLINE``:
  the population pyramid's script, three ``onchange``/``onclick`` attributes) is allowed
  by the SHA-256 of its exact text (``'unsafe-hashes'`` is what lets a hash allow an
  event attribute), until each moves to a static file: ``tests/web/test_csp.py`` fails
  on any other inline code in a template.
- ``style-src 'self' 'unsafe-inline'``: style sheets from danso, and ``style="…"``
  attributes, which templates use for small layout fixes and ECharts writes into its
  tooltips; htmx also adds a ``<style>`` for its indicators.  Styles cannot run code, and
  with images, fonts and fetches limited to danso's own address an injected style
  cannot send anything elsewhere either.
- drf-spectacular's Swagger page (``SpectacularSwaggerView``) writes its start-up script
  inline with the CSRF token in it, so no hash can allow it: that page alone gets
  ``script-src 'self' 'unsafe-inline'``.  (``SpectacularSwaggerSplitView``, which serves
  that script as a file, needs no exception and gets none.)
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.template import Context, Template, loader
from django.utils import translation
from drf_spectacular.views import SpectacularSwaggerSplitView, SpectacularSwaggerView

#: The request attribute holding the nonce of its inline scripts.
NONCE = "csp_nonce"
_RELAXED = "danso_csp_relaxed"
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Inline:
    """Inline code a template still holds: an event attribute's exact text
    (``handler``), or, without one, every inline ``<script>`` of the template (whose text
    may depend on the language, never on the page's data)."""

    template: str
    handler: str = ""


#: To be moved to static files by the templates' owners (``data-autosubmit`` in
#: danso/autosubmit.js does what the ``onchange`` attributes do); then taken out here.
ALLOWED_INLINE = (
    Inline("population/detail.html"),  # the population pyramid's chart
    Inline("reports/inbox.html", "this.form.submit()"),
    Inline("reports/inbox.html", "this.form.period.value=''; this.form.submit()"),
    Inline(
        "units/_tree_item.html",
        "this.textContent = this.textContent === '+' ? '−' : '+'; "
        "if (this.textContent === '+') { "
        "this.nextElementSibling.nextElementSibling.nextElementSibling.innerHTML=''; }",
    ),
)


def _sha256(text: str) -> str:
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


def _inline_scripts(template: str) -> list[str]:
    """The inline scripts of ``template`` as each language renders them."""
    source = loader.get_template(template).template.source  # type: ignore[attr-defined]
    bodies = [
        body
        for attributes, body in _SCRIPT.findall(source)
        if "src=" not in attributes and "json" not in attributes
    ]
    rendered: list[str] = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            rendered += [Template("{% load i18n %}" + body).render(Context()) for body in bodies]
    return rendered


@lru_cache(maxsize=1)
def allowed_hashes() -> tuple[str, ...]:
    """The hash sources of ``ALLOWED_INLINE``, worked out once."""
    hashes: list[str] = []
    for inline in ALLOWED_INLINE:
        texts = [inline.handler] if inline.handler else _inline_scripts(inline.template)
        hashes += [h for h in map(_sha256, texts) if h not in hashes]
    return tuple(hashes)


def policy(nonce: str, *, relaxed: bool = False) -> str:
    """The policy of a response whose inline scripts carry ``nonce``; ``relaxed``: the
    Swagger page's."""
    if relaxed:
        scripts = ["'self'", "'unsafe-inline'"]
    else:
        scripts = ["'self'", f"'nonce-{nonce}'", "'unsafe-hashes'", *allowed_hashes()]
    directives = [
        "default-src 'self'",
        "script-src " + " ".join(scripts),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    if settings.CSP_REPORT_URI:
        directives.append(f"report-uri {settings.CSP_REPORT_URI}")
    return "; ".join(directives)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        nonce = secrets.token_urlsafe(18)
        setattr(request, NONCE, nonce)
        response = self.get_response(request)
        header = (
            "Content-Security-Policy-Report-Only"
            if settings.CSP_REPORT_ONLY
            else "Content-Security-Policy"
        )
        if header not in response:
            response[header] = policy(nonce, relaxed=getattr(request, _RELAXED, False))
        return response

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> None:
        view = getattr(view_func, "cls", None)
        if (
            isinstance(view, type)
            and issubclass(view, SpectacularSwaggerView)
            and not issubclass(view, SpectacularSwaggerSplitView)
        ):
            setattr(request, _RELAXED, True)


def csp_nonce(request: HttpRequest) -> dict[str, str]:
    """Context processor: ``{{ csp_nonce }}``, for ``<script nonce="{{ csp_nonce }}">``."""
    return {"csp_nonce": getattr(request, NONCE, "")}
