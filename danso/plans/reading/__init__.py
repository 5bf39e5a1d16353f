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
"""

from __future__ import annotations

from pathlib import PurePath

from danso.plans.document import PlanDocument, Problem
from danso.plans.reading.allocations import (
    Allocation,
    UnitAllocations,
    allocations,
    allocations_by_unit,
)
from danso.plans.reading.plan import read_blocks
from danso.plans.reading.text import decode_text, read_text_blocks
from danso.plans.reading.translation import _

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


def read_plan(content: bytes, file_name: str) -> PlanDocument:
    """The plan in ``content``, a file named ``file_name`` (its suffix says its type).

    Raises ``ValueError`` for a type not in ``SUFFIXES``.  A file of a known type that
    cannot be opened gives an empty plan with an error problem.
    """
    suffix = PurePath(file_name).suffix.lower()
    if suffix not in SUFFIXES:
        known = {"suffixes": ", ".join(SUFFIXES)}
        if suffix:
            raise ValueError(
                _("Cannot read %(suffix)s: only %(suffixes)s.") % {"suffix": suffix, **known}
            )
        raise ValueError(_("Cannot read a file without a suffix: only %(suffixes)s.") % known)
    if suffix in (".txt", ".md"):
        text, clean = decode_text(content)
        plan = read_blocks(read_text_blocks(text, file_name), has_body=True)
        if not clean:
            message = _("The file is not UTF-8 text; some letters are lost.")
            plan.problems.insert(0, Problem("error", file_name, message))
        return plan
    # Imported here, not above: the site imports this package when it starts (to set
    # its translator), and python-docx and openpyxl are only needed to read a file.
    from danso.plans.reading.docx import read_docx_blocks
    from danso.plans.reading.xlsx import read_xlsx_blocks

    try:
        if suffix == ".docx":
            return read_blocks(read_docx_blocks(content), has_body=True)
        return read_blocks(read_xlsx_blocks(content), has_body=False)
    except ValueError as error:
        return PlanDocument(problems=[Problem("error", file_name, str(error))])
