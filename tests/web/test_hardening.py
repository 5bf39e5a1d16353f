"""What a reviewer expects of a deployment: no debug pages, HTTPS only on a server, sessions
that end on the commune's shared computers, danso's own page for a server error.

Also a URLconf (``urlpatterns``, ``handler500``) with a view that fails, for the 500 page.
"""

from __future__ import annotations

import runpy
import time
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path, reverse
from django.utils import translation
from pytest_django import Settings
from rest_framework.authtoken.models import Token

import danso.settings
import danso.urls
from danso.accounts.middleware import LAST_SEEN
from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.units.codes import Level

Login = Callable[[User], Client]
SETTINGS = Path(danso.settings.__file__).parent
SECRET = "a-test-secret-key-that-is-long-enough-and-varied-0123456789"


@login_not_required
def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("fail/", fail), path("", include("danso.urls"))]
handler500 = danso.urls.handler500


def settings_of(module: str) -> dict[str, Any]:
    """The settings ``module`` (``danso.settings.local``) makes from the current
    environment, read afresh (``danso.settings.base`` included)."""
    return runpy.run_path(str(SETTINGS / f"{module.rpartition('.')[2]}.py"))


def only_what_a_server_must_have(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment of a server given its secret and host name, and nothing else."""
    monkeypatch.setenv("DJANGO_SECRET_KEY", SECRET)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "danso.example.vn")
    for name in (
        "DJANGO_SSL_REDIRECT",
        "DJANGO_SECURE_COOKIES",
        "DJANGO_HSTS_SECONDS",
        "DJANGO_HSTS_INCLUDE_SUBDOMAINS",
        "DJANGO_HSTS_PRELOAD",
        "DANSO_CSP_REPORT_ONLY",
        "DANSO_CSP_REPORT_URI",
        "DANSO_TRUSTED_PROXIES",
        "DANSO_API_TOKEN_DAYS",
    ):
        monkeypatch.delenv(name, raising=False)


def vi(message: str) -> str:
    """``message`` as a Vietnamese reader sees it."""
    with translation.override("vi"):
        return translation.gettext(message)


def officer(make_user: Callable[..., User]) -> User:
    return make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4")


def idle_for(client: Client, seconds: float) -> None:
    """Make the client's session look as if its last request was ``seconds`` ago."""
    session = client.session
    session[LAST_SEEN] = time.time() - seconds
    session.save()


# Settings


def test_make_run_shows_no_debug_pages_unless_a_developer_asks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DANSO_DEBUG", raising=False)
    assert settings_of("danso.settings.local")["DEBUG"] is False
    monkeypatch.setenv("DANSO_DEBUG", "1")
    assert settings_of("danso.settings.local")["DEBUG"] is True


def test_a_server_is_https_only_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    # given only the variables a server must have
    only_what_a_server_must_have(monkeypatch)
    # when the production settings are read
    server = settings_of("danso.settings.production")
    # then HTTP is redirected, HSTS lasts a year, cookies go over HTTPS only
    assert server["DEBUG"] is False
    assert server["SECURE_SSL_REDIRECT"] is True
    assert server["SECURE_HSTS_SECONDS"] == 365 * 24 * 60 * 60
    assert server["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert server["SECURE_HSTS_PRELOAD"] is True
    assert server["SESSION_COOKIE_SECURE"] is True
    assert server["CSRF_COOKIE_SECURE"] is True
    assert server["X_FRAME_OPTIONS"] == "DENY"


def test_each_https_setting_is_turned_off_by_its_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DJANGO_SECRET_KEY", SECRET)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "danso.example.vn")
    monkeypatch.setenv("DJANGO_SSL_REDIRECT", "0")  # the proxy in front redirects
    monkeypatch.setenv("DJANGO_SECURE_COOKIES", "false")
    monkeypatch.setenv("DJANGO_HSTS_SECONDS", "3600")
    monkeypatch.setenv("DJANGO_HSTS_INCLUDE_SUBDOMAINS", "no")
    monkeypatch.setenv("DJANGO_HSTS_PRELOAD", "off")
    server = settings_of("danso.settings.production")
    assert server["SECURE_SSL_REDIRECT"] is False
    assert server["SESSION_COOKIE_SECURE"] is False
    assert server["CSRF_COOKIE_SECURE"] is False
    assert server["SECURE_HSTS_SECONDS"] == 3600
    assert server["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert server["SECURE_HSTS_PRELOAD"] is False


def test_a_mistyped_setting_stops_danso(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SECRET_KEY", SECRET)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "danso.example.vn")
    monkeypatch.setenv("DJANGO_SSL_REDIRECT", "flase")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SSL_REDIRECT"):
        settings_of("danso.settings.production")


def test_a_server_enforces_its_content_security_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    # given only the variables a server must have
    only_what_a_server_must_have(monkeypatch)
    server = settings_of("danso.settings.production")
    # then the policy is sent and enforced
    assert "danso.web.security.ContentSecurityPolicyMiddleware" in server["MIDDLEWARE"]
    assert server["CSP_REPORT_ONLY"] is False
    assert server["CSP_REPORT_URI"] == ""
    # and a server trying it out first may only report (read in the base layer, which
    # every layer imports)
    monkeypatch.setenv("DANSO_CSP_REPORT_ONLY", "1")
    monkeypatch.setenv("DANSO_CSP_REPORT_URI", "/csp-report/")
    trying = settings_of("danso.settings.base")
    assert trying["CSP_REPORT_ONLY"] is True
    assert trying["CSP_REPORT_URI"] == "/csp-report/"


def test_make_run_enforces_the_policy_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DANSO_CSP_REPORT_ONLY", raising=False)
    local = settings_of("danso.settings.local")
    assert "danso.web.security.ContentSecurityPolicyMiddleware" in local["MIDDLEWARE"]
    assert local["CSP_REPORT_ONLY"] is False


def test_trusted_proxies_and_token_days_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DANSO_TRUSTED_PROXIES", raising=False)
    monkeypatch.delenv("DANSO_API_TOKEN_DAYS", raising=False)
    base = settings_of("danso.settings.base")
    assert base["TRUSTED_PROXIES"] == []
    assert base["API_TOKEN_DAYS"] == 90
    monkeypatch.setenv("DANSO_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    monkeypatch.setenv("DANSO_API_TOKEN_DAYS", "30")
    base = settings_of("danso.settings.base")
    assert base["TRUSTED_PROXIES"] == ["127.0.0.1", "10.0.0.0/8"]
    assert base["API_TOKEN_DAYS"] == 30
    monkeypatch.setenv("DANSO_TRUSTED_PROXIES", "the proxy")
    with pytest.raises(ImproperlyConfigured, match="DANSO_TRUSTED_PROXIES"):
        settings_of("danso.settings.base")
    monkeypatch.setenv("DANSO_TRUSTED_PROXIES", "")
    monkeypatch.setenv("DANSO_API_TOKEN_DAYS", "0")
    with pytest.raises(ImproperlyConfigured, match="DANSO_API_TOKEN_DAYS"):
        settings_of("danso.settings.base")


def test_the_idle_timeout_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DANSO_IDLE_MINUTES", raising=False)
    assert settings_of("danso.settings.base")["SESSION_IDLE_MINUTES"] == 30
    monkeypatch.setenv("DANSO_IDLE_MINUTES", "10")
    assert settings_of("danso.settings.base")["SESSION_IDLE_MINUTES"] == 10
    monkeypatch.setenv("DANSO_IDLE_MINUTES", "0")
    with pytest.raises(ImproperlyConfigured, match="DANSO_IDLE_MINUTES"):
        settings_of("danso.settings.base")


@pytest.mark.django_db
def test_check_deploy_finds_nothing_to_fix_on_a_server(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    # given a server's settings made from only the variables it must have; the database
    # stays the tests' one (the API schema check reads it), and the logging as it is
    only_what_a_server_must_have(monkeypatch)
    server = settings_of("danso.settings.production")
    for name, value in server.items():
        kept = name in {"DATABASES", "LOGGING"}
        if name.isupper() and not kept and getattr(settings, name, None) != value:
            setattr(settings, name, value)
    # when Django's deployment checklist runs, warnings counting as failures
    out = StringIO()
    call_command("check", "--deploy", "--fail-level", "WARNING", stdout=out)
    # then it finds nothing
    assert "no issues" in out.getvalue()


# Pages


def test_static_files_are_served_with_debug_off(client: Client, settings: Settings) -> None:
    assert settings.DEBUG is False
    response = client.get("/static/danso/danso.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")


def test_pages_refuse_frames_and_sniffing_and_keep_their_address(client: Client) -> None:
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.urls("tests.web.test_hardening")
def test_a_server_error_shows_dansos_page_in_vietnamese() -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/fail/")
    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="vi">' in html
    assert vi("Server error") in html
    assert "RuntimeError" not in html
    assert "Traceback" not in html


# Sessions left idle


@pytest.mark.django_db
def test_an_idle_session_is_logged_out_with_a_message(
    make_user: Callable[..., User], client_for: Login
) -> None:
    # given an officer who used danso, then left the computer for 31 minutes
    client = client_for(officer(make_user))
    assert client.get("/").status_code == 200
    idle_for(client, 31 * 60)
    # when the next page is asked for
    response = client.get(reverse("units:tree"))
    # then the session is over: the login page, and back to the page once logged in
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('units:tree')}"
    login_page = client.get(response["Location"]).content.decode()
    assert (
        vi("You were logged out after a period without activity. Please log in again.")
        in login_page
    )
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_a_session_used_within_the_timeout_goes_on(
    make_user: Callable[..., User], client_for: Login, settings: Settings
) -> None:
    settings.SESSION_IDLE_MINUTES = 5
    client = client_for(officer(make_user))
    client.get("/")
    idle_for(client, 4 * 60)
    assert client.get("/").status_code == 200
    idle_for(client, 6 * 60)
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_the_last_request_is_written_about_once_a_minute(
    make_user: Callable[..., User], client_for: Login
) -> None:
    client = client_for(officer(make_user))
    client.get("/")
    # a request 30 seconds after the last one written leaves the session as it was
    idle_for(client, 30)
    seen = client.session[LAST_SEEN]
    client.get("/")
    assert client.session[LAST_SEEN] == seen
    # one 90 seconds after it writes the time again
    idle_for(client, 90)
    client.get("/")
    assert client.session[LAST_SEEN] > time.time() - 10


@pytest.mark.django_db
def test_an_idle_htmx_request_sends_the_whole_page_to_the_login(
    make_user: Callable[..., User], client_for: Login
) -> None:
    client = client_for(officer(make_user))
    client.get("/")
    idle_for(client, 31 * 60)
    response = client.get(reverse("units:search"), {"q": "long"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("login")
    assert response.content == b""


@pytest.mark.django_db
def test_an_idle_session_on_the_api_is_refused_not_redirected(
    make_user: Callable[..., User], client_for: Login
) -> None:
    client = client_for(officer(make_user))
    assert client.get("/api/v1/units/").status_code == 200
    idle_for(client, 31 * 60)
    assert client.get("/api/v1/units/").status_code == 403


@pytest.mark.django_db
def test_a_token_on_the_api_has_no_session_to_end(make_user: Callable[..., User]) -> None:
    token = Token.objects.create(user=officer(make_user))
    api = Client(headers={"Authorization": f"Token {token}"})
    response = api.get("/api/v1/units/")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
