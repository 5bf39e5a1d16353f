"""Content-Security-Policy (issue 12, point 6): scripts only from danso's own static
files (or a script element given the request's nonce), on every page, with a switch to
report only; no inline script in the templates that the policy would block."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django import Settings

import danso
from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.units.codes import Level
from danso.web.security import ALLOWED_INLINE, NONCE, ContentSecurityPolicyMiddleware

APPS = Path(danso.__file__).parent
HEADER = "Content-Security-Policy"
#: An inline event handler attribute (onclick="…") and an inline <script> element.
HANDLER = re.compile(r"""\son[a-z]+\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.IGNORECASE | re.DOTALL)


def directives(response: object) -> dict[str, list[str]]:
    value = response[HEADER]  # type: ignore[index]
    return {part.split()[0]: part.split()[1:] for part in value.split(";") if part.strip()}


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# The header


def test_every_page_carries_the_policy(client: Client) -> None:
    response = client.get(reverse("login"))
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert "'self'" in policy["script-src"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


def test_the_nonce_is_new_on_every_request(client: Client) -> None:
    first = directives(client.get(reverse("login")))["script-src"]
    second = directives(client.get(reverse("login")))["script-src"]
    nonces = [s for s in first + second if s.startswith("'nonce-")]
    assert len(nonces) == 2
    assert nonces[0] != nonces[1]


def test_styles_may_be_inline_but_come_from_nowhere_else(client: Client) -> None:
    policy = directives(client.get(reverse("login")))
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["img-src"] == ["'self'", "data:"]


def test_the_api_and_files_carry_it_too(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    client = client_for(make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4"))
    assert HEADER in client.get("/api/v1/units/")
    assert HEADER in client.get("/static/danso/danso.css")


def test_report_only_is_a_switch(client: Client, settings: Settings) -> None:
    settings.CSP_REPORT_ONLY = True
    response = client.get(reverse("login"))
    assert HEADER not in response
    assert "default-src 'self'" in response[f"{HEADER}-Report-Only"]


def test_reports_go_where_the_setting_says(client: Client, settings: Settings) -> None:
    settings.CSP_REPORT_URI = "https://csp.example.vn/report"
    assert directives(client.get(reverse("login")))["report-uri"] == [
        "https://csp.example.vn/report"
    ]


# The templates


def inline_code() -> list[tuple[str, str, str]]:
    """Every inline event handler and inline script of danso's templates: (template name,
    "handler" or "script", code); scripts that load a file, carry the nonce or hold data
    are not code."""
    found = []
    for path in sorted(APPS.glob("*/templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        name = str(path).split("/templates/", 1)[1]
        for match in HANDLER.finditer(text):
            found.append((name, "handler", match.group(1) or match.group(2) or ""))
        for attributes, body in SCRIPT.findall(text):
            if "src=" in attributes or "csp_nonce" in attributes or "json" in attributes:
                continue
            found.append((name, "script", body))
    return found


def test_the_templates_have_no_inline_code_the_policy_would_block() -> None:
    # inline code left in templates is allowed by its hash, each piece named in
    # danso.web.security.ALLOWED_INLINE until it moves to a static file; anything else
    # would be blocked in the browser
    handlers = {(i.template, i.handler) for i in ALLOWED_INLINE if i.handler}
    scripts = {i.template for i in ALLOWED_INLINE if not i.handler}
    blocked = [
        f"{template}: {kind} {code.strip()[:60]!r}"
        for template, kind, code in inline_code()
        if (kind == "handler" and (template, code) not in handlers)
        or (kind == "script" and template not in scripts)
    ]
    assert blocked == [], "Move to a static file (or give a <script> the nonce):\n" + "\n".join(
        blocked
    )


def test_nothing_is_allowed_that_is_no_longer_there() -> None:
    present = {(t, c if k == "handler" else "") for t, k, c in inline_code()}
    assert [i for i in ALLOWED_INLINE if (i.template, i.handler) not in present] == []


def test_the_shell_has_no_inline_code() -> None:
    shell = ("web/", "registration/", "accounts/")
    assert [c for c in inline_code() if c[0].startswith(shell)] == []


def test_the_allowed_inline_handlers_are_in_the_policy(client: Client) -> None:
    script_src = directives(client.get(reverse("login")))["script-src"]
    assert "'unsafe-hashes'" in script_src
    for inline in ALLOWED_INLINE:
        if inline.handler:
            assert sha256(inline.handler) in script_src, inline


def test_the_pyramids_inline_script_is_allowed_in_both_languages(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    from danso.population.models import PopulationFigure
    from tests.conftest import BEFORE, unit_at

    figure = PopulationFigure.objects.create(
        unit=unit_at(Level.COMMUNE, "115", BEFORE),
        year=2024,
        total=180,
        male=90,
        female=90,
        male_by_age=[5] * 18,
        female_by_age=[5] * 18,
    )
    client = client_for(make_user("hn", Role.PROVINCE_OFFICER, Level.PROVINCE, "1"))
    for language in ("vi", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        url = reverse("population:detail", args=[figure.pk])
        response = client.get(url, {"date": "2024-06-30"})
        assert response.status_code == 200
        scripts = [
            body
            for attributes, body in SCRIPT.findall(response.content.decode())
            if "src=" not in attributes and "json" not in attributes
        ]
        assert scripts, language
        script_src = directives(response)["script-src"]
        for body in scripts:
            assert sha256(body) in script_src, (language, body[:80])


def test_only_the_swagger_page_allows_its_inline_script(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    client = client_for(make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4"))
    swagger = client.get(reverse("swagger-ui"))
    assert swagger.status_code == 200
    assert directives(swagger)["script-src"] == ["'self'", "'unsafe-inline'"]
    assert "'unsafe-inline'" not in directives(client.get("/"))["script-src"]


def test_a_template_may_use_the_nonce(rf: RequestFactory) -> None:
    # given a view whose template gives its inline script the nonce
    template = engines["django"].from_string('<script nonce="{{ csp_nonce }}">1</script>')

    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(template.render({}, request))

    # when it answers through the middleware
    request = rf.get("/")
    response = ContentSecurityPolicyMiddleware(view)(request)
    assert isinstance(response, HttpResponse)
    # then the script and the policy carry the same nonce
    nonce = getattr(request, NONCE)
    assert f'nonce="{nonce}"' in response.content.decode()
    assert f"'nonce-{nonce}'" in response[HEADER]
