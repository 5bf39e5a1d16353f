"""The indicators of population work (DOMAIN §4.1), as data with no Django import.

This is the catalogue danso starts with; officers edit it in the app (the ``Indicator``
model is loaded from it once).  ``phrases`` are folded (``danso.vietnamese.fold``) word
groups by which plan documents name the indicator; a document names it when every word
group of one alternative appears.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Unit(StrEnum):
    PERCENT = "%"
    PERMILLE = "‰"
    PER_100 = "per100"  # boys per 100 girls
    PERSONS = "persons"
    CHILDREN_PER_WOMAN = "children_per_woman"
    PER_WOMAN = "per_woman"


class Direction(StrEnum):
    HIGHER = "higher"  # higher is better
    LOWER = "lower"
    TARGET = "target"  # closest to a value is best (TFR at replacement level)


#: Contraceptive methods counted by NEWFP, in the order of the plans' tables.
METHODS = ("iud", "implant", "injectable", "pill", "condom", "sterilisation")
METHOD_NAMES_VI = {
    "iud": "Dụng cụ tử cung",
    "implant": "Thuốc cấy tránh thai",
    "injectable": "Thuốc tiêm tránh thai",
    "pill": "Viên uống tránh thai",
    "condom": "Bao cao su",
    "sterilisation": "Triệt sản",
}
#: Supply sources of a method: the sub-columns of the 2021 appendix.
SUPPLIES = ("total", "free", "social_marketing")
SUPPLY_NAMES_VI = {
    "total": "Tổng số",
    "free": "TĐ: Miễn phí",
    "social_marketing": "TĐ: Tiếp thị xã hội và XHH",
}
ASFR_GROUPS = ("15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49")


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name_vi: str
    name_en: str
    unit: Unit
    direction: Direction
    #: what is counted above and below the line, as the official definitions word it
    numerator: str
    denominator: str
    #: the same in English, for the English interface
    numerator_en: str
    denominator_en: str
    decimals: int
    is_count: bool = False
    phrases: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    parent: str | None = None


CATALOGUE: tuple[IndicatorSpec, ...] = (
    IndicatorSpec(
        "CBR",
        "Tỷ suất sinh thô",
        "Crude birth rate",
        Unit.PERMILLE,
        Direction.LOWER,
        "Số trẻ sinh sống trong kỳ",
        "Dân số trung bình kỳ (× 1000)",
        "Live births in the period",
        "Mid-period population (× 1000)",
        2,
        phrases=(("ty suat sinh tho",), ("ty suat sinh",)),
    ),
    IndicatorSpec(
        "GFR",
        "Tỷ suất sinh chung",
        "General fertility rate",
        Unit.PERMILLE,
        Direction.LOWER,
        "Số trẻ sinh sống trong kỳ",
        "Số phụ nữ 15–49 tuổi có đến giữa kỳ (× 1000)",
        "Live births in the period",
        "Women 15–49 at mid-period (× 1000)",
        2,
        phrases=(("ty suat sinh chung",),),
    ),
    IndicatorSpec(
        "ASFR",
        "Tỷ suất sinh đặc trưng theo tuổi",
        "Age-specific fertility rate",
        Unit.PER_WOMAN,
        Direction.TARGET,
        "Số trẻ sinh sống trong kỳ của các bà mẹ thuộc nhóm tuổi",
        "Số phụ nữ thuộc nhóm tuổi có đến giữa kỳ",
        "Births to mothers of the age group",
        "Women of the age group at mid-period",
        4,
        phrases=(("ty suat sinh dac trung theo tuoi",),),
    ),
    IndicatorSpec(
        "TFR",
        "Tổng tỷ suất sinh",
        "Total fertility rate",
        Unit.CHILDREN_PER_WOMAN,
        Direction.TARGET,
        "5 × Σ tỷ suất sinh đặc trưng theo tuổi (tính trên một phụ nữ)",
        "—",
        "5 × Σ ASFR (per woman)",
        "—",
        2,
        phrases=(("tong ty suat sinh",), ("muc sinh thay the",)),
    ),
    IndicatorSpec(
        "BIRTH3P",
        "Tỷ lệ sinh con thứ 3 trở lên",
        "Share of third-or-higher births",
        Unit.PERCENT,
        Direction.LOWER,
        "Số trẻ sinh ra là con thứ 3 trở lên trong kỳ",
        "Số trẻ sinh ra trong kỳ đã biết thứ tự sinh (× 100)",
        "Births of order ≥ 3",
        "Births of known order (× 100)",
        2,
        phrases=(
            ("sinh con thu 3",),
            ("sinh con thu 03",),
            ("con thu ba",),
            ("con thu 3 tro len",),
        ),
    ),
    IndicatorSpec(
        "SRB",
        "Tỷ số giới tính khi sinh",
        "Sex ratio at birth",
        Unit.PER_100,
        Direction.LOWER,
        "Số bé trai sinh sống trong kỳ",
        "Số bé gái sinh sống trong kỳ (× 100)",
        "Male live births",
        "Female live births (× 100)",
        1,
        phrases=(("gioi tinh khi sinh",),),
    ),
    IndicatorSpec(
        "PRENATAL",
        "Tỷ lệ sàng lọc trước sinh",
        "Prenatal screening coverage",
        Unit.PERCENT,
        Direction.HIGHER,
        "Số bà mẹ sinh con trong kỳ được sàng lọc trước sinh ít nhất 1 lần trong 280 ngày "
        "trước khi sinh",
        "Số bà mẹ sinh con trong kỳ (× 100)",
        "Women who gave birth with ≥ 1 prenatal screening in the 280 days up to the birth",
        "Women who gave birth in the period (× 100)",
        1,
        phrases=(("sang loc truoc sinh",),),
    ),
    IndicatorSpec(
        "NEWBORN",
        "Tỷ lệ sàng lọc sơ sinh",
        "Newborn screening coverage",
        Unit.PERCENT,
        Direction.HIGHER,
        "Số trẻ sinh sống trong kỳ được sàng lọc sơ sinh trong vòng 30 ngày sau sinh",
        "Số trẻ sinh sống trong kỳ (× 100)",
        "Live births screened within 30 days",
        "Live births (× 100)",
        1,
        phrases=(("sang loc so sinh",), ("tre so sinh duoc sang loc",)),
    ),
    IndicatorSpec(
        "PREG_COUNSEL",
        "Tỷ lệ thai phụ được tuyên truyền, tư vấn",
        "Pregnant women counselled on prenatal screening",
        Unit.PERCENT,
        Direction.HIGHER,
        "Số thai phụ được tuyên truyền, tư vấn về sàng lọc trước sinh",
        "Số thai phụ trong kỳ (× 100)",
        "Pregnant women counselled",
        "Pregnant women (× 100)",
        1,
        phrases=(("thai phu", "tuyen truyen"), ("thai phu", "tu van")),
    ),
    IndicatorSpec(
        "PREMARITAL",
        "Tỷ lệ cặp nam nữ được tư vấn, khám sức khỏe trước khi kết hôn",
        "Couples with premarital counselling or check-up",
        Unit.PERCENT,
        Direction.HIGHER,
        "Số cặp kết hôn trong kỳ có ít nhất một người được tư vấn, khám sức khỏe trước kết hôn "
        "trong 365 ngày trước đó",
        "Số cặp kết hôn trong kỳ (× 100)",
        "Couples married in the period where a partner had a premarital check in the 365 "
        "days before",
        "Couples married in the period (× 100)",
        1,
        phrases=(("truoc khi ket hon",), ("truoc ket hon",)),
    ),
    IndicatorSpec(
        "ELDERLY",
        "Tỷ lệ người cao tuổi được khám sức khỏe định kỳ",
        "Older persons with a periodic health check-up",
        Unit.PERCENT,
        Direction.HIGHER,
        "Số người từ 60 tuổi trở lên được khám sức khỏe định kỳ ít nhất 1 lần trong kỳ",
        "Số người từ 60 tuổi trở lên có đến giữa kỳ (× 100)",
        "Persons aged ≥ 60 with ≥ 1 periodic check-up in the period",
        "Persons aged ≥ 60 at mid-period (× 100)",
        1,
        phrases=(("nguoi cao tuoi", "kham"), ("nct", "kham")),
    ),
    IndicatorSpec(
        "NEWFP",
        "Số người mới sử dụng biện pháp tránh thai",
        "New contraceptive users",
        Unit.PERSONS,
        Direction.HIGHER,
        "Số người mới sử dụng biện pháp tránh thai hiện đại trong kỳ",
        "—",
        "Starts of a modern method in the period",
        "—",
        0,
        is_count=True,
        phrases=(("bien phap tranh thai", "moi"), ("bptt", "moi"), ("bien phap tranh thai",)),
    ),
    IndicatorSpec(
        "CPR",
        "Tỷ lệ sử dụng biện pháp tránh thai hiện đại",
        "Modern contraceptive prevalence rate",
        Unit.PERCENT,
        Direction.HIGHER,
        "Số phụ nữ 15–49 tuổi có chồng đang sử dụng biện pháp tránh thai hiện đại tại thời điểm "
        "cuối kỳ",
        "Số phụ nữ 15–49 tuổi có chồng tại thời điểm cuối kỳ (× 100)",
        "Married women 15–49 using a modern method at period end",
        "Married women 15–49 at period end (× 100)",
        1,
        phrases=(("bien phap tranh thai hien dai", "ty le"),),
    ),
    IndicatorSpec(
        "CDR",
        "Tỷ suất chết thô",
        "Crude death rate",
        Unit.PERMILLE,
        Direction.LOWER,
        "Số người chết trong kỳ",
        "Dân số trung bình kỳ (× 1000)",
        "Deaths in the period",
        "Mid-period population (× 1000)",
        2,
        phrases=(("ty suat chet tho",),),
    ),
    *(
        IndicatorSpec(
            f"NEWFP.{method}",
            f"Số người mới sử dụng: {METHOD_NAMES_VI[method].lower()}",
            f"New contraceptive users: {method}",
            Unit.PERSONS,
            Direction.HIGHER,
            f"Số người mới sử dụng biện pháp {METHOD_NAMES_VI[method].lower()} trong kỳ",
            "—",
            f"Starts of {method} in the period",
            "—",
            0,
            is_count=True,
            parent="NEWFP",
        )
        for method in METHODS
    ),
    *(
        IndicatorSpec(
            f"ASFR.{group}",
            f"Tỷ suất sinh đặc trưng tuổi {group}",
            f"ASFR {group}",
            Unit.PER_WOMAN,
            Direction.TARGET,
            f"Số trẻ sinh sống trong kỳ của các bà mẹ {group} tuổi",
            f"Số phụ nữ {group} tuổi có đến giữa kỳ",
            f"Births to mothers aged {group}",
            f"Women aged {group} at mid-period",
            4,
            parent="ASFR",
        )
        for group in ASFR_GROUPS
    ),
)

BY_CODE = {spec.code: spec for spec in CATALOGUE}

#: The catalogue's English words for its Vietnamese numerators and denominators (the same
#: Vietnamese words always have the same English ones).
ENGLISH_WORDS = {
    vietnamese: english
    for spec in CATALOGUE
    for vietnamese, english in (
        (spec.numerator, spec.numerator_en),
        (spec.denominator, spec.denominator_en),
    )
}


def words_in_english(text: str) -> str:
    """``text`` (a numerator or denominator as stored) for an English reader: the
    catalogue's English if it is still the catalogue's Vietnamese, else as written."""
    return ENGLISH_WORDS.get(text, text)
