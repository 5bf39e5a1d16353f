"""A plan from its blocks: the body's header, preamble, sections, targets, report
rules, recipients and signer; then its tables, as allocation appendices or as the
activity schedule.

The body is the text above the first table.  Text between the signer and a table, or
between two tables, is that table's title ("Phụ lục 2 …", "(Kèm theo Kế hoạch số …)").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from danso.plans.document import PlanDocument, Problem, SectionKind
from danso.plans.reading.blocks import Block, Grid, Paragraph, attach_titles
from danso.plans.reading.header import (
    is_tail_start,
    issuer_in_sentence,
    names_place,
    normalise_issuer,
    normalise_number,
    read_header,
    read_tail,
)
from danso.plans.reading.numbers import cell_text, is_blank
from danso.plans.reading.references import read_references
from danso.plans.reading.reports import read_report_rules
from danso.plans.reading.schedule import is_schedule_header, read_schedule
from danso.plans.reading.sections import SectionDraft, read_sections, split_preamble
from danso.plans.reading.tables import (
    appendix_label,
    attachment_text,
    find_header_row,
    read_appendix,
)
from danso.plans.reading.targets import read_targets
from danso.plans.reading.translation import _
from danso.plans.reading.words import fold_same_length
from danso.vietnamese import fold

_AIMS = (SectionKind.OBJECTIVE, SectionKind.PURPOSE)
_ATTACHMENT = re.compile(
    r"so\s*:?\s*(?P<digits>\d*)\s*(?P<suffix>/\s*[a-z]+(?:\s*-\s*[a-z]+)?)?"
    r".*?ngay\s*(?P<day>\d{1,2})?\s*/\s*(?P<month>\d{1,2})\s*/\s*(?P<year>\d{4})"
    r"(?:\s+cua\s+(?P<issuer>[^)]+))?"
)


def read_blocks(blocks: Sequence[Block], *, has_body: bool) -> PlanDocument:
    """The plan the blocks hold.  ``has_body`` is False for a spreadsheet, which holds
    tables only: its missing header is then not a problem."""
    plan = PlanDocument()
    first_grid = next((i for i, block in enumerate(blocks) if isinstance(block, Grid)), len(blocks))
    body = [block for block in blocks[:first_grid] if isinstance(block, Paragraph)]
    titles = _read_body(body, plan) if has_body else body
    issuers = [plan.issuer, issuer_in_sentence(plan.preamble)]
    grids = attach_titles([*titles, *blocks[first_grid:]])
    _read_tables(grids, plan)
    for grid in grids:
        issuers.append(_check_attachment(grid, plan))
    plan.issuer = _best_issuer(issuers)
    if has_body:
        _check_whole(blocks, plan)
    return plan


_APPENDIX_REFERENCE = re.compile(r"phu luc\s*(?:so\s*)?(?P<numbers>\d+(?:\s*(?:,|va|-|–)\s*\d+)*)")


def _last_place(blocks: Sequence[Block]) -> str:
    """Where the document ends: its last paragraph or table row ("" when empty)."""
    if not blocks:
        return ""
    last = blocks[-1]
    return last.place if isinstance(last, Paragraph) else last.places[-1]


def _check_whole(blocks: Sequence[Block], plan: PlanDocument) -> None:
    """A plan that ends before its signature or its "Nơi nhận", or that names an
    appendix it does not hold beside one it does, may have been cut short (a file saved
    half-way, a copy stopped): an error, not a plan read from what is left (issue 12).
    An appendix named while the file holds none is a warning: it may be sent apart."""
    end = _last_place(blocks)
    missing = []
    if not plan.signer_name:
        missing.append(_("the signer's name"))
    if not plan.recipients:
        missing.append(_("the list 'Nơi nhận'"))
    if missing:
        plan.problems.append(
            Problem(
                "error",
                end,
                _(
                    "The document ends without %(missing)s, which every plan has: the file "
                    "may have been cut short. Send the whole plan."
                )
                % {"missing": _(" and ").join(missing)},
            )
        )
    for appendix in plan.appendices:
        if not appendix.rows:
            plan.problems.append(
                Problem(
                    "error",
                    appendix.source,
                    _("%(appendix)s has its header but no row: the file may have been cut short.")
                    % {"appendix": appendix_label(appendix)},
                )
            )
    named: set[int] = set()
    for block in blocks:
        if isinstance(block, Paragraph):
            for match in _APPENDIX_REFERENCE.finditer(fold(block.text)):
                named.update(int(n) for n in re.findall(r"\d+", match["numbers"]) if len(n) <= 2)
    held = {appendix.number for appendix in plan.appendices if appendix.number is not None}
    absent = sorted(named - held - {None})
    if not absent:
        return
    listed = ", ".join(str(number) for number in absent)
    if held:
        plan.problems.append(
            Problem(
                "error",
                end,
                _(
                    "The plan names Phụ lục %(numbers)s, which the file does not hold after "
                    "the appendices it has: the file may have been cut short."
                )
                % {"numbers": listed},
            )
        )
    else:
        plan.problems.append(
            Problem(
                "warning",
                end,
                _(
                    "The plan names Phụ lục %(numbers)s, which are not in this file: no "
                    "target is read from them."
                )
                % {"numbers": listed},
            )
        )


def _read_body(body: Sequence[Paragraph], plan: PlanDocument) -> list[Paragraph]:
    """Read the body into ``plan``; return the paragraphs after the signer."""
    start = read_header(body, plan)
    end = next((i for i in range(start, len(body)) if is_tail_start(body[i])), len(body))
    preamble, rest = split_preamble(body[start:end])
    plan.preamble = "\n\n".join(paragraph.text for paragraph in preamble)
    if preamble:
        plan.references = read_references(plan.preamble, preamble[0].place, plan.problems)
    drafts = read_sections(rest)
    plan.sections = [draft.section() for draft in drafts]
    aims = [p for draft in drafts if draft.kind in _AIMS for p in draft.paragraphs]
    plan.targets = read_targets(aims, plan.period_start)
    plan.report_rules = read_report_rules([p for draft in drafts for p in draft.paragraphs])
    _warn_vague_reports(drafts, plan)
    after = read_tail(body, end, plan)
    return list(body[after:])


def _warn_vague_reports(drafts: Sequence[SectionDraft], plan: PlanDocument) -> None:
    """A closing sentence that asks for periodic reports without saying when."""
    for draft in drafts:
        if draft.kind is not SectionKind.REPORTING or not draft.paragraphs:
            continue
        if read_report_rules(draft.paragraphs):
            continue
        said = next((p for p in draft.paragraphs if "bao cao" in fold(p.text)), draft.paragraphs[0])
        plan.problems.append(
            Problem(
                "warning",
                said.place,
                _("Reports are asked for without a period or a deadline; no report rule was read."),
            )
        )


def _read_tables(grids: Sequence[Grid], plan: PlanDocument) -> None:
    number = 0
    for grid in grids:
        header_at = find_header_row(grid)
        if header_at is None:
            first = (
                " | ".join(cell_text(c) for c in grid.rows[0] if not is_blank(c))
                if grid.rows
                else ""
            )
            plan.problems.append(
                Problem(
                    "error",
                    grid.places[0] if grid.places else grid.source,
                    _("Table header not recognised: '%(header)s'.") % {"header": first},
                )
            )
            continue
        if is_schedule_header(grid.rows[header_at]):
            plan.activities += read_schedule(grid, header_at, plan.period_start, plan.problems)
            continue
        appendix = read_appendix(grid, header_at, number + 1, plan.problems)
        if appendix is not None:
            plan.appendices.append(appendix)
            number = appendix.number or number + 1


def _check_attachment(grid: Grid, plan: PlanDocument) -> str:
    """Warn when a table says it is attached to another plan than this one ("Kèm theo
    Kế hoạch số 25/KH-UBND ngày 21/12/2020" under plan 256/KH-UBND of 31/12/2020);
    return the issuer it names, or ""."""
    text = attachment_text(grid)
    match = _ATTACHMENT.search(fold_same_length(text.lower()))
    if match is None:
        return ""
    where = grid.titles[-1].place if grid.titles else grid.source
    number = (
        normalise_number(text[match.start("digits") : match.end("suffix")])
        if match["digits"]
        else ""
    )
    if number and plan.number and number != plan.number:
        plan.problems.append(
            Problem(
                "warning",
                where,
                _("The table is attached to plan %(attached)s, but this plan is %(number)s.")
                % {"attached": number, "number": plan.number},
            )
        )
    if match["day"] and plan.issued_on:
        try:
            stated = date(int(match["year"]), int(match["month"]), int(match["day"]))
        except ValueError:
            stated = None
        if stated and stated != plan.issued_on:
            plan.problems.append(
                Problem(
                    "warning",
                    where,
                    _(
                        "The table is attached to a plan of %(attached)s, "
                        "but this plan is of %(date)s."
                    )
                    % {"attached": f"{stated:%d/%m/%Y}", "date": f"{plan.issued_on:%d/%m/%Y}"},
                )
            )
    if match["issuer"]:
        return normalise_issuer(text[match.start("issuer") : match.end("issuer")])
    return ""


def _best_issuer(candidates: Sequence[str]) -> str:
    """The first issuer that names its place; else the first at all."""
    named = [c for c in candidates if c and names_place(c)]
    if named:
        return named[0]
    return next((c for c in candidates if c), "")
