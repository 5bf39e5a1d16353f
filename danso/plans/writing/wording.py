"""The words of an exported plan, as plain text: what the .docx and .xlsx writers print.

Nothing here knows about Word or Excel.  The header lines (issuing body, number, place
and date), the sentences that write a target back ("Giảm tỷ lệ sinh con thứ 3 trở lên
0,15% so với năm 2024."), the order of the plan's parts (I. MỤC TIÊU, CHỈ TIÊU; II. NHIỆM
VỤ…; TỔ CHỨC THỰC HIỆN) and the closing paragraphs are decided here, so that both
writers, and the readers that must read them back, agree on one wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from danso.indicators.catalogue import BY_CODE
from danso.plans.document import (
    DocumentRef,
    PlanDocument,
    ReportRule,
    Section,
    SectionKind,
    TargetKind,
    TargetSpec,
)
from danso.vietnamese import fold, format_number

#: What an unfilled number or date is printed as ("Số:      /KH-UBND").
BLANK = "      "

_UBND = re.compile(r"^\s*UBND\b\s*", re.IGNORECASE)
_HDND = re.compile(r"^\s*HĐND\b\s*", re.IGNORECASE)
_PEOPLES_COMMITTEE = re.compile(r"^\s*(ủy|uỷ) ban nhân dân\s+", re.IGNORECASE)
_PEOPLES_COUNCIL = re.compile(r"^\s*hội đồng nhân dân\s+", re.IGNORECASE)
_ROMAN = re.compile(r"^[IVXLC]+$")
_LETTER = re.compile(r"^[a-zđ]$")
_ROMAN_PREFIX = re.compile(r"^\s*([IVXLC]+)\s*[.:)]\s*(.*)$", re.DOTALL)


# --- header ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuerLine:
    text: str  # upper case
    bold: bool


def issuer_full_name(issuer: str) -> str:
    """``"UBND thành phố Hà Nội"`` → ``"Ủy ban nhân dân thành phố Hà Nội"``."""
    name = _UBND.sub("Ủy ban nhân dân ", issuer.strip())
    return _HDND.sub("Hội đồng nhân dân ", name).strip()


def issuer_lines(issuer: str) -> list[IssuerLine]:
    """The issuing body as printed top left, in upper case.

    A people's committee is one name printed on two lines, both bold ("ỦY BAN NHÂN DÂN" /
    "THÀNH PHỐ HÀ NỘI"), as every Hà Nội plan prints it.  An issuer written on several
    lines (``"UBND thành phố Hà Nội\\nSở Y tế"``) is a managing body over the issuing one
    (Nghị định 30/2020, Phụ lục I, mục 3): the managing body plain, the issuing body bold.
    """
    lines = [line.strip() for line in issuer.strip().splitlines() if line.strip()]
    if not lines:
        return []
    if len(lines) > 1:  # managing bodies as written ("UBND THÀNH PHỐ HÀ NỘI"), then ours
        *managing, own = lines
        named = [IssuerLine(line.upper(), bold=False) for line in managing]
        return [*named, IssuerLine(issuer_full_name(own).upper(), bold=True)]
    name = issuer_full_name(lines[0])
    for pattern, body in (
        (_PEOPLES_COMMITTEE, "ỦY BAN NHÂN DÂN"),
        (_PEOPLES_COUNCIL, "HỘI ĐỒNG NHÂN DÂN"),
    ):
        found = pattern.match(name)
        if found:
            return [IssuerLine(body, bold=True), IssuerLine(name[found.end() :].upper(), True)]
    return [IssuerLine(name.upper(), bold=True)]


def is_peoples_committee(issuer: str) -> bool:
    return bool(_PEOPLES_COMMITTEE.match(issuer_full_name(issuer.splitlines()[-1])))


def number_symbol(doc: PlanDocument) -> str:
    """The symbol after the slash of a plan's number: "KH-UBND" for a people's committee,
    otherwise "KH" (the issuer's own abbreviation is not part of the document)."""
    if "/" in doc.number:
        return doc.number.split("/", 1)[1].strip()
    return "KH-UBND" if doc.issuer.strip() and is_peoples_committee(doc.issuer) else "KH"


def plan_number(doc: PlanDocument) -> str:
    """``"256/KH-UBND"``, or ``"      /KH-UBND"`` while the plan is unnumbered."""
    number = doc.number.strip()
    if number and not number.startswith("/"):
        return number
    return f"{BLANK}/{number_symbol(doc)}"


def _spaced(word: str, number: str) -> str:
    """``"Số"`` and ``"256/KH-UBND"`` → ``"Số: 256/KH-UBND"``; a blank number keeps its
    own spaces (``"Số:      /KH-UBND"``)."""
    return f"{word}{number}" if number.startswith(" ") else f"{word} {number}"


def number_line(doc: PlanDocument) -> str:
    return _spaced("Số:", plan_number(doc))


def _day(value: int) -> str:
    return f"{value:02d}"


def _month(value: int) -> str:
    # Nghị định 30/2020: a leading zero for days below 10 and for January and February.
    return f"{value:02d}" if value < 3 else str(value)


def _year_or_blank(doc: PlanDocument) -> str:
    if doc.issued_on is not None:
        return str(doc.issued_on.year)
    return str(doc.period_start) if doc.period_start else BLANK


def date_line(doc: PlanDocument) -> str:
    """``"Hà Nội, ngày 05 tháng 3 năm 2024"``; with the day and month left blank while the
    plan is undated, and the year of the plan's period in their place."""
    on = doc.issued_on
    if on is not None:
        words = f"ngày {_day(on.day)} tháng {_month(on.month)} năm {on.year}"
    else:
        words = f"ngày{BLANK}tháng{BLANK}năm {_year_or_blank(doc)}"
    place = doc.place.strip()
    return f"{place}, {words}" if place else words[0].upper() + words[1:]


def short_date(on: date | None, doc: PlanDocument) -> str:
    """``"05/3/2024"`` or ``"      /      /2025"``."""
    if on is None:
        return f"{BLANK}/{BLANK}/{_year_or_blank(doc)}"
    return f"{_day(on.day)}/{_month(on.month)}/{on.year}"


def attached_line(doc: PlanDocument) -> str:
    """The line under an appendix title: "(Kèm theo Kế hoạch số 256/KH-UBND ngày
    31/12/2020 của UBND thành phố Hà Nội)"."""
    number = _spaced("Kèm theo Kế hoạch số", plan_number(doc))
    words = f"{number} ngày {short_date(doc.issued_on, doc)}"
    if doc.issuer.strip():
        words += f" của {' '.join(doc.issuer.split())}"
    return f"({words})"


def title_lines(doc: PlanDocument) -> list[str]:
    return [line.strip() for line in doc.title.splitlines() if line.strip()]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


# --- numbers and targets -----------------------------------------------------------------


def decimals_of(value: Decimal) -> int:
    """How many decimals ``value`` was written with: ``0.15`` → 2, ``90`` → 0."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def number_text(value: Decimal, decimals: int | None = None) -> str:
    """``value`` the Vietnamese way, with the decimals it was written with by default."""
    return format_number(value, decimals_of(value) if decimals is None else decimals)


_UNIT_AFTER = {
    "%": "%",
    "‰": "‰",
    "per100": "/100",
    "persons": " người",
    "children_per_woman": " con/phụ nữ",
    "per_woman": " con/phụ nữ",
}

#: How a column header names a unit in brackets: "(%)", "(trai/100 gái)".
UNIT_IN_HEADER = {
    "%": "%",
    "‰": "‰",
    "per100": "trai/100 gái",
    "persons": "người",
    "children_per_woman": "con/phụ nữ",
    "per_woman": "con/phụ nữ",
}


def quantity(value: Decimal, unit: str) -> str:
    """``416950 persons`` → ``"416.950 người"``; ``110 per100`` → ``"110/100"``."""
    return number_text(value) + _UNIT_AFTER.get(unit, f" {unit}" if unit else "")


def indicator_name(code: str) -> str:
    spec = BY_CODE.get(code)
    return spec.name_vi if spec is not None else code


def _as_written(text: str) -> str:
    """A target sentence as read, without its bullet, bold marks and final stop."""
    cleaned = " ".join(text.replace("**", "").replace("*", "").split())
    return cleaned.lstrip("-+• ").rstrip(" .;")


_CONDITION = re.compile(r"^\s*([A-Z][A-Z0-9_.]*)\s+(near|>=|<=|≥|≤)\s+([-0-9.,]+)\s*$")


def _condition_words(condition: str) -> str:
    found = _CONDITION.match(condition)
    if found is None:
        return condition.strip()
    code, relation, raw = found.groups()
    spec = BY_CODE.get(code)
    value = Decimal(raw.replace(",", "."))
    unit = spec.unit.value if spec is not None else ""
    words = {"near": "đạt mức", ">=": "đạt từ", "≥": "đạt từ", "<=": "không quá", "≤": "không quá"}
    return f"có {_lower_first(indicator_name(code))} {words[relation]} {quantity(value, unit)}"


def target_sentence(target: TargetSpec) -> str:
    """A target written back as a bullet of the plan's "Chỉ tiêu" list.

    >>> from danso.plans.document import TargetKind, TargetSpec
    >>> target_sentence(TargetSpec("BIRTH3P", TargetKind.CHANGE, Decimal("-0.15"), "%", 2024))
    '- Giảm tỷ lệ sinh con thứ 3 trở lên 0,15% so với năm 2024.'
    """
    name = indicator_name(target.indicator)
    value = target.value
    kind = target.kind
    if kind == TargetKind.CEILING:
        sentence = f"{name}: không quá {quantity(value, target.unit)}"
    elif kind == TargetKind.CHANGE:
        since = f" so với năm {target.baseline_year}" if target.baseline_year else ""
        amount = quantity(abs(value), target.unit)
        if value < 0:
            sentence = f"Giảm {_lower_first(name)} {amount}{since}"
        elif value > 0:
            sentence = f"{name} tăng thêm {amount}{since}"
        else:
            sentence = f"{name}: giữ ổn định{since}"
    elif kind == TargetKind.NEAR:
        sentence = f"{name} đạt mức {quantity(value, target.unit)}"
        if target.tolerance is not None:
            sentence += f" (± {number_text(target.tolerance)})"
    elif kind == TargetKind.ALL_CHILDREN:
        if target.text.strip():
            sentence = _as_written(target.text)
        else:
            share = number_text(value) + "%"
            sentence = f"{share} các đơn vị trực thuộc {_condition_words(target.condition)}"
    else:  # LEVEL_MIN, COUNT_MIN
        sentence = f"{name}: {quantity(value, target.unit)}"
    return f"- {_upper_first(sentence)}."


# --- references, report rules, closing ------------------------------------------------

_DOCUMENT_KINDS = (
    ("QĐ", "Quyết định"),
    ("NQ", "Nghị quyết"),
    ("CT", "Chỉ thị"),
    ("CTR", "Chương trình"),
    ("KH", "Kế hoạch"),
    ("HD", "Hướng dẫn"),
    ("TB", "Thông báo"),
    ("CV", "Công văn"),
)


def _document_kind(number: str) -> str:
    symbol = number.split("/", 1)[1] if "/" in number else number
    first = re.split(r"[-\s]", symbol.strip(), maxsplit=1)[0].upper()
    if "-" in number.split("/", 1)[0]:  # "74-KH/TU": the kind comes before the slash
        first = number.split("/", 1)[0].split("-", 1)[1].upper()
    return dict(_DOCUMENT_KINDS).get(first, "Văn bản")


def reference_sentence(ref: DocumentRef) -> str:
    """A căn cứ as written, or put together from its parts: "Căn cứ Kế hoạch số
    68/KH-UBND ngày 20/02/2017 của UBND quận Long Biên về …;"."""
    if ref.text.strip():
        return ref.text.strip()
    words = f"Căn cứ {_document_kind(ref.number)} số {ref.number.strip()}"
    if ref.issued_on is not None:
        on = ref.issued_on
        words += f" ngày {_day(on.day)}/{_month(on.month)}/{on.year}"
    if ref.issuer.strip():
        words += f" của {ref.issuer.strip()}"
    title = ref.title.strip()
    if title:
        words += " " + (title if fold(title).startswith("ve ") else f"về {_lower_first(title)}")
    return words + ";"


_PERIOD_WORDS = {"month": "hằng tháng", "quarter": "hằng quý", "year": "hằng năm", "once": ""}
_NEXT_PERIOD = {
    "month": "tháng tiếp theo",
    "quarter": "tháng đầu tiên của quý tiếp theo",
    "year": "năm tiếp theo",
}


def report_rule_sentence(rule: ReportRule) -> str:
    """A report obligation as written, or put together from its parts."""
    if rule.text.strip():
        return rule.text.strip()
    words = "Báo cáo kết quả thực hiện"
    if _PERIOD_WORDS.get(rule.period):
        words += f" định kỳ {_PERIOD_WORDS[rule.period]}"
    if rule.rule == "before_day_next" and rule.day:
        words += f" trước ngày {rule.day} {_NEXT_PERIOD.get(rule.period, 'kỳ tiếp theo')}"
    elif rule.rule == "fixed_date" and rule.day and rule.month:
        words += f" trước ngày {_day(rule.day)}/{_day(rule.month)}"
    elif rule.rule == "working_days_after" and rule.days:
        words += f" trong {rule.days} ngày làm việc sau khi kết thúc kỳ báo cáo"
    elif rule.rule == "days_after" and rule.days:
        words += f" trong {rule.days} ngày sau khi kết thúc kỳ báo cáo"
    if rule.recipient.strip():
        words += f", gửi về {rule.recipient.strip()}"
    return words + "."


def closing_sentence(doc: PlanDocument) -> str:
    """The last paragraph of the body, ending with "./." as Nghị định 30 requires."""
    title = " ".join(title_lines(doc))
    about = f"Kế hoạch {_lower_first(title)}" if title else "Kế hoạch"
    issuer = " ".join(doc.issuer.split())
    by = f" của {issuer}" if issuer else ""
    return (
        f"Trên đây là {about}{by}. Đề nghị các cơ quan, đơn vị liên quan nghiêm túc "
        "triển khai thực hiện./."
    )


def recipient_lines(recipients: list[str]) -> list[str]:
    """ "- Sở Y tế Hà Nội;" … "- Lưu: VT, KGVX." — with "Lưu: VT." added when missing."""
    names = [r.strip().lstrip("-+• ").rstrip(" ;.,") for r in recipients]
    names = [n for n in names if n]
    if not any(fold(n).startswith("luu") for n in names):
        names.append("Lưu: VT")
    last = len(names) - 1
    # "Sở Y tế Hà Nội; (để b/cáo)" already has its semicolon, before the purpose.
    return [f"- {n}" + ("." if i == last else "" if ";" in n else ";") for i, n in enumerate(names)]


def signer_lines(doc: PlanDocument) -> list[str]:
    return [line.strip().upper() for line in doc.signer_title.splitlines() if line.strip()]


# --- the body: parts and sections ---------------------------------------------------------


class Style(StrEnum):
    PART = "part"  # "I. MỤC TIÊU, CHỈ TIÊU"
    HEADING = "heading"  # "1. Mục tiêu", "2. Sở Y tế"
    SUBHEADING = "subheading"  # "4.1. Về quy mô dân số…", "a) …"
    MINOR = "minor"  # "4.1.1. …"
    TEXT = "text"  # a paragraph; "\n" inside it is a line break


@dataclass(frozen=True)
class Block:
    style: Style
    text: str


_RANKS = {
    SectionKind.PURPOSE: 0,
    SectionKind.REQUIREMENT: 0,
    SectionKind.OBJECTIVE: 1,
    SectionKind.TASK: 2,
    SectionKind.BUDGET: 3,
    SectionKind.RESPONSIBILITY: 4,
    SectionKind.REPORTING: 5,
}
_OBJECTIVES = 1
_PART_HEADINGS = {
    2: "NHIỆM VỤ, HOẠT ĐỘNG CHỦ YẾU",
    3: "KINH PHÍ THỰC HIỆN",
    4: "TỔ CHỨC THỰC HIỆN",
    5: "CHẾ ĐỘ BÁO CÁO",
}
_ROMANS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def roman(number: int) -> str:
    return _ROMANS[number - 1] if 0 < number <= len(_ROMANS) else str(number)


def paragraphs(body: str) -> list[str]:
    """A section body's paragraphs: split at blank lines, each stripped."""
    chunks = re.split(r"\n[ \t]*\n", body.replace("\r\n", "\n"))
    return [c.strip("\n").strip() for c in chunks if c.strip()]


def _is_roman(number: str) -> bool:
    return bool(_ROMAN.match(number.strip().rstrip(".")))


def _heading_style(number: str) -> Style:
    number = number.strip().rstrip(".)")
    if _LETTER.match(number):
        return Style.SUBHEADING
    depth = number.count(".") + 1
    return {1: Style.HEADING, 2: Style.SUBHEADING}.get(depth, Style.MINOR)


def numbered(number: str, heading: str) -> str:
    """``("4.1", "Về quy mô")`` → ``"4.1. Về quy mô"``; ``("a", …)`` → ``"a) …"``."""
    number = number.strip().rstrip(".)")
    if not number:
        return heading
    mark = ")" if _LETTER.match(number) else "."
    return f"{number}{mark} {heading}".rstrip()


@dataclass
class _Part:
    rank: int
    sections: list[Section]
    heading: str = ""  # set when the first section is the part itself ("III. NGUỒN KINH PHÍ")
    body: str = ""


def _parts(doc: PlanDocument) -> list[_Part]:
    """Group the sections into the plan's numbered parts, in the order a plan has them.

    A section's kind gives its part; a section of kind OTHER stays in the part of the
    section before it, unless it is numbered with a Roman numeral, which makes it a part
    of its own ("II. ĐỐI TƯỢNG, PHẠM VI…").  A Roman-numbered section of any kind is the
    part itself: its heading is the part's heading and its body comes right under it.
    """
    ranked: list[tuple[int, int, Section]] = []
    rank = -1
    for index, section in enumerate(doc.sections):
        rank = _RANKS.get(section.kind, rank)
        ranked.append((rank, index, section))
    ranked.sort(key=lambda item: (item[0], item[1]))
    parts: list[_Part] = []
    for rank, _index, section in ranked:
        if _is_roman(section.number):
            parts.append(_Part(rank, [], section.heading.strip().upper(), section.body))
        elif not parts or parts[-1].rank != rank:
            parts.append(_Part(rank, [section]))
        else:
            parts[-1].sections.append(section)
    if doc.targets and not any(p.rank == _OBJECTIVES for p in parts):
        parts.append(_Part(_OBJECTIVES, []))
        parts.sort(key=lambda p: p.rank)
    return parts


def _default_heading(part: _Part, has_targets: bool) -> str:
    kinds = {s.kind for s in part.sections}
    if part.rank == 0:
        wanted = []
        if SectionKind.PURPOSE in kinds or not kinds - {SectionKind.OTHER}:
            wanted.append("MỤC ĐÍCH")
        if SectionKind.REQUIREMENT in kinds:
            wanted.append("YÊU CẦU")
        return ", ".join(wanted)
    if part.rank == _OBJECTIVES:
        return "MỤC TIÊU, CHỈ TIÊU" if has_targets else "MỤC TIÊU"
    return _PART_HEADINGS.get(part.rank, "")


def _text_blocks(body: str) -> list[Block]:
    return [Block(Style.TEXT, p) for p in paragraphs(body)]


def _is_targets_heading(section: Section) -> bool:
    return fold(section.heading).startswith("chi tieu")


def _appendix_pointer(doc: PlanDocument) -> str:
    numbers = [
        str(a.number if a.number is not None else i + 1) for i, a in enumerate(doc.appendices)
    ]
    if not numbers:
        return ""
    return f"(Chi tiết theo Phụ lục số {', '.join(numbers)})"


def _targets_blocks(doc: PlanDocument, extra: list[str]) -> list[Block]:
    blocks = [Block(Style.TEXT, target_sentence(t)) for t in doc.targets]
    kept = [p for p in extra if not p.lstrip().startswith(("-", "+", "•"))]
    blocks += [Block(Style.TEXT, p) for p in kept]
    pointer = _appendix_pointer(doc)
    if pointer and not any("phu luc" in fold(p) for p in kept):
        blocks.append(Block(Style.TEXT, pointer))
    return blocks


def _section_blocks(part: _Part, doc: PlanDocument) -> list[Block]:
    blocks: list[Block] = []
    counter = 0
    targets_written = not doc.targets or part.rank != _OBJECTIVES
    for section in part.sections:
        number = section.number.strip()
        if not number or "." not in number.rstrip("."):
            counter += 1
        number = number or (str(counter) if section.heading or section.agency else "")
        heading = section.heading.strip() or section.agency.strip()
        if heading:
            blocks.append(Block(_heading_style(number or "1"), numbered(number, heading)))
        if not targets_written and _is_targets_heading(section):
            blocks += _targets_blocks(doc, paragraphs(section.body))
            targets_written = True
        else:
            blocks += _text_blocks(section.body)
    if not targets_written:
        blocks.append(Block(Style.HEADING, numbered(str(counter + 1), "Chỉ tiêu")))
        blocks += _targets_blocks(doc, [])
    return blocks


def outline(doc: PlanDocument) -> list[Block]:
    """The body of the plan, from the căn cứ to the closing "./.", as styled paragraphs."""
    blocks: list[Block] = []
    preamble = paragraphs(doc.preamble)
    said = fold(" ".join(preamble))
    for ref in doc.references:
        quoted = fold(ref.text) if ref.text.strip() else fold(ref.number)
        if not quoted or quoted not in said:
            blocks.append(Block(Style.TEXT, reference_sentence(ref)))
    blocks += [Block(Style.TEXT, p) for p in preamble]
    number = 0
    for part in _parts(doc):
        heading = part.heading or _default_heading(part, bool(doc.targets))
        if heading:
            number += 1
            blocks.append(Block(Style.PART, f"{roman(number)}. {heading}"))
        blocks += _text_blocks(part.body)
        blocks += _section_blocks(part, doc)
    bodies = fold(" ".join(s.body for s in doc.sections))
    seen: set[str] = set()
    for rule in doc.report_rules:
        sentence = report_rule_sentence(rule)
        key = fold(sentence)
        if key in seen or (rule.text.strip() and key in bodies):
            continue
        seen.add(key)
        blocks.append(Block(Style.TEXT, sentence))
    last = blocks[-1].text.rstrip() if blocks else ""
    if not last.endswith("/."):
        blocks.append(Block(Style.TEXT, closing_sentence(doc)))
    return blocks


# --- the activity schedule ------------------------------------------------------------------


def split_group(group: str) -> tuple[str, str]:
    """``"I. Công tác chỉ đạo điều hành"`` → ``("I", "Công tác chỉ đạo điều hành")``."""
    found = _ROMAN_PREFIX.match(group)
    if found is None:
        return "", group.strip()
    return found.group(1), found.group(2).strip()
