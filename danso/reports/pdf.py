"""A report as a PDF (WeasyPrint): the print page ``reports/print/report.html`` filled
with what the printed form says (``printed.printed``), with the shipped fonts embedded
and nothing else fetched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

# WeasyPrint ships no type information (no py.typed); only HTML and URLFetcher are used.
from weasyprint import HTML, URLFetcher  # type: ignore[import-untyped]

from danso.reports.models import Report
from danso.reports.printed import (
    HEAD,
    HEAD_HINT,
    MOTTO,
    NATION,
    NOTES_HEADING,
    PREPARER,
    PREPARER_HINT,
    SOURCE_LEGEND,
    printed,
)

#: The fonts shipped with danso (Liberation Serif, SIL OFL 1.1: see ``fonts/LICENSE.txt``),
#: embedded in every PDF so that no server font is needed for the Vietnamese letters.
FONTS = Path(__file__).resolve().parent / "fonts"
FONT_FACES = (
    ("LiberationSerif-Regular.ttf", "normal", "normal"),
    ("LiberationSerif-Bold.ttf", "bold", "normal"),
    ("LiberationSerif-Italic.ttf", "normal", "italic"),
    ("LiberationSerif-BoldItalic.ttf", "bold", "italic"),
)
FONT_FAMILY = "danso serif"


class _FontsOnly(URLFetcher):  # type: ignore[misc]
    """Fetch nothing but the shipped fonts: a report holds text people typed, which the
    template escapes, and the renderer must never reach the network or other files."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        allowed = {(FONTS / name).as_uri() for name, _weight, _style in FONT_FACES}
        if url not in allowed:
            raise ValueError(f"not fetched when printing a report: {url}")
        return super().fetch(url, headers)


def font_faces() -> str:
    """The ``@font-face`` rules of the shipped fonts, by absolute ``file://`` address."""
    return "\n".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{(FONTS / name).as_uri()}"); '
        f"font-weight: {weight}; font-style: {style}; }}"
        for name, weight, style in FONT_FACES
    )


def report_html(report: Report) -> str:
    """The print page of ``report`` (what the PDF is made from)."""
    doc = printed(report)
    return render_to_string(
        "reports/print/report.html",
        {
            "doc": doc,
            "font_faces": font_faces(),
            "landscape": doc.by_unit,
            "words": {
                "nation": NATION,
                "motto": MOTTO,
                "preparer": PREPARER,
                "preparer_hint": PREPARER_HINT,
                "head": HEAD,
                "head_hint": HEAD_HINT,
                "legend": SOURCE_LEGEND,
                "notes": NOTES_HEADING,
            },
        },
    )


def report_pdf(report: Report) -> bytes:
    """The report as a PDF: A4, portrait for a unit's own report, landscape for a form
    with a column per unit below; the shipped serif font embedded."""
    html = HTML(string=report_html(report), base_url=FONTS.as_uri() + "/", url_fetcher=_FontsOnly())
    pdf: bytes = html.write_pdf()
    return pdf
