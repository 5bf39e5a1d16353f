"""Import the figures of units without a register from a table (CSV or .xlsx).

One row per unit and period: ``code`` (the commune's or village's code), ``period``
(``2024``, ``2024Q2``, ``2024-03``, ``2024-YTD-06``), an optional ``source``, and one
column per count, named by the engine's key (``births``, ``births.M``, ``deaths``, ``P``,
``W.15-19``, … see ``entered.FIELDS``).  Every row is checked first; with any error
nothing is written, and the report names the file, the line and the column.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from danso import uploads
from danso.accounts.scope import unit_scope
from danso.indicators import entered
from danso.indicators.periods import Period, PeriodError
from danso.indicators.services import entered_save, problem_text
from danso.problems import ImportReport
from danso.spreadsheets import LimitError, Limits
from danso.tables import TableError, read_table
from danso.units.codes import CodeError, Level, normalize_code
from danso.units.models import Unit, UnitVersion, valid_on
from danso.units.scope import Action, UnitScope
from danso.uploads import Kind
from danso.vietnamese import parse_integer

_META = {"code", "period", "source", "name"}


def entered_import(
    content: bytes,
    file_name: str,
    level: Level,
    *,
    user: Any = None,
    dry_run: bool = False,
    limits: Limits | None = None,
) -> ImportReport:
    """Import the table (see the module docstring); a table over ``limits`` (else the
    site's for entered figures) is refused before it is read."""
    report = ImportReport(dry_run=dry_run)
    try:
        table = read_table(content, file_name, limits=limits or uploads.limits(Kind.ENTERED))
    except (TableError, LimitError) as error:
        line = error.params.get("line")
        report.add(
            file_name, line if isinstance(line, int) else None, None, uploads.limit_message(error)
        )
        return report
    for needed in ("code", "period"):
        if needed not in table.headers:
            report.add(file_name, 1, needed, _("The column %(c)s is missing.") % {"c": needed})
    for header in table.headers:
        if header not in _META and header not in entered.KEYS:
            report.add(file_name, 1, header, _("Unknown count %(name)s.") % {"name": header})
    if report.errors:
        return report

    accepted: list[tuple[Unit, str, dict[str, int], str]] = []
    seen: dict[tuple[int, str], int] = {}
    scopes: dict[Any, UnitScope] = {}
    for line, row in table.rows:
        try:
            period = Period.parse(str(row.get("period") or "").strip())
        except PeriodError as error:
            report.add(file_name, line, "period", str(error))
            continue
        try:
            code = normalize_code(level, str(row.get("code") or "").strip())
        except CodeError as error:
            report.add(file_name, line, "code", str(error))
            continue
        on = period.end
        version = (
            UnitVersion.objects.filter(valid_on(on), code=code, unit__level=level)
            .select_related("unit")
            .first()
        )
        if version is None:
            report.add(
                file_name,
                line,
                "code",
                _("No unit has code %(code)s on %(day)s.")
                % {"code": code, "day": f"{on:%d/%m/%Y}"},
            )
            continue
        if user is not None:
            scope = scopes.setdefault(on, unit_scope(user, on))
            if not scope.allows(Action.EDIT_POPULATION, version):
                report.add(
                    file_name,
                    line,
                    "code",
                    _("%(name)s is outside the units you may enter figures for.")
                    % {"name": version.name},
                )
                continue
        counts: dict[str, int] = {}
        for key in entered.KEYS & set(table.headers):
            text = row.get(key)
            if text is None or str(text).strip() == "":
                continue
            try:
                counts[key] = parse_integer(text)
            except ValueError:
                report.add(file_name, line, key, _("Not a whole number: %(v)s") % {"v": text})
        for key, messages in entered.problems(counts).items():
            for message, params in messages:
                report.add(file_name, line, key, problem_text(message, params))
        earlier = seen.setdefault((version.unit_id, str(period)), line)
        if earlier != line:
            report.add(
                file_name,
                line,
                "period",
                _("The same unit and period are on line %(line)s.") % {"line": earlier},
            )
        accepted.append((version.unit, str(period), counts, str(row.get("source") or "")))
    if report.errors or dry_run:
        report.created = {"entered_figures": 0 if report.errors else len(accepted)}
        return report
    with transaction.atomic():
        for unit, period_text, counts, source in accepted:
            entered_save(
                unit=unit, period=period_text, counts=counts, source=source or file_name, user=user
            )
    report.created = {"entered_figures": len(accepted)}
    return report
