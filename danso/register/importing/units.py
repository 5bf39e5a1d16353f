"""Reading units.csv: each village's commune on its ``as_of`` day, and whether the
village is already in danso or is to be created (and where it will sit)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.utils.translation import gettext as _

from danso.register import exchange
from danso.register.exchange import Row
from danso.register.importing.batch import ImportBatch
from danso.register.importing.records import BAD, NEVER, NEW, SAME, BookVillage, Commune
from danso.register.importing.rows import RowProblems
from danso.units.codes import CodeError, Level, display_code
from danso.units.models import UnitSuccession, UnitVersion, valid_on
from danso.units.scope import Action
from danso.vietnamese import fold

ONE_DAY = timedelta(days=1)


def commune_on(batch: ImportBatch, code: str, on: date) -> Commune | None:
    """The commune with ``code`` on day ``on`` (None if there is none)."""
    key = (code, on)
    if key not in batch.communes:
        version = (
            UnitVersion.objects.filter(code=code, unit__level=Level.COMMUNE)
            .filter(valid_on(on))
            .select_related("unit")
            .first()
        )
        batch.communes[key] = (
            None
            if version is None
            else Commune(
                version.unit_id,
                display_code(Level.COMMUNE, version.code),
                version.name,
                version.type,
                version.path,
                version.unit.valid_from,
                version.unit.valid_to,
            )
        )
    return batch.communes[key]


def parse_commune(
    batch: ImportBatch, row: Row, problems: RowProblems
) -> tuple[Commune | None, date | None]:
    """A row's commune on its ``as_of`` day, and that day (problems in ``problems``)."""
    as_of = problems.date_value(row, "as_of")
    raw = problems.required(row, "commune_code")
    if not raw or as_of is None:
        return None, as_of
    try:
        code = exchange.parse_code(Level.COMMUNE, raw)
    except CodeError:
        problems.append(("commune_code", _("%(value)s is not a commune code.") % {"value": raw}))
        return None, as_of
    found = commune_on(batch, code, as_of)
    if found is None:
        problems.append(
            (
                "commune_code",
                _("No commune has the code %(code)s on %(day)s.")
                % {"code": display_code(Level.COMMUNE, code), "day": f"{as_of:%d/%m/%Y}"},
            )
        )
    return found, as_of


def known_villages_of(
    batch: ImportBatch, commune: Commune
) -> list[tuple[int, str, str, date, date | None, str]]:
    """The villages danso has under the commune: (unit, code, folded name, from, to, path)."""
    if commune.unit_id not in batch.known_villages:
        batch.known_villages[commune.unit_id] = [
            (v.unit_id, v.code, fold(v.name), v.valid_from, v.valid_to, v.path)
            for v in UnitVersion.objects.filter(
                parent_id=commune.unit_id, unit__level=Level.VILLAGE
            )
        ]
    return batch.known_villages[commune.unit_id]


def existing_village(
    batch: ImportBatch, commune: Commune, codes: Sequence[str], name: str, on: date
) -> tuple[int, str] | None:
    """The (unit, path) of a village of danso under the commune, by code then by name."""
    candidates = [
        v for v in known_villages_of(batch, commune) if v[3] <= on and (v[4] is None or on <= v[4])
    ]
    for wanted in codes:
        for unit_id, code, _name, _from, _to, path in candidates:
            if code == wanted:
                return unit_id, path
    if name:
        for unit_id, _code, folded, _from, _to, path in candidates:
            if folded == fold(name):
                return unit_id, path
    return None


def read_units(batch: ImportBatch) -> None:
    """Read units.csv."""
    total = batch.book.count("units") if batch.book.has("units") else 0
    with batch.open_table("units") as opened:
        if opened is None:
            return
        table, _unknown = opened
        done = 0
        for line, row in table.rows:
            done += 1
            read_village(batch, table.file, line, row)
        settle_village_histories(batch, table.file)
        batch.report_progress("units", done, total)


def read_village(batch: ImportBatch, file: str, line: int, row: Row) -> None:
    """Read a row of units.csv: a village of danso, one to create, or a problem.  A row
    with a ``village_id`` (1.1) is one period of a village's history: it is kept for
    ``settle_village_histories``."""
    problems = RowProblems()
    unit_code = problems.required(row, "unit_code", 14)
    name = exchange.text(problems.required(row, "name", 200))
    commune, as_of = parse_commune(batch, row, problems)
    village_id = row.get("village_id", "")
    if len(village_id) > 20:
        problems.too_long("village_id", village_id, 20)
    valid_from = problems.date_value(row, "valid_from", required=False)
    valid_to = problems.date_value(row, "valid_to", required=False)
    if valid_from and valid_to and valid_to < valid_from:
        problems.append(("valid_to", _("valid_to is before valid_from.")))
    if village_id and not problems and commune is not None and as_of is not None:
        village = BookVillage(
            line, commune, unit_code, name, as_of, NEW, 0, "", village_id, valid_from or as_of
        )
        village.valid_to = valid_to.toordinal() if valid_to else NEVER
        batch.village_rows.setdefault(village_id, []).append(village)
        return
    if commune is None or as_of is None or problems:
        batch.add_row_problems(file, line, problems)
        if commune is not None and unit_code:
            batch.villages.setdefault(
                (commune.unit_id, unit_code),
                BookVillage(line, commune, unit_code, name, as_of or date.min, BAD, 0),
            )
        return
    key = (commune.unit_id, unit_code)
    earlier = batch.villages.get(key)
    if earlier is not None:
        if fold(earlier.name) == fold(name):
            batch.add_problem(
                file,
                line,
                "unit_code",
                _("This village repeats line %(line)s; it is read once.") % {"line": earlier.line},
                "warning",
            )
        else:
            batch.add_problem(
                file,
                line,
                "unit_code",
                _("The village %(code)s is on line %(line)s with another name.")
                % {"code": unit_code, "line": earlier.line},
            )
            earlier.state = BAD
        return
    code = f"{commune.code}-{unit_code}"
    found = existing_village(batch, commune, [code, unit_code], name, as_of)
    if found is not None:
        village = BookVillage(line, commune, unit_code, name, as_of, SAME, found[0], found[1])
        if fold(name) not in {v[2] for v in known_villages_of(batch, commune) if v[0] == found[0]}:
            batch.add_problem(
                file,
                line,
                "name",
                _("The village %(code)s is in danso under another name, which is kept.")
                % {"code": unit_code},
                "warning",
            )
    elif not batch.user_may(Action.EDIT_VILLAGES, commune.path, as_of):
        batch.add_problem(
            file,
            line,
            "commune_code",
            _("You may not create villages in %(name)s.") % {"name": commune.name},
        )
        village = BookVillage(line, commune, unit_code, name, as_of, BAD, 0)
    elif (
        UnitVersion.objects.filter(code=code, unit__level=Level.VILLAGE)
        .exclude(parent_id=commune.unit_id)
        .exists()
    ):
        batch.add_problem(
            file,
            line,
            "unit_code",
            _("The village code %(code)s is used in another commune.") % {"code": code},
        )
        village = BookVillage(line, commune, unit_code, name, as_of, BAD, 0)
    else:
        batch.placeholders -= 1
        village = BookVillage(line, commune, unit_code, name, as_of, NEW, batch.placeholders)
        batch.segments[village.unit_id] = village_segments(batch, commune)
    batch.villages[key] = village


def changed_leaf_units(batch: ImportBatch) -> list[int]:
    """The communes of the book, their villages and those the import made: the leaf
    units whose figures the import can change (and whose persons' spells it rewrites)."""
    communes = {commune.unit_id for commune in batch.communes.values() if commune}
    villages = {row[0] for rows in batch.known_villages.values() for row in rows}
    villages |= {v.unit_id for v in batch.villages.values() if v.unit_id > 0}
    villages |= set(batch.created_villages)
    return sorted(communes | villages)


def village_segments(batch: ImportBatch, commune: Commune) -> list[tuple[int, int, int]]:
    """Where a village created under ``commune`` will sit: (from, to, parent) — the
    commune until it closes, then its successor if it passed wholly to one (as
    ``units.services.unit_create`` places a new unit)."""
    segments = []
    unit_id = commune.unit_id
    start, end = commune.unit_from, commune.unit_to
    for _step in range(10):
        segments.append((start.toordinal(), end.toordinal() if end else NEVER, unit_id))
        if end is None:
            break
        links = list(
            UnitSuccession.objects.filter(predecessor_id=unit_id).select_related("successor")
        )
        if len(links) != 1 or links[0].partial or links[0].successor.level != Level.COMMUNE:
            break
        unit_id = links[0].successor_id
        start, end = end + ONE_DAY, links[0].successor.valid_to
    return segments


def settle_village_histories(batch: ImportBatch, file: str) -> None:
    """The villages of units.csv with a ``village_id`` (1.1): each row is a period in one
    commune.  A village of danso (its code is the id) must have had those communes on
    those days; a new one is created in the first and moved to the others."""
    for village_id, rows in batch.village_rows.items():
        rows.sort(key=lambda v: (v.valid_from or v.as_of, v.line))
        ends = [v.valid_to for v in rows]
        wrong = False
        for (earlier, end), later in zip(zip(rows, ends, strict=True), rows[1:], strict=False):
            assert later.valid_from is not None
            if later.valid_from.toordinal() <= end:
                batch.add_problem(
                    file,
                    later.line,
                    "valid_from",
                    _("The village %(id)s is in another commune on %(day)s (line %(line)s).")
                    % {
                        "id": village_id,
                        "day": f"{later.valid_from:%d/%m/%Y}",
                        "line": earlier.line,
                    },
                )
                wrong = True
        if not wrong:
            wrong = not settle_village(batch, file, village_id, rows, ends)
        for v in rows:
            if wrong:
                v.state = BAD
            key = (v.commune.unit_id, v.unit_code)
            known = batch.villages.get(key)
            if known is None:
                batch.villages[key] = v
            elif known.village_id != village_id:
                batch.add_problem(
                    file,
                    v.line,
                    "unit_code",
                    _(
                        "In %(commune)s the code %(code)s is also the code of another "
                        "village (line %(line)s)."
                    )
                    % {"commune": v.commune.name, "code": v.unit_code, "line": known.line},
                )
                # neither village can be placed: all the rows of both are refused
                for other in [*rows, *batch.village_rows.get(known.village_id, [known])]:
                    other.state = BAD


def settle_village(
    batch: ImportBatch, file: str, village_id: str, rows: list[BookVillage], ends: list[int]
) -> bool:
    """Match the rows of one village with danso, or make them a village to create;
    False (reported) if they cannot be."""
    found = list(
        UnitVersion.objects.filter(code=village_id, unit__level=Level.VILLAGE).values_list(
            "unit_id", "parent_id", "valid_from", "valid_to", "path"
        )
    )
    if found:
        units = {row[0] for row in found}
        for v in rows:
            on = v.as_of
            version = next((f for f in found if f[2] <= on and (f[3] is None or on <= f[3])), None)
            if len(units) > 1 or version is None or version[1] != v.commune.unit_id:
                batch.add_problem(
                    file,
                    v.line,
                    "commune_code",
                    _("The village %(id)s is in danso, but not in %(commune)s on %(day)s.")
                    % {"id": village_id, "commune": v.commune.name, "day": f"{on:%d/%m/%Y}"},
                )
                return False
            v.state, v.unit_id, v.path = SAME, version[0], version[4]
        return True
    for v in rows:
        if not batch.user_may(Action.EDIT_VILLAGES, v.commune.path, v.as_of):
            batch.add_problem(
                file,
                v.line,
                "commune_code",
                _("You may not create villages in %(name)s.") % {"name": v.commune.name},
            )
            return False
    batch.placeholders -= 1
    first = rows[0]
    segments = []
    for v, end in zip(rows, ends, strict=True):
        assert v.valid_from is not None
        v.unit_id = batch.placeholders
        v.later = v is not first
        segments.append((v.valid_from.toordinal(), end, v.commune.unit_id))
        if v.later:
            first.moves.append((v.valid_from, v.commune))
    batch.segments[first.unit_id] = segments
    return True
