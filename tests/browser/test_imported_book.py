"""A commune officer imports a book into an empty danso through the web (the import makes
its villages), the worker runs the import and counts its figures, and the ward's
dashboard shows the register's figures: the same as the independent reading of the
files, not zeros (issue 15: the persons of the villages an import made had no spells,
and every figure of an imported ward but its events read zero)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from django_tasks import task_backends
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.register import jobs
from danso.register.models import ImportJob
from danso.units.codes import Level
from tests.browser.conftest import CHROMIUM, PHONE
from tests.conftest import unit_at
from tests.indicators import independent
from tests.register.conftest import HANDMADE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]


def run_queued_tasks() -> list[str]:
    """Run what the worker would of the tasks this thread queued, in order (the suite's
    task backend only queues)."""
    backend = task_backends["default"]
    ran = []
    while backend.results:  # type: ignore[attr-defined]
        queued = backend.results.pop(0)  # type: ignore[attr-defined]
        queued.task.call(*queued.args, **queued.kwargs)
        ran.append(queued.task.name)
    return ran


def test_an_imported_book_is_counted_on_the_wards_dashboard(
    new_page: Callable[..., Page],
    make_user: Callable[..., User],
    live_reference: LiveServer,
    tmp_path: Path,
    scratch: Path,
    artifacts: Path,
) -> None:
    officer = make_user("ngocthuy", Role.COMMUNE_OFFICER, Level.COMMUNE, "118")
    page = new_page("ngocthuy", viewport=PHONE, is_mobile=True, has_touch=True)
    archive = Path(shutil.make_archive(str(tmp_path / "so-ngoc-thuy"), "zip", HANDMADE))

    # the officer works as of the last day of 2024 (Ngọc Thụy was merged on 1/7/2025)
    page.goto(live_reference.url + reverse("register:import") + "?date=2024-12-31")
    page.set_input_files("#file", str(archive))
    page.uncheck("input[name=dry_run]")
    with page.expect_navigation():
        page.click("form.card button[type=submit]")
    # the worker takes the job up (the live server's thread queued it in its own backend)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED
    [upload] = scratch.glob(f"{jobs.PREFIX}*/{archive.name}")
    jobs.register_import_job.call(
        str(job.pk), str(upload), str(upload.parent), officer.pk, False, False
    )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.report
    assert "figures_warm" in run_queued_tasks()  # and counts the figures after it
    page.reload()
    expect(page.locator("main")).to_contain_text("Đã hoàn thành")

    ward = unit_at(Level.COMMUNE, "118", independent.period("2024").end)
    page.goto(
        live_reference.url
        + reverse("indicators:unit", args=[ward.pk])
        + "?period=2024&date=2024-12-31"
    )
    mine = independent.compute(independent.Register(HANDMADE), "2024", ["00118"])["00118"]
    births, persons = mine["CBR"].numerator, mine["CBR"].denominator
    assert persons, "nobody registered in the files: the check would be empty"
    card = page.locator("article.kpi[data-indicator=CBR]")
    # the births over the mid-year population of the files, in Vietnamese numbers
    fraction = f"{births} / {persons:,}".replace(",", ".")
    expect(card).to_contain_text(fraction)
    expect(card.locator(".kpi-value")).not_to_have_text(re.compile(r"^\s*(0|—)\s*$"))
    page.screenshot(path=artifacts / "imported-ward-dashboard-phone.png", full_page=True)
