"""Consistency rules of a report's figures (issue 14, point 7): totals and their parts,
sums that must be equal, no negative figure, no share above 100 %.

The rules are data (``RULES``), written on the rows' keys (``danso.indicators.tallies``
and the indicator catalogue's codes), so that they hold for every report type that has
both rows of a rule — the built-in forms, a form an officer made with the same rows, a
district's 01-DSH column by column.  ``check`` is pure: it takes the figures of one
column by row key and says what is broken.  ``report_inconsistencies`` reads a report
and says it in words that name the rows as the printed form numbers them ("dòng 4 “Số trẻ
sinh ra trong kỳ”", "“— trong đó: trai” dưới dòng 4") with the figures.

The editor lists them as the officer fills (a draft may be saved with them); sending the
report (``filling.report_submit``) refuses it while any remains.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.utils import translation
from django.utils.translation import gettext as _

from danso.indicators import tallies as keys
from danso.indicators.catalogue import BY_CODE, METHODS
from danso.reports import selectors
from danso.reports.catalogue import RowKind
from danso.reports.models import Report, ReportRow
from danso.units.models import UnitVersion, valid_on
from danso.vietnamese import format_number


class Kind(StrEnum):
    #: The parts add up to the total when all are filled, and to no more than it while
    #: some are empty (births = boys + girls).
    SUM = "sum"
    #: The parts add up to no more than the total ("— trong đó" rows).
    AT_MOST = "at_most"


@dataclass(frozen=True)
class Rule:
    kind: Kind
    total: str  # a row key
    parts: tuple[str, ...]


def _at_most(total: str, *parts: str) -> Rule:
    return Rule(Kind.AT_MOST, total, parts)


#: The rules between rows, by row key (persons with persons: households are not compared
#: with the population); a rule holds where a report has its total and at
#: least one of its parts.
RULES: tuple[Rule, ...] = (
    Rule(Kind.SUM, keys.BIRTHS, (keys.BIRTHS_BOYS, keys.BIRTHS_GIRLS)),
    _at_most(keys.BIRTHS, keys.BIRTHS_ORDER2, keys.BIRTHS_ORDER3P),
    _at_most(keys.BIRTHS, keys.BIRTHS_MOTHER_UNDER20),
    _at_most(keys.MARRIED, keys.MARRIED_CHILD),
    _at_most(keys.MARRIED, keys.MARRIED_CONSANGUINEOUS),
    _at_most(keys.POPULATION, keys.WOMEN_15_49),
    _at_most(keys.POPULATION, keys.CPR_WOMEN),
    _at_most(keys.WOMEN_15_49, keys.CPR_WOMEN),
    _at_most(keys.CPR_WOMEN, keys.CPR_USERS),
    _at_most(keys.PREMARITAL_COUPLES, keys.PREMARITAL_CHECKED),
    _at_most(keys.ELDERLY, keys.ELDERLY_CHECKED),
    # new users of a modern method: the six methods of the plans, and a few others
    _at_most("NEWFP", *(f"NEWFP.{method}" for method in METHODS)),
)
#: Indicators measured in per cent: a share, at most 100.
PERCENT = "%"
HUNDRED = Decimal(100)

#: A breakdown row ("— trong đó: trai"), which the printed form does not number.
_SUB_ROW = re.compile(r"^\s*[—–-]\s*")


@dataclass(frozen=True)
class Named:
    """A figure of a row, with the row as the form names it."""

    name: str
    value: Decimal


@dataclass(frozen=True)
class Problem:
    """A broken rule in one column: the total, the parts (filled ones), their sum."""

    kind: str  # Kind, or "negative" / "share"
    total: Named | None
    parts: tuple[Named, ...]
    added: Decimal = Decimal(0)


def check(
    values: Mapping[str, Decimal | None],
    names: Mapping[str, str],
    percent: frozenset[str] = frozenset(),
) -> list[Problem]:
    """What ``values`` (one column's figures by row key; None: empty) break: negative
    figures, shares (the keys in ``percent``) above 100 %, and ``RULES``.  ``names``
    gives each key's row as the form names it.

    >>> names = {"births": "births", "births.M": "boys", "births.F": "girls"}
    >>> [p.kind for p in check({"births": Decimal(22), "births.M": Decimal(13),
    ...                         "births.F": Decimal(9)}, names)]
    []
    >>> [p.kind for p in check({"births": Decimal(687), "births.M": Decimal(356),
    ...                         "births.F": Decimal(330)}, names)]
    ['sum']
    """
    found: list[Problem] = []
    for key, value in values.items():
        if value is None:
            continue
        if value < 0:
            found.append(Problem("negative", Named(names[key], value), ()))
        elif key in percent and value > HUNDRED:
            found.append(Problem("share", Named(names[key], value), ()))
    for rule in RULES:
        total = values.get(rule.total)
        if total is None:
            continue
        present = [key for key in rule.parts if key in values]
        filled = [key for key in present if values[key] is not None]
        if not filled:
            continue
        parts = tuple(Named(names[key], values[key] or Decimal(0)) for key in filled)
        added = sum((part.value for part in parts), Decimal(0))
        whole = Named(names[rule.total], total)
        complete = len(filled) == len(rule.parts)
        if rule.kind is Kind.SUM and complete and added != total:
            found.append(Problem(Kind.SUM.value, whole, parts, added))
        elif added > total:
            found.append(Problem(Kind.AT_MOST.value, whole, parts, added))
    return found


def row_names(rows: Sequence[ReportRow]) -> dict[int, str]:
    """Each row (by id) as the printed form names it: its number ("dòng 4 “Số trẻ sinh
    ra trong kỳ”"), or, for a breakdown, under which number ("“— trong đó: trai” dưới
    dòng 4")."""
    english = translation.get_language() == "en"
    found: dict[int, str] = {}
    number = 0
    for row in sorted(rows, key=lambda r: r.position):
        label = (row.label_en if english else row.label_vi).strip()
        if _SUB_ROW.match(row.label_vi):
            found[row.pk] = _("“%(label)s” under row %(number)s") % {
                "label": label,
                "number": number,
            }
        else:
            number += 1
            found[row.pk] = _("row %(number)s “%(label)s”") % {"number": number, "label": label}
    return found


def describe(problem: Problem) -> str:
    """A problem in words, with its figures in Vietnamese notation."""
    total = problem.total
    assert total is not None
    if problem.kind == "negative":
        return _("%(row)s is negative (%(value)s).") % {
            "row": _capital(total.name),
            "value": _number(total.value),
        }
    if problem.kind == "share":
        return _("%(row)s is %(value)s %%: a share cannot exceed 100 %%.") % {
            "row": _capital(total.name),
            "value": _number(total.value),
        }
    parts = " + ".join(f"{part.name} ({_number(part.value)})" for part in problem.parts)
    words = {
        "total": _capital(total.name),
        "value": _number(total.value),
        "parts": parts,
        "added": _number(problem.added),
    }
    if problem.kind == Kind.SUM:
        return _("%(total)s is %(value)s, but %(parts)s add up to %(added)s.") % words
    return _("%(total)s is %(value)s, less than %(parts)s (%(added)s).") % words


def _number(value: Decimal) -> str:
    decimals = 0 if value == value.to_integral_value() else 2
    return format_number(value, decimals)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# ----------------------------------------------------------------------------- a report


def _columns(report: Report, columns: set[int]) -> dict[int | None, str]:
    """The name of each column: the report's own (no name) and the units below."""
    if not columns:
        return {None: ""}
    day = selectors.tree_day(report.unit, report.parsed_period)
    names: dict[int | None, str] = dict(
        UnitVersion.objects.filter(valid_on(day), unit_id__in=columns).values_list(
            "unit_id", "name"
        )
    )
    names[None] = ""
    return names


def _in_column(name: str, text: str) -> str:
    return f"{name}: {text}" if name else text


def report_inconsistencies(report: Report) -> list[str]:
    """What the report's figures break (``RULES``, negative figures, shares above 100 %),
    column by column, each in words naming the rows and the figures."""
    rows = list(report.report_type.rows.exclude(kind=RowKind.SECTION).select_related("target"))
    names = row_names(rows)
    by_id = {row.pk: row for row in rows}
    percent = {
        row.key
        for row in rows
        if row.kind == RowKind.INDICATOR and _measure(row.key) == PERCENT and row.target is None
    }
    values: dict[int | None, dict[str, Decimal | None]] = {}
    labels: dict[str, str] = {}
    for row_id, column, value in report.figures.values_list("row_id", "column_id", "value"):
        row = by_id.get(row_id)
        if row is None or row.kind == RowKind.TARGET:
            continue
        values.setdefault(column, {})[row.key] = value
        labels[row.key] = names[row_id]
    columns = _columns(report, {c for c in values if c is not None})
    found: list[str] = []
    for place in sorted(values, key=lambda c: (c is not None, columns.get(c, ""))):
        for problem in check(values[place], labels, frozenset(percent)):
            found.append(_in_column(columns.get(place, ""), describe(problem)))
    return found


def empty_counts(report: Report) -> list[str]:
    """The counts of the report left empty, each naming its row (and its column's unit
    in a form with a column per unit below)."""
    rows = list(report.report_type.rows.exclude(kind=RowKind.SECTION))
    names = row_names(rows)
    empty = list(
        report.figures.filter(row__kind=RowKind.COUNT, value__isnull=True).values_list(
            "row_id", "column_id"
        )
    )
    columns = _columns(report, {c for _r, c in empty if c is not None})
    position = {row.pk: row.position for row in rows}
    empty.sort(key=lambda rc: (rc[1] is not None, columns.get(rc[1], ""), position[rc[0]]))
    return [_in_column(columns.get(column, ""), names[row]) for row, column in empty]


def _measure(code: str) -> str:
    spec = BY_CODE.get(code)
    return str(spec.unit.value) if spec is not None else ""
