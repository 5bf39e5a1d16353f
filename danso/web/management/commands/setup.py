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
from danso.vietnamese import format_number
from danso.web.demo import DEMO_PASSWORD, load_demo, load_demo_register, warm_demo_figures
from danso.web.demo_datasets import load_demo_datasets
from danso.web.demo_reports import load_demo_reports


class Command(DansoCommand):
    help = "Create or upgrade the database and load reference data (idempotent)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--demo", action="store_true", help="also load the demo")
        parser.add_argument(
            "--demo-scale",
            type=float,
            default=1.0,
            help="size of the demo register of Long Biên (1.0: about 307,000 persons; 0 for none)",
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
            # what the plans track besides the register, entered for 2025 (issue 18)
            demo += load_demo_datasets()
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
            # Vietnamese first, English after it, as the rest of danso speaks
            n = format_number
            lines = ["danso: cơ sở dữ liệu đã sẵn sàng / database ready."]
            if units.loaded:
                lines.append(
                    f"  Đã nạp danh mục đơn vị hành chính: {n(units.units)} đơn vị, "
                    f"{n(units.versions)} phiên bản, {n(units.successions)} quan hệ kế thừa "
                    f"trong {n(units.seconds, 1)} giây ({len(units.problems)} ghi chú về tệp "
                    f"nguồn: xem /units/reference/) / reference units loaded: {units.units} "
                    f"units, {units.versions} versions, {units.successions} successions in "
                    f"{units.seconds:.1f} s."
                )
            if units.supplements:
                lines.append(
                    f"  Đã áp dụng bảng bổ sung / supplementary tables applied: "
                    f"{', '.join(units.supplements)} ({n(units.supplement_successions)} "
                    "quan hệ kế thừa / successions)."
                )
            if units.proposals:
                lines.append(
                    f"  Quan hệ kế thừa suy ra từ danh mục, chờ quản trị xác nhận / successions "
                    f"inferred from the lists, to confirm: {n(units.proposals)} "
                    "(/units/inferred/)."
                )
            if boundaries:
                lines.append(f"  Đã nạp ranh giới / boundaries loaded: {n(boundaries)}.")
            if demo:
                lines.append(
                    f"  Đã nạp bản minh họa / demo loaded: {len(demo)} mục / items; mật khẩu "
                    f"của mọi tài khoản minh họa / password of every demo account: "
                    f"{DEMO_PASSWORD}"
                )
            if register:
                lines.append(
                    f"  Sổ hộ minh họa của {register.root} (số liệu tạo ra, không phải số liệu "
                    f"chính thức) từ {register.opening:%d/%m/%Y} đến 31/12/{register.year}: "
                    f"{n(register.households)} hộ, {n(register.persons)} người, "
                    f"{n(sum(register.events.values()))} sự kiện, tạo trong "
                    f"{n(register.seconds)} giây / demo register (synthetic): "
                    f"{register.households:,} households, {register.persons:,} persons, "
                    f"generated in {register.seconds:.0f} s."
                )
            if warmed is not None:
                lines.append(
                    f"  Đã tính sẵn số liệu mọi kỳ của mọi năm trong {n(warmed)} giây / "
                    f"figures of every period of every year counted in {warmed:.0f} s."
                )
            return "\n".join(lines)

        self.emit(options, data, text)

    def progress(self, what: str, done: int, total: int) -> None:
        if done < total:
            self.stderr.write(f"  bản minh họa / demo: {done + 1}/{total} {what}…")
