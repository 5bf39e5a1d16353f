"""The seed plans import through `danso plans import` (acceptance of the plans issue)."""

from collections.abc import Callable
from typing import Any

import pytest

from danso.plans.models import Activity, Allocation, Plan
from tests.plans.conftest import (
    CHIEN_THANG_2023,
    HANOI_2021,
    HANOI_2025,
    LONG_BIEN_2024,
    LONG_BIEN_2030,
    SEEDS,
)

pytestmark = pytest.mark.django_db


def newfp(out: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in out["allocations"] if a["indicator"] == "NEWFP"]


def test_hanoi_2025(run_cli: Callable[..., Any]) -> None:
    out = run_cli(
        "plans",
        "import",
        str(SEEDS / HANOI_2025),
        "--unit",
        "01",
        "--level",
        "province",
        "--date",
        "2025-01-15",
        "--dry-run",
    )
    assert out["plan"] is None  # a dry run stores nothing
    assert not Plan.objects.exists()
    rows = newfp(out)
    assert len(rows) == 30
    assert sum(a["value"] for a in rows) == 416950
    long_bien = next(a for a in rows if a["unit_name"] == "Quận Long Biên")
    assert (long_bien["unit_code"], long_bien["value"]) == ("004", 24971)
    assert long_bien["breakdown"]["iud"] == 1050
    ung_hoa = next(
        a for a in out["allocations"] if a["indicator"] == "PREMARITAL" and a["unit_code"] == "281"
    )
    assert (ung_hoa["unit_name"], ung_hoa["value"]) == ("Huyện Ứng Hòa", 78)
    assert out["problems"] == []
    targets = {t["indicator"]: t for t in out["targets"]}
    assert targets["BIRTH3P"] == {
        "indicator": "BIRTH3P",
        "kind": "change",
        "value": -0.15,
        "unit": "%",
        "baseline_year": 2024,
    }
    assert targets["SRB"]["kind"] == "ceiling"
    assert targets["SRB"]["value"] == 110
    assert targets["NEWFP"]["kind"] == "count_min"
    assert targets["NEWFP"]["value"] == 416950


def test_hanoi_2021_with_the_supply_split(run_cli: Callable[..., Any]) -> None:
    out = run_cli(
        "plans",
        "import",
        str(SEEDS / HANOI_2021),
        "--unit",
        "01",
        "--level",
        "province",
        "--date",
        "2021-01-15",
    )
    assert out["plan"]["year"] == 2021
    assert out["plan"]["number"] == "256/KH-UBND"
    by_unit: dict[str, set[str]] = {}
    for a in out["allocations"]:
        by_unit.setdefault(a["unit_code"], set()).add(a["indicator"])
    assert len(by_unit) == 30
    assert all(
        indicators >= {"CBR", "BIRTH3P", "PREG_COUNSEL", "PRENATAL", "NEWBORN", "ELDERLY"}
        for indicators in by_unit.values()
    )
    ba_vi = next(a for a in newfp(out) if a["unit_name"] == "Huyện Ba Vì")
    assert ba_vi["breakdown"]["iud"] == {"total": 2980, "free": 90, "social_marketing": 2890}
    assert sum(a["value"] for a in newfp(out)) == 380350
    # the figures are stored as imported
    plan = Plan.objects.get(pk=out["plan"]["id"])
    assert Allocation.objects.filter(target__plan=plan).count() == 30 * 7
    assert [p for p in out["problems"] if p["severity"] == "error"] == []


def test_the_plan_bodies_become_structured_plans(
    seed_plan: Callable[[str], Plan],
) -> None:
    srb = seed_plan(LONG_BIEN_2024)
    assert srb.number == "128/KH-UBND"
    target = srb.targets.get()
    assert (target.indicator.code, target.kind, int(target.value)) == ("SRB", "ceiling", 109)
    activities = list(srb.activities.all())
    assert len(activities) >= 10
    inspect = next(a for a in activities if a.name.startswith("Kiểm tra, giám sát"))
    assert (inspect.window, inspect.lead, inspect.recurrence) == (
        "Hàng tháng",
        "Phòng Y tế",
        "monthly",
    )
    assert "TTYT" in inspect.coordinating
    assert {r.number for r in srb.references.all()} >= {"68/KH-UBND", "792/KH-SYT"}

    programme = seed_plan(LONG_BIEN_2030)
    found = {(t.indicator.code, t.kind, float(t.value)) for t in programme.targets.all()}
    assert ("TFR", "near", 2.1) in found
    assert ("TFR", "all_children", 100.0) in found
    assert programme.period_end == 2030

    commune = seed_plan(CHIEN_THANG_2023)
    kinds = {t.indicator.code: (t.kind, float(t.value)) for t in commune.targets.all()}
    assert kinds["SRB"] == ("change", -7.5)
    assert kinds["PRENATAL"] == ("level_min", 62.0)


def test_a_seed_plan_keeps_its_sections_and_report_rules(
    seed_plan: Callable[[str], Plan],
) -> None:
    plan = seed_plan(HANOI_2025)
    rules = {(o.period, o.rule, o.day, o.month) for o in plan.obligations.all()}
    assert ("quarter", "before_day_next", 10, None) in rules
    assert ("year", "fixed_date", 15, 12) in rules
    agencies = {s.agency_name for s in plan.sections.filter(kind="responsibility")}
    assert "Sở Y tế" in agencies
    assert plan.unit.agencies.filter(name="Sở Y tế").exists()
    assert Activity.objects.filter(plan=plan).count() == 0
