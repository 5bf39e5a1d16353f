"""A plan document as data, with no Django import: what reading a .txt/.docx/.xlsx plan
gives, and what the .docx/.xlsx export writes.

Reading and writing go through this one shape, so that an exported plan read back gives
the same plan.  Numbers are ``Decimal`` as written (``0,15`` → ``Decimal("0.15")``;
``416.950`` persons → ``Decimal("416950")``); a change target's value is signed
(``giảm 0,15`` → ``-0.15``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any


class TargetKind(StrEnum):
    LEVEL_MIN = "level_min"  # actual ≥ value ("Tỷ lệ sàng lọc sơ sinh: 90%")
    CEILING = "ceiling"  # actual ≤ value ("không quá 110/100")
    CHANGE = "change"  # actual − baseline (year) in points, signed ("giảm 0,15% so với 2024")
    COUNT_MIN = "count_min"  # a count, at least ("416.950 người")
    NEAR = "near"  # within ``tolerance`` of value ("TFR đạt mức 2,1")
    ALL_CHILDREN = "all_children"  # every child unit meets ``condition`` ("100% các phường…")


class SectionKind(StrEnum):
    PURPOSE = "purpose"  # mục đích
    REQUIREMENT = "requirement"  # yêu cầu
    OBJECTIVE = "objective"  # mục tiêu (chung, cụ thể)
    TASK = "task"  # nhiệm vụ, hoạt động, giải pháp (grouped by heading)
    BUDGET = "budget"  # kinh phí
    RESPONSIBILITY = "responsibility"  # tổ chức thực hiện: one section per agency
    REPORTING = "reporting"  # chế độ báo cáo
    OTHER = "other"


@dataclass
class Problem:
    severity: str  # "error" | "warning"
    where: str  # "Phụ lục 2, dòng 14" / "line 312" / "sheet PL2, row 9"
    message: str
    # An error that stops the import (a row that cannot be read, a unit that cannot be
    # matched).  Errors in the document's own arithmetic (a total row that is not the sum
    # of the rows) do not: the figures are stored as written and the error is reported.
    blocking: bool = True


@dataclass
class DocumentRef:
    """A document the plan implements or cites (căn cứ)."""

    number: str  # "68/KH-UBND"
    issued_on: date | None
    issuer: str  # "UBND quận Long Biên"
    title: str
    text: str = ""  # the words as written


@dataclass
class TargetSpec:
    indicator: str  # a code of danso.indicators.catalogue ("NEWBORN", "SRB", "NEWFP", …)
    kind: TargetKind
    value: Decimal
    unit: str  # "%", "‰", "per100", "persons", "children_per_woman"
    baseline_year: int | None = None  # for CHANGE
    tolerance: Decimal | None = None  # for NEAR
    condition: str = ""  # for ALL_CHILDREN, e.g. "TFR near 2.1"
    text: str = ""  # the sentence it was read from
    # For NEWFP: per-method totals or supply splits, as in AllocationRow breakdowns.
    breakdown: dict[str, Any] | None = None


@dataclass
class AllocationColumn:
    """One column of an allocation table."""

    key: str  # unique in the table: "BIRTH3P", "NEWFP", "NEWFP.iud", "NEWFP.iud.free"
    indicator: str  # "BIRTH3P" or "NEWFP"
    kind: TargetKind
    unit: str
    header: str  # as written, sub-headers joined with " / "
    method: str | None = None  # for NEWFP: a method of catalogue.METHODS
    supply: str | None = None  # "total" | "free" | "social_marketing"


@dataclass
class AllocationRow:
    line: int  # the row's line (txt), row (xlsx) or table row (docx) in the source
    unit_name: str  # as written ("Ứng Hoà", "Thị xã Sơn Tây", "Toàn Thành phố")
    values: dict[str, Decimal | None]  # column key -> value
    is_total: bool = False
    number: str = ""  # the TT column


@dataclass
class Appendix:
    """An allocation table (phụ lục giao chỉ tiêu)."""

    number: int | None  # Phụ lục 1, 2, …
    title: str
    columns: list[AllocationColumn]
    rows: list[AllocationRow]
    source: str = ""  # "file.txt, line 197" / "sheet PL2" / "table 3"


@dataclass
class Section:
    kind: SectionKind
    heading: str
    body: str  # paragraphs separated by blank lines; "- " and "+ " bullets kept
    number: str = ""  # "1", "2.1", "III"
    agency: str = ""  # for RESPONSIBILITY


@dataclass
class ReportRule:
    """A report obligation: what, how often, due when, to whom."""

    text: str  # as written
    period: str  # "month" | "quarter" | "year" | "once"
    rule: str  # "before_day_next" | "fixed_date" | "working_days_after" | "days_after"
    day: int | None = None  # before_day_next: the day of the month after the period
    month: int | None = None  # fixed_date: month (with day)
    days: int | None = None  # working_days_after / days_after
    recipient: str = ""


@dataclass
class ActivitySpec:
    """A row of the activity schedule (biểu tiến độ)."""

    group: str  # the group heading ("I. Công tác chỉ đạo điều hành")
    number: str
    name: str
    window: str  # as written: "Hàng tháng", "Tháng 3 - 10/2024", "Tháng 10/2024"
    start: date | None
    end: date | None
    recurrence: str | None  # "monthly" | "quarterly" | "yearly" | None
    lead: str
    coordinating: str


@dataclass
class PlanDocument:
    issuer: str = ""  # "UBND thành phố Hà Nội"
    number: str = ""  # "256/KH-UBND" ("" while unnumbered: "Số: /KH-UBND")
    issued_on: date | None = None
    place: str = ""  # "Hà Nội"
    title: str = ""
    period_start: int | None = None  # year
    period_end: int | None = None
    preamble: str = ""
    references: list[DocumentRef] = field(default_factory=list)
    targets: list[TargetSpec] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    report_rules: list[ReportRule] = field(default_factory=list)
    activities: list[ActivitySpec] = field(default_factory=list)
    appendices: list[Appendix] = field(default_factory=list)
    signer_title: str = ""  # "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"
    signer_name: str = ""
    recipients: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
