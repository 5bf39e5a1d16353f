"""Export as an official .docx and the appendices as .xlsx; an export reads back as the
same plan."""

import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.plans.exporting import plan_document
from danso.plans.importing import plan_import
from danso.plans.models import Plan
from danso.plans.writing import appendices_xlsx, plan_docx
from danso.units.codes import Level
from tests.plans.conftest import HANOI_2021, HANOI_2025

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "plans"


def allocations(plan_or_result: Any) -> dict[tuple[str, int], tuple[Any, Any]]:
    return {(a.indicator, a.unit.pk): (a.value, a.breakdown) for a in plan_or_result.allocations}


@pytest.mark.parametrize(
    ("seed", "on"), [(HANOI_2025, date(2025, 1, 15)), (HANOI_2021, date(2021, 1, 15))]
)
def test_an_exported_docx_reads_back_as_the_same_plan(
    seed_plan: Callable[[str], Plan], seed: str, on: date
) -> None:
    plan = seed_plan(seed)
    original = plan_document(plan)
    again = plan_import(
        plan_docx(original), file_name="export.docx", unit=plan.unit, on=on, dry_run=True
    )
    assert again.errors == []
    assert {(t.indicator, t.kind, t.value, t.baseline_year) for t in again.targets} == {
        (t.indicator, t.kind, t.value, t.baseline_year) for t in original.targets
    }
    stored = {
        (code, unit_id): (value, breakdown)
        for code, unit_id, value, breakdown in plan.targets.values_list(
            "indicator__code",
            "allocations__unit_id",
            "allocations__value",
            "allocations__breakdown",
        )
        if unit_id is not None
    }
    assert {k: (v[0], v[1] or None) for k, v in allocations(again).items()} == {
        k: (v[0], v[1] or None) for k, v in stored.items()
    }
    assert again.document.number == plan.number
    assert again.document.title.replace("\n", " ") == plan.title


def test_the_appendix_workbook_reads_back_as_the_same_figures(
    seed_plan: Callable[[str], Plan],
) -> None:
    plan = seed_plan(HANOI_2021)
    again = plan_import(
        appendices_xlsx(plan_document(plan)),
        file_name="phu-luc.xlsx",
        unit=plan.unit,
        on=date(2021, 1, 15),
        dry_run=True,
    )
    assert again.errors == []
    assert len(again.allocations) == 30 * 7


def test_export_screens_and_cli(
    seed_plan: Callable[[str], Plan],
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
    run_cli: Callable[..., Any],
    tmp_path: Path,
) -> None:
    plan = seed_plan(HANOI_2025)
    client = client_for(make_user("hn", Role.PROVINCE_OFFICER, Level.PROVINCE, "1"))
    docx = client.get(reverse("plans:export", args=[plan.pk, "docx"]))
    assert docx.status_code == 200
    assert docx["Content-Type"].endswith("wordprocessingml.document")
    assert docx.content[:2] == b"PK"
    out = run_cli(
        "plans", "export", str(plan.pk), "--to", "xlsx", "--output", str(tmp_path / "p.xlsx")
    )
    assert out["bytes"] > 1000
    ward = client_for(make_user("w", Role.COMMUNE_OFFICER, Level.COMMUNE, "115"))
    assert ward.get(reverse("plans:export", args=[plan.pk, "docx"])).status_code == 403


@pytest.mark.skipif(
    not shutil.which("libreoffice") or not shutil.which("pdftoppm"),
    reason="LibreOffice and pdftoppm are needed to render the document",
)
def test_the_docx_renders_in_libreoffice(seed_plan: Callable[[str], Plan]) -> None:
    plan = seed_plan(HANOI_2021)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    docx = ARTIFACTS / "ke-hoach-2021.docx"
    docx.write_bytes(plan_docx(plan_document(plan)))
    subprocess.run(
        [
            "libreoffice",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(ARTIFACTS),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = ARTIFACTS / "ke-hoach-2021.pdf"
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(pdf), str(ARTIFACTS / "ke-hoach-2021")],
        check=True,
        timeout=120,
    )
    pages = sorted(ARTIFACTS.glob("ke-hoach-2021-*.png"))
    assert len(pages) >= 3  # the body, then the landscape appendices
