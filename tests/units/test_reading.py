"""``units.reading``: what a request that reads works out once — the reader's scope
(``tests/accounts/test_scope_remembered.py``) and the tree under a unit, read once a
figure and asked seventeen times by a dashboard."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from danso.indicators.leaves import leaves_under
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from danso.units.reading import forget, reading, remembered
from danso.web.middleware import ReadingMiddleware
from tests.conftest import unit_at

ON = date(2024, 6, 30)


def test_an_answer_is_worked_out_once_in_the_block_and_every_time_outside() -> None:
    calls: list[int] = []

    def work() -> int:
        calls.append(1)
        return len(calls)

    assert remembered("k", 1, work) == 1
    assert remembered("k", 1, work) == 2  # outside: every time
    with reading():
        assert remembered("k", 1, work) == 3
        assert remembered("k", 1, work) == 3
        assert remembered("k", 2, work) == 4  # another key
        forget("k")
        assert remembered("k", 1, work) == 5
    assert remembered("k", 1, work) == 6


@pytest.mark.django_db
def test_the_tree_under_a_unit_is_read_once_while_a_page_is_read() -> None:
    district = UnitVersion.objects.get(valid_on(ON), unit=unit_at(Level.DISTRICT, "004", ON))
    with reading():
        first = leaves_under(district, ON)
        with CaptureQueriesContext(connection) as queries:
            again = leaves_under(district, ON)
        assert again == first
        assert len(queries) == 0
        again.clear()  # a caller's copy: the remembered tree is untouched
        assert leaves_under(district, ON) == first
    with CaptureQueriesContext(connection) as queries:
        assert leaves_under(district, ON) == first
    assert len(queries) == 1


def test_only_a_request_that_reads_remembers() -> None:
    """The middleware opens the block for GET and HEAD only: a POST may change a role or
    a unit and then read it."""
    seen: list[bool] = []

    def view(request: object) -> object:
        remembered("probe", 0, lambda: seen.append(True))
        remembered("probe", 0, lambda: seen.append(True))
        return object()

    middleware = ReadingMiddleware(view)  # type: ignore[arg-type]

    class Request:
        def __init__(self, method: str) -> None:
            self.method = method

    middleware(Request("GET"))  # type: ignore[arg-type]
    assert seen == [True]
    middleware(Request("POST"))  # type: ignore[arg-type]
    assert seen == [True, True, True]
