"""The parameters of the synthetic register: how a ward and a rural commune live (make-up
of households, parity, methods), the yearly rates of the screenings and checks, Hà Nội's
age pyramid, and the sources of names, ethnicities and places of birth.  Pure: no Django.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from typing import Generic, TypeVar

from danso.register.vocabulary import Method, Supply
from danso.vietnamese import fold

T = TypeVar("T")

FIRST_BOOK_YEAR = 2011  # books are opened every fifth year: 2011, 2016, 2021, 2026 …
NEVER = date.max.toordinal()  # the end of a stay or marriage that has not ended
LONG_AGO = 1  # the start of a marriage made before the person entered the book
MAX_SIZE = 8  # members of a household
YEAR = 365.25


def book_opening(year: int) -> date:
    """1 January of the last year a book was opened before ``year`` (2021 for 2022–2026):
    the register then covers at least ``year`` and the year before it."""
    opened = FIRST_BOOK_YEAR + (year - 1 - FIRST_BOOK_YEAR) // 5 * 5
    return date(opened, 1, 1)


class Weighted(Generic[T]):
    """Draw from fixed weights with one random number and a bisection."""

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.values = [value for value, _weight in pairs]
        self.cumulative = list(accumulate(weight for _value, weight in pairs))

    def pick(self, rng: random.Random) -> T:
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


@dataclass(frozen=True)
class Profile:
    """How a kind of commune lives: a ward of the city (phường, thị trấn) or a rural
    commune (xã).  Hazards are yearly probabilities."""

    households: int  # households of a commune at scale 1.0
    village_type: str
    village_word: str  # the name of a village: "Tổ dân phố 3", "Thôn 3"
    village_code: str  # "TDP" → 00118-TDP03
    kinds: tuple[tuple[str, float], ...]  # household make-up → weight
    parity: tuple[tuple[int, float], ...]  # children a woman of 35+ has had
    fertility: float  # multiplies every birth hazard
    marriage: float  # multiplies the hazard of a first marriage (earlier in the countryside)
    third_birth: float  # multiplies the hazard of a third or later birth
    methods: tuple[tuple[Method, float], ...]  # the method taken at a start
    supplies: tuple[tuple[Supply, float], ...]
    start_hazard: float  # a married woman with children, using nothing, starts a method
    spells: float  # multiplies SPELL_YEARS: fewer, longer spells of use in the countryside
    setting: str  # "urban" | "rural": the cache key of its weights, the style of addresses


URBAN = Profile(
    households=5500,
    village_type="tổ dân phố",
    village_word="Tổ dân phố",
    village_code="TDP",
    kinds=(
        ("single_old", 0.055),
        ("single_young", 0.10),
        ("couple_old", 0.09),
        ("couple_young", 0.02),
        ("nuclear", 0.45),
        ("single_parent", 0.05),
        ("three_generations", 0.175),
        ("relatives", 0.06),
    ),
    parity=((0, 0.05), (1, 0.22), (2, 0.58), (3, 0.12), (4, 0.03)),
    fertility=1.04,
    marriage=1.0,
    third_birth=1.0,
    methods=(
        (Method.CONDOM, 0.78),
        (Method.PILL, 0.185),
        (Method.IUD, 0.034),
        (Method.IMPLANT, 0.0005),
        (Method.INJECTABLE, 0.0005),
    ),
    supplies=((Supply.SOCIAL_MARKETING, 0.90), (Supply.COMMERCIAL, 0.095), (Supply.FREE, 0.005)),
    start_hazard=1.8,
    spells=1.0,
    setting="urban",
)
RURAL = Profile(
    households=3000,
    village_type="thôn",
    village_word="Thôn",
    village_code="T",
    kinds=(
        ("single_old", 0.06),
        ("single_young", 0.03),
        ("couple_old", 0.10),
        ("couple_young", 0.02),
        ("nuclear", 0.47),
        ("single_parent", 0.04),
        ("three_generations", 0.26),
        ("relatives", 0.02),
    ),
    parity=((0, 0.04), (1, 0.14), (2, 0.56), (3, 0.20), (4, 0.06)),
    fertility=1.0,
    marriage=1.3,
    third_birth=1.3,
    methods=(
        (Method.CONDOM, 0.50),
        (Method.PILL, 0.39),
        (Method.IUD, 0.104),
        (Method.IMPLANT, 0.002),
        (Method.INJECTABLE, 0.004),
    ),
    supplies=((Supply.SOCIAL_MARKETING, 0.88), (Supply.COMMERCIAL, 0.07), (Supply.FREE, 0.05)),
    start_hazard=1.2,
    spells=1.8,
    setting="rural",
)


def profile_of(commune_type: str) -> Profile:
    """Phường and thị trấn live like a town, xã like the countryside."""
    return RURAL if fold(commune_type).startswith("xa") else URBAN


#: Mean length of one spell of use, in years (a spell ends by stopping or switching).
SPELL_YEARS = {
    Method.IUD: 10.0,
    Method.IMPLANT: 3.0,
    Method.INJECTABLE: 0.6,
    Method.PILL: 1.4,
    Method.CONDOM: 1.45,
}
SWITCH = 0.5  # a woman who stops takes another method within weeks
NEW_PREGNANCY_LOSS = 0.03  # yearly: a pregnancy that ends without a live birth
PRENATAL = 0.865  # women giving birth screened during the pregnancy
NEWBORN = 0.90  # newborns screened within 30 days (a few births near 31/12 miss the year)
PREMARITAL = 0.87  # couples with a check or counselling in the year before the marriage
ELDERLY = 0.895  # persons 60+ with a check-up in the year

#: Share of persons by five-year age group (0–4 … 85+) when the book is opened: Hà Nội's
#: pyramid (2019 census, two years on), 12.4 % aged 60+; it ages to ≈ 14.5 % by 2024.
PYRAMID = (7.9, 8.3, 7.4, 6.0, 6.8, 8.4, 9.3, 8.8, 7.6, 6.7, 6.0, 5.5, 4.2, 3.1, 2.0, 1.4, 0.9, 0.8)


#: Children a woman of 55+ has had (older cohorts had more).
OLD_PARITY = Weighted([(1, 0.08), (2, 0.36), (3, 0.3), (4, 0.17), (5, 0.09)])


# Sources of names: family names with their frequency in the north (Nguyễn ≈ 38 %).
FAMILY_NAMES = Weighted(
    [
        ("Nguyễn", 38.0),
        ("Trần", 11.0),
        ("Lê", 9.5),
        ("Phạm", 7.0),
        ("Hoàng", 4.6),
        ("Huỳnh", 0.4),
        ("Phan", 3.5),
        ("Vũ", 3.9),
        ("Võ", 0.4),
        ("Đặng", 2.1),
        ("Bùi", 2.0),
        ("Đỗ", 1.6),
        ("Hồ", 1.1),
        ("Ngô", 1.3),
        ("Dương", 1.0),
        ("Lý", 0.5),
        ("Đinh", 0.9),
        ("Đào", 0.9),
        ("Trịnh", 0.7),
        ("Trương", 0.5),
        ("Lương", 0.5),
        ("Mai", 0.5),
        ("Đoàn", 0.5),
        ("Hà", 0.5),
        ("Tạ", 0.4),
        ("Cao", 0.4),
        ("Lưu", 0.4),
        ("Phùng", 0.4),
        ("Chu", 0.3),
        ("Kiều", 0.3),
        ("Tô", 0.3),
        ("Lại", 0.3),
        ("Nghiêm", 0.2),
        ("Quách", 0.2),
        ("Triệu", 0.2),
        ("Vương", 0.2),
        ("Khúc", 0.1),
        ("Thân", 0.1),
    ]
)
# Middle and given names change with the times: by sex, for persons born before 1975,
# 1975–1999 and from 2000.
MIDDLE_NAMES: dict[tuple[str, int], Weighted[str]] = {
    (sex, era): Weighted([(w.split(":")[0], float(w.split(":")[1])) for w in text.split()])
    for (sex, era), text in {
        ("M", 0): "Văn:60 Đức:8 Xuân:6 Hữu:6 Đình:6 Quang:5 Minh:4 Ngọc:3 Mạnh:2",
        ("M", 1): "Văn:30 Đức:12 Minh:12 Quang:8 Hữu:6 Xuân:5 Đình:5 Mạnh:5 Tuấn:3 Anh:4 "
        "Thành:5 Trung:3 Hoàng:2",
        ("M", 2): "Minh:18 Đức:12 Gia:10 Quang:8 Hoàng:7 Anh:6 Bảo:7 Tuấn:5 Văn:8 Nhật:5 "
        "Đăng:5 Hải:4 Khánh:5",
        ("F", 0): "Thị:75 Ngọc:5 Thanh:5 Thu:5 Kim:4 Hồng:3 Minh:3",
        ("F", 1): "Thị:45 Thu:8 Thanh:8 Ngọc:8 Phương:5 Hồng:5 Minh:5 Thùy:4 Mai:4 Hải:4 "
        "Diệu:2 Quỳnh:2",
        ("F", 2): "Ngọc:12 Khánh:10 Bảo:10 Minh:10 Thị:10 Phương:8 Gia:6 Thanh:6 Hà:6 Thảo:5 "
        "Diệu:5 Tuệ:4 An:4 Mai:4",
    }.items()
}
GIVEN_NAMES: dict[tuple[str, int], tuple[str, ...]] = {
    key: tuple(text.split())
    for key, text in {
        ("M", 0): (
            "Hùng Dũng Thắng Lợi Hải Sơn Bình Hòa Thành Tiến Minh Quang Hưng Long "
            "Cường Trung Nam Tuấn Khải Thịnh Lâm Toàn Định Chiến Vinh Hiển Phúc "
            "Kiên Quý Tâm"
        ),
        ("M", 1): (
            "Tuấn Hùng Dũng Minh Nam Hải Long Cường Thắng Hiếu Quân Huy Khánh Đức "
            "Sơn Phong Tùng Trung Hoàng Thành Kiên Việt Tú Hưng Duy Thanh Hiệp Công "
            "Thái Linh Tiến"
        ),
        ("M", 2): (
            "Minh Khôi Bảo An Phúc Nam Huy Đăng Khang Quân Duy Long Lâm Nhật Kiên "
            "Hiếu Tùng Vũ Hải Dương Phong Sơn Thịnh Đạt Hưng Trí Thành Khoa Hoàng "
            "Tuấn"
        ),
        ("F", 0): (
            "Lan Hoa Hương Hằng Hạnh Nga Thủy Dung Mai Liên Tuyết Hồng Loan Nhung "
            "Vân Yến Thoa Xuân Huệ Cúc Đào Lựu Tâm Hiền Bích Thanh Nguyệt Tình Thơm"
        ),
        ("F", 1): (
            "Trang Linh Hương Huyền Thảo Ngọc Hà Phương Anh Nhung Hằng Thủy Giang "
            "Yến Hạnh Loan Thu Vân Hiền Dung Mai Oanh Lan Quyên Chi Ngân Thúy Hoa "
            "Diệp Nga"
        ),
        ("F", 2): (
            "Anh Linh Chi Vy Ngọc An Hà My Trang Thư Nhi Hân Khuê Ngân Uyên Trâm "
            "Thảo Diệp Phương Mai Quỳnh Lam Hương Giang Yến Châu Nhiên Tâm Ly"
        ),
    }.items()
}
ETHNICITIES = Weighted(
    [("Kinh", 98.4), ("Mường", 0.5), ("Tày", 0.4), ("Thái", 0.3), ("Nùng", 0.2), ("Dao", 0.1)]
)
BIRTH_PLACES = Weighted(
    [
        ("Bệnh viện tuyến trung ương", 0.30),
        ("Bệnh viện tuyến tỉnh, thành phố", 0.34),
        ("Bệnh viện tuyến quận, huyện", 0.24),
        ("Trạm y tế xã, phường", 0.02),
        ("Cơ sở y tế tư nhân", 0.095),
        ("Tại nhà", 0.005),
    ]
)
ABROAD = "Nước ngoài"
OTHER_COMMUNE = "Xã, phường khác trong tỉnh"
