"""``danso setup``: create or upgrade the database and load the reference data, once.

Safe to run again: migrations and loads that are done are skipped.  ``--demo`` also
loads the demonstration accounts, villages and (synthetic) population figures.
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from danso.commandline import DansoCommand
from danso.indicators.services import catalogue_load
from danso.reports.services import calendar_days_load, plan_report_types_load, report_types_load
from danso.translations import compile_catalogues
from danso.units.imports import geometries_load, reference_load
from danso.web.demo import DEMO_PASSWORD, load_demo, load_demo_register, warm_demo_figures
from danso.web.demo_reports import load_demo_reports


class Command(DansoCommand):
    help = "Create or upgrade the database and load reference data (idempotent)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--demo", action="store_true", help="also load the demo")
        parser.add_argument(
            "--demo-scale",
            type=float,
            default=1.0,
            help="size of the demo register of Long Biên (1.0: about 270,000 persons; 0 for none)",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        compile_catalogues()
        call_command("migrate", interactive=False, verbosity=0)
        try:
            units = reference_load(settings.REFERENCE_MANIFEST)
            boundaries = geometries_load(settings.REFERENCE_MANIFEST)
            indicators = catalogue_load()
            report_types = report_types_load()
            calendar_days = calendar_days_load()
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        demo = load_demo() if options["demo"] else []
        # the implementation reports of the issued plans (the demo's among them)
        plan_report_types = plan_report_types_load()
        register = None
        warmed = None
        if options["demo"] and options["demo_scale"] > 0:
            register = load_demo_register(options["demo_scale"], progress=self.progress)
            if register is not None:
                warmed = warm_demo_figures(progress=self.progress)
                demo += load_demo_reports()
        data = {
            "reference_units": {
                "loaded_now": units.loaded,
                "units": units.units,
                "versions": units.versions,
                "successions": units.successions,
                "seconds": round(units.seconds, 2),
                "problems": len(units.problems),
                "supplements_loaded_now": list(units.supplements),
                "inferred_successions_offered_now": units.proposals,
            },
            "boundaries_loaded_now": boundaries,
            "indicators_added_now": indicators,
            "report_types_added_now": report_types,
            "calendar_days_added_now": calendar_days,
            "plan_report_types_added_now": plan_report_types,
            "demo": demo,
            "demo_register": register.as_dict() if register else None,
            "demo_figures_seconds": round(warmed, 2) if warmed is not None else None,
            "seconds": round(time.perf_counter() - started, 2),
        }

        def text() -> str:
            lines = ["danso: database ready."]
            if units.loaded:
                lines.append(
                    f"  Reference units loaded: {units.units} units, {units.versions} versions, "
                    f"{units.successions} successions in {units.seconds:.1f} s "
                    f"({len(units.problems)} notes on the source files: "
                    f"see /units/reference/)."
                )
            if units.supplements:
                lines.append(
                    f"  Supplementary tables applied: {', '.join(units.supplements)} "
                    f"({units.supplement_successions} successions)."
                )
            if units.proposals:
                lines.append(
                    f"  Successions inferred from the lists, to confirm: {units.proposals} "
                    "(see /units/inferred/)."
                )
            if boundaries:
                lines.append(f"  Boundaries loaded: {boundaries}.")
            if demo:
                lines.append(
                    f"  Demo loaded: {len(demo)} items; password of every demo "
                    f"account: {DEMO_PASSWORD}"
                )
            if register:
                lines.append(
                    f"  Demo register of {register.root} ({register.opening:%d/%m/%Y} to "
                    f"31/12/{register.year}, synthetic): {register.households:,} households, "
                    f"{register.persons:,} persons, {sum(register.events.values()):,} events, "
                    f"generated in {register.seconds:.0f} s."
                )
            if warmed is not None:
                lines.append(
                    f"  Its figures for every period of every year counted in {warmed:.0f} s."
                )
            return "\n".join(lines)

        self.emit(options, data, text)

    def progress(self, what: str, done: int, total: int) -> None:
        if done < total:
            self.stderr.write(f"  demo: {done + 1}/{total} {what}…")
