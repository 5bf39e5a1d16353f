"""The demo that ``danso setup --demo`` (and ``make run``) loads.

Accounts for every role, villages (tổ dân phố) in a Long Biên ward that move to their
new ward on 1/7/2025, and population figures for Hà Nội.  The figures are synthetic,
deterministic, and labelled as such: they are not official statistics.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from danso.accounts import services as accounts
from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.accounts.scope import SYSTEM
from danso.indicators import cache
from danso.plans.carried import allocations_carry
from danso.plans.importing import plan_import
from danso.plans.models import Plan
from danso.plans.services import (
    EARLIEST_UNITS,
    allocation_propose,
    plan_create_from_allocation,
    plan_update,
)
from danso.plans.weights import Basis
from danso.population.agegroups import DEFAULT_OPEN_AGE, group_labels
from danso.population.models import PopulationFigure
from danso.population.services import FigureInput, figure_save
from danso.register.flagging import flag_all
from danso.register.generation import GenerationSummary, Progress, generate
from danso.register.generation.doubtful import doubtful_entries
from danso.register.models import HouseholdPlacement
from danso.register.services import events_follow_units
from danso.units import services as units
from danso.units.codes import Level
from danso.units.models import Unit, UnitSuccession, UnitVersion, valid_on

DEMO_PASSWORD = "danso-demo"  # noqa: S105 - printed on screen; demo databases only
DEMO_SOURCE = "Số liệu minh họa do danso tạo, không phải số liệu chính thức"
HANOI = "1"
LONG_BIEN = "4"  # district, until 30/06/2025
NGOC_THUY = "118"  # ward of Long Biên until 30/06/2025 (code 118 means Phường Bồ Đề after)
PRE_REFORM = date(2024, 6, 30)
POST_REFORM = date(2025, 8, 1)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: Role
    level: Level | None
    code: str | None
    on: date  # the day the unit code is resolved


ACCOUNTS = (
    DemoAccount("admin", "Quản trị hệ thống", Role.ADMIN, None, None, PRE_REFORM),
    DemoAccount(
        "hanoi", "Chi cục Dân số Hà Nội", Role.PROVINCE_OFFICER, Level.PROVINCE, HANOI, PRE_REFORM
    ),
    DemoAccount(
        "longbien",
        "Đội Dân số Quận Long Biên",
        Role.DISTRICT_OFFICER,
        Level.DISTRICT,
        LONG_BIEN,
        PRE_REFORM,
    ),
    DemoAccount(
        "ngocthuy",
        "Viên chức dân số Phường Ngọc Thụy",
        Role.COMMUNE_OFFICER,
        Level.COMMUNE,
        NGOC_THUY,
        PRE_REFORM,
    ),
    DemoAccount(
        "bode",
        "Viên chức dân số Phường Bồ Đề",
        Role.COMMUNE_OFFICER,
        Level.COMMUNE,
        "118",
        POST_REFORM,
    ),
    DemoAccount(
        "ctv",
        "Cộng tác viên tổ dân phố 1",
        Role.COLLABORATOR,
        Level.VILLAGE,
        "NT-TDP01",
        PRE_REFORM,
    ),
    DemoAccount("xem", "Lãnh đạo UBND (chỉ xem)", Role.VIEWER, Level.PROVINCE, HANOI, PRE_REFORM),
)

# Pyramid shape (share of people by five-year group, 0–4 … 85+), roughly Hà Nội's.
_SHAPE = [7.6, 7.9, 7.0, 6.1, 6.9, 8.4, 8.6, 8.1, 7.4, 6.6, 6.0, 5.4, 4.6, 3.6, 2.5, 1.5, 1.0, 0.8]


def _version(level: Level, code: str, on: date) -> UnitVersion:
    return (
        UnitVersion.objects.filter(valid_on(on), unit__level=level, code=code)
        .select_related("unit")
        .get()
    )


@transaction.atomic
def load_demo() -> list[str]:
    """Create the demo once; returns what it created (empty when already there)."""
    if User.objects.filter(username="admin").exists():
        return []
    done = [*_villages(), *_figures(), *_plans()]
    for account in ACCOUNTS:
        user = accounts.user_create(
            username=account.username,
            password=DEMO_PASSWORD,
            full_name=account.full_name,
            is_superuser=account.role is Role.ADMIN,
            validate=False,
        )
        unit = (
            _version(account.level, account.code, account.on).unit
            if account.level and account.code
            else None
        )
        accounts.role_assign(
            user=user,
            role=account.role,
            unit=unit,
            valid_from=unit.valid_from if unit else date(2023, 5, 7),
            note="demo",
        )
        done.append(f"user {account.username} ({account.role.label})")
    return done


def _villages() -> list[str]:
    ward = _version(Level.COMMUNE, NGOC_THUY, PRE_REFORM).unit
    new_ward = _version(Level.COMMUNE, "118", POST_REFORM).unit
    created = []
    for number in range(1, 9):
        village = units.village_create(
            commune=ward,
            code=f"NT-TDP{number:02d}",
            name=f"Tổ dân phố {number}",
            type="tổ dân phố",
            valid_from=date(2023, 5, 7),
            decision="Sổ A0 năm 2021 của phường",
        )
        units.unit_move(
            unit=village,
            parent=new_ward,
            effective=date(2025, 7, 1),
            decision="Sắp xếp ĐVHC cấp xã 2025",
        )
        created.append(f"village Tổ dân phố {number}")
    return created


def _split(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """``total`` split by ``weights`` (with a little noise), summing exactly to it."""
    noisy = [w * rng.uniform(0.9, 1.1) for w in weights]
    scale = total / sum(noisy)
    parts = [int(w * scale) for w in noisy]
    for i in range(total - sum(parts)):
        parts[i % len(parts)] += 1
    return parts


def _figure(total: int, rng: random.Random, year: int) -> FigureInput:
    male = round(total * rng.uniform(0.485, 0.5))
    female = total - male
    return FigureInput(
        year=year,
        total=total,
        male=male,
        female=female,
        open_age=DEFAULT_OPEN_AGE,
        male_by_age=_split(male, _SHAPE, rng),
        female_by_age=_split(female, _SHAPE[:-3] + [x * 1.4 for x in _SHAPE[-3:]], rng),
        source=DEMO_SOURCE,
    )


def _figures() -> list[str]:
    """Hà Nội 2024 (8.5 million) split over its districts and Long Biên's wards."""
    assert len(_SHAPE) == len(group_labels(DEFAULT_OPEN_AGE))
    rng = random.Random(2024)
    hanoi = _version(Level.PROVINCE, HANOI, PRE_REFORM)
    districts = list(
        UnitVersion.objects.filter(valid_on(PRE_REFORM), parent_id=hanoi.unit_id)
        .select_related("unit")
        .order_by("code")
    )
    city_total = 8_500_000
    weights = [3.0 if v.type == "quận" else 2.5 for v in districts]
    totals = _split(city_total, weights, rng)
    created = 0
    for year in (2023, 2024):
        growth = 1.0 if year == 2024 else 0.985
        year_totals = [round(t * growth) for t in totals]
        figure_save(unit=hanoi.unit, figure=_figure(sum(year_totals), rng, year))
        for version, total in zip(districts, year_totals, strict=True):
            figure_save(unit=version.unit, figure=_figure(total, rng, year))
            created += 1
            if version.code == LONG_BIEN:
                wards = list(
                    UnitVersion.objects.filter(valid_on(PRE_REFORM), parent_id=version.unit_id)
                    .select_related("unit")
                    .order_by("code")
                )
                for ward, ward_total in zip(
                    wards, _split(total, [1.0] * len(wards), rng), strict=True
                ):
                    figure_save(unit=ward.unit, figure=_figure(ward_total, rng, year))
                    created += 1
    return [f"{created + 2} population figures ({DEMO_SOURCE})"]


#: The seed plans (data/seeds) and how they are imported: issuing unit and plan date.
SEED_PLANS = (
    ("000_23875aab0c3b34d2.txt", Level.PROVINCE, HANOI, date(2021, 1, 15)),
    ("001_c4f65c01576ce68f.txt", Level.PROVINCE, HANOI, date(2025, 1, 15)),
    ("004_b9a09b820d694809.txt", Level.DISTRICT, LONG_BIEN, date(2024, 3, 5)),
    ("002_5867d12833a004cd.txt", Level.DISTRICT, LONG_BIEN, date(2025, 3, 1)),
    ("003_94f7bf58c3aa8773.txt", Level.COMMUNE, "11671", date(2023, 4, 1)),
)


def _plans() -> list[str]:
    """The five seed plans, and a draft Long Biên 2025 plan made from the city's
    allocation, with its contraceptive target split among the wards."""
    done = []
    seeds = settings.BASE_DIR / "data" / "seeds"
    for file_name, level, code, on in SEED_PLANS:
        unit = _version(level, code, max(on, EARLIEST_UNITS)).unit
        result = plan_import(
            (seeds / file_name).read_bytes(), file_name=file_name, unit=unit, on=on
        )
        if result.plan is None:
            raise RuntimeError(f"{file_name}: {[p.message for p in result.errors]}")
        done.append(f"plan {result.plan}")
    city_2025 = Plan.objects.get(
        unit=_version(Level.PROVINCE, HANOI, PRE_REFORM).unit, period_start=2025
    )
    long_bien = _version(Level.DISTRICT, LONG_BIEN, date(2025, 1, 15)).unit
    plan = plan_create_from_allocation(parent=city_2025, unit=long_bien)
    newfp = plan.targets.get(indicator__code="NEWFP")
    allocation_propose(target=newfp, basis=Basis.WOMEN_15_49)
    # The seed of the city's 2025 plan is the draft sent for signature (no number yet);
    # the demo issues both 2025 plans under illustrative numbers so that the dashboards
    # follow their targets.
    for issued, number, on in (
        (city_2025, "15/KH-UBND (minh họa)", date(2025, 1, 15)),
        (plan, "30/KH-UBND (minh họa)", date(2025, 3, 1)),
    ):
        plan_update(plan=issued, status=Plan.Status.ISSUED, number=number, issued_on=on)
    done.append(f"plan {plan}")
    return done


#: The demo register runs from the book's opening (1/1/2021) to 31/12/2025, so that the
#: 2025 plans can be followed; its villages are those of Long Biên's 14 wards on
#: 31/12/2024.  They cross both reforms with their history: Sài Đồng's groups move on
#: 1/1/2025 to Phúc Lợi and Phúc Đồng (Nghị quyết 1286/NQ-UBTVQH15), every group on
#: 1/7/2025 to its ward's successor.
REGISTER_YEAR = 2025
REGISTER_TREE = date(2024, 12, 31)
REGISTER_SEED = 1
SAI_DONG = "142"
#: Sài Đồng's people as the resolution divides them: 13,092 to Phúc Lợi (00136), 4,817
#: to Phúc Đồng (00151).
SAI_DONG_SPLIT = (("136", 13_092), ("151", 4_817))
ARRANGEMENT = date(2025, 1, 1)
ARRANGEMENT_DECISION = "Nghị quyết 1286/NQ-UBTVQH15 ngày 14/11/2024"


def load_demo_register(
    scale: float = 1.0, progress: Progress | None = None
) -> GenerationSummary | None:
    """Generate Long Biên's synthetic register (about 270,000 persons at scale 1.0) unless
    the district already has one; returns what was generated, or None."""
    long_bien = _version(Level.DISTRICT, LONG_BIEN, REGISTER_TREE)
    wards = UnitVersion.objects.filter(
        valid_on(REGISTER_TREE), path__startswith=long_bien.path
    ).values("unit_id")
    if HouseholdPlacement.objects.filter(unit_id__in=wards).exists():
        return None
    summary = generate(
        long_bien.unit,
        REGISTER_YEAR,
        seed=REGISTER_SEED,
        scale=scale,
        progress=progress,
        tree_date=REGISTER_TREE,
    )
    _sai_dong_groups_to_successors()
    _villages_to_new_wards(long_bien)
    events_follow_units(
        list(
            UnitVersion.objects.filter(
                path__startswith=long_bien.path, unit__level=Level.VILLAGE
            ).values_list("unit_id", flat=True)
        )
    )
    # the targets the wards had from Long Biên's 2025 plan go on with the new wards
    allocations_carry(user=SYSTEM)
    _doubtful_entries()
    return summary


def _doubtful_entries() -> None:
    """A few doubtful entries in Ngọc Thụy's book, recorded by its collaborator or its
    officer (``generation.doubtful``), then every entry checked by the rules
    (``flagging.flag_all``): the data-quality screen has something to list.  Without
    the demo's accounts (``load_demo`` not run) the book is only checked."""
    officer = User.objects.filter(username="ngocthuy").first()
    if officer is not None:
        collaborator = User.objects.filter(username="ctv").first()
        ngoc_thuy = _version(Level.COMMUNE, NGOC_THUY, REGISTER_TREE)
        village = UnitVersion.objects.filter(
            valid_on(REGISTER_TREE), unit__level=Level.VILLAGE, code="NT-TDP01"
        ).first()
        keepers = {village.unit_id: collaborator} if village and collaborator else {}
        doubtful_entries(ngoc_thuy.unit, REGISTER_YEAR, user=officer, keepers=keepers)
    flag_all()


def warm_demo_figures(progress: Progress | None = None) -> float:
    """Count the demo register's figures for every period of every year the screens can
    open (from the register's first year to this one), a year in one set-based pass, so
    that the first look at any dashboard reads them from the cache (later changes keep
    them fresh).  Returns the seconds it took."""
    started = time.perf_counter()
    years = cache.years_with_register(max(REGISTER_YEAR, timezone.localdate().year))
    for done, year in enumerate(reversed(years)):
        if progress is not None:
            progress(f"số liệu năm / figures {year}", done, len(years))
        cache.warm(year)
    return time.perf_counter() - started


def _sai_dong_groups_to_successors() -> None:
    """On 1/1/2025 Phường Sài Đồng was split between Phúc Lợi and Phúc Đồng: its groups
    closed with it, and the demo moves each, with its history, to one of them — the first
    groups (by code) to Phúc Lợi until it holds its share of the households, the rest to
    Phúc Đồng — as a ward officer does on the screen of groups to place."""
    eve = ARRANGEMENT - timedelta(days=1)
    sai_dong = _version(Level.COMMUNE, SAI_DONG, eve)
    groups = sorted(
        UnitVersion.objects.filter(
            valid_on(eve), parent_id=sai_dong.unit_id, unit__level=Level.VILLAGE
        ).select_related("unit"),
        key=lambda group: group.code,
    )
    if not groups:
        return
    households = dict(
        HouseholdPlacement.objects.filter(unit_id__in=[group.unit_id for group in groups])
        .values_list("unit_id")
        .annotate(count=Count("household_id", distinct=True))
    )
    total = sum(households.values())
    (first, first_people), (second, second_people) = SAI_DONG_SPLIT
    wanted = total * first_people / (first_people + second_people)
    to_first: list[UnitVersion] = []
    taken = 0
    for group in groups:
        if taken < wanted:
            to_first.append(group)
            taken += households.get(group.unit_id, 0)
    if len(to_first) == len(groups) > 1:
        to_first.pop()  # Phúc Đồng took a part too
    for group in groups:
        units.unit_move(
            unit=group.unit,
            parent=_version(
                Level.COMMUNE, first if group in to_first else second, ARRANGEMENT
            ).unit,
            effective=ARRANGEMENT,
            decision=ARRANGEMENT_DECISION,
        )


def _villages_to_new_wards(district: UnitVersion) -> None:
    """On 1/7/2025 every village of Long Biên's wards moves, with its history, to its
    ward's successor (for a ward split between several, the one of the same name if
    there is one, else the first in the conversion table: the demo does not know where
    each village went), as communes do after the reform; the figures of the new wards
    are then exact."""
    reform = date(2025, 7, 1)
    eve = reform - timedelta(days=1)
    on_eve = UnitVersion.objects.get(valid_on(eve), unit_id=district.unit_id)
    villages = list(
        UnitVersion.objects.filter(
            valid_on(eve), path__startswith=on_eve.path, unit__level=Level.VILLAGE
        ).select_related("unit")
    )
    names = dict(
        UnitVersion.objects.filter(
            valid_on(eve), unit_id__in={village.parent_id for village in villages}
        ).values_list("unit_id", "name")
    )
    heirs: dict[int, Unit] = {}
    for link in UnitSuccession.objects.filter(
        effective=reform, predecessor_id__in=list(names)
    ).order_by("pk"):
        heir = UnitVersion.objects.get(valid_on(reform), unit_id=link.successor_id)
        if link.predecessor_id not in heirs or heir.name == names[link.predecessor_id]:
            heirs[link.predecessor_id] = link.successor
    for village in villages:
        new_ward = heirs.get(village.parent_id or 0)
        after = UnitVersion.objects.filter(valid_on(reform), unit=village.unit).first()
        already = after is not None and after.valid_from == reform  # the demo's own 8
        if new_ward is not None and not already:
            units.unit_move(
                unit=village.unit,
                parent=new_ward,
                effective=reform,
                decision="Sắp xếp ĐVHC cấp xã 2025",
            )


def demo_units() -> list[Unit]:
    return list(Unit.objects.filter(population_figures__source=DEMO_SOURCE).distinct())


__all__ = ["DEMO_PASSWORD", "PopulationFigure", "load_demo"]
