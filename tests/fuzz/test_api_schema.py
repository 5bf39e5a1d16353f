"""Schemathesis over danso's OpenAPI schema, in process (issue 12, point 4): requests
generated from the schema — valid ones and ones the schema forbids — as an administrator
and as a collaborator answer without a server error, and as the schema says.

Each generated request runs in a savepoint rolled back after it, on the small Long Biên of
``tests.privacy.world``.  ``EXAMPLES`` bounds the run (both databases in CI).  The check
``ignored_auth`` is left out: it takes the token given to every call for one it generated
itself; requests without or with bad credentials are proven refused, endpoint by endpoint,
by the scope matrix (tests/privacy/test_matrix.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from danso.accounts.tokens import api_token_issue
from tests.privacy.world import World, build_world

pytestmark = pytest.mark.django_db
EXAMPLES = 30


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def connection_kept() -> Iterator[None]:
    """Schemathesis calls Django's WSGI handler itself, which closes the database
    connection after each request (CONN_MAX_AGE is 0 in the tests) and with it the test's
    transaction on PostgreSQL; Django's test client keeps it open the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _left_out(case: Any) -> list[Any]:
    """``ignored_auth`` always (see the module docstring); for a write, also
    ``positive_data_acceptance``: a schema-valid POST may break a rule of the stored data
    (a unit that did not exist on the day, a report already approved) and is then 400
    with the reason, which a schema cannot say in advance."""
    if case.method == "POST":
        return [ignored_auth, positive_data_acceptance]
    return [ignored_auth]


def _failures(error: BaseException) -> list[Failure]:
    if isinstance(error, FailureGroup):
        return list(error.exceptions)
    if isinstance(error, Failure):
        return [error]
    raise error


@pytest.mark.parametrize("role", ["admin", "ctv"])
def test_generated_requests_meet_the_schema(world: World, role: str) -> None:
    user = world.users[role]
    key = api_token_issue(user=user, name="schemathesis", by=user).key
    headers = {"Authorization": f"Token {key}"}
    app = WSGIHandler()
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app, headers=headers)
    found: list[str] = []
    tried: Counter[str] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        _run(operation, app, headers, found, tried)
    print(f"\n{role}: {sum(tried.values())} requests over {len(tried)} operations")
    assert found == [], "\n".join(sorted(set(found)))


def _run(
    operation: Any, app: Any, headers: dict[str, str], found: list[str], tried: Counter[str]
) -> None:
    """Send ``EXAMPLES`` requests generated for ``operation``, each in a savepoint rolled
    back after it; what the checks refuse goes to ``found``."""
    label = operation.label

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same requests on every run: CI never flickers
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        tried[label] += 1
        with transaction.atomic():
            try:
                case.call_and_validate(app=app, headers=headers, excluded_checks=_left_out(case))
            except (Failure, FailureGroup) as error:
                for failure in _failures(error):
                    found.append(
                        f"{label} {case.formatted_path} {case.query or ''}: {failure.title}"
                    )
            transaction.set_rollback(True)

    run()
