"""Numbers as plans write them, in either style.

Vietnamese documents write ``416.950`` and ``0,15``; documents typed on an English
keyboard write ``42,000`` and ``0.10``.  Which one a separator is depends on what the
number counts:

- a **count** (persons): a ``.`` or ``,`` followed by exactly three digits separates
  thousands (``danso.vietnamese.parse_integer``); anything else is not a count;
- a **rate**, share or change: a lone separator is the decimal point (``0,15``,
  ``0.10``, ``-7.5``); when both appear, the last one is (``1.234,5``).

A cell of a table is a string, or a number when it comes from a spreadsheet.
"""

from __future__ import annotations

import re
from decimal import Decimal

from danso.vietnamese import parse_integer

Cell = str | int | float

_RATE = re.compile(r"([+-]?)(\d+(?:[.,]\d+)*)")
_MINUS_SIGNS = str.maketrans({"−": "-", "–": "-"})


def cell_text(cell: Cell) -> str:
    """A cell as text: a whole spreadsheet number without ``.0``, text stripped."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def is_blank(cell: Cell) -> bool:
    """Whether a cell holds nothing (an empty string or spaces)."""
    return isinstance(cell, str) and not cell.strip()


def parse_count(cell: Cell) -> int:
    """A count of persons: ``416950``, ``416.950``, ``42,000``, ``42 000`` or a
    spreadsheet number.  Raises ``ValueError`` for a fraction, a word or an empty cell."""
    if isinstance(cell, str):
        cell = cell.replace("\u00a0", " ").strip()
    return parse_integer(cell)


def parse_rate(cell: Cell) -> Decimal:
    """A rate, share or change in points: ``0,15``, ``0.10``, ``85``, ``85%``, ``-7.5``,
    ``70,0`` or a spreadsheet number, as the ``Decimal`` written (``Decimal("0.15")``).

    Raises ``ValueError`` for anything else, including an empty cell.

    >>> parse_rate("0,15"), parse_rate("0.10"), parse_rate("−7.5"), parse_rate(0.45)
    (Decimal('0.15'), Decimal('0.10'), Decimal('-7.5'), Decimal('0.45'))
    """
    if isinstance(cell, bool):
        raise ValueError("not a number")
    if isinstance(cell, int):
        return Decimal(cell)
    if isinstance(cell, float):
        # repr gives the shortest text that reads back as the same float: 0.45, not
        # the 0.450000000000000011… that Decimal(0.45) would give.
        return Decimal(repr(cell))
    text = cell.translate(_MINUS_SIGNS).replace("\u00a0", "").replace(" ", "").rstrip("%")
    match = _RATE.fullmatch(text)
    if match is None:
        raise ValueError(f"{cell!r} is not a number")
    sign, digits = match.groups()
    separators = {char for char in digits if char in ".,"}
    last = max(digits.rfind("."), digits.rfind(","))
    if last < 0:
        return Decimal(sign + digits)
    if len(separators) == 1 and digits.count(digits[last]) > 1:
        # "1.234.567": a separator used more than once can only group thousands.
        return Decimal(sign + digits.replace(digits[last], ""))
    whole = re.sub(r"[.,]", "", digits[:last])
    return Decimal(f"{sign}{whole}.{digits[last + 1 :]}")


def parse_value(cell: Cell, *, is_count: bool) -> Decimal:
    """A count (as a whole ``Decimal``) or a rate, by what the column counts."""
    return Decimal(parse_count(cell)) if is_count else parse_rate(cell)
