"""Blocks from a Word plan (.docx): its paragraphs and tables in document order.

Paragraph text follows the same rules as a .txt file (``blocks.join_lines``); a line
break inside a paragraph starts a new line.  Bold runs are the paragraph's strong
parts; a paragraph in a Heading style or wholly bold is marked as a heading.

python-docx repeats a merged cell's object across its span, so a merged header reads
as the same text in every column it covers.  A table that only lays out the header
or the signature ("Số: …" beside "CỘNG HÒA…", "Nơi nhận" beside "TM. ỦY BAN…") is read
as text: its left column first, then its right.
"""

from __future__ import annotations

import io
import re

from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph as WordParagraph

from danso.plans.reading.blocks import Block, Grid, SourceLine, join_lines
from danso.plans.reading.numbers import Cell
from danso.plans.reading.translation import _
from danso.vietnamese import fold

_LAYOUT = re.compile(r"^(so\s*:|cong hoa xa hoi|noi nhan|tm\.|kt\.|doc lap)")


def read_docx_blocks(content: bytes) -> list[Block]:
    """The paragraphs and tables of a .docx file.  Raises ``ValueError`` when the bytes
    are not a Word document."""
    try:
        document = Document(io.BytesIO(content))
    except Exception as error:  # python-docx raises several types for a broken package
        raise ValueError(_("Not a Word document: %(error)s") % {"error": error}) from error
    blocks: list[Block] = []
    pending: list[tuple[SourceLine, bool]] = []
    number = 0
    tables = 0

    def flush() -> None:
        blocks.extend(_paragraphs(pending))
        pending.clear()

    for item in document.iter_inner_content():
        if isinstance(item, WordParagraph):
            number += 1
            pending.extend(_lines(item, number))
            continue
        tables += 1
        if _is_layout(item):
            for text in _layout_text(item):
                number += 1
                pending.extend((SourceLine(number, line), False) for line in text.split("\n"))
            continue
        flush()
        blocks.append(_grid(item, tables))
    flush()
    return blocks


def _lines(paragraph: WordParagraph, number: int) -> list[tuple[SourceLine, bool]]:
    """The paragraph's lines, with bold runs wrapped in ``**`` so that the text rules
    see them as .txt bold; a heading-styled paragraph is flagged."""
    parts: list[tuple[bool, str]] = []
    for run in paragraph.runs:
        # A run of spaces between two bold runs belongs to the bold part.
        bold = parts[-1][0] if parts and not run.text.strip() else bool(run.bold)
        if parts and parts[-1][0] == bold:
            parts[-1] = (bold, parts[-1][1] + run.text)
        else:
            parts.append((bold, run.text))
    text = "".join(f"**{part}**" if bold else part for bold, part in parts) or paragraph.text
    style = paragraph.style.name if paragraph.style is not None else ""
    heading = (style or "").lower().startswith(("heading", "title"))
    return [(SourceLine(number, line), heading) for line in text.split("\n")]


def _paragraphs(lines: list[tuple[SourceLine, bool]]) -> list[Block]:
    """Join lines into paragraphs; a heading-styled line becomes a markdown heading so
    the text rules keep it apart."""
    marked = [
        SourceLine(line.number, f"# {line.raw}" if heading else line.raw) for line, heading in lines
    ]
    return list(join_lines(marked, place_word="paragraph", width=None))


def _is_layout(table: Table) -> bool:
    for row in table.rows:
        for cell in row.cells:
            if _LAYOUT.match(fold(cell.text)):
                return True
    return False


def _layout_text(table: Table) -> list[str]:
    columns: dict[int, list[str]] = {}
    for row in table.rows:
        seen: set[int] = set()
        for index, cell in enumerate(row.cells):
            if id(cell._tc) in seen:  # a merged cell repeats across its span
                continue
            seen.add(id(cell._tc))
            if cell.text.strip():
                columns.setdefault(index, []).append(cell.text)
    return [text for index in sorted(columns) for text in columns[index]]


def _grid(table: Table, number: int) -> Grid:
    rows: list[list[Cell]] = [[cell.text.strip() for cell in row.cells] for row in table.rows]
    count = len(rows)
    return Grid(
        rows=rows,
        lines=list(range(1, count + 1)),
        places=[
            _("table %(table)s, row %(row)s") % {"table": number, "row": index}
            for index in range(1, count + 1)
        ],
        source=_("table %(table)s") % {"table": number},
    )
