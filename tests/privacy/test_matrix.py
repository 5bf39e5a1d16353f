"""The scope matrix (issue 11, point 6): every URL pattern and every operation of the
OpenAPI schema, asked by every role of ``world.ROLES`` about an object inside and
objects outside its reach, by session and by API token, on 30/06/2024 and on the
world's "today", and anonymously.  Every answer is checked:

1. leaks: a 2xx (or a redirect elsewhere than a login page) for an object outside the
   caller's reach, a listing holding such an object, a screen answering a token alone,
   an anonymous caller answered;
2. personal fields: the full name, ID number, event note or address of a person the
   caller may not see in full, anywhere in the body (HTML, JSON, CSV, inside .xlsx,
   .docx and .zip files, PDF streams);
3. writes outside scope: any INSERT, UPDATE or DELETE (outside the session, a token's
   last use, ``last_login``, the access log and the figures' caches) made by a request the
   caller was not allowed to make, each request in a savepoint rolled back after it.

The world (``matrix_world``) is built once for the module, in a transaction rolled back
at its end; the classification of the endpoints is ``endpoints``; the oracle is written
by hand (``matrix_world.reaches``).  The figures are printed at the end of the run and
written to ``test-artifacts/scope-matrix.json``.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from danso.indicators.cache import forget_pending
from danso.register.exports import register_export_job
from tests.privacy.endpoints import (
    ALL,
    API,
    BASE_SHOWS,
    SCREENS,
    STATIC,
    Ctx,
    Endpoint,
    Probe,
    Req,
    body_text,
)
from tests.privacy.matrix_world import (
    DAYS,
    LISTING_DAYS,
    RIGHTS,
    SIGHT,
    TEMPT,
    MatrixWorld,
    Obj,
    build_matrix_world,
    full_groups,
    reaches,
)
from tests.privacy.world import MASKED, ROLES, TODAY

ARTIFACT = Path(settings.BASE_DIR) / "test-artifacts" / "scope-matrix.json"
#: How many objects outside its reach each role is asked about, per probe and day.
OUTS = 2

#: Tables a request may write whatever it is: the session, API tokens, the access log
#: (reads are logged) and the figures' caches (tallies kept per period, the epoch).
ALLOWED_TABLES = frozenset(
    {
        "django_session",
        "authtoken_token",
        "register_accesslog",
        "register_accesslogperson",
        "register_accesslogunit",
        "indicators_leaftally",
        "indicators_figuresepoch",
    }
)
_WRITE = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+"?(\w+)"?',
    re.IGNORECASE,
)
_SET = re.compile(r"\bSET\s+(.*?)\s+WHERE\b", re.IGNORECASE | re.DOTALL)
LOGIN_PATHS = ("/login/", "/django-admin/login/")
HREFS = {
    "unit": re.compile(r"/units/(\d+)/"),
    "person": re.compile(r"/register/persons/(\d+)/"),
    "household": re.compile(r"/register/households/(\d+)/"),
    "event": re.compile(r"/register/events/(\d+)/"),
    "report": re.compile(r"/reports/(\d+)/"),
    "plan": re.compile(r"/plans/(\d+)/"),
    "projection": re.compile(r"/projections/(\d+)/"),
    "figure": re.compile(r"/population/(\d+)/"),
}


# ------------------------------------------------------------------------ what was written


class Writes:
    """The tables an INSERT, UPDATE or DELETE touched (``connection.execute_wrapper``)."""

    def __init__(self) -> None:
        self.tables: list[str] = []
        self.logged = False  # an entry of the access log was written

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        found = _WRITE.match(sql)
        if found:
            table = found.group(1).lower()
            self.logged |= table == "register_accesslog"
            if not _allowed(table, sql):
                self.tables.append(table)
        return execute(sql, params, many, context)


def _allowed(table: str, sql: str) -> bool:
    if table in ALLOWED_TABLES:
        return True
    # logging in sets last_login, and nothing else of the user; an API call sets its
    # token's last use (at most once a minute), and nothing else of the token
    only = {"accounts_user": ["last_login"], "accounts_apitoken": ["last_used_at"]}
    if table in only and sql.lstrip().upper().startswith("UPDATE"):
        columns = _SET.search(sql)
        assignments = columns.group(1).replace('"', "").split(",") if columns else []
        return [a.split("=")[0].strip() for a in assignments] == only[table]
    return False


# ------------------------------------------------------------------------ what was answered


def login_redirect(response: Any) -> bool:
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    return urlsplit(response.get("Location", "")).path in LOGIN_PATHS


def answered(response: Any) -> bool:
    """The request was served: 2xx, or a redirect elsewhere than a login page."""
    status = int(response.status_code)
    return 200 <= status < 300 or (300 <= status < 400 and not login_redirect(response))


def listed_ids(response: Any, kind: str) -> set[int]:
    if "json" in response.get("Content-Type", ""):
        data = json.loads(response.content)
        rows = data.get("results", data) if isinstance(data, dict) else data
        return {int(row["id"]) for row in rows if isinstance(row, dict) and "id" in row}
    return {int(found) for found in HREFS[kind].findall(body_text(response))}


# ------------------------------------------------------------------------ the run


@dataclass
class Finding:
    category: str  # "leak", "personal", "write", "error"; noted: "unexpected", "denied",
    # "unlogged"
    endpoint: str
    role: str
    method: str
    url: str
    auth: str
    day: str
    target: str
    detail: str

    def line(self) -> str:
        return (
            f"[{self.category}] {self.endpoint} · {self.role} · {self.method} {self.url} "
            f"· {self.auth} · {self.day} · {self.target}: {self.detail}"
        )


@dataclass
class Matrix:
    mw: MatrixWorld
    sessions: dict[str, Client]
    tokens: dict[str, Client]
    tried: int = 0
    findings: list[Finding] = field(default_factory=list)
    #: "endpoint METHOD" -> the requests of a write probe inside reach: did they write?
    proven: dict[str, list[tuple[str, str, str, int, bool]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    by_endpoint: Counter[str] = field(default_factory=Counter)
    seconds_by_endpoint: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    seconds: float = 0.0

    def count(self, category: str) -> int:
        return sum(1 for f in self.findings if f.category == category)


def _nearest_first(role: str) -> Callable[[Obj], int]:
    """Objects outside reach ordered by ``TEMPT``: the most likely mistakes first."""
    tempt = TEMPT.get(role, [])

    def key(obj: Obj) -> int:
        place = obj.place or obj.owner
        return tempt.index(place) if place in tempt else len(tempt)

    return key


_LEVEL_ORDER = {"village": 0, "commune": 1, "district": 2, "province": 3}


def candidates(matrix: Matrix, probe: Probe, ctx: Ctx) -> list[tuple[Obj | None, bool]]:
    """The objects to ask about: one inside the role's reach, up to ``OUTS`` outside
    (the nearest misses first); ``[(None, …)]`` for an endpoint that takes none."""
    if probe.kind is None:
        return [(None, reaches_none(ctx.role, probe.need))]
    pool = [
        o
        for o in matrix.mw.pool(probe.kind)
        if o.exists_in(ctx.era)
        and (not probe.levels or o.level in probe.levels)
        and (probe.eligible is None or probe.eligible(ctx, o))
    ]
    inside = sorted(
        (o for o in pool if reaches(ctx.role, o, probe.need, ctx.day)),
        key=lambda o: _LEVEL_ORDER.get(o.level, 0),
    )
    outside = sorted(
        (o for o in pool if not reaches(ctx.role, o, probe.need, ctx.day)),
        key=_nearest_first(ctx.role),
    )
    chosen: list[tuple[Obj | None, bool]] = [(o, True) for o in inside[:1]]
    chosen += [(o, False) for o in outside[: probe.outs if probe.outs is not None else OUTS]]
    return chosen


def reaches_none(role: str, need: str) -> bool:
    """May ``role`` use an endpoint that takes no object?"""
    if need == "public":
        return True
    if role == "anon":
        return False
    if need == "login":
        return True
    if need == "admin":
        return role == "admin"
    return need in RIGHTS[role]


def _url(req: Req) -> str:
    return req.path + (f"?{urlencode(req.query, doseq=True)}" if req.query else "")


def _send(client: Client, method: str, req: Req) -> Any:
    url = _url(req)
    if method == "GET":
        return client.get(url, headers=req.headers)
    if req.json:
        return client.post(
            url, json.dumps(req.data or {}), content_type="application/json", headers=req.headers
        )
    return client.post(url, req.data or {}, headers=req.headers)


def _client_for(matrix: Matrix, role: str, auth: str, probe: Probe) -> Client:
    if role == "anon" or (probe.isolated and probe.need == "public"):
        return Client(raise_request_exception=False)
    if auth == "token":
        return matrix.tokens[role]
    if probe.isolated:
        client = Client(raise_request_exception=False)
        client.force_login(matrix.mw.base.users[role])
        return client
    return matrix.sessions[role]


def ask(
    matrix: Matrix,
    endpoint: Endpoint,
    probe: Probe,
    ctx: Ctx,
    obj: Obj | None,
    inside: bool,
    auth: str,
) -> None:
    """Make one request (or the steps of one) in a savepoint rolled back after it, and
    judge the answer."""
    role = ctx.role
    writes = Writes()
    with transaction.atomic():
        client = _client_for(matrix, role, auth, probe)
        cookies = {name: morsel.value for name, morsel in client.cookies.items()}
        if probe.prepare is not None and obj is not None:
            probe.prepare(ctx, obj)
        built = probe.build(ctx, obj)
        steps = built if isinstance(built, list) else [built]
        responses = []
        with connection.execute_wrapper(writes):
            for number, req in enumerate(steps):
                responses.append(_send(client, probe.method if number == 0 else "POST", req))
        transaction.set_rollback(True)
    # What the request did to the session is gone with the savepoint: so is its cookie.
    client.cookies = SimpleCookie()
    for name, value in cookies.items():
        client.cookies[name] = value
    if writes.tables:
        for alias in settings.CACHES:
            caches[alias].clear()
        forget_pending()
    matrix.tried += 1
    matrix.by_endpoint[endpoint.key] += 1
    response = responses[-1]
    url = _url(steps[0])
    target = obj.name if obj is not None else "—"

    def found(category: str, detail: str) -> None:
        matrix.findings.append(
            Finding(
                category,
                endpoint.key,
                role,
                probe.method,
                url,
                auth,
                ctx.day.isoformat(),
                target,
                detail,
            )
        )

    status = int(response.status_code)
    if status >= 500:
        error = getattr(response, "exc_info", None)
        found("error", f"{status} {error[1]!r}" if error else str(status))
    shows = probe.shows or (BASE_SHOWS.get(obj.kind, "view") if obj else probe.need)
    if role == "anon" or (auth == "token" and not endpoint.api):
        who = "an anonymous caller" if role == "anon" else "a token without a session"
        if probe.need != "public" and answered(response):
            found("leak", f"answered {status} to {who}")
        elif probe.need != "public" and status < 500:
            # a screen sends to the login page; the API answers 401 or 403
            expected = status in (401, 403) if endpoint.api else login_redirect(response)
            if not expected:
                found("unexpected", f"answered {status} to {who}, not the login page")
    else:
        visible = (
            reaches(role, obj, shows, ctx.day) if obj is not None else reaches_none(role, shows)
        )
        if not visible and probe.status_judged:
            if answered(response):
                found("leak", f"answered {status} for an object outside reach")
            elif status not in probe.refused and not login_redirect(response) and status < 500:
                found("unexpected", f"answered {status} instead of refusing")
        if answered(response) and probe.listing:
            for kind in probe.listing:
                ids = listed_ids(response, kind)
                for other in matrix.mw.pool(kind):
                    if (
                        other.pk in ids
                        and not reaches(role, other, BASE_SHOWS[kind], ctx.day)
                        and other.exists_in(ctx.era)
                    ):
                        found("leak", f"lists {other.name}")
        if probe.content is not None and answered(response):
            for problem in probe.content(ctx, obj, response):
                found("leak", problem)
        if inside and (endpoint.api or auth == "session") and probe.serves and status in (403, 404):
            found("denied", f"answered {status} inside reach")
    allowed_groups = full_groups(role)
    if probe.reveals and obj is not None and reaches(role, obj, "reveal", ctx.day):
        allowed_groups.add(obj.place)  # the one record opened for a stated reason
    for step_response in responses:
        text = body_text(step_response)
        for group, values in matrix.mw.secrets.items():
            if group in allowed_groups:
                continue
            shown = [v for v in values if v.casefold() in text]
            if shown:
                found("personal", f"shows {', '.join(shown)} (group {group})")
    if _must_log(role, probe, obj, response, endpoint) and not writes.logged:
        found("unlogged", "a read of personal data that left no entry in the access log")
    may_write = probe.writes and (
        reaches(role, obj, probe.need, ctx.day)
        if obj is not None
        else reaches_none(role, probe.need)
    )
    if writes.tables and not may_write:
        found("write", f"wrote {', '.join(sorted(set(writes.tables)))}")
    if probe.writes and may_write and inside and (endpoint.api or auth == "session"):
        key = f"{endpoint.key} {probe.method}"
        matrix.proven[key].append((role, ctx.day.isoformat(), target, status, bool(writes.tables)))


#: Exports of personal data: logged whoever makes them.  (A book's export is logged when
#: the worker writes it, under the asker's name: tests/register/test_exports.py.)
EXPORTS = ("register:person_export",)
#: Pages and API answers that show a person's record (or a household's members, or an
#: event of a person): logged when read at masked sight.
RECORDS = (
    "register:households",
    "register:collection",
    "register:person",
    "register:household",
    "register:event",
    "GET /api/v1/persons/{id}/",
    "GET /api/v1/events/{id}/",
)


def _must_log(role: str, probe: Probe, obj: Obj | None, response: Any, endpoint: Endpoint) -> bool:
    """Should this answer have left an entry in the access log?  A record read at masked
    sight (above the commune), and every export of personal data.  Noted, not asserted:
    the log is not one of the matrix's three figures."""
    if role == "anon" or response.status_code != 200 or probe.method != "GET" or obj is None:
        return False
    if endpoint.key in EXPORTS:
        return True
    return endpoint.key in RECORDS and SIGHT[role].get(obj.place) == MASKED


def run_endpoint(matrix: Matrix, endpoint: Endpoint) -> None:
    started = time.monotonic()
    for probe in endpoint.probes:
        for role in ROLES:
            days = LISTING_DAYS if probe.listing and probe.kind is None else DAYS
            for number, day in enumerate(probe.days or days):
                ctx = Ctx(matrix.mw, role, day)
                outside = 0
                for obj, inside in candidates(matrix, probe, ctx):
                    if inside and probe.inside_once and number > 0:
                        continue
                    outside += not inside
                    # The API by session and by token; beyond the first object outside
                    # reach, by token only (the same code answers both).
                    if not endpoint.api or inside or outside == 1:
                        ask(matrix, endpoint, probe, ctx, obj, inside, "session")
                    if endpoint.api and (probe.every_token or role == ROLES[0]):
                        ask(matrix, endpoint, probe, ctx, obj, inside, "token")
        # A screen refuses a token alone (it sends to the login page), whoever holds
        # it: asked once, by the first role with an object inside its reach.
        if not endpoint.api and probe.need != "public":
            ctx, obj = _first_inside(matrix, probe)
            ask(matrix, endpoint, probe, ctx, obj, True, "token")
        # And nobody anonymous is answered (except on public pages).
        _ctx, obj = _first_inside(matrix, probe)
        ask(matrix, endpoint, probe, Ctx(matrix.mw, "anon", TODAY), obj, False, "anonymous")
    matrix.seconds_by_endpoint[endpoint.key] += time.monotonic() - started


def _first_inside(matrix: Matrix, probe: Probe) -> tuple[Ctx, Obj | None]:
    for role in ROLES:
        ctx = Ctx(matrix.mw, role, TODAY)
        for obj, inside in candidates(matrix, probe, ctx):
            if inside:
                return ctx, obj
    ctx = Ctx(matrix.mw, "admin", TODAY)
    chosen = candidates(matrix, probe, ctx)
    return ctx, chosen[0][0] if chosen else None


# ------------------------------------------------------------------------ the fixtures


@pytest.fixture(scope="module")
def matrix(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[Matrix]:
    """The world, once for the module, in a transaction rolled back at the end; one
    logged-in client and one token client per role."""
    uploads = tmp_path_factory.mktemp("matrix-data")
    with django_db_blocker.unblock(), override_settings(DATA_DIR=uploads):
        name = str(connection.settings_dict["NAME"])
        assert "test" in name or "memory" in name, f"not a test database: {name}"
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            mw = build_matrix_world()
            sessions, tokens = {}, {}
            for role in ROLES:
                client = Client(raise_request_exception=False)
                client.force_login(mw.base.users[role])
                sessions[role] = client
                tokens[role] = Client(
                    raise_request_exception=False,
                    headers={"Authorization": f"Token {mw.tokens[role]}"},
                )
            yield Matrix(mw, sessions, tokens)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            for alias in settings.CACHES:
                caches[alias].clear()
            forget_pending()


# ------------------------------------------------------------------------ the tests


def url_patterns() -> list[tuple[str, str]]:
    """Every URL pattern: (its key in the classification, its route)."""
    found: list[tuple[str, str]] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str | None) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = entry.namespace
                name = f"{namespace}:{inner}" if namespace and inner else inner or namespace
                walk(entry, prefix + str(entry.pattern), name)
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                if entry.name:
                    key = f"{namespace}:{entry.name}" if namespace else entry.name
                else:
                    key = route
                found.append((key, route))

    walk(get_resolver(), "", None)
    return found


def api_operations() -> list[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
    return [
        f"{method.upper()} {route}"
        for route, operations in schema["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    ]


def test_every_endpoint_is_classified() -> None:
    """A new URL pattern or API operation that the matrix does not know fails here, and
    so does a classification of one that no longer exists."""
    patterns = dict(url_patterns())
    operations = api_operations()
    missing = [
        f"URL pattern {key} ({route})" for key, route in patterns.items() if key not in SCREENS
    ]
    missing += [f"API operation {op}" for op in operations if op not in API]
    assert not missing, "Classify in tests/privacy/endpoints.py:\n" + "\n".join(missing)
    stale = [key for key in SCREENS if key not in patterns]
    stale += [key for key in API if key not in operations]
    assert not stale, "No such endpoint any more: " + ", ".join(stale)
    # every endpoint is asked, except the API's routes, asked through their operations
    unasked = [key for key, endpoint in ALL.items() if not endpoint.probes and not endpoint.api]
    assert not unasked, unasked


@pytest.mark.django_db
def test_the_scope_matrix(matrix: Matrix, capsys: pytest.CaptureFixture[str]) -> None:
    started = time.monotonic()
    for endpoint in ALL.values():
        if endpoint.probes:
            run_endpoint(matrix, endpoint)
    for static in STATIC:
        response = Client().get(static)
        matrix.tried += 1
        if response.status_code != 200:
            matrix.findings.append(
                Finding("unexpected", "static", "anon", "GET", static, "anonymous", "", "—",
                        f"answered {response.status_code}, not the public file")
            )  # fmt: skip
    matrix.seconds = time.monotonic() - started
    summary = report(matrix)
    with capsys.disabled():
        print("\n" + summary)
    offending = sorted(
        (f for f in matrix.findings if f.category in ("leak", "personal", "write", "error")),
        key=lambda f: (f.endpoint, f.category, f.role, f.day),
    )
    # Also 0: answers the classification did not expect, and masked reads left unlogged.
    asserted = ("leak", "personal", "write", "error", "unexpected", "unlogged")
    counts = {c: matrix.count(c) for c in asserted}
    offending += sorted(
        (f for f in matrix.findings if f.category in ("unexpected", "unlogged")),
        key=lambda f: (f.endpoint, f.category, f.role, f.day),
    )
    assert counts == dict.fromkeys(asserted, 0), "\n".join(
        [str(counts), *(f.line() for f in offending)]
    )


def report(matrix: Matrix) -> str:
    counts = {c: matrix.count(c) for c in ("leak", "personal", "write", "unexpected", "error")}
    proven = {
        key: {
            "tried": len(rows),
            "wrote": sum(1 for r in rows if r[4]),
            "requests": [
                {"role": r[0], "day": r[1], "object": r[2], "status": r[3], "wrote": r[4]}
                for r in rows
            ],
        }
        for key, rows in sorted(matrix.proven.items())
    }
    data = {
        "requests": matrix.tried,
        "leaks": counts["leak"],
        "personal_fields": counts["personal"],
        "writes_outside_scope": counts["write"],
        "unexpected_answers": counts["unexpected"],
        "server_errors": counts["error"],
        "refused_inside_reach": matrix.count("denied"),
        "masked_reads_not_logged": matrix.count("unlogged"),
        "seconds": round(matrix.seconds, 1),
        "database": connection.vendor,
        "endpoints": {
            "url_patterns": len(url_patterns()),
            "api_operations": len(api_operations()),
            "classified": len(ALL),
        },
        "findings": [f.__dict__ for f in matrix.findings],
        "writes_proven_inside_reach": proven,
        "requests_by_endpoint": dict(matrix.by_endpoint),
        "seconds_by_endpoint": {
            k: round(v, 2)
            for k, v in sorted(matrix.seconds_by_endpoint.items(), key=lambda kv: -kv[1])
        },
    }
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return (
        f"scope matrix ({connection.vendor}): {matrix.tried} requests in "
        f"{matrix.seconds:.0f} s · leaks {counts['leak']} · personal fields "
        f"{counts['personal']} · writes outside scope {counts['write']} · server errors "
        f"{counts['error']} · unexpected answers {counts['unexpected']} → {ARTIFACT}"
    )


# ------------------------------------------------------------------------ the matrix itself


def _probe(key: str, method: str) -> tuple[Endpoint, Probe]:
    endpoint = ALL[key]
    return endpoint, next(p for p in endpoint.probes if p.method == method)


def attempt(
    matrix: Matrix, key: str, method: str, role: str, day: date, target: str | None
) -> tuple[int, bool]:
    """One request of the matrix's, kept apart: (status, whether it wrote)."""
    endpoint, probe = _probe(key, method)
    ctx = Ctx(matrix.mw, role, day)
    obj = matrix.mw.one(probe.kind, target) if probe.kind and target else None
    if obj is not None:
        assert reaches(role, obj, probe.need, day), (key, role, target)
    alone = Matrix(matrix.mw, matrix.sessions, matrix.tokens)
    ask(alone, endpoint, probe, ctx, obj, True, "token" if endpoint.api else "session")
    (_role, _day, _target, status, wrote), *_ = alone.proven[f"{key} {method}"]
    return status, wrote


#: Writes inside the caller's reach that must succeed with the matrix's payloads (so
#: that the same payloads outside reach prove something).
INSIDE: tuple[tuple[str, str, str, date, str | None], ...] = (
    ("POST /api/v1/events/", "POST", "ctv", date(2024, 6, 30), "person NT1 wife"),
    ("register:collection", "POST", "ctv", TODAY, "person NT1 wife"),
    ("register:review", "POST", "ngocthuy", date(2024, 6, 30), "unit NT"),
    ("reports:approve", "POST", "longbien", date(2024, 6, 30), "report CK 2025Q1"),
    ("POST /api/v1/reports/{id}/approve/", "POST", "hanoi", TODAY, "report BD 2025Q3"),
    ("POST /api/v1/reports/{id}/submit/", "POST", "bode", TODAY, "report BD 2025Q3"),
    ("POST /api/v1/plans/{id}/allocations/", "POST", "longbien", date(2024, 6, 30), "plan LB 2024"),
    ("POST /api/v1/population/", "POST", "ngocthuy", date(2024, 6, 30), "unit NT"),
    ("register:household_create", "POST", "bode", TODAY, "unit BD"),
    ("units:village_create", "POST", "ngocthuy", date(2024, 6, 30), "unit NT"),
    ("reports:waiver_remove", "POST", "longbien", date(2024, 6, 30), "waiver NT 2025Q2"),
    ("reports:calendar", "POST", "admin", TODAY, None),
)


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "method", "role", "day", "target"), INSIDE, ids=str)
def test_a_write_inside_reach_succeeds(
    matrix: Matrix, key: str, method: str, role: str, day: date, target: str | None
) -> None:
    status, wrote = attempt(matrix, key, method, role, day, target)
    assert wrote, (key, role, status)
    assert 200 <= status < 400, (key, role, status)


@pytest.mark.django_db
def test_the_matrix_sees_a_missing_check(matrix: Matrix, monkeypatch: pytest.MonkeyPatch) -> None:
    """The checks are not vacuous: with a scope check taken out of the product (here, in
    memory), the matrix reports the leak, the names and the write."""
    from danso.register import privacy
    from danso.register.models import Person
    from danso.reports import services as report_services
    from danso.units.models import UnitVersion, valid_on

    def every_unit(unit_id: int, scope: Any, action: Any = None) -> Any:
        return UnitVersion.objects.filter(valid_on(scope.on), unit_id=unit_id).get()

    monkeypatch.setattr(privacy, "persons_visible", lambda *a, **k: Person.objects.all())
    monkeypatch.setattr(privacy.Sights, "of", lambda self, person: privacy.Sight.FULL)
    monkeypatch.setattr("danso.population.views.unit_in_scope", every_unit)
    monkeypatch.setattr(report_services, "_may_decide", lambda *a, **k: None)
    broken = Matrix(matrix.mw, matrix.sessions, matrix.tokens)
    for key in ("GET /api/v1/persons/", "population:edit", "POST /api/v1/reports/{id}/approve/"):
        run_endpoint(broken, ALL[key])
    seen = Counter((f.category, f.endpoint) for f in broken.findings)
    assert seen[("leak", "GET /api/v1/persons/")] > 0
    assert seen[("personal", "GET /api/v1/persons/")] > 0
    assert seen[("write", "population:edit")] > 0
    assert seen[("write", "POST /api/v1/reports/{id}/approve/")] > 0


@pytest.mark.django_db
def test_the_matrix_reads_the_files_it_is_sent(matrix: Matrix) -> None:
    """What is searched for names is what a reader reads: the text of a PDF (glyphs
    mapped back to letters), the cells of an .xlsx, the CSV files of a .zip."""
    report = matrix.mw.one("report", "report CK 2025Q1")
    admin = matrix.sessions["admin"]
    with transaction.atomic():
        pdf = admin.get(f"/reports/{report.pk}/report.pdf")
        xlsx = admin.get(f"/reports/{report.pk}/report.xlsx")
        ctv = matrix.sessions["ctv"]
        asked = ctv.post(f"/register/units/{matrix.mw.unit_pk('NT1')}/export/")
        job = asked["Location"].rstrip("/").rsplit("/", 1)[-1]
        register_export_job.call(job, "/register/units/")
        book = ctv.get(f"/register/exports/{job}/file/")
        transaction.set_rollback(True)
    assert "trạm y tế phường cự khối" in body_text(pdf)
    assert "cự khối" in body_text(xlsx)
    assert "khúc thị vợ nt1" in body_text(book)
