"""A large count's independent reads run side by side on the machine's cores
(``indicators.parallel``), with exactly the counts of one read after another; inside a
transaction, whose rows another connection could not see, they are read one by one."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import transaction

from danso.indicators import cache, parallel, setbased
from danso.indicators import tallies as keys
from danso.register.generation import generate
from danso.units.codes import Level
from tests.conftest import unit_at

YEAR = 2024


@pytest.fixture
def one_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    """One helper thread, whatever the cores of the machine running the tests."""
    monkeypatch.setattr(parallel, "HELPERS", 1)


def waiting_for_each_other() -> tuple[list[Any], list[int]]:
    """Two thunks that can only both finish when they run at the same time (each waits
    for the other's signal), and the threads that ran them."""
    first, second = threading.Event(), threading.Event()
    threads: list[int] = []

    def one() -> str:
        threads.append(threading.get_ident())
        first.set()
        return "một" if second.wait(10) else "alone"

    def two() -> str:
        threads.append(threading.get_ident())
        second.set()
        return "hai" if first.wait(10) else "alone"

    return [one, two], threads


def test_reads_are_shared_out_outside_a_transaction(one_helper: None) -> None:
    thunks, threads = waiting_for_each_other()
    assert parallel.run_all(thunks) == ["một", "hai"]
    assert len(set(threads)) == 2
    assert threading.get_ident() in threads


@pytest.mark.django_db
def test_inside_a_transaction_or_when_told_not_to_every_read_is_made_here(
    one_helper: None,
) -> None:
    here = threading.get_ident()
    ran: list[int] = []

    def numbered(n: int) -> Callable[[], int]:
        def thunk() -> int:
            ran.append(threading.get_ident())
            return n

        return thunk

    thunks = [numbered(n) for n in range(4)]
    with transaction.atomic():
        assert parallel.run_all(thunks) == [0, 1, 2, 3]
    assert parallel.run_all(thunks, share=False) == [0, 1, 2, 3]
    assert ran == [here] * 8


def test_an_error_of_a_helper_is_raised_here_once_every_helper_stopped(
    one_helper: None,
) -> None:
    started = threading.Event()
    ran: list[threading.Thread] = []

    def waits() -> int:
        ran.append(threading.current_thread())
        started.set()
        return 1

    def fails() -> int:
        ran.append(threading.current_thread())
        started.wait(10)
        raise ValueError("sai")

    with pytest.raises(ValueError, match="sai"):
        parallel.run_all([waits, fails, waits])
    assert not any(thread.is_alive() for thread in ran if thread is not threading.current_thread())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_restored")
def test_a_count_read_side_by_side_is_the_count_read_part_after_part(
    committed: None, one_helper: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    ward = unit_at(Level.COMMUNE, "118", date(2024, 7, 1))
    generate(ward, YEAR, seed=5, scale=0.05)
    leaves = cache.with_register(cache.leaves_in(YEAR))
    periods = cache.periods_of(YEAR)
    shared: list[bool] = []
    real = parallel.run_all

    def recorded(thunks: Any, *, share: bool = True) -> list[Any]:
        shared.append(share and parallel.worth_sharing())
        return real(thunks, share=share)

    monkeypatch.setattr(setbased, "run_all", recorded)
    monkeypatch.setattr(setbased, "SHARED_FROM", 1)
    side_by_side = setbased.tallies_of_periods(periods, leaves)
    monkeypatch.setattr(setbased, "SHARED_FROM", len(leaves) + 1)
    one_by_one = setbased.tallies_of_periods(periods, leaves)
    assert shared == [True, False]
    assert side_by_side == one_by_one
    assert sum(tally[keys.POPULATION] for tally in side_by_side["2024"].values()) > 0
