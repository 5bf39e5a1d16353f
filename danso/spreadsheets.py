"""Files that people send to danso and files danso writes for them, made safe.  Pure
Python (openpyxl, no Django).

**Reading** (issue 12: a 1 MB .zip that unpacks to 1 GiB, a 40 KB .xlsx with a cell at
XFD1048576).  ``Limits`` states what one kind of file may hold; a reader checks them
before its work starts, and again while it reads, and raises ``LimitError``, whose
``message(translate)`` names the file and the limit in the reader's language:

* ``check_size``: the file as sent;
* ``check_archive``: a .zip, or the package of an .xlsx or .docx, from its directory
  before anything is unpacked: the number of entries (from the end record, before
  ``zipfile`` makes an object of each), each entry's unpacked size and compression ratio,
  their sum, and archives inside the archive;
* ``open_member``: an entry of a checked archive, its unpacked bytes counted as they are
  read (a header can lie: ``zipfile`` itself stops at the size the directory states and
  then finds the checksum wrong);
* ``text_lines``: the lines of a text stream, none longer than ``line_chars`` (a CSV
  reader reads these lines instead of the stream: a line of a gibibyte of commas is
  refused after ``line_chars`` characters, not split into a billion fields);
* ``check_cells``: the cells of one CSV row;
* ``sheet_rows``: the rows of an openpyxl worksheet (read-only, streamed), after its
  declared dimension is checked: rows, columns, filled cells and the length of a cell's
  text are counted as they come, so a sheet that hides its size is stopped too.

A CSV field is also bounded by Python's ``csv.field_size_limit`` (131,072 characters by
default, a setting of the whole process that danso leaves as it is).

**Writing** (OWASP, "CSV injection"): text beginning with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return is what a spreadsheet program runs as a formula.

* ``safe_text`` writes such text to a CSV file with a leading ``'`` (numbers, negative
  ones included, are written as they are); ``unquote_text`` takes exactly that quote off
  again, so that a name that truly begins with ``=`` survives an export and an import;
* ``append_row`` and ``write_cell`` write to an openpyxl sheet (``write_only`` or not):
  openpyxl stores a text beginning with ``=`` as a formula; these store it as text.
  Numbers stay numbers.  Every exporter writes through them.
"""

from __future__ import annotations

import csv
import io
import math
import re
import struct
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, cast

from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

MB = 1 << 20
#: An entry smaller than this unpacked is never called a zip bomb, however well it packs
#: (a short table of empty cells packs a hundred times).
RATIO_FLOOR = MB
#: Names of entries that are archives themselves.
ARCHIVE_SUFFIXES = (
    ".zip", ".xlsx", ".xlsm", ".xls", ".docx", ".docm", ".ods", ".odt", ".jar", ".7z",
    ".rar", ".gz", ".tgz", ".bz2", ".xz", ".tar", ".zst", ".cab",
)  # fmt: skip
#: What an entry that is a .zip (an .xlsx, a .docx) starts with.
ZIP_MAGIC = b"PK\x03\x04"


def gettext_noop(message: str) -> str:
    """Marks ``message`` for ``makemessages``; ``LimitError.message`` translates it."""
    return message


FILE_TOO_LARGE = gettext_noop(
    "The file %(file)s is %(size)s; a file of this kind may be at most %(limit)s."
)
UNPACKED_TOO_LARGE = gettext_noop(
    "The file %(file)s unpacks to more than %(limit)s, the most that is accepted."
)
PART_TOO_LARGE = gettext_noop(
    "In the file %(file)s, %(member)s unpacks to more than %(limit)s, the most one part may hold."
)
TOO_MANY_ENTRIES = gettext_noop(
    "The file %(file)s holds %(count)s entries; at most %(limit)s are accepted."
)
TOO_COMPRESSED = gettext_noop(
    "In the file %(file)s, %(member)s is compressed %(ratio)s times; more than %(limit)s "
    "times is refused as a zip bomb."
)
NESTED_ARCHIVE = gettext_noop(
    "The file %(file)s holds another archive, %(member)s; archives inside archives are not "
    "accepted."
)
UNDERSTATED = gettext_noop(
    "In the file %(file)s, %(member)s unpacks to more than the archive says; the file is "
    "damaged or forged."
)
TOO_MANY_ROWS = gettext_noop("The file %(file)s has more than %(limit)s rows.")
TOO_MANY_LINES = gettext_noop("The file %(file)s has more than %(limit)s lines.")
TOO_MANY_COLUMNS = gettext_noop(
    "The file %(file)s has more than %(limit)s columns (line %(line)s)."
)
TOO_FAR = gettext_noop(
    "The sheet %(sheet)s of the file %(file)s reaches cell %(cell)s; at most %(rows)s rows "
    "and %(columns)s columns are read."
)
TOO_MANY_CELLS = gettext_noop("The file %(file)s has more than %(limit)s filled cells.")
CELL_TOO_LONG = gettext_noop(
    "The file %(file)s has a cell longer than %(limit)s characters (line %(line)s)."
)
LINE_TOO_LONG = gettext_noop(
    "The file %(file)s has a line longer than %(limit)s characters (line %(line)s)."
)
TOO_MANY_SHEETS = gettext_noop(
    "The file %(file)s has %(count)s sheets; at most %(limit)s are read."
)


def _same(message: str) -> str:
    return message


#: A row that is shorter or longer than its header, and a NUL: never guessed at (issue 12).
ROW_CUT_SHORT = gettext_noop(
    "In the file %(file)s, line %(line)s stops after %(cells)s of the header's "
    "%(columns)s columns: the row seems cut short and is not read."
)
ROW_TOO_LONG = gettext_noop(
    "In the file %(file)s, line %(line)s goes on past the header's %(columns)s columns "
    "(to column %(cells)s): what the cells past the header mean is not known."
)
NUL_IN_FILE = gettext_noop(
    "In the file %(file)s, line %(line)s holds a NUL character, which no field may hold: "
    "the file is damaged or is not a text table."
)


class FileError(Exception):
    """What is wrong with a file a person sent: which file (``file``) and a message
    (``template`` with ``params``) that ``message`` gives in the reader's language."""

    def __init__(self, file: str, template: str, **params: object) -> None:
        self.file = file
        self.template = template
        self.params = params
        super().__init__(self.message())

    def message(
        self, translate: Callable[[str], str] = _same, number: Callable[[int], str] = str
    ) -> str:
        """The message, translated with ``translate`` (e.g. Django's ``gettext``), its
        counts but line numbers written with ``number`` ("50.000" in Vietnamese)."""
        params = {
            name: number(value) if isinstance(value, int) and name != "line" else value
            for name, value in self.params.items()
        }
        return translate(self.template) % {"file": self.file, **params}


class LimitError(FileError):
    """A file broke one of its ``Limits`` (the template says which)."""


def row_problem(file: str, line: int, cells: Sequence[str], columns: int) -> FileError | None:
    """What is wrong with a CSV row of ``cells`` under a header of ``columns`` cells: a
    NUL in it, fewer cells (a row cut short), or more that are filled; None if nothing.
    A row of more cells whose extra cells are all empty is well (a trailing separator)."""
    if any("\x00" in cell for cell in cells):
        return FileError(file, NUL_IN_FILE, line=line)
    if len(cells) < columns:
        return FileError(file, ROW_CUT_SHORT, line=line, cells=len(cells), columns=columns)
    if len(cells) > columns and any(cell.strip() for cell in cells[columns:]):
        return FileError(file, ROW_TOO_LONG, line=line, cells=len(cells), columns=columns)
    return None


def format_size(size: float) -> str:
    """``size`` bytes as a person reads it: "200 MB", "1 MB", "512 KB" (rounded up)."""
    if size >= MB:
        return f"{math.ceil(size / MB)} MB"
    return f"{max(1, math.ceil(size / 1024))} KB"


@dataclass(frozen=True)
class Limits:
    """What one kind of file may hold (bytes, counts; ``cells`` None: not counted)."""

    file_bytes: int  # the file as sent
    unpacked_bytes: int  # the sum of an archive's entries, unpacked
    part_bytes: int  # one entry, unpacked (a CSV of a .zip, a sheet, word/document.xml)
    entries: int = 1_000  # entries of an archive
    ratio: int = 100  # unpacked / packed, of an entry and of the whole
    rows: int = 100_000  # rows of a table (lines, for a text)
    columns: int = 200
    cells: int | None = None  # filled cells of a whole table or workbook
    cell_chars: int = 32_767  # Excel's own limit
    line_chars: int = 65_536  # one line of a CSV or text file
    sheets: int = 50  # sheets read, where every sheet is read

    def scaled(self, factor: float) -> Limits:
        """These limits with the sizes and the rows multiplied by ``factor`` (at least
        1): what an operator's ``--max-mb`` allows."""
        factor = max(factor, 1.0)
        return replace(
            self,
            file_bytes=int(self.file_bytes * factor),
            unpacked_bytes=int(self.unpacked_bytes * factor),
            part_bytes=int(self.part_bytes * factor),
            rows=int(self.rows * factor),
            cells=None if self.cells is None else int(self.cells * factor),
        )


#: A register book (docs/REGISTER-FORMAT.md): a district of 1.4 million rows is some
#: 100 MB of CSV; a province ten times that.  Read as a stream, in constant memory.
BOOK = Limits(
    file_bytes=200 * MB,
    unpacked_bytes=2048 * MB,
    part_bytes=1024 * MB,
    entries=100,
    rows=3_000_000,
    columns=200,
)
#: A table read whole into memory: population figures, entered figures, conversion
#: tables, life tables (a row per commune of the country is 11,000 rows).
TABLE = Limits(
    file_bytes=10 * MB,
    unpacked_bytes=100 * MB,
    part_bytes=100 * MB,
    entries=200,
    rows=50_000,
    columns=100,
    cells=1_000_000,
)
#: A plan document (.txt, .docx, .xlsx): a real one has a few hundred lines and a few
#: tables of one row per commune; the reader takes about 4 s a megabyte of text.
PLAN = Limits(
    file_bytes=20 * MB,
    unpacked_bytes=100 * MB,
    part_bytes=5 * MB,
    entries=1_000,
    rows=5_000,
    columns=100,
    cells=200_000,
    line_chars=10_000,
    sheets=50,
)


# ---------------------------------------------------------------- sizes and archives


def check_size(file: str, size: int, limits: Limits) -> None:
    """Refuse a file of ``size`` bytes larger than ``limits.file_bytes``."""
    if size > limits.file_bytes:
        raise LimitError(
            file,
            FILE_TOO_LARGE,
            size=format_size(size),
            limit=format_size(limits.file_bytes),
        )


@contextmanager
def _binary(source: Path | bytes | IO[bytes]) -> Iterator[IO[bytes]]:
    if isinstance(source, bytes):
        yield io.BytesIO(source)
    elif isinstance(source, Path):
        with source.open("rb") as stream:
            yield stream
    else:
        source.seek(0)
        yield source


def declared_entries(stream: IO[bytes]) -> int | None:
    """How many entries the end record of the .zip in ``stream`` declares (None if it
    has none: then ``zipfile`` refuses the file anyway)."""
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    tail = min(size, 22 + 0xFFFF + 20)  # the end record, its comment, the zip64 locator
    stream.seek(size - tail)
    data = stream.read(tail)
    at = data.rfind(b"PK\x05\x06")
    if at < 0 or len(data) - at < 22:
        return None
    total: int = struct.unpack("<HHHHIIH", data[at + 4 : at + 22])[3]
    if total == 0xFFFF and at >= 20 and data[at - 20 : at - 16] == b"PK\x06\x07":
        offset: int = struct.unpack("<IQI", data[at - 16 : at])[1]
        stream.seek(offset)
        record = stream.read(56)
        if record[:4] == b"PK\x06\x06" and len(record) == 56:
            total = struct.unpack("<Q", record[32:40])[0]
    return total


def check_archive(
    source: Path | bytes | IO[bytes], file: str, limits: Limits, *, nested: bool = False
) -> list[zipfile.ZipInfo]:
    """Check the .zip ``source`` (named ``file`` in messages) from its directory, before
    anything is unpacked; returns its entries.  ``nested``: entries that are archives are
    allowed (an .xlsx or .docx may embed one; danso never opens it).  Raises
    ``LimitError``, or ``zipfile.BadZipFile`` for a file that is not a .zip."""
    with _binary(source) as stream:
        declared = declared_entries(stream)
        if declared is not None and declared > limits.entries:
            raise LimitError(file, TOO_MANY_ENTRIES, count=declared, limit=limits.entries)
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            entries = archive.infolist()
    if len(entries) > limits.entries:
        raise LimitError(file, TOO_MANY_ENTRIES, count=len(entries), limit=limits.entries)
    unpacked = packed = 0
    for entry in entries:
        member = entry.filename
        if not nested and member.lower().endswith(ARCHIVE_SUFFIXES):
            raise LimitError(file, NESTED_ARCHIVE, member=member)
        if entry.file_size > limits.part_bytes:
            raise LimitError(
                file, PART_TOO_LARGE, member=member, limit=format_size(limits.part_bytes)
            )
        _check_ratio(file, member, entry.file_size, entry.compress_size, limits)
        unpacked += entry.file_size
        packed += entry.compress_size
        if unpacked > limits.unpacked_bytes:
            raise LimitError(file, UNPACKED_TOO_LARGE, limit=format_size(limits.unpacked_bytes))
    _check_ratio(file, file, unpacked, packed, limits)
    return entries


def _check_ratio(file: str, member: str, unpacked: int, packed: int, limits: Limits) -> None:
    if unpacked > RATIO_FLOOR and unpacked > limits.ratio * max(packed, 1):
        ratio = unpacked // max(packed, 1)
        raise LimitError(file, TOO_COMPRESSED, member=member, ratio=ratio, limit=limits.ratio)


class _Counted(io.RawIOBase):
    """An archive entry being read, its unpacked bytes counted (see ``open_member``)."""

    def __init__(self, raw: IO[bytes], entry: zipfile.ZipInfo, file: str, limits: Limits):
        self.raw = raw
        self.entry = entry
        self.file = file
        self.limits = limits
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        self.count += len(data)
        member = self.entry.filename
        if self.count > self.entry.file_size:
            raise LimitError(self.file, UNDERSTATED, member=member)
        if self.count > self.limits.part_bytes:
            raise LimitError(
                self.file, PART_TOO_LARGE, member=member, limit=format_size(self.limits.part_bytes)
            )
        buffer[: len(data)] = data
        return len(data)


@contextmanager
def open_member(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, file: str, limits: Limits
) -> Iterator[IO[bytes]]:
    """The entry ``entry`` of ``archive`` (the file ``file``), read as a binary stream
    that raises ``LimitError`` past the entry's stated size or ``limits.part_bytes``."""
    with archive.open(entry) as raw:
        yield io.BufferedReader(_Counted(raw, entry, file, limits), buffer_size=1 << 16)


# ---------------------------------------------------------------- text and CSV


def text_lines(stream: IO[str], file: str, limits: Limits) -> Iterator[str]:
    """The lines of ``stream`` (with their line ends), refusing a line longer than
    ``limits.line_chars`` once that many characters are read."""
    limit = limits.line_chars
    number = 0
    while line := stream.readline(limit + 2):
        number += 1
        if len(line) > limit and len(line.rstrip("\r\n")) > limit:
            raise LimitError(file, LINE_TOO_LONG, limit=limit, line=number)
        yield line


def check_cells(cells: Sequence[str], file: str, line: int, limits: Limits) -> None:
    """Refuse a row of more than ``limits.columns`` cells or a cell of more than
    ``limits.cell_chars`` characters (``line``: where the row is, for the message)."""
    if len(cells) > limits.columns:
        raise LimitError(file, TOO_MANY_COLUMNS, limit=limits.columns, line=line)
    if cells and max(map(len, cells)) > limits.cell_chars:
        raise LimitError(file, CELL_TOO_LONG, limit=limits.cell_chars, line=line)


class UnreadableCsv(csv.Error):
    """CSV that Python's reader cannot read (no limit broken), and the line where."""

    def __init__(self, line: int, reason: csv.Error) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


def csv_rows(
    text: str, file: str, limits: Limits, dialect: Any = "excel"
) -> Iterator[tuple[int, list[str]]]:
    """The rows of the CSV ``text`` with the line each ends on, checked against
    ``limits`` as they are read (lines, rows, columns, cells); a cell over csv's own
    field limit is a ``LimitError`` too.  What is no limit is ``UnreadableCsv``, for the
    reader to report."""
    reader = csv.reader(text_lines(io.StringIO(text, newline=""), file, limits), dialect)
    cells = CellCount(file, limits)
    try:
        for row in reader:
            if reader.line_num > limits.rows:
                raise LimitError(file, TOO_MANY_ROWS, limit=limits.rows)
            check_cells(row, file, reader.line_num, limits)
            cells.add(sum(1 for cell in row if cell))
            yield reader.line_num, row
    except csv.Error as error:
        if "field larger than field limit" not in str(error):
            raise UnreadableCsv(reader.line_num, error) from error
        raise LimitError(
            file, CELL_TOO_LONG, limit=csv.field_size_limit(), line=reader.line_num
        ) from error


def check_csv(text: str, file: str, limits: Limits, dialect: Any = "excel") -> None:
    """Read the CSV ``text`` once against ``limits`` (``csv_rows``) before a reader that
    holds it whole does its work; what is no limit is left for that reader to report."""
    with suppress(csv.Error):
        for _row in csv_rows(text, file, limits, dialect):
            pass


def check_text(text: str, file: str, limits: Limits) -> None:
    """A whole text (a .txt plan): at most ``limits.rows`` lines of at most
    ``limits.line_chars`` characters."""
    lines = text.count("\n") + 1
    if lines > limits.rows:
        raise LimitError(file, TOO_MANY_LINES, limit=limits.rows)
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > limits.line_chars:
            raise LimitError(file, LINE_TOO_LONG, limit=limits.line_chars, line=number)


# ---------------------------------------------------------------- worksheets


class CellCount:
    """The filled cells read so far from one file, against ``limits.cells``."""

    def __init__(self, file: str, limits: Limits) -> None:
        self.file = file
        self.limit = limits.cells
        self.count = 0

    def add(self, cells: int) -> None:
        self.count += cells
        if self.limit is not None and self.count > self.limit:
            raise LimitError(self.file, TOO_MANY_CELLS, limit=self.limit)


def check_extent(sheet: Worksheet | ReadOnlyWorksheet, file: str, limits: Limits) -> None:
    """Refuse a sheet whose dimension (as it declares it, in a read-only workbook)
    reaches past ``limits.rows`` or ``limits.columns``."""
    rows = sheet.max_row or 0
    columns = sheet.max_column or 0
    if rows > limits.rows or columns > limits.columns:
        try:
            letters = get_column_letter(max(columns, 1))
        except ValueError:
            letters = f"C{columns}"
        raise LimitError(
            file,
            TOO_FAR,
            sheet=sheet.title,
            cell=f"{letters}{max(rows, 1)}",
            rows=limits.rows,
            columns=limits.columns,
        )


def sheet_rows(
    sheet: Worksheet | ReadOnlyWorksheet,
    file: str,
    limits: Limits,
    cells: CellCount | None = None,
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """The rows of ``sheet`` that hold a value, as ``(row number, values)``.

    The declared dimension is checked first (``check_extent``); then the sheet is read
    as it is, whatever it declared (a read-only sheet forgets its dimension, which
    openpyxl would otherwise pad every row to), and each row is checked: at most
    ``limits.rows`` rows, nothing filled past ``limits.columns``, no text longer than
    ``limits.cell_chars``, and the filled cells counted in ``cells``.  A row without a
    value is not given (a hidden million of them costs a few tenths of a second)."""
    check_extent(sheet, file, limits)
    if isinstance(sheet, ReadOnlyWorksheet):
        sheet.reset_dimensions()
    count = cells or CellCount(file, limits)
    width = limits.columns
    rows: Iterator[Sequence[Any]] = cast(Any, sheet).iter_rows(values_only=True)
    for number, values in enumerate(rows, start=1):
        if number > limits.rows:
            raise LimitError(file, TOO_MANY_ROWS, limit=limits.rows)
        if not values:  # a row the sheet does not hold
            continue
        row = tuple(values)
        if len(row) > width:
            if any(value is not None and value != "" for value in row[width:]):
                raise LimitError(file, TOO_MANY_COLUMNS, limit=width, line=number)
            row = row[:width]
        filled = 0
        for value in row:
            if value is None:
                continue
            filled += 1
            if isinstance(value, str) and len(value) > limits.cell_chars:
                raise LimitError(file, CELL_TOO_LONG, limit=limits.cell_chars, line=number)
        if filled:
            count.add(filled)
            yield number, row


def check_workbook(workbook: Workbook, file: str, limits: Limits) -> None:
    """Read every sheet of a read-only ``workbook`` through ``sheet_rows`` (what a
    reader that needs the whole workbook in memory does first)."""
    if len(workbook.sheetnames) > limits.sheets:
        raise LimitError(file, TOO_MANY_SHEETS, count=len(workbook.sheetnames), limit=limits.sheets)
    cells = CellCount(file, limits)
    for sheet in workbook.worksheets:
        assert isinstance(sheet, Worksheet | ReadOnlyWorksheet)
        for _number, _row in sheet_rows(sheet, file, limits, cells):
            pass


# ---------------------------------------------------------------- writing

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A number written as text ("-3", "+84912345678", "-1,5") is no formula.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?")


def _needs_quote(text: str) -> bool:
    """Whether ``safe_text`` writes ``text`` with a leading quote: it starts with a
    formula character, or with quotes before one (so that ``unquote_text``, which takes
    one quote off such text, gives it back)."""
    rest = text.lstrip("'")
    return rest[:1] in _FORMULA_STARTS and rest != "" and _NUMBER.fullmatch(rest) is None


def safe_text(value: object) -> str:
    """``value`` as a CSV field that no spreadsheet program runs: ``None`` is empty,
    numbers are written as they are, text that would start a formula gets a leading
    ``'`` (OWASP's advice).  ``unquote_text`` undoes it exactly."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if _needs_quote(text) else text


#: A row (its cells joined with \x1f) where some cell may need ``safe_text``'s quote.
_RISKY = re.compile("(?:^|\x1f)['=+\\-@\t\r]")


def safe_row(cells: Sequence[object]) -> list[str]:
    """Each of ``cells`` as ``safe_text`` writes it: the same, quicker for the usual row
    of text in which no cell needs a quote (an export writes millions)."""
    try:
        joined = "\x1f".join(cast(Sequence[str], cells))
    except TypeError:  # a number or None among them
        return [safe_text(cell) for cell in cells]
    if _RISKY.search(joined) is None:
        return list(cast(Sequence[str], cells))
    return [safe_text(cell) for cell in cells]


def unquote_text(text: str) -> str:
    """The text that ``safe_text`` wrote as ``text``: one leading quote taken off where
    ``safe_text`` put it, nothing else changed."""
    if text.startswith("'") and _needs_quote(text[1:]):
        return text[1:]
    return text


def _as_text(sheet: Worksheet | WriteOnlyWorksheet, value: str) -> Cell:
    # placed at A1 until ``append`` moves it (openpyxl prints a cell by its place)
    cell = Cell(sheet, row=1, column=1, value=value)
    cell.data_type = "s"
    return cell


def append_row(sheet: Worksheet | WriteOnlyWorksheet, values: Iterable[object]) -> None:
    """``sheet.append(values)``, with a text beginning with ``=`` written as text, not as
    the formula openpyxl would make of it.  Numbers, dates and ``None`` as they are."""
    sheet.append(
        [_as_text(sheet, v) if isinstance(v, str) and v.startswith("=") else v for v in values]
    )


def write_cell(sheet: Worksheet, row: int, column: int, value: Any = None) -> Cell:
    """``sheet.cell(row, column, value)``, a text beginning with ``=`` written as text."""
    cell = sheet.cell(row=row, column=column, value=value)
    assert isinstance(cell, Cell)
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell
