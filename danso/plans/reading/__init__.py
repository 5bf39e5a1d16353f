"""Reading plan documents (.txt, .docx, .xlsx) into a ``PlanDocument``, with no Django
import.

``read_plan(content, file_name)`` reads the header, references, headline targets,
sections, report rules, signer and recipients from the text, the allocation tables
into appendices and the activity schedule into activities.  It does not raise on a
badly written plan: what it cannot read, or what does not add up, is a ``Problem``
of the document.  ``allocations(appendix)`` gives each child unit's figures.

Modules: ``text``, ``docx``, ``xlsx`` turn a file into blocks (``blocks``); ``plan``
reads blocks with ``header``, ``references``, ``sections``, ``targets``, ``reports``,
``tables`` and ``schedule``; ``numbers`` and ``words`` read numbers and Vietnamese words.

A document is checked against ``limits`` (``danso.spreadsheets.PLAN`` unless the caller
gives the site's) before it is read: its size; for a .txt its lines and their length;
for a .docx or .xlsx what it unpacks to and each part (``word/document.xml``, a sheet);
for a .docx the paragraphs and table rows; for an .xlsx every sheet's rows, columns and
cells, read as a stream first.  A document over a limit is an empty plan with one error
that names the file and the limit.
"""

from __future__ import annotations

import zipfile
from contextlib import suppress
from pathlib import PurePath

from danso.plans.document import PlanDocument, Problem
from danso.plans.reading.allocations import (
    Allocation,
    UnitAllocations,
    allocations,
    allocations_by_unit,
)
from danso.plans.reading.blocks import Block, Paragraph
from danso.plans.reading.plan import read_blocks
from danso.plans.reading.text import decode_text, read_text_blocks
from danso.plans.reading.translation import _
from danso.spreadsheets import (
    NUL_IN_FILE,
    PLAN,
    TOO_MANY_LINES,
    FileError,
    LimitError,
    Limits,
    check_archive,
    check_size,
    check_text,
)

__all__ = [
    "SUFFIXES",
    "Allocation",
    "UnitAllocations",
    "allocations",
    "allocations_by_unit",
    "read_plan",
]

#: The file types ``read_plan`` reads.
SUFFIXES = (".txt", ".md", ".docx", ".xlsx", ".xlsm")


def read_plan(content: bytes, file_name: str, *, limits: Limits = PLAN) -> PlanDocument:
    """The plan in ``content``, a file named ``file_name`` (its suffix says its type).

    Raises ``ValueError`` for a type not in ``SUFFIXES``.  A file of a known type that
    cannot be opened, or that is over ``limits``, gives an empty plan with an error
    problem.
    """
    suffix = PurePath(file_name).suffix.lower()
    if suffix not in SUFFIXES:
        known = {"suffixes": ", ".join(SUFFIXES)}
        if suffix:
            raise ValueError(
                _("Cannot read %(suffix)s: only %(suffixes)s.") % {"suffix": suffix, **known}
            )
        raise ValueError(_("Cannot read a file without a suffix: only %(suffixes)s.") % known)
    try:
        return _read_within(content, file_name, suffix, limits)
    except FileError as error:  # over a limit, or a NUL in it
        return PlanDocument(problems=[Problem("error", file_name, error.message(_))])


def _read_within(content: bytes, file_name: str, suffix: str, limits: Limits) -> PlanDocument:
    """``read_plan`` for a known suffix; raises ``LimitError``."""
    check_size(file_name, len(content), limits)
    if suffix in (".txt", ".md"):
        text, clean = decode_text(content)
        check_text(text, file_name, limits)
        if "\x00" in text:
            line = text.count("\n", 0, text.index("\x00")) + 1
            raise FileError(file_name, NUL_IN_FILE, line=line)
        plan = read_blocks(read_text_blocks(text, file_name), has_body=True)
        if not clean:
            message = _("The file is not UTF-8 text; some letters are lost.")
            plan.problems.insert(0, Problem("error", file_name, message))
        return plan
    # Imported here, not above: the site imports this package when it starts (to set
    # its translator), and python-docx and openpyxl are only needed to read a file.
    from danso.plans.reading.docx import read_docx_blocks
    from danso.plans.reading.xlsx import read_xlsx_blocks

    # not a package at all (BadZipFile): the reader below says so in its words
    with suppress(zipfile.BadZipFile):
        check_archive(content, file_name, limits, nested=True)
    try:
        if suffix == ".docx":
            blocks = read_docx_blocks(content)
            _check_blocks(blocks, file_name, limits)
            return read_blocks(blocks, has_body=True)
        return read_blocks(read_xlsx_blocks(content, file_name, limits), has_body=False)
    except ValueError as error:
        return PlanDocument(problems=[Problem("error", file_name, str(error))])


def _check_blocks(blocks: list[Block], file_name: str, limits: Limits) -> None:
    """At most ``limits.rows`` paragraphs and table rows (what the reader's time grows
    with), before they are read."""
    lines = sum(1 if isinstance(block, Paragraph) else len(block.rows) for block in blocks)
    if lines > limits.rows:
        raise LimitError(file_name, TOO_MANY_LINES, limit=limits.rows)
