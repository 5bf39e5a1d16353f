"""Writes of data elements, data sets and their values.

Everything is checked before anything is written, and written in one transaction: a
definition document or a file of values with any error writes nothing.  Every write
names its actor (a user, or ``accounts.scope.SYSTEM`` for the server's command line);
the history records who, when and, for a changed value, why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danso.accounts.scope import actor_scope
from danso.audit import account_of, acting_as
from danso.datasets.models import (
    DataElement,
    DataSet,
    DataSetMember,
    DataValue,
    Disaggregation,
    PeriodType,
    ReportingLevel,
    ValueType,
)
from danso.indicators import cache
from danso.indicators.catalogue import METHODS
from danso.indicators.expressions import ELEMENT_CODE
from danso.indicators.periods import Period, PeriodError, PeriodKind
from danso.numberfields import number_problem
from danso.problems import Problem
from danso.tables import Table
from danso.units.models import UnitVersion
from danso.units.scope import Action
from danso.units.selectors import UnitNotFound, UnitOutOfScope, resolve_code
from danso.vietnamese import fold, format_number, parse_number

#: The options of each disaggregation (the whole is the sum of its options).
OPTIONS: dict[str, tuple[str, ...]] = {
    Disaggregation.NONE: ("",),
    Disaggregation.SEX: ("M", "F"),
    Disaggregation.METHOD: METHODS,
}
_PERIOD_KINDS = {
    PeriodType.MONTH: PeriodKind.MONTH,
    PeriodType.QUARTER: PeriodKind.QUARTER,
    PeriodType.YEAR: PeriodKind.YEAR,
}
PERIOD_EXAMPLES = {
    PeriodType.MONTH: "2025-03",
    PeriodType.QUARTER: "2025Q1",
    PeriodType.YEAR: "2025",
}
_YES = {"co", "yes", "y", "1", "true", "x", "dat"}
_NO = {"khong", "no", "n", "0", "false", "chua dat"}
#: The value types a definition may name, and the spellings it accepts for them.
_VALUE_TYPES = {
    "number": ValueType.NUMBER,
    "so": ValueType.NUMBER,
    "percent": ValueType.PERCENT,
    "percentage": ValueType.PERCENT,
    "ty le": ValueType.PERCENT,
    "yes_no": ValueType.YES_NO,
    "yes-no": ValueType.YES_NO,
    "yesno": ValueType.YES_NO,
    "boolean": ValueType.YES_NO,
    "co/khong": ValueType.YES_NO,
    "text": ValueType.TEXT,
    "van ban": ValueType.TEXT,
}
_PERIOD_TYPES = {
    "month": PeriodType.MONTH,
    "monthly": PeriodType.MONTH,
    "thang": PeriodType.MONTH,
    "quarter": PeriodType.QUARTER,
    "quarterly": PeriodType.QUARTER,
    "quy": PeriodType.QUARTER,
    "year": PeriodType.YEAR,
    "yearly": PeriodType.YEAR,
    "nam": PeriodType.YEAR,
}
_LEVELS = {
    "province": ReportingLevel.PROVINCE,
    "tinh": ReportingLevel.PROVINCE,
    "district": ReportingLevel.DISTRICT,
    "huyen": ReportingLevel.DISTRICT,
    "commune": ReportingLevel.COMMUNE,
    "xa": ReportingLevel.COMMUNE,
}


class NotAllowed(PermissionError):
    """The actor may not do this (a message for the person)."""


# ----------------------------------------------------------------------- definitions


@dataclass
class DefinitionReport:
    created: dict[str, int] = field(default_factory=lambda: Counter())
    updated: dict[str, int] = field(default_factory=lambda: Counter())
    problems: list[Problem] = field(default_factory=list)

    def add(self, line: str, column: str | None, message: str) -> None:
        self.problems.append(Problem(line, None, column, message))

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": dict(self.created),
            "updated": dict(self.updated),
            "problems": [asdict(p) for p in self.problems],
        }


@dataclass(frozen=True)
class _ElementDraft:
    code: str
    name_vi: str
    name_en: str
    value_type: str
    disaggregation: str
    description: str


@dataclass(frozen=True)
class _SetDraft:
    code: str
    name_vi: str
    name_en: str
    period_type: str
    level: str
    elements: tuple[str, ...]


def define(document: Any, *, actor: Any, file_name: str = "") -> DefinitionReport:
    """Create or update the data elements and data sets of ``document``:
    ``{"data_elements": [{"code", "name", "value_type", …}], "data_sets": [{"code",
    "name", "period_type", "level", "elements": [codes]}]}``.  ``actor`` must be allowed
    to edit the indicators (a province officer, or the system).  With any problem,
    nothing is written."""
    report = DefinitionReport()
    where = file_name or "JSON"
    if not isinstance(document, Mapping):
        report.add(
            where, None, _("The document must be a JSON object with data_elements and data_sets.")
        )
        return report
    if not actor_scope(actor, timezone.localdate()).allows_anywhere(Action.EDIT_INDICATORS):
        raise NotAllowed(_("You may not define data elements or data sets."))
    elements = _element_drafts(document.get("data_elements") or [], where, report)
    sets = _set_drafts(document.get("data_sets") or [], where, report)
    if not isinstance(document.get("data_elements", []), list) or not isinstance(
        document.get("data_sets", []), list
    ):
        report.add(where, None, _("data_elements and data_sets must be lists."))
    known = {e.code: e for e in DataElement.objects.all()}
    _check_sets(sets, elements, known, where, report)
    _check_types(elements, known, where, report)
    if report.problems:
        return report
    with transaction.atomic(), acting_as(account_of(actor)):
        for draft in elements.values():
            values = {k: v for k, v in asdict(draft).items() if k != "code"}
            _row, created = DataElement.objects.update_or_create(code=draft.code, defaults=values)
            (report.created if created else report.updated)["data_elements"] += 1
        for set_draft in sets.values():
            values = {k: v for k, v in asdict(set_draft).items() if k not in ("code", "elements")}
            data_set, created = DataSet.objects.update_or_create(
                code=set_draft.code, defaults=values
            )
            (report.created if created else report.updated)["data_sets"] += 1
            _place(data_set, set_draft.elements)
        cache.changed()
    return report


def _text(item: Mapping[str, Any], *names: str) -> str:
    for name in names:
        value = item.get(name)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _element_drafts(items: Any, where: str, report: DefinitionReport) -> dict[str, _ElementDraft]:
    drafts: dict[str, _ElementDraft] = {}
    for index, item in enumerate(items if isinstance(items, list) else [], start=1):
        at = f"{where}: data_elements[{index}]"
        if not isinstance(item, Mapping):
            report.add(at, None, _("Each data element must be an object."))
            continue
        code = _text(item, "code").upper()
        name = _text(item, "name", "name_vi")
        kind = _VALUE_TYPES.get(fold(_text(item, "value_type") or "number"))
        disaggregation = _text(item, "disaggregation").lower()
        _check_code(code, drafts, at, report)
        if not name:
            report.add(at, "name", _("The data element needs a name."))
        if kind is None:
            report.add(
                at,
                "value_type",
                _("The value type must be number, percent, yes_no or text, not %(value)s.")
                % {"value": _text(item, "value_type")},
            )
        if disaggregation not in OPTIONS:
            report.add(
                at, "disaggregation", _("The disaggregation must be sex or method, or empty.")
            )
        if code and name and kind is not None and disaggregation in OPTIONS:
            drafts[code] = _ElementDraft(
                code,
                name,
                _text(item, "name_en"),
                kind,
                disaggregation if kind == ValueType.NUMBER else "",
                _text(item, "description"),
            )
    return drafts


def _check_code(code: str, drafts: Mapping[str, Any], at: str, report: DefinitionReport) -> None:
    """A code of the document is well formed and given once."""
    if not ELEMENT_CODE.match(code):
        report.add(
            at,
            "code",
            _(
                "The code %(code)s must be capital letters, digits and _ (at most 40), "
                "starting with a letter."
            )
            % {"code": code or "—"},
        )
    elif code in drafts:
        report.add(at, "code", _("The code %(code)s is defined twice.") % {"code": code})


def _set_drafts(items: Any, where: str, report: DefinitionReport) -> dict[str, _SetDraft]:
    drafts: dict[str, _SetDraft] = {}
    for index, item in enumerate(items if isinstance(items, list) else [], start=1):
        at = f"{where}: data_sets[{index}]"
        if not isinstance(item, Mapping):
            report.add(at, None, _("Each data set must be an object."))
            continue
        code = _text(item, "code").upper()
        name = _text(item, "name", "name_vi")
        period_type = _PERIOD_TYPES.get(fold(_text(item, "period_type")))
        level = _LEVELS.get(fold(_text(item, "level")))
        codes = item.get("elements")
        _check_code(code, drafts, at, report)
        if not name:
            report.add(at, "name", _("The data set needs a name."))
        if period_type is None:
            report.add(at, "period_type", _("The period type must be month, quarter or year."))
        if level is None:
            report.add(at, "level", _("The level must be province, district or commune."))
        if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
            report.add(at, "elements", _("The data set needs a list of data element codes."))
            continue
        if code and name and period_type is not None and level is not None:
            drafts[code] = _SetDraft(
                code,
                name,
                _text(item, "name_en"),
                period_type,
                level,
                tuple(dict.fromkeys(c.strip().upper() for c in codes)),
            )
    return drafts


def _check_sets(
    sets: Mapping[str, _SetDraft],
    elements: Mapping[str, _ElementDraft],
    known: Mapping[str, DataElement],
    where: str,
    report: DefinitionReport,
) -> None:
    """Every element a set names exists, and an element's sets share one level (its
    values add up the tree from that level, never twice)."""
    levels: dict[str, set[str]] = {}
    for member in DataSetMember.objects.select_related("data_set", "element"):
        if member.data_set.code not in sets:
            levels.setdefault(member.element.code, set()).add(member.data_set.level)
    for draft in sets.values():
        for code in draft.elements:
            if code not in elements and code not in known:
                report.add(
                    f"{where}: data_sets {draft.code}",
                    "elements",
                    _("The data element %(code)s is not defined.") % {"code": code},
                )
            levels.setdefault(code, set()).add(draft.level)
    for code, found in sorted(levels.items()):
        if len(found) > 1:
            report.add(
                where,
                "level",
                _(
                    "The data element %(code)s is in data sets of different levels "
                    "(%(levels)s): its values would be counted twice up the tree."
                )
                % {"code": code, "levels": ", ".join(sorted(found))},
            )


def _check_types(
    elements: Mapping[str, _ElementDraft],
    known: Mapping[str, DataElement],
    where: str,
    report: DefinitionReport,
) -> None:
    """A value type or disaggregation does not change under values already entered."""
    for code, draft in elements.items():
        stored = known.get(code)
        if stored is None:
            continue
        if (stored.value_type, stored.disaggregation) != (
            draft.value_type,
            draft.disaggregation,
        ) and (DataValue.objects.filter(element=stored).exists()):
            report.add(
                where,
                "value_type",
                _(
                    "The data element %(code)s already has values: its type and "
                    "disaggregation cannot change."
                )
                % {"code": code},
            )


def _place(data_set: DataSet, codes: Iterable[str]) -> None:
    """The set's members, in the order given."""
    by_code = {e.code: e for e in DataElement.objects.filter(code__in=list(codes))}
    wanted = [by_code[c] for c in codes]
    kept = {m.element_id: m for m in data_set.members.all()}
    for order, element in enumerate(wanted):
        member = kept.pop(element.pk, None)
        if member is None:
            DataSetMember.objects.create(data_set=data_set, element=element, order=order)
        elif member.order != order:
            member.order = order
            member.save(update_fields=["order"])
    for member in kept.values():
        member.delete()


# ---------------------------------------------------------------------------- values


@dataclass
class EntryReport:
    saved: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    def add(self, file: str, line: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(file, line, column, message))

    def as_dict(self) -> dict[str, Any]:
        return {
            "saved": self.saved,
            "unchanged": self.unchanged,
            "problems": [asdict(p) for p in self.problems],
        }


@dataclass(frozen=True)
class Entry:
    """One value to store, checked."""

    data_set: DataSet
    element: DataElement
    version: UnitVersion
    period: Period
    option: str
    number: Decimal | None
    text: str
    reason: str


def parse_value(element: DataElement, raw: object) -> tuple[Decimal | None, str]:
    """``raw`` as ``element`` stores it (a number, or text); raises ``ValueError`` with a
    message for the person."""
    text = "" if raw is None else str(raw).strip()
    if element.value_type == ValueType.TEXT:
        if len(text) > 1000:
            raise ValueError(_("The text is longer than 1,000 characters."))
        return None, text
    if element.value_type == ValueType.YES_NO:
        folded = fold(text)
        if folded in _YES:
            return Decimal(1), ""
        if folded in _NO:
            return Decimal(0), ""
        raise ValueError(_("%(value)s is not an answer: write có or không.") % {"value": text})
    try:
        number = parse_number(raw if not isinstance(raw, str) else text)
    except ValueError as error:
        raise ValueError(number_problem(text, error)) from error
    if number < 0:
        raise ValueError(
            _("%(value)s is negative: a count or a share cannot be.") % {"value": text}
        )
    if element.value_type == ValueType.PERCENT and number > 100:
        raise ValueError(_("%(value)s is over 100 %%.") % {"value": text})
    if abs(number) >= Decimal(10) ** 12:
        raise ValueError(_("%(value)s is too large.") % {"value": text})
    return number, ""


def parse_period(data_set: DataSet, text: str) -> Period:
    """``text`` as a period of ``data_set``'s type; raises ``ValueError``."""
    try:
        period = Period.parse(text)
    except PeriodError as error:
        raise ValueError(
            _("%(value)s is not a period: write %(example)s.")
            % {"value": text, "example": PERIOD_EXAMPLES[PeriodType(data_set.period_type)]}
        ) from error
    wanted = PeriodType(data_set.period_type)
    if period.kind != _PERIOD_KINDS[wanted]:
        examples = {
            PeriodType.MONTH: f"{period.year}-{period.first_month:02d}",
            PeriodType.QUARTER: f"{period.year}Q{(period.first_month - 1) // 3 + 1}",
            PeriodType.YEAR: f"{period.year}",
        }
        raise ValueError(
            _("The data set %(code)s is reported %(type)s: write the period as %(example)s.")
            % {"code": data_set.code, "type": wanted.label, "example": examples[wanted]}
        )
    return period


#: The columns of a table of values; ``option`` and ``reason`` may be left out.
COLUMNS = ("data_set", "unit_code", "level", "period", "element", "value")


def enter_table(table: Table, *, file_name: str, actor: Any, reason: str = "") -> EntryReport:
    """``enter`` the rows of a table read from a file (column names in any case); a
    table without one of ``COLUMNS`` writes nothing and says which."""
    headers = {str(h).strip().lower() for h in table.headers if h is not None}
    missing = [c for c in COLUMNS if c not in headers]
    if missing:
        report = EntryReport()
        for column in missing:
            report.add(file_name, 1, column, _("The column %(c)s is missing.") % {"c": column})
        return report
    rows = [
        (line, {str(k).strip().lower(): v for k, v in row.items() if k is not None})
        for line, row in table.rows
    ]
    return enter(rows, file_name=file_name, actor=actor, reason=reason)


def enter(
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    *,
    file_name: str,
    actor: Any,
    reason: str = "",
) -> EntryReport:
    """Store the values of ``rows`` (line, {data_set, unit_code, level, period, element,
    value[, option][, reason]}).  ``actor`` must be allowed to submit the reports of
    each row's unit.  A stored value changed needs a reason (the row's or ``reason``).
    With any problem, nothing is written."""
    report = EntryReport()
    sets = {s.code: s for s in DataSet.objects.all()}
    members = {
        (m.data_set.code, m.element.code): m.element
        for m in DataSetMember.objects.select_related("data_set", "element")
    }
    checked: list[tuple[int, Entry]] = []
    seen: dict[tuple[int, int, str, str], int] = {}
    for line, row in rows:
        entry = _entry(line, row, sets, members, file_name, actor, reason, report)
        if entry is None:
            continue
        key = (entry.element.pk, entry.version.unit_id, str(entry.period), entry.option)
        if key in seen:
            report.add(
                file_name,
                line,
                "value",
                _("The same value is given again (first on line %(line)s).") % {"line": seen[key]},
            )
            continue
        seen[key] = line
        checked.append((line, entry))
    stored = _stored([entry for _, entry in checked])
    for line, entry in checked:
        before = stored.get(
            (entry.element.pk, entry.version.unit_id, str(entry.period), entry.option)
        )
        if before is not None and _differs(before, entry) and not entry.reason:
            report.add(
                file_name,
                line,
                "reason",
                _("A value is already stored (%(value)s): give the reason for the correction.")
                % {"value": shown(before)},
            )
    if report.problems:
        return report
    report.saved, report.unchanged = write(
        [entry for _, entry in checked], actor=actor, stored=stored
    )
    return report


def _entry(
    line: int,
    row: Mapping[str, Any],
    sets: Mapping[str, DataSet],
    members: Mapping[tuple[str, str], DataElement],
    file_name: str,
    actor: Any,
    reason: str,
    report: EntryReport,
) -> Entry | None:
    def cell(name: str) -> str:
        value = row.get(name)
        return "" if value is None else str(value).strip()

    missing = [n for n in ("data_set", "unit_code", "level", "period", "element") if not cell(n)]
    for name in missing:
        report.add(file_name, line, name, _("The cell is empty."))
    if missing:
        return None
    data_set = sets.get(cell("data_set").upper())
    if data_set is None:
        report.add(
            file_name,
            line,
            "data_set",
            _("No data set has the code %(code)s.") % {"code": cell("data_set")},
        )
        return None
    element = members.get((data_set.code, cell("element").upper()))
    if element is None:
        report.add(
            file_name,
            line,
            "element",
            _("The data set %(set)s has no data element %(code)s.")
            % {"set": data_set.code, "code": cell("element")},
        )
        return None
    level = _LEVELS.get(fold(cell("level")))
    if level != data_set.level:
        report.add(
            file_name,
            line,
            "level",
            _("The data set %(set)s is reported by the %(level)s level, not %(given)s.")
            % {
                "set": data_set.code,
                "level": ReportingLevel(data_set.level).label,
                "given": cell("level"),
            },
        )
        return None
    try:
        period = parse_period(data_set, cell("period"))
    except ValueError as error:
        report.add(file_name, line, "period", str(error))
        return None
    version = _unit(cell("unit_code"), data_set, period, actor, file_name, line, report)
    if version is None:
        return None
    option = cell("option")
    options = OPTIONS[element.disaggregation]
    if option not in options:
        report.add(
            file_name,
            line,
            "option",
            _("The data element %(code)s is entered by %(options)s.")
            % {"code": element.code, "options": ", ".join(o or "—" for o in options)},
        )
        return None
    try:
        number, text = parse_value(element, row.get("value"))
    except ValueError as error:
        report.add(file_name, line, "value", str(error))
        return None
    if number is None and not text:
        report.add(file_name, line, "value", _("The cell is empty."))
        return None
    return Entry(data_set, element, version, period, option, number, text, cell("reason") or reason)


def _unit(
    code: str,
    data_set: DataSet,
    period: Period,
    actor: Any,
    file_name: str,
    line: int,
    report: EntryReport,
) -> UnitVersion | None:
    """The unit of ``code`` as it stood at the period's end (or its start, for a unit a
    reform closed during it), in the actor's scope."""
    problem = ""
    for day in (period.end, period.start):
        try:
            return resolve_code(
                data_set.level, code, actor_scope(actor, day), Action.SUBMIT_REPORTS
            )
        except UnitOutOfScope:
            problem = _("You may not enter the values of %(code)s.") % {"code": code}
            break
        except UnitNotFound as error:
            problem = str(error)
    report.add(file_name, line, "unit_code", problem)
    return None


def _stored(entries: list[Entry]) -> dict[tuple[int, int, str, str], DataValue]:
    if not entries:
        return {}
    rows = DataValue.objects.filter(
        element_id__in={e.element.pk for e in entries},
        unit_id__in={e.version.unit_id for e in entries},
        period__in={str(e.period) for e in entries},
    ).select_related("element")
    return {(r.element_id, r.unit_id, r.period, r.option): r for r in rows}


def _differs(before: DataValue, entry: Entry) -> bool:
    return (before.number, before.text) != (entry.number, entry.text)


def shown(value: DataValue) -> str:
    """A stored value as a person writes it: ``1.234``, ``0,15``, ``có``, or its text."""
    if value.number is None:
        return value.text
    if value.element.value_type == ValueType.YES_NO:
        return _("yes") if value.number else _("no")
    number = value.number
    return format_number(number, 0 if number == number.to_integral_value() else 2)


def write(
    entries: list[Entry],
    *,
    actor: Any,
    stored: Mapping[tuple[int, int, str, str], DataValue] | None = None,
) -> tuple[int, int]:
    """Store checked ``entries`` in one transaction: (saved, unchanged)."""
    if stored is None:
        stored = _stored(entries)
    user = account_of(actor)
    saved = unchanged = 0
    earliest: date | None = None
    with transaction.atomic(), acting_as(user):
        for entry in entries:
            key = (entry.element.pk, entry.version.unit_id, str(entry.period), entry.option)
            before = stored.get(key)
            if before is not None and not _differs(before, entry):
                unchanged += 1
                continue
            if before is None:
                DataValue.objects.create(
                    element=entry.element,
                    data_set=entry.data_set,
                    unit_id=entry.version.unit_id,
                    period=str(entry.period),
                    start=entry.period.start,
                    end=entry.period.end,
                    option=entry.option,
                    number=entry.number,
                    text=entry.text,
                    reason=entry.reason,
                    entered_by=user,
                )
            else:
                before.number, before.text = entry.number, entry.text
                before.reason, before.entered_by = entry.reason, user
                before.data_set = entry.data_set
                before._change_reason = entry.reason  # type: ignore[attr-defined]
                before.save()
            saved += 1
            earliest = min(earliest or entry.period.start, entry.period.start)
        if earliest is not None:
            cache.changed(earliest)
    return saved, unchanged
