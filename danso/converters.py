"""Path converters: an id in a URL is at most 18 digits, so that every id the router lets
through fits the database's 64-bit integers (a longer one is a 404, not an overflow)."""

from __future__ import annotations

from danso.bounds import ID_PATTERN


class IdConverter:
    regex = ID_PATTERN

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
