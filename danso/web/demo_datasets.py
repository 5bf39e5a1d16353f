"""The demo's data sets (issue 18): what the seed plans demand that no register event
feeds — pregnant women counselled, prenatal screening of 4 diseases, newborn screening of
5 diseases, young people who know the basics of reproductive health — defined as data
elements and indicators, targeted in the 2025 plans of Hà Nội and Long Biên, and entered
for every month of 2025 by the wards that keep the demo register.

The monthly values are synthetic, drawn around the register's own pregnancies and births of
each ward and month (so that a share never passes 100 %), from a fixed seed: the same demo
every time.  Loaded after the register's figures are counted (``warm_demo_figures``).
"""

from __future__ import annotations

import random
from decimal import Decimal

from danso.accounts.scope import SYSTEM
from danso.datasets import services as datasets
from danso.datasets.models import DataElement, DataSet
from danso.datasets.services import Entry
from danso.indicators import cache
from danso.indicators import tallies as keys
from danso.indicators.periods import Period
from danso.indicators.services import indicator_define
from danso.plans.document import TargetKind, TargetSpec
from danso.plans.models import Plan, Target
from danso.plans.services import target_save
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on

YEAR = 2025
SEED = 18
DATA_SET = "XA_THANG_BO_SUNG"

DEFINITIONS = {
    "data_elements": [
        {
            "code": "PREG_COUNSELLED",
            "name": "Số thai phụ được tuyên truyền, tư vấn về sàng lọc trước sinh",
            "name_en": "Pregnant women counselled on prenatal screening",
            "value_type": "number",
        },
        {
            "code": "PRENATAL_4_SCREENED",
            "name": "Số thai phụ được sàng lọc trước sinh 4 bệnh phổ biến",
            "name_en": "Pregnant women screened for the 4 common conditions",
            "value_type": "number",
        },
        {
            "code": "NEWBORN_5_SCREENED",
            "name": "Số trẻ sơ sinh được sàng lọc 5 bệnh phổ biến",
            "name_en": "Newborns screened for the 5 common conditions",
            "value_type": "number",
        },
        {
            "code": "YOUTH_REACHED",
            "name": "Số vị thành niên, thanh niên được tuyên truyền, khảo sát",
            "name_en": "Adolescents and young people reached and surveyed",
            "value_type": "number",
        },
        {
            "code": "YOUTH_KNOWING",
            "name": "Số vị thành niên, thanh niên có hiểu biết cơ bản về sức khỏe sinh sản",
            "name_en": "Young people with basic knowledge of reproductive health",
            "value_type": "number",
        },
    ],
    "data_sets": [
        {
            "code": DATA_SET,
            "name": "Báo cáo tháng bổ sung của xã, phường",
            "name_en": "Supplementary monthly report of a commune",
            "period_type": "month",
            "level": "commune",
            "elements": [
                "PREG_COUNSELLED",
                "PRENATAL_4_SCREENED",
                "NEWBORN_5_SCREENED",
                "YOUTH_REACHED",
                "YOUTH_KNOWING",
            ],
        }
    ],
}

#: code, name, numerator, denominator, the 2025 target (a share, at least)
INDICATORS = (
    (
        "PREG_COUNSEL",
        "Tỷ lệ thai phụ được tuyên truyền, tư vấn",
        "#{PREG_COUNSELLED}",
        "pregnancies",
        Decimal(90),
    ),
    (
        "PRENATAL4",
        "Tỷ lệ thai phụ được sàng lọc trước sinh 4 bệnh phổ biến",
        "#{PRENATAL_4_SCREENED}",
        "pregnancies",
        Decimal(70),
    ),
    (
        "NEWBORN5",
        "Tỷ lệ trẻ sơ sinh được sàng lọc 5 bệnh phổ biến",
        "#{NEWBORN_5_SCREENED}",
        "births",
        Decimal(90),
    ),
    (
        "YOUTH_KNOW",
        "Tỷ lệ vị thành niên, thanh niên có hiểu biết cơ bản về sức khỏe sinh sản",
        "#{YOUTH_KNOWING}",
        "#{YOUTH_REACHED}",
        Decimal(70),
    ),
)


def load_demo_datasets() -> list[str]:
    """Define, target and enter the demo's data sets once (nothing when already there)."""
    if DataSet.objects.filter(code=DATA_SET).exists():
        return []
    report = datasets.define(DEFINITIONS, actor=SYSTEM, file_name="demo")
    if report.problems:
        raise RuntimeError("; ".join(str(p) for p in report.problems))
    done = [f"data set {DATA_SET}"]
    for code, name, numerator, denominator, _target in INDICATORS:
        indicator_define(
            code=code,
            name=name,
            numerator=numerator,
            denominator=denominator,
            factor=Decimal(100),
            direction="up",
            actor=SYSTEM,
        )
        done.append(f"indicator {code}")
    done += _targets()
    saved = _values()
    done.append(f"{saved} data values of {YEAR}")
    return done


def _targets() -> list[str]:
    """The 2025 plans of the city and of Long Biên target the new indicators."""
    done = []
    for plan in Plan.objects.filter(period_start=YEAR).order_by("pk"):
        if plan.unit.level not in (Level.PROVINCE, Level.DISTRICT):
            continue
        order = (plan.targets.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        for code, _name, _n, _d, value in INDICATORS:
            if Target.objects.filter(plan=plan, indicator__code=code).exists():
                continue
            target_save(
                plan=plan,
                spec=TargetSpec(indicator=code, kind=TargetKind.LEVEL_MIN, value=value, unit="%"),
                order=order,
            )
            order += 1
            done.append(f"target {code} ≥ {value} % of {plan}")
    return done


def _values() -> int:
    """Each month of 2025, the values of every ward with a register, around its own
    pregnancies and births."""
    rng = random.Random(SEED)
    data_set = DataSet.objects.get(code=DATA_SET)
    elements = {e.code: e for e in DataElement.objects.filter(data_sets=data_set)}
    leaves = cache.register_leaves()
    entries: list[Entry] = []
    for month in range(1, 13):
        period = Period.month_of(YEAR, month)
        communes = UnitVersion.objects.filter(
            valid_on(period.end),
            unit__level=Level.COMMUNE,
            unit_id__in=UnitVersion.objects.filter(valid_on(period.end), unit_id__in=leaves).values(
                "parent_id"
            ),
        ).select_related("unit")
        for version in communes:
            tally = cache.figures(version, period, tree_date=period.end).tally
            pregnancies = tally.get(keys.PREGNANCIES, 0)
            births = tally.get(keys.BIRTHS, 0)
            youth = rng.randint(20, 60)
            counts = {
                "PREG_COUNSELLED": _share(pregnancies, 0.86, 0.99, rng),
                "PRENATAL_4_SCREENED": _share(pregnancies, 0.62, 0.85, rng),
                "NEWBORN_5_SCREENED": _share(births, 0.85, 0.98, rng),
                "YOUTH_REACHED": youth,
                "YOUTH_KNOWING": _share(youth, 0.6, 0.85, rng),
            }
            entries += [
                Entry(data_set, elements[code], version, period, "", Decimal(n), "", "")
                for code, n in counts.items()
            ]
    saved, _unchanged = datasets.write(entries, actor=SYSTEM)
    return saved


def _share(whole: int, low: float, high: float, rng: random.Random) -> int:
    return round(whole * rng.uniform(low, high))
