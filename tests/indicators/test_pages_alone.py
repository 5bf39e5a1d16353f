"""``pages._alone``: readers asking at once for a section nobody has kept wait for the one
who puts it together, in each process; nothing is left behind once they are done."""

from __future__ import annotations

import threading
import time

from danso.indicators import pages


def test_a_second_reader_of_the_same_section_waits_for_the_first() -> None:
    order: list[str] = []
    inside = threading.Event()

    def first() -> None:
        with pages._alone("section:k"):
            inside.set()
            time.sleep(0.2)
            order.append("first done")

    def second() -> None:
        inside.wait()
        with pages._alone("section:k"):
            order.append("second in")

    def other() -> None:
        inside.wait()
        with pages._alone("section:other"):
            order.append("other in")

    threads = [threading.Thread(target=f) for f in (first, second, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert order == ["other in", "first done", "second in"]
    assert pages._working == {}
