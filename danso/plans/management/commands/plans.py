"""``danso plans``: import plan documents, check allocations, export official documents.

danso plans import FILE --unit CODE --level LEVEL [--date YYYY-MM-DD] [--dry-run] --format json
danso plans check PLAN_ID --format json
danso plans export PLAN_ID --to docx|xlsx --output FILE
danso plans list [--unit CODE --level LEVEL] --format json
danso plans propose PLAN_ID --indicator NEWFP --basis women_15_49 [--dry-run]
danso plans carry [--plan PLAN_ID] [--user USERNAME] --format json
"""

from __future__ import annotations

from argparse import ArgumentParser
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import timezone

from danso.commandline import DansoCommand, parse_day
from danso.plans import carried, services
from danso.plans.checks import plan_checks
from danso.plans.exporting import plan_document
from danso.plans.importing import plan_date, plan_import
from danso.plans.models import Plan
from danso.plans.selectors import Access, plan_access, plans_visible
from danso.plans.services import EARLIEST_UNITS
from danso.plans.weights import Basis
from danso.units.codes import CLI_LEVELS
from danso.units.models import Unit
from danso.units.scope import Action
from danso.uploads import MAX_MB_HELP, Kind, limits, read_path


class Command(DansoCommand):
    help = "Plans, targets and their allocation to the units below."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("import", help="read a plan (.txt, .docx, .xlsx) and store it")
        p.add_argument("file", type=Path)
        p.add_argument("--max-mb", type=float, metavar="MB", help=MAX_MB_HELP)
        p.add_argument("--unit", required=True, help="code of the issuing unit")
        p.add_argument("--level", choices=[lvl.value for lvl in CLI_LEVELS], required=True)
        p.add_argument(
            "--date",
            type=parse_day,
            help="the plan's date: its units are taken as they stood then "
            "(default: the date written in the document)",
        )
        p.add_argument("--dry-run", action="store_true", help="check only, store nothing")
        self._shared(p)

        p = sub.add_parser("check", help="the consistency checks of a plan's allocation")
        p.add_argument("plan_id", type=int)
        self._shared(p)

        p = sub.add_parser("export", help="write a plan as .docx or its appendices as .xlsx")
        p.add_argument("plan_id", type=int)
        p.add_argument("--to", choices=["docx", "xlsx"], required=True)
        p.add_argument("--output", type=Path, required=True)
        self._shared(p)

        p = sub.add_parser("list", help="the plans one may see")
        self._shared(p)

        p = sub.add_parser("propose", help="split a count target in proportion to a weight")
        p.add_argument("plan_id", type=int)
        p.add_argument("--indicator", default="NEWFP")
        p.add_argument("--basis", choices=[b.value for b in Basis], default="women_15_49")
        p.add_argument(
            "--dry-run", action="store_true", help="print the proposal without saving it"
        )
        self._shared(p)

        p = sub.add_parser(
            "carry",
            help="carry the cells of units closed during a plan's years to their successors",
        )
        p.add_argument("--plan", type=int, help="one plan (default: every issued plan)")
        self._shared(p)

    def _shared(self, parser: ArgumentParser) -> None:
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--user", metavar="USERNAME")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"do_{options['action']}")(options)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error

    def _plan(self, options: dict[str, Any], needed: Access = Access.FULL) -> Plan:
        plan = Plan.objects.select_related("unit").filter(pk=options["plan_id"]).first()
        if plan is None or plan_access(self.actor(options), plan) < needed:
            raise CommandError(f"no plan {options['plan_id']} in your units")
        return plan

    def do_import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        content = read_path(path, Kind.PLAN, max_mb=options["max_mb"])
        on = options["date"] or plan_date(
            content, path.name, limits(Kind.PLAN, max_mb=options["max_mb"])
        )
        if on is None:
            raise CommandError(
                f"{path}: the document does not say the day it was issued; give --date"
            )
        # Plans older than the reference lists are matched to the units of their first day.
        scope = self.scope(options, max(on, EARLIEST_UNITS))
        version = self.resolve(options["unit"], options["level"], scope, Action.EDIT_PLANS)
        result = plan_import(
            content,
            file_name=path.name,
            unit=version.unit,
            on=options["date"],
            user=self.acting_user(options),
            dry_run=options["dry_run"],
            limits=limits(Kind.PLAN, max_mb=options["max_mb"]),
        )
        data = result.as_dict()
        self.emit(
            options,
            data,
            lambda: "\n".join(
                [
                    f"plan: {data['plan']}",
                    f"targets: {len(data['targets'])}",
                    f"allocations: {len(data['allocations'])}",
                ]
                + [f"{p['severity']}: {p['where']}: {p['message']}" for p in data["problems"]]
            ),
        )
        if result.errors:
            raise CommandError(f"{len(result.errors)} errors; nothing was stored")

    def do_check(self, options: dict[str, Any]) -> None:
        plan = self._plan(options)
        checks = plan_checks(plan, timezone.localdate())
        problems = [c.as_dict() for c in checks if c.severity != "ok"]
        self.emit(
            options,
            {"problems": problems},
            lambda: (
                "\n".join(f"{c.severity}: {c.where}: {c.message}" for c in checks) or "no problems"
            ),
        )

    def do_export(self, options: dict[str, Any]) -> None:
        from danso.plans.writing import appendices_xlsx, plan_docx

        plan = self._plan(options)
        document = plan_document(plan)
        content = plan_docx(document) if options["to"] == "docx" else appendices_xlsx(document)
        output: Path = options["output"]
        output.write_bytes(content)
        self.emit(
            options,
            {"output": str(output), "bytes": len(content)},
            lambda: f"{output}: {len(content):,} bytes",
        )

    def do_list(self, options: dict[str, Any]) -> None:
        rows: list[dict[str, Any]] = [
            {
                "id": plan.pk,
                "number": plan.number,
                "title": plan.title,
                "unit": str(plan.unit),
                "year": plan.period_start,
                "status": plan.status,
                "access": access.name.lower(),
            }
            for plan, access in plans_visible(self.actor(options))
        ]
        self.emit(
            options,
            {"plans": rows},
            lambda: "\n".join(
                f"{r['id']:>4} {r['year']} {r['unit']:<24} {r['number']:<14} {r['title'][:60]}"
                for r in rows
            ),
        )

    def do_propose(self, options: dict[str, Any]) -> None:
        plan = self._plan(options, Access.EDIT)
        target = plan.targets.filter(indicator__code=options["indicator"]).first()
        if target is None:
            raise CommandError(f"the plan has no {options['indicator']} target")
        basis = Basis(options["basis"])
        rows: list[tuple[Unit, Decimal | None, dict[str, Any] | None]]
        if options.get("dry_run"):
            cells = services.allocation_proposal(target=target, basis=basis)
            rows = [(c.version.unit, c.value, c.breakdown) for c in cells]
        else:
            saved = services.allocation_propose(
                target=target, basis=basis, user=self.acting_user(options)
            )
            rows = [(a.unit, a.value, a.breakdown) for a in saved]
        data: dict[str, Any] = {
            "saved": not options.get("dry_run"),
            "allocations": [
                {"unit": str(unit), "value": int(value or 0), "breakdown": breakdown}
                for unit, value, breakdown in rows
            ],
        }
        self.emit(
            options,
            data,
            lambda: "\n".join(f"{r['unit']:<28} {r['value']:>10}" for r in data["allocations"]),
        )

    def do_carry(self, options: dict[str, Any]) -> None:
        """``{"plans", "created", "updated", "unchanged", "removed", "adjusted_kept",
        "carried": [...]}``: without ``--user`` the system carries every issued plan's
        cells; with it, only the plans the user may change."""
        plan = None
        if options["plan"] is not None:
            options["plan_id"] = options["plan"]
            plan = self._plan(options, Access.EDIT)
        result = carried.allocations_carry(plan=plan, user=self.actor(options))
        data = result.as_dict()
        self.emit(
            options,
            data,
            lambda: "\n".join(
                [
                    f"plans: {data['plans']}, new: {data['created']}, changed: "
                    f"{data['updated']}, unchanged: {data['unchanged']}, removed: "
                    f"{data['removed']}, adjusted kept: {data['adjusted_kept']}"
                ]
                + [
                    f"{row['indicator']:<10} {row['unit_name']:<28} {row['value']!s:>10} "
                    f"{row['source']} {'exact' if row['exact'] else 'estimated'}"
                    for row in data["carried"]
                ]
            ),
        )
