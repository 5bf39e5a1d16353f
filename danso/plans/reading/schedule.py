"""The activity schedule (biểu tiến độ): "TT | Nội dung công việc | Thời gian thực
hiện | Đơn vị thực hiện | Đơn vị phối hợp".

A row with a roman numeral and nothing but a name is a group heading ("I | Công tác
chỉ đạo điều hành").  A row with neither number nor name carries the end of the row
above it, cut by a page break ("… Phát triển các" / "phường"): its cells are added to
that row's.  The time window is kept as written, and read as dates when it names
months: "Tháng 3 - 10/2024" → 1 March to 31 October 2024; "Hàng tháng" → every month
of the plan's year.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from datetime import date

from danso.plans.document import ActivitySpec, Problem
from danso.plans.reading.blocks import ROMAN, Grid, header_key
from danso.plans.reading.numbers import Cell, cell_text
from danso.plans.reading.tables import cut_short
from danso.plans.reading.translation import _
from danso.vietnamese import fold

_FIELDS = (
    ("number", ("tt", "stt", "so tt")),
    ("name", ("noi dung", "hoat dong", "cong viec")),
    ("window", ("thoi gian",)),
    ("coordinating", ("phoi hop",)),
    ("lead", ("thuc hien", "chu tri")),
)
_RECURRENCES = (("hang thang", "monthly"), ("hang quy", "quarterly"), ("hang nam", "yearly"))
_MONTH_RANGE = re.compile(
    r"^(?:tu\s+)?thang\s*(\d{1,2})(?:\s*/\s*(\d{4}))?\s*(?:-|den)\s*(?:thang\s*)?(\d{1,2})(?:\s*/\s*(\d{4}))?"
)
_MONTH = re.compile(r"^thang\s*(\d{1,2})(?:\s*/\s*(\d{4}))?(?![\d\s]*(?:-|den))")
_QUARTER = re.compile(r"^quy\s*(i{1,3}|iv|[1-4])(?:\s*/\s*(\d{4}))?")
_QUARTER_NUMBERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


def is_schedule_header(row: Sequence[Cell]) -> bool:
    """Whether a header row is a schedule's: it has the work and the time."""
    folded = [fold(cell_text(cell)) for cell in row]
    return any("noi dung" in f or "cong viec" in f for f in folded) and any(
        "thoi gian" in f for f in folded
    )


def read_schedule(
    grid: Grid, header_at: int, plan_year: int | None, problems: list[Problem]
) -> list[ActivitySpec]:
    """The activities of the schedule in ``grid``, with their groups."""
    fields = _fields(grid.rows[header_at])
    header = header_key(grid.rows[header_at])
    rows: list[tuple[int, dict[str, str]]] = []
    for index in range(header_at + 1, len(grid.rows)):
        cells = [cell_text(cell) for cell in grid.rows[index]]
        if not any(cells) or header_key(grid.rows[index]) == header:
            continue
        beyond = [name for name, at in fields.items() if at >= len(cells)]
        if beyond:  # a row of a text file that stops before its last columns
            column = cell_text(grid.rows[header_at][fields[beyond[0]]])
            message = cut_short(cells[0] if cells else "", column)
            problems.append(Problem("error", grid.places[index], message))
            continue
        row = {name: cells[at] for name, at in fields.items()}
        if not row.get("number") and not row.get("name") and rows:
            _carry_on(rows[-1][1], row)  # the end of the row above, after a page break
            continue
        rows.append((index, row))
    return _activities(grid, rows, plan_year, problems)


def _fields(header: Sequence[Cell]) -> dict[str, int]:
    fields: dict[str, int] = {}
    for index, cell in enumerate(header):
        folded = fold(cell_text(cell))
        for name, words in _FIELDS:
            # "TT" must be the whole cell; the other words may be part of it.
            matches = folded in words if name == "number" else any(word in folded for word in words)
            if name not in fields and matches:
                fields[name] = index
                break
    return fields


def _carry_on(previous: dict[str, str], row: dict[str, str]) -> None:
    for name, text in row.items():
        if text:
            previous[name] = f"{previous.get(name, '')} {text}".strip()


def _activities(
    grid: Grid,
    rows: Sequence[tuple[int, dict[str, str]]],
    plan_year: int | None,
    problems: list[Problem],
) -> list[ActivitySpec]:
    activities = []
    group = ""
    groups_seen: dict[str, int] = {}
    for index, row in rows:
        number, name = row.get("number", ""), row.get("name", "")
        rest = [row.get(field, "") for field in ("window", "lead", "coordinating")]
        if number.upper() in ROMAN and not any(rest):
            if number.upper() in groups_seen:
                problems.append(
                    Problem(
                        "warning",
                        grid.places[index],
                        _("Group number %(number)s is used twice (also %(place)s).")
                        % {"number": number, "place": grid.places[groups_seen[number.upper()]]},
                    )
                )
            groups_seen[number.upper()] = index
            group = f"{number}. {name}"
            continue
        window = row.get("window", "")
        start, end, recurrence = read_window(window, plan_year)
        activities.append(
            ActivitySpec(
                group=group,
                number=number,
                name=name,
                window=window,
                start=start,
                end=end,
                recurrence=recurrence,
                lead=row.get("lead", ""),
                coordinating=row.get("coordinating", ""),
            )
        )
    return activities


def read_window(window: str, year: int | None) -> tuple[date | None, date | None, str | None]:
    """(start, end, recurrence) of a time window as written.  A month or a range of
    months gives its first and last day; a year left out is the plan's; "Hàng tháng"
    (quý, năm) gives the whole plan year and the recurrence.  Anything else ("Theo kế
    hoạch của Chi cục…") gives (None, None, None)."""
    folded = fold(window)
    for words, recurrence in _RECURRENCES:
        if folded.startswith(words):
            if year is None:
                return None, None, recurrence
            return date(year, 1, 1), date(year, 12, 31), recurrence
    if match := _MONTH_RANGE.match(folded):
        last_year = int(match[4]) if match[4] else year
        first_year = int(match[2]) if match[2] else last_year
        return _months(first_year, int(match[1]), last_year, int(match[3]))
    if match := _MONTH.match(folded):
        in_year = int(match[2]) if match[2] else year
        return _months(in_year, int(match[1]), in_year, int(match[1]))
    if match := _QUARTER.match(folded):
        quarter = _QUARTER_NUMBERS.get(match[1]) or int(match[1])
        in_year = int(match[2]) if match[2] else year
        return _months(in_year, 3 * quarter - 2, in_year, 3 * quarter)
    return None, None, None


def _months(
    first_year: int | None, first: int, last_year: int | None, last: int
) -> tuple[date | None, date | None, str | None]:
    if first_year is None or last_year is None or not (1 <= first <= 12 and 1 <= last <= 12):
        return None, None, None
    end = date(last_year, last, calendar.monthrange(last_year, last)[1])
    start = date(first_year, first, 1)
    return (start, end, None) if start <= end else (None, None, None)
