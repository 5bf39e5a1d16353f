"""A plan is matched on its own date (issue 17, point 4).

The import screen used to fill the plan's date with the day being looked at (today), so
a 2024 plan imported in 2026 was matched on the units after the 2025 reform.  The date
is now the one the document says it was issued on, unless the officer gives another
(said as a warning); a document without a day asks for one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.plans.importing import plan_date, plan_import
from danso.plans.models import Plan
from danso.plans.selectors import units_day
from danso.units.codes import Level
from tests.conftest import BEFORE, unit_at
from tests.plans.conftest import HANOI_2025, LONG_BIEN_2024, SEEDS

pytestmark = pytest.mark.django_db
ISSUED = date(2024, 3, 5)  # "Long Biên, ngày 05 tháng 3 năm 2024"


def _long_bien() -> Any:
    return unit_at(Level.DISTRICT, "4", BEFORE)


def test_without_a_date_the_plan_is_matched_on_the_day_it_says_it_was_issued() -> None:
    content = (SEEDS / LONG_BIEN_2024).read_bytes()
    assert plan_date(content, LONG_BIEN_2024) == ISSUED
    result = plan_import(
        content, file_name=LONG_BIEN_2024, unit=_long_bien(), on=None, dry_run=True
    )
    assert result.on == ISSUED
    assert not result.errors
    assert result.as_dict()["date"] == "2024-03-05"


def test_another_date_is_used_and_said() -> None:
    content = (SEEDS / LONG_BIEN_2024).read_bytes()
    result = plan_import(
        content, file_name=LONG_BIEN_2024, unit=_long_bien(), on=date(2024, 6, 30), dry_run=True
    )
    assert result.on == date(2024, 6, 30)
    said = [p.message for p in result.problems if p.severity == "warning"]
    assert any("05/03/2024" in m and "30/06/2024" in m for m in said), said


def test_a_document_without_a_day_asks_for_the_date() -> None:
    content = (SEEDS / HANOI_2025).read_bytes()  # "Hà Nội, ngày tháng năm 2025"
    assert plan_date(content, HANOI_2025) is None
    hanoi = unit_at(Level.PROVINCE, "1", BEFORE)
    result = plan_import(content, file_name=HANOI_2025, unit=hanoi, on=None, dry_run=True)
    assert result.on is None
    assert [p.message for p in result.errors] == [
        "Văn bản không ghi ngày ban hành: hãy nhập ngày của kế hoạch (các đơn vị được lấy "
        "theo ngày đó)."
    ]


def test_the_screen_no_longer_fills_in_today_and_stores_the_documents_date(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    officer = client_for(make_user("hn", Role.PROVINCE_OFFICER, Level.PROVINCE, "1"))
    officer.get(reverse("home"), {"date": "2024-06-30"})  # Long Biên is offered as it stood
    page = officer.get(reverse("plans:import"))
    assert page.status_code == 200, page
    assert page.context["form"]["date"].value() is None  # no day chosen for the officer
    with (SEEDS / LONG_BIEN_2024).open("rb") as upload:
        preview = officer.post(
            reverse("plans:import"), {"file": upload, "unit": _long_bien().pk, "date": ""}
        )
    assert preview.status_code == 200
    assert "Các đơn vị được lấy theo ngày 05/03/2024." in preview.content.decode()
    stored = officer.post(reverse("plans:import"), {"confirm": "1"})
    assert stored.status_code == 302
    plan = Plan.objects.get()
    assert plan.issued_on == ISSUED
    assert units_day(plan) == ISSUED  # its units: Long Biên's of 2024, not 2026's wards


def test_the_cli_takes_the_documents_date(run_cli: Callable[..., Any]) -> None:
    out = run_cli(
        "plans",
        "import",
        str(SEEDS / LONG_BIEN_2024),
        "--unit",
        "004",
        "--level",
        "district",
        "--dry-run",
    )
    assert out["date"] == "2024-03-05"
    assert not [p for p in out["problems"] if "05/03/2024" in p["message"]]
