"""``danso project``: project a unit from a base date, under a built-in scenario.

    danso project --unit 004 --level district --base-date 2025-01-01 --to-year 2030
        [--scenario tfr-2.1-2030] [--mortality default|unit|parent|model]
        [--user U] --format json

prints ``{"unit": {"code", "name", "level"}, "scenario", "base_date", "age_groups",
"years": [{"year", "female": [...], "male": [...], "births", "deaths", "women_15_49",
"aged_60_plus"}]}`` (the populations by 5-year group, 0–4 first, the last group open).
The unit is resolved, and the user's scope taken, on the base date. Nothing is stored.
Scenarios: ``constant`` (the default), ``tfr-2.1-2030``, ``srb-109-2030``,
``tfr-2.1-srb-109-2030``, ``zero-migration``.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from danso.commandline import DansoCommand, parse_day
from danso.projections.method import BUILTIN_SCENARIOS, ProjectionResult
from danso.projections.models import Projection
from danso.projections.services import ProjectionError, project_unit
from danso.vietnamese import format_number

#: The keys of a year in the JSON document (the CLI contract).
YEAR_KEYS = ("year", "female", "male", "births", "deaths", "women_15_49", "aged_60_plus")


class Command(DansoCommand):
    help = "Project the population of a unit by sex and age (cohort-component method)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--unit", required=True, help="code of the unit")
        self.add_level(parser)
        parser.add_argument("--base-date", type=parse_day, required=True, help="YYYY-MM-DD")
        parser.add_argument("--to-year", type=int, required=True)
        parser.add_argument("--scenario", choices=list(BUILTIN_SCENARIOS), default="constant")
        parser.add_argument(
            "--mortality",
            choices=[c for c in Projection.Mortality.values if c != Projection.Mortality.TABLE],
            default=Projection.Mortality.DEFAULT,
            help="where the life table comes from (default: the register, else the model)",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--user", metavar="USERNAME", help="act as this user, in their scope")

    def handle(self, *args: Any, **options: Any) -> None:
        base_date = options["base_date"]
        scope = self.scope(options, base_date)
        version = self.resolve(options["unit"], options["level"], scope)
        try:
            gathered, result = project_unit(
                version,
                base_date,
                options["to_year"],
                BUILTIN_SCENARIOS[options["scenario"]],
                mortality=options["mortality"],
            )
        except ProjectionError as error:
            raise CommandError(str(error)) from error
        data = {
            "unit": {
                "code": version.display_code,
                "name": version.name,
                "level": version.unit.level,
            },
            "scenario": result.scenario,
            "base_date": base_date.isoformat(),
            "age_groups": result.age_groups,
            "years": [{k: y.as_dict()[k] for k in YEAR_KEYS} for y in result.years],
        }
        self.emit(options, data, lambda: _text(version.name, gathered.sources, result))


def _text(name: str, sources: dict[str, Any], result: ProjectionResult) -> str:
    fertility = sources["fertility"]
    lines = [
        f"{name} · {result.scenario} · TFR {format_number(fertility['tfr'], 2)}"
        + (" (vay từ đơn vị cấp trên)" if fertility.get("borrowed") else ""),
        f"  {'năm':>6} {'dân số':>12} {'sinh':>9} {'chết':>9} {'nữ 15-49':>10} {'60+':>9}",
    ]
    for y in result.years:
        lines.append(
            f"  {y.year:>6} {format_number(y.total):>12} {format_number(y.births):>9} "
            f"{format_number(y.deaths):>9} {format_number(y.women_15_49):>10} "
            f"{format_number(y.aged_60_plus):>9}"
        )
    return "\n".join(lines)
