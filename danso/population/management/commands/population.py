"""``danso population``: import and export population figures.

danso population import FILE.xlsx|FILE.csv [--dry-run] [--user U] --format json
danso population export --year 2024 --level commune --output FILE.xlsx [--root CODE --root-level L]
danso population show CODE --level L [--date D] --format json
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from danso.commandline import DansoCommand
from danso.population.exports import figures_workbook
from danso.population.models import PopulationFigure
from danso.population.selectors import figures_of
from danso.population.services import figures_import
from danso.units import selectors
from danso.units.codes import CLI_LEVELS
from danso.units.scope import Action
from danso.uploads import MAX_MB_HELP, Kind, limits, read_path
from danso.vietnamese import format_number


class Command(DansoCommand):
    help = "Population figures per unit and year: import, export, show."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("import", help="import a table (.xlsx or .csv)")
        p.add_argument("file", type=Path)
        p.add_argument("--max-mb", type=float, metavar="MB", help=MAX_MB_HELP)
        p.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        p.add_argument("--format", choices=["text", "json"], default="text")
        p.add_argument("--user", metavar="USERNAME")

        p = sub.add_parser("export", help="write the figures of a year to .xlsx")
        self.add_common(p)
        p.add_argument("--year", type=int, required=True)
        p.add_argument("--level", choices=[lvl.value for lvl in CLI_LEVELS], default="commune")
        p.add_argument("--root", help="code of the unit whose subtree is exported")
        p.add_argument("--root-level", choices=[lvl.value for lvl in CLI_LEVELS])
        p.add_argument("--output", type=Path, required=True)

        p = sub.add_parser("show", help="the figures of one unit")
        p.add_argument("code")
        self.add_common(p)
        self.add_level(p)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def do_import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        report = figures_import(
            read_path(path, Kind.POPULATION, max_mb=options["max_mb"]),
            file_name=path.name,
            user=self.acting_user(options),
            dry_run=options["dry_run"],
            limits=limits(Kind.POPULATION, max_mb=options["max_mb"]),
        )
        self.emit_report(options, report)

    def do_export(self, options: dict[str, Any]) -> None:
        scope = self.scope(options)
        rows = selectors.visible_versions(scope).filter(unit__level=options["level"])
        if options.get("root"):
            if not options.get("root_level"):
                raise CommandError("--root needs --root-level")
            root = self.resolve(options["root"], options["root_level"], scope)
            rows = rows.filter(path__startswith=root.path)
        versions = list(rows.order_by("path"))
        figures = {
            f.unit_id: f
            for f in PopulationFigure.objects.filter(
                year=options["year"], unit_id__in=[v.unit_id for v in versions]
            )
        }
        output: Path = options["output"]
        output.write_bytes(figures_workbook((v, figures.get(v.unit_id)) for v in versions))
        data = {"output": str(output), "units": len(versions), "with_figures": len(figures)}
        self.emit(
            options,
            data,
            lambda: (
                f"{output}: {len(versions)} units, "
                f"{len(figures)} with figures for {options['year']}"
            ),
        )

    def do_show(self, options: dict[str, Any]) -> None:
        scope = self.scope(options)
        version = self.resolve(options["code"], options["level"], scope, Action.VIEW)
        rows: list[dict[str, Any]] = [
            {
                "year": f.year,
                "total": f.total,
                "male": f.male,
                "female": f.female,
                "open_age": f.open_age,
                "male_by_age": f.male_by_age,
                "female_by_age": f.female_by_age,
                "source": f.source,
            }
            for f in figures_of(version, scope)
        ]
        self.emit(
            options,
            {"unit": version.as_node(), "figures": rows},
            lambda: "\n".join(
                [f"{version.display_code} {version.name}"]
                + [f"  {r['year']}: {format_number(r['total'])} ({r['source']})" for r in rows]
            ),
        )
