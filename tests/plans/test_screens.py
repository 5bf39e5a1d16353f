"""The other plan screens, the indicator catalogue, the CLI check, the API schema."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.indicators.models import Indicator
from danso.plans.models import Activity, Plan, Target
from danso.units.codes import Level
from tests.conftest import BEFORE, unit_at
from tests.plans.conftest import HANOI_2025, LONG_BIEN_2024, SEEDS

pytestmark = pytest.mark.django_db


@pytest.fixture
def long_bien(make_user: Callable[..., User], client_for: Callable[[User], Client]) -> Client:
    return client_for(make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4"))


def test_list_detail_calendar_and_schedule(
    seed_plan: Callable[[str], Plan], long_bien: Client
) -> None:
    plan = seed_plan(LONG_BIEN_2024)
    listing = long_bien.get(reverse("plans:list")).content.decode()
    assert plan.title in listing
    detail = long_bien.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "Phòng Y tế" in detail
    assert "128/KH-UBND" in detail
    october = long_bien.get(reverse("plans:calendar"), {"month": "2024-10"}).content.decode()
    assert "Ngày Quốc tế trẻ em gái" in october
    assert "Tổ chức các hoạt động truyền thông cao điểm" in october
    # an activity's progress is recorded
    activity = Activity.objects.filter(plan=plan).first()
    assert activity is not None
    response = long_bien.post(
        reverse("plans:activity", args=[plan.pk, activity.pk]),
        {"status": "done", "progress_note": "Đã tổ chức 3 buổi"},
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == "done"


def test_the_import_wizard_previews_then_stores(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    province = client_for(make_user("hn", Role.PROVINCE_OFFICER, Level.PROVINCE, "1"))
    with (SEEDS / HANOI_2025).open("rb") as upload:
        unit = unit_at(Level.PROVINCE, "1", BEFORE)
        page = province.post(
            reverse("plans:import"), {"file": upload, "unit": unit.pk, "date": "15/01/2025"}
        )
    assert page.status_code == 200
    assert "416.950" in page.content.decode()
    assert not Plan.objects.exists()
    stored = province.post(reverse("plans:import"), {"confirm": "1"})
    assert stored.status_code == 302
    assert Plan.objects.count() == 1


def test_only_a_province_officer_edits_the_indicators(
    long_bien: Client, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    assert long_bien.get(reverse("plans:indicators")).status_code == 200
    assert long_bien.get(reverse("plans:indicator_edit", args=["TFR"])).status_code == 403
    province = client_for(make_user("hn", Role.PROVINCE_OFFICER, Level.PROVINCE, "1"))
    tfr = Indicator.objects.get(code="TFR")
    response = province.post(
        reverse("plans:indicator_edit", args=["TFR"]),
        {
            "code": "TFR",
            "name_vi": tfr.name_vi,
            "name_en": tfr.name_en,
            "unit": tfr.unit,
            "direction": "higher",
            "numerator": tfr.numerator,
            "denominator": tfr.denominator,
            "decimals": 2,
            "valid_from_year": 2026,
        },
    )
    assert response.status_code == 302
    tfr.refresh_from_db()
    assert (tfr.direction, tfr.valid_from_year) == ("higher", 2026)
    latest = tfr.history.order_by("-history_date").first()
    assert latest is not None
    assert latest.history_user is not None
    assert latest.history_user.username == "hn"  # the change is audited with who and when


def test_cli_check_prints_problems(
    seed_plan: Callable[[str], Plan], run_cli: Callable[..., Any]
) -> None:
    plan = seed_plan(HANOI_2025)
    out = run_cli("plans", "check", str(plan.pk))
    assert set(out) == {"problems"}
    assert all(set(p) == {"severity", "where", "message"} for p in out["problems"])
    listed = run_cli("plans", "list")
    assert [p["id"] for p in listed["plans"]] == [plan.pk]


def test_the_api_documents_plans_and_indicators(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    client = client_for(make_user("hn", Role.PROVINCE_OFFICER, Level.PROVINCE, "1"))
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    assert {"/api/v1/plans/", "/api/v1/plans/{id}/allocations/", "/api/v1/indicators/"} <= set(
        paths
    )
    codes = [i["code"] for i in client.get("/api/v1/indicators/").json()["results"]]
    assert {"NEWFP", "NEWFP.iud", "SRB", "TFR"} <= set(codes)


def test_a_target_is_typed_the_vietnamese_way(
    seed_plan: Callable[[str], Plan], long_bien: Client
) -> None:
    # "416.950" typed in the add-target form was saved as 417 (read as 416,95)
    plan = seed_plan(LONG_BIEN_2024)
    url = reverse("plans:target_create", args=[plan.pk])
    form = {"indicator": "NEWFP", "kind": "count_min", "baseline_year": "", "tolerance": ""}
    assert long_bien.post(url, {**form, "value": "416.950"}).status_code == 302
    assert Target.objects.filter(plan=plan).latest("pk").value == Decimal("416950")
    # a decimal comma, a signed change
    change = {**form, "indicator": "BIRTH3P", "kind": "change", "baseline_year": "2023"}
    assert long_bien.post(url, {**change, "value": "−0,15"}).status_code == 302
    assert Target.objects.filter(plan=plan).latest("pk").value == Decimal("-0.15")
    # a number that reads two ways is refused, saying how to write it
    before = Target.objects.filter(plan=plan).count()
    page = long_bien.post(url, {**form, "value": "416,950"}).content.decode()
    assert "có thể hiểu theo hai cách" in page
    assert Target.objects.filter(plan=plan).count() == before
