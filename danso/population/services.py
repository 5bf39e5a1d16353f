"""Writes of population figures: one checked save, and imports of whole tables."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from danso import bounds, uploads
from danso.accounts.scope import unit_scope
from danso.audit import recorded_user
from danso.population.agegroups import ALLOWED_OPEN_AGES, DEFAULT_OPEN_AGE, group_labels
from danso.population.models import PopulationFigure
from danso.problems import ImportReport
from danso.spreadsheets import LimitError, Limits
from danso.tables import TableError, read_table
from danso.units.codes import CLI_LEVELS, CodeError, Level, normalize_code
from danso.units.models import Unit, UnitVersion, level_label, valid_on
from danso.units.scope import Action, UnitScope
from danso.uploads import Kind
from danso.vietnamese import fold, parse_integer

MIN_YEAR, MAX_YEAR = 1900, 2100


@dataclass(frozen=True)
class FigureInput:
    """A population figure as entered, before it is checked."""

    year: int
    total: int | None
    male: int | None = None
    female: int | None = None
    open_age: int = DEFAULT_OPEN_AGE
    male_by_age: Sequence[int] | None = None
    female_by_age: Sequence[int] | None = None
    source: str = ""
    note: str = ""

    def completed(self) -> FigureInput:
        """Fill what follows from the rest: the total from the sexes, a sex from its
        age groups."""
        male = self.male if self.male is not None else _sum(self.male_by_age)
        female = self.female if self.female is not None else _sum(self.female_by_age)
        total = self.total
        if total is None and male is not None and female is not None:
            total = male + female
        return FigureInput(
            self.year,
            total,
            male,
            female,
            self.open_age,
            self.male_by_age,
            self.female_by_age,
            self.source,
            self.note,
        )


def _sum(values: Sequence[int] | None) -> int | None:
    return sum(values) if values is not None else None


def figure_problems(figure: FigureInput) -> list[tuple[str, str]]:
    """Every inconsistency of ``figure`` as (field, message); empty when it is right."""
    problems: list[tuple[str, str]] = []
    if not MIN_YEAR <= figure.year <= MAX_YEAR:
        problems.append(
            (
                "year",
                _("The year must be between %(a)s and %(b)s.") % {"a": MIN_YEAR, "b": MAX_YEAR},
            )
        )
    if figure.total is None:
        problems.append(("total", _("The total (or both sexes) is required.")))
    if figure.open_age not in ALLOWED_OPEN_AGES:
        problems.append(
            (
                "open_age",
                _("The open age group cannot start at %(age)s.") % {"age": figure.open_age},
            )
        )
        return problems
    for name in ("total", "male", "female"):
        value = getattr(figure, name)
        if value is not None and value < 0:
            problems.append((name, _("A number of people cannot be negative.")))
        elif value is not None and value > bounds.MAX_COUNT:
            problems.append((name, _("A count cannot exceed %(max)s.") % {"max": bounds.MAX_COUNT}))
    total, male, female = figure.total, figure.male, figure.female
    for name, value in (("male", male), ("female", female)):
        if total is not None and value is not None and value > total:
            problems.append(
                (
                    name,
                    _("%(value)s is more than the total %(total)s.")
                    % {"value": value, "total": total},
                )
            )
    if total is not None and male is not None and female is not None and male + female != total:
        problems.append(
            (
                "total",
                _("Males %(m)s + females %(f)s = %(s)s, not the total %(t)s.")
                % {"m": male, "f": female, "s": male + female, "t": total},
            )
        )
    groups = len(group_labels(figure.open_age))
    for name, ages, total in (
        ("male_by_age", figure.male_by_age, figure.male),
        ("female_by_age", figure.female_by_age, figure.female),
    ):
        if ages is None:
            continue
        if len(ages) != groups:
            problems.append(
                (name, _("Expected %(n)s age groups, got %(k)s.") % {"n": groups, "k": len(ages)})
            )
            continue
        if any(a < 0 for a in ages):
            problems.append((name, _("A number of people cannot be negative.")))
        if any(a > bounds.MAX_COUNT for a in ages):
            problems.append((name, _("A count cannot exceed %(max)s.") % {"max": bounds.MAX_COUNT}))
        if total is not None and sum(ages) != total:
            problems.append(
                (
                    name,
                    _("The age groups add up to %(s)s, not %(t)s.") % {"s": sum(ages), "t": total},
                )
            )
    return problems


@transaction.atomic
def figure_save(*, unit: Unit, figure: FigureInput, user: Any = None) -> PopulationFigure:
    """Create or replace the figure of ``unit`` for ``figure.year``; refuses an
    inconsistent one (ValidationError with a message per field)."""
    figure = figure.completed()
    problems = figure_problems(figure)
    if not _exists_in_year(unit.pk, figure.year):
        problems.append(
            (
                "year",
                _("%(unit)s does not exist in %(year)s.")
                % {"unit": str(unit), "year": figure.year},
            )
        )
    if problems:
        by_field: dict[str, list[str]] = {}
        for name, message in problems:
            by_field.setdefault(name, []).append(message)
        raise ValidationError(by_field)
    assert figure.total is not None
    row, _created = PopulationFigure.objects.update_or_create(
        unit=unit,
        year=figure.year,
        defaults={
            "total": figure.total,
            "male": figure.male,
            "female": figure.female,
            "open_age": figure.open_age,
            "male_by_age": list(figure.male_by_age) if figure.male_by_age is not None else None,
            "female_by_age": (
                list(figure.female_by_age) if figure.female_by_age is not None else None
            ),
            "source": figure.source,
            "note": figure.note,
            "updated_by": recorded_user(user),
        },
    )
    return row


def _exists_in_year(unit_id: int, year: int) -> bool:
    start, end = date(year, 1, 1), date(year, 12, 31)
    return (
        UnitVersion.objects.filter(unit_id=unit_id, valid_from__lte=end)
        .exclude(valid_to__lt=start)
        .exists()
    )


# ---------------------------------------------------------------- import

#: Column names (lower case) and their Vietnamese equivalents.
COLUMN_ALIASES = {
    "level": ("level", "cấp"),
    "code": ("code", "mã", "mã đơn vị"),
    "name": ("name", "tên", "tên đơn vị"),
    "year": ("year", "năm"),
    "date": ("date", "ngày"),
    "total": ("total", "tổng", "tổng số"),
    "male": ("male", "nam"),
    "female": ("female", "nữ"),
    "source": ("source", "nguồn"),
    "note": ("note", "ghi chú"),
}
LEVEL_ALIASES = {
    "province": Level.PROVINCE,
    "tỉnh": Level.PROVINCE,
    "district": Level.DISTRICT,
    "huyện": Level.DISTRICT,
    "commune": Level.COMMUNE,
    "xã": Level.COMMUNE,
    "village": Level.VILLAGE,
    "thôn": Level.VILLAGE,
}
SEX_PREFIXES = {"m": "male", "nam": "male", "f": "female", "nữ": "female"}


def _key(header: str) -> str:
    return unicodedata.normalize("NFC", header).strip().lower()


def template_headers(open_age: int = DEFAULT_OPEN_AGE) -> list[str]:
    labels = group_labels(open_age)
    return [
        "level",
        "code",
        "name",
        "year",
        "total",
        "male",
        "female",
        *[f"m_{label}" for label in labels],
        *[f"f_{label}" for label in labels],
        "source",
    ]


def figures_import(
    content: bytes,
    *,
    file_name: str,
    user: Any = None,
    dry_run: bool = False,
    limits: Limits | None = None,
) -> ImportReport:
    """Import a table of population figures (see ``template_headers``; Vietnamese column
    names are accepted too).  A table over ``limits`` (else the site's for population
    tables) is refused before it is read.

    Codes are resolved on the row's ``date``, or else on 1 July of its ``year``, and the
    unit must have existed in that year.  ``user`` (None: the system) must be allowed to
    enter figures for the unit as the tree stood on that day.  Rows with neither a year
    nor any number (the empty rows of an exported template) are skipped.  Every row is
    checked first; with any error nothing is written.  A row identical to what is stored
    counts as unchanged; a file without notes or without age groups keeps those stored."""
    report = ImportReport(dry_run=dry_run)
    try:
        table = read_table(content, file_name, limits=limits or uploads.limits(Kind.POPULATION))
    except (TableError, LimitError) as error:
        line = error.params.get("line")
        report.add(
            file_name, line if isinstance(line, int) else None, None, uploads.limit_message(error)
        )
        return report
    columns: dict[str, str] = {}
    age_columns: dict[str, dict[str, str]] = {"male": {}, "female": {}}
    for header in table.headers:
        key = _key(header)
        for name, aliases in COLUMN_ALIASES.items():
            if key in aliases:
                columns[name] = header
        prefix, sep, label = key.partition("_")
        if sep and prefix in SEX_PREFIXES:
            age_columns[SEX_PREFIXES[prefix]][label.replace(" ", "")] = header
    for needed in ("code", "year"):
        if needed not in columns:
            report.add(file_name, 1, needed, _("The column %(c)s is missing.") % {"c": needed})
    open_age = _open_age(age_columns, report, file_name)
    if report.errors:
        return report

    scopes: dict[date, UnitScope] = {}

    def scope_on(day: date) -> UnitScope:
        if day not in scopes:
            scopes[day] = UnitScope.system(day) if user is None else unit_scope(user, day)
        return scopes[day]

    accepted: list[tuple[int, Unit, FigureInput]] = []
    seen: dict[tuple[int, int], int] = {}
    for line, row in table.rows:
        parsed = _parse_row(row, line, columns, age_columns, open_age, file_name, report)
        if parsed is None:
            continue
        level, code, figure, on = parsed
        version = (
            UnitVersion.objects.filter(valid_on(on), code=code, unit__level=level)
            .select_related("unit")
            .first()
        )
        code_column = columns["code"]
        if version is None:
            report.add(
                file_name,
                line,
                code_column,
                _("No %(level)s has code %(code)s on %(day)s.")
                % {
                    "level": level_label(level),
                    "code": row.get(code_column),
                    "day": f"{on:%d/%m/%Y}",
                },
            )
            continue
        if not scope_on(on).allows(Action.EDIT_POPULATION, version):
            report.add(
                file_name,
                line,
                code_column,
                _("%(name)s is outside the units you may enter figures for.")
                % {"name": version.name},
            )
            continue
        if not _exists_in_year(version.unit_id, figure.year):
            report.add(
                file_name,
                line,
                columns.get("date", columns["year"]),
                _("%(unit)s does not exist in %(year)s.")
                % {"unit": version.name, "year": figure.year},
            )
            continue
        if "name" in columns and row.get(columns["name"]):
            given = fold(str(row[columns["name"]]))
            if given and given not in version.name_folded:
                report.add(
                    file_name,
                    line,
                    columns["name"],
                    _("The name %(given)s does not match %(name)s (code %(code)s); check the code.")
                    % {
                        "given": row[columns["name"]],
                        "name": version.name,
                        "code": version.display_code,
                    },
                    "warning",
                )
        if (version.unit_id, figure.year) in seen:
            report.add(
                file_name,
                line,
                code_column,
                _("%(name)s %(year)s is already on line %(line)s.")
                % {
                    "name": version.name,
                    "year": figure.year,
                    "line": seen[(version.unit_id, figure.year)],
                },
            )
            continue
        seen[(version.unit_id, figure.year)] = line
        figure = figure.completed()
        for field_name, message in figure_problems(figure):
            report.add(file_name, line, _column_of(field_name, columns, age_columns), message)
        accepted.append((line, version.unit, figure))

    existing = {
        (f.unit_id, f.year): f
        for f in PopulationFigure.objects.filter(
            unit_id__in=[unit.pk for _line, unit, _f in accepted]
        )
    }
    planned: list[tuple[Unit, FigureInput]] = []
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for _line, unit, figure in accepted:
        stored = existing.get((unit.pk, figure.year))
        if stored is not None:
            figure = _keep_what_the_file_lacks(figure, stored, has_notes="note" in columns)
        if stored is None:
            counts["created"] += 1
        elif _same(stored, figure):
            counts["unchanged"] += 1
            continue
        else:
            counts["updated"] += 1
        planned.append((unit, figure))
    report.created = counts
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        for unit, figure in planned:
            figure_save(unit=unit, figure=figure, user=user)
    return report


def _keep_what_the_file_lacks(
    figure: FigureInput, stored: PopulationFigure, *, has_notes: bool
) -> FigureInput:
    """A file without a note column keeps the stored note; a row without age groups keeps
    the stored ones when its sex totals are those stored (nothing is lost by a re-import
    of a file that carries totals only)."""
    male_by_age, female_by_age, open_age = (
        figure.male_by_age,
        figure.female_by_age,
        (figure.open_age),
    )
    if (
        male_by_age is None
        and female_by_age is None
        and (figure.male, figure.female) == (stored.male, stored.female)
    ):
        male_by_age, female_by_age = stored.male_by_age, stored.female_by_age
        open_age = stored.open_age
    return replace(
        figure,
        note=figure.note if has_notes else stored.note,
        male_by_age=male_by_age,
        female_by_age=female_by_age,
        open_age=open_age,
    )


def _open_age(age_columns: dict[str, dict[str, str]], report: ImportReport, file_name: str) -> int:
    labels = set(age_columns["male"]) | set(age_columns["female"])
    if not labels:
        return DEFAULT_OPEN_AGE
    for open_age in ALLOWED_OPEN_AGES:
        expected = set(group_labels(open_age))
        if labels == expected:
            for sex in ("male", "female"):
                if age_columns[sex] and set(age_columns[sex]) != expected:
                    report.add(file_name, 1, sex, _("The age groups of the two sexes differ."))
            return open_age
    report.add(
        file_name,
        1,
        None,
        _("The age columns must be 0-4, 5-9, … up to an open group such as 85+; found: %s")
        % ", ".join(sorted(labels)),
    )
    return DEFAULT_OPEN_AGE


def _is_blank(value: Any) -> bool:
    return value is None or str(value).strip() == ""


def _parse_row(
    row: dict[str, Any],
    line: int,
    columns: dict[str, str],
    age_columns: dict[str, dict[str, str]],
    open_age: int,
    file_name: str,
    report: ImportReport,
) -> tuple[Level, str, FigureInput, date] | None:
    """Read one row; None when it has errors (reported) or carries no figure at all."""
    data_columns = [columns.get(name) for name in ("year", "total", "male", "female")]
    data_columns += [c for sex in age_columns.values() for c in sex.values()]
    if all(_is_blank(row.get(c)) for c in data_columns if c):
        return None  # an empty row of a template: nothing to import
    errors_before = len(report.errors)

    def number(column: str | None, required: bool = False) -> int | None:
        if column is None:
            return None
        raw = row.get(column)
        if _is_blank(raw):
            if required:
                report.add(file_name, line, column, _("A value is required."))
            return None
        try:
            return parse_integer(raw)
        except ValueError:
            report.add(
                file_name, line, column, _("%(value)s is not a whole number.") % {"value": raw}
            )
            return None

    level = Level.COMMUNE
    if "level" in columns:
        raw_level = _key(str(row.get(columns["level"]) or ""))
        if raw_level not in LEVEL_ALIASES and raw_level not in {lvl.value for lvl in CLI_LEVELS}:
            report.add(
                file_name,
                line,
                columns["level"],
                _("Unknown level %(value)s (province, district, commune, village).")
                % {"value": row.get(columns["level"])},
            )
        else:
            level = LEVEL_ALIASES.get(raw_level) or Level(raw_level)
    code = ""
    try:
        code = normalize_code(level, str(row.get(columns["code"]) or "").removesuffix(".0"))
    except CodeError as error:
        report.add(file_name, line, columns["code"], str(error))
    year = number(columns["year"], required=True)
    on = None
    if year is not None:
        if MIN_YEAR <= year <= MAX_YEAR:
            on = date(year, 7, 1)
        else:
            report.add(
                file_name,
                line,
                columns["year"],
                _("The year must be between %(a)s and %(b)s.") % {"a": MIN_YEAR, "b": MAX_YEAR},
            )
    if "date" in columns and not _is_blank(row.get(columns["date"])):
        raw_date = row[columns["date"]]
        try:
            on = raw_date.date() if hasattr(raw_date, "date") else _parse_day(str(raw_date))
        except ValueError:
            report.add(file_name, line, columns["date"], _("Write dates as dd/mm/yyyy."))
    by_age: dict[str, list[int] | None] = {}
    for sex in ("male", "female"):
        cells = [age_columns[sex].get(label) for label in group_labels(open_age)]
        if not age_columns[sex] or all(_is_blank(row.get(c)) for c in cells if c):
            by_age[sex] = None  # not given for this row
            continue
        values = [number(cell, required=True) for cell in cells]
        by_age[sex] = [v for v in values if v is not None] if None not in values else None
    figure = FigureInput(
        year=year or 0,
        total=number(columns.get("total")),
        male=number(columns.get("male")),
        female=number(columns.get("female")),
        open_age=open_age,
        male_by_age=by_age["male"],
        female_by_age=by_age["female"],
        source=str(row.get(columns["source"]) or "").strip() if "source" in columns else "",
        note=str(row.get(columns["note"]) or "").strip() if "note" in columns else "",
    )
    if len(report.errors) > errors_before or on is None or not code:
        return None
    return level, code, figure, on


def _parse_day(text: str) -> date:
    text = text.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar day
        except ValueError:
            continue
    raise ValueError(text)


def _column_of(
    field_name: str, columns: dict[str, str], age_columns: dict[str, dict[str, str]]
) -> str:
    """The file's column for a field of ``FigureInput`` (the age groups: their range)."""
    for sex in ("male", "female"):
        if field_name == f"{sex}_by_age" and age_columns[sex]:
            headers = list(age_columns[sex].values())
            return f"{headers[0]} … {headers[-1]}"
    return columns.get(field_name, field_name)


def _same(stored: PopulationFigure, figure: FigureInput) -> bool:
    return (
        stored.total == figure.total
        and stored.male == figure.male
        and stored.female == figure.female
        and stored.open_age == figure.open_age
        and stored.male_by_age == (list(figure.male_by_age) if figure.male_by_age else None)
        and stored.female_by_age == (list(figure.female_by_age) if figure.female_by_age else None)
        and stored.source == figure.source
        and stored.note == figure.note
    )
