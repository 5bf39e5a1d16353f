"""A synthetic household register (sổ A0) for a district or a province, for demos,
benchmarks and tests.  Everything it writes is invented, deterministic for a seed, and
marked as synthetic (``extra["synthetic"]`` on households and persons).

``generate(root, year, seed=…)`` takes the communes under ``root`` as the tree stood on
1 July of ``year`` and, commune by commune:

1. finds the commune's villages valid on that day (the demo's tổ dân phố of Ngọc Thụy are
   reused) and creates more through ``units.services.village_create`` (tổ dân phố in a
   phường or thị trấn, thôn in a xã; codes ``<commune 5 digits>-TDP01`` / ``-T01``) so
   that a village keeps 150–400 households at scale 1;
2. fills them, in memory, with households as they stood when the book was opened
   (1 January of the last year a book was opened: 2011, 2016, 2021, 2026 …; 2021 for
   2022–2026): families of realistic size and make-up, persons with Vietnamese names,
   ages, relations to the head, marital status and 12-digit citizen identity numbers;
3. lets the population live until 31 December of ``year``, year by year: moves out, in
   and within the commune, deaths, divorces, marriages, households splitting, births
   (to married women, by age, parity and time since the last birth, with a preference
   for sons that raises the sex ratio of second and later births), pregnancies,
   prenatal, newborn and premarital screening, check-ups of the elderly, and the
   contraceptive history of every married woman 15–49 (starts by method and supply,
   stops, switches; a method is stopped before a wanted pregnancy);
4. writes households, placements, persons, memberships and events with bulk inserts.

Each event counts where ``register.services.event_record`` would count it: in the unit of
the person's household on the event's day (for a move within the commune, the household
left; for a birth, the mother's), with that unit's path on that day.  The reference tree
starts on 7 May 2023, so events of the book's first years fall before the units exist:
they take the path of the unit's first version (the tree is the same one; the services
would refuse to record them by hand, ``unit_path_on`` finding no version).

Conventions a reader of the register needs:

- a woman already using a method when the book was opened has a ``contraception_start``
  on the opening day with ``new_acceptor`` false and ``extra["in_use_at_opening"]`` true:
  it is the book's inventory, not a new user;
- a marriage is recorded on each partner living in the register, each naming the other
  (``spouse``); a divorce likewise;
- the models' history (django-simple-history) is not written for generated rows.

The figures aimed at (DOMAIN.md §8, Hà Nội and Long Biên) are: households of 3.2–3.3
persons on average, 14–15 % aged 60+ in 2024, CBR ≈ 12–14 ‰, SRB ≈ 111, 3rd+ births
≈ 6–7 %, CDR ≈ 6 ‰, prenatal screening ≈ 86 %, newborn screening ≈ 89 %, premarital
checks ≈ 85 % of couples, elderly check-ups ≈ 89 %, CPR ≈ 65–70 % of married women 15–49
and, in an urban district, ≈ 8 new contraceptive users a year per 100 persons (Long Biên
2025: 24,971 for ≈ 300,000 persons: 74 % condom, 22 % pill, 4 % IUD).  The TFR comes out
≈ 1.7–1.8: with Hà Nội's age structure a TFR of 2.0 would need a CBR of ≈ 15 ‰, and the
CBR was preferred.  Scale 1.0 gives a ward ≈ 5,500 households and a rural commune ≈ 3,000
(Long Biên ≈ 270,000 persons).
"""

from __future__ import annotations

import bisect
import functools
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from itertools import accumulate
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danso.register.models import Event, Household, HouseholdPlacement, Membership, Person
from danso.register.planner import analyze_register
from danso.register.signals import register_changed
from danso.register.vocabulary import (
    EventType,
    MaritalStatus,
    Method,
    Relation,
    Residence,
    Sex,
    Supply,
)
from danso.units import services as units
from danso.units.codes import Level, display_code
from danso.units.models import Unit, UnitVersion, valid_on
from danso.vietnamese import fold

T = TypeVar("T")

#: ``progress(what, done, total)``: what is being generated, communes done, communes.
Progress = Callable[[str, int, int], None]

FIRST_BOOK_YEAR = 2011  # books are opened every fifth year: 2011, 2016, 2021, 2026 …
NEVER = date.max.toordinal()  # the end of a stay or marriage that has not ended
LONG_AGO = 1  # the start of a marriage made before the person entered the book
MAX_SIZE = 8  # members of a household
YEAR = 365.25
BATCH = 2000


def book_opening(year: int) -> date:
    """1 January of the last year a book was opened before ``year`` (2021 for 2022–2026):
    the register then covers at least ``year`` and the year before it."""
    opened = FIRST_BOOK_YEAR + (year - 1 - FIRST_BOOK_YEAR) // 5 * 5
    return date(opened, 1, 1)


# ---------------------------------------------------------------- parameters


class _Weighted(Generic[T]):
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
_OLD_PARITY = _Weighted([(1, 0.08), (2, 0.36), (3, 0.3), (4, 0.17), (5, 0.09)])


# Sources of names: family names with their frequency in the north (Nguyễn ≈ 38 %).
FAMILY_NAMES = _Weighted(
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
MIDDLE_NAMES: dict[tuple[str, int], _Weighted[str]] = {
    (sex, era): _Weighted([(w.split(":")[0], float(w.split(":")[1])) for w in text.split()])
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
ETHNICITIES = _Weighted(
    [("Kinh", 98.4), ("Mường", 0.5), ("Tày", 0.4), ("Thái", 0.3), ("Nùng", 0.2), ("Dao", 0.1)]
)
BIRTH_PLACES = _Weighted(
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


# ---------------------------------------------------------------- the simulated book


@dataclass(slots=True)
class _Stay:
    household: int
    start: int  # ordinal days; inclusive
    end: int  # NEVER while it lasts
    relation: str
    ended_by: str = ""  # "death" | "out" | "within" once ended
    went_to: str = ""  # where to, when "out"


@dataclass(slots=True)
class _Person:
    sex: str
    born: int
    family: str
    name: str
    id_number: str
    ethnicity: str
    residence: str
    stays: list[_Stay]
    marital: str
    married: list[list[int]] = field(default_factory=list)  # [start, end] of each marriage
    spouse: int | None = None  # the current spouse when in the register
    death: int | None = None
    busy: int = 0  # the day of the person's last change: later changes come after it
    parity: int = 0  # live births, before the book and in it
    sons: int = 0
    last_birth: int | None = None
    children: list[int] = field(default_factory=list)  # own children in the register

    def present_on(self, day: int) -> bool:
        return any(stay.start <= day <= stay.end for stay in self.stays)

    def stay_on(self, day: int) -> _Stay | None:
        for stay in self.stays:
            if stay.start <= day <= stay.end:
                return stay
        return None

    @property
    def here(self) -> bool:
        """Still in the register (not dead, not moved out)."""
        return self.stays[-1].end == NEVER

    @property
    def household(self) -> int:
        return self.stays[-1].household

    def married_on(self, day: int) -> bool:
        return any(start <= day <= end for start, end in self.married)

    def age(self, day: int) -> float:
        return (day - self.born) / YEAR


@dataclass(slots=True)
class _Household:
    village: int
    since: int
    number: int
    address: str
    stays: list[_Stay] = field(default_factory=list)  # of its members, past and present


@dataclass(slots=True)
class _Member:
    """A member of a household being drawn: ages and dates in years before the day."""

    sex: str
    age: float
    relation: str
    marital: str
    family: str
    spouse: int | None = None  # index in the plan
    wedding: float | None = None
    parity: int = 0
    sons: int = 0
    last_birth: float | None = None
    children: list[int] = field(default_factory=list)


@dataclass(slots=True)
class _Event:
    kind: EventType
    day: int
    person: int
    child: int | None = None
    birth_order: int | None = None
    method: str = ""
    supply: str = ""
    new_acceptor: bool | None = None
    spouse: int | None = None
    extra: dict[str, Any] | None = None


@dataclass(slots=True)
class _Birth:
    mother: int
    day: int
    child: int | None  # None: expected after the end of the register


class IdNumbers:
    """12-digit citizen identity numbers (CCCD): province of birth (3 digits), sex and
    century (0/1 men/women born 1900–1999, 2/3 from 2000), year of birth (2 digits), then
    6 digits given in a scrambled order, so that one generation never repeats a number."""

    def __init__(self, salt: int) -> None:
        self.used: Counter[str] = Counter()
        self.salt = salt

    def next(self, province: str, sex: str, born: date) -> str:
        century = 0 if born.year < 2000 else 2
        prefix = f"{province}{century + (sex == Sex.FEMALE)}{born.year % 100:02d}"
        serial = self.used[prefix]
        self.used[prefix] += 1
        return f"{prefix}{(serial * 7919 + self.salt) % 1_000_000:06d}"


@dataclass
class Figures:
    """What the simulation itself counts for the generated year (the tables give the
    same; the summary prints them)."""

    population_mid: int = 0
    households_mid: int = 0
    aged_60_mid: int = 0
    women_15_49_mid: Counter[int] = field(default_factory=Counter)  # by 5-year group
    births: int = 0
    boys: int = 0
    third_plus: int = 0
    births_by_age: Counter[int] = field(default_factory=Counter)
    deaths: int = 0
    married_women_end: int = 0
    users_end: int = 0
    new_users: Counter[str] = field(default_factory=Counter)

    def add(self, other: Figures) -> None:
        for name in (f.name for f in fields(self)):
            mine = getattr(self, name)
            if isinstance(mine, Counter):
                mine.update(getattr(other, name))
            else:
                setattr(self, name, mine + getattr(other, name))

    def as_dict(self) -> dict[str, Any]:
        girls = self.births - self.boys
        tfr = 5 * sum(
            self.births_by_age[group] / women
            for group, women in self.women_15_49_mid.items()
            if women
        )
        return {
            "population_mid_year": self.population_mid,
            "households_mid_year": self.households_mid,
            "mean_household_size": _ratio(self.population_mid, self.households_mid, 2),
            "aged_60_plus_pct": _ratio(100 * self.aged_60_mid, self.population_mid, 2),
            "births": self.births,
            "cbr_permille": _ratio(1000 * self.births, self.population_mid, 2),
            "tfr": round(tfr, 2),
            "srb": _ratio(100 * self.boys, girls, 1),
            "third_plus_pct": _ratio(100 * self.third_plus, self.births, 2),
            "deaths": self.deaths,
            "cdr_permille": _ratio(1000 * self.deaths, self.population_mid, 2),
            "cpr_pct": _ratio(100 * self.users_end, self.married_women_end, 1),
            "new_contraceptive_users": {str(m): n for m, n in sorted(self.new_users.items())},
        }


def _ratio(numerator: float, denominator: float, digits: int) -> float | None:
    return round(numerator / denominator, digits) if denominator else None


class _Families:
    """Households as found when the book is opened or as they move in: who lives
    together, their ages, marriages, and the children each woman has had."""

    def __init__(self, rng: random.Random, profile: Profile) -> None:
        self.rng = rng
        self.kinds = _Weighted(profile.kinds)
        self.parities = _Weighted(profile.parity)

    def household(self) -> list[_Member]:
        """The members of one household (ages in years, relations to the head, marriages
        and the children each woman has had), by the profile's make-ups."""
        rng = self.rng
        kind = self.kinds.pick(rng)
        plan: list[_Member] = []

        def add(sex: str, age: float, relation: str, marital: str, family: str | None) -> int:
            plan.append(_Member(sex, age, relation, marital, family or FAMILY_NAMES.pick(rng)))
            return len(plan) - 1

        def couple(husband_age: float, wife_age: float, head: str) -> tuple[int, int]:
            """A married couple; ``head`` says which one heads ("M" or "F")."""
            husband = add(
                "M",
                husband_age,
                Relation.HEAD if head == "M" else Relation.SPOUSE,
                MaritalStatus.MARRIED,
                None,
            )
            wife = add(
                "F",
                wife_age,
                Relation.HEAD if head == "F" else Relation.SPOUSE,
                MaritalStatus.MARRIED,
                None,
            )
            plan[husband].spouse, plan[wife].spouse = wife, husband
            return husband, wife

        def children(mother: int, relation: str, keep_adults: bool) -> None:
            """The mother's live births; those still living at home are added."""
            woman = plan[mother]
            married_for, born_to_her = self.children_of(woman.age)
            if woman.spouse is not None:
                woman.wedding = plan[woman.spouse].wedding = married_for
            # children carry their father's family name
            father = plan[woman.spouse].family if woman.spouse is not None else None
            family = father or FAMILY_NAMES.pick(rng)
            for age, sex in born_to_her:
                woman.parity += 1
                woman.sons += sex == Sex.MALE
                woman.last_birth = age if woman.last_birth is None else min(woman.last_birth, age)
                stays = age < 18 or (keep_adults and rng.random() < _home_share(age))
                if stays and len(plan) < MAX_SIZE:
                    child = add(sex, age, relation, MaritalStatus.NEVER_MARRIED, family)
                    woman.children.append(child)

        def past_children(mother: int) -> None:
            """Parity of an older woman whose children live elsewhere."""
            for _age, sex in self.children_of(plan[mother].age)[1]:
                plan[mother].parity += 1
                plan[mother].sons += sex == Sex.MALE

        if kind == "single_old":
            female = rng.random() < 0.75
            head = add(
                "F" if female else "M",
                _between(rng, 60, 95, peak=66),
                Relation.HEAD,
                _old_alone(rng, female),
                None,
            )
            if female:
                past_children(head)
        elif kind == "single_young":
            age = _between(rng, 19, 50, peak=23)
            marital = (
                MaritalStatus.NEVER_MARRIED
                if age < 32 or rng.random() < 0.5
                else rng.choice([MaritalStatus.DIVORCED, MaritalStatus.WIDOWED])
            )
            add("F" if rng.random() < 0.45 else "M", age, Relation.HEAD, marital, None)
        elif kind == "couple_old":
            husband_age = _between(rng, 52, 92, peak=60)
            _husband, wife = couple(husband_age, max(48.0, husband_age - rng.gauss(3, 2)), "M")
            past_children(wife)
        elif kind == "couple_young":  # married lately, no child yet
            husband_age = _between(rng, 22, 38, peak=28)
            husband, wife = couple(husband_age, max(18.5, husband_age - rng.gauss(2.5, 2)), "M")
            plan[husband].wedding = plan[wife].wedding = rng.uniform(
                0, min(2.5, plan[wife].age - 18)
            )
        elif kind == "nuclear":
            wife_age = rng.uniform(22, 60)
            husband_age = max(20.5, wife_age + rng.gauss(2.5, 2.5))
            husband, wife = couple(husband_age, wife_age, "M" if rng.random() < 0.85 else "F")
            if rng.random() < 0.10:  # a widowed parent lives with them
                add(
                    "F" if rng.random() < 0.8 else "M",
                    min(97.0, husband_age + rng.gauss(28, 4)),
                    Relation.PARENT,
                    MaritalStatus.WIDOWED,
                    plan[husband].family,
                )
            children(wife, Relation.CHILD, keep_adults=True)
        elif kind == "single_parent":
            marital = MaritalStatus.DIVORCED if rng.random() < 0.55 else MaritalStatus.WIDOWED
            mother = add("F", rng.uniform(24, 60), Relation.HEAD, marital, None)
            children(mother, Relation.CHILD, keep_adults=True)
        elif kind == "three_generations":
            grandmother_age = _between(rng, 48, 88, peak=58)
            if rng.random() < min(0.85, max(0.15, (grandmother_age - 50) / 40)):  # widowed
                grandmother = add("F", grandmother_age, Relation.HEAD, MaritalStatus.WIDOWED, None)
            else:
                grandfather_age = grandmother_age + max(0.0, rng.gauss(3, 2))
                _grandfather, grandmother = couple(grandfather_age, grandmother_age, "M")
            past_children(grandmother)
            family = plan[0].family if plan[0].sex == Sex.MALE else FAMILY_NAMES.pick(rng)
            son_age = max(21.0, grandmother_age - max(19.0, rng.gauss(27, 4)))
            son = add("M", son_age, Relation.CHILD, MaritalStatus.MARRIED, family)
            wife = add(
                "F",
                max(19.0, son_age - rng.gauss(2.5, 2)),
                Relation.OTHER,
                MaritalStatus.MARRIED,
                None,
            )
            plan[son].spouse, plan[wife].spouse = wife, son
            children(wife, Relation.GRANDCHILD, keep_adults=False)
            if rng.random() < 0.2 and len(plan) < MAX_SIZE:  # an unmarried younger child
                age = max(18.0, son_age - rng.uniform(2, 8))
                sex = Sex.MALE if rng.random() < 0.5 else Sex.FEMALE
                add(sex, age, Relation.CHILD, MaritalStatus.NEVER_MARRIED, family)
        else:  # relatives: brothers, sisters, cousins sharing a house
            first = add(
                "M" if rng.random() < 0.5 else "F",
                _between(rng, 18, 36, peak=21),
                Relation.HEAD,
                MaritalStatus.NEVER_MARRIED,
                None,
            )
            for _n in range(rng.choice([1, 1, 2])):
                sibling = rng.random() < 0.6
                add(
                    "M" if rng.random() < 0.5 else "F",
                    max(17.0, plan[first].age + rng.gauss(0, 4)),
                    Relation.SIBLING if sibling else Relation.OTHER,
                    MaritalStatus.NEVER_MARRIED,
                    plan[first].family if sibling else None,
                )
        return plan

    def children_of(self, mother_age: float) -> tuple[float, list[tuple[float, str]]]:
        """For a woman of ``mother_age`` who married: how many years ago she married, and
        the (age, sex) of her live children, oldest first."""
        rng = self.rng
        if mother_age < 18:
            return 0.0, []
        for _try in range(20):
            married_at = max(18.0, rng.gauss(24.0 if mother_age < 55 else 22.0, 3.2))
            if married_at <= mother_age:
                break
        else:
            married_at = rng.uniform(18.0, mother_age)
        wanted = self.parities.pick(rng) if mother_age < 55 else _OLD_PARITY.pick(rng)
        at = married_at + 0.8 + rng.expovariate(2.0)
        result: list[tuple[float, str]] = []
        sons = 0
        for order in range(1, wanted + 1):
            if at >= mother_age or at > 44:
                break
            sex = _child_sex(rng, order, sons)
            sons += sex == Sex.MALE
            result.append((mother_age - at, sex))
            at += max(1.5, rng.gauss(4.0, 1.8))
        return mother_age - married_at, result


_WEIGHTS: dict[str, tuple[list[float], float]] = {}


def _group(age: float) -> int:
    return min(len(PYRAMID) - 1, int(age) // 5)


def _age_weights(profile: Profile) -> tuple[list[float], float]:
    """A weight per age group such that households kept with a chance proportional to
    the product of their members' weights have ages distributed as ``PYRAMID``: fitted
    once per profile by generalised iterative scaling on a pool of drawn households.
    Also the product that is kept for sure (the 98th percentile of the pool: the few
    households above it are slightly under-drawn, and far fewer draws are wasted)."""
    if profile.setting in _WEIGHTS:
        return _WEIGHTS[profile.setting]
    families = _Families(random.Random(profile.setting), profile)  # noqa: S311 - not secret
    pool = Counter(
        tuple(sorted(Counter(_group(m.age) for m in families.household()).items()))
        for _n in range(6000)
    )
    target = [share / sum(PYRAMID) for share in PYRAMID]
    logs = [0.0] * len(PYRAMID)
    for _round in range(150):
        totals = [0.0] * len(PYRAMID)
        for groups, count in pool.items():
            chance = count * math.exp(sum(logs[g] * n for g, n in groups))
            for g, n in groups:
                totals[g] += chance * n
        everyone = sum(totals)
        logs = [
            x + math.log(t * everyone / got) / MAX_SIZE if got else x
            for x, t, got in zip(logs, target, totals, strict=True)
        ]
    weights = [math.exp(x) for x in logs]
    products = sorted(
        math.prod(weights[g] ** n for g, n in groups)
        for groups, count in pool.items()
        for _n in range(count)
    )
    ceiling = products[int(len(products) * 0.98)]
    _WEIGHTS[profile.setting] = weights, ceiling
    return weights, ceiling


class CommuneBook:
    """One commune's book, lived in memory from the opening to the end of the year.

    Persons, households and events are kept in lists and refer to each other by index.
    Every change to a person's stays comes after the person's last change (``busy``), so
    that the book reads in order whatever order the year's steps are drawn in.
    """

    def __init__(
        self,
        *,
        rng: random.Random,
        profile: Profile,
        villages: int,
        households: int,
        opening: date,
        year: int,
        ids: IdNumbers,
        province: str,
        places: Sequence[tuple[str, str]],  # (province code, name) of other provinces
    ) -> None:
        self.rng = rng
        self.profile = profile
        self.villages = villages
        self.opening = opening.toordinal()
        self.year = year
        self.end = date(year, 12, 31).toordinal()
        self.ids = ids
        self.province = province
        self.places = places
        self.persons: list[_Person] = []
        self.households: list[_Household] = []
        self.events: list[_Event] = []
        self.births: list[_Birth] = []
        self.losses: list[tuple[int, int]] = []  # (woman, day) pregnancies without a birth
        self.marriages: list[tuple[int, list[int]]] = []  # (day, partners in the register)
        self.numbers = [0] * villages
        self.families = _Families(rng, profile)
        self.methods = _Weighted(profile.methods)
        self.supplies = _Weighted(profile.supplies)
        self.first_households = households

    # ------------------------------------------------------------ running

    def run(self) -> None:
        for _n in range(self.first_households):
            self._household_arrives(self.opening, self.rng.randrange(self.villages), None)
        for year in range(date.fromordinal(self.opening).year, self.year + 1):
            self._live(year)
        self._expected_births()
        self._screenings()
        self._premarital_checks()
        self._elderly_checkups()
        self._contraception()

    def _live(self, year: int) -> None:
        first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        mid = date(year, 7, 1).toordinal()
        self._households_leave(first, last)
        self._persons_leave(first, last, mid)
        self._deaths(first, last, mid)
        self._divorces(first, last)
        self._marriages(first, last, mid)
        self._households_split(first, last)
        self._arrivals(first, last)
        self._births(first, last, mid)
        self._pregnancy_losses(first, last, mid)

    # ------------------------------------------------------------ helpers

    def _day_after(self, busy: int, first: int, last: int) -> int | None:
        """A day of ``first``..``last`` after ``busy``, or None."""
        start = max(first, busy + 1)
        return self.rng.randint(start, last) if start <= last else None

    def _place(self) -> tuple[str, str]:
        return self.rng.choice(self.places) if self.places else ("", ABROAD)

    def _event(self, kind: EventType, day: int, person: int, **values: Any) -> _Event:
        event = _Event(kind, day, person, **values)
        self.events.append(event)
        return event

    def _name(self, sex: str, born: int, family: str) -> str:
        year = date.fromordinal(born).year
        era = 0 if year < 1975 else 1 if year < 2000 else 2
        middle = MIDDLE_NAMES[(sex, era)].pick(self.rng)
        given = self.rng.choice(GIVEN_NAMES[(sex, era)])
        if given == middle:
            given = self.rng.choice(GIVEN_NAMES[(sex, era)])
        return f"{family} {middle} {given}"

    def _person(
        self,
        *,
        sex: str,
        born: int,
        household: int,
        relation: str,
        since: int,
        marital: str = MaritalStatus.NEVER_MARRIED,
        family: str | None = None,
        migrant: bool = False,
    ) -> int:
        """A person entering the book on ``since`` (opening, birth or arrival)."""
        rng = self.rng
        family = family or FAMILY_NAMES.pick(rng)
        birth = date.fromordinal(born)
        province = self.province
        if migrant and self.places and rng.random() < 0.6:
            province = f"0{rng.choice(self.places)[0]}"
        id_number = ""
        if self.end - born >= 14 * YEAR:  # citizen identity cards are issued from 14
            id_number = self.ids.next(province, sex, birth)
        temporary = rng.random() < (0.45 if migrant else 0.06)
        person = _Person(
            sex=sex,
            born=born,
            family=family,
            name=self._name(sex, born, family),
            id_number=id_number,
            ethnicity=ETHNICITIES.pick(rng),
            residence=Residence.TEMPORARY if temporary else Residence.PERMANENT,
            stays=[_Stay(household, since, NEVER, relation)],
            marital=marital,
            busy=since,
        )
        if marital == MaritalStatus.MARRIED:
            person.married.append([LONG_AGO, NEVER])  # married before entering the book
        self.persons.append(person)
        self.households[household].stays.append(person.stays[0])
        return len(self.persons) - 1

    def _new_household(self, day: int, village: int | None = None) -> int:
        rng = self.rng
        village = rng.randrange(self.villages) if village is None else village
        self.numbers[village] += 1
        if self.profile.setting == "urban":
            address = f"Số {rng.randint(1, 180)}, ngõ {rng.randint(1, 450)}"
        else:
            address = f"Xóm {rng.randint(1, 9)}"
        self.households.append(_Household(village, day, self.numbers[village], address))
        return len(self.households) - 1

    def _room(self, house: int, persons: int, day: int) -> bool:
        """Can ``persons`` more join ``house`` on ``day`` and stay (at most ``MAX_SIZE``
        members on that day and whenever someone joined later)?"""
        stays = self.households[house].stays
        days = [day, *(stay.start for stay in stays if stay.start > day)]
        return all(
            sum(1 for stay in stays if stay.start <= when <= stay.end) + persons <= MAX_SIZE
            for when in days
        )

    def _born(self, day: int, age: float) -> int:
        return day - int(age * YEAR)

    def _marry(self, a: int, b: int, day: int) -> None:
        for one, other in ((a, b), (b, a)):
            person = self.persons[one]
            person.marital = MaritalStatus.MARRIED
            person.married.append([day, NEVER])
            person.spouse = other

    def _end_marriage(self, index: int, day: int, status: str) -> None:
        person = self.persons[index]
        person.marital = status
        person.spouse = None
        if person.married and person.married[-1][1] == NEVER:
            person.married[-1][1] = day

    # ------------------------------------------------------------ households as found

    def _household_arrives(self, day: int, village: int, arrival: tuple[str, str] | None) -> int:
        """A household with its members, as found when the book is opened (``arrival``
        None) or moving in from elsewhere on ``day``.  Make-ups are drawn, then kept with a
        chance that brings the ages to ``PYRAMID`` (see ``_age_weights``)."""
        weights, ceiling = _age_weights(self.profile)
        while True:
            plan = self.families.household()
            if self.rng.random() * ceiling < math.prod(weights[_group(m.age)] for m in plan):
                break
        house = self._new_household(day, village)
        base = len(self.persons)
        for member in plan:
            index = self._person(
                sex=member.sex,
                born=self._born(day, member.age),
                household=house,
                relation=member.relation,
                since=day,
                marital=member.marital,
                family=member.family,
                migrant=arrival is not None,
            )
            person = self.persons[index]
            person.parity, person.sons = member.parity, member.sons
            if member.last_birth is not None:
                person.last_birth = self._born(day, member.last_birth)
            if member.spouse is not None:
                person.spouse = base + member.spouse
            if member.wedding is not None:
                person.married[-1][0] = self._born(day, member.wedding)
            person.children = [base + child for child in member.children]
            if arrival is not None:
                self._event(EventType.MOVE_IN, day, index, extra={"from_place": arrival[1]})
        return house

    # ------------------------------------------------------------ a year of the book

    def _leave(self, index: int, day: int, to_place: str, *, followers: bool = True) -> None:
        person = self.persons[index]
        stay = person.stays[-1]
        children = self._dependants(index, day) if followers else []
        stay.end = day
        stay.ended_by = "out"
        stay.went_to = to_place
        person.busy = day
        self._event(EventType.MOVE_OUT, day, index, extra={"to_place": to_place})
        for child in children:
            self._leave(child, day, to_place, followers=False)

    def _move(self, index: int, day: int, house: int, relation: str, *, followers: bool) -> None:
        """Move within the commune to ``house`` on ``day`` (the old stay ends the day
        before)."""
        person = self.persons[index]
        children = self._dependants(index, day) if followers else []
        old = person.stays[-1]
        old.end = day - 1
        old.ended_by = "within"
        person.stays.append(_Stay(house, day, NEVER, relation))
        self.households[house].stays.append(person.stays[-1])
        person.busy = day
        target = f"#{house}"  # replaced by the household's source id when written
        self._event(EventType.MOVE_WITHIN, day, index, extra={"to_household_id": target})
        for child in children:
            self._move(child, day, house, _child_relation(relation), followers=False)

    def _dependants(self, index: int, day: int) -> list[int]:
        """A mother's children under 15 living in her household, free to move on ``day``."""
        person = self.persons[index]
        if person.sex != Sex.FEMALE:
            return []
        return [
            child
            for child in person.children
            if self.persons[child].here
            and self.persons[child].household == person.household
            and self.persons[child].age(day) < 15
            and self.persons[child].busy < day
        ]

    def _households_leave(self, first: int, last: int) -> None:
        rng = self.rng
        members: dict[int, list[int]] = {}
        for index, person in enumerate(self.persons):
            if person.here:
                members.setdefault(person.household, []).append(index)
        for _house, people in members.items():
            if rng.random() >= 0.012:
                continue
            day = self._day_after(max(self.persons[i].busy for i in people), first, last)
            if day is None:
                continue
            to_place = self._place()[1] if rng.random() < 0.6 else OTHER_COMMUNE
            for index in people:
                self._leave(index, day, to_place, followers=False)

    def _persons_leave(self, first: int, last: int, mid: int) -> None:
        rng = self.rng
        for index, person in enumerate(self.persons):
            if not person.here or person.busy > last:
                continue
            age = person.age(mid)
            if age < 17:
                continue
            single = person.marital != MaritalStatus.MARRIED
            rate = 0.035 if single and age < 35 else 0.006 if single else 0.0
            if rate and rng.random() < rate:
                day = self._day_after(person.busy, first, last)
                if day is not None:
                    self._leave(
                        index, day, self._place()[1] if rng.random() < 0.5 else OTHER_COMMUNE
                    )

    def _deaths(self, first: int, last: int, mid: int) -> None:
        rng = self.rng
        for index, person in enumerate(self.persons):
            if not person.here or person.busy > last:
                continue
            if rng.random() >= _death_probability(person.age(mid), person.sex == Sex.MALE):
                continue
            day = self._day_after(person.busy - 1, max(first, person.busy), last)
            if day is None:
                continue
            stay = person.stays[-1]
            stay.end = day
            stay.ended_by = "death"
            person.death = day
            person.busy = day
            self._event(EventType.DEATH, day, index)
            if person.spouse is not None:
                self._end_marriage(person.spouse, day, MaritalStatus.WIDOWED)
                self._end_marriage(index, day, MaritalStatus.MARRIED)
            elif person.married and person.married[-1][1] == NEVER:
                person.married[-1][1] = day

    def _divorces(self, first: int, last: int) -> None:
        rng = self.rng
        for index, person in enumerate(self.persons):
            if person.sex != Sex.FEMALE or person.spouse is None or not person.here:
                continue
            if rng.random() >= 0.0032:
                continue
            husband = self.persons[person.spouse]
            if not husband.here:
                continue
            day = self._day_after(max(person.busy, husband.busy), first, last)
            if day is None:
                continue
            spouse = person.spouse
            for one, other in ((index, spouse), (spouse, index)):
                self._event(EventType.DIVORCE, day, one, spouse=other)
                self._end_marriage(one, day, MaritalStatus.DIVORCED)
                self.persons[one].busy = day
            # the one who is not the head leaves (the wife when neither is)
            stays_head = person.stays[-1].relation == Relation.HEAD
            leaving = spouse if stays_head else index
            after = day + rng.randint(1, 40)
            if after > last or rng.random() < 0.35:
                continue
            if rng.random() < 0.6:
                self._leave(leaving, after, self._place()[1])
            else:
                house = self._new_household(after)
                self._move(leaving, after, house, Relation.HEAD, followers=True)

    def _marriages(self, first: int, last: int, mid: int) -> None:
        rng = self.rng
        men: list[int] = []
        women: list[int] = []
        for index, person in enumerate(self.persons):
            if not person.here or person.marital == MaritalStatus.MARRIED or person.busy > last:
                continue
            age = person.age(mid)
            chance = _marriage_probability(age, person.sex, person.marital)
            if rng.random() < chance * self.profile.marriage:
                (men if person.sex == Sex.MALE else women).append(index)
        rng.shuffle(women)
        for man in men:
            groom = self.persons[man]
            bride: int | None = None
            if women and rng.random() < 0.4:
                age = groom.age(mid)
                for position, candidate in enumerate(women[:30]):
                    if -10 <= self.persons[candidate].age(mid) - age <= 3:
                        bride = women.pop(position)
                        break
            if bride is None:
                self._marry_outsider(man, first, last)
            else:
                self._marry_locals(man, bride, first, last)
        for woman in women:
            self._marry_outsider(woman, first, last)

    def _marry_locals(self, man: int, woman: int, first: int, last: int) -> None:
        groom, bride = self.persons[man], self.persons[woman]
        if groom.household == bride.household:
            return
        day = self._day_after(max(groom.busy, bride.busy), first, last)
        if day is None or not groom.present_on(day) or not bride.present_on(day):
            return
        self._marry(man, woman, day)
        for one, other in ((man, woman), (woman, man)):
            self._event(EventType.MARRIAGE, day, one, spouse=other, extra={"consanguineous": False})
            self.persons[one].busy = day
        self.marriages.append((day, [man, woman]))
        joining = 1 + len(self._dependants(woman, day))  # she and her young children
        if self.rng.random() < 0.35 or not self._room(groom.household, joining, day):
            # a household of their own
            house = self._new_household(day, self.households[groom.household].village)
            self._move(man, day, house, Relation.HEAD, followers=False)
            self._move(woman, day, house, Relation.SPOUSE, followers=True)
        else:
            relation = (
                Relation.SPOUSE if groom.stays[-1].relation == Relation.HEAD else (Relation.OTHER)
            )
            self._move(woman, day, groom.household, relation, followers=True)

    def _marry_outsider(self, index: int, first: int, last: int) -> None:
        """A marriage to someone from outside the register: a bride comes to live here; a
        woman goes to her husband's home, or he comes to live with her."""
        rng = self.rng
        person = self.persons[index]
        day = self._day_after(person.busy, first, last)
        if day is None:
            return
        place = self._place()[1]
        age = person.age(day)
        comes = person.sex == Sex.MALE or rng.random() < 0.3
        if comes:
            sex = Sex.FEMALE if person.sex == Sex.MALE else Sex.MALE
            gap = rng.gauss(-2.5 if sex == Sex.FEMALE else 2.5, 2.5)
            partner_age = max(18.2 if sex == Sex.FEMALE else 20.2, age + gap)
            house = person.household
            relation = (
                Relation.SPOUSE if person.stays[-1].relation == Relation.HEAD else (Relation.OTHER)
            )
            if not self._room(house, 1, day):  # no room: the couple set up their own household
                house = self._new_household(day, self.households[house].village)
                self._move(index, day, house, Relation.HEAD, followers=True)
                relation = Relation.SPOUSE
            partner = self._person(
                sex=sex,
                born=self._born(day, partner_age),
                household=house,
                relation=relation,
                since=day,
                marital=MaritalStatus.NEVER_MARRIED,
                migrant=True,
            )
            self._event(EventType.MOVE_IN, day, partner, extra={"from_place": place})
            self._marry(index, partner, day)
            for one, other in ((index, partner), (partner, index)):
                self._event(
                    EventType.MARRIAGE, day, one, spouse=other, extra={"consanguineous": False}
                )
            self.marriages.append((day, [index, partner]))
        else:
            person.marital = MaritalStatus.MARRIED
            person.married.append([day, NEVER])
            self._event(EventType.MARRIAGE, day, index, extra={"consanguineous": False})
            self.marriages.append((day, [index]))
            person.busy = day
            self._leave(index, min(last, day + rng.randint(0, 25)), place)
        person.busy = max(person.busy, day)

    def _households_split(self, first: int, last: int) -> None:
        """A married son and his family set up their own household (tách hộ)."""
        rng = self.rng
        for index, person in enumerate(self.persons):
            if (
                person.sex != Sex.MALE
                or person.spouse is None
                or not person.here
                or person.stays[-1].relation != Relation.CHILD
                or rng.random() >= (0.07 if self._room(person.household, 1, first) else 1.0)
            ):
                continue
            wife = self.persons[person.spouse]
            if not wife.here or wife.household != person.household:
                continue
            day = self._day_after(max(person.busy, wife.busy), first, last)
            if day is None:
                continue
            house = self._new_household(day)
            self._move(index, day, house, Relation.HEAD, followers=False)
            self._move(person.spouse, day, house, Relation.SPOUSE, followers=True)

    def _arrivals(self, first: int, last: int) -> None:
        rng = self.rng
        households = len({p.household for p in self.persons if p.here})
        for _n in range(_poisson(rng, 0.016 * households)):
            came = rng.randint(first, last)
            self._household_arrives(came, rng.randrange(self.villages), self._place())
        present = [i for i, p in enumerate(self.persons) if p.here]
        for _n in range(_poisson(rng, 0.005 * len(present))):
            host = self.persons[rng.choice(present)]
            day = self._day_after(host.busy, first, last)
            if day is None or not self._room(host.household, 1, day):
                continue
            age = _between(rng, 15, 80, peak=24)
            relation = (
                Relation.PARENT
                if age > 62
                else Relation.SIBLING
                if rng.random() < 0.3
                else Relation.OTHER
            )
            single = age < 27 or rng.random() < 0.3
            index = self._person(
                sex=Sex.FEMALE if rng.random() < 0.55 else Sex.MALE,
                born=self._born(day, age),
                household=host.household,
                relation=relation,
                since=day,
                marital=MaritalStatus.NEVER_MARRIED
                if single
                else MaritalStatus.WIDOWED
                if age > 62
                else MaritalStatus.DIVORCED,
                family=host.family if relation == Relation.SIBLING else None,
                migrant=True,
            )
            self._event(EventType.MOVE_IN, day, index, extra={"from_place": self._place()[1]})

    def _births(self, first: int, last: int, mid: int, *, expected: bool = False) -> None:
        rng = self.rng
        profile = self.profile
        span = last - first + 1
        for index, woman in enumerate(self.persons):
            if woman.sex != Sex.FEMALE or not woman.married or woman.stays[-1].start > last:
                continue
            if woman.death is not None and woman.death < first:
                continue
            age = woman.age(mid)
            if not 15 <= age < 50:
                continue
            if woman.last_birth is not None:
                since_last: float | None = (mid - woman.last_birth) / YEAR
            elif woman.married[-1][0] > LONG_AGO:
                since_last = (mid - woman.married[-1][0]) / YEAR  # years since the wedding
            else:
                since_last = None
            chance = _birth_probability(age, woman.parity, since_last, woman.sons, profile)
            if rng.random() >= chance * span / 365:
                continue
            day = rng.randint(first, last)
            if woman.last_birth is not None and day - woman.last_birth < 450:
                continue
            if not woman.married_on(day - 240):
                continue
            if expected:
                if woman.here and woman.stays[-1].start <= self.end:
                    self.births.append(_Birth(index, day, None))
                continue
            stay = woman.stay_on(day)
            if stay is None or not 15 <= woman.age(day) < 50:
                continue
            if not self._room(stay.household, 1, day):
                continue
            order = woman.parity + 1
            sex = _child_sex(rng, order, woman.sons)
            father = self.persons[woman.spouse] if woman.spouse is not None else None
            family = father.family if father is not None else woman.family
            relation = _child_relation(stay.relation)
            child = self._person(
                sex=sex,
                born=day,
                household=stay.household,
                relation=relation,
                since=day,
                family=family,
            )
            woman.parity = order
            woman.sons += sex == Sex.MALE
            woman.last_birth = day
            woman.children.append(child)
            woman.busy = max(woman.busy, day)
            self.births.append(_Birth(index, day, child))
            self._event(
                EventType.BIRTH,
                day,
                index,
                child=child,
                birth_order=order,
                extra={"place": BIRTH_PLACES.pick(rng)},
            )
            self._follow(child, woman, day)

    def _follow(self, child: int, mother: _Person, born: int) -> None:
        """A child born before the mother moved, this year, moves with her."""
        for stay in mother.stays:
            if stay.end == NEVER or stay.end < born:
                continue
            if stay.ended_by == "out":
                self._leave(child, stay.end, stay.went_to, followers=False)
                return
            if stay.ended_by == "within":
                after = next(s for s in mother.stays if s.start == stay.end + 1)
                if not self._room(after.household, 1, after.start):
                    return  # no room: the baby stays with the family it was born into
                self._move(
                    child,
                    after.start,
                    after.household,
                    _child_relation(after.relation),
                    followers=False,
                )

    def _pregnancy_losses(self, first: int, last: int, mid: int) -> None:
        rng = self.rng
        for index, woman in enumerate(self.persons):
            if woman.sex != Sex.FEMALE or woman.spouse is None or not woman.here:
                continue
            if not 18 <= woman.age(mid) < 45 or rng.random() >= NEW_PREGNANCY_LOSS:
                continue
            day = rng.randint(first, last)
            recent = woman.last_birth is not None and abs(day - woman.last_birth) < 400
            if not recent and woman.present_on(day) and woman.married_on(day):
                self.losses.append((index, day))
                expected = date.fromordinal(day + 200).isoformat()
                self._event(EventType.PREGNANCY, day, index, extra={"expected_date": expected})

    def _expected_births(self) -> None:
        """Women pregnant at the end of the book: births due in the next nine months."""
        first = self.end + 1
        self._births(first, first + 270, first + 135, expected=True)

    # ------------------------------------------------------------ screenings and checks

    def _screenings(self) -> None:
        rng = self.rng
        for birth in self.births:
            mother = self.persons[birth.mother]
            known = birth.day - rng.randint(175, 235)
            if known >= self.opening and known <= self.end and mother.present_on(known):
                self._event(
                    EventType.PREGNANCY,
                    known,
                    birth.mother,
                    extra={"expected_date": date.fromordinal(birth.day).isoformat()},
                )
            if rng.random() < PRENATAL:
                days = [birth.day - rng.randint(84, 175)]
                if rng.random() < 0.35:
                    days.append(birth.day - rng.randint(14, 80))
                for day in days:
                    if self.opening <= day <= self.end and mother.present_on(day):
                        result = "nguy cơ cao" if rng.random() < 0.03 else "bình thường"
                        self._event(
                            EventType.PRENATAL_SCREENING,
                            day,
                            birth.mother,
                            extra={"result": result},
                        )
            if birth.child is not None and rng.random() < NEWBORN:
                day = birth.day + (rng.randint(1, 7) if rng.random() < 0.93 else rng.randint(8, 30))
                child = self.persons[birth.child]
                if day <= self.end and child.present_on(day):
                    result = "nghi ngờ" if rng.random() < 0.01 else "bình thường"
                    self._event(
                        EventType.NEWBORN_SCREENING, day, birth.child, extra={"result": result}
                    )

    def _premarital_checks(self) -> None:
        rng = self.rng
        for day, partners in self.marriages:
            if rng.random() >= PREMARITAL:
                continue
            for index in rng.sample(partners, len(partners)):
                when = day - rng.randint(10, 300)
                if when >= self.opening and self.persons[index].present_on(when):
                    self._event(EventType.PREMARITAL_CHECK, when, index)
                    if rng.random() < 0.7:  # often only one of the two is checked
                        break

    def _elderly_checkups(self) -> None:
        rng = self.rng
        for year in range(date.fromordinal(self.opening).year, self.year + 1):
            first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
            mid = date(year, 7, 1).toordinal()
            for index, person in enumerate(self.persons):
                if person.born > mid - 60 * YEAR or not person.present_on(mid):
                    continue
                if rng.random() >= ELDERLY:
                    continue
                sixty = _add_years(person.born, 60)
                for _n in range(2 if rng.random() < 0.15 else 1):
                    day = rng.randint(max(first, sixty), last)
                    if person.present_on(day):
                        self._event(EventType.ELDERLY_CHECKUP, day, index)

    # ------------------------------------------------------------ contraception

    def _contraception(self) -> None:
        rng = self.rng
        births: dict[int, list[int]] = {}
        blocks: dict[int, list[tuple[int, int]]] = {}
        for birth in self.births:
            births.setdefault(birth.mother, []).append(birth.day)  # expected ones too
            trying = birth.day - 270 - rng.randint(20, 200)
            blocks.setdefault(birth.mother, []).append((trying, birth.day + _postpartum(rng)))
        for woman, day in self.losses:
            blocks.setdefault(woman, []).append((day - 90, day + 45))
        for index, person in enumerate(self.persons):
            if person.sex == Sex.FEMALE and person.married:
                self._woman_methods(
                    index, person, sorted(blocks.get(index, [])), births.get(index, [])
                )

    def _woman_methods(
        self, index: int, woman: _Person, blocks: list[tuple[int, int]], births: list[int]
    ) -> None:
        """The contraceptive history of one woman while she is married, 15–49 and in the
        register; ``blocks`` are the spans she uses nothing (trying for a child, pregnant,
        after a birth), ``births`` the days of her births in the book."""
        rng = self.rng

        def parity(day: int) -> int:
            return woman.parity - sum(1 for born in births if day < born <= self.end)

        fifteen, fifty = _add_years(woman.born, 15), _add_years(woman.born, 50) - 1
        spans: list[tuple[int, int, str]] = []  # (first, last, why it ends)
        for start, end in woman.married:
            for here_from, here_to in _presence(woman.stays):
                first = max(start, here_from, fifteen, self.opening)
                last = min(end, here_to, fifty, self.end)
                if first > last:
                    continue
                if last == self.end:
                    why = "end"
                elif last == fifty:
                    why = "age"
                elif last == end and here_to != end:
                    why = "marriage"  # divorced or widowed
                else:
                    why = "gone"  # died or moved out
                spans.extend(_cut(first, last, why, blocks))
        spans.sort()
        if not spans:
            return
        ever = rng.random() < (0.35 if parity(spans[0][0]) == 0 else 0.85)
        method = ""
        stop = 0
        for first, last, why in spans:
            day = first
            if first == self.opening and woman.married_on(first):
                method = self._method_at_opening(woman, parity(first), sterile=not blocks)
                if method:
                    ever = True
                    stop = self._spell_end(first, method)
                    self._event(
                        EventType.CONTRACEPTION_START,
                        first,
                        index,
                        method=method,
                        supply=self.supplies.pick(rng),
                        new_acceptor=False,
                        extra={"in_use_at_opening": True},
                    )
            while True:
                if method:
                    if stop > last:
                        break
                    self._event(EventType.CONTRACEPTION_STOP, stop, index, method=method)
                    day, previous, method = stop, method, ""
                    if rng.random() < SWITCH:
                        day += rng.randint(1, 45)
                        if day > last:
                            break
                        method = self._start(index, day, previous, not ever, parity(day))
                        ever = True
                        stop = self._spell_end(day, method)
                    continue
                hazard = self.profile.start_hazard if parity(day) else 0.4
                day += int(rng.expovariate(hazard) * YEAR) + 1
                if day > last:
                    break
                method = self._start(index, day, "", not ever, parity(day))
                ever = True
                stop = self._spell_end(day, method)
            if method and why in ("block", "marriage"):
                self._event(EventType.CONTRACEPTION_STOP, last, index, method=method)
            if why != "end":
                method = ""

    def _method_at_opening(self, woman: _Person, parity: int, *, sterile: bool) -> str:
        """The method a married woman uses when the book is opened ("" for none); only a
        woman with no pregnancy in the book may be ``sterile``."""
        rng = self.rng
        age = woman.age(self.opening)
        use = 0.5 if age < 20 else 0.62 if age < 25 else 0.72 if age < 30 else 0.8
        if parity == 0:
            use *= 0.45
        if rng.random() >= use:
            return ""
        iud = 0.10 if age < 25 else 0.27 if age < 35 else 0.36
        roll = rng.random()
        if sterile and age >= 35 and parity >= 2 and roll < 0.04:
            return Method.STERILIZATION_F
        if 0.04 <= roll < 0.04 + iud and parity >= 1:
            return Method.IUD
        if roll > 0.998:
            return Method.IMPLANT if rng.random() < 0.6 else Method.INJECTABLE
        return Method.PILL if rng.random() < 0.2 else Method.CONDOM

    def _start(self, index: int, day: int, previous: str, new: bool, parity: int) -> str:
        rng = self.rng
        method: str = self.methods.pick(rng)
        if method == previous:
            method = self.methods.pick(rng)
        if method == Method.IUD and parity == 0:
            method = Method.CONDOM
        supply = self.supplies.pick(rng)
        self._event(
            EventType.CONTRACEPTION_START,
            day,
            index,
            method=method,
            supply=supply,
            new_acceptor=new,
        )
        return method

    def _spell_end(self, day: int, method: str) -> int:
        if method == Method.STERILIZATION_F:
            return NEVER
        years = self.rng.expovariate(1 / (SPELL_YEARS[Method(method)] * self.profile.spells))
        return day + int(years * YEAR) + 1

    def household_of(self, event: _Event) -> int:
        """The household where ``event`` counts: the person's on the day (the mother's for
        a birth; the household left for a move within the commune)."""
        person = self.persons[event.person]
        if event.kind is EventType.MOVE_WITHIN:
            stay = next(
                s for s in person.stays if s.end == event.day - 1 and s.ended_by == "within"
            )
        else:
            found = person.stay_on(event.day)
            assert found is not None, f"{event} of a person not in the register"
            stay = found
        return stay.household

    # ------------------------------------------------------------ the year's figures

    def figures(self) -> Figures:
        year = self.year
        first, last = date(year, 1, 1).toordinal(), self.end
        mid = date(year, 7, 1).toordinal()
        figures = Figures()
        households: set[int] = set()
        for person in self.persons:
            stay = person.stay_on(mid)
            if stay is None:
                continue
            figures.population_mid += 1
            households.add(stay.household)
            age = person.age(mid)
            figures.aged_60_mid += age >= 60
            if person.sex == Sex.FEMALE and 15 <= age < 50:
                figures.women_15_49_mid[int(age) // 5 * 5] += 1
        figures.households_mid = len(households)
        for event in self.events:
            if not first <= event.day <= last:
                continue
            if event.kind is EventType.BIRTH:
                assert event.child is not None
                assert event.birth_order is not None
                figures.births += 1
                figures.boys += self.persons[event.child].sex == Sex.MALE
                figures.third_plus += event.birth_order >= 3
                age = int(self.persons[event.person].age(event.day))
                figures.births_by_age[age // 5 * 5] += 1
            elif event.kind is EventType.DEATH:
                figures.deaths += 1
            elif event.kind is EventType.CONTRACEPTION_START and not (event.extra or {}).get(
                "in_use_at_opening"
            ):
                figures.new_users[event.method] += 1
        in_use: dict[int, str] = {}
        for event in sorted(
            (e for e in self.events if e.kind in _METHOD_EVENTS and e.day <= last),
            key=lambda e: (e.day, e.kind is EventType.CONTRACEPTION_START),
        ):
            if event.kind is EventType.CONTRACEPTION_START:
                in_use[event.person] = event.method
            else:
                in_use.pop(event.person, None)
        for index, person in enumerate(self.persons):
            if (
                person.sex == Sex.FEMALE
                and person.present_on(last)
                and person.married_on(last)
                and 15 <= person.age(last) < 50
            ):
                figures.married_women_end += 1
                figures.users_end += index in in_use
        return figures


_METHOD_EVENTS = (EventType.CONTRACEPTION_START, EventType.CONTRACEPTION_STOP)


def _cut(
    first: int, last: int, why: str, blocks: list[tuple[int, int]]
) -> list[tuple[int, int, str]]:
    """``first``..``last`` without the ``blocks``; a piece cut short by a block ends
    "block"."""
    pieces = []
    cursor = first
    for start, end in blocks:
        if end < cursor or start > last:
            continue
        if start > cursor:
            pieces.append((cursor, start - 1, "block"))
        cursor = max(cursor, end + 1)
        if cursor > last:
            return pieces
    pieces.append((cursor, last, why))
    return pieces


def _presence(stays: list[_Stay]) -> list[tuple[int, int]]:
    """The spans a person is in the register (a move within the commune does not break
    one)."""
    spans: list[tuple[int, int]] = []
    for stay in stays:
        if spans and stay.start == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], stay.end)
        else:
            spans.append((stay.start, stay.end))
    return spans


def _add_years(day: int, years: int) -> int:
    born = date.fromordinal(day)
    try:
        return born.replace(year=born.year + years).toordinal()
    except ValueError:  # 29 February
        return born.replace(year=born.year + years, day=28).toordinal()


def _between(rng: random.Random, low: float, high: float, *, peak: float) -> float:
    """A triangular draw: ages of heads, spouses, lone persons."""
    return rng.triangular(low, high, peak)


def _home_share(age: float) -> float:
    """How likely an unmarried adult child still lives with the parents."""
    return 0.9 if age < 25 else 0.65 if age < 30 else 0.25


_ALONE = {
    True: _Weighted(
        [
            (MaritalStatus.WIDOWED, 0.8),
            (MaritalStatus.DIVORCED, 0.1),
            (MaritalStatus.NEVER_MARRIED, 0.1),
        ]
    ),
    False: _Weighted(
        [
            (MaritalStatus.WIDOWED, 0.6),
            (MaritalStatus.DIVORCED, 0.2),
            (MaritalStatus.NEVER_MARRIED, 0.2),
        ]
    ),
}


def _old_alone(rng: random.Random, female: bool) -> str:
    """The marital status of an older person living alone."""
    return _ALONE[female].pick(rng)


def _child_relation(mother_relation: str) -> str:
    if mother_relation in (Relation.HEAD, Relation.SPOUSE):
        return Relation.CHILD
    if mother_relation in (Relation.CHILD, Relation.OTHER, Relation.SIBLING):
        return Relation.GRANDCHILD
    return Relation.OTHER


def _child_sex(rng: random.Random, order: int, sons: int) -> str:
    """Sons are preferred: the sex ratio rises with birth order when there is no son yet
    (≈ 107 for first births, ≈ 124 for second births after a girl, ≈ 111 overall)."""
    if order == 1:
        boy = 0.518
    elif order == 2:
        boy = 0.555 if sons == 0 else 0.505
    else:
        boy = 0.64 if sons == 0 else 0.505
    return Sex.MALE if rng.random() < boy else Sex.FEMALE


def _death_probability(age: float, male: bool) -> float:
    if age < 1:
        return 0.011 if male else 0.009
    if age < 5:
        return 0.0008
    if age < 15:
        return 0.0003
    if age < 35:
        return 0.0011 if male else 0.0004
    if male:
        return min(0.6, 0.0015 * math.exp(0.088 * (age - 35)))
    return min(0.6, 0.00065 * math.exp(0.096 * (age - 35)))


def _marriage_probability(age: float, sex: str, marital: str) -> float:
    if marital != MaritalStatus.NEVER_MARRIED:
        return 0.05 if age < 50 else 0.004
    if sex == Sex.MALE:
        age -= 2.5
    if age < 18:
        return 0.0
    if age < 20:
        return 0.03
    if age < 23:
        return 0.10
    if age < 26:
        return 0.17
    if age < 30:
        return 0.20
    if age < 35:
        return 0.12
    if age < 40:
        return 0.05
    return 0.01


def _birth_probability(
    age: float, parity: int, since_last: float | None, sons: int, profile: Profile
) -> float:
    """Yearly chance that a married woman gives birth, by age, children already born,
    years since the last birth (since the wedding for a first birth) and whether she has a
    son."""
    if age < 15 or age >= 50:
        return 0.0
    if age < 20:
        by_age = 0.9
    elif age < 30:
        by_age = 1.0
    elif age < 35:
        by_age = 0.85
    elif age < 40:
        by_age = 0.5
    elif age < 45:
        by_age = 0.15
    else:
        by_age = 0.02
    if parity == 0:  # a first child soon after the wedding, or perhaps never
        base = 0.6 if since_last is None or since_last < 4 else 0.10
    elif since_last is not None and since_last < 1.3:
        return 0.0
    elif parity == 1:
        t = since_last if since_last is not None else 5.0
        base = 0.22 if t < 2.5 else 0.30 if t < 6 else 0.12 if t < 10 else 0.03
    elif parity == 2:
        base = 0.015 * (3.5 if sons == 0 else 1.0) * profile.third_birth
    else:
        base = 0.010 * (3.0 if sons == 0 else 1.0) * profile.third_birth
    return base * by_age * profile.fertility


def _postpartum(rng: random.Random) -> int:
    """Days after a birth before a method is taken up again."""
    return 42 + int(rng.expovariate(1 / 150))


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (a normal approximation above 50)."""
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


# ---------------------------------------------------------------- writing the book


@dataclass
class GenerationSummary:
    """What ``generate`` wrote, and the figures of the generated year."""

    root: str
    level: str
    code: str
    year: int
    seed: int
    scale: float
    opening: date
    communes: int = 0
    villages_created: int = 0
    villages_reused: int = 0
    households: int = 0
    persons: int = 0
    memberships: int = 0
    events: Counter[str] = field(default_factory=Counter)
    figures: Figures = field(default_factory=Figures)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "level": self.level,
            "code": self.code,
            "year": self.year,
            "seed": self.seed,
            "scale": self.scale,
            "opening": self.opening.isoformat(),
            "communes": self.communes,
            "villages_created": self.villages_created,
            "villages_reused": self.villages_reused,
            "households": self.households,
            "persons": self.persons,
            "memberships": self.memberships,
            "events": dict(sorted(self.events.items())),
            "events_total": sum(self.events.values()),
            "figures": self.figures.as_dict(),
            "seconds": round(self.seconds, 1),
        }


SYNTHETIC = {"synthetic": True}
DECISION = "Dữ liệu minh họa do danso tạo, không phải số liệu chính thức"


@functools.cache
def _day(ordinal: int) -> date:
    return date.fromordinal(ordinal)


class _Paths:
    """The path of each village on a day, from its versions (a day before the village's
    first version takes the first version's path: see the module docstring)."""

    def __init__(self, village_ids: Sequence[int]) -> None:
        self.versions: dict[int, list[tuple[int, int, str]]] = {}
        rows = UnitVersion.objects.filter(unit_id__in=village_ids).order_by("valid_from")
        for unit_id, valid_from, valid_to, path in rows.values_list(
            "unit_id", "valid_from", "valid_to", "path"
        ):
            end = valid_to.toordinal() if valid_to else NEVER
            self.versions.setdefault(unit_id, []).append((valid_from.toordinal(), end, path))

    def on(self, unit_id: int, day: int) -> str:
        versions = self.versions[unit_id]
        for start, end, path in versions:
            if start <= day <= end:
                return path
        return versions[0][2] if day < versions[0][0] else versions[-1][2]


def _villages(
    commune: UnitVersion, households: int, opening: date, mid: date, rng: random.Random
) -> tuple[list[Unit], int, int]:
    """The villages of ``commune`` to fill (those valid on ``mid``, and new ones so that a
    village keeps at most about 400 households); with how many were created and reused."""
    profile = profile_of(commune.type)
    existing = [
        version.unit
        for version in UnitVersion.objects.filter(
            valid_on(mid), parent_id=commune.unit_id, unit__level=Level.VILLAGE
        )
        .select_related("unit")
        .order_by("code")
    ]
    wanted = max(1, round(households / rng.uniform(230, 320)), math.ceil(households / 400))
    villages = list(existing)
    prefix = f"{display_code(Level.COMMUNE, commune.code)}-"
    used = set(
        UnitVersion.objects.filter(unit__level=Level.VILLAGE, code__startswith=prefix).values_list(
            "code", flat=True
        )
    )
    number = len(existing)
    since = max(opening, commune.unit.valid_from)
    while len(villages) < wanted:
        number += 1
        code = f"{prefix}{profile.village_code}{number:02d}"
        if code in used:
            continue
        villages.append(
            units.village_create(
                commune=commune.unit,
                code=code,
                name=f"{profile.village_word} {number}",
                type=profile.village_type,
                valid_from=since,
                decision=DECISION,
            )
        )
    return villages, len(villages) - len(existing), len(existing)


class _Table:
    """Inserts into one model's table, in batches, without building model instances.

    ``bulk_create`` spends about 150 µs a row preparing every value through its field, a
    few minutes for the million rows of Long Biên.  Here the statement is written once,
    the columns not given (defaults, ``created_at``/``updated_at``) are prepared once, and
    rows are plain tuples of ``columns`` already in database form (dates and ``None`` are;
    JSON goes through ``json``).  ``insert_returning`` needs ``RETURNING`` (SQLite 3.35+,
    PostgreSQL), as ``bulk_create`` does to give back primary keys.
    """

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
        now = timezone.now()
        fixed = [f for name, f in fields.items() if name not in columns]
        self.fixed = tuple(
            f.get_db_prep_save(
                now
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                else f.get_default(),
                connection,
            )
            for f in fixed
        )
        self.json_field = fields.get("extra")
        quote = connection.ops.quote_name
        names = ", ".join(quote(str(f.column)) for f in [*(fields[c] for c in columns), *fixed])
        self.width = len(columns) + len(fixed)
        # identifiers come from the model and are quoted; values are parameters
        self.head = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES "  # noqa: S608
        self.one = "(" + ", ".join(["%s"] * self.width) + ")"
        self.table = model._meta.db_table
        self.pk_column = str(model._meta.pk.column) if model._meta.pk else "id"
        self.names = names

    def _copy(self, rows: Sequence[tuple[Any, ...]], with_pk: bool = False) -> None:
        """``COPY`` ``rows`` into the table (PostgreSQL), ten times faster than inserts
        through psycopg's pipeline for a commune's hundred thousand rows."""
        quote = connection.ops.quote_name
        names = f"{quote(self.pk_column)}, {self.names}" if with_pk else self.names
        with connection.cursor() as cursor:
            # identifiers come from the model and are quoted
            statement = f"COPY {quote(self.table)} ({names}) FROM STDIN"
            with cursor.cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row((*row, *self.fixed))

    def json(self, value: dict[str, Any]) -> Any:
        assert self.json_field is not None
        return self.json_field.get_db_prep_save(value, connection)

    def insert(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert ``rows`` (PostgreSQL: ``COPY``; SQLite: one statement run for many rows,
        which sqlite3 loops in C)."""
        if connection.vendor == "postgresql":
            self._copy(rows)
            return
        with connection.cursor() as cursor:
            for start in range(0, len(rows), BATCH):
                chunk = rows[start : start + BATCH]
                cursor.executemany(self.head + self.one, [(*row, *self.fixed) for row in chunk])

    def insert_returning(self, rows: Sequence[tuple[Any, ...]]) -> list[int]:
        """Insert ``rows`` with multi-row statements; return the new primary keys in the
        rows' order (as ``bulk_create`` relies on).  On PostgreSQL the keys are taken
        from the table's sequence first and the rows copied with them."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [self.table, self.pk_column, len(rows)],
                )
                keys = [row[0] for row in cursor.fetchall()]
            self._copy([(pk, *row) for pk, row in zip(keys, rows, strict=True)], with_pk=True)
            return keys
        per = min(500, (connection.features.max_query_params or 50_000) // self.width)
        ids: list[int] = []
        with connection.cursor() as cursor:
            for start in range(0, len(rows), per):
                chunk = rows[start : start + per]
                returning = f" RETURNING {connection.ops.quote_name(self.pk_column)}"
                sql = self.head + ", ".join([self.one] * len(chunk)) + returning
                cursor.execute(sql, [value for row in chunk for value in (*row, *self.fixed)])
                ids.extend(row[0] for row in cursor.fetchall())
        return ids


def _write(book: CommuneBook, villages: Sequence[Unit], stamp: str) -> tuple[int, Counter[str]]:
    """Insert the book's households, placements, persons, memberships and events; return
    the number of memberships and the events by type."""
    paths = _Paths([village.pk for village in villages])
    village_ids = [village.pk for village in villages]
    table = _Table(Household, ["source_id", "number", "address", "unit_id", "extra"])
    synthetic = table.json(SYNTHETIC)
    household_ids = table.insert_returning(
        [
            (
                f"{stamp}-H{n:06d}",
                f"{house.number:03d}",
                house.address,
                village_ids[house.village],
                synthetic,
            )
            for n, house in enumerate(book.households, start=1)
        ]
    )
    _Table(HouseholdPlacement, ["household_id", "unit_id", "valid_from"]).insert(
        [
            (household_ids[n], village_ids[house.village], _day(house.since))
            for n, house in enumerate(book.households)
        ]
    )
    table = _Table(
        Person,
        [
            "source_id",
            "full_name",
            "name_folded",
            "sex",
            "birth_date",
            "ethnicity",
            "id_number",
            "marital_status",
            "residence_status",
            "registered_on",
            "extra",
        ],
    )
    person_ids = table.insert_returning(
        [
            (
                f"{stamp}-P{n:07d}",
                person.name,
                fold(person.name),
                person.sex,
                _day(person.born),
                person.ethnicity,
                person.id_number,
                person.marital,
                person.residence,
                _day(person.stays[0].start),
                synthetic,
            )
            for n, person in enumerate(book.persons, start=1)
        ]
    )
    memberships = [
        (
            person_ids[n],
            household_ids[stay.household],
            stay.relation,
            _day(stay.start),
            None if stay.end == NEVER else _day(stay.end),
        )
        for n, person in enumerate(book.persons)
        for stay in person.stays
    ]
    _Table(Membership, ["person_id", "household_id", "relation", "valid_from", "valid_to"]).insert(
        memberships
    )
    table = _Table(
        Event,
        [
            "source_id",
            "event_type",
            "event_date",
            "person_id",
            "unit_id",
            "path",
            "child_id",
            "child_sex",
            "birth_order",
            "method",
            "supply",
            "new_acceptor",
            "spouse_id",
            "extra",
        ],
    )
    counts: Counter[str] = Counter()
    rows = []
    source_ids = [f"{stamp}-H{n:06d}" for n in range(1, len(book.households) + 1)]
    for n, event in enumerate(sorted(book.events, key=lambda e: e.day), start=1):
        unit_id = village_ids[book.households[book.household_of(event)].village]
        extra = event.extra or {}
        target = extra.get("to_household_id")
        if target:
            extra = {**extra, "to_household_id": source_ids[int(target[1:])]}
        child = event.child
        rows.append(
            (
                f"{stamp}-E{n:07d}",
                str(event.kind),
                _day(event.day),
                person_ids[event.person],
                unit_id,
                paths.on(unit_id, event.day),
                None if child is None else person_ids[child],
                "" if child is None else book.persons[child].sex,
                event.birth_order,
                event.method,
                event.supply,
                event.new_acceptor,
                None if event.spouse is None else person_ids[event.spouse],
                table.json(extra),
            )
        )
        counts[event.kind] += 1
    table.insert(rows)
    return len(memberships), counts


def _has_register(path: str, mid: date) -> bool:
    below = UnitVersion.objects.filter(valid_on(mid), path__startswith=path).values("unit_id")
    return HouseholdPlacement.objects.filter(unit_id__in=below).exists()


def generate(
    root: Unit,
    year: int,
    *,
    seed: int,
    scale: float = 1.0,
    progress: Progress | None = None,
    tree_date: date | None = None,
) -> GenerationSummary:
    """Generate a synthetic register for the communes under ``root`` (a province, a
    district or a commune) as the tree stood on 1 July of ``year`` (or on ``tree_date``:
    30 June 2025 fills Long Biên's wards for 2025, the year its district was abolished,
    and their villages then carry the whole year): from the opening of the book
    (``book_opening(year)``) to 31 December of ``year``.

    ``scale`` multiplies the number of households (1.0: about 5,500 a ward, 3,000 a rural
    commune).  The same seed gives the same register.  Raises ``ValidationError`` when
    ``root`` does not exist on 1 July, is not a province, district or commune, or already
    has households in its register (nothing is written twice).
    """
    started = time.perf_counter()
    if not 0 < scale <= 10:
        raise ValidationError(_("The scale must be more than 0 and at most 10."))
    mid = tree_date or date(year, 7, 1)
    version = UnitVersion.objects.filter(unit=root).filter(valid_on(mid)).first()
    if version is None:
        raise ValidationError(
            _("%(name)s does not exist on %(day)s.") % {"name": str(root), "day": f"{mid:%d/%m/%Y}"}
        )
    if Level(root.level) not in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE):
        raise ValidationError(_("A register is generated for a province, a district or a commune."))
    if _has_register(version.path, mid):
        raise ValidationError(
            _("%(name)s already has households in its register: nothing was generated.")
            % {"name": version.name}
        )
    communes = sorted(
        UnitVersion.objects.filter(
            valid_on(mid), unit__level=Level.COMMUNE, path__startswith=version.path
        ).select_related("unit"),
        key=lambda v: int(v.code),
    )
    opening = book_opening(year)
    province_id = int(version.path.split(".")[1])
    provinces = list(
        UnitVersion.objects.filter(valid_on(mid), unit__level=Level.PROVINCE).values_list(
            "unit_id", "code", "name"
        )
    )
    own = next(
        (f"{int(code):03d}" for unit_id, code, _n in provinces if unit_id == province_id), ""
    )
    places = [
        (display_code(Level.PROVINCE, code), name)
        for unit_id, code, name in sorted(provinces, key=lambda p: int(p[1]))
        if unit_id != province_id
    ]
    ids = IdNumbers(salt=(seed * 1_000_003 + int(version.code)) % 1_000_000)
    summary = GenerationSummary(
        root=version.name,
        level=root.level,
        code=version.display_code,
        year=year,
        seed=seed,
        scale=scale,
        opening=opening,
    )
    with transaction.atomic():
        for done, commune in enumerate(communes):
            if progress is not None:
                progress(commune.name, done, len(communes))
            # one stream a commune: a seed gives a commune the same households, persons and
            # events whatever the root (identity numbers are numbered across the run)
            rng = random.Random(f"danso:{seed}:{year}:{commune.code}")  # noqa: S311 - not secret
            profile = profile_of(commune.type)
            households = max(12, round(profile.households * scale * rng.uniform(0.75, 1.25)))
            villages, created, reused = _villages(commune, households, opening, mid, rng)
            book = CommuneBook(
                rng=rng,
                profile=profile,
                villages=len(villages),
                households=households,
                opening=opening,
                year=year,
                ids=ids,
                province=own or "001",
                places=places,
            )
            book.run()
            stamp = f"G{year}S{seed}C{display_code(Level.COMMUNE, commune.code)}"
            memberships, events = _write(book, villages, stamp)
            summary.communes += 1
            summary.villages_created += created
            summary.villages_reused += reused
            summary.households += len(book.households)
            summary.persons += len(book.persons)
            summary.memberships += memberships
            summary.events.update(events)
            summary.figures.add(book.figures())
    register_changed.send(sender=generate, units=None, since=None)
    analyze_register()
    if progress is not None:
        progress(version.name, len(communes), len(communes))
    summary.seconds = time.perf_counter() - started
    return summary
