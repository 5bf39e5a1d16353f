"""Print the exported plans through LibreOffice, so that a person can look at the pages.

The .docx files are converted to PDF and the PDF pages to PNG (60 dpi) under
``test-artifacts/plans/writing/`` (git-ignored).  Skipped when LibreOffice or pdftoppm is
not installed.
"""

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from danso.plans.document import PlanDocument
from danso.plans.writing import appendices_xlsx, plan_docx
from tests.plans.writing.plans import hanoi_2021, hanoi_2025, long_bien_2024

OFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOPPM = shutil.which("pdftoppm")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "plans" / "writing"

pytestmark = pytest.mark.skipif(
    OFFICE is None or PDFTOPPM is None, reason="LibreOffice or pdftoppm is not installed"
)


def _pages(pdf: Path) -> list[Path]:
    assert PDFTOPPM is not None
    stem = pdf.with_suffix("")
    for old in pdf.parent.glob(f"{stem.name}-*.png"):
        old.unlink()
    subprocess.run([PDFTOPPM, "-r", "60", "-png", str(pdf), str(stem)], check=True, timeout=120)
    return sorted(pdf.parent.glob(f"{stem.name}-*.png"))


def _to_pdf(source: Path) -> Path:
    assert OFFICE is not None
    profile = source.parent / "lo-profile"
    subprocess.run(
        [
            OFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(source.parent),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return source.with_suffix(".pdf")


@pytest.mark.parametrize(
    ("build", "least_pages"),
    [(hanoi_2025, 4), (hanoi_2021, 4), (long_bien_2024, 3)],
)
def test_the_plan_prints_through_libreoffice(
    build: Callable[[], PlanDocument], least_pages: int
) -> None:
    # given the plan written as .docx
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / f"{build.__name__}.docx"
    source.write_bytes(plan_docx(build()))
    # when LibreOffice prints it
    pages = _pages(_to_pdf(source))
    # then there is a page for the body, one for the signature at most, one per appendix
    assert len(pages) >= least_pages
    assert all(page.stat().st_size > 1000 for page in pages)


def test_the_appendices_print_through_libreoffice() -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / "hanoi_2021-appendices.xlsx"
    source.write_bytes(appendices_xlsx(hanoi_2021()))
    try:
        pdf = _to_pdf(source)
    except subprocess.CalledProcessError:
        pytest.skip("LibreOffice Calc is not installed")
    if not pdf.exists():
        pytest.skip("LibreOffice Calc is not installed")
    assert len(_pages(pdf)) >= 2
