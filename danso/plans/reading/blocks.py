"""What every reader turns a file into: paragraphs of text and grids of cells, in the
order of the document.

The .txt, .docx and .xlsx readers differ only in how they get there; the rest of the
package reads a plan from these blocks.  This module also holds the rules shared by
the text of .txt and .docx files: markup to drop, and which lines continue the
paragraph before them (a line hard-wrapped at the page width, or split by a page break).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from danso.plans.reading.numbers import Cell, cell_text
from danso.plans.reading.translation import place
from danso.vietnamese import fold


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of text, markup removed, spaces collapsed."""

    text: str
    line: int  # the source line (txt) or paragraph number (docx) it starts at
    place: str  # "line 12" / "paragraph 12" (translated): where problems point
    strong: tuple[str, ...] = ()  # the bold parts, as written ("0,15 %")
    marked: bool = False  # the source marks it as a heading (markdown "#", wholly bold)


@dataclass
class Grid:
    """A table as rows of cells; merged cells already repeat their value (xlsx, docx)
    or are written once at the start of their span with empty cells after (txt)."""

    rows: list[list[Cell]]
    lines: list[int]  # each row's line (txt), row (xlsx) or table row (docx)
    places: list[str]  # each row's "line 315" / "sheet PL2, row 9" / "table 3, row 5"
    source: str  # "plan.txt, line 278" / "sheet PL2" / "table 3"
    sheet: str = ""  # the sheet name, for a spreadsheet
    titles: list[Paragraph] = field(default_factory=list)  # text just above the table


Block = Paragraph | Grid

_HEADING_MARK = re.compile(r"^\s*#{1,6}\s+")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_STRONG = re.compile(r"\*\*(.+?)\*\*")
_SPACES = re.compile(r"\s+")
_SPACE_BEFORE = re.compile(r"\s+([.,;:)%])")
_SPACE_AFTER = re.compile(r"([(])\s+")

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_ROMAN_HEADING = re.compile(rf"^(?P<number>{'|'.join(ROMAN)})\.\s+(?P<text>\S.*)$")
_NUMBERED = re.compile(r"^(?P<number>\d{1,2}\.(?:\d{1,2}\.?)*)\s+(?P<text>\S.*)$")
_LETTERED = re.compile(r"^[a-zđ]\)\s+\S")
_BULLET = re.compile(r"^[-+*•–]\s*\S")
_STARTERS = (
    "noi nhan",
    "tm.",
    "kt.",
    "so:",
    "phu luc",
    "bieu ",
    "(kem theo",
    "tren day",
    "can cu",
)
_PLACE_DATE = re.compile(r"^[^,]{2,40},\s*ngày\s*\d{0,2}\s*tháng\b", re.IGNORECASE)
#: A line ending with one of these ends its paragraph, however long it is.
_TERMINALS = (".", ":", ";", "!", "?", "/", "…", ")")
#: A line ending with one of these goes on in the next line, whatever that starts with.
_OPEN_ENDS = ("-", ",", "(")


def clean_markup(raw: str) -> tuple[str, tuple[str, ...], bool]:
    """Drop markdown and HTML markup from a line: (text, bold parts, marked heading).

    ``**`` runs become spaces ("*Phụ lục 2***GIAO…" → "Phụ lục 2 GIAO…"), single ``*``
    (italics) disappear, except a leading "* " bullet; "<b>I</b>" → "I";
    "[a@b](mailto:a@b)" → "a@b".  A line is *marked* when it is a markdown heading or
    wholly bold.
    """
    text = unicodedata.normalize("NFC", raw).replace("\u00a0", " ").strip()
    marked = bool(_HEADING_MARK.match(text))
    text = _HEADING_MARK.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _TAG.sub("", text)
    strong = tuple(part.strip() for part in _STRONG.findall(text) if part.strip())
    bullet = text.startswith("* ")
    body = text[2:] if bullet else text
    body = re.sub(r"\*{2,}", " ", body).replace("*", "")
    body = _SPACE_AFTER.sub(r"\1", _SPACE_BEFORE.sub(r"\1", _SPACES.sub(" ", body))).strip()
    if strong and _SPACES.sub("", " ".join(strong)) == _SPACES.sub("", body):
        marked = True
    return ("* " + body if bullet else body), strong, marked


def roman_heading(text: str) -> tuple[str, str] | None:
    """("II", "CÁC NHIỆM VỤ…") when ``text`` is a part heading: a roman numeral and
    upper-case words ("II. CÁC NHIỆM VỤ, HOẠT ĐỘNG CHỦ YẾU")."""
    match = _ROMAN_HEADING.match(text)
    if match is None or not is_upper(match["text"]):
        return None
    return match["number"], match["text"]


def numbered_heading(text: str) -> tuple[str, str] | None:
    """("2.1", "Kiểm soát…") when ``text`` starts with a number like "2.", "2.1." or
    "2.1"; a year ("2030.") or a reference ("30/QĐ-UBND") is not one."""
    match = _NUMBERED.match(text)
    if match is None:
        return None
    return match["number"].rstrip("."), match["text"]


def is_upper(text: str) -> bool:
    """Whether ``text`` has letters and all of them are capitals."""
    letters = [char for char in text if char.isalpha()]
    return len(letters) >= 2 and all(char.isupper() for char in letters)


def starts_paragraph(text: str, marked: bool = False) -> bool:
    """Whether a line begins a paragraph of its own: a heading, a bullet, a numbered
    or lettered item, a line of capitals, or one of the fixed parts of a plan
    ("Nơi nhận", "TM.", "Số:", "Phụ lục", "(Kèm theo"…)."""
    if marked or _BULLET.match(text) or _LETTERED.match(text):
        return True
    if roman_heading(text) or numbered_heading(text) or is_upper(text):
        return True
    folded = fold(text)
    return folded.startswith(_STARTERS) or bool(_PLACE_DATE.match(text))


@dataclass(frozen=True)
class SourceLine:
    """A line of body text before joining: its number and its raw text."""

    number: int
    raw: str


def wrap_width(lines: Sequence[str]) -> int | None:
    """The width a text was hard-wrapped at, or None when it was not.

    Text copied from a PDF keeps the page's line breaks: every line is about as long
    as the widest, and none is much longer.  A text whose paragraphs are single long
    lines is not wrapped.
    """
    lengths = [len(line.strip()) for line in lines if line.strip()]
    if len(lengths) < 20 or max(lengths) > 100:
        return None
    near_full = sum(1 for length in lengths if 55 <= length <= 95)
    return max(lengths) if near_full >= 0.4 * len(lengths) else None


def join_lines(
    lines: Sequence[SourceLine], *, place_word: str, width: int | None
) -> list[Paragraph]:
    """Paragraphs from lines: a line continues the paragraph before it when it is not
    the start of one (``starts_paragraph``) and either

    - it starts with a small letter ("đoạn 2017-2025”…", after a page break),
    - the line before ends mid-phrase ("Trung tâm Văn hóa -", "…của UBND"), or
    - the text is hard-wrapped at ``width`` and the line before was full and did not
      end a sentence.

    Blank lines are ignored: in wrapped text they separate every line, not paragraphs.
    A line holding only a page number ("16") is dropped.
    """
    paragraphs: list[Paragraph] = []
    parts: list[str] = []
    strong: list[str] = []
    first: SourceLine | None = None
    marked = False
    previous = ""

    def flush() -> None:
        if first is not None and parts:
            text = " ".join(parts)
            if not re.fullmatch(r"\d{1,3}", text):
                where = place(place_word, first.number)
                paragraphs.append(Paragraph(text, first.number, where, tuple(strong), marked))

    for line in lines:
        text, bold, line_marked = clean_markup(line.raw)
        if not text:
            continue
        if first is not None and not marked and _continues(previous, text, line_marked, width):
            parts.append(text)
            strong.extend(bold)
        else:
            flush()
            first, parts, strong, marked = line, [text], list(bold), line_marked
        previous = text
    flush()
    return paragraphs


def _continues(previous: str, text: str, marked: bool, width: int | None) -> bool:
    if marked:
        return False
    if re.search(r"\w-$", previous):
        return True  # a reference cut at its dash: "Nghị quyết số 15/2022/NQ-" / "HĐND"
    full = width is not None and len(previous) >= width - 22 and not previous.endswith(_TERMINALS)
    if starts_paragraph(text, marked):
        # A short line of capitals after a full line is the end of a sentence
        # ("… chăm sóc" / "SKSS/KHHGĐ"), not a title.
        return (
            full
            and is_upper(text)
            and len(text.split()) <= 3
            and not starts_paragraph(text.lower())
        )
    return text[0].islower() or previous.endswith(_OPEN_ENDS) or full


def header_key(row: Sequence[Cell]) -> tuple[str, ...]:
    """A row's cells folded, trailing empty cells dropped: two header rows are the same
    header when their keys are equal."""
    key = [fold(cell_text(cell)) for cell in row]
    while key and not key[-1]:
        key.pop()
    return tuple(key)


def looks_like_header(row: Sequence[Cell]) -> bool:
    """Whether a row is the first row of a table header: it has a "TT"/"STT" cell or
    names the unit or the work ("Tên đơn vị", "Nội dung công việc")."""
    for cell in row:
        folded = fold(cell_text(cell))
        if folded in ("tt", "stt", "so tt") or "don vi" in folded or "noi dung" in folded:
            return True
    return False


def attach_titles(blocks: Sequence[Block]) -> list[Grid]:
    """The grids of ``blocks``, each with the paragraphs just above it as titles, and a
    table split across pages put back together.

    A grid is the next page of the one before when only page numbers lie between them
    and it either repeats the header (the repeated header rows are dropped) or does not
    start with a header at all.
    """
    grids: list[Grid] = []
    pending: list[Paragraph] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            pending.append(block)
            continue
        if grids and not pending and _continues_grid(grids[-1], block):
            _append_page(grids[-1], block)
            continue
        block.titles = [*pending, *block.titles]
        grids.append(block)
        pending = []
    return grids


def _continues_grid(previous: Grid, grid: Grid) -> bool:
    if grid.sheet or previous.sheet:
        return False  # a spreadsheet holds one table per sheet
    if not grid.rows:
        return True
    head = _header_keys(previous)
    if head and header_key(grid.rows[0]) == head[0]:
        return True
    return not any(looks_like_header(row) for row in grid.rows[:8])


def _header_keys(grid: Grid) -> list[tuple[str, ...]]:
    for index, row in enumerate(grid.rows[:8]):
        if looks_like_header(row):
            return [header_key(r) for r in grid.rows[index : index + 3]]
    return []


def _append_page(grid: Grid, page: Grid) -> None:
    head = _header_keys(grid)
    start = 0
    while start < min(len(head), len(page.rows)) and header_key(page.rows[start]) == head[start]:
        start += 1
    grid.rows.extend(page.rows[start:])
    grid.lines.extend(page.lines[start:])
    grid.places.extend(page.places[start:])
