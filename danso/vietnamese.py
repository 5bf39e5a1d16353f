"""Vietnamese text and number conventions, with no Django import.

``fold`` gives the search key used everywhere a person types a name: it ignores
case, diacritics and where the tone mark sits, so that "ung hoa" finds both
"Ứng Hòa" and "Ứng Hoà", and "long bien" finds "Quận Long Biên".
``format_number`` writes numbers the Vietnamese way: ``416.950`` and ``0,15``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

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


# ----------------------------------------------------------------------------- numbers
#
# How a number typed by a person is read (``parse_number``; ``parse_decimal`` and
# ``parse_integer`` are its two uses).  One rule for every form, paste and file:
#
# 1. A text is read both ways: the Vietnamese way (dots between groups of three digits,
#    a decimal comma: ``416.950``, ``0,15``, ``1.234,5``) and the English way (commas
#    between groups, a decimal point: ``416,950``, ``0.15``, ``1,234.5``).  Spaces
#    between groups (``416 950``) are allowed either way.
# 2. A reading the field cannot hold is dropped: in a whole-number field (a count of
#    persons), every reading with a decimal part, even of zeros.  So in a whole-number
#    field ``416.950`` and ``416,950`` are both 416950, ``42,000`` is 42000, and ``0,15``
#    or ``1.5`` is refused as not whole.
# 3. One reading left (or both giving the same number): that is the number.
# 4. Two different readings left: only ``d.ddd`` and ``d,ddd`` (one separator followed
#    by exactly three digits) read two ways in a field with decimals.  A dot is read as
#    Vietnamese thousands (``416.950`` is 416950: that is how Vietnamese write it, and
#    nobody writes 416,95 as ``416.950``); a comma is refused as ambiguous
#    (``AmbiguousNumber``: ``416,950`` is 416,95 in Vietnamese and 416950 in English).
# 5. A block of cells that comes together (a paste from Excel, a file) has one
#    convention: a cell that only one convention reads for its field (``0,15`` or
#    ``1.234,5``: Vietnamese; ``0.15`` or ``1,234.5``: English) sets it for the whole
#    block (``block_convention``), and every cell is then read that way only; cells of
#    both conventions in one block are refused (``MixedConventions``).  A block that does
#    not tell is read cell by cell with rules 1–4.

VI: Final = "vi"
EN: Final = "en"

_VI_FORM = re.compile(r"^[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?$|^\d+(?:,\d+)?$")
_EN_FORM = re.compile(r"^[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")
#: The decimal mark of each convention.
_DECIMAL_MARK = {"vi": ",", "en": "."}
_SPACED = re.compile(r"^\d{1,3}(?: \d{3})+(?:[.,]\d+)?$")


class AmbiguousNumber(ValueError):
    """A number that reads two ways ("1,234": one point two three four in Vietnamese, one
    thousand two hundred and thirty-four in English)."""


class MixedConventions(ValueError):
    """A block of cells written partly the Vietnamese way and partly the English way."""


def _clean(value: object) -> tuple[str, str]:
    """A typed number's sign and digits, with the spaces between groups taken out."""
    text = str(value).strip().replace("\u00a0", " ").replace("\u202f", " ")
    text = text.replace("\u2212", "-").replace("\u2013", "-")
    sign = "-" if text.startswith("-") else ""
    digits = text[1:].strip() if text[:1] in ("-", "+") else text
    digits = _SPACES.sub(" ", digits)
    if " " in digits:
        if not _SPACED.match(digits):
            raise ValueError(f"{text!r} is not a number")
        digits = digits.replace(" ", "")
    return sign, digits


def readings(value: object, *, whole: bool = False) -> dict[str, Decimal]:
    """The numbers a typed text can be, by convention (``VI``, ``EN``), keeping only
    those a field can hold (``whole``: no decimal part).  Empty when it is no number.

    >>> readings("416,950")
    {'vi': Decimal('416.950'), 'en': Decimal('416950')}
    >>> readings("416,950", whole=True)
    {'en': Decimal('416950')}
    """
    try:
        sign, digits = _clean(value)
    except ValueError:
        return {}
    found: dict[str, Decimal] = {}
    if _VI_FORM.match(digits):
        found[VI] = Decimal(sign + digits.replace(".", "").replace(",", "."))
    if _EN_FORM.match(digits):
        found[EN] = Decimal(sign + digits.replace(",", ""))
    if whole:
        found = {k: v for k, v in found.items() if _DECIMAL_MARK[k] not in digits}
    return found


def parse_number(value: object, *, whole: bool = False, convention: str | None = None) -> Decimal:
    """Read a typed number by the module's rule (above); ``convention`` (``VI`` or
    ``EN``) when a block has told it.  Raises ``AmbiguousNumber`` for a number that
    reads two ways, ``ValueError`` for anything else ("not a number", "not a whole
    number"); never guesses."""
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else value
        if not number.is_finite():
            raise ValueError(f"{value} is not a number")
        if whole and number != number.to_integral_value():
            raise ValueError(f"{value} is not a whole number")
        return number.to_integral_value() if whole else number
    found = readings(value, whole=whole)
    text = str(value).strip()
    if not found:
        if whole and readings(value):
            raise ValueError(f"{text!r} is not a whole number")
        raise ValueError(f"{text!r} is not a number")
    if convention is not None:
        if convention not in found:
            raise ValueError(f"{text!r} is not a number written the {convention} way")
        return found[convention]
    values = set(found.values())
    if len(values) == 1:
        return values.pop()
    if "," in text:
        raise AmbiguousNumber(text)
    return found[VI]


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
    return parse_number(value)


def parse_integer(value: object) -> int:
    """Read a whole number (a count) by the same rule: ``416950``, ``416.950``,
    ``416,950``, ``416 950`` or a spreadsheet number are all 416950, since a count has
    no decimals.  Raises ``ValueError`` for anything else (a fraction, a word, an empty
    cell).

    >>> parse_integer("416.950"), parse_integer("42,000"), parse_integer(7.0)
    (416950, 42000, 7)
    """
    return int(parse_number(value, whole=True))


def block_convention(cells: Iterable[tuple[object, bool]]) -> str | None:
    """The convention a block of cells is written in (rule 5): ``VI``, ``EN``, or None
    when no cell tells.  ``cells`` are (text, whole-number field) pairs.  Raises
    ``MixedConventions`` when some cells can only be Vietnamese and others only English.

    >>> block_convention([("416.950", True), ("0,15", False)])
    'vi'
    >>> block_convention([("416,950", False), ("0.15", False)])
    'en'
    """
    told: set[str] = set()
    for value, whole in cells:
        if isinstance(value, str) and value.strip():
            found = readings(value, whole=whole)
            if len(found) == 1:
                told |= set(found)
    if len(told) > 1:
        raise MixedConventions("both conventions")
    return told.pop() if told else None


def initials(name: str) -> str:
    """A name by its initials, for a reader who may not see it: "Nguyễn Thị Hòa" → "N. T. H."."""
    return " ".join(f"{word[0]}." for word in str(name).split() if word)
