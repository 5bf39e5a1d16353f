"""Scenarios of one unit as an .xlsx workbook: the yearly summary, the population by
age and sex, and the inputs each projection started from."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from danso.projections.method import Inputs, ProjectionResult
from danso.projections.models import Scenario
from danso.spreadsheets import append_row


def _header(sheet: Worksheet, headers: Sequence[object], *, freeze: bool = True) -> None:
    append_row(sheet, list(headers))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    if freeze:
        sheet.freeze_panes = f"C{sheet.max_row + 1}"  # (sheet.cell() would add a row)


def _label(scenario: Scenario) -> str:
    return f"{scenario.name} ({scenario.projection.base_date:%d/%m/%Y})"


def projection_workbook(unit_name: str, scenarios: Sequence[Scenario]) -> bytes:
    """One workbook for ``scenarios`` (all of one unit): sheets summary, by age, inputs."""
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = _("Summary")[:31]
    append_row(summary, [unit_name])
    summary["A1"].font = Font(bold=True, size=13)
    _header(
        summary,
        [
            _("Scenario"),
            _("Year"),
            _("Total"),
            _("Male"),
            _("Female"),
            _("Births"),
            _("Deaths"),
            _("Women 15–49"),
            _("Aged 60+"),
            _("Young dependency ratio"),
            _("Old dependency ratio (65+)"),
            _("Total dependency ratio"),
            _("TFR assumed"),
            _("SRB assumed"),
        ],
    )
    by_age = book.create_sheet(_("By age")[:31])
    inputs_sheet = book.create_sheet(_("Inputs")[:31])
    header_done = False
    for scenario in scenarios:
        result = ProjectionResult.from_dict(scenario.results)
        label = _label(scenario)
        if not header_done:
            _header(by_age, [_("Scenario"), _("Year"), _("Sex"), *result.age_groups])
            header_done = True
        for year in result.years:
            append_row(
                summary,
                [
                    label,
                    year.year,
                    round(year.total, 1),
                    round(year.total_male, 1),
                    round(year.total_female, 1),
                    year.births,
                    year.deaths,
                    year.women_15_49,
                    year.aged_60_plus,
                    year.dependency.get("young"),
                    year.dependency.get("old"),
                    year.dependency.get("total"),
                    year.tfr,
                    year.srb,
                ],
            )
            append_row(by_age, [label, year.year, _("Male"), *year.male])
            append_row(by_age, [label, year.year, _("Female"), *year.female])
    for projection in {s.projection_id: s.projection for s in scenarios}.values():
        _inputs(
            inputs_sheet, f"{projection.base_date:%d/%m/%Y}", Inputs.from_dict(projection.inputs)
        )
    summary.column_dimensions["A"].width = 30
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _inputs(sheet: Worksheet, base_date: str, inputs: Inputs) -> None:
    append_row(sheet, [_("Base date"), base_date])
    append_row(sheet, [_("TFR"), round(inputs.tfr, 4), _("SRB"), round(inputs.srb, 2)])
    headers = [
        _("Age"),
        _("Female"),
        _("Male"),
        _("ASFR"),
        _("Survival, female"),
        _("Survival, male"),
        _("Net migrants per year, female"),
        _("Net migrants per year, male"),
    ]
    _header(sheet, headers, freeze=False)
    for row in zip(
        inputs.age_groups,
        inputs.female,
        inputs.male,
        inputs.asfr,
        inputs.survival_female,
        inputs.survival_male,
        inputs.migration_female,
        inputs.migration_male,
        strict=True,
    ):
        append_row(sheet, list(row))
    append_row(sheet, [])
