"""A report as the printed form (xuất báo cáo): what callers take, from the modules that
make it.  ``printed`` gathers what the form says (the layout of Nghị định 30/2020, in
Vietnamese whatever the reader's language; see its docstring), ``xlsx`` writes it as a
workbook and ``pdf`` as a PDF; the file name both are sent under is here."""

from __future__ import annotations

import re

from danso.indicators.periods import PeriodKind
from danso.reports import selectors
from danso.reports.models import Report
from danso.reports.pdf import font_faces, report_html, report_pdf
from danso.reports.printed import PrintedReport, date_words, period_words, place_name, printed
from danso.reports.xlsx import report_xlsx, sheet_name
from danso.vietnamese import fold

__all__ = [
    "PrintedReport",
    "date_words",
    "font_faces",
    "period_words",
    "place_name",
    "printed",
    "report_filename",
    "report_html",
    "report_pdf",
    "report_xlsx",
    "sheet_name",
]


def report_filename(report: Report, ext: str) -> str:
    """An ASCII file name: ``bao-cao-quy-2025Q1-phuong-ngoc-thuy.pdf`` (the form's code
    after the period when the type has one: ``…-2025Q1-01-dsh-quan-long-bien.pdf``)."""
    period = report.parsed_period
    kind = {PeriodKind.MONTH: "thang", PeriodKind.QUARTER: "quy", PeriodKind.YEAR: "nam"}
    version = selectors.version_for(report.unit, period)
    parts = ["bao-cao", kind.get(period.kind, "ky"), str(period)]
    if report.report_type.form.strip():
        parts.append(_slug(report.report_type.form))
    parts.append(_slug(version.name) or version.display_code)
    return f"{'-'.join(parts)}.{ext.lstrip('.')}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
