"""Numbers read from a query string or a form field by a view: a person (or a robot) may
send anything, so every number is read here, within the bounds its kind allows, and
anything else is treated as absent (the view then answers 400 or 404, or uses its
default) — never an overflow in the database or a traceback."""

from __future__ import annotations

from danso.bounds import MAX_ID, YEARS


def whole(text: object, low: int, high: int) -> int | None:
    """``text`` as a whole number between ``low`` and ``high``, or None."""
    raw = str(text if text is not None else "").strip()
    sign, digits = (-1, raw[1:]) if raw.startswith("-") else (1, raw)
    if not digits.isdigit() or len(digits) > 19:
        return None
    value = sign * int(digits)
    return value if low <= value <= high else None


def id_param(text: object) -> int | None:
    """A record's id, or None."""
    return whole(text, 1, MAX_ID)


def year_param(text: object) -> int | None:
    """A year danso works with (``YEARS``), or None."""
    return whole(text, *YEARS)
