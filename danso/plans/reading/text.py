"""Blocks from a plain-text plan (.txt): paragraphs, and tables written with tabs.

A table is a run of lines holding tab characters; a blank or tab-less line ends it.
A single tab-separated line is not a table (a "Nơi nhận:\\tTM. ỦY BAN…" layout line):
its cells are read as lines of text.  Markdown and HTML markup are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from danso.plans.reading.blocks import (
    Block,
    Grid,
    SourceLine,
    clean_markup,
    join_lines,
    wrap_width,
)
from danso.plans.reading.numbers import Cell
from danso.plans.reading.translation import place


@dataclass
class _Run:
    """The lines of text or of a table being collected."""

    text: list[SourceLine] = field(default_factory=list)
    table: list[SourceLine] = field(default_factory=list)


def decode_text(content: bytes) -> tuple[str, bool]:
    """The text of a .txt file and whether it decoded cleanly.

    UTF-8 (with or without a byte-order mark) and UTF-16 with a byte-order mark are
    read; anything else is read as UTF-8 with the undecodable bytes replaced.
    """
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16"), True
    try:
        return content.decode("utf-8-sig"), True
    except UnicodeDecodeError:
        return content.decode("utf-8", errors="replace"), False


def read_text_blocks(text: str, file_name: str) -> list[Block]:
    """The paragraphs and tables of a plain-text plan, in order."""
    lines = text.splitlines()
    width = wrap_width([line for line in lines if "\t" not in line])
    blocks: list[Block] = []
    run = _Run()

    def flush_text() -> None:
        blocks.extend(join_lines(run.text, place_word="line", width=width))
        run.text = []

    def flush_table() -> None:
        if len(run.table) == 1:
            only = run.table[0]
            run.text.extend(SourceLine(only.number, cell) for cell in only.raw.split("\t"))
        elif run.table:
            flush_text()
            blocks.append(_grid(run.table, file_name))
        run.table = []

    for number, raw in enumerate(lines, start=1):
        if "\t" in raw:
            run.table.append(SourceLine(number, raw))
            continue
        flush_table()
        if raw.strip():
            run.text.append(SourceLine(number, raw))
    flush_table()
    flush_text()
    return blocks


def _grid(lines: list[SourceLine], file_name: str) -> Grid:
    rows: list[list[Cell]] = [
        [clean_markup(cell)[0] for cell in line.raw.split("\t")] for line in lines
    ]
    return Grid(
        rows=rows,
        lines=[line.number for line in lines],
        places=[place("line", line.number) for line in lines],
        source=f"{file_name}, {place('line', lines[0].number)}",
    )
