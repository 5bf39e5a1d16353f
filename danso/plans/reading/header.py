"""The fixed parts around a plan's body: the header above it (issuer, number, place and
date, title, period) and the tail below it (recipients, signer).

Header lines come before the "KẾ HOẠCH" line in any order (issuer in capitals, "Số:",
the national motto, "Hà Nội, ngày 31 tháng 12 năm 2020"); the title is the one to
three paragraphs after it, up to the preamble.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from danso.plans.document import PlanDocument, Problem
from danso.plans.reading.blocks import Paragraph, is_upper, roman_heading
from danso.plans.reading.translation import _, place
from danso.plans.reading.words import fold_same_length
from danso.vietnamese import fold

_NUMBER_LINE = re.compile(r"^Số\s*:?\s*(?P<digits>\d*)\s*(?P<suffix>/.*)?$", re.IGNORECASE)
_DATE_LINE = re.compile(
    r"^(?P<place>[^,]{2,40}),\s*ngày\s*(?P<day>\d{1,2})?\s*tháng\s*(?P<month>\d{1,2})?"
    r"\s*năm\s*(?P<year>\d{4})",
    re.IGNORECASE,
)
_SIGNER = re.compile(r"^(?P<mark>TM|KT|Q|TL|TUQ)\.\s*(?=\S)")
_APPENDIX_TITLE = re.compile(r"^(phu luc|bieu\s*\d|\(kem theo)")
_LEVELS = ("thanh pho", "thi xa", "thi tran", "quan", "huyen", "xa", "phuong", "tinh")
_ISSUER_SENTENCE = re.compile(
    r"(?:^|[,.;]\s+)(?P<issuer>(?:ubnd|uy ban nhan dan|ban chi dao)\b[^,;.]{0,80}?)"
    r"\s+(?:ban hanh|xay dung)\b"
)
_TITLE_LINES = 3


def normalise_number(text: str) -> str:
    """A document number without the spaces around its dashes and slashes:
    "68/KH - UBND" → "68/KH-UBND", "128 /KH-UBND" → "128/KH-UBND"."""
    return re.sub(r"\s*([-/])\s*", r"\1", text.strip())


def normalise_issuer(text: str) -> str:
    """ "Ủy ban nhân dân quận Long Biên" → "UBND quận Long Biên"; an issuer in capitals
    ("ỦY BAN NHÂN DÂN QUẬN LONG BIÊN") gets its level in small letters and its name in
    title case."""
    text = re.sub(r"\s+", " ", text).strip(" ,;.")
    folded = fold_same_length(text.lower())
    if folded.startswith("uy ban nhan dan"):
        text = "UBND" + text[len("uy ban nhan dan") :]
        folded = "ubnd" + folded[len("uy ban nhan dan") :]
    if not is_upper(text[4:] if folded.startswith("ubnd") else text):
        return text
    head, rest = ("UBND", text[4:]) if folded.startswith("ubnd") else ("", text)
    return f"{head} {_title_case_place(rest.strip())}".strip()


def _title_case_place(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    folded = fold_same_length(text.lower())
    for level in _LEVELS:
        if folded.startswith(level + " "):
            cut = len(level)
            return f"{text[:cut].lower()} {text[cut:].strip().title()}"
    return text.title()


def names_place(issuer: str) -> bool:
    """Whether an issuer names its place ("UBND thành phố Hà Nội"), not only a level
    ("UBND Thành phố", "UBND xã")."""
    folded = fold(issuer)
    for level in _LEVELS:
        match = re.search(rf"(?<![a-z]){level}(?![a-z])(?P<rest>.*)$", folded)
        if match and match["rest"].strip():
            return True
    return False


def issuer_in_sentence(text: str) -> str:
    """The issuer of a sentence like "…, UBND thành phố Hà Nội ban hành Kế hoạch…" or
    "Ban chỉ đạo … xã Chiến Thắng xây dựng kế hoạch", or ""."""
    folded = fold_same_length(text.lower())
    match = _ISSUER_SENTENCE.search(folded)
    if match is None:
        return ""
    return normalise_issuer(text[match.start("issuer") : match.end("issuer")])


def read_header(paragraphs: Sequence[Paragraph], plan: PlanDocument) -> int:
    """Fill the plan's issuer, number, place, date, title and period from the
    paragraphs above the preamble; return where the preamble starts."""
    title_at = next(
        (i for i, p in enumerate(paragraphs[:20]) if fold(p.text).startswith("ke hoach")),
        None,
    )
    if title_at is None:
        message = _("No 'KẾ HOẠCH' line: the title is unknown.")
        plan.problems.append(Problem("warning", place("line", 1), message))
        _read_header_lines(paragraphs[:0], plan)
        return 0
    _read_header_lines(paragraphs[:title_at], plan)
    first = paragraphs[title_at].text[len("KẾ HOẠCH") :].strip()
    title = [first] if first else []
    index = title_at + 1
    while (
        index < len(paragraphs)
        and len(title) < _TITLE_LINES
        and not _is_preamble(paragraphs[index])
    ):
        title.append(paragraphs[index].text)
        index += 1
    plan.title = " ".join(title)
    plan.period_start, plan.period_end = _period(plan.title, plan.period_start)
    return index


def _read_header_lines(lines: Sequence[Paragraph], plan: PlanDocument) -> None:
    issuer: list[str] = []
    numbered = False
    for paragraph in lines:
        text = paragraph.text
        folded = fold(text)
        number = _NUMBER_LINE.match(text)
        place_date = _DATE_LINE.match(text)
        if number:
            numbered = True
            _read_number(number, paragraph, plan)
        elif place_date:
            _read_place_date(place_date, paragraph, plan)
        elif "cong hoa xa hoi" in folded or folded.startswith("doc lap"):
            continue
        elif is_upper(text):
            issuer.append(text)
    if issuer:
        plan.issuer = normalise_issuer(" ".join(issuer))
    if not numbered:
        message = _("No 'Số:' line: the plan has no number.")
        plan.problems.append(Problem("warning", place("line", 1), message))


def _read_number(match: re.Match[str], paragraph: Paragraph, plan: PlanDocument) -> None:
    if not match["digits"]:
        # "Số: /KH-UBND": a draft awaiting its number, which is normal, not a problem; the
        # plan is stored as a draft.
        return
    plan.number = normalise_number(match["digits"] + (match["suffix"] or ""))


def _read_place_date(match: re.Match[str], paragraph: Paragraph, plan: PlanDocument) -> None:
    plan.place = match["place"].strip()
    year = int(match["year"])
    plan.period_start = plan.period_end = year
    if match["day"] and match["month"]:
        try:
            plan.issued_on = date(year, int(match["month"]), int(match["day"]))
        except ValueError:
            message = _("No such date: '%(text)s'.") % {"text": paragraph.text}
            plan.problems.append(Problem("warning", paragraph.place, message))


def _is_preamble(paragraph: Paragraph) -> bool:
    folded = fold(paragraph.text)
    return (
        bool(re.search(r"\bso\s*:?\s*\d", folded))
        or folded.startswith("can cu")
        or folded.endswith("nhu sau:")
        or roman_heading(paragraph.text) is not None
        or len(paragraph.text) > 250
    )


def _period(title: str, year: int | None) -> tuple[int | None, int | None]:
    """(first year, last year) of the plan: "giai đoạn 2016-2025", "đến năm 2030" (from
    the year of the plan's date), "năm 2025"; else the year of the date."""
    folded = fold(title)
    if match := re.search(r"giai doan (\d{4})\s*-\s*(\d{4})", folded):
        return int(match[1]), int(match[2])
    if match := re.search(r"den nam (\d{4})", folded):
        return year, int(match[1])
    if match := re.search(r"nam (\d{4})", folded):
        return int(match[1]), int(match[1])
    return year, year


def is_tail_start(paragraph: Paragraph) -> bool:
    """Whether the body ends here: "Nơi nhận" or a signer line ("TM. ỦY BAN NHÂN DÂN")."""
    return fold(paragraph.text).startswith("noi nhan") or _SIGNER.match(paragraph.text) is not None


def read_tail(paragraphs: Sequence[Paragraph], start: int, plan: PlanDocument) -> int:
    """Read the recipients ("Nơi nhận") and the signer block from ``start``, in either
    order; return the index of the first paragraph after them (an appendix title)."""
    index = start
    signer: list[str] = []
    in_recipients = False
    while index < len(paragraphs):
        text = paragraphs[index].text
        folded = fold(text)
        if folded.startswith("noi nhan"):
            in_recipients = True
            rest = text.partition(":")[2]
            if rest.strip():
                plan.recipients.append(_recipient(rest))
        elif _SIGNER.match(text) or (
            signer and is_upper(text) and not _APPENDIX_TITLE.match(folded)
        ):
            in_recipients = False
            signer.append(_SIGNER.sub(lambda m: f"{m['mark']}. ", text))
        elif in_recipients and not is_upper(text):
            plan.recipients.append(_recipient(text))
        elif signer and _is_name(text):
            plan.signer_name = text
            index += 1
            break
        else:
            break
        index += 1
    plan.signer_title = "\n".join(signer)
    return index


def _recipient(text: str) -> str:
    """A recipient without its list punctuation, its note kept:
    "- Sở Y tế Hà Nội;      (để báo cáo)" → "Sở Y tế Hà Nội (để báo cáo)"."""
    text = re.sub(r"\s+", " ", text).strip().lstrip("-+• ")
    text = re.sub(r"[;,.]\s*(?=\(để\b)", " ", text)
    return text.rstrip(" ;,.")


def _is_name(text: str) -> bool:
    words = text.split()
    return (
        2 <= len(words) <= 6
        and not is_upper(text)
        and all(word[0].isupper() and word.isalpha() for word in words)
    )
