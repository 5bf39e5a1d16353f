"""Writes to the indicator catalogue, entered indicator values and the figures entered
for units without a register."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from danso.accounts.scope import actor_scope
from danso.audit import account_of, acting_as, recorded_user
from danso.indicators import cache, entered
from danso.indicators.catalogue import CATALOGUE, Direction, IndicatorSpec
from danso.indicators.catalogue import Unit as MeasureUnit
from danso.indicators.defined import known_elements
from danso.indicators.expressions import ExpressionError, Fault, parse
from danso.indicators.models import EnteredFigures, Indicator, IndicatorValue
from danso.indicators.periods import Period, PeriodError
from danso.units.codes import Level
from danso.units.models import Unit
from danso.units.scope import Action
from danso.vietnamese import fold


@transaction.atomic
def catalogue_load() -> int:
    """Add the catalogue's indicators that are missing; never overwrite an officer's
    edits.  Returns how many were added.

    A numerator or denominator still in the catalogue's former English words (as loaded
    before the catalogue was written in Vietnamese, migration 0005) takes its Vietnamese
    words; words an officer wrote are kept."""
    existing = {row.code: row for row in Indicator.objects.all()}
    added = 0
    for spec in CATALOGUE:  # parents come before their breakdowns in the catalogue
        row = existing.get(spec.code)
        if row is not None:
            _english_replaced(row, spec)
            continue
        Indicator.objects.create(
            code=spec.code,
            name_vi=spec.name_vi,
            name_en=spec.name_en,
            unit=spec.unit.value,
            direction=spec.direction.value,
            numerator=spec.numerator,
            denominator=spec.denominator,
            decimals=spec.decimals,
            is_count=spec.is_count,
            parent=Indicator.objects.get(code=spec.parent) if spec.parent else None,
        )
        added += 1
    return added


def _english_replaced(row: Indicator, spec: IndicatorSpec) -> None:
    changed = []
    if row.numerator == spec.numerator_en and spec.numerator_en != spec.numerator:
        row.numerator = spec.numerator
        changed.append("numerator")
    if row.denominator == spec.denominator_en and spec.denominator_en != spec.denominator:
        row.denominator = spec.denominator
        changed.append("denominator")
    if changed:
        row.save(update_fields=[*changed, "updated_at"])


def indicator_value_save(
    *,
    unit: Unit,
    indicator: Indicator,
    period: str,
    value: Decimal,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    source: str = "",
    user: Any = None,
) -> IndicatorValue:
    """Create or replace the entered value of ``indicator`` for ``unit`` and ``period``."""
    if not period.strip():
        raise ValidationError(_("A period is required."))
    row, _created = IndicatorValue.objects.update_or_create(
        unit=unit,
        indicator=indicator,
        period=period.strip(),
        defaults={
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
            "source": source,
            "updated_by": recorded_user(user),
        },
    )
    return row


#: The messages of ``entered.problems`` (a pure module), here for translation.
_PROBLEMS = (
    gettext_noop("Unknown count %(name)s."),
    gettext_noop("A count cannot be negative."),
    gettext_noop("%(part)s is more than %(whole)s."),
    gettext_noop("The parts add up to %(sum)s, not %(whole)s."),
)


def problem_text(message: str, params: dict[str, object]) -> str:
    """A message of ``entered.problems`` in the reader's language."""
    return _(message) % params if params else _(message)


@transaction.atomic
def entered_save(
    *,
    unit: Unit,
    period: str,
    counts: dict[str, int],
    source: str = "",
    note: str = "",
    user: Any = None,
) -> EnteredFigures:
    """Create or replace the counts reported for ``unit`` (a commune or village that
    keeps no register here) over ``period``, after the checks of ``entered.problems``.
    Raises ``ValidationError`` by field; nothing is written then."""
    try:
        parsed = Period.parse(period)
    except PeriodError as error:
        raise ValidationError({"period": [str(error)]}) from error
    if unit.level not in (Level.COMMUNE, Level.VILLAGE):
        raise ValidationError(
            _("Figures are entered for communes and villages; the levels above add them up.")
        )
    found = entered.problems(counts)
    if found:
        raise ValidationError(
            {
                key: [problem_text(message, params) for message, params in messages]
                for key, messages in found.items()
            }
        )
    row, _created = EnteredFigures.objects.update_or_create(
        unit=unit,
        period=str(parsed),
        defaults={
            "period_end": parsed.end,
            "counts": {k: int(v) for k, v in counts.items() if v is not None},
            "source": source,
            "note": note,
            "entered_by": recorded_user(user),
        },
    )
    return row


# ------------------------------------------------------------------ defined indicators

#: Codes of indicators an officer defines (the catalogue's breakdowns use a dot too).
INDICATOR_CODE = re.compile(r"^[A-Z][A-Z0-9_.]{0,39}$")
#: The directions a definition may give, and the spellings accepted.
DIRECTIONS = {
    "up": Direction.HIGHER,
    "higher": Direction.HIGHER,
    "tang": Direction.HIGHER,
    "down": Direction.LOWER,
    "lower": Direction.LOWER,
    "giam": Direction.LOWER,
    "target": Direction.TARGET,
}
#: The unit a value is shown in, from the factor, when the definition does not say.
_UNIT_OF_FACTOR = {Decimal(100): MeasureUnit.PERCENT, Decimal(1000): MeasureUnit.PERMILLE}


class DefinitionError(ValueError):
    """A definition refused: ``field`` names the part (code, numerator …)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def expression_message(error: ExpressionError) -> str:
    """Why an expression was refused, in the reader's language."""
    messages = {
        Fault.EMPTY: _("The expression is empty."),
        Fault.TOO_LONG: _("The expression is longer than %(detail)s characters."),
        Fault.SYNTAX: _(
            "%(detail)s is not an expression: write counts, #{CODE} of data elements, numbers "
            "and + − × ÷ with parentheses, e.g. #{PREG_COUNSELLED} / pregnancies."
        ),
        Fault.UNKNOWN_COUNT: _(
            "%(detail)s is not a register count (births, pregnancies, population …); write a "
            "data element as #{CODE}."
        ),
        Fault.BAD_ELEMENT: _("#{%(detail)s} is not a data element code."),
        Fault.UNKNOWN_ELEMENT: _(
            "No data element with numbers has the code %(detail)s (define it first)."
        ),
        Fault.NOT_ALLOWED: _("%(detail)s is not allowed in an expression."),
    }
    return messages[error.fault] % {"detail": error.detail}


@transaction.atomic
def indicator_define(
    *,
    code: str,
    name: str,
    numerator: str,
    denominator: str = "",
    factor: Decimal = Decimal(1),
    direction: str = "up",
    unit: str = "",
    decimals: int | None = None,
    name_en: str = "",
    actor: Any,
) -> tuple[Indicator, bool]:
    """Create or update the indicator ``code`` as ``numerator / denominator × factor``
    (expressions over the register's counts and data elements, checked here); a
    catalogue indicator keeps its descriptive words.  ``actor`` must be allowed to edit
    the indicators.  Returns the indicator and whether it was created."""
    if not actor_scope(actor, timezone.localdate()).allows_anywhere(Action.EDIT_INDICATORS):
        raise PermissionError(_("You may not define indicators."))
    code = code.strip().upper() if "." not in code else code.strip()
    if not INDICATOR_CODE.match(code.upper()):
        raise DefinitionError(
            "code",
            _("The code %(code)s must be letters, digits, _ and . (at most 40).") % {"code": code},
        )
    if not name.strip():
        raise DefinitionError("name", _("The indicator needs a name."))
    known = known_elements()
    parsed: dict[str, str] = {}
    for field, text in (("numerator", numerator), ("denominator", denominator)):
        if field == "denominator" and not text.strip():
            parsed[field] = ""
            continue
        try:
            parsed[field] = parse(text, known).text
        except ExpressionError as error:
            raise DefinitionError(field, expression_message(error)) from error
    if factor <= 0:
        raise DefinitionError("factor", _("The factor must be a positive number."))
    chosen = DIRECTIONS.get(fold(direction.strip()))
    if chosen is None:
        raise DefinitionError("direction", _("The direction must be up or down."))
    measure = _measure(unit, factor, bool(parsed["denominator"]))
    existing = Indicator.objects.select_for_update().filter(code=code).first()
    row = existing or Indicator(code=code)
    row.name_vi = name.strip()
    row.name_en = name_en.strip() or row.name_en or name.strip()
    row.numerator_expression = parsed["numerator"]
    row.denominator_expression = parsed["denominator"]
    row.factor = factor
    row.direction = chosen.value
    row.unit = measure.value
    row.is_count = not parsed["denominator"]
    if decimals is not None:
        row.decimals = decimals
    elif existing is None:
        row.decimals = 0 if row.is_count else 1
    if existing is None or not row.numerator:
        row.numerator = parsed["numerator"]
        row.denominator = parsed["denominator"] or "—"
    with acting_as(account_of(actor)):
        row.save()
    cache.changed()
    return row, existing is None


def _measure(unit: str, factor: Decimal, has_denominator: bool) -> MeasureUnit:
    if unit:
        try:
            return MeasureUnit(unit)
        except ValueError as error:
            raise DefinitionError(
                "unit",
                _("The unit must be one of %(units)s.")
                % {"units": ", ".join(u.value for u in MeasureUnit)},
            ) from error
    if not has_denominator:
        return MeasureUnit.PERSONS
    found = _UNIT_OF_FACTOR.get(factor)
    if found is None:
        raise DefinitionError("unit", _("Say in which unit the value is shown (%%, ‰, per100 …)."))
    return found
