"""The body of a plan: its preamble and its sections.

A plan's body is cut into parts by headings with a roman numeral ("II. CÁC NHIỆM VỤ,
HOẠT ĐỘNG CHỦ YẾU"); the heading's words give the part's kind.  Inside a part, each
first-level numbered heading ("1. Sở Y tế (cơ quan thường trực):") starts a section;
deeper headings ("4.1.", "a)") stay in their section's body.  Under "TỔ CHỨC THỰC HIỆN"
each section is one agency's.  The closing paragraph ("Trên đây là Kế hoạch…",
"Ủy ban nhân dân Thành phố yêu cầu…") and what follows it is a section of its own,
the reporting one when it speaks of reports.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from danso.plans.document import Section, SectionKind
from danso.plans.reading.blocks import Paragraph, numbered_heading, roman_heading
from danso.vietnamese import fold

#: (folded words, kind) for part headings, tried in order: "NGUỒN KINH PHÍ THỰC HIỆN"
#: is the budget, "ĐỐI TƯỢNG, PHẠM VI VÀ THỜI GIAN THỰC HIỆN" none of these.
_PART_KINDS = (
    ("to chuc thuc hien", SectionKind.RESPONSIBILITY),
    ("kinh phi", SectionKind.BUDGET),
    ("bao cao", SectionKind.REPORTING),
    ("muc tieu", SectionKind.OBJECTIVE),
    ("chi tieu", SectionKind.OBJECTIVE),
    ("muc dich", SectionKind.PURPOSE),
    ("yeu cau", SectionKind.REQUIREMENT),
    ("nhiem vu", SectionKind.TASK),
    ("hoat dong", SectionKind.TASK),
    ("giai phap", SectionKind.TASK),
)
#: Parts whose numbered sub-headings may name a kind of their own ("1. Mục đích").
_AIMS = (SectionKind.PURPOSE, SectionKind.REQUIREMENT, SectionKind.OBJECTIVE)
#: Parts kept whole: their numbered lines are items ("1. Nguồn ngân sách nhà nước…").
_UNSPLIT = (SectionKind.BUDGET, SectionKind.REPORTING)
_CLOSING = re.compile(
    r"^(tren day la|(uy ban nhan dan|ubnd|ban chi dao)[^,;.]{0,60}?\b(yeu cau|de nghi)\b)"
)
_HEADING_LENGTH = 250
_LOCAL_LEVEL = re.compile(r"\s+(quận|huyện|thị xã|xã|phường)$", re.IGNORECASE)


@dataclass
class SectionDraft:
    """A section with its paragraphs kept, for reading targets and report rules."""

    kind: SectionKind
    heading: str
    number: str
    paragraphs: list[Paragraph]
    agency: str = ""

    def section(self) -> Section:
        body = "\n\n".join(paragraph.text for paragraph in self.paragraphs)
        return Section(self.kind, self.heading, body, self.number, self.agency)


def split_preamble(paragraphs: Sequence[Paragraph]) -> tuple[list[Paragraph], list[Paragraph]]:
    """(preamble, the rest): the preamble runs up to the first part heading."""
    for index, paragraph in enumerate(paragraphs):
        if roman_heading(paragraph.text):
            return list(paragraphs[:index]), list(paragraphs[index:])
    return list(paragraphs), []


def read_sections(paragraphs: Sequence[Paragraph]) -> list[SectionDraft]:
    """The sections of the body after the preamble, in order."""
    parts: list[tuple[str, str, list[Paragraph]]] = []
    for paragraph in paragraphs:
        part = roman_heading(paragraph.text)
        if part:
            parts.append((part[0], part[1], []))
        elif parts:
            parts[-1][2].append(paragraph)
        else:
            parts.append(("", "", [paragraph]))
    drafts: list[SectionDraft] = []
    for index, (number, heading, body) in enumerate(parts):
        closing: list[Paragraph] = []
        if index == len(parts) - 1:
            body, closing = _split_closing(body)
        drafts += _part_sections(number, heading, body)
        if closing:
            said = " ".join(fold(paragraph.text) for paragraph in closing)
            kind = SectionKind.REPORTING if "bao cao" in said else SectionKind.OTHER
            drafts.append(SectionDraft(kind, "", "", closing))
    return drafts


def _split_closing(body: list[Paragraph]) -> tuple[list[Paragraph], list[Paragraph]]:
    for index, paragraph in enumerate(body):
        if _CLOSING.match(fold(paragraph.text)):
            return body[:index], body[index:]
    return body, []


def _part_sections(number: str, heading: str, body: list[Paragraph]) -> list[SectionDraft]:
    kind = part_kind(heading)
    if kind in _UNSPLIT:
        return [SectionDraft(kind, heading, number, body)]
    drafts: list[SectionDraft] = []
    intro: list[Paragraph] = []
    for paragraph in body:
        sub = _first_level_heading(paragraph)
        if sub is not None:
            drafts.append(_sub_section(kind, sub[0], sub[1]))
        elif drafts:
            drafts[-1].paragraphs.append(paragraph)
        else:
            intro.append(paragraph)
    if intro or not drafts:
        drafts.insert(0, SectionDraft(kind, heading, number, intro))
    return drafts


def part_kind(heading: str) -> SectionKind:
    """The kind of a part by its heading's words; OTHER when none is known."""
    folded = fold(heading)
    for words, kind in _PART_KINDS:
        if words in folded:
            return kind
    return SectionKind.OTHER


def _first_level_heading(paragraph: Paragraph) -> tuple[str, str] | None:
    heading = numbered_heading(paragraph.text)
    if heading is None or "." in heading[0] or len(paragraph.text) > _HEADING_LENGTH:
        return None
    if paragraph.text.endswith(".") and not paragraph.marked:
        return None  # "1. Nguồn ngân sách nhà nước … hiện hành." is an item, not a heading
    return heading


def _sub_section(kind: SectionKind, number: str, heading: str) -> SectionDraft:
    if kind in _AIMS:
        sub_kind = part_kind(heading)
        kind = sub_kind if sub_kind in _AIMS else kind
    agency = agency_name(heading) if kind is SectionKind.RESPONSIBILITY else ""
    return SectionDraft(kind, heading, number, [], agency)


def agency_name(heading: str) -> str:
    """The agency a responsibility heading names, shortened the way plans refer to it:
    "Sở Y tế (cơ quan thường trực):" → "Sở Y tế"; "Trung tâm Y tế Quận" → "Trung tâm
    Y tế"; "Ủy ban nhân dân các phường" → "UBND các phường"; "Đề nghị Ban Tuyên giáo
    Quận ủy" → "Ban Tuyên giáo Quận ủy"."""
    text = re.sub(r"\([^)]*\)", "", heading)
    text = re.sub(r"\s+", " ", text).strip(" :;.,")
    text = re.sub(r"^đề nghị\s+", "", text, flags=re.IGNORECASE)
    if fold(text).startswith("uy ban nhan dan "):
        text = "UBND " + text[len("Ủy ban nhân dân ") :]
    if not re.search(r"(?<![a-z])cac(?![a-z])", fold(text)):
        text = _LOCAL_LEVEL.sub("", text)  # "của quận" in "Trung tâm Y tế quận" says nothing
    return text
