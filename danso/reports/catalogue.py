"""The built-in report types and what their rows may be.  Pure Python.

A report type is configuration (``danso.reports.models.ReportType``): ``danso setup``
loads the types below once, and province officers edit them from then on.  The four
built-in types are the statistical reports of Circular 01/2022/TT-BYT (DOMAIN §6):

- ``commune-monthly``, ``commune-quarterly``, ``commune-annual`` (form 03-DSX): a
  commune reports to its district within 5 working days after the period ends;
- ``district-quarterly`` (form 01-DSH): a district reports to its province within 15
  days, one column per commune.

A row is one of four kinds:

- ``indicator``: a value the indicator engine computes (a code of the indicator
  catalogue: ``SRB``, ``NEWFP.iud``);
- ``count``: a count the form asks for, either one the engine tallies from the register
  or from entered figures (``births.M``: ``danso.indicators.entered.FIELDS``) or one only
  the officer gives (``MANUAL_COUNTS``: consanguineous marriages, which the register does
  not record);
- ``section``: free text (assessment, proposals);
- ``target``: a target of a plan, judged against the figures of the year to date (only in
  the plan implementation reports ``danso.reports.report_types.plan_report_types_from``
  makes from a plan's report obligations).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from danso.indicators import tallies as keys
from danso.indicators.catalogue import BY_CODE, METHODS
from danso.indicators.entered import FIELDS
from danso.indicators.periods import PeriodKind
from danso.reports.deadlines import DaysAfter, DeadlineRule, WorkingDaysAfter
from danso.units.codes import Level


class RowKind(StrEnum):
    INDICATOR = "indicator"
    COUNT = "count"
    SECTION = "section"
    TARGET = "target"  # a plan's target (plan implementation reports only)


#: Counts of the statistical forms that the engine cannot tally: the register does not
#: record kinship between spouses, so the officer enters them.  Key: (Vietnamese label,
#: English label).
MANUAL_COUNTS: dict[str, tuple[str, str]] = {
    keys.MARRIED_CONSANGUINEOUS: (
        "— trong đó: kết hôn cận huyết thống",
        "— of which consanguineous marriage",
    ),
}
#: Counts the engine tallies, with the words of the form where they differ from the
#: entered-figures screen.
ENGINE_COUNTS: dict[str, tuple[str, str]] = {f.key: (f.label_vi, f.label_en) for f in FIELDS} | {
    keys.POPULATION: (
        "Số nhân khẩu thực tế thường trú (tại ngày tham chiếu của kỳ)",
        "Usual residents (on the period's reference date)",
    ),
    keys.CPR_WOMEN: (
        "Số phụ nữ 15–49 tuổi có chồng (ngày cuối kỳ)",
        "Married women aged 15–49 (last day of the period)",
    ),
    keys.BIRTHS: ("Số trẻ sinh ra trong kỳ", "Births in the period"),
    keys.BIRTHS_ORDER3P: ("— sinh con thứ ba trở lên", "— third or higher child"),
    keys.DEATHS: ("Số người chết", "Deaths"),
    keys.PREMARITAL_CHECKED: (
        "Số cặp được tư vấn, khám sức khỏe trước kết hôn",
        "Couples with premarital counselling or check",
    ),
    # tallied by the engine from the register only (a paper commune enters them here)
    keys.HOUSEHOLDS: ("Số hộ dân cư", "Households"),
    keys.BIRTHS_ORDER2: ("— sinh con thứ hai", "— second child"),
    keys.BIRTHS_MOTHER_UNDER20: ("— mẹ dưới 20 tuổi", "— mother under 20"),
    keys.MARRIED: ("Số người kết hôn", "Persons married"),
    keys.MARRIED_CHILD: ("— trong đó: tảo hôn", "— of which child marriage"),
    keys.DIVORCED: ("Số người ly hôn", "Persons divorced"),
    keys.MOVED_IN: ("Số người chuyển đến", "Persons moving in"),
    keys.MOVED_OUT: ("Số người chuyển đi", "Persons moving out"),
}


def count_label(key: str) -> tuple[str, str] | None:
    """The (Vietnamese, English) label of a count key, or None for a key no form knows."""
    return ENGINE_COUNTS.get(key) or MANUAL_COUNTS.get(key)


@dataclass(frozen=True)
class RowSpec:
    kind: RowKind
    key: str  # indicator code, count key, or a short name for a section
    label_vi: str
    label_en: str


def indicator(code: str) -> RowSpec:
    spec = BY_CODE[code]
    return RowSpec(RowKind.INDICATOR, code, spec.name_vi, spec.name_en)


def count(key: str) -> RowSpec:
    label = count_label(key)
    assert label is not None, key  # the built-in rows below use known keys only
    return RowSpec(RowKind.COUNT, key, *label)


def section(key: str, label_vi: str, label_en: str) -> RowSpec:
    return RowSpec(RowKind.SECTION, key, label_vi, label_en)


@dataclass(frozen=True)
class ReportTypeSpec:
    code: str
    name_vi: str
    name_en: str
    form: str
    period_kind: PeriodKind
    reporting_level: Level
    receiving_level: Level
    deadline: DeadlineRule
    rows: tuple[RowSpec, ...]
    child_columns: bool = False  # one column per unit directly below (01-DSH)
    feeds: str | None = None  # the type of the receiving level this report is part of


# The rows of 01-DSH as DOMAIN §6 lists them; the commune forms start from the same.
_STATISTICS = (
    count(keys.HOUSEHOLDS),
    count(keys.POPULATION),
    count(keys.CPR_WOMEN),
    count(keys.BIRTHS),
    count(keys.BIRTHS_BOYS),
    count(keys.BIRTHS_GIRLS),
    count(keys.BIRTHS_ORDER2),
    count(keys.BIRTHS_ORDER3P),
    count(keys.BIRTHS_MOTHER_UNDER20),
    count(keys.DEATHS),
    count(keys.MARRIED),
    count(keys.MARRIED_CHILD),
    count(keys.MARRIED_CONSANGUINEOUS),
    count(keys.PREMARITAL_CHECKED),
    count(keys.DIVORCED),
    count(keys.MOVED_IN),
    count(keys.MOVED_OUT),
)
_FAMILY_PLANNING = (indicator("NEWFP"), *(indicator(f"NEWFP.{m}") for m in METHODS))
_QUARTER_INDICATORS = (
    indicator("SRB"),
    indicator("BIRTH3P"),
    indicator("PRENATAL"),
    indicator("NEWBORN"),
    indicator("CPR"),
)
_YEAR_INDICATORS = (indicator("CBR"), indicator("GFR"), indicator("TFR"), indicator("CDR"))
#: The closing section of every report, the plans' implementation reports included.
ASSESSMENT = section(
    "assessment",
    "Đánh giá kết quả, khó khăn và kiến nghị",
    "Assessment, difficulties and proposals",
)

#: Circular 01/2022/TT-BYT: a commune's reports are due within 5 working days.
COMMUNE_DEADLINE = WorkingDaysAfter(5)
#: Form 01-DSH: within 15 days; a last day off moves to the next working day (Civil Code
#: art. 148).
DISTRICT_DEADLINE = DaysAfter(15, move=True)

BUILT_IN: tuple[ReportTypeSpec, ...] = (
    ReportTypeSpec(
        "commune-monthly",
        "Báo cáo thống kê dân số tháng của xã",
        "Commune monthly population report",
        "",
        PeriodKind.MONTH,
        Level.COMMUNE,
        Level.DISTRICT,
        COMMUNE_DEADLINE,
        (*_STATISTICS, *_FAMILY_PLANNING, ASSESSMENT),
    ),
    ReportTypeSpec(
        "commune-quarterly",
        "Báo cáo thống kê dân số quý của xã",
        "Commune quarterly population report",
        "",
        PeriodKind.QUARTER,
        Level.COMMUNE,
        Level.DISTRICT,
        COMMUNE_DEADLINE,
        (*_STATISTICS, *_FAMILY_PLANNING, *_QUARTER_INDICATORS, ASSESSMENT),
        feeds="district-quarterly",
    ),
    ReportTypeSpec(
        "commune-annual",
        "Báo cáo thống kê dân số năm của xã",
        "Commune annual population report",
        "03-DSX",
        PeriodKind.YEAR,
        Level.COMMUNE,
        Level.DISTRICT,
        COMMUNE_DEADLINE,
        (*_STATISTICS, *_FAMILY_PLANNING, *_QUARTER_INDICATORS, *_YEAR_INDICATORS, ASSESSMENT),
    ),
    ReportTypeSpec(
        "district-quarterly",
        "Báo cáo thống kê dân số quý của huyện",
        "District quarterly population report",
        "01-DSH",
        PeriodKind.QUARTER,
        Level.DISTRICT,
        Level.PROVINCE,
        DISTRICT_DEADLINE,
        _STATISTICS,
        child_columns=True,
    ),
)


@dataclass(frozen=True)
class KnownDay:
    day: date
    working: bool
    note: str


#: The government's swaps the ``holidays`` package does not have (checked against
#: version 0.109); ``danso setup`` adds them to the administrator's calendar days.
KNOWN_DAYS: tuple[KnownDay, ...] = (
    KnownDay(
        date(2026, 1, 2),
        False,
        "Nghỉ Tết Dương lịch 2026, hoán đổi với thứ Bảy 10/01/2026 (12729/VPCP-KGVX)",
    ),
    KnownDay(
        date(2026, 1, 10),
        True,
        "Làm bù cho ngày 02/01/2026 (12729/VPCP-KGVX ngày 25/12/2025)",
    ),
)
