"""Report obligations (chế độ báo cáo): how often, due when, to whom.

- "báo cáo … định kỳ hàng quý (hạn gửi báo cáo trước ngày 10 tháng đầu tiên của quý
  tiếp theo)" → quarter, before the 10th of the month after the quarter;
- "báo cáo tổng kết năm gửi trước ngày 15/12" → year, fixed date 15/12;
- "hàng tháng … trước ngày 5 của tháng sau" → month, before the 5th of the next month;
- "hàng quý … trong vòng 5 ngày làm việc" → working days after the period.

Each mention of a period ("hàng quý", "tổng kết năm") is read up to the next one, so
that two obligations in one sentence keep their own deadlines.  The recipient is the
agency the sentence sends reports to ("gửi về Sở Y tế", "(qua Sở Y tế tổng hợp)").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from danso.plans.document import ReportRule
from danso.plans.reading.blocks import Paragraph
from danso.plans.reading.words import fold_same_length

_PERIOD = re.compile(r"hang thang|hang quy|hang nam|tong ket nam|bao cao nam")
_PERIODS = {
    "hang thang": "month",
    "hang quy": "quarter",
    "hang nam": "year",
    "tong ket nam": "year",
    "bao cao nam": "year",
}
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "before_day_next",
        re.compile(
            r"[^.;]*?truoc ngay (?P<day>\d{1,2})\s+(?:cua\s+)?"
            r"(?:thang\s+(?:dau(?: tien)?\s+)?(?:cua\s+)?)?"
            r"(?:quy|thang)\s+(?:tiep theo|sau|ke tiep)\)?"
        ),
    ),
    (
        "fixed_date",
        re.compile(r"[^.;]*?truoc ngay (?P<day>\d{1,2})\s*(?:/|thang)\s*(?P<month>\d{1,2})"),
    ),
    (
        "working_days_after",
        re.compile(r"[^.;]*?trong\s+(?:vong\s+)?(?P<days>\d{1,2})\s+ngay lam viec"),
    ),
)
_RECIPIENT = re.compile(
    r"(?:gui ve|gui den|qua)\s+(?P<recipient>(?:so|trung tam|phong|chi cuc|ubnd|uy ban)\b.+?)"
    r"(?=\s+tong hop|\s+de\s|[,;.()]|$)"
)
_LOOK_BACK = 80  # how far before "hàng quý" the words "báo cáo" may stand


def read_report_rules(paragraphs: Sequence[Paragraph]) -> list[ReportRule]:
    """The report obligations with a stated period and deadline, in order."""
    rules: list[ReportRule] = []
    for paragraph in paragraphs:
        rules += _paragraph_rules(paragraph.text)
    return rules


def _paragraph_rules(text: str) -> list[ReportRule]:
    folded = fold_same_length(text.lower())
    if "bao cao" not in folded:
        return []
    recipient = ""
    if found := _RECIPIENT.search(folded):
        recipient = text[found.start("recipient") : found.end("recipient")].strip()
    mentions = list(_PERIOD.finditer(folded))
    rules = []
    for index, mention in enumerate(mentions):
        end = mentions[index + 1].start() if index + 1 < len(mentions) else len(folded)
        for rule, pattern in _RULES:
            match = pattern.match(folded, mention.end(), end)
            if match is None:
                continue
            start = folded.rfind(
                "bao cao", max(0, mention.start() - _LOOK_BACK), mention.start() + 1
            )
            start = start if start >= 0 else mention.start()
            rules.append(
                _rule(rule, _PERIODS[mention.group()], match, text[start : match.end()], recipient)
            )
            break
    return rules


def _rule(rule: str, period: str, match: re.Match[str], text: str, recipient: str) -> ReportRule:
    groups = match.groupdict()
    return ReportRule(
        text=text.strip(),
        period=period,
        rule=rule,
        day=int(groups["day"]) if groups.get("day") else None,
        month=int(groups["month"]) if groups.get("month") else None,
        days=int(groups["days"]) if groups.get("days") else None,
        recipient=recipient,
    )
