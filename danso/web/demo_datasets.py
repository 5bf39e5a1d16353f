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
from datetime import date
from decimal import Decimal

from danso.accounts.scope import SYSTEM
from danso.datasets import services as datasets
from danso.datasets.models import DataElement, DataSet
from danso.datasets.services import Entry
from danso.facilities.models import ChecklistItem, Service, ViolationKind
from danso.facilities.services import FacilityInput, InspectionInput, facility_save, inspection_save
from danso.indicators import cache
from danso.indicators import tallies as keys
from danso.indicators.periods import Period
from danso.indicators.services import indicator_define
from danso.plans.activities import activity_counts_write, activity_save, occurrence_record
from danso.plans.document import TargetKind, TargetSpec
from danso.plans.models import Activity, ActivityBudget, Plan, Target
from danso.plans.recurrence import Repeat
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
    done += _inspections()
    done += _clubs_and_trainings()
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


#: Long Biên's private ultrasound clinics (illustrative names): ward code, name, address.
CLINICS = (
    ("118", "Phòng khám đa khoa tư nhân Hồng Phúc (minh họa)", "Số 12 phố Ngọc Thụy"),
    ("139", "Phòng siêu âm Bồ Đề (minh họa)", "Số 45 phố Bồ Đề"),
    ("130", "Phòng khám sản phụ khoa Gia Thụy (minh họa)", "Số 8 phố Gia Thụy"),
)
INSPECTION_TEAM = "Đoàn kiểm tra liên ngành quận Long Biên"
INSPECTION_AGENCIES = "Trung tâm Y tế quận; Phòng Y tế quận; Công an phường"
#: The month of 2024 whose inspection found a violation (the fetus's sex hinted at).
VIOLATION_MONTH = 6


def _inspections() -> list[str]:
    """Long Biên's 2024 SRB plan inspects its private ultrasound clinics every month
    (Kế hoạch 128/KH-UBND): three clinics, one inspected each month of 2024 and of the
    first half of 2025 in turn, one violation in June 2024; the target of 12 inspections a
    year, monitored from the data set the inspections are counted into."""
    opened = date(2024, 1, 1)
    clinics = [
        facility_save(
            actor=SYSTEM,
            data=FacilityInput(
                name=name,
                address=address,
                services=(Service.ULTRASOUND, Service.PRENATAL),
                licence_number=f"{i + 101}/HNO-GPHĐ",
                licence_date=date(2019, 3 + i, 10),
                note=DEMO_NOTE,
            ),
            on=opened,
            unit=UnitVersion.objects.get(
                valid_on(opened), unit__level=Level.COMMUNE, code=ward
            ).unit,
        )
        for i, (ward, name, address) in enumerate(CLINICS)
    ]
    complied = {item.value: True for item in ChecklistItem}
    months = [(2024, m) for m in range(1, 13)] + [(YEAR, m) for m in range(1, 7)]
    for n, (year, month) in enumerate(months):
        violation = (year, month) == (2024, VIOLATION_MONTH)
        inspection_save(
            actor=SYSTEM,
            facility=clinics[n % len(clinics)],
            data=InspectionInput(
                date=date(year, month, 20),
                team=INSPECTION_TEAM,
                agencies=INSPECTION_AGENCIES,
                checklist={**complied, ChecklistItem.NO_DISCLOSURE.value: not violation},
                findings=(
                    "Nhân viên siêu âm gợi ý giới tính thai nhi cho thai phụ."
                    if violation
                    else "Cơ sở chấp hành đúng quy định cấm lựa chọn giới tính thai nhi."
                ),
                violation=violation,
                violation_kind=ViolationKind.DISCLOSURE if violation else "",
                sanction="Phạt tiền theo Nghị định 117/2020/NĐ-CP" if violation else "",
                fine=Decimal(30_000_000) if violation else None,
                follow_up="Kiểm tra lại sau một tháng" if violation else "",
                follow_up_on=date(year, month + 1, 20) if violation else None,
            ),
        )
    indicator_define(
        code="INSPECTIONS",
        name="Số lượt kiểm tra cơ sở siêu âm tư nhân về lựa chọn giới tính thai nhi",
        numerator="#{INSPECTIONS}",
        denominator="",
        factor=Decimal(1),
        direction="up",
        actor=SYSTEM,
    )
    done = [f"facility {c.name}" for c in clinics] + [f"{len(months)} inspections"]
    srb_plan = Plan.objects.filter(period_start=2024, unit__level=Level.DISTRICT).first()
    if srb_plan is not None:
        order = srb_plan.targets.order_by("-order").values_list("order", flat=True).first() or 0
        target_save(
            plan=srb_plan,
            spec=TargetSpec(
                indicator="INSPECTIONS",
                kind=TargetKind.COUNT_MIN,
                value=Decimal(12),
                unit="persons",
            ),
            order=order + 1,
        )
        done.append(f"target INSPECTIONS ≥ 12 of {srb_plan}")
    return done


def _clubs_and_trainings() -> list[str]:
    """Long Biên's 2025 plan keeps its premarital-health clubs meeting every month and
    trains its collaborators in March; the results of the first half of 2025 (the
    district closed on 30/6/2025) are recorded and written into its monthly data set."""
    plan = Plan.objects.filter(
        period_start=YEAR, unit__level=Level.DISTRICT, number__startswith="30/KH"
    ).first()
    if plan is None:
        return []
    clubs = activity_save(
        plan=plan,
        actor=SYSTEM,
        name="Duy trì sinh hoạt câu lạc bộ sức khỏe sinh sản tiền hôn nhân tại các phường",
        kind=Activity.Kind.CLUB,
        repeats=Repeat.MONTHLY,
        start=date(YEAR, 1, 1),
        end=date(YEAR, 6, 30),
        lead="Trung tâm Y tế quận",
        coordinating="Quận đoàn; Hội Liên hiệp Phụ nữ quận",
        budget={ActivityBudget.Source.LOCAL: (Decimal(36_000_000), Decimal(18_000_000))},
    )
    training = activity_save(
        plan=plan,
        actor=SYSTEM,
        name="Tập huấn kỹ năng tư vấn cho cộng tác viên dân số",
        kind=Activity.Kind.TRAINING,
        repeats=Repeat.ONCE,
        start=date(YEAR, 3, 1),
        end=date(YEAR, 3, 31),
        lead="Trung tâm Y tế quận",
        budget={ActivityBudget.Source.LOCAL: (Decimal(25_000_000), Decimal(23_500_000))},
    )
    rng = random.Random(SEED + 1)
    for occurrence in clubs.occurrences.order_by("start"):
        occurrence_record(
            occurrence=occurrence,
            actor=SYSTEM,
            held=True,
            held_on=occurrence.start.replace(day=20),
            counts={
                "sessions": 14,
                "youth": rng.randint(300, 380),
                "couples": rng.randint(20, 40),
                "materials": rng.randint(400, 600),
                "clubs_running": 14,
                "members": rng.randint(410, 440),
            },
            today=date(YEAR, 6, 30),
        )
    for occurrence in training.occurrences.all():
        occurrence_record(
            occurrence=occurrence,
            actor=SYSTEM,
            held=True,
            held_on=date(YEAR, 3, 18),
            counts={"sessions": 2, "others": 98, "trainees": 98, "materials": 98},
            today=date(YEAR, 6, 30),
        )
    written = activity_counts_write(plan=plan, year=YEAR, actor=SYSTEM, today=date(YEAR, 6, 30))
    return [
        f"activity {clubs.name}",
        f"activity {training.name}",
        f"{written.saved} activity counts",
    ]


DEMO_NOTE = "Cơ sở minh họa do danso tạo, không phải cơ sở thật"


def _share(whole: int, low: float, high: float, rng: random.Random) -> int:
    return round(whole * rng.uniform(low, high))
