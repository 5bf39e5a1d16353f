"""A report opens filled from the indicator engine, each figure with its source; a
corrected figure needs a reason; free text is free."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from danso.accounts.scope import SYSTEM
from danso.indicators.services import entered_save
from danso.register.models import Person
from danso.reports.models import Report, ReportFigure, ReportType
from danso.reports.services import (
    report_figure_set,
    report_open,
    report_refresh,
    report_submit,
    report_text_set,
)
from danso.units.codes import Level
from danso.units.models import Unit
from tests.conftest import unit_at
from tests.reports.conftest import EARLY_2025, GIANG_BIEN_Q1

pytestmark = pytest.mark.django_db


def figure(report: Report, key: str, column: Unit | None = None) -> ReportFigure:
    return report.figures.get(row__key=key, column=column)


def test_a_ward_report_opens_with_its_entered_figures(
    types: dict[str, ReportType], ward: Unit
) -> None:
    # when Giang Biên opens its 2025Q1 report
    report = report_open(
        actor=SYSTEM, report_type=types["commune-quarterly"], unit=ward, period="2025Q1"
    )

    # then counts and indicators come from the engine, saying where they came from
    births = figure(report, "births")
    assert (births.computed, births.value, births.source) == (Decimal(130), Decimal(130), "entered")
    assert figure(report, "births.M").value == 70
    srb = figure(report, "SRB")
    assert srb.value == Decimal("116.6667")
    assert srb.source == "entered"
    # a count only people give, and one the ward did not report, wait to be entered
    assert (figure(report, "households").value, figure(report, "households").source) == (None, "")
    assert figure(report, "cpr.women").value is None
    assert report.texts.get().row.key == "assessment"
    assert report.status == "draft"

    # and opening it again gives the same report
    again = report_open(
        actor=SYSTEM, report_type=types["commune-quarterly"], unit=ward, period="2025Q1"
    )
    assert again.pk == report.pk


def test_a_register_ward_report_counts_from_the_book(
    types: dict[str, ReportType], book: dict[str, Person]
) -> None:
    ngoc_thuy = unit_at(Level.COMMUNE, "118", EARLY_2025)

    report = report_open(
        actor=SYSTEM, report_type=types["commune-quarterly"], unit=ngoc_thuy, period="2024Q2"
    )

    births = figure(report, "births")
    assert (births.value, births.source) == (Decimal(1), "register")
    assert figure(report, "births.M").value == 1
    assert figure(report, "premarital.checked").value == 1


def test_a_correction_needs_a_reason_which_is_kept_in_the_history(
    types: dict[str, ReportType], ward: Unit
) -> None:
    report = report_open(
        actor=SYSTEM, report_type=types["commune-quarterly"], unit=ward, period="2025Q1"
    )
    deaths = figure(report, "deaths")

    with pytest.raises(ValidationError, match="why"):
        report_figure_set(actor=SYSTEM, figure=deaths, value=Decimal(53))

    report_figure_set(
        actor=SYSTEM, figure=deaths, value=Decimal(53), reason="Bổ sung 1 trường hợp tử vong"
    )
    deaths.refresh_from_db()
    assert (deaths.computed, deaths.value, deaths.corrected) == (Decimal(52), Decimal(53), True)
    assert [(h.value, h.reason) for h in deaths.history.all()] == [
        (Decimal(53), "Bổ sung 1 trường hợp tử vong"),
        (Decimal(52), ""),
    ]

    # setting it back to the computed figure drops the reason
    report_figure_set(actor=SYSTEM, figure=deaths, value=Decimal(52))
    deaths.refresh_from_db()
    assert (deaths.reason, deaths.corrected) == ("", False)

    # a figure the engine could not give is simply entered; a negative one is refused
    households = figure(report, "households")
    report_figure_set(actor=SYSTEM, figure=households, value=Decimal(9_800))
    with pytest.raises(ValidationError):
        report_figure_set(actor=SYSTEM, figure=households, value=Decimal(-1))


def test_refreshing_follows_the_engine_but_keeps_corrections(
    types: dict[str, ReportType], ward: Unit
) -> None:
    report = report_open(
        actor=SYSTEM, report_type=types["commune-quarterly"], unit=ward, period="2025Q1"
    )
    report_figure_set(
        actor=SYSTEM, figure=figure(report, "deaths"), value=Decimal(60), reason="sổ A0"
    )
    report_figure_set(actor=SYSTEM, figure=figure(report, "households"), value=Decimal(9_800))

    # when the ward's entered figures change and the report is filled again
    entered_save(unit=ward, period="2025Q1", counts=GIANG_BIEN_Q1 | {"births": 131, "births.M": 71})
    report_refresh(actor=SYSTEM, report=report)

    # then
    assert figure(report, "births").value == 131
    deaths = figure(report, "deaths")
    assert (deaths.computed, deaths.value, deaths.reason) == (Decimal(52), Decimal(60), "sổ A0")
    assert figure(report, "households").value == 9_800


def test_free_text_sections(types: dict[str, ReportType], ward: Unit) -> None:
    report = report_open(
        actor=SYSTEM, report_type=types["commune-quarterly"], unit=ward, period="2025Q1"
    )

    report_text_set(
        actor=SYSTEM, report=report, key="assessment", text="  Tỷ số giới tính khi sinh cao.  "
    )

    assert report.texts.get().text == "Tỷ số giới tính khi sinh cao."
    with pytest.raises(ValidationError):
        report_text_set(actor=SYSTEM, report=report, key="nothing", text="x")


def test_the_district_form_has_a_column_per_ward(types: dict[str, ReportType], ward: Unit) -> None:
    long_bien = unit_at(Level.DISTRICT, "4", EARLY_2025)

    report = report_open(
        actor=SYSTEM, report_type=types["district-quarterly"], unit=long_bien, period="2025Q1"
    )

    columns = set(report.figures.values_list("column", flat=True))
    assert len(columns) == 14  # the district's total and its 13 wards
    assert figure(report, "births", ward).value == 130
    assert figure(report, "births").value == 130  # the only ward with figures
    other = unit_at(Level.COMMUNE, "115", EARLY_2025)
    assert (figure(report, "births", other).value, figure(report, "births", other).source) == (
        None,
        "",
    )


@pytest.mark.parametrize(
    ("level", "code", "period", "message"),
    [
        (Level.COMMUNE, "121", "2025-01", "per quarter"),
        (Level.DISTRICT, "4", "2025Q1", "reported by units of level"),
        (Level.COMMUNE, "121", "2026Q1", "did not exist"),  # merged away on 1/7/2025
    ],
)
def test_a_report_of_the_wrong_period_or_unit_is_refused(
    types: dict[str, ReportType], level: Level, code: str, period: str, message: str
) -> None:
    unit = unit_at(level, code, EARLY_2025)

    with pytest.raises(ValidationError, match=message):
        report_open(actor=SYSTEM, report_type=types["commune-quarterly"], unit=unit, period=period)


def test_a_report_is_opened_by_someone_named(types: dict[str, ReportType], ward: Unit) -> None:
    # None is no one: it may write no unit's reports (the system is named: SYSTEM)
    with pytest.raises(PermissionDenied):
        report_open(actor=None, report_type=types["commune-quarterly"], unit=ward, period="2025Q1")
    assert not Report.objects.exists()
    report = report_open(
        actor=SYSTEM, report_type=types["commune-quarterly"], unit=ward, period="2025Q1"
    )
    with pytest.raises(PermissionDenied):
        report_submit(actor=None, report=report)
