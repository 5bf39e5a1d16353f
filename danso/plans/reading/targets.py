"""Headline targets: the sentences of a plan's objectives that name an indicator and
a value ("Tỷ lệ sàng lọc sơ sinh (% số trẻ sơ sinh): **90%**.").

The value is, in this order: the first number in a bold part that does not itself name
the indicator; else the first number after the indicator's phrase and after a colon
that follows it.  Numbers that are not values are skipped: a year ("năm 2024"), a
birth order ("con thứ 03"), a count of diseases ("4 bệnh"), a denominator ("/100",
"con/01 phụ nữ").

The kind comes from the words (see ``_kind``); a change has its sign from "giảm" or
"tăng", and its baseline from "so với năm 2024", else the year before the plan's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from danso.indicators.catalogue import BY_CODE, Direction, IndicatorSpec
from danso.plans.document import TargetKind, TargetSpec
from danso.plans.reading.blocks import Paragraph
from danso.plans.reading.numbers import parse_value
from danso.plans.reading.words import find_indicator, find_indicator_at, fold_same_length

#: Total fertility at replacement level: "mức sinh thay thế".
REPLACEMENT_TFR = Decimal("2.1")
#: Plans say "đạt mức 2,1" without a band; within 0.1 child per woman of it (2.0–2.2)
#: is how demographers read "at replacement level".
NEAR_TOLERANCE = Decimal("0.1")

_NUMBER = re.compile(r"[-−+]?\d+(?:[.,]\d+)*")
_CEILING_WORDS = ("khong vuot qua", "khong qua", "toi da", "duoi muc", "thap hon")
_BASELINE = re.compile(r"so voi\s+(?:nam\s+)?(\d{4})")
_ALL_CHILDREN = re.compile(
    r"^(?P<value>\d+(?:[.,]\d+)?)\s*%\s+(?:so\s+)?(?:cac\s+)?"
    r"(?P<level>phuong|xa|quan|huyen|thi xa|thi tran|don vi|thon|to dan pho|dia phuong)\b"
)
_CONDITION_WORDS = {
    Direction.TARGET: "near",
    Direction.LOWER: "ceiling",
    Direction.HIGHER: "level_min",
}


def read_targets(paragraphs: Sequence[Paragraph], plan_year: int | None) -> list[TargetSpec]:
    """The targets stated in ``paragraphs`` (those of the objectives or purpose)."""
    targets = []
    for paragraph in paragraphs:
        target = read_target(paragraph, plan_year)
        if target is not None:
            targets.append(target)
    return targets


def read_target(paragraph: Paragraph, plan_year: int | None) -> TargetSpec | None:
    """The target a sentence states, or None when it names no indicator or no value."""
    text = re.sub(r"^[-+*•]\s*", "", paragraph.text)
    folded = fold_same_length(text.lower())
    share = _ALL_CHILDREN.match(folded)
    if share:
        return _all_children(text, folded, share)
    found = find_indicator_at(folded)
    if found is None:
        return None
    code, phrase_end = found
    spec = BY_CODE[code]
    value = _strong_value(paragraph.strong, spec) or _value_after(text, folded, phrase_end, spec)
    if value is None:
        return None
    kind, sign = _kind(folded, spec)
    baseline = None
    if kind is TargetKind.CHANGE:
        value = sign * abs(value)
        stated = _BASELINE.search(folded)
        baseline = int(stated[1]) if stated else (plan_year - 1 if plan_year else None)
    return TargetSpec(
        indicator=code,
        kind=kind,
        value=value,
        unit=spec.unit.value,
        baseline_year=baseline,
        tolerance=NEAR_TOLERANCE if kind is TargetKind.NEAR else None,
        text=paragraph.text,
    )


def _kind(folded: str, spec: IndicatorSpec) -> tuple[TargetKind, int]:
    """(kind, sign of a change).  A count is at least; "không quá" is a ceiling;
    "giảm", "tăng thêm", "so với" a change; otherwise the indicator's direction says:
    near for TFR, a ceiling for lower-is-better (SRB), a minimum level else."""
    if spec.is_count:
        return TargetKind.COUNT_MIN, 1
    if any(words in folded for words in _CEILING_WORDS):
        return TargetKind.CEILING, 1
    if re.search(r"(?<![a-z])giam(?![a-z])", folded):
        return TargetKind.CHANGE, -1
    if "tang them" in folded or "muc tang" in folded or "so voi" in folded:
        return TargetKind.CHANGE, 1
    if spec.direction is Direction.TARGET:
        return TargetKind.NEAR, 1
    if spec.direction is Direction.LOWER:
        return TargetKind.CEILING, 1
    return TargetKind.LEVEL_MIN, 1


def _strong_value(strong: Sequence[str], spec: IndicatorSpec) -> Decimal | None:
    for part in strong:
        folded = fold_same_length(part.lower())
        if find_indicator(folded) is None:
            value = _first_value(part, folded, 0, spec)
            if value is not None:
                return value
    return None


def _value_after(text: str, folded: str, phrase_end: int, spec: IndicatorSpec) -> Decimal | None:
    colon = text.find(":", phrase_end)
    start = colon + 1 if colon >= 0 else phrase_end
    return _first_value(text, folded, start, spec)


def _first_value(text: str, folded: str, start: int, spec: IndicatorSpec) -> Decimal | None:
    for match in _NUMBER.finditer(text, start):
        if _is_value(folded, match.start(), match.end()):
            try:
                return parse_value(match.group(), is_count=spec.is_count)
            except ValueError:
                continue
    return None


def _is_value(folded: str, start: int, end: int) -> bool:
    before = folded[max(0, start - 12) : start]
    after = folded[end : end + 8]
    number = folded[start:end].lstrip("-+−")
    if before.endswith("/") or re.search(r"(?:thu|so)\s*$", before):
        return False  # "/100", "con thứ 03", "số 21"
    if re.fullmatch(r"(?:19|20)\d\d", number) and re.search(r"(nam|doan|den)\s*$", before):
        return False  # "năm 2024", "giai đoạn 2016", "đến 2030"
    if re.match(r"\s*benh", after):
        return False  # "sàng lọc trước sinh 4 bệnh"
    return not re.match(r"/\s*(?!100\b)\d", after)  # "15/12" is a date; "110/100" a ratio


def _all_children(text: str, folded: str, match: re.Match[str]) -> TargetSpec:
    """ "100% các phường đạt mức sinh thay thế": the share of child units meeting a
    condition; the condition is the rest of the sentence read as a target."""
    rest = text[match.end() :]
    rest_folded = folded[match.end() :]
    found = find_indicator_at(rest_folded)
    code = found[0] if found else ""
    condition = rest.strip(" .")
    if found:
        spec = BY_CODE[code]
        value = _value_after(rest, rest_folded, found[1], spec)
        if value is None and code == "TFR":
            value = REPLACEMENT_TFR
        if value is not None:
            condition = f"{code} {_CONDITION_WORDS[spec.direction]} {value}"
    return TargetSpec(
        indicator=code,
        kind=TargetKind.ALL_CHILDREN,
        value=parse_value(match["value"], is_count=False),
        unit="%",
        condition=condition,
        text=text,
    )
