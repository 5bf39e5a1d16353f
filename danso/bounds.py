"""How large every number a person or a file can store may be, one place per kind of
quantity, with no Django import.

Counts of persons or events in any unit and period stay under ``MAX_COUNT`` (Vietnam has
about 101 million people: a count above it is a typing or file error, and a number of 19
digits would overflow the database and every sum above it).  A level is bounded by its
indicator's unit (a percentage between 0 and 100), a change by twice that range's width
in either direction, never by the sign of the number.  Forms, API serializers, importers
and services all ask here; the database's check constraints hold the widest bound
(``MAX_COUNT``) underneath.

Messages are English msgids with their parameters; callers translate them.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

MAX_COUNT = 200_000_000
#: The largest id the database holds (64-bit integers).
MAX_ID = 2**63 - 1
#: An id in a path: digits that fit a 64-bit integer (a longer one is a 404, not an
#: overflow in the database).
ID_PATTERN = "[0-9]{1,18}"
#: Years danso works with: registers since 1900 at the earliest, plans to 2100.
YEARS = (1900, 2100)

#: The range of a level in each unit of measure of the indicator catalogue.
LEVELS: dict[str, tuple[Decimal, Decimal]] = {
    "%": (Decimal(0), Decimal(100)),
    "‰": (Decimal(0), Decimal(1000)),
    "per100": (Decimal(0), Decimal(1000)),  # boys per 100 girls
    "persons": (Decimal(0), Decimal(MAX_COUNT)),
    "children_per_woman": (Decimal(0), Decimal(20)),
    "per_woman": (Decimal(0), Decimal(20)),
}
WIDEST = (Decimal(-MAX_COUNT), Decimal(MAX_COUNT))


def level_range(unit: str) -> tuple[Decimal, Decimal]:
    """The values a level in ``unit`` may take (an unknown unit: a count's range)."""
    return LEVELS.get(unit, LEVELS["persons"])


def change_range(unit: str) -> tuple[Decimal, Decimal]:
    """The values a change of a level in ``unit`` may take, up or down."""
    low, high = level_range(unit)
    width = high - low
    return (-width, width)


def as_decimal(value: object) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def count_problem(value: object) -> tuple[str, dict[str, object]] | None:
    """Why ``value`` is no count of persons or events, or None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "A count is a whole number.", {}
    if value < 0:
        return "A count cannot be negative.", {}
    if value > MAX_COUNT:
        return "A count cannot exceed %(max)s.", {"max": MAX_COUNT}
    return None


def range_problem(
    value: object, bounds: tuple[Decimal, Decimal], unit: str = ""
) -> tuple[str, dict[str, object]] | None:
    """Why ``value`` lies outside ``bounds`` (or is no number), or None."""
    number = as_decimal(value)
    if number is None:
        return "Not a number.", {}
    low, high = bounds
    if not low <= number <= high:
        return (
            "The value must be between %(low)s and %(high)s%(unit)s.",
            {"low": low, "high": high, "unit": f" {unit}" if unit else ""},
        )
    return None
