"""``danso units``: the dated tree of administrative units from the command line.

Reads: tree, resolve, successors, predecessors, search, history, stats, check, to-place.
Writes (audited as the ``--user``, or the system): create-village, rename, move, merge,
split, close, import-conversion, import-geojson; ``inferred confirm|reject`` (an
administrator, named with ``--user``).

``Command`` declares the sub-commands and their options; each one runs in a function of
this module (``ACTIONS``), given the command for what every command shares (``--user``,
``--date``, ``--format``: ``DansoCommand``).
"""

from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from danso.commandline import DansoCommand, parse_day
from danso.units import imports, inferred, selectors, services
from danso.units.codes import Level, display_code
from danso.units.models import InferredSuccession, Unit, UnitVersion, valid_on
from danso.units.scope import Action, UnitScope
from danso.units.selectors import TreeNode
from danso.uploads import MAX_MB_HELP, Kind, limits, read_path


class Command(DansoCommand):
    help = "Administrative units as of a date: look up, list, change, import."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        p = sub.add_parser("tree", help="a unit and its children on a date")
        self.add_common(p)
        p.add_argument("--root", help="code of the root unit (default: the whole country)")
        self.add_level(p, required=False)
        p.add_argument("--depth", type=int, default=1, help="levels of children (default 1)")

        p = sub.add_parser("resolve", help="what a code meant on a date")
        p.add_argument("code")
        self.add_common(p)
        self.add_level(p)

        for name in ("successors", "predecessors"):
            p = sub.add_parser(name, help=f"the {name} of a unit")
            p.add_argument("code")
            self.add_common(p)
            self.add_level(p)

        p = sub.add_parser("search", help="find units by name (diacritics ignored)")
        p.add_argument("query")
        self.add_common(p)
        self.add_level(p, required=False)
        p.add_argument("--limit", type=int, default=20)

        p = sub.add_parser("history", help="every version of a unit")
        p.add_argument("code")
        self.add_common(p)
        self.add_level(p)

        p = sub.add_parser("stats", help="how many units of each level and type on a date")
        self.add_common(p)
        p.add_argument("--root", help="code of the root unit (default: the whole country)")
        self.add_level(p, required=False)

        p = sub.add_parser("check", help="verify the tree's invariants")
        p.add_argument("--format", choices=["text", "json"], default="text")

        p = sub.add_parser("create-village", help="add a village or residential group")
        self.add_common(p, date_required=True)
        p.add_argument("--commune", required=True, help="code of the commune")
        p.add_argument("--code", required=True, help="the village's own code")
        p.add_argument("--name", required=True)
        p.add_argument("--type", default="thôn", help="thôn, tổ dân phố, ấp, bản, khu phố …")

        p = sub.add_parser("rename", help="rename a unit from a date")
        p.add_argument("code")
        self.add_common(p, date_required=True)
        self.add_level(p)
        p.add_argument("--name", required=True)
        p.add_argument("--type")
        p.add_argument("--new-code")
        p.add_argument("--decision", default="", help="legal basis")

        p = sub.add_parser("move", help="move a unit under another parent from a date")
        p.add_argument("code")
        self.add_common(p, date_required=True)
        self.add_level(p)
        p.add_argument("--parent", required=True)
        p.add_argument(
            "--parent-level",
            required=True,
            choices=[lvl.value for lvl in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)],
        )
        p.add_argument("--decision", default="")

        p = sub.add_parser("merge", help="merge units from a date")
        p.add_argument("codes", nargs="+")
        self.add_common(p, date_required=True)
        self.add_level(p)
        p.add_argument("--into", help="code of the unit that continues")
        p.add_argument("--new-code")
        p.add_argument("--new-name")
        p.add_argument("--new-type")
        p.add_argument("--decision", default="")

        p = sub.add_parser("split", help="split a unit into new units from a date")
        p.add_argument("code")
        self.add_common(p, date_required=True)
        self.add_level(p)
        p.add_argument(
            "--part",
            action="append",
            required=True,
            metavar="CODE:NAME:TYPE",
            help="a new unit (repeat for each part)",
        )
        p.add_argument("--keep", action="store_true", help="the unit continues (a part split off)")
        p.add_argument(
            "--child",
            action="append",
            default=[],
            metavar="CHILDCODE=PART",
            help="where a village goes: the part's number (1, 2, …) or 0 to stay",
        )
        p.add_argument("--decision", default="")

        p = sub.add_parser("close", help="close a unit from a date, naming its successors")
        p.add_argument("code")
        self.add_common(p, date_required=True)
        self.add_level(p)
        p.add_argument("--successor", action="append", default=[], metavar="CODE[:partial]")
        p.add_argument("--decision", default="")

        p = sub.add_parser("import-conversion", help="apply a conversion table (CSV)")
        p.add_argument("file", type=Path)
        p.add_argument("--max-mb", type=float, metavar="MB", help=MAX_MB_HELP)
        p.add_argument("--effective", type=parse_day, required=True)
        p.add_argument("--decision", default="")
        p.add_argument("--dry-run", action="store_true")
        p.add_argument("--format", choices=["text", "json"], default="text")
        p.add_argument("--user", metavar="USERNAME")

        p = sub.add_parser(
            "to-place", help="villages that closed with their commune and wait to be placed"
        )
        self.add_common(p)
        p.add_argument("--commune", help="code of a commune (closed, or a successor) on --date")

        p = sub.add_parser(
            "inferred",
            help="successions inferred from the snapshots: list them, or confirm / reject",
        )
        p.add_argument("verb", nargs="?", choices=["confirm", "reject"])
        p.add_argument("ids", nargs="*", type=int, metavar="ID")
        p.add_argument("--province", help="province code of the closed communes, e.g. 01")
        p.add_argument(
            "--status",
            choices=[*InferredSuccession.Status.values, "all"],
            default=InferredSuccession.Status.PROPOSED,
            help="which to list (default: proposed)",
        )
        p.add_argument("--reason", default="", help="why they are rejected (reject)")
        p.add_argument("--format", choices=["text", "json"], default="text")
        p.add_argument("--user", metavar="USERNAME", help="the administrator who decides")

        p = sub.add_parser("import-geojson", help="store boundaries from a GeoJSON file")
        p.add_argument("file", type=Path)
        self.add_common(p, date_required=True)
        self.add_level(p)
        p.add_argument("--code-property", default="code")
        p.add_argument("--source", default="")
        p.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            ACTIONS[options["action"]](self, options)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error


# ------------------------------------------------------------ reads


def _root(command: DansoCommand, options: dict[str, Any], scope: UnitScope) -> UnitVersion:
    if options.get("root"):
        if not options.get("level"):
            raise CommandError("--root needs --level")
        return command.resolve(options["root"], options["level"], scope)
    root = selectors.versions_on(scope.on).filter(unit__level=Level.COUNTRY).first()
    if root is None:
        raise CommandError("the reference data is not loaded: run `danso setup`")
    if not scope.allows(Action.VIEW, root):
        raise CommandError("give --root: the whole country is outside your units")
    return root


def do_tree(command: DansoCommand, options: dict[str, Any]) -> None:
    scope = command.scope(options)
    root = _root(command, options, scope)
    depth = options["depth"]
    if depth < 0:
        raise CommandError("--depth must be 0 or more")
    node = selectors.subtree(root, scope, depth)
    data = {"date": scope.on.isoformat(), "unit": node.as_dict(depth)}

    def text() -> str:
        lines: list[str] = []

        def walk(n: TreeNode, indent: int, left: int) -> None:
            v = n.version
            lines.append(f"{'  ' * indent}{v.display_code:>8}  {v.name}  ({v.type})")
            if left > 0:
                for child in n.children:
                    walk(child, indent + 1, left - 1)

        walk(node, 0, depth)
        return "\n".join(lines)

    command.emit(options, data, text)


def do_resolve(command: DansoCommand, options: dict[str, Any]) -> None:
    scope = command.scope(options)
    version = command.resolve(options["code"], options["level"], scope)
    data = version.as_node()
    parent = selectors.ancestors(version)[-1:] if version.parent_id else []
    data["parent"] = (
        {"code": parent[0].display_code, "name": parent[0].name, "level": parent[0].unit.level}
        if parent
        else None
    )
    command.emit(
        options,
        data,
        lambda: (
            f"{data['code']} {data['name']} ({data['type']}), "
            f"{data['valid_from']}–{data['valid_to'] or ''}; "
            f"parent: {data['parent']['name'] if data['parent'] else '-'}"
        ),
    )


def _links(command: DansoCommand, options: dict[str, Any], which: str) -> None:
    scope = command.scope(options)
    version = command.resolve(options["code"], options["level"], scope)
    links = getattr(selectors, which)(version.unit)
    data = {"unit": version.as_node(), which: [link.as_dict() for link in links]}
    command.emit(
        options,
        data,
        lambda: "\n".join(
            [f"{version.display_code} {version.name}:"]
            + [
                f"  {d['code']} {d['name']} ({d['level']}, from {d['effective']})"
                + (" partial" if d["partial"] else "")
                for d in data[which]
            ]
        ),
    )


def do_successors(command: DansoCommand, options: dict[str, Any]) -> None:
    _links(command, options, "successors")


def do_predecessors(command: DansoCommand, options: dict[str, Any]) -> None:
    _links(command, options, "predecessors")


def do_search(command: DansoCommand, options: dict[str, Any]) -> None:
    scope = command.scope(options)
    level = Level(options["level"]) if options.get("level") else None
    found = selectors.search_units(options["query"], scope, level=level, limit=options["limit"])
    data = {
        "date": scope.on.isoformat(),
        "query": options["query"],
        "results": [
            {**v.as_node(), "path": [a.name for a in selectors.ancestors(v)][1:]} for v in found
        ],
    }
    command.emit(
        options,
        data,
        lambda: "\n".join(
            f"{r['code']:>8} {r['level']:<9} {r['name']}  — {', '.join(reversed(r['path']))}"
            for r in data["results"]
        ),
    )


def do_history(command: DansoCommand, options: dict[str, Any]) -> None:
    scope = command.scope(options)
    version = command.resolve(options["code"], options["level"], scope)
    rows = []
    for v in selectors.unit_versions(version.unit):
        rows.append(
            {
                "valid_from": v.valid_from.isoformat(),
                "valid_to": v.valid_to.isoformat() if v.valid_to else None,
                "code": display_code(version.unit.level, v.code),
                "name": v.name,
                "type": v.type,
                "change": v.change.get_kind_display() if v.change else None,
            }
        )
    data = {"unit": version.as_node(), "versions": rows}
    command.emit(
        options,
        data,
        lambda: "\n".join(
            f"{r['valid_from']} – {r['valid_to'] or '':10}  {r['code']} {r['name']}  "
            f"[{r['change']}]"
            for r in rows
        ),
    )


def do_stats(command: DansoCommand, options: dict[str, Any]) -> None:
    scope = command.scope(options)
    root = _root(command, options, scope)
    counts = selectors.level_counts(root, scope)
    data = {"date": scope.on.isoformat(), "unit": root.as_node(), "counts": counts}
    command.emit(
        options,
        data,
        lambda: "\n".join(
            [f"{root.name} ({scope.on:%d/%m/%Y})"]
            + [
                f"  {level}: {c['total']}  "
                + ", ".join(f"{t} {n}" for t, n in sorted(c.items()) if t != "total")
                for level, c in counts.items()
            ]
        ),
    )


def do_check(command: DansoCommand, options: dict[str, Any]) -> None:
    problems = services.check_tree()
    command.emit(
        options,
        {"problems": problems},
        lambda: "\n".join(problems) or "The tree is consistent.",
    )
    if problems:
        raise CommandError(f"{len(problems)} problems")


# ------------------------------------------------------------ writes


def _writable(
    command: DansoCommand,
    options: dict[str, Any],
    code: str,
    level: str,
    action: Action,
    on: Any = None,
) -> UnitVersion:
    scope = command.scope(options, on)
    return command.resolve(code, level, scope, action)


def _action_for(level: str) -> Action:
    return Action.EDIT_VILLAGES if level == Level.VILLAGE else Action.EDIT_STRUCTURE


def _done(command: DansoCommand, options: dict[str, Any], unit: Unit, message: str) -> None:
    on = options["date"]
    version = UnitVersion.objects.filter(unit=unit).filter(valid_on(on)).first() or (
        unit.versions.order_by("-valid_from").first()
    )
    assert version is not None
    command.emit(options, {"unit": version.as_node(), "message": message}, lambda: message)


def do_create_village(command: DansoCommand, options: dict[str, Any]) -> None:
    commune = _writable(command, options, options["commune"], Level.COMMUNE, Action.EDIT_VILLAGES)
    unit = services.village_create(
        commune=commune.unit,
        code=options["code"],
        name=options["name"],
        type=options["type"],
        valid_from=options["date"],
        user=command.acting_user(options),
    )
    _done(command, options, unit, f"created {options['name']} under {commune.name}")


def do_rename(command: DansoCommand, options: dict[str, Any]) -> None:
    level = options["level"]
    version = _writable(command, options, options["code"], level, _action_for(level))
    services.unit_rename(
        unit=version.unit,
        effective=options["date"],
        name=options["name"],
        type=options.get("type"),
        code=options.get("new_code"),
        user=command.acting_user(options),
        decision=options["decision"],
    )
    _done(command, options, version.unit, f"{version.name} → {options['name']}")


def do_move(command: DansoCommand, options: dict[str, Any]) -> None:
    """Move a unit from ``--date``; the new parent must be the user's to change on that
    day.  A village that closed the day before together with its commune (split by a
    reform) is found on that day and reopened under the new parent: the user must be
    allowed to change it on that day, or the new parent must be a successor of its
    commune (the new commune's officers place the groups they received)."""
    level = options["level"]
    action = _action_for(level)
    parent = _writable(command, options, options["parent"], options["parent_level"], action)
    try:
        version = _writable(command, options, options["code"], level, action)
    except CommandError:
        reopened = _closed_the_day_before(command, options, level, parent)
        if reopened is None:
            raise
        version = reopened
    services.unit_move(
        unit=version.unit,
        parent=parent.unit,
        effective=options["date"],
        user=command.acting_user(options),
        decision=options["decision"],
    )
    _done(command, options, version.unit, f"{version.name} → {parent.name}")


def _closed_the_day_before(
    command: DansoCommand, options: dict[str, Any], level: str, parent: UnitVersion
) -> UnitVersion | None:
    """The village ``options["code"]`` as it stood on ``--date`` − 1, if it closed then
    with its commune and the user may reopen it under ``parent`` (see ``do_move``)."""
    if level != Level.VILLAGE:
        return None
    before = options["date"] - services.ONE_DAY
    found = selectors.villages_to_place(
        village_ids=UnitVersion.objects.filter(
            code=options["code"].strip(), unit__level=Level.VILLAGE, valid_to=before
        ).values_list("unit_id", flat=True),
        scope=lambda day: command.scope(options, day),
    )
    if not found:
        return None
    item = found[0]
    if command.scope(options, before).allows(Action.EDIT_VILLAGES, item.village):
        return item.village
    if parent.unit_id in {option.version.unit_id for option in item.successors}:
        return item.village
    raise CommandError(
        f"{item.village.name} is outside your units on {before:%d/%m/%Y}, and "
        f"{parent.name} is not a successor of {item.commune.name}"
    )


def do_merge(command: DansoCommand, options: dict[str, Any]) -> None:
    level = options["level"]
    before = options["date"] - services.ONE_DAY
    versions = [
        _writable(command, options, c, level, Action.EDIT_STRUCTURE, before)
        for c in options["codes"]
    ]
    into = None
    if options.get("into"):
        into = _writable(
            command, options, options["into"], level, Action.EDIT_STRUCTURE, before
        ).unit
    new = None
    if options.get("new_code"):
        new = services.NewUnit(
            options["new_code"], options.get("new_name") or "", options.get("new_type") or ""
        )
    target = services.units_merge(
        units=[v.unit for v in versions],
        effective=options["date"],
        into=into,
        new=new,
        user=command.acting_user(options),
        decision=options["decision"],
    )
    _done(command, options, target, "merged")


def do_split(command: DansoCommand, options: dict[str, Any]) -> None:
    level = options["level"]
    before = options["date"] - services.ONE_DAY
    version = _writable(command, options, options["code"], level, Action.EDIT_STRUCTURE, before)
    parts = []
    for spec in options["part"]:
        code, _, rest = spec.partition(":")
        name, _, unit_type = rest.partition(":")
        parts.append(services.NewUnit(code, name, unit_type or version.type))
    children: dict[int, int] = {}
    for item in options["child"]:
        child_code, _, number = item.partition("=")
        child = _writable(command, options, child_code, Level.VILLAGE, Action.VIEW, before)
        children[child.unit_id] = int(number) - 1 if int(number) else services.KEEP
    created = services.unit_split(
        unit=version.unit,
        effective=options["date"],
        parts=parts,
        children=children,
        keep_original=options["keep"],
        user=command.acting_user(options),
        decision=options["decision"],
    )
    command.emit(
        options,
        {"parts": [u.pk for u in created], "message": "split"},
        lambda: f"{version.name} split into {len(created)} parts",
    )


def do_close(command: DansoCommand, options: dict[str, Any]) -> None:
    level = options["level"]
    before = options["date"] - services.ONE_DAY
    version = _writable(command, options, options["code"], level, _action_for(level), before)
    successors = []
    for spec in options["successor"]:
        code, _, flag = spec.partition(":")
        other = _writable(command, options, code, level, Action.VIEW)
        successors.append((other.unit, flag == "partial"))
    services.unit_close(
        unit=version.unit,
        effective=options["date"],
        successors=successors,
        user=command.acting_user(options),
        decision=options["decision"],
    )
    _done(command, options, version.unit, f"{version.name} closed")


def do_import_conversion(command: DansoCommand, options: dict[str, Any]) -> None:
    scope = command.scope(options)
    if not scope.is_everything(Action.IMPORT_REFERENCE):
        raise CommandError("only a system administrator imports conversion tables")
    path: Path = options["file"]
    report = imports.conversion_import(
        read_path(path, Kind.CONVERSION, max_mb=options["max_mb"]),
        file_name=path.name,
        effective=options["effective"],
        user=command.acting_user(options),
        decision=options["decision"],
        dry_run=options["dry_run"],
        limits=limits(Kind.CONVERSION, max_mb=options["max_mb"]),
    )
    command.emit_report(options, report)


def do_import_geojson(command: DansoCommand, options: dict[str, Any]) -> None:
    scope = command.scope(options)
    if not scope.is_everything(Action.IMPORT_REFERENCE):
        raise CommandError("only a system administrator imports boundaries")
    path: Path = options["file"]
    report = imports.geojson_import(
        path.read_bytes(),
        file_name=path.name,
        level=Level(options["level"]),
        on=options["date"],
        code_property=options["code_property"],
        source=options["source"] or path.name,
        dry_run=options["dry_run"],
    )
    command.emit_report(options, report)


def do_to_place(command: DansoCommand, options: dict[str, Any]) -> None:
    """The villages still to place after a reform, in the user's units (all without
    ``--user``), with the command that places each under each successor."""
    commune_ids = None
    if options.get("commune"):
        scope = command.scope(options)
        commune_ids = [command.resolve(options["commune"], Level.COMMUNE, scope).unit_id]
    found = selectors.villages_to_place(
        commune_ids=commune_ids, scope=lambda day: command.scope(options, day)
    )
    data = {"villages": [item.as_dict() for item in found]}

    def text() -> str:
        lines = []
        for item in found:
            lines.append(
                f"{item.village.display_code} {item.village.name}: closed on "
                f"{item.last_day:%d/%m/%Y} with {item.commune.display_code} {item.commune.name}"
            )
            for option, line in zip(item.successors, item.commands, strict=True):
                part = " (partial)" if option.partial else ""
                lines.append(f"  → {option.version.name}{part}: {line}")
            if not item.successors:
                lines.append("  → no successor recorded for its commune")
        return "\n".join(lines) or "No village is waiting to be placed."

    command.emit(options, data, text)


def do_inferred(command: DansoCommand, options: dict[str, Any]) -> None:
    """List the inferred successions (administrator), or confirm / reject some: by id, or
    every open one of ``--province`` (confirm)."""
    verb = options.get("verb")
    if verb and not options.get("user"):
        raise CommandError("give --user: a decision is recorded with the person who made it")
    scope = command.scope(options)
    status = options["status"]
    try:
        rows = selectors.inferred_successions(
            scope,
            province=options.get("province"),
            status=None if (status == "all" or verb) else status,
        )
    except (selectors.UnitOutOfScope, selectors.UnitNotFound) as error:
        raise CommandError(str(error)) from error
    if verb:
        ids = set(options["ids"])
        if not ids and not (verb == "confirm" and options.get("province")):
            raise CommandError("name the proposals (ID …), or --province to confirm a province")
        chosen = (
            [r for r in rows if r.proposal.pk in ids]
            if ids
            else [r for r in rows if r.proposal.status == InferredSuccession.Status.PROPOSED]
        )
        missing = ids - {r.proposal.pk for r in chosen}
        if missing:
            raise CommandError(f"no such proposal: {', '.join(map(str, sorted(missing)))}")
        user = command.acting_user(options)
        if verb == "confirm":
            inferred.inferred_confirm_many(proposals=[r.proposal for r in chosen], user=user)
        else:
            for row in chosen:
                inferred.inferred_reject(proposal=row.proposal, user=user, reason=options["reason"])
        decided = {r.proposal.pk for r in chosen}
        rows = [
            r
            for r in selectors.inferred_successions(scope, province=options.get("province"))
            if r.proposal.pk in decided
        ]
    data = {"inferred": [row.as_dict() for row in rows]}

    def text() -> str:
        return (
            "\n".join(
                f"{r['id']:>5} [{r['status']}] "
                f"{r['predecessor']['code']} {r['predecessor']['name']}"
                f" → {r['successor']['code']} {r['successor']['name']} from {r['effective']}"
                f" ({r['rule']}: {r['evidence']})"
                for r in data["inferred"]
            )
            or "No inferred succession."
        )

    command.emit(options, data, text)


#: The function that runs each sub-command.
ACTIONS: dict[str, Callable[[DansoCommand, dict[str, Any]], None]] = {
    "tree": do_tree,
    "resolve": do_resolve,
    "successors": do_successors,
    "predecessors": do_predecessors,
    "search": do_search,
    "history": do_history,
    "stats": do_stats,
    "check": do_check,
    "create-village": do_create_village,
    "rename": do_rename,
    "move": do_move,
    "merge": do_merge,
    "split": do_split,
    "close": do_close,
    "import-conversion": do_import_conversion,
    "import-geojson": do_import_geojson,
    "to-place": do_to_place,
    "inferred": do_inferred,
}
