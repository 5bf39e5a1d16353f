"""Administrative levels and unit codes, with no Django import.

Official codes (GSO/NSO "Danh mục đơn vị hành chính") are integers printed zero-padded:
2 digits for a province, 3 for a district, 5 for a commune.  They are stored without
padding ("4") and accepted either way ("00004").  Villages (thôn, tổ dân phố) are not in
the national lists; their codes are chosen locally and kept exactly as typed.

A code alone is ambiguous across the 2025 reform (commune 4 was Phường Trúc Bạch until
30/06/2025 and is Phường Ba Đình after), so every lookup by code also takes a date.
"""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    COUNTRY = "country"
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"
    VILLAGE = "village"


#: The levels a user can name on the command line (`--level`).
CLI_LEVELS = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE, Level.VILLAGE)

#: Digits of an official code when printed.
CODE_WIDTH = {Level.PROVINCE: 2, Level.DISTRICT: 3, Level.COMMUNE: 5}

#: The national root of the tree.
COUNTRY_CODE = "VN"

#: Which level may sit directly under which (a commune sits under a district before
#: 1/7/2025 and under its province after).
ALLOWED_PARENT_LEVELS = {
    Level.COUNTRY: frozenset(),
    Level.PROVINCE: frozenset({Level.COUNTRY}),
    Level.DISTRICT: frozenset({Level.PROVINCE}),
    Level.COMMUNE: frozenset({Level.DISTRICT, Level.PROVINCE}),
    Level.VILLAGE: frozenset({Level.COMMUNE}),
}


class CodeError(ValueError):
    """A code that cannot be a code of its level."""


def normalize_code(level: Level | str, raw: str | int) -> str:
    """Return the stored form of ``raw`` for ``level``.

    Official codes lose their padding ("00004" -> "4"); village codes are stripped of
    surrounding spaces only.  Raises ``CodeError`` for a non-numeric official code, a
    code too long for its level, or an empty code.
    """
    level = Level(level)
    text = str(raw).strip()
    if not text:
        raise CodeError("empty code")
    if level is Level.COUNTRY:
        return text.upper()
    if level is Level.VILLAGE:
        if len(text) > 20:
            raise CodeError(f"village code {text!r} is longer than 20 characters")
        return text
    if not text.isdigit():
        raise CodeError(f"{level.value} code {text!r} is not a number")
    stripped = text.lstrip("0") or "0"
    if len(stripped) > CODE_WIDTH[level]:
        raise CodeError(f"{level.value} code {text!r} has more than {CODE_WIDTH[level]} digits")
    return stripped


def display_code(level: Level | str, code: str) -> str:
    """Return ``code`` as printed: zero-padded for official levels, unchanged otherwise."""
    level = Level(level)
    width = CODE_WIDTH.get(level)
    return code.zfill(width) if width else code
