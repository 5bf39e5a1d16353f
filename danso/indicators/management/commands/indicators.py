"""``danso indicators``: the figures of a unit for a period, from the register.

    danso indicators compute --unit 004 --level district --period 2024 [--date D] [--children]
        [--user U] --format json

prints ``{"unit": {...}, "period": "2024", "values": [...], "coverage": {...},
"children": [...]}`` (children only with ``--children``, each with its own coverage);
periods are ``2024``, ``2024Q2``, ``2024-03``, ``2024-YTD-06``.  The tree is taken on
``--date`` (default: the period's last day).  ``coverage`` says what the figures rest on
(``indicators.coverage``): ``{"share": 0.0–1.0 or null, "persons": n, "population": N,
"population_year", "population_source", "units_without_data": [{"code", "name"}]}``; a
unit without any data has every value null, never 0.

    danso indicators recompute [--unit 004 --level district] [--year 2024] [--format json]

imports the counts of units that keep no register here (one row per unit and period;
columns ``code``, ``period``, optional ``source``, and the counts by the engine's keys);
nothing is written if any row is wrong:

    danso indicators enter --level commune --file counts.csv [--dry-run] [--user U]

and

    danso indicators recompute …

    danso indicators spells [--rebuild] [--format json]

    danso indicators define --code CODE --name NAME --numerator EXPR [--denominator EXPR]
        [--factor F] [--direction up|down] [--unit U] [--user U] --format json

defines an indicator as numerator / denominator × factor, the expressions over the
register's counts (``births``, ``pregnancies`` …) and data elements (``#{CODE}``); it is
then computed, targeted and monitored like the catalogue's (``indicators.defined``).

    danso indicators baseline --indicator CODE --unit CODE --level LEVEL --year YYYY
        --value V --source TEXT [--date D] [--user U] --format json

enters (or replaces) the baseline of an indicator for a unit and year with its source
(``indicators.baselines``: used by change targets when the register has no figure for
the baseline year); the value is written the Vietnamese way (``6,5``) in the
indicator's unit; the unit is taken as it stood on ``--date`` (default: the last day of
the year it existed); ``--user`` must be allowed to edit plans on it.  Prints
``{"indicator", "unit": {"code", "name", "level"}, "year", "value", "source",
"updated_by"}``.

compares the register's spells kept for counting (``indicators.spells``) with a rebuild
(``{"stays", "households", "women", "differing", "differ": [person ids],
"households_differing", "rebuilt", "rebuild_seconds"}``, exit 1 when they differ);
``--rebuild`` writes them all again first (after a repair made outside danso).

counts again, from the register, the cached tallies of every leaf unit (village or
commune) under the unit (default: everywhere) for the year (default: this year): the
year, its quarters, months and years-to-date.  Figures are kept fresh as the register
changes; this is for repairs, and running it twice gives the same rows.
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from danso import bounds
from danso.commandline import DansoCommand, parse_day
from danso.indicators import cache, spells
from danso.indicators.baselines import baseline_enter, shown
from danso.indicators.coverage import coverage_text
from danso.indicators.defined import definition_of
from danso.indicators.engine import UnitFigures
from danso.indicators.importing import entered_import
from danso.indicators.models import Indicator
from danso.indicators.periods import Period, PeriodError
from danso.indicators.services import DefinitionError, indicator_define
from danso.numberfields import number_problem
from danso.units.codes import CodeError, Level, normalize_code
from danso.units.models import UnitVersion, valid_on
from danso.units.scope import Action
from danso.uploads import MAX_MB_HELP, Kind, limits, read_path
from danso.vietnamese import format_number, parse_number


def _number(value: float | None) -> str:
    return "—" if value is None or value == float("inf") else format_number(value, 2)


class Command(DansoCommand):
    help = "Indicators computed from the register."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("compute", help="the figures of a unit for a period")
        p.add_argument("--unit", required=True, help="code of the unit")
        self.add_level(p)
        p.add_argument("--period", required=True, help="2024, 2024Q2, 2024-03 or 2024-YTD-06")
        p.add_argument("--date", type=parse_day, help="the day of the tree (default: period end)")
        p.add_argument("--children", action="store_true", help="also each child unit")
        p.add_argument("--format", choices=["text", "json"], default="text")
        p.add_argument("--user", metavar="USERNAME", help="act as this user, in their scope")
        e = sub.add_parser("enter", help="import figures of units without a register")
        self.add_level(e)
        e.add_argument("--file", required=True, type=Path, help="a .csv or .xlsx table")
        e.add_argument("--max-mb", type=float, metavar="MB", help=MAX_MB_HELP)
        e.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        e.add_argument("--format", choices=["text", "json"], default="text")
        e.add_argument("--user", metavar="USERNAME", help="act as this user, in their scope")
        r = sub.add_parser("recompute", help="count the cached figures again (repairs)")
        r.add_argument("--unit", help="code of the unit (default: every unit)")
        self.add_level(r, required=False)
        r.add_argument("--year", type=int, help="the year (default: this year)")
        r.add_argument("--format", choices=["text", "json"], default="text")
        c = sub.add_parser(
            "spells", help="compare the kept spells with a rebuild (--rebuild: rebuild them first)"
        )
        c.add_argument("--rebuild", action="store_true", help="rebuild every spell, set-based")
        c.add_argument("--format", choices=["text", "json"], default="text")
        d = sub.add_parser("define", help="define an indicator as numerator / denominator × factor")
        d.add_argument("--code", required=True)
        d.add_argument("--name", required=True, help="the Vietnamese name")
        d.add_argument("--name-en", default="", help="the English name")
        d.add_argument(
            "--numerator",
            required=True,
            help="an expression over register counts (births, pregnancies …) and #{ELEMENT}",
        )
        d.add_argument("--denominator", default="", help="an expression (empty: a count)")
        d.add_argument("--factor", default="1", help="100 for a percentage, 1000 for ‰")
        d.add_argument("--direction", default="up", help="up (higher is better) or down")
        d.add_argument("--unit", default="", help="%%, ‰, per100, persons … (default: from factor)")
        d.add_argument("--decimals", type=int)
        d.add_argument("--format", choices=["text", "json"], default="text")
        d.add_argument("--user", metavar="USERNAME", help="act as this user")
        b = sub.add_parser("baseline", help="enter the baseline of an indicator for a unit, year")
        b.add_argument("--indicator", required=True, help="the indicator's code")
        b.add_argument("--unit", required=True, help="code of the unit")
        self.add_level(b)
        b.add_argument("--year", type=int, required=True, help="the baseline year")
        b.add_argument("--value", required=True, help="in the indicator's unit: 6,5")
        b.add_argument("--source", required=True, help="where the value comes from")
        b.add_argument("--date", type=parse_day, help="the day of the tree (default: in the year)")
        b.add_argument("--format", choices=["text", "json"], default="text")
        b.add_argument("--user", metavar="USERNAME", help="act as this user, in their scope")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def do_compute(self, options: dict[str, Any]) -> None:
        try:
            period = Period.parse(options["period"])
        except PeriodError as error:
            raise CommandError(str(error)) from error
        on = options["date"] or last_day_in(
            options["unit"], options["level"], period.start, period.end
        )
        scope = self.scope(options, on)
        version = self.resolve(options["unit"], options["level"], scope)
        children: list[UnitVersion] = []
        if options["children"]:
            children = sorted(
                UnitVersion.objects.filter(valid_on(on), parent_id=version.unit_id)
                .filter(scope.q(Action.VIEW))
                .select_related("unit"),
                key=lambda child: child.display_code,  # 001, 002 … 016, not 1, 16, 2
            )
        figures = cache.figures(version, period, tree_date=on, children=children, coverage=True)
        data = figures.as_dict()
        if options["children"]:
            data["children"] = [child.as_dict() for child in figures.children]
        self.emit(options, data, lambda: _text(figures))

    def do_define(self, options: dict[str, Any]) -> None:
        try:
            factor = parse_number(options["factor"])
        except ValueError as error:
            raise CommandError(f"--factor: {number_problem(options['factor'], error)}") from error
        try:
            indicator, created = indicator_define(
                code=options["code"],
                name=options["name"],
                name_en=options["name_en"],
                numerator=options["numerator"],
                denominator=options["denominator"],
                factor=factor,
                direction=options["direction"],
                unit=options["unit"],
                decimals=options["decimals"],
                actor=self.actor(options),
            )
        except DefinitionError as error:
            raise CommandError(f"--{error.field}: {error}") from error
        except PermissionError as error:
            raise CommandError(str(error)) from error
        data = {"created": created, "indicator": defined_as_dict(indicator)}
        self.emit(
            options,
            data,
            lambda: (
                f"{indicator.code} · {indicator.name_vi}: "
                f"({indicator.numerator_expression}) / ({indicator.denominator_expression or 1})"
                f" × {format_number(indicator.factor, 0)}"
            ),
        )

    def do_baseline(self, options: dict[str, Any]) -> None:
        indicator = Indicator.objects.filter(code=options["indicator"].strip()).first()
        if indicator is None:
            raise CommandError(f"--indicator: no indicator {options['indicator']!r}")
        try:
            value = parse_number(options["value"])
        except ValueError as error:
            raise CommandError(f"--value: {number_problem(options['value'], error)}") from error
        year = options["year"]
        on = options["date"]
        if on is None and bounds.YEARS[0] <= year <= bounds.YEARS[1]:
            on = last_day_in(
                options["unit"], options["level"], date(year, 1, 1), date(year, 12, 31)
            )
        on = on or self.day(options)
        version = self.resolve(
            options["unit"], options["level"], self.scope(options, on), Action.EDIT_PLANS
        )
        try:
            row = baseline_enter(
                unit=version.unit,
                indicator=indicator,
                year=year,
                value=value,
                source=options["source"],
                actor=self.actor(options),
                on=on,
            )
        except ValidationError as error:
            raise CommandError(
                "; ".join(
                    f"--{field}: {' '.join(messages)}"
                    for field, messages in error.message_dict.items()
                )
            ) from error
        except PermissionError as error:
            raise CommandError(str(error)) from error
        data = {
            "indicator": indicator.code,
            "unit": {
                "code": version.display_code,
                "name": version.name,
                "level": version.unit.level,
            },
            "year": year,
            "value": float(row.value),
            "source": row.source,
            "updated_by": row.updated_by.username if row.updated_by else None,
        }
        self.emit(
            options,
            data,
            lambda: (
                _("Baseline %(year)s of %(code)s for %(unit)s: %(value)s (%(source)s)")
                % {
                    "year": year,
                    "code": indicator.code,
                    "unit": version.name,
                    "value": shown(row.value),
                    "source": row.source,
                }
            ),
        )

    def do_enter(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        report = entered_import(
            read_path(path, Kind.ENTERED, max_mb=options["max_mb"]),
            path.name,
            Level(options["level"]),
            user=self.acting_user(options),
            dry_run=options["dry_run"],
            limits=limits(Kind.ENTERED, max_mb=options["max_mb"]),
        )
        self.emit_report(options, report)

    def do_recompute(self, options: dict[str, Any]) -> None:
        year = options["year"] or timezone.localdate().year
        root = None
        if options["unit"]:
            if not options["level"]:
                raise CommandError("--unit needs --level")
            on = min(date(year, 12, 31), timezone.localdate())
            root = self.resolve(options["unit"], options["level"], self.scope(options, on))
        leaves = cache.with_register(cache.leaves_in(year, root))
        periods = cache.periods_of(year)
        started = time.perf_counter()
        rows = cache.recompute(leaves, periods)
        data = {
            "unit": root.display_code if root else None,
            "year": year,
            "leaves": len(leaves),
            "periods": len(periods),
            "rows": rows,
            "seconds": round(time.perf_counter() - started, 2),
        }
        self.emit(
            options,
            data,
            lambda: (
                f"{year}: {len(leaves)} leaf units × {len(periods)} periods = {rows} rows "
                f"in {data['seconds']} s"
            ),
        )

    def do_spells(self, options: dict[str, Any]) -> None:
        started = time.perf_counter()
        if options["rebuild"]:
            with transaction.atomic():
                spells.rebuild()
        built = round(time.perf_counter() - started, 2)
        found = spells.check()
        data = {**found, "rebuilt": options["rebuild"], "rebuild_seconds": built}
        self.emit(
            options,
            data,
            lambda: (
                _(
                    "%(stays)s stay spells, %(households)s household spells, %(women)s "
                    "women's spells; %(differing)s persons and %(homes)s households differ "
                    "from a rebuild"
                )
                % {
                    "stays": format_number(found["stays"]),
                    "households": format_number(found["households"]),
                    "women": format_number(found["women"]),
                    "differing": format_number(found["differing"]),
                    "homes": format_number(found["households_differing"]),
                }
            ),
        )
        if found["differing"] or found["households_differing"]:
            raise CommandError(
                _(
                    "The kept spells differ from a rebuild for %(n)s persons (first: %(ids)s) "
                    "and %(homes)s households."
                )
                % {
                    "n": found["differing"],
                    "ids": ", ".join(map(str, found["differ"])) or "—",
                    "homes": found["households_differing"],
                }
            )


def last_day_in(code: str, level: str, first: date, last: date) -> date:
    """The period's last day, or, for a unit that closed during the period (Long Biên in
    2025), the last day the code still meant it."""
    try:
        wanted = normalize_code(Level(level), code)
    except CodeError:
        return last
    ends = UnitVersion.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=first),
        code=wanted,
        unit__level=level,
        valid_from__lte=last,
    ).values_list("valid_to", flat=True)
    days = [last if end is None or end >= last else end for end in ends]
    return max(days) if days else last


def _text(figures: UnitFigures) -> str:
    lines = [f"{figures.version.name} · {figures.period.label_vi}"]
    if figures.coverage is not None:
        lines.append(f"  {coverage_text(figures.coverage, figures.period.reference)}")
    if not figures.has_data:
        return "\n".join(lines)
    for value in figures.values:
        flag = "  (ít số liệu)" if value.small_numbers else ""
        lines.append(
            f"  {value.indicator:<22} {_number(value.value):>12}   "
            f"[{_number(value.interval.low)} – {_number(value.interval.high)}]{flag}"
        )
    return "\n".join(lines)


def defined_as_dict(indicator: Indicator) -> dict[str, Any]:
    """A defined indicator as ``indicators define`` prints it."""
    definition = definition_of(indicator)
    return {
        "code": indicator.code,
        "name": indicator.name_vi,
        "name_en": indicator.name_en,
        "numerator": indicator.numerator_expression,
        "denominator": indicator.denominator_expression,
        "factor": float(definition.factor),
        "direction": indicator.direction,
        "unit": indicator.unit,
        "decimals": indicator.decimals,
        "reads": {"counts": sorted(definition.counts), "elements": sorted(definition.elements)},
    }
