"""Matching unit names as people write them to official units, with no Django import.

Plans write "Ứng Hoà" and "Ứng Hòa", "Thị xã Sơn Tây" and "Sơn Tây", "Q. Long Biên":
the comparison ignores case, diacritics, tone-mark placement and the type word.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TypeVar

from danso.vietnamese import fold

K = TypeVar("K")
_TYPE_WORDS = (
    "thanh pho",
    "thi xa",
    "thi tran",
    "dac khu",
    "quan",
    "huyen",
    "phuong",
    "xa",
    "tinh",
    "tp",
    "tx",
    "tt",
    "q",
    "h",
    "p",
)
_PREFIX = re.compile(r"^(?:(?:" + "|".join(_TYPE_WORDS) + r")\.?\s+)+")


def bare_name(text: str) -> str:
    """The folded name without its type word: "Thị xã Sơn Tây" -> "son tay"."""
    folded = fold(text).replace(".", ". ")
    folded = re.sub(r"\s+", " ", folded).strip()
    return _PREFIX.sub("", folded).strip() or folded


def match_names(names: list[str], candidates: Mapping[K, str]) -> dict[str, K | None]:
    """For each written name, the candidate (key -> official name) it means, or None.

    The full folded name is tried first ("Phường Long Biên" is not "Quận Long Biên"),
    then the bare name; a bare name that fits several candidates matches none."""
    full: dict[str, list[K]] = {}
    bare: dict[str, list[K]] = {}
    for key, official in candidates.items():
        full.setdefault(fold(official), []).append(key)
        bare.setdefault(bare_name(official), []).append(key)
    found: dict[str, K | None] = {}
    for name in names:
        exact = full.get(fold(name), [])
        loose = bare.get(bare_name(name), [])
        found[name] = exact[0] if len(exact) == 1 else (loose[0] if len(loose) == 1 else None)
    return found
