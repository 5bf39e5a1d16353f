"""Finding indicators, contraceptive methods and supply sources in Vietnamese text.

Everything here works on folded text (``danso.vietnamese.fold``), so that "khỏe" and
"khoẻ", "Ứng Hòa" and "Ứng Hoà" read the same.  A phrase matches on whole words:
"moi" (new) is found in "bptt moi" but not in "moi truong".
"""

from __future__ import annotations

import re
from functools import cache

from danso.indicators.catalogue import CATALOGUE
from danso.vietnamese import fold

#: Folded word groups naming each method in the plans' tables; the first that matches wins.
METHOD_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("iud", ("dung cu tu cung", "vong tranh thai", "iud")),
    ("implant", ("thuoc cay", "que cay", "cay tranh thai")),
    ("injectable", ("thuoc tiem", "tiem tranh thai")),
    ("pill", ("vien uong", "thuoc uong")),
    ("condom", ("bao cao su",)),
    ("sterilisation", ("triet san",)),
)

#: Sub-headers of a method column.  Social marketing is tried first: its header
#: ("TĐ: Tiếp thị xã hội và XHH") never says "miễn phí", but a free column may say "TĐ".
SUPPLY_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("social_marketing", ("tiep thi xa hoi", "xa hoi hoa", "xhh", "tiep thi")),
    ("free", ("mien phi",)),
    ("total", ("tong so", "tong", "cong")),
)

#: Words that make a row the table's total ("Toàn Thành phố", "Tổng", "Tổng cộng").
TOTAL_ROW_STARTS = ("tong", "toan ", "cong", "ca nuoc")


def fold_same_length(text: str) -> str:
    """``fold`` one character at a time: the result has the length of ``text``, so a
    match found in it is at the same place in ``text``.  Spaces are kept as they are.

    >>> fold_same_length("Sở Y tế, ngày 15/12")
    'so y te, ngay 15/12'
    """
    out = []
    for char in text:
        folded = fold(char)
        out.append(folded[0] if folded else " " if char.isspace() else char)
    return "".join(out)


@cache
def _word_pattern(words: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z0-9]){re.escape(words)}(?![a-z0-9])")


def has_words(folded: str, words: str) -> bool:
    """Whether ``words`` (folded) appear in ``folded`` as whole words."""
    return _word_pattern(words).search(folded) is not None


def find_indicator(folded: str) -> str | None:
    """The code of the catalogue indicator that ``folded`` names, or None.

    When several match ("tổng tỷ suất sinh" names TFR, and also CBR through "tỷ suất
    sinh"), the one whose matching phrase is longest — the most specific — wins.
    """
    found = find_indicator_at(folded)
    return found[0] if found else None


def find_indicator_at(folded: str) -> tuple[str, int] | None:
    """(code, end) of the indicator ``folded`` names (see ``find_indicator``), ``end``
    being where the last word of its phrase ends: the target's value comes after it."""
    best: tuple[str, int] | None = None
    best_length = 0
    for spec in CATALOGUE:
        for alternative in spec.phrases:
            matches = [_word_pattern(words).search(folded) for words in alternative]
            if all(matches):
                length = sum(len(words) for words in alternative)
                if length > best_length:
                    end = max(match.end() for match in matches if match)
                    best, best_length = (spec.code, end), length
    return best


def find_method(folded: str) -> str | None:
    """The contraceptive method (a key of ``catalogue.METHODS``) named in ``folded``."""
    for method, phrases in METHOD_PHRASES:
        if any(has_words(folded, phrase) for phrase in phrases):
            return method
    return None


def find_supply(folded: str) -> str | None:
    """The supply source ("total", "free", "social_marketing") a sub-header names."""
    for supply, phrases in SUPPLY_PHRASES:
        if any(has_words(folded, phrase) for phrase in phrases):
            return supply
    return None


def is_total_name(name: str) -> bool:
    """Whether a row named ``name`` is a table's total row ("Toàn Thành phố", "Tổng")."""
    folded = fold(name)
    return folded.startswith(TOTAL_ROW_STARTS)
