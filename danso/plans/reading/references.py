"""The documents a plan's preamble cites (căn cứ): "Kế hoạch số 68/KH - UBND ngày
20/02/2017 của UBND quận Long Biên về kiểm soát mất cân bằng giới tính khi sinh…".

The preamble is cut into clauses at semicolons and before the plan's own sentence
("…, UBND thành phố Hà Nội ban hành Kế hoạch…"); each clause gives the first document
it names.  A document named inside another's title (a plan "về việc thực hiện Nghị
quyết số 21-NQ/TW") is part of that title, not a reference of its own.
"""

from __future__ import annotations

import re
from datetime import date

from danso.plans.document import DocumentRef, Problem
from danso.plans.reading.header import normalise_issuer, normalise_number
from danso.plans.reading.translation import _
from danso.plans.reading.words import fold_same_length

_KINDS = (
    "ke hoach|quyet dinh|chi thi|chuong trinh|nghi quyet|nghi dinh|thong tu|cong van"
    "|huong dan|luat|phap lenh|de an|thong bao|ket luan"
)
# Matched on folded text: "30/QĐ- UBND" folds to "30/qd- ubnd".
_REFERENCE = re.compile(
    rf"\b(?:{_KINDS})\s+(?:so\s*:?\s*)?(?P<number>\d+(?:\s*[-/]\s*(?:\d+|[a-z]+))+)"
)
_DATE = re.compile(r"\bngay\s+(?P<day>\d{1,2})\s*/\s*(?P<month>\d{1,2})\s*/\s*(?P<year>\d{4})")
_TITLE_START = re.compile(r"\s(?:ve viec|ve|phe duyet)\s")
_ISSUER = re.compile(r"\bcua\s+(?P<issuer>.+?)\s*(?=$|[,;]|\sngay\s)")
_OWN_SENTENCE = re.compile(
    r"(?:[,.]\s+(?:ubnd|uy ban nhan dan|ban chi dao)\b[^,;]{0,80}?\b(?:ban hanh|xay dung)\b"
    r"|,\s*de\s)"
)
_CLAUSE_LEAD = re.compile(r"^(?:thuc hien|can cu|theo huong dan tai|theo|va)\s+")


def read_references(preamble: str, place: str, problems: list[Problem]) -> list[DocumentRef]:
    """The documents the preamble cites, in order.  ``place`` says where the preamble
    is, for problems (an impossible date is reported and read as None)."""
    references = []
    for clause in _clauses(preamble):
        reference = _reference(clause, place, problems)
        if reference is not None:
            references.append(reference)
    return references


def _clauses(preamble: str) -> list[str]:
    folded = fold_same_length(preamble.lower())
    own = _OWN_SENTENCE.search(folded)
    text = preamble[: own.start()] if own else preamble
    return [clause.strip() for clause in text.split(";") if clause.strip()]


def _reference(clause: str, place: str, problems: list[Problem]) -> DocumentRef | None:
    folded = fold_same_length(clause.lower())
    match = _REFERENCE.search(folded)
    if match is None:
        return None
    after = match.end()
    title_match = _TITLE_START.search(folded, after)
    title_at = title_match.start() if title_match else len(clause)
    issued_on = None
    date_match = _DATE.search(folded, after)
    if date_match and date_match.start() < title_at:
        issued_on = _date(date_match, clause, place, problems)
    issuer = ""
    issuer_match = _ISSUER.search(folded[:title_at], after)
    if issuer_match:
        issuer = normalise_issuer(clause[issuer_match.start("issuer") : issuer_match.end("issuer")])
    title = ""
    if title_match:
        title = clause[title_match.end() :].strip(" ,.;")
    text = clause[_lead_length(folded) :].strip(" ,.;")
    number = normalise_number(clause[match.start("number") : match.end("number")])
    return DocumentRef(number=number, issued_on=issued_on, issuer=issuer, title=title, text=text)


def _lead_length(folded: str) -> int:
    lead = _CLAUSE_LEAD.match(folded)
    return lead.end() if lead else 0


def _date(match: re.Match[str], clause: str, place: str, problems: list[Problem]) -> date | None:
    try:
        return date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        message = _("No such date in '%(text)s'.") % {"text": clause[:80]}
        problems.append(Problem("warning", place, message))
        return None
