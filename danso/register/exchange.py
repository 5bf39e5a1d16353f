"""The files of the register exchange format (docs/REGISTER-FORMAT.md), with no Django import.

A *book* is what a commune or another system hands over: a folder of CSV files
(``units.csv``, ``households.csv``, ``placements.csv`` (1.1), ``persons.csv``,
``events.csv``), the same files in a
.zip, or one .xlsx workbook with a sheet of each name.  ``open_book`` reads any of them;
each table is a stream of ``(line, row)`` where ``line`` is where the row starts in the
file (the header is line 1) and ``row`` maps the lower-cased column names to the cell's
text, stripped.  Nothing is held in memory beyond one row, so a district of a million
events reads in constant memory, and a table can be read as many times as needed.

The value parsers (``parse_date``, ``parse_birth``, ``parse_sex`` …) take the text of a
cell and raise ``ValueError`` when it is not a value of the format; ``write_table`` and
``write_workbook`` write the format back, with the matching ``format_*`` functions.

Version 1.1 (``FORMAT_VERSION``) carries history: ``units.csv`` may give a village a row
per commune it belonged to (``village_id``, ``valid_from``, ``valid_to``) and
``placements.csv`` where each household sat, day by day, each code read on its row's
``as_of``.  A 1.0 book (neither) reads as before.

Two columns are danso's extensions of version 1, read and written so that an export
re-imports without loss: ``households.number`` (the household's number in the book) and
``events.household_id`` (for ``move_in``: the household joined, when it is not the
person's household of ``persons.csv``).

Safe to open in a spreadsheet program: ``write_table`` writes a field that begins with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return (what Excel would run as a
formula; a number such as ``-3`` excepted) with a leading ``'``, and the CSV reader takes
exactly that quote off again (``danso.spreadsheets.safe_text`` / ``unquote_text``): a
name that truly begins with ``=`` comes back as it was, and so does one that truly
begins with ``'=``, which is written ``''=``.  A workbook needs no quote: its cells are
written as text, never as formulas.

Limits (``danso.spreadsheets.Limits``, ``BOOK`` unless the caller gives others) are
checked when a book is opened and while it is read: the size of the file, what a .zip
or .xlsx unpacks to (from its directory, before anything is unpacked, and again while an
entry is read), its entries, its compression ratio, archives inside it, and the rows,
columns and line lengths of every table.  Past a limit the reader raises
``LimitError``, whose message names the file and the limit.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain
from pathlib import Path
from typing import IO, Any

from danso.register.vocabulary import EVENT_COLUMNS, SEX_WORDS
from danso.spreadsheets import (
    BOOK,
    CELL_TOO_LONG,
    NESTED_ARCHIVE,
    PART_TOO_LARGE,
    TOO_MANY_COLUMNS,
    TOO_MANY_ROWS,
    UNPACKED_TOO_LARGE,
    ZIP_MAGIC,
    FileError,
    LimitError,
    Limits,
    append_row,
    check_archive,
    check_cells,
    check_extent,
    check_size,
    format_size,
    gettext_noop,
    open_member,
    row_problem,
    safe_row,
    sheet_rows,
    text_lines,
    unquote_text,
)
from danso.units.codes import Level, display_code, normalize_code

TABLES = ("units", "households", "placements", "persons", "events")

#: The version of the format that ``register_export`` writes; it reads 1.0 books too (a
#: book of 1.0 has no ``placements.csv`` and no history of its villages).
FORMAT_VERSION = "1.1"

#: The columns of each table, required ones first.
UNITS_REQUIRED = ("unit_code", "name", "commune_code", "as_of")
#: 1.1: a village's stable id (the same on each of its rows, across communes and reforms)
#: and the days the row's commune held it: a village that changed commune has a row each.
UNITS_OPTIONAL = ("village_id", "valid_from", "valid_to")
#: 1.1: where a household sat, day by day (its codes read on ``as_of``, a day of the row).
PLACEMENTS_REQUIRED = ("household_id", "commune_code", "as_of", "valid_from")
PLACEMENTS_OPTIONAL = ("village_code", "valid_to")
HOUSEHOLDS_REQUIRED = ("household_id", "commune_code", "as_of")
HOUSEHOLDS_OPTIONAL = ("village_code", "address", "household_type", "number")
PERSONS_REQUIRED = ("person_id", "household_id", "full_name", "sex", "birth_date", "registered_on")
PERSONS_OPTIONAL = (
    "relation_to_head",
    "marital_status",
    "residence_status",
    "ethnicity",
    "id_number",
)
EVENTS_REQUIRED = ("event_id", "event_type", "event_date", "person_id")
#: Columns of events.csv beyond the common ones, in the order they are written.
EVENT_EXTRA_COLUMNS: tuple[str, ...] = tuple(
    dict.fromkeys(
        [column for columns in EVENT_COLUMNS.values() for column in columns] + ["household_id"]
    )
)
EVENTS_OPTIONAL = ("note", *EVENT_EXTRA_COLUMNS)

KNOWN_COLUMNS = frozenset(
    UNITS_REQUIRED
    + UNITS_OPTIONAL
    + PLACEMENTS_REQUIRED
    + PLACEMENTS_OPTIONAL
    + HOUSEHOLDS_REQUIRED
    + HOUSEHOLDS_OPTIONAL
    + PERSONS_REQUIRED
    + PERSONS_OPTIONAL
    + EVENTS_REQUIRED
    + EVENTS_OPTIONAL
)

REQUIRED: dict[str, tuple[str, ...]] = {
    "units": UNITS_REQUIRED,
    "households": HOUSEHOLDS_REQUIRED,
    "placements": PLACEMENTS_REQUIRED,
    "persons": PERSONS_REQUIRED,
    "events": EVENTS_REQUIRED,
}
KNOWN: dict[str, tuple[str, ...]] = {
    "units": UNITS_REQUIRED + UNITS_OPTIONAL,
    "households": HOUSEHOLDS_REQUIRED + HOUSEHOLDS_OPTIONAL,
    "placements": PLACEMENTS_REQUIRED + PLACEMENTS_OPTIONAL,
    "persons": PERSONS_REQUIRED + PERSONS_OPTIONAL,
    "events": EVENTS_REQUIRED + EVENTS_OPTIONAL,
}

Row = dict[str, str]


NOT_A_BOOK = gettext_noop(
    "%(file)s is not a register book: a folder of CSV files, a .zip of them or an .xlsx "
    "workbook is read."
)
COLUMN_TWICE = gettext_noop("In the file %(file)s, the column %(column)s appears twice.")
NOT_A_ZIP = gettext_noop("The file %(file)s is not a .zip archive.")
NOT_AN_XLSX = gettext_noop("The file %(file)s is not an .xlsx workbook.")
DAMAGED = gettext_noop("The file %(file)s is damaged and cannot be unpacked (%(reason)s).")
DAMAGED_AT = gettext_noop(
    "The file %(file)s is damaged at line %(line)s and cannot be unpacked (%(reason)s)."
)
UNREADABLE_AT = gettext_noop("The file %(file)s cannot be read at line %(line)s (%(reason)s).")
NOT_UTF8_AT = gettext_noop(
    "The file %(file)s is not UTF-8 text (line %(line)s): it was saved in another encoding "
    "(Windows-1258, TCVN3 or VNI). In Excel choose Save As → CSV UTF-8 (Comma delimited); "
    "in LibreOffice choose the character set Unicode (UTF-8)."
)
HEADER_NOT_FIRST = gettext_noop(
    "In the file %(file)s the column names must be on the first line; line %(line)s looks "
    "like them: delete the lines above it (a title, an empty line) and import again."
)
#: How many lines after a first line without any known column are looked at for the
#: column names (a title or two above the table, as in a report).
HEADER_SEARCH = 10


class BookError(FileError, ValueError):
    """A file of the book cannot be read at all (not a table, not UTF-8, no such sheet);
    ``message(gettext)`` says which and why in the reader's language."""


@dataclass
class Table:
    """One table being read: its name in problems, its columns and its rows.

    A row that cannot be read without a guess (a CSV row cut short, one with filled cells
    past the header, a NUL in it) is given as an empty row, and what is wrong with it is
    in ``problems`` under its line, for the importer to report (issue 12)."""

    file: str
    headers: list[str]
    rows: Iterator[tuple[int, Row]]
    problems: dict[int, FileError] = field(default_factory=dict)


class Book:
    """The four tables of an exchange, wherever they are kept."""

    name: str

    def has(self, table: str) -> bool:
        raise NotImplementedError

    def file_name(self, table: str) -> str:
        """How problems name the table ("persons.csv", "book.xlsx:persons")."""
        raise NotImplementedError

    def read(self, table: str) -> AbstractContextManager[Table]:
        """The table's rows; raises ``BookError`` if it cannot be read."""
        raise NotImplementedError

    def count(self, table: str) -> int:
        """About how many rows the table has (for progress; may count blank lines)."""
        raise NotImplementedError


def open_book(path: Path, limits: Limits = BOOK) -> Book:
    """The book at ``path``: a folder of CSV files, a .zip of them, or an .xlsx workbook.
    Raises ``BookError`` for what is not a book, ``LimitError`` past ``limits``."""
    if path.is_dir():
        return FolderBook(path, limits)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".zip"):
        check_size(path.name, path.stat().st_size, limits)
        return WorkbookBook(path, limits) if suffix == ".xlsx" else ZipBook(path, limits)
    if suffix == ".csv" and path.stem.lower() in TABLES:
        return FolderBook(path.parent, limits)
    raise BookError(path.name, NOT_A_BOOK)


# ---------------------------------------------------------------- reading CSV


def _column_name(cell: str) -> str:
    return cell.strip().lstrip("\ufeff").lower()


def _header_below(rows: Iterator[tuple[int, Sequence[str]]], file: str) -> None:
    """A first line naming no column of the format: refuse the table, saying on which
    line the column names are when one of the next lines has them (a title above)."""
    for _number in range(HEADER_SEARCH):
        found = next(rows, None)
        if found is None:
            return
        line, cells = found
        if len(KNOWN_COLUMNS.intersection(_column_name(str(c)) for c in cells)) >= 2:
            raise BookError(file, HEADER_NOT_FIRST, line=line)


def _header(cells: Sequence[str], file: str) -> list[str]:
    headers: list[str] = []
    for number, cell in enumerate(cells, start=1):
        name = _column_name(cell) or f"#{number}"
        if name in headers:
            raise BookError(file, COLUMN_TWICE, column=name)
        headers.append(name)
    return headers


#: What reading an entry of a damaged .zip raises (a checksum, truncated data).
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError)


def _csv_table(stream: IO[str], file: str, limits: Limits) -> Table:
    reader = csv.reader(text_lines(stream, file, limits))
    try:
        first = next(reader)
    except StopIteration:
        return Table(file, [], iter(()))
    except (csv.Error, UnicodeDecodeError, *_DAMAGED) as error:
        raise _unreadable(file, 1, error, limits) from error
    check_cells(first, file, 1, limits)
    headers = _header([unquote_text(cell.strip()) for cell in first], file)
    if not KNOWN_COLUMNS.intersection(headers):
        try:
            _header_below(((reader.line_num, cells) for cells in reader), file)
        except (csv.Error, UnicodeDecodeError, *_DAMAGED) as error:
            raise _unreadable(file, reader.line_num + 1, error, limits) from error

    problems: dict[int, FileError] = {}

    def rows() -> Iterator[tuple[int, Row]]:
        width = len(headers)
        columns = limits.columns
        start = reader.line_num + 1
        try:
            # a loop of a million rows, three times an import: checks kept to what a
            # row can break (a cell is bounded by the line length and csv's field limit)
            for cells in reader:
                line = start
                start = reader.line_num + 1
                if line > limits.rows:
                    raise LimitError(file, TOO_MANY_ROWS, limit=limits.rows)
                if len(cells) > columns:
                    raise LimitError(file, TOO_MANY_COLUMNS, limit=columns, line=line)
                joined = "".join(cells)
                if len(cells) != width or "\x00" in joined:
                    wrong = row_problem(file, line, cells, width) if joined.strip() else None
                    if wrong is not None:
                        problems[line] = wrong
                        yield line, {}
                        continue
                texts: Iterable[str] = map(str.strip, cells)
                if "'" in joined:  # a quote safe_text put before a formula
                    texts = [unquote_text(text) for text in texts]
                if len(cells) == width:
                    row = dict(zip(headers, texts, strict=True))
                else:  # a trailing separator, or a blank line
                    row = _ragged(headers, list(texts))
                if any(row.values()):
                    yield line, row
        except (csv.Error, UnicodeDecodeError, *_DAMAGED) as error:
            raise _unreadable(file, start, error, limits) from error

    return Table(file, headers, rows(), problems)


def _unreadable(file: str, line: int, error: Exception, limits: Limits) -> Exception:
    """What to raise for a table that cannot be read at ``line``."""
    if isinstance(error, csv.Error) and "field larger than field limit" in str(error):
        # the csv module's own bound on a field (a quoted one may span lines)
        return LimitError(file, CELL_TOO_LONG, limit=csv.field_size_limit(), line=line)
    if isinstance(error, _DAMAGED):
        return BookError(file, DAMAGED_AT, line=line, reason=error)
    if isinstance(error, UnicodeDecodeError):
        return BookError(file, NOT_UTF8_AT, line=line)
    return BookError(file, UNREADABLE_AT, line=line, reason=error)


def _ragged(headers: Sequence[str], cells: Sequence[str]) -> Row:
    """A row of an .xlsx sheet, which ends at its last filled cell (the rest empty), or a
    CSV row with empty cells past the header (named "#n")."""
    row = dict.fromkeys(headers, "")
    for number, cell in enumerate(cells):  # stripped already
        key = headers[number] if number < len(headers) else f"#{number + 1}"
        row[key] = cell
    return row


def _count_lines(stream: IO[bytes]) -> int:
    lines = 0
    while chunk := stream.read(1 << 20):
        lines += chunk.count(b"\n")
    return max(lines - 1, 0)


class FolderBook(Book):
    def __init__(self, folder: Path, limits: Limits = BOOK) -> None:
        self.folder = folder
        self.name = folder.name
        self.limits = limits
        self.paths: dict[str, Path] = {}
        for child in folder.iterdir():
            stem = child.stem.lower()
            if child.suffix.lower() == ".csv" and stem in TABLES:
                self.paths[stem] = child
        total = 0
        for path in self.paths.values():
            size = path.stat().st_size
            total += size
            if size > limits.part_bytes:
                raise LimitError(
                    self.name,
                    PART_TOO_LARGE,
                    member=path.name,
                    limit=format_size(limits.part_bytes),
                )
        if total > limits.unpacked_bytes:
            raise LimitError(
                self.name, UNPACKED_TOO_LARGE, limit=format_size(limits.unpacked_bytes)
            )

    def has(self, table: str) -> bool:
        return table in self.paths

    def file_name(self, table: str) -> str:
        path = self.paths.get(table)
        return path.name if path else f"{table}.csv"

    @contextmanager
    def read(self, table: str) -> Iterator[Table]:
        file = self.file_name(table)
        with self.paths[table].open(encoding="utf-8-sig", newline="") as stream:
            yield _csv_table(stream, file, self.limits)

    def count(self, table: str) -> int:
        with self.paths[table].open("rb") as stream:
            return _count_lines(stream)


class ZipBook(Book):
    def __init__(self, path: Path, limits: Limits = BOOK) -> None:
        self.path = path
        self.name = path.name
        self.limits = limits
        self.members: dict[str, zipfile.ZipInfo] = {}
        try:
            entries = check_archive(path, path.name, limits)
        except (zipfile.BadZipFile, OSError) as error:
            raise BookError(path.name, NOT_A_ZIP) from error
        for entry in entries:
            base = entry.filename.rsplit("/", 1)[-1]
            stem, _, suffix = base.rpartition(".")
            if suffix.lower() == "csv" and stem.lower() in TABLES and not base.startswith("."):
                self.members.setdefault(stem.lower(), entry)
        try:
            with zipfile.ZipFile(path) as archive:
                for entry in self.members.values():
                    with archive.open(entry) as raw:
                        if raw.read(len(ZIP_MAGIC)) == ZIP_MAGIC:
                            raise LimitError(path.name, NESTED_ARCHIVE, member=entry.filename)
        except _DAMAGED as error:
            raise BookError(path.name, DAMAGED, reason=error) from error

    def has(self, table: str) -> bool:
        return table in self.members

    def file_name(self, table: str) -> str:
        member = self.members.get(table)
        return member.filename.rsplit("/", 1)[-1] if member else f"{table}.csv"

    @contextmanager
    def read(self, table: str) -> Iterator[Table]:
        with (
            zipfile.ZipFile(self.path) as archive,
            open_member(archive, self.members[table], self.name, self.limits) as raw,
            io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as stream,
        ):
            yield _csv_table(stream, self.file_name(table), self.limits)

    def count(self, table: str) -> int:
        try:
            with (
                zipfile.ZipFile(self.path) as archive,
                open_member(archive, self.members[table], self.name, self.limits) as raw,
            ):
                return _count_lines(raw)
        except _DAMAGED as error:
            raise BookError(self.file_name(table), DAMAGED, reason=error) from error


# ---------------------------------------------------------------- reading .xlsx


def cell_text(value: Any) -> str:
    """The text of a spreadsheet cell as the format reads it: dates as YYYY-MM-DD, whole
    numbers without ".0" (a code typed as a number, 118, is the code "118")."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class WorkbookBook(Book):
    def __init__(self, path: Path, limits: Limits = BOOK) -> None:
        from openpyxl import load_workbook

        self.path = path
        self.name = path.name
        self.limits = limits
        try:
            check_archive(path, path.name, limits, nested=True)
        except (zipfile.BadZipFile, OSError) as error:
            raise BookError(path.name, NOT_AN_XLSX) from error
        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a broken file
            raise BookError(path.name, NOT_AN_XLSX) from error
        try:
            self.sheets = {
                title.lower().removesuffix(".csv"): title
                for title in workbook.sheetnames
                if title.lower().removesuffix(".csv") in TABLES
            }
            self.sizes: dict[str, int] = {}
            for table, title in self.sheets.items():
                sheet = workbook[title]
                check_extent(sheet, self.name, limits)  # refused before a row is read
                self.sizes[table] = max((sheet.max_row or 1) - 1, 0)
        finally:
            workbook.close()

    def has(self, table: str) -> bool:
        return table in self.sheets

    def file_name(self, table: str) -> str:
        return f"{self.name}:{self.sheets.get(table, table)}"

    @contextmanager
    def read(self, table: str) -> Iterator[Table]:
        from openpyxl import load_workbook

        workbook = load_workbook(self.path, read_only=True, data_only=True)
        try:
            sheet = workbook[self.sheets[table]]
            file = self.file_name(table)
            numbered = sheet_rows(sheet, self.name, self.limits)
            first = next(numbered, None)
            if first is None:
                yield Table(file, [], iter(()))
                return
            header = first[1] if first[0] == 1 else ()  # the header is row 1, even empty
            values = numbered if first[0] == 1 else chain([first], numbered)
            headers = _header([cell_text(v) for v in header], file)
            if not KNOWN_COLUMNS.intersection(headers):
                _header_below(
                    ((line, [cell_text(v) for v in cells]) for line, cells in values), file
                )

            def rows() -> Iterator[tuple[int, Row]]:
                for line, cells in values:
                    texts = [cell_text(v) for v in cells]
                    if not any(texts):
                        continue
                    if len(texts) > len(headers) and not any(texts[len(headers) :]):
                        texts = texts[: len(headers)]
                    elif len(texts) < len(headers):  # a row ends at its last filled cell
                        texts += [""] * (len(headers) - len(texts))
                    if len(texts) == len(headers):
                        yield line, dict(zip(headers, texts, strict=True))
                    else:
                        yield line, _ragged(headers, texts)

            yield Table(file, headers, rows())
        finally:
            workbook.close()

    def count(self, table: str) -> int:
        return self.sizes.get(table, 0)


# ---------------------------------------------------------------- values


def text(value: str) -> str:
    """Free text as stored: NFC (a name typed with combining marks matches one typed
    with precomposed letters)."""
    return value if value.isascii() else unicodedata.normalize("NFC", value)


def parse_date(value: str) -> date:
    """``YYYY-MM-DD`` or ``DD/MM/YYYY`` (also ``D/M/YYYY``)."""
    try:
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            return date.fromisoformat(value)
        parts = value.split("/")
        if len(parts) == 3 and len(parts[2]) == 4 and all(p.isdigit() for p in parts):
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError as error:
        raise ValueError(f"not a date: {value!r}") from error
    raise ValueError(f"not a date: {value!r}")


def parse_birth(value: str) -> tuple[date, str]:
    """A date of birth, perhaps partial: ``YYYY`` and ``YYYY-MM`` (or ``MM/YYYY``) stand
    for their first day, with the precision ``"year"`` or ``"month"``; else ``"day"``."""
    try:
        if len(value) == 4 and value.isdigit():
            return date(int(value), 1, 1), "year"
        if len(value) == 7 and value[4] == "-" and value[:4].isdigit() and value[5:].isdigit():
            return date(int(value[:4]), int(value[5:]), 1), "month"
        parts = value.split("/")
        if len(parts) == 2 and len(parts[1]) == 4 and all(p.isdigit() for p in parts):
            return date(int(parts[1]), int(parts[0]), 1), "month"
    except ValueError as error:
        raise ValueError(f"not a date: {value!r}") from error
    return parse_date(value), "day"


def parse_sex(value: str) -> str:
    """``M`` / ``F``, also ``nam`` / ``nữ`` (any case)."""
    sex = SEX_WORDS.get(text(value).lower())
    if sex is None:
        raise ValueError(f"not a sex: {value!r}")
    return sex.value


def parse_flag(value: str) -> bool:
    """``0`` or ``1``."""
    if value in ("1", "0"):
        return value == "1"
    raise ValueError(f"not 0 or 1: {value!r}")


def parse_count(value: str) -> int:
    """A whole number written with digits."""
    if not value.lstrip("-").isdigit():
        raise ValueError(f"not a whole number: {value!r}")
    return int(value)


def parse_code(level: Level, value: str) -> str:
    """An official code as stored: ``00118`` and ``118`` are the same code."""
    return normalize_code(level, value)


def format_date(day: date | None) -> str:
    return day.isoformat() if day else ""


def format_birth(day: date, precision: str) -> str:
    if precision == "year":
        return f"{day:%Y}"
    if precision == "month":
        return f"{day:%Y-%m}"
    return day.isoformat()


def format_flag(value: bool | None) -> str:
    return "" if value is None else ("1" if value else "0")


def format_code(level: Level, code: str) -> str:
    return display_code(level, code)


def format_value(value: Any) -> str:
    """An extra attribute as a cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return format_flag(value)
    return str(value)


# ---------------------------------------------------------------- writing


def write_table(
    folder: Path,
    table: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
) -> int:
    """Write ``folder/<table>.csv`` (UTF-8, comma, one header row); the number of rows.
    Text that would start a formula gets a leading ``'`` (see the module docstring)."""
    written = 0
    with (folder / f"{table}.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        # csv quotes a field holding "\n" but not one holding a lone "\r", which a
        # spreadsheet takes for a new line: "a\r=cmd…" would start a line with a formula
        quoted = csv.writer(stream, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(safe_row(headers))
        for row in rows:
            cells = safe_row(row)
            (quoted if "\r" in "".join(cells) else writer).writerow(cells)
            written += 1
    return written


def write_workbook(
    path: Path, tables: Mapping[str, tuple[Sequence[str], Iterable[Sequence[str]]]]
) -> None:
    """Write the tables as the sheets of one .xlsx workbook (every cell as text, so that
    codes keep their zeros, and never as a formula)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for table, (headers, rows) in tables.items():
        sheet = workbook.create_sheet(table)
        append_row(sheet, headers)
        for row in rows:
            append_row(sheet, row)
    workbook.save(path)


def copy_folder_to_workbook(folder: Path, path: Path) -> None:
    """The CSV tables of ``folder`` as one workbook (for people who prefer Excel)."""
    book = FolderBook(folder)
    tables: dict[str, tuple[Sequence[str], Iterable[Sequence[str]]]] = {}
    for table in TABLES:
        if not book.has(table):
            continue
        with book.read(table) as data:
            headers = data.headers
            rows = [[row[h] for h in headers] for _line, row in data.rows]
        tables[table] = (headers, rows)
    write_workbook(path, tables)
