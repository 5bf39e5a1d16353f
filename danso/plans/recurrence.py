"""When an activity of a plan's schedule (biểu tiến độ) takes place: the windows a
recurrence gives in a span of days, and the state of each, with no Django import.

A recurrence is one of ``Repeat``: once in the span; every month ("hàng tháng") or every
quarter ("hàng quý") the span touches, each window cut to the span; or on the
communication days (``communication.COMMUNICATION_DAYS``: Ngày Dân số Thế giới 11/7,
Ngày Dân số Việt Nam 26/12, the action month of December …) that fall in it, all of them
or those named by their keys (``day_key``: "07-11", "12-26"; "12" for the whole month).
A window is due on its last day: an occurrence not recorded by then is overdue.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from danso.plans.communication import COMMUNICATION_DAYS, CommunicationDay


class Repeat(StrEnum):
    ONCE = "once"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    COMMUNICATION_DAYS = "communication_days"


class State(StrEnum):
    """The state of one occurrence on a day, or of an activity from its occurrences."""

    DONE = "done"  # held (for an activity: every occurrence recorded, at least one held)
    NOT_HELD = "not_held"  # recorded as not held
    OVERDUE = "overdue"  # due before the day and not recorded
    UPCOMING = "upcoming"  # not due yet
    IN_PROGRESS = "in_progress"  # an activity: some held, the rest not due yet


@dataclass(frozen=True)
class Window:
    """One occurrence's days: from ``start`` to ``end``, due on ``end``; ``key`` names a
    communication day ("" otherwise)."""

    start: date
    end: date
    key: str = ""

    @property
    def due(self) -> date:
        return self.end


def day_key(day: CommunicationDay) -> str:
    """ "07-11" for 11 July; "12" for a day that is a whole month."""
    return f"{day.month:02d}" if day.day is None else f"{day.month:02d}-{day.day:02d}"


def communication_day(key: str) -> CommunicationDay | None:
    return next((d for d in COMMUNICATION_DAYS if day_key(d) == key), None)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _months(first: date, last: date) -> Iterable[tuple[int, int]]:
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _cut(start: date, end: date, first: date, last: date, key: str = "") -> Window | None:
    start, end = max(start, first), min(end, last)
    return Window(start, end, key) if start <= end else None


def windows(repeat: Repeat, first: date, last: date, keys: Sequence[str] = ()) -> list[Window]:
    """The windows of ``repeat`` from ``first`` to ``last`` inclusive, in date order
    (none if ``last`` is before ``first``).  ``keys`` chooses communication days (empty:
    all of them); unknown keys are ignored."""
    if last < first:
        return []
    if repeat is Repeat.ONCE:
        return [Window(first, last)]
    found: list[Window | None] = []
    if repeat is Repeat.MONTHLY:
        found = [
            _cut(date(y, m, 1), _month_end(y, m), first, last) for y, m in _months(first, last)
        ]
    elif repeat is Repeat.QUARTERLY:
        quarters = sorted({(y, (m - 1) // 3) for y, m in _months(first, last)})
        found = [
            _cut(date(y, 3 * q + 1, 1), _month_end(y, 3 * q + 3), first, last) for y, q in quarters
        ]
    else:
        chosen = [d for d in COMMUNICATION_DAYS if not keys or day_key(d) in keys]
        for year in range(first.year, last.year + 1):
            for day in chosen:
                start = day.on(year)
                end = start if day.day is not None else _month_end(year, day.month)
                found.append(_cut(start, end, first, last, day_key(day)))
    return sorted((w for w in found if w is not None), key=lambda w: (w.start, w.end, w.key))


def occurrence_state(held: bool | None, due: date, today: date) -> State:
    """``held``: True held, False recorded as not held, None not recorded yet."""
    if held is True:
        return State.DONE
    if held is False:
        return State.NOT_HELD
    return State.OVERDUE if due < today else State.UPCOMING


def activity_state(states: Iterable[State]) -> State | None:
    """An activity's state from its occurrences' (None: it has none): overdue if any
    is; upcoming if none was held yet; in progress if some were and some are still to
    come; done once every one is recorded and at least one was held (else not held)."""
    found = list(states)
    if not found:
        return None
    if State.OVERDUE in found:
        return State.OVERDUE
    if State.UPCOMING in found:
        return State.IN_PROGRESS if State.DONE in found else State.UPCOMING
    return State.DONE if State.DONE in found else State.NOT_HELD
