"""``danso demo generate``: a synthetic household register for demos and benchmarks.

    danso demo generate --unit 004 --level district --year 2024 --seed 1 [--scale 0.05]

Generates households, persons and events for the communes under the unit as the tree
stood on 1 July of the year (see ``danso.register.generation``), prints what was made and
the year's figures (``--format json``: one JSON document), and reports its progress on
stderr.  A unit that already has households in its register is refused.
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from danso.commandline import DansoCommand
from danso.register.generation import GenerationSummary, generate
from danso.units.codes import Level
from danso.units.scope import Action


class Command(DansoCommand):
    help = "Synthetic data for demonstrations and benchmarks."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("generate", help="generate a synthetic register under a unit")
        p.add_argument("--unit", required=True, help="code of the province, district or commune")
        p.add_argument(
            "--level",
            required=True,
            choices=[lvl.value for lvl in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)],
        )
        p.add_argument("--year", type=int, required=True, help="the last year of the register")
        p.add_argument("--seed", type=int, required=True, help="the same seed, the same data")
        p.add_argument(
            "--scale", type=float, default=1.0, help="multiplies the households (default 1.0)"
        )
        p.add_argument("--format", choices=["text", "json"], default="text")
        p.add_argument("--user", metavar="USERNAME", help="act as this user, in their scope")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        if not 2000 <= year <= 2100:
            raise CommandError(_("The year must be between 2000 and 2100."))
        # the tree as it stood during the year
        scope = self.scope(options, on=date(year, 7, 1))
        root = self.resolve(options["unit"], options["level"], scope, Action.EDIT_REGISTER)

        def progress(what: str, done: int, total: int) -> None:
            if done < total:
                self.stderr.write(
                    _("%(done)s/%(total)s communes: generating %(unit)s…")
                    % {"done": done + 1, "total": total, "unit": what}
                )

        try:
            summary = generate(
                root.unit,
                year,
                seed=options["seed"],
                scale=options["scale"],
                progress=progress,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.emit(options, summary.as_dict(), lambda: _text(summary))


def _text(summary: GenerationSummary) -> str:
    data = summary.as_dict()
    counts = ("communes", "villages_created", "villages_reused", "households", "persons")
    heading = _(
        "%(root)s, %(year)s (seed %(seed)s, scale %(scale)s): a synthetic register opened "
        "on %(opening)s, made in %(seconds)s s."
    ) % {
        "root": summary.root,
        "year": summary.year,
        "seed": summary.seed,
        "scale": summary.scale,
        "opening": f"{summary.opening:%d/%m/%Y}",
        "seconds": data["seconds"],
    }
    return "\n".join(
        [
            heading,
            *(f"  {name}: {data[name]}" for name in counts),
            f"  events: {data['events_total']}",
            *(f"    {kind}: {count}" for kind, count in data["events"].items()),
            _("Figures of %(year)s:") % {"year": summary.year},
            *(f"  {name}: {value}" for name, value in data["figures"].items()),
        ]
    )
