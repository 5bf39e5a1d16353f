"""Vietnamese text and number conventions, with no Django import.

``fold`` gives the search key used everywhere a person types a name: it ignores
case, diacritics and where the tone mark sits, so that "ung hoa" finds both
"Ứng Hòa" and "Ứng Hoà", and "long bien" finds "Quận Long Biên".
``format_number`` writes numbers the Vietnamese way: ``416.950`` and ``0,15``.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

_SPACES = re.compile(r"\s+")
# đ/Đ is a letter of its own, not d with a combining mark, so NFD leaves it alone.
_LETTER_MAP = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Return ``text`` lower-cased, without diacritics, with single spaces.

    >>> fold("  Phường  Điện Biên ")
    'phuong dien bien'
    >>> fold("Ứng Hòa") == fold("Ứng Hoà") == "ung hoa"
    True
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTER_MAP))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", bare.lower()).strip()


def format_number(value: int | float | Decimal | None, decimals: int = 0) -> str:
    """Format ``value`` with ``.`` between thousands and ``,`` before decimals.

    Rounds half away from zero, as officers round by hand: ``format_number(2.125, 2)``
    is ``2,13``.  ``None`` becomes an empty string.

    >>> format_number(416950)
    '416.950'
    >>> format_number(0.15, 2)
    '0,15'
    >>> format_number(-1234567.891, 1)
    '-1.234.567,9'
    """
    if value is None:
        return ""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    integer, _, fraction = f"{abs(rounded):f}".partition(".")
    groups: list[str] = []
    while len(integer) > 3:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    groups.insert(0, integer)
    text = ".".join(groups)
    return f"{sign}{text},{fraction}" if fraction else f"{sign}{text}"


_GROUPED = re.compile(r"^-?\d{1,3}([.,\s]\d{3})+$")


def parse_integer(value: object) -> int:
    """Read a whole number written either way: ``416950``, ``416.950``, ``416,950``,
    ``416 950`` or a spreadsheet number.  Raises ``ValueError`` for anything else
    (a fraction, a word, an empty cell).

    >>> parse_integer("416.950"), parse_integer("42,000"), parse_integer(7.0)
    (416950, 42000, 7)
    """
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{value} is not a whole number")
        return int(value)
    text = str(value).strip().replace("\u00a0", " ")
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if _GROUPED.match(text):
        return int(re.sub(r"[.,\s]", "", text))
    raise ValueError(f"{text!r} is not a whole number")


class AmbiguousNumber(ValueError):
    """A number that reads two ways ("1,234": one point two three four in Vietnamese, one
    thousand two hundred and thirty-four in English)."""


_VI_NUMBER = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d+)?$|^\d+(?:,\d+)?$")
_EN_NUMBER = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+\.\d+$")
_AMBIGUOUS = re.compile(r"^[1-9]\d{0,2},\d{3}$")


def parse_decimal(value: object) -> Decimal:
    """Read a number typed the Vietnamese way — ``416.950`` (dots group thousands),
    ``0,15`` (a decimal comma), ``-1.234,5`` — or, where it cannot be Vietnamese, the
    English way (``0.15``, ``1,234.5``).  Raises ``AmbiguousNumber`` for a number that
    reads two ways (``1,234``) and ``ValueError`` for anything else; never guesses.

    >>> parse_decimal("416.950"), parse_decimal("0,15"), parse_decimal("−0,15")
    (Decimal('416950'), Decimal('0.15'), Decimal('-0.15'))
    >>> parse_decimal("1.234,5"), parse_decimal("0.15"), parse_decimal("1,234.5")
    (Decimal('1234.5'), Decimal('0.15'), Decimal('1234.5'))
    """
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace("\u2212", "-")
    sign = "-" if text.startswith("-") else ""
    digits = text[1:] if text[:1] in ("-", "+") else text
    if _AMBIGUOUS.match(digits):
        raise AmbiguousNumber(text)
    if _VI_NUMBER.match(digits):
        return Decimal(sign + digits.replace(".", "").replace(",", "."))
    if _EN_NUMBER.match(digits):
        return Decimal(sign + digits.replace(",", ""))
    raise ValueError(f"{text!r} is not a number")


def initials(name: str) -> str:
    """A name by its initials, for a reader who may not see it: "Nguyễn Thị Hòa" → "N. T. H."."""
    return " ".join(f"{word[0]}." for word in str(name).split() if word)
