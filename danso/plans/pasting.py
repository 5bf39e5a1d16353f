"""Reading a block pasted from Excel into the allocation grid (dán từ Excel): nothing is
written here (``services.allocations_paste`` writes what this reads).

A pasted line is one unit below the plan's unit: its name or its code — after a row
number (cột TT) when the table has one, and possibly followed by its name when the code
comes first — then one cell per column of the grid in the grid's order (a count's total,
then each of its methods, with their supplies when the grid splits them).  Names are
matched as people write them (``units.naming``: case, diacritics and the type word
"Phường", "Xã", "Quận" do not matter).  Header lines (no unit, no number, or the
column-numbering line "1 2 3 …") and total lines ("Tổng", "Toàn quận") are skipped.
Every line gets a note saying which unit it was read as, or why not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.utils.translation import gettext as _

from danso.numberfields import number_problem
from danso.plans.grid import Column, breakdown_of, breakdown_total, columns_of, parse_value
from danso.plans.limits import allocation_problems
from danso.plans.models import Target
from danso.units.models import Unit, UnitVersion
from danso.units.naming import bare_name
from danso.vietnamese import MixedConventions, block_convention, fold, readings

#: First cells of a line that is a total, not a unit.
TOTALS = frozenset(
    {
        "tong",
        "tong so",
        "tong cong",
        "cong",
        "toan thanh pho",
        "toan quan",
        "toan huyen",
        "toan thi xa",
        "toan tinh",
        "toan phuong",
        "toan xa",
    }
)
#: First cells of a header line.
HEADERS = frozenset({"tt", "stt", "so tt", "don vi", "ten don vi", "ma", "ma don vi"})
#: A row number (số thứ tự) in the first column of a copied table: "1", "2.", "I", "a)".
_ROW_NUMBER = re.compile(r"^(?:\d{1,3}\.?|[ivxl]{1,6}\.?|[a-z]\)|tt|stt)$")
#: A cell of the line numbering a table's columns: "1", "(2)", "A", "B".
_COLUMN_NUMBER = re.compile(r"^\(?(?:\d{1,2}|[a-z])\)?$")

Cell = tuple[Target, Unit, Decimal | None, dict[str, Any] | None]


@dataclass(frozen=True)
class PastedLine:
    """One non-empty line of the block: its number (1 = the block's first line), the unit
    it was read as (None: skipped or refused) and what happened, in words."""

    number: int
    version: UnitVersion | None
    note: str
    refused: bool = False


@dataclass
class PasteReading:
    lines: list[PastedLine] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def report(self) -> list[str]:
        """A line of text per pasted line: "Dòng 2: Phường Phúc Lợi"."""
        return [line.note for line in self.lines]


class _Units:
    """The units below, found by code or by name as written."""

    def __init__(self, children: Sequence[UnitVersion]) -> None:
        self.by_code: dict[str, UnitVersion] = {}
        self.full: dict[str, list[UnitVersion]] = {}
        self.bare: dict[str, list[UnitVersion]] = {}
        for version in children:
            for code in (version.code, version.display_code):
                self.by_code[str(code)] = version
                self.by_code[str(code).lstrip("0") or "0"] = version
            self.full.setdefault(fold(version.name), []).append(version)
            self.bare.setdefault(bare_name(version.name), []).append(version)

    def find(self, written: str) -> tuple[UnitVersion | None, list[UnitVersion]]:
        """The unit ``written`` means, or None with the units it could mean (several
        when the name without its type word fits more than one)."""
        text = written.strip()
        if not text:
            return None, []
        if text.isdigit():
            found = self.by_code.get(text) or self.by_code.get(text.lstrip("0") or "0")
            return found, []
        exact = self.full.get(fold(text), [])
        if len(exact) == 1:
            return exact[0], []
        loose = self.bare.get(bare_name(text), [])
        if len(loose) == 1:
            return loose[0], []
        return None, exact or loose


def _is_text(cell: str) -> bool:
    return bool(cell.strip()) and not readings(cell)


def _numbers_columns(cells: list[str]) -> bool:
    """Whether the line numbers the table's columns ("1 2 3 …", "A B 1 2 …")."""
    filled = [fold(c) for c in cells if c.strip()]
    if len(filled) < 2 or not all(_COLUMN_NUMBER.match(c) for c in filled):
        return False
    numbers = [int(c.strip("()")) for c in filled if c.strip("()").isdigit()]
    return all(b == a + 1 for a, b in pairwise(numbers))


def paste_read(
    *,
    children: Sequence[UnitVersion],
    parent: str,
    text: str,
    targets: Sequence[Target],
) -> PasteReading:
    """Read ``text`` (tab-separated lines, as Excel copies) against the grid of
    ``targets`` whose rows are ``children`` (the units directly below ``parent``, a name
    for the messages).  The numbers are read by ``danso.vietnamese``'s rule, the whole
    block in one convention (Vietnamese Excel copies "416.950" and "0,15", English Excel
    "416,950" and "0.15"); a block mixing them, or a number reading two ways in a block
    that does not tell, is refused.  Values outside their bounds are refused, naming the
    line, unit and cell (``limits.allocation_problems``)."""
    columns = columns_of(list(targets))
    units = _Units(children)
    reading = PasteReading()
    matched: list[tuple[int, UnitVersion, list[str]]] = []
    seen: dict[int, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        cells = raw.split("\t")
        lead = 0
        first = cells[0].strip()
        if len(cells) > 1 and (not first or _ROW_NUMBER.match(fold(first))):
            after, _maybe = units.find(cells[1])
            if after is not None or _is_text(cells[1]) or (not first and cells[1].strip()):
                lead = 1
        written = cells[lead].strip()
        version, candidates = units.find(written)
        start = lead + 1
        if version is not None and len(cells) > start and _is_text(cells[start]):
            again, _maybe = units.find(cells[start])
            if again == version:  # its code, then its name
                start += 1
        values = cells[start:]
        if version is None:
            folded = fold(written)
            if folded in TOTALS or folded.startswith(("tong ", "toan ")):
                reading.lines.append(
                    PastedLine(number, None, _("Line %(n)s: a total, skipped.") % {"n": number})
                )
                continue
            if (
                folded in HEADERS
                or not any(c.strip() and readings(c) for c in values)
                or _numbers_columns(cells)
            ):
                reading.lines.append(
                    PastedLine(number, None, _("Line %(n)s: a header, skipped.") % {"n": number})
                )
                continue
            if candidates:
                note = _("Line %(n)s: '%(name)s' fits several units (%(units)s): write its code.")
                note %= {
                    "n": number,
                    "name": written,
                    "units": ", ".join(f"{v.name} {v.display_code}" for v in candidates),
                }
            elif not written:
                note = _("Line %(n)s: no unit is named.") % {"n": number}
            else:
                note = _("Line %(n)s: no unit '%(name)s' below %(parent)s.") % {
                    "n": number,
                    "name": written,
                    "parent": parent,
                }
            reading.lines.append(PastedLine(number, None, note, refused=True))
            reading.problems.append(note)
            continue
        if version.unit_id in seen:
            note = _("Line %(n)s: %(unit)s is already on line %(line)s.") % {
                "n": number,
                "unit": version.name,
                "line": seen[version.unit_id],
            }
            reading.lines.append(PastedLine(number, version, note, refused=True))
            reading.problems.append(note)
            continue
        seen[version.unit_id] = number
        extra = [c for c in values[len(columns) :] if c.strip()]
        if extra:
            note = _(
                "Line %(n)s, %(unit)s: %(cells)s cells after the unit, the grid has "
                "%(columns)s columns."
            ) % {
                "n": number,
                "unit": version.name,
                "cells": len(columns) + len(extra),
                "columns": len(columns),
            }
            reading.lines.append(PastedLine(number, version, note, refused=True))
            reading.problems.append(note)
            continue
        reading.lines.append(
            PastedLine(
                number,
                version,
                _("Line %(n)s: %(unit)s (%(code)s).")
                % {"n": number, "unit": version.name, "code": version.display_code},
            )
        )
        matched.append((number, version, values))
    try:
        convention = block_convention(
            (raw, column.whole)
            for _number, _version, values in matched
            for column, raw in zip(columns, values, strict=False)
        )
    except MixedConventions:
        reading.problems = [
            _(
                "The pasted numbers are written both ways (416.950 and 416,950, or 0,15 and "
                "0.15): copy the block again from one sheet, or write them as 416.950 and "
                "0,15."
            )
        ]
        return reading
    for number, version, values in matched:
        read: dict[Column, Decimal | None] = {}
        for column, raw in zip(columns, values, strict=False):
            try:
                read[column] = parse_value(raw, column, convention)
            except ValueError as error:
                reading.problems.append(
                    _("Line %(n)s, %(unit)s, %(column)s: %(problem)s")
                    % {
                        "n": number,
                        "unit": version.name,
                        "column": column.label,
                        "problem": number_problem(raw.strip(), error, whole=column.whole),
                    }
                )
        for target in targets:
            total = next((c for c in columns if c.target == target and c.method is None), None)
            if total is None or total not in read:
                continue
            breakdown = breakdown_of(target, read, columns)
            value = read[total]
            if breakdown and value is None:
                value = breakdown_total(breakdown)
            for problem in allocation_problems(target, value, breakdown):
                reading.problems.append(
                    _("Line %(n)s, %(unit)s, %(column)s: %(problem)s")
                    % {
                        "n": number,
                        "unit": version.name,
                        "column": total.label,
                        "problem": problem,
                    }
                )
            reading.cells.append((target, version.unit, value, breakdown or None))
    return reading
